#ifndef NFS_LIB_MAP_H
#define NFS_LIB_MAP_H
/*
** map: fixed-size keys -> uint32_t values (usually an index into vectors and a dchain). Open
** addressing over a table sized in map_new; at most 'capacity' keys (after the share); nothing is
** allocated after map_new. Keys are compared and hashed as raw bytes, so a key struct must be
** packed or fully zeroed. The hash is fixed (not seeded), so runs are reproducible.
**
** Traced build: each call reports the key, hit or miss. Locked build: a refused write returns
** as a failed one (map_put -1, map_erase 0) and changes nothing.
*/

#include "nf.h"

struct map;

/* 'key_size' 1..64 bytes. NULL, with the reason in env, on a bad size or out of memory. */
struct map *map_new(struct nf_env *env, const char *name, uint32_t key_size, uint32_t capacity);
/* Read. 1 and *value when 'key' is present, else 0. */
int map_get(struct map *m, const void *key, uint32_t *value);
/* Write. Inserts or overwrites; 0 on success, -1 when the map is full (key absent, no room). */
int map_put(struct map *m, const void *key, uint32_t value);
/* Write. 1 when 'key' was present (and is now gone), else 0. */
int map_erase(struct map *m, const void *key);
/* Keys present now (not a state access: for hosts and tests). */
uint32_t map_size(const struct map *m);
uint32_t map_capacity(const struct map *m);
uint32_t map_key_size(const struct map *m);

/* ---- for the state library (expire_items) ---- */

/* Locked build: asks for the write of 'm' (nonzero: refused, after nf_env_abort); else 0. */
int map_ask(struct map *m);

#endif
