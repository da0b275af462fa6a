#ifndef NFS_LIB_LPM_H
#define NFS_LIB_LPM_H
/*
** lpm: longest prefix match on IPv4 addresses (host byte order) -> uint32_t value, filled in
** nf_init and read per packet. Up to 'capacity' prefixes; not split by the capacity share (each
** core needs every route). A trie with 8-bit strides: a lookup reads at most four 256-entry nodes;
** memory is at most 1 + 3 * capacity nodes of 1 KiB, allocated in lpm_new.
*/

#include "nf.h"

struct lpm;

struct lpm *lpm_new(struct nf_env *env, const char *name, uint32_t capacity);
/* Adds or replaces prefix/len -> value; 0, or -1 when full or len > 32. Bits of 'prefix' beyond
** 'len' are ignored. */
int lpm_add(struct lpm *t, uint32_t prefix, uint8_t len, uint32_t value);
/* Read. 1 and *value of the longest prefix containing 'addr', else 0. */
int lpm_lookup(struct lpm *t, uint32_t addr, uint32_t *value);

#endif
