#ifndef NFS_LIB_DCHAIN_H
#define NFS_LIB_DCHAIN_H
/*
** dchain: allocates indices 0 .. capacity-1 and remembers, per index, when it was last
** allocated or rejuvenated, so the oldest can expire (expire.h). O(1) per call. Allocation hands
** out the lowest index never used first, then the most recently freed.
**
** Locked build: the allocation state is shared and changed only by writes (allocate, free); the
** timestamps and the age order are kept per core, so rejuvenate touches only the calling core's
** copy and needs no write lock. An index is expired only when it is old on every core.
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
** Ages follow the order of stamps, so timestamps that go backwards expire late, never early. */
int dchain_expire_one(struct dchain *c, uint64_t before_ns, uint32_t *index);
/* Indices allocated now (not a state access). */
uint32_t dchain_allocated(const struct dchain *c);
uint32_t dchain_capacity(const struct dchain *c);

#endif
