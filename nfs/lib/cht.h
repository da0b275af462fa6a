#ifndef NFS_LIB_CHT_H
#define NFS_LIB_CHT_H
/*
** cht: Maglev-style consistent hashing of keys onto backends 0 .. backends-1. cht_new builds,
** for each of 'height' buckets (a prime, > backends), the backends in that bucket's preference
** order; cht_find hashes the key to a bucket and returns its first backend that is alive in a
** dchain. Each backend is first choice of height/backends buckets (+-1), and when a backend dies
** only the keys that were on it move. Not split by the capacity share (the table is global).
** Memory: height * backends * 4 bytes, at most 64 MiB.
**
** Traced build: cht_find reports a READ of the cht with the key, then the dchain reports a READ
** of each backend index it asks about (backends beyond the dchain's capacity count as dead and
** are not asked about); the call hook hears one cht_find, not the dchain reads.
*/

#include "dchain.h"

struct cht;

/* 'backends' 1..4096; 'height' prime and > backends, at most 1 << 20; backends * height * 4 bytes
** at most 64 MiB. */
struct cht *cht_new(struct nf_env *env, const char *name, uint32_t backends, uint32_t height);
/* Read (of the table and of 'alive'). 1 and *backend: the preferred backend of 'key' among the
** indices allocated in 'alive'; 0 when none is. */
int cht_find(struct cht *t, const void *key, uint32_t key_size, struct dchain *alive,
    uint32_t *backend);
/* The sizes given to cht_new, and the backend 'rank' places down the preference order of
** 'bucket' (rank 0: its first choice), or UINT32_MAX out of range. Not state accesses: for
** hosts showing the table, and tests. */
uint32_t cht_backends(const struct cht *t);
uint32_t cht_height(const struct cht *t);
uint32_t cht_preference(const struct cht *t, uint32_t bucket, uint32_t rank);

#endif
