#include "engine/htab.h"

#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"

/* Open addressing with linear probing; a slot is [tag byte][key][value], kept in one array so a
** probe touches one cache line in the common case. The tag is 0 for an empty slot, else 8 bits
** of the key's hash (never 0), so most mismatches cost no key comparison. */
struct htab {
	size_t key_size;
	size_t slot_size;
	size_t cap;	/* power of two */
	size_t count;
	unsigned char *slots;
};

#define VAL_OFF(h) (1 + (h)->key_size)

static size_t
align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

struct htab *
htab_new(size_t key_size)
{
	struct htab *h = xcalloc(1, sizeof *h);

	h->key_size = key_size;
	h->slot_size = align8(1 + key_size) + sizeof(uint64_t);
	h->cap = 64;
	h->slots = xcalloc(h->cap, h->slot_size);
	return h;
}

void
htab_free(struct htab *h)
{
	if (!h)
		return;
	free(h->slots);
	free(h);
}

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

uint64_t
htab_hash(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;

	/* Each step is a bijection of h for a given word, so every key bit matters; one full
	** mix at the end spreads the bits (several times cheaper than mixing every word). */
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		p += 8;
		n -= 8;
	}
	if (n) {
		uint64_t w = 0;
		memcpy(&w, p, n);
		h = (h ^ w ^ ((uint64_t)n << 56)) * 0xff51afd7ed558ccdULL;
	}
	return mix(h);
}

static unsigned char *
slot(const struct htab *h, size_t i)
{
	return h->slots + i * h->slot_size;
}

static uint64_t *
slot_val(const struct htab *h, unsigned char *s)
{
	return (uint64_t *)(void *)(s + align8(1 + h->key_size));
}

static unsigned char
tag_of(uint64_t hash)
{
	return (unsigned char)(hash >> 56) | 1;
}

/* The slot holding 'key', or the empty slot where it belongs; *tag gets the key's tag. */
static unsigned char *
probe(const struct htab *h, const void *key, unsigned char *tag)
{
	size_t mask = h->cap - 1;
	uint64_t hash = htab_hash(key, h->key_size);
	size_t i = hash & mask;

	*tag = tag_of(hash);
	for (;;) {
		unsigned char *s = slot(h, i);
		if (!s[0] || (s[0] == *tag && memcmp(s + 1, key, h->key_size) == 0))
			return s;
		i = (i + 1) & mask;
	}
}

static void
grow(struct htab *h)
{
	struct htab old = *h;
	unsigned char tag;

	h->cap *= 2;
	h->slots = xcalloc(h->cap, h->slot_size);
	for (size_t i = 0; i < old.cap; i++) {
		unsigned char *s = slot(&old, i);
		if (s[0])
			memcpy(probe(h, s + 1, &tag), s, h->slot_size);
	}
	free(old.slots);
}

uint64_t *
htab_upsert(struct htab *h, const void *key, bool *out_new)
{
	unsigned char tag, *s = probe(h, key, &tag);

	/* Grow only for a new key, so pointers to existing values stay valid. */
	if (!s[0] && (h->count + 1) * 10 > h->cap * 7) {
		grow(h);
		s = probe(h, key, &tag);
	}
	if (out_new)
		*out_new = !s[0];
	if (!s[0]) {
		s[0] = tag;
		memcpy(s + 1, key, h->key_size);
		*slot_val(h, s) = 0;
		h->count++;
	}
	return slot_val(h, s);
}

uint64_t *
htab_find(const struct htab *h, const void *key)
{
	unsigned char tag, *s = probe(h, key, &tag);

	return s[0] ? slot_val(h, s) : NULL;
}

size_t
htab_count(const struct htab *h)
{
	return h->count;
}

bool
htab_next(const struct htab *h, size_t *ref_pos, const void **out_key, uint64_t **out_val)
{
	while (*ref_pos < h->cap) {
		unsigned char *s = slot(h, (*ref_pos)++);
		if (s[0]) {
			*out_key = s + 1;
			*out_val = slot_val(h, s);
			return true;
		}
	}
	return false;
}
