#ifndef NFS_LIB_LPM_H
#define NFS_LIB_LPM_H
/*
** lpm: longest prefix match on IPv4 addresses (host byte order) -> uint32_t value, filled in
** nf_init and read per packet. Up to 'capacity' prefixes; not split by the capacity share (each
** core needs every route; NF_FULL changes nothing). A trie with 8-bit strides: a lookup reads at
** most four 256-slot nodes. Each slot keeps the value and length of the longest prefix that
** covers it, so the order of lpm_add calls does not matter. Memory: 1 + 3 * capacity nodes of
** 2 KiB, reserved in lpm_new (calloc: pages no prefix uses are never touched).
**
** Traced build: lpm_lookup reports a READ with the 4-byte address, little-endian; lpm_add is
** not reported to the trace hook (nor, locked build, asked for), being for nf_init only, but
** its result goes to the call hook like every call's.
*/

#include "nf.h"

struct lpm;

struct lpm *lpm_new(struct nf_env *env, const char *name, uint32_t capacity);
/* Adds or replaces prefix/len -> value; 0, or -1 when full or len > 32. Bits of 'prefix' beyond
** 'len' are ignored. */
int lpm_add(struct lpm *t, uint32_t prefix, uint8_t len, uint32_t value);
/* Read. 1 and *value of the longest prefix containing 'addr', else 0. */
int lpm_lookup(struct lpm *t, uint32_t addr, uint32_t *value);
/* Prefixes added (not a state access). */
uint32_t lpm_size(const struct lpm *t);

#endif
