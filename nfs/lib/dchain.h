#ifndef NFS_LIB_DCHAIN_H
#define NFS_LIB_DCHAIN_H
/*
** dchain: allocates indices 0 .. capacity-1 and remembers, per index, when it was last
** allocated or rejuvenated, so the oldest can expire (expire.h). O(1) per call. Allocation hands
** out the lowest index never used first, then the most recently freed.
**
** Locked build: the allocation state is shared and changed only by writes (allocate, free); the
** timestamps and the age order are kept per core, so rejuvenate touches only the calling core's
** copy and needs no write lock. An index is expired only when it is old on every core that
** stamped it (dchain.c says how).
**
** Traced build: each call reports the 4-byte index, little-endian. A full dchain_allocate
** reports a WRITE with no key (len 0); dchain_expire_one reports the WRITE of the index it frees,
** and nothing when nothing is old enough. Locked build: a refused write returns 0 and changes
** nothing.
*/

#include "nf.h"

struct dchain;

struct dchain *dchain_new(struct nf_env *env, const char *name, uint32_t capacity);
/* Write. 1 and a fresh *index stamped 'now_ns', or 0 when every index is taken. */
int dchain_allocate(struct dchain *c, uint64_t now_ns, uint32_t *index);
/* Read. 1 when 'index' is allocated. */
int dchain_is_allocated(struct dchain *c, uint32_t index);
/* Update. Stamps an allocated 'index' with 'now_ns'; 1 if it was allocated, else 0. */
int dchain_rejuvenate(struct dchain *c, uint32_t index, uint64_t now_ns);
/* Write. Frees 'index'; 1 if it was allocated, else 0. */
int dchain_free(struct dchain *c, uint32_t index);
/* Write. Frees the oldest index if it was stamped before 'before_ns': 1 and *index, else 0.
** Ages follow the order of stamps, so timestamps that go backwards expire late, never early.
** Locked build: asks for the write only when something is old enough. */
int dchain_expire_one(struct dchain *c, uint64_t before_ns, uint32_t *index);
/* Indices allocated now (not a state access). */
uint32_t dchain_allocated(const struct dchain *c);
uint32_t dchain_capacity(const struct dchain *c);

/* ---- for the state library (expire_items): not traced ---- */

/* 1 when dchain_expire_one(c, before_ns, ...) on the calling core would need the write. */
int dchain_expire_due(struct dchain *c, uint64_t before_ns);
/* Locked build: asks for the write of 'c' (nonzero: refused, after nf_env_abort); else 0. */
int dchain_ask(struct dchain *c);
/* The instance and the name of a dchain (not NULL), for expire_items' hooks. */
struct nf_env *dchain_env(const struct dchain *c);
const char *dchain_name(const struct dchain *c);

#endif
