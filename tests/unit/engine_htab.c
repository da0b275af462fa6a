/* Unit tests for engine/htab: against reference models on seeded random sequences, growth,
** iteration, near-identical keys and the hash function. */
#include "engine/htab.h"

#include <sys/types.h>
#include <time.h>

#include "engine/rng.h"
#include "tests/test.h"

static const size_t key_sizes[] = { 1, 4, 13, 38, 64 };
#define N_KEY_SIZES (sizeof key_sizes / sizeof key_sizes[0])

/* Fixed seeds, then one from time() (or BATON_TEST_SEED), printed so a failure can be replayed. */
static uint64_t seeds[] = { 1, 42, 0xdeadbeef, 0 };
#define N_SEEDS (sizeof seeds / sizeof seeds[0])

static void
pick_time_seed(void)
{
	const char *env = getenv("BATON_TEST_SEED");

	seeds[N_SEEDS - 1] = env && *env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	printf("# seed %llu (set BATON_TEST_SEED to replay)\n", (unsigned long long)seeds[N_SEEDS - 1]);
}

static void
rand_bytes(struct rng *s, unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)rng_u64(s);
}

static void
test_htab__basic(void)
{
	struct htab *h = htab_new(4);
	uint32_t k = 7, k2 = 8;
	bool fresh = false;
	size_t pos = 0;
	const void *kp;
	uint64_t *vp;

	CHECK_EQ_INT(htab_count(h), 0);
	CHECK(htab_find(h, &k) == NULL);
	CHECK(!htab_next(h, &pos, &kp, &vp));

	uint64_t *p = htab_upsert(h, &k, &fresh);
	CHECK(p != NULL);
	CHECK(fresh);
	CHECK_EQ_INT(*p, 0);
	CHECK_EQ_INT(htab_count(h), 1);
	*p = 123;
	CHECK(htab_find(h, &k) == p);
	CHECK_EQ_INT(*htab_find(h, &k), 123);
	CHECK(htab_find(h, &k2) == NULL);

	fresh = true;
	CHECK(htab_upsert(h, &k, &fresh) == p);
	CHECK(!fresh);
	CHECK_EQ_INT(*p, 123);
	CHECK_EQ_INT(htab_count(h), 1);

	/* out_new may be NULL. */
	uint64_t *p2 = htab_upsert(h, &k2, NULL);
	CHECK(p2 != NULL && *p2 == 0);
	(*p2) += UINT64_MAX;
	CHECK_EQ_INT(htab_count(h), 2);
	CHECK(*htab_find(h, &k2) == UINT64_MAX);
	CHECK(htab_upsert(h, &k2, NULL) == htab_find(h, &k2));
	CHECK_EQ_INT(htab_count(h), 2);

	/* The key is copied in: changing the caller's buffer does not change the table. */
	uint32_t k3 = 99;
	*htab_upsert(h, &k3, NULL) = 5;
	k3 = 100;
	CHECK(htab_find(h, &k3) == NULL);
	k3 = 99;
	CHECK(htab_find(h, &k3) != NULL && *htab_find(h, &k3) == 5);

	htab_free(h);
	htab_free(NULL);
}

static void
test_htab__zero_key(void)
{
	/* An all-zero key is an ordinary key (the slot's used flag is not in the key). */
	for (size_t ks = 1; ks <= 256; ks = ks < 16 ? ks + 1 : ks * 2) {
		struct htab *h = htab_new(ks);
		unsigned char *z = calloc(1, ks), *o = malloc(ks);
		bool fresh;

		memset(o, 0xff, ks);
		CHECK(htab_find(h, z) == NULL);
		*htab_upsert(h, z, &fresh) = 11;
		CHECK(fresh);
		*htab_upsert(h, o, &fresh) = 22;
		CHECK(fresh);
		CHECK_EQ_INT(htab_count(h), 2);
		if (!htab_find(h, z) || *htab_find(h, z) != 11)
			FAIL("key size %zu: zero key lost", ks);
		if (!htab_find(h, o) || *htab_find(h, o) != 22)
			FAIL("key size %zu: 0xff key lost", ks);
		free(z);
		free(o);
		htab_free(h);
	}
}

/* The naive model: keys and values in arrays, found by linear search. */
struct model {
	size_t ks, n, cap;
	unsigned char *keys;
	uint64_t *vals;
};

static ssize_t
model_find(const struct model *m, const void *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (memcmp(m->keys + i * m->ks, key, m->ks) == 0)
			return (ssize_t)i;
	return -1;
}

