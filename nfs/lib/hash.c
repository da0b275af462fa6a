/*
** 8-byte chunks folded with multiply-xorshift steps, then a full 64-bit finaliser (the murmur3
** / splitmix64 one), so every input bit reaches every output bit.
*/

#include "hash.h"

#include <string.h>

#define HASH_K1 0x9e3779b97f4a7c15ull
#define HASH_K2 0xbf58476d1ce4e5b9ull
#define HASH_K3 0x94d049bb133111ebull

static inline uint64_t
hash_fold(uint64_t h, uint64_t v)
{
	h = (h ^ v) * HASH_K2;
	return h ^ (h >> 29);
}

uint64_t
hash_bytes(const void *key, size_t len, uint64_t seed)
{
	const unsigned char *p = key;
	uint64_t h = seed * HASH_K1 ^ len * HASH_K3, v;
	size_t i;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&v, p, 8);
		h = hash_fold(h, v);
	}
	if (len) {
		/* The tail, zero-padded; the length went into the seed, so padding cannot collide. */
		v = 0;
		for (i = 0; i < len; i++)
			v |= (uint64_t)p[i] << (8 * i);
		h = hash_fold(h, v);
	}
	h ^= h >> 30;
	h *= HASH_K2;
	h ^= h >> 27;
	h *= HASH_K3;
	return h ^ (h >> 31);
}
