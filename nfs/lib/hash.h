#ifndef NFS_LIB_HASH_H
#define NFS_LIB_HASH_H
/*
** hash: the byte hash behind map, sketch and cht. Fixed seeds (no per-process randomness), so
** runs are reproducible; a different seed gives an independent hash (the sketch's rows).
*/

#include <stddef.h>
#include <stdint.h>

/* 64 well-mixed bits of 'len' bytes at 'key' (any length; the library uses 1..64). */
uint64_t hash_bytes(const void *key, size_t len, uint64_t seed);

/* A value uniform in 0 .. n-1 from a hash (multiply-shift, no division). */
static inline uint32_t
hash_range(uint64_t h, uint32_t n)
{
	return (uint32_t)(((h >> 32) * (uint64_t)n) >> 32);
}

#endif