static size_t
model_add(struct model *m, const void *key)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		m->keys = realloc(m->keys, m->cap * m->ks);
		m->vals = realloc(m->vals, m->cap * sizeof *m->vals);
	}
	memcpy(m->keys + m->n * m->ks, key, m->ks);
	m->vals[m->n] = 0;
	return m->n++;
}

/* Iteration must visit exactly the model's keys, each once, with its value. */
static void
check_iteration_against_model(const struct htab *h, const struct model *m, uint64_t seed)
{
	unsigned char *seen = calloc(m->n ? m->n : 1, 1);
	size_t pos = 0, visits = 0;
	const void *k;
	uint64_t *v;

	while (htab_next(h, &pos, &k, &v)) {
		ssize_t i = model_find(m, k);
		visits++;
		if (i < 0) {
			FAIL("seed %llu ks %zu: iteration gave a key not in the model",
			     (unsigned long long)seed, m->ks);
			break;
		}
		if (seen[i]++) {
			FAIL("seed %llu ks %zu: iteration gave key %zd twice", (unsigned long long)seed,
			     m->ks, i);
			break;
		}
		if (*v != m->vals[i]) {
			FAIL("seed %llu ks %zu: iteration value %llu, model %llu",
			     (unsigned long long)seed, m->ks, (unsigned long long)*v,
			     (unsigned long long)m->vals[i]);
			break;
		}
	}
	if (visits != m->n)
		FAIL("seed %llu ks %zu: iteration visited %zu keys, model has %zu",
		     (unsigned long long)seed, m->ks, visits, m->n);
	free(seen);
}

/* Random upserts and finds on random keys (fresh ones and ones seen before), each checked
** against the linear-search model. */
static void
run_small_model(uint64_t seed, size_t ks, int ops)
{
	struct model m = { ks, 0, 0, NULL, NULL };
	struct htab *h = htab_new(ks);
	struct rng s;
	rng_init(&s, seed * 0x100000001b3ULL + ks);
	unsigned char key[64];

	for (int op = 0; op < ops; op++) {
		uint64_t r = rng_u64(&s);
		if (m.n && (r & 1))
			memcpy(key, m.keys + (rng_u64(&s) % m.n) * ks, ks);
		else
			rand_bytes(&s, key, ks);
		ssize_t i = model_find(&m, key);

		if ((r >> 1) % 10 < 7) {
			bool fresh = !(r & 0x100);	/* junk that must be overwritten */
			uint64_t *p = htab_upsert(h, key, &fresh);
			uint64_t add = rng_u64(&s);
			if (fresh != (i < 0)) {
				FAIL("seed %llu ks %zu op %d: upsert said new=%d, model %d",
				     (unsigned long long)seed, ks, op, fresh, i < 0);
				break;
			}
			if (i < 0)
				i = (ssize_t)model_add(&m, key);
			if (*p != m.vals[i]) {
				FAIL("seed %llu ks %zu op %d: upsert value %llu, model %llu",
				     (unsigned long long)seed, ks, op, (unsigned long long)*p,
				     (unsigned long long)m.vals[i]);
				break;
			}
			*p += add;
			m.vals[i] += add;
		} else {
			uint64_t *p = htab_find(h, key);
			if ((p == NULL) != (i < 0) || (p && *p != m.vals[i])) {
				FAIL("seed %llu ks %zu op %d: find gave %s, model %s",
				     (unsigned long long)seed, ks, op, p ? "a value" : "NULL",
				     i < 0 ? "absent" : "present");
				break;
			}
		}
		if (htab_count(h) != m.n) {
			FAIL("seed %llu ks %zu op %d: count %zu, model %zu", (unsigned long long)seed, ks,
			     op, htab_count(h), m.n);
			break;
		}
	}
	check_iteration_against_model(h, &m, seed);
	for (size_t i = 0; i < m.n; i++) {
		uint64_t *p = htab_find(h, m.keys + i * ks);
		if (!p || *p != m.vals[i]) {
			FAIL("seed %llu ks %zu: key %zu lost at the end", (unsigned long long)seed, ks, i);
			break;
		}
	}
	htab_free(h);
	free(m.keys);
	free(m.vals);
}

static void
test_htab__model_small(void)
{
	for (size_t si = 0; si < N_SEEDS; si++)
		for (size_t k = 0; k < N_KEY_SIZES; k++)
			run_small_model(seeds[si], key_sizes[k], 2500);
}

/*
** The large model: 200k keys are too many for a linear search, so each key is made from an id
** by an invertible map (an odd multiplier on 32 bits, placed at a seed-chosen offset, the other
** bytes filled from the id), and the model is a value array indexed by id. Ids are inserted in
** order, so "present" is "id < next_id".
*/
#define MUL32 0x9e3779b1u

