#ifndef NFS_LIB_SKETCH_H
#define NFS_LIB_SKETCH_H
/*
** sketch: a count-min sketch of SKETCH_HASHES rows of 'capacity' counters each, for counting
** per key (e.g. new connections per client) in bounded memory. An estimate never undercounts;
** it overcounts by at most 2N/capacity with probability 1 - 2^-SKETCH_HASHES (N: the touches
** still counted). Each counter remembers when it was last touched; sketch_expire zeroes those
** idle since before a time, oldest first, in O(expired).
**
** Traced build: fetch and touch report the key; sketch_expire reports one WRITE with no key
** (len 0) when it zeroes anything, and nothing otherwise. Locked build: sketch_expire asks for
** the write only when something is old enough; a refused write changes nothing (sketch_expire
** returns 0).
*/

#include "nf.h"

#define SKETCH_HASHES 4

struct sketch;

/* 'key_size' 1..64 bytes; 'capacity' counters per row (after the share). */
struct sketch *sketch_new(struct nf_env *env, const char *name, uint32_t key_size,
    uint32_t capacity);
/* Read. The estimated count of 'key': the minimum over its counters. */
uint32_t sketch_fetch(struct sketch *s, const void *key);
/* Write. Adds one to each counter of 'key' (saturating) and stamps them 'now_ns'. */
void sketch_touch(struct sketch *s, const void *key, uint64_t now_ns);
/* Write. Zeroes every counter last touched before 'before_ns'; returns how many. A touch
** stamped earlier than the one before it keeps its counter until the later one is old too. */
uint32_t sketch_expire(struct sketch *s, uint64_t before_ns);
/* Counters per row (not a state access). */
uint32_t sketch_capacity(const struct sketch *s);

#endif
