/* Unit tests for nfs/lib/cht (plain build): the table is per bucket a permutation of the
** backends, first choices balanced to +-1; on keys: only the keys of a backend that leaves move,
** and they come back; preference consistency on random alive sets; no alive backend; bad
** arguments. */
#include "cht.h"

#include <time.h>

#include "tests/test.h"

static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t seeds[] = { 1, 42, 0 };
#define N_SEEDS (sizeof seeds / sizeof seeds[0])

static void
pick_time_seed(void)
{
	const char *e = getenv("BATON_TEST_SEED");

	seeds[N_SEEDS - 1] = e && *e ? strtoull(e, NULL, 0) : (uint64_t)time(NULL);
	printf("# seed %llu (set BATON_TEST_SEED to replay)\n",
	    (unsigned long long)seeds[N_SEEDS - 1]);
}

/* A dchain with backends 0 .. n-1 all allocated. */
static struct dchain *
all_alive(struct nf_env *env, const char *name, uint32_t n)
{
	struct dchain *c = dchain_new(env, name, NF_FULL(n));
	uint32_t i;

	for (uint32_t b = 0; b < n; b++)
		dchain_allocate(c, 1, &i);
	return c;
}

static void
check_table(uint32_t backends, uint32_t height)
{
	struct nf_env env;
	struct cht *t;
	uint32_t *firsts, min = UINT32_MAX, max = 0, b;
	unsigned char *seen;

	nf_env_setup(&env, NULL);
	t = cht_new(&env, "t", backends, height);
	CHECK(t != NULL);
	if (!t) {
		printf("#   %s\n", env.error);
		return;
	}
	CHECK_EQ_INT(cht_backends(t), backends);
	CHECK_EQ_INT(cht_height(t), height);
	firsts = calloc(backends, sizeof *firsts);
	seen = calloc(backends, 1);
	for (uint32_t x = 0; x < height; x++) {
		memset(seen, 0, backends);
		for (uint32_t r = 0; r < backends; r++) {
			b = cht_preference(t, x, r);
			if (b >= backends || seen[b]) {
				FAIL("%u backends, height %u: bucket %u rank %u: backend %u", backends,
				    height, x, r, b);
				goto out;
			}
			seen[b] = 1;
		}
		firsts[cht_preference(t, x, 0)]++;
	}
	for (b = 0; b < backends; b++) {
		if (firsts[b] < min)
			min = firsts[b];
		if (firsts[b] > max)
			max = firsts[b];
	}
	if (min < height / backends || max > (height + backends - 1) / backends)
		FAIL("%u backends, height %u: first choices %u..%u", backends, height, min, max);
	CHECK_EQ_INT(cht_preference(t, height, 0), UINT32_MAX);
	CHECK_EQ_INT(cht_preference(t, 0, backends), UINT32_MAX);
out:
	free(firsts);
	free(seen);
	nf_env_release(&env);
}

static void
test_cht__balance(void)
{
	check_table(1, 2);
	check_table(2, 3);
	check_table(3, 7);
	check_table(7, 101);
	check_table(10, 65537);
	check_table(32, 4099);
	check_table(100, 10007);
	check_table(257, 263);
	check_table(4000, 4001);	/* near the 64 MiB limit */
}

static void
test_cht__stability(void)
{
	const uint32_t B = 10, M = 1009, K = 20000;
	struct nf_env env;
	struct cht *t;
	struct dchain *alive;
	uint32_t *was, b, x, moved = 0, to[10] = { 0 }, maxto = 0;
	uint64_t key;

	nf_env_setup(&env, NULL);
	t = cht_new(&env, "t", B, M);
	alive = all_alive(&env, "alive", B);
	was = calloc(K, sizeof *was);
	for (key = 0; key < K; key++) {
		CHECK_EQ_INT(cht_find(t, &key, sizeof key, alive, &was[key]), 1);
		to[was[key]]++;
	}
	/* Keys spread like the first choices: each backend near K/B. */
	for (b = 0; b < B; b++) {
		if (to[b] < K / B * 8 / 10 || to[b] > K / B * 12 / 10)
			FAIL("backend %u has %u of %u keys", b, to[b], K);
	}
	for (x = 0; x < B; x++) {
		memset(to, 0, sizeof to);
		moved = 0;
		CHECK_EQ_INT(dchain_free(alive, x), 1);
		for (key = 0; key < K; key++) {
			CHECK_EQ_INT(cht_find(t, &key, sizeof key, alive, &b), 1);
			if (was[key] != x && b != was[key]) {
				FAIL("key %llu moved from %u to %u when %u left",
				    (unsigned long long)key, was[key], b, x);
				goto out;
			}
			if (was[key] == x) {
				CHECK(b != x);
				moved++;
				to[b]++;
			}
		}
		/* The moved keys spread over the others. */
		maxto = 0;
		for (b = 0; b < B; b++)
			maxto = to[b] > maxto ? to[b] : maxto;
		if (maxto > moved / 3)
			FAIL("%u of %u keys of backend %u went to one backend", maxto, moved, x);
		CHECK_EQ_INT(dchain_allocate(alive, 2, &b), 1);
		CHECK_EQ_INT(b, x);	/* the most recently freed */
		for (key = 0; key < K; key++) {
			cht_find(t, &key, sizeof key, alive, &b);
			if (b != was[key]) {
				FAIL("key %llu did not come back to %u when %u returned (%u)",
				    (unsigned long long)key, was[key], x, b);
				goto out;
			}
		}
	}
out:
	free(was);
	nf_env_release(&env);
}