static uint32_t
inv32(uint32_t a)
{
	uint32_t x = a;	/* Newton: each step doubles the correct low bits */

	for (int i = 0; i < 5; i++)
		x *= 2 - a * x;
	return x;
}

static void
id_key(uint64_t seed, size_t ks, uint32_t id, unsigned char *key)
{
	if (ks == 1) {
		key[0] = (unsigned char)(id ^ seed);
		return;
	}
	struct rng s;
	uint32_t k32 = (id ^ (uint32_t)seed) * MUL32;
	size_t off = (size_t)(seed % (ks - 3));

	rng_init(&s, seed ^ ((uint64_t)id << 20));
	rand_bytes(&s, key, ks);
	memcpy(key + off, &k32, 4);
}

static uint32_t
key_id(uint64_t seed, size_t ks, const unsigned char *key)
{
	uint32_t k32;

	if (ks == 1)
		return (uint32_t)((key[0] ^ seed) & 0xff);
	memcpy(&k32, key + seed % (ks - 3), 4);
	return (k32 * inv32(MUL32)) ^ (uint32_t)seed;
}

static void
run_large_model(uint64_t seed, size_t ks, uint32_t n)
{
	struct htab *h = htab_new(ks);
	uint64_t *vals = calloc(n, sizeof *vals);
	unsigned char *seen = calloc(n, 1);
	struct rng s;
	unsigned char key[64];
	uint32_t next_id = 0;
	long op = 0;

	rng_init(&s, seed + 0x5555 * ks);
	if (ks == 1 && n > 256)
		n = 256;
	while (next_id < n) {
		uint64_t r = rng_u64(&s);
		unsigned kind = (unsigned)(r % 10);
		bool fresh;
		uint64_t *p;

		op++;
		if (kind < 6 || next_id == 0) {
			id_key(seed, ks, next_id, key);
			p = htab_upsert(h, key, &fresh);
			if (!fresh || *p != 0) {
				FAIL("seed %llu ks %zu: insert of id %u: new=%d value %llu",
				     (unsigned long long)seed, ks, next_id, fresh, (unsigned long long)*p);
				break;
			}
			*p = vals[next_id] = r >> 8;
			next_id++;
		} else if (kind < 8) {
			uint32_t id = (uint32_t)((r >> 8) % next_id);
			id_key(seed, ks, id, key);
			p = htab_upsert(h, key, &fresh);
			if (fresh || *p != vals[id]) {
				FAIL("seed %llu ks %zu: upsert of old id %u: new=%d value %llu want %llu",
				     (unsigned long long)seed, ks, id, fresh, (unsigned long long)*p,
				     (unsigned long long)vals[id]);
				break;
			}
			(*p)++;
			vals[id]++;
		} else {
			uint32_t id = (uint32_t)((r >> 8) % (next_id + next_id / 4 + 1));
			if (ks == 1 && id > 255)
				id = 255;
			id_key(seed, ks, id, key);
			p = htab_find(h, key);
			if ((p != NULL) != (id < next_id) || (p && *p != vals[id])) {
				FAIL("seed %llu ks %zu: find of id %u (next %u) gave %s",
				     (unsigned long long)seed, ks, id, next_id, p ? "a value" : "NULL");
				break;
			}
		}
		if ((op & 1023) == 0 && htab_count(h) != next_id) {
			FAIL("seed %llu ks %zu: count %zu, want %u", (unsigned long long)seed, ks,
			     htab_count(h), next_id);
			break;
		}
	}
	CHECK_EQ_INT(htab_count(h), next_id);

	/* Iteration: every id once, with its value. */
	size_t pos = 0, visits = 0;
	const void *kp;
	uint64_t *vp;
	while (htab_next(h, &pos, &kp, &vp)) {
		uint32_t id = key_id(seed, ks, kp);
		visits++;
		if (id >= next_id || seen[id]++ || *vp != vals[id]) {
			FAIL("seed %llu ks %zu: iteration gave id %u (next %u) badly",
			     (unsigned long long)seed, ks, id, next_id);
			break;
		}
	}
	if (visits != next_id)
		FAIL("seed %llu ks %zu: iteration visited %zu of %u", (unsigned long long)seed, ks, visits,
		     next_id);
	/* Every key still found after all the growth; absent ids still absent. */
	for (uint32_t id = 0; id < next_id; id++) {
		id_key(seed, ks, id, key);
		uint64_t *p = htab_find(h, key);
		if (!p || *p != vals[id]) {
			FAIL("seed %llu ks %zu: id %u lost", (unsigned long long)seed, ks, id);
			break;
		}
	}
	for (uint32_t id = next_id; ks > 1 && id < next_id + 1000; id++) {
		id_key(seed, ks, id, key);
		if (htab_find(h, key)) {
			FAIL("seed %llu ks %zu: absent id %u found", (unsigned long long)seed, ks, id);
			break;
		}
	}
	htab_free(h);
	free(vals);
	free(seen);
}

