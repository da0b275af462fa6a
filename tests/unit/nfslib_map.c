/* Unit tests for nfs/lib/map (plain build): against a linear-scan model on seeded random
** sequences, fullness, the capacity share, names, bad arguments and independent instances. */
#include "map.h"

#include <time.h>

#include "tests/test.h"

/* splitmix64: the tests' own generator (the state library links nothing else). */
static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t seeds[] = { 1, 42, 0xdeadbeef, 7, 0 };
#define N_SEEDS (sizeof seeds / sizeof seeds[0])

static void
pick_time_seed(void)
{
	const char *e = getenv("BATON_TEST_SEED");

	seeds[N_SEEDS - 1] = e && *e ? strtoull(e, NULL, 0) : (uint64_t)time(NULL);
	printf("# seed %llu (set BATON_TEST_SEED to replay)\n",
	    (unsigned long long)seeds[N_SEEDS - 1]);
}

/* The model: a list of keys and values, searched linearly. */
#define MODEL_MAX 512
struct model {
	unsigned char keys[MODEL_MAX][64];
	uint32_t values[MODEL_MAX];
	unsigned n, key_size, capacity;
};

static int
model_find(const struct model *md, const unsigned char *key)
{
	for (unsigned i = 0; i < md->n; i++) {
		if (memcmp(md->keys[i], key, md->key_size) == 0)
			return (int)i;
	}
	return -1;
}

static void
run_random(uint64_t seed, uint32_t key_size, uint32_t capacity, unsigned universe, int ops)
{
	static struct model md;
	static unsigned char pool[1024][64];
	uint64_t s = seed;
	struct nf_env env;
	struct map *m;
	unsigned char *k;
	uint32_t v, got;
	int op, r, at, want;

	nf_env_setup(&env, NULL);
	m = map_new(&env, "m", key_size, capacity);
	CHECK(m != NULL);
	if (!m)
		return;
	memset(&md, 0, sizeof md);
	md.key_size = key_size;
	md.capacity = capacity;
	/* A pool of distinct keys, some differing in one byte only (near-identical keys). */
	for (unsigned i = 0; i < universe; i++) {
		for (;;) {
			if (i > 0 && rnd(&s) % 4 == 0) {
				memcpy(pool[i], pool[i - 1], key_size);
				pool[i][rnd(&s) % key_size] ^= (unsigned char)(1 + rnd(&s) % 255);
			} else {
				for (unsigned b = 0; b < key_size; b++)
					pool[i][b] = (unsigned char)rnd(&s);
			}
			unsigned j;
			for (j = 0; j < i && memcmp(pool[j], pool[i], key_size) != 0; j++)
				;
			if (j == i)
				break;
		}
	}
	for (op = 0; op < ops; op++) {
		k = pool[rnd(&s) % universe];
		at = model_find(&md, k);
		switch (rnd(&s) % 8) {
		case 0: case 1: case 2:
			r = map_get(m, k, &got);
			if (r != (at >= 0) || (r && got != md.values[at])) {
				FAIL("seed %llu op %d: get: %d (value %u), model %d (value %u)",
				    (unsigned long long)seed, op, r, r ? got : 0, at >= 0,
				    at >= 0 ? md.values[at] : 0);
				goto out;
			}
			break;
		case 3: case 4: case 5:
			v = (uint32_t)rnd(&s);
			r = map_put(m, k, v);
			want = at >= 0 || md.n < md.capacity ? 0 : -1;
			if (r != want) {
				FAIL("seed %llu op %d: put returned %d, want %d (model has %u of %u)",
				    (unsigned long long)seed, op, r, want, md.n, md.capacity);
				goto out;
			}
			if (at >= 0) {
				md.values[at] = v;
			} else if (want == 0) {
				memcpy(md.keys[md.n], k, key_size);
				md.values[md.n++] = v;
			}
			break;
		default:
			r = map_erase(m, k);
			if (r != (at >= 0)) {
				FAIL("seed %llu op %d: erase returned %d, model %d",
				    (unsigned long long)seed, op, r, at >= 0);
				goto out;
			}
			if (at >= 0) {
				md.n--;
				memcpy(md.keys[at], md.keys[md.n], key_size);
				md.values[at] = md.values[md.n];
			}
			break;
		}
		if (map_size(m) != md.n) {
			FAIL("seed %llu op %d: size %u, model %u", (unsigned long long)seed, op,
			    map_size(m), md.n);
			goto out;
		}
	}
	/* Every key of the pool answers as the model says at the end. */
	for (unsigned i = 0; i < universe; i++) {
		at = model_find(&md, pool[i]);
		r = map_get(m, pool[i], &got);
		if (r != (at >= 0) || (r && got != md.values[at])) {
			FAIL("seed %llu: final get of key %u: %d, model %d", (unsigned long long)seed,
			    i, r, at >= 0);
			break;
		}
	}
out:
	CHECK_EQ_INT(env.misuse, 0);
	nf_env_release(&env);
}

