#ifndef NFS_LIB_CHT_H
#define NFS_LIB_CHT_H
/*
** cht: Maglev-style consistent hashing of keys onto backends 0 .. backends-1. cht_new builds,
** for each of 'height' buckets (a prime, > backends), the backends in that bucket's preference
** order; cht_find hashes the key to a bucket and returns its first backend that is alive in a
** dchain. Each backend is first choice of height/backends buckets (+-1), and when a backend dies
** only the keys that were on it move. Not split by the capacity share (the table is global).
*/

#include "dchain.h"

struct cht;

/* 'backends' 1..4096; 'height' prime and > backends, at most 1 << 20. */
struct cht *cht_new(struct nf_env *env, const char *name, uint32_t backends, uint32_t height);
/* Read (of the table and of 'alive'). 1 and *backend: the preferred backend of 'key' among the
** indices allocated in 'alive'; 0 when none is. */
int cht_find(struct cht *t, const void *key, uint32_t key_size, struct dchain *alive,
    uint32_t *backend);

#endif
