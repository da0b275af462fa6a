#ifndef ENGINE_HTAB_H
#define ENGINE_HTAB_H
/*
** A growing hash table from fixed-size byte keys to one uint64_t each (a count, an index, a
** flag set). Used to count distinct flows, IP pairs and state entries in traces. Keys are
** compared as bytes: callers zero any padding.
*/

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct htab;

/* A table for keys of 'key_size' bytes (1..256). */
struct htab *htab_new(size_t key_size);
void htab_free(struct htab *h);

/* The value slot of 'key', inserted (value 0) if absent; *out_new (may be NULL) says which.
** The pointer is valid until the next insertion. */
uint64_t *htab_upsert(struct htab *h, const void *key, bool *out_new);

/* The value slot of 'key', or NULL when absent. Valid until the next insertion. */
uint64_t *htab_find(const struct htab *h, const void *key);

size_t htab_count(const struct htab *h);

/* Iteration: start with *ref_pos = 0; returns false at the end. Key and value are borrowed. */
bool htab_next(const struct htab *h, size_t *ref_pos, const void **out_key, uint64_t **out_val);

/* A 64-bit hash of 'n' bytes, also for callers that shard by it. */
uint64_t htab_hash(const void *data, size_t n);

#endif