static void
test_map__random(void)
{
	static const uint32_t key_sizes[] = { 1, 4, 13, 16, 37, 64 };

	for (unsigned si = 0; si < N_SEEDS; si++) {
		for (unsigned ki = 0; ki < sizeof key_sizes / sizeof key_sizes[0]; ki++) {
			uint32_t ks = key_sizes[ki];
			run_random(seeds[si], ks, 5, 12, 3000);
			run_random(seeds[si] + 1, ks, 37, 60, 6000);
			run_random(seeds[si] + 2, ks, 200, ks == 1 ? 256 : 300, 20000);
		}
	}
}

static void
test_map__full(void)
{
	struct nf_env env;
	struct map *m;
	uint32_t k, v;

	nf_env_setup(&env, NULL);
	m = map_new(&env, "flows", 4, 10);
	CHECK(m != NULL);
	CHECK_EQ_INT(map_capacity(m), 10);
	for (k = 0; k < 10; k++)
		CHECK_EQ_INT(map_put(m, &k, k * 3), 0);
	k = 10;
	CHECK_EQ_INT(map_put(m, &k, 1), -1);
	CHECK_EQ_INT(map_get(m, &k, &v), 0);
	CHECK_EQ_INT(map_size(m), 10);
	k = 4;
	CHECK_EQ_INT(map_put(m, &k, 99), 0);	/* overwriting needs no room */
	CHECK_EQ_INT(map_get(m, &k, &v), 1);
	CHECK_EQ_INT(v, 99);
	CHECK_EQ_INT(map_erase(m, &k), 1);
	CHECK_EQ_INT(map_erase(m, &k), 0);
	k = 10;
	CHECK_EQ_INT(map_put(m, &k, 1), 0);
	CHECK_EQ_INT(map_get(m, &k, &v), 1);
	CHECK_EQ_INT(v, 1);
	for (k = 0; k <= 10; k++) {
		if (k != 4)
			CHECK_EQ_INT(map_get(m, &k, &v), 1);
	}
	nf_env_release(&env);
}

static void
test_map__share(void)
{
	struct nf_env env;
	struct map *m, *full;
	uint32_t k;

	nf_env_setup(&env, NULL);
	env.share_num = 1;
	env.share_den = 4;
	m = map_new(&env, "m", 4, 100);
	full = map_new(&env, "static", 4, NF_FULL(100));
	CHECK_EQ_INT(map_capacity(m), 25);
	CHECK_EQ_INT(map_capacity(full), 100);
	for (k = 0; k < 25; k++)
		CHECK_EQ_INT(map_put(m, &k, k), 0);
	CHECK_EQ_INT(map_put(m, &k, k), -1);
	for (k = 0; k < 100; k++)
		CHECK_EQ_INT(map_put(full, &k, k), 0);
	CHECK_EQ_INT(map_put(full, &k, k), -1);
	nf_env_release(&env);
}

