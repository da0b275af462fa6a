/*
** Linear probing over a power-of-two table of at least twice the capacity, so probe runs stay
** short at the full load of 1/2. Each slot holds the key's 31-bit hash (top bit set: never 0, so
** 0 marks an empty slot), the value and the key itself, all in one stride, so a hit usually
** costs one cache line. Erase shifts the rest of the run back (no tombstones), which keeps
** every key reachable from its home slot without gaps.
*/

#include "map.h"

#include <string.h>

#include "hash.h"
#include "hook.h"

#define MAP_MAX_KEY	64
#define MAP_MAX_CAP	(1u << 28)
#define MAP_SEED	0x6d6170u	/* "map" */
#define MAP_USED	0x80000000u

struct map {
	struct nf_env *env;
	const char *name;
	unsigned char *slots;	/* n_slots strides of: u32 hash | u32 value | key */
	uint32_t key_size;
	uint32_t stride;
	uint32_t mask;		/* n_slots - 1 */
	uint32_t capacity;
	uint32_t size;
};

struct map *
map_new(struct nf_env *env, const char *name, uint32_t key_size, uint32_t capacity)
{
	const char *stored = nf_env_name(env, name);
	struct map *m;
	uint64_t n_slots = 2;

	if (!stored)
		return NULL;
	capacity = nf_env_capacity(env, capacity);
	if (key_size < 1 || key_size > MAP_MAX_KEY) {
		nf_env_fail(env, "map \"%s\": key size %u is not in 1..%u", name, key_size,
		    MAP_MAX_KEY);
		return NULL;
	}
	if (capacity < 1 || capacity > MAP_MAX_CAP) {
		nf_env_fail(env, "map \"%s\": capacity %u is not in 1..%u", name, capacity,
		    MAP_MAX_CAP);
		return NULL;
	}
	while (n_slots < 2 * (uint64_t)capacity)
		n_slots *= 2;
	m = nf_alloc(env, sizeof *m);
	if (!m)
		return NULL;
	m->env = env;
	m->name = stored;
	m->key_size = key_size;
	m->stride = 8 + (key_size + 3) / 4 * 4;
	m->mask = (uint32_t)n_slots - 1;
	m->capacity = capacity;
	m->slots = nf_alloc(env, (size_t)n_slots * m->stride);
	return m->slots ? m : NULL;
}

static inline uint32_t *
slot_at(const struct map *m, uint32_t i)
{
	return (uint32_t *)(m->slots + (size_t)i * m->stride);
}

static inline uint32_t
key_hash(const struct map *m, const void *key)
{
	return (uint32_t)hash_bytes(key, m->key_size, MAP_SEED) | MAP_USED;
}

/* memcmp(a, b, n) == 0 in word compares, the last overlapping the one before: a call to
** memcmp for a variable size costs more than the compare for keys this short. */
static inline int
key_equal(const void *a, const void *b, uint32_t n)
{
	const unsigned char *p = a, *q = b;
	uint64_t x = 0, u, v;
	uint32_t i;

	if (n < 8)
		return memcmp(a, b, n) == 0;
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&u, p + i, 8);
		memcpy(&v, q + i, 8);
		x |= u ^ v;
	}
	memcpy(&u, p + n - 8, 8);
	memcpy(&v, q + n - 8, 8);
	return (x | (u ^ v)) == 0;
}

/* The slot holding 'key', or the empty slot ending its probe run (with *found 0). */
static inline uint32_t
find(const struct map *m, const void *key, uint32_t h, int *found)
{
	uint32_t i = h & m->mask, *s;

	for (;; i = (i + 1) & m->mask) {
		s = slot_at(m, i);
		if (s[0] == 0) {
			*found = 0;
			return i;
		}
		if (s[0] == h && key_equal(s + 2, key, m->key_size)) {
			*found = 1;
			return i;
		}
	}
}

int
map_get(struct map *m, const void *key, uint32_t *value)
{
	uint32_t i;
	int found;

	if (!m)
		return 0;
	hook_read(m->env, m->name, key, m->key_size);
	i = find(m, key, key_hash(m, key), &found);
	if (found) {
		*value = slot_at(m, i)[1];
		hook_call_u32(m->env, "map_get", m->name, 1, *value);
	} else {
		hook_call(m->env, "map_get", m->name, 0, NULL, 0);
	}
	return found;
}

/* map_put past the hooks. */
static int
put(struct map *m, const void *key, uint32_t value)
{
	uint32_t h, i, *s;
	int found;

	h = key_hash(m, key);
	i = find(m, key, h, &found);
	s = slot_at(m, i);
	if (!found) {
		if (m->size >= m->capacity)
			return -1;
		s[0] = h;
		memcpy(s + 2, key, m->key_size);
		m->size++;
	}
	s[1] = value;
	return 0;
}

int
map_put(struct map *m, const void *key, uint32_t value)
{
	int rc;

	if (!m)
		return -1;
	if (hook_write(m->env, m->name, key, m->key_size))
		return -1;
	rc = put(m, key, value);
	hook_call(m->env, "map_put", m->name, rc, NULL, 0);
	return rc;
}

/* map_erase past the hooks. */
static int
erase(struct map *m, const void *key)
{
	uint32_t i, j, home, *s;
	int found;

	i = find(m, key, key_hash(m, key), &found);
	if (!found)
		return 0;
	/* Backward shift: move each later entry of the run into the hole when the hole lies
	** between its home and where it sits, so no lookup meets an empty slot too early. */
	for (j = (i + 1) & m->mask;; j = (j + 1) & m->mask) {
		s = slot_at(m, j);
		if (s[0] == 0)
			break;
		home = s[0] & m->mask;
		if (((j - home) & m->mask) >= ((j - i) & m->mask)) {
			memcpy(slot_at(m, i), s, m->stride);
			i = j;
		}
	}
	memset(slot_at(m, i), 0, m->stride);
	m->size--;
	return 1;
}

int
map_erase(struct map *m, const void *key)
{
	int rc;

	if (!m)
		return 0;
	if (hook_write(m->env, m->name, key, m->key_size))
		return 0;
	rc = erase(m, key);
	hook_call(m->env, "map_erase", m->name, rc, NULL, 0);
	return rc;
}

uint32_t
map_size(const struct map *m)
{
	return m ? m->size : 0;
}

uint32_t
map_capacity(const struct map *m)
{
	return m ? m->capacity : 0;
}

uint32_t
map_key_size(const struct map *m)
{
	return m ? m->key_size : 0;
}

int
map_ask(struct map *m)
{
	return m ? hook_ask(m->env, m->name) : 0;
}