/* A fixed preference list per key: whatever a key gets among alive set S, it gets among any
** subset of S that still holds it. */
static void
test_cht__consistency(void)
{
	const uint32_t B = 16, M = 211;

	for (unsigned si = 0; si < N_SEEDS; si++) {
		uint64_t s = seeds[si], key;
		struct nf_env env;
		struct cht *t;
		struct dchain *alive;
		uint32_t r, r2, i;

		nf_env_setup(&env, NULL);
		t = cht_new(&env, "t", B, M);
		alive = all_alive(&env, "alive", B);
		for (int op = 0; op < 3000; op++) {
			key = rnd(&s) % 500;
			for (uint32_t b = 0; b < B; b++) {
				if (rnd(&s) % 2)
					dchain_free(alive, b);
				else if (!dchain_is_allocated(alive, b))
					dchain_allocate(alive, 1, &i);	/* some index back */
			}
			if (!cht_find(t, &key, sizeof key, alive, &r)) {
				CHECK_EQ_INT(dchain_allocated(alive), 0);
				continue;
			}
			if (!dchain_is_allocated(alive, r)) {
				FAIL("seed %llu op %d: key %llu got dead backend %u",
				    (unsigned long long)seeds[si], op, (unsigned long long)key, r);
				break;
			}
			for (uint32_t b = 0; b < B; b++) {
				if (b != r && rnd(&s) % 2)
					dchain_free(alive, b);
			}
			cht_find(t, &key, sizeof key, alive, &r2);
			if (r2 != r) {
				FAIL("seed %llu op %d: key %llu went from %u to %u when others left",
				    (unsigned long long)seeds[si], op, (unsigned long long)key, r, r2);
				break;
			}
		}
		nf_env_release(&env);
	}
}

static void
test_cht__none_alive(void)
{
	struct nf_env env;
	struct cht *t;
	struct dchain *alive, *small;
	uint32_t b = 77, key = 5, i;

	nf_env_setup(&env, NULL);
	t = cht_new(&env, "t", 4, 11);
	alive = dchain_new(&env, "alive", NF_FULL(4));
	CHECK_EQ_INT(cht_find(t, &key, sizeof key, alive, &b), 0);
	CHECK_EQ_INT(b, 77);
	CHECK_EQ_INT(cht_find(t, &key, sizeof key, NULL, &b), 0);
	CHECK_EQ_INT(cht_find(NULL, &key, sizeof key, alive, &b), 0);
	/* A dchain smaller than the backends: the ones beyond it are dead. */
	small = dchain_new(&env, "small", NF_FULL(1));
	dchain_allocate(small, 1, &i);
	for (key = 0; key < 100; key++) {
		CHECK_EQ_INT(cht_find(t, &key, sizeof key, small, &b), 1);
		CHECK_EQ_INT(b, 0);
	}
	CHECK_EQ_INT(env.misuse, 0);
	nf_env_release(&env);
}

static void
test_cht__args(void)
{
	static const struct { uint32_t backends, height; } bad[] = {
		{ 0, 7 }, { 4097, 4099 }, { 4, 4 }, { 4, 9 }, { 5, 5 }, { 3, 1048583 },
		{ 4096, 1048573 },	/* prime, but 16 GiB of table */
	};
	struct nf_env env;

	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		nf_env_setup(&env, NULL);
		CHECK(cht_new(&env, "lb", bad[i].backends, bad[i].height) == NULL);
		CHECK(env.failed);
		CHECK(strstr(env.error, "\"lb\"") != NULL);
		nf_env_release(&env);
	}
	nf_env_setup(&env, NULL);
	env.share_den = 4;	/* not split */
	CHECK_EQ_INT(cht_backends(cht_new(&env, "lb", 8, 13)), 8);
	CHECK(cht_new(&env, "lb", 8, 13) == NULL);
	nf_env_release(&env);
}

int
main(void)
{
	pick_time_seed();
	RUN(test_cht__balance);
	RUN(test_cht__stability);
	RUN(test_cht__consistency);
	RUN(test_cht__none_alive);
	RUN(test_cht__args);
	return TEST_DONE();
}