static void
test_map__bad_args(void)
{
	struct nf_env env;
	uint32_t k = 1, v;

	nf_env_setup(&env, NULL);
	CHECK(map_new(&env, "m", 0, 10) == NULL);
	CHECK(env.failed);
	CHECK(strstr(env.error, "\"m\"") != NULL);
	nf_env_release(&env);

	nf_env_setup(&env, NULL);
	CHECK(map_new(&env, "big", 65, 10) == NULL);
	CHECK(strstr(env.error, "big") != NULL);
	nf_env_release(&env);

	nf_env_setup(&env, NULL);
	CHECK(map_new(&env, "m", 64, 10) != NULL);
	CHECK(map_new(&env, "m", 4, 10) == NULL);	/* duplicate name */
	CHECK(env.failed);
	CHECK(strstr(env.error, "two objects") != NULL);
	nf_env_release(&env);

	nf_env_setup(&env, NULL);
	CHECK(map_new(&env, "bad name", 4, 10) == NULL);
	CHECK(env.failed);
	nf_env_release(&env);

	nf_env_setup(&env, NULL);
	CHECK(map_new(&env, "zero", 4, NF_FULL(0)) == NULL);
	CHECK(env.failed);
	nf_env_release(&env);

	/* Calls on NULL do not crash. */
	CHECK_EQ_INT(map_get(NULL, &k, &v), 0);
	CHECK_EQ_INT(map_put(NULL, &k, 1), -1);
	CHECK_EQ_INT(map_erase(NULL, &k), 0);
	CHECK_EQ_INT(map_size(NULL), 0);
	CHECK_EQ_INT(map_capacity(NULL), 0);
}

static void
test_map__instances(void)
{
	struct nf_env e1, e2;
	struct map *a, *b;
	uint32_t k, v;

	nf_env_setup(&e1, NULL);
	nf_env_setup(&e2, NULL);
	a = map_new(&e1, "flows", 4, 64);
	b = map_new(&e2, "flows", 4, 64);	/* same name, other instance: fine */
	CHECK(a && b);
	for (k = 0; k < 64; k++) {
		CHECK_EQ_INT(map_put(a, &k, k), 0);
		if (k % 2)
			CHECK_EQ_INT(map_put(b, &k, k + 1000), 0);
	}
	nf_env_release(&e1);	/* b lives on */
	for (k = 0; k < 64; k++) {
		CHECK_EQ_INT(map_get(b, &k, &v), k % 2);
		if (k % 2)
			CHECK_EQ_INT(v, k + 1000);
	}
	CHECK_EQ_INT(map_size(b), 32);
	nf_env_release(&e2);
}

/* Many keys with the same home slot: erasing from the middle of long runs keeps the rest. */
static void
test_map__runs(void)
{
	struct nf_env env;
	struct map *m;
	uint32_t k, v;
	int r;

	nf_env_setup(&env, NULL);
	m = map_new(&env, "m", 4, 1000);
	for (k = 0; k < 1000; k++)
		CHECK_EQ_INT(map_put(m, &k, k), 0);
	for (k = 0; k < 1000; k += 3)
		CHECK_EQ_INT(map_erase(m, &k), 1);
	for (k = 0; k < 1000; k++) {
		r = map_get(m, &k, &v);
		if (r != (k % 3 != 0) || (r && v != k)) {
			FAIL("key %u: get %d value %u", k, r, v);
			break;
		}
	}
	CHECK_EQ_INT(map_size(m), 666);
	nf_env_release(&env);
}

int
main(void)
{
	pick_time_seed();
	RUN(test_map__random);
	RUN(test_map__full);
	RUN(test_map__share);
	RUN(test_map__bad_args);
	RUN(test_map__instances);
	RUN(test_map__runs);
	return TEST_DONE();
}