static void
test_htab__model_large(void)
{
	/* The id map must be invertible for the checks to mean anything. */
	unsigned char key[64];
	for (uint32_t id = 0; id < 1000; id++)
		for (size_t k = 0; k < N_KEY_SIZES; k++) {
			id_key(77, key_sizes[k], id, key);
			if (key_id(77, key_sizes[k], key) != (key_sizes[k] == 1 ? (id & 0xff) : id))
				FAIL("id map not invertible: ks %zu id %u", key_sizes[k], id);
		}

	/* 200k keys for the first fixed seed (the table doubles 12 times), 100k for the time seed,
	** 20k for the other fixed seeds. */
	for (size_t si = 0; si < N_SEEDS; si++)
		for (size_t k = 0; k < N_KEY_SIZES; k++)
			run_large_model(seeds[si], key_sizes[k],
					si == 0 ? 200000 : si == N_SEEDS - 1 ? 100000 : 20000);
}

static void
test_htab__iteration(void)
{
	struct htab *h = htab_new(8);
	size_t n = 5000, pos = 0, visits = 0;
	unsigned char *seen = calloc(n, 1);
	const void *kp;
	uint64_t *vp;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t k = i * 0x9e3779b97f4a7c15ULL;
		*htab_upsert(h, &k, NULL) = i;
	}
	while (htab_next(h, &pos, &kp, &vp)) {
		uint64_t k;
		memcpy(&k, kp, 8);
		visits++;
		if (*vp >= n || k != *vp * 0x9e3779b97f4a7c15ULL || seen[*vp]++) {
			FAIL("bad visit: value %llu", (unsigned long long)*vp);
			break;
		}
		/* Values can be changed through the iterator. */
		*vp += 1000000;
	}
	CHECK_EQ_INT(visits, n);
	/* At the end it stays at the end. */
	CHECK(!htab_next(h, &pos, &kp, &vp));
	CHECK(!htab_next(h, &pos, &kp, &vp));
	for (uint64_t i = 0; i < n; i += 97) {
		uint64_t k = i * 0x9e3779b97f4a7c15ULL;
		CHECK(htab_find(h, &k) && *htab_find(h, &k) == i + 1000000);
	}
	free(seen);
	htab_free(h);

	/* One key: one visit. */
	h = htab_new(3);
	*htab_upsert(h, "abc", NULL) = 9;
	pos = 0;
	visits = 0;
	while (htab_next(h, &pos, &kp, &vp)) {
		visits++;
		CHECK(memcmp(kp, "abc", 3) == 0);
		CHECK_EQ_INT(*vp, 9);
	}
	CHECK_EQ_INT(visits, 1);
	htab_free(h);
}

static void
test_htab__near_keys(void)
{
	/* Keys that differ only in the last byte (or only in the first) are all distinct. */
	static const size_t sizes[] = { 1, 2, 3, 4, 7, 8, 9, 13, 16, 38, 64, 255, 256 };
	unsigned char key[256];

	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		size_t ks = sizes[k];
		for (int where = 0; where < 2; where++) {
			struct htab *h = htab_new(ks);
			size_t at = where ? 0 : ks - 1;
			bool fresh;

			memset(key, 0xa5, ks);
			for (int b = 0; b < 256; b++) {
				key[at] = (unsigned char)b;
				*htab_upsert(h, key, &fresh) = (uint64_t)b + 1;
				if (!fresh)
					FAIL("ks %zu byte %zu = %d: not new", ks, at, b);
			}
			CHECK_EQ_INT(htab_count(h), 256);
			for (int b = 0; b < 256; b++) {
				key[at] = (unsigned char)b;
				uint64_t *p = htab_find(h, key);
				if (!p || *p != (uint64_t)b + 1)
					FAIL("ks %zu byte %zu = %d: lost", ks, at, b);
			}
			/* A key differing in another byte is absent. */
			if (ks > 1) {
				key[at] = 0;
				key[where ? ks - 1 : 0] ^= 1;
				CHECK(htab_find(h, key) == NULL);
			}
			htab_free(h);
		}
	}
}

static void
test_htab__hash(void)
{
	unsigned char key[64], copy[64];
	struct rng s;
	rng_init(&s, 12345);

	rand_bytes(&s, key, sizeof key);
	memcpy(copy, key, sizeof key);
	/* Deterministic, and depends on the bytes, not their address. */
	for (size_t n = 0; n <= 64; n++) {
		CHECK(htab_hash(key, n) == htab_hash(key, n));
		CHECK(htab_hash(key, n) == htab_hash(copy, n));
	}

	/* Every bit of a 38-byte key matters. */
	for (size_t bit = 0; bit < 38 * 8; bit++) {
		uint64_t a = htab_hash(key, 38);
		key[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		if (htab_hash(key, 38) == a)
			FAIL("flipping bit %zu of a 38-byte key keeps the hash", bit);
		key[bit / 8] ^= (unsigned char)(1u << (bit % 8));
	}
	/* And of every other key size used, 1..64. */
	for (size_t n = 1; n <= 64; n++)
		for (size_t bit = 0; bit < n * 8; bit++) {
			uint64_t a = htab_hash(key, n);
			key[bit / 8] ^= (unsigned char)(1u << (bit % 8));
			if (htab_hash(key, n) == a)
				FAIL("flipping bit %zu of a %zu-byte key keeps the hash", bit, n);
			key[bit / 8] ^= (unsigned char)(1u << (bit % 8));
		}
	/* The length matters, also for all-zero data. */
	unsigned char z[64] = { 0 };
	for (size_t a = 0; a <= 64; a++)
		for (size_t b = a + 1; b <= 64; b++) {
			if (htab_hash(z, a) == htab_hash(z, b))
				FAIL("zero keys of %zu and %zu bytes hash the same", a, b);
			if (htab_hash(key, a) == htab_hash(key, b))
				FAIL("prefixes of %zu and %zu bytes hash the same", a, b);
		}
	/* Bytes past n are not read into the hash. */
	memcpy(copy, key, sizeof key);
	copy[20] ^= 0xff;
	CHECK(htab_hash(key, 20) == htab_hash(copy, 20));

	/* The low bits spread: 4-byte sequential keys fill 1024 buckets roughly evenly. */
	int buckets[1024] = { 0 }, maxb = 0;
	for (uint32_t i = 0; i < 64 * 1024; i++)
		buckets[htab_hash(&i, 4) & 1023]++;
	for (int i = 0; i < 1024; i++)
		if (buckets[i] > maxb)
			maxb = buckets[i];
	CHECK(maxb < 64 * 2);
}

static void
test_htab__big_keys(void)
{
	/* The largest key size, 256 bytes, through a few growths. */
	struct htab *h = htab_new(256);
	unsigned char key[256];
	struct rng s;

	for (int i = 0; i < 3000; i++) {
		rng_init(&s, 9 + (uint64_t)i * 1000);
		rand_bytes(&s, key, sizeof key);
		*htab_upsert(h, key, NULL) = (uint64_t)i;
	}
	CHECK_EQ_INT(htab_count(h), 3000);
	for (int i = 0; i < 3000; i++) {
		rng_init(&s, 9 + (uint64_t)i * 1000);
		rand_bytes(&s, key, sizeof key);
		uint64_t *p = htab_find(h, key);
		if (!p || *p != (uint64_t)i) {
			FAIL("256-byte key %d lost", i);
			break;
		}
	}
	htab_free(h);
}

/* Upserting a key that is already there never grows the table, so pointers to values stay
** valid (it once grew first and moved them). */
static void
test_htab__upsert_existing_keeps_pointers(void)
{
	struct htab *h = htab_new(4);

	for (uint32_t n = 1; n < 5000; n++) {
		uint32_t k = 0;
		uint64_t *p, *q;
		bool isnew = true;

		htab_upsert(h, &n, NULL);
		p = htab_find(h, &k);
		if (!p)
			p = htab_upsert(h, &k, NULL);
		q = htab_upsert(h, &k, &isnew);
		if (p != q || isnew) {
			FAIL("with %u keys, upserting an existing key moved its value", n);
			break;
		}
	}
	htab_free(h);
}

int
main(void)
{
	pick_time_seed();
	RUN(test_htab__basic);
	RUN(test_htab__upsert_existing_keeps_pointers);
	RUN(test_htab__zero_key);
	RUN(test_htab__model_small);
	RUN(test_htab__model_large);
	RUN(test_htab__iteration);
	RUN(test_htab__near_keys);
	RUN(test_htab__hash);
	RUN(test_htab__big_keys);
	return TEST_DONE();
}
