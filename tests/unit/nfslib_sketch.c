/* Unit tests for nfs/lib/sketch (plain build): never undercounts against exact counts on
** seeded random workloads with expiry, overcount within the header's bound for most keys,
** expiry zeroes idle counters only, stamps going backwards, the share and bad arguments. */
#include "sketch.h"

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

static uint64_t seeds[] = { 1, 42, 0xdeadbeef, 0 };
#define N_SEEDS (sizeof seeds / sizeof seeds[0])

static void
pick_time_seed(void)
{
	const char *e = getenv("BATON_TEST_SEED");

	seeds[N_SEEDS - 1] = e && *e ? strtoull(e, NULL, 0) : (uint64_t)time(NULL);
	printf("# seed %llu (set BATON_TEST_SEED to replay)\n",
	    (unsigned long long)seeds[N_SEEDS - 1]);
}

#define NKEYS 2000
struct model {
	uint32_t count[NKEYS];
	uint64_t last[NKEYS];
};

/* Keys: two 32-bit addresses, as cl uses them. */
static void
key_of(unsigned i, uint32_t key[2])
{
	key[0] = 0x0a000000u + i * 7919u;
	key[1] = 0xc0a80000u + (i % 13);
}

static void
run_random(uint64_t seed, uint32_t cap, unsigned nkeys, int ops)
{
	static struct model md;
	uint64_t s = seed, now = 1000, timeout = 300, total;
	struct nf_env env;
	struct sketch *sk;
	uint32_t key[2], est;
	unsigned i, over, zipf;
	int op;

	nf_env_setup(&env, NULL);
	sk = sketch_new(&env, "conns", sizeof key, cap);
	CHECK(sk != NULL);
	memset(&md, 0, sizeof md);
	for (op = 0; op < ops; op++) {
		now += rnd(&s) % 3;
		/* A skewed choice: low keys more often. */
		zipf = (unsigned)(rnd(&s) % nkeys);
		i = rnd(&s) % 2 ? zipf : zipf % (nkeys / 10 + 1);
		key_of(i, key);
		switch (rnd(&s) % 4) {
		case 0: case 1:
			sketch_touch(sk, key, now);
			md.count[i]++;
			md.last[i] = now;
			break;
		case 2:
			est = sketch_fetch(sk, key);
			if (est < md.count[i]) {
				FAIL("seed %llu op %d: key %u estimated %u, counted %u",
				    (unsigned long long)seed, op, i, est, md.count[i]);
				goto out;
			}
			break;
		default:
			if (rnd(&s) % 50 == 0) {
				sketch_expire(sk, now - timeout);
				for (unsigned j = 0; j < nkeys; j++) {
					if (md.last[j] < now - timeout)
						md.count[j] = 0;
				}
			}
			break;
		}
	}
	/* The bound of sketch.h: overcount <= 2N/capacity for all but about 1/16 of the keys. */
	total = 0;
	for (i = 0; i < nkeys; i++)
		total += md.count[i];
	over = 0;
	for (i = 0; i < nkeys; i++) {
		key_of(i, key);
		est = sketch_fetch(sk, key);
		if (est < md.count[i]) {
			FAIL("seed %llu: key %u estimated %u, counted %u", (unsigned long long)seed,
			    i, est, md.count[i]);
			goto out;
		}
		if (est - md.count[i] > 2 * total / cap)
			over++;
	}
	if (over > nkeys / 10)
		FAIL("seed %llu: %u of %u keys over the bound 2*%llu/%u", (unsigned long long)seed,
		    over, nkeys, (unsigned long long)total, cap);
	/* Expiring everything zeroes everything. */
	CHECK(sketch_expire(sk, now + 1) > 0);
	CHECK_EQ_INT(sketch_expire(sk, now + 1), 0);
	for (i = 0; i < nkeys; i++) {
		key_of(i, key);
		if (sketch_fetch(sk, key) != 0) {
			FAIL("seed %llu: key %u not zeroed", (unsigned long long)seed, i);
			break;
		}
	}
out:
	nf_env_release(&env);
}

static void
test_sketch__random(void)
{
	for (unsigned si = 0; si < N_SEEDS; si++) {
		run_random(seeds[si], 64, 200, 20000);
		run_random(seeds[si], 256, 2000, 50000);
		run_random(seeds[si], 1000, 500, 20000);
	}
}

/* Idle counters go, recent ones stay, and a full pass touches only what is old. */
static void
test_sketch__expire(void)
{
	struct nf_env env;
	struct sketch *sk;
	uint32_t a = 1, b = 2, c = 3;

	nf_env_setup(&env, NULL);
	sk = sketch_new(&env, "s", 4, 1 << 16);
	CHECK_EQ_INT(sketch_expire(sk, 1000), 0);	/* empty */
	sketch_touch(sk, &a, 10);
	sketch_touch(sk, &a, 11);
	sketch_touch(sk, &b, 20);
	CHECK_EQ_INT(sketch_fetch(sk, &a), 2);
	CHECK_EQ_INT(sketch_fetch(sk, &b), 1);
	CHECK_EQ_INT(sketch_fetch(sk, &c), 0);
	CHECK_EQ_INT(sketch_expire(sk, 11), 0);	/* a is stamped 11: not before 11 */
	CHECK_EQ_INT(sketch_expire(sk, 12), SKETCH_HASHES);
	CHECK_EQ_INT(sketch_fetch(sk, &a), 0);
	CHECK_EQ_INT(sketch_fetch(sk, &b), 1);
	/* Backwards: c at 5 sits behind b at 20 in every row, so it lives until b goes. */
	sketch_touch(sk, &c, 5);
	CHECK_EQ_INT(sketch_expire(sk, 10), 0);
	CHECK_EQ_INT(sketch_fetch(sk, &c), 1);
	CHECK_EQ_INT(sketch_expire(sk, 21), 2 * SKETCH_HASHES);
	CHECK_EQ_INT(sketch_fetch(sk, &b), 0);
	CHECK_EQ_INT(sketch_fetch(sk, &c), 0);
	nf_env_release(&env);
}

/* One counter per row: every key shares it, and the estimate is the total. */
static void
test_sketch__tiny(void)
{
	struct nf_env env;
	struct sketch *sk;
	uint8_t k;

	nf_env_setup(&env, NULL);
	sk = sketch_new(&env, "s", 1, NF_FULL(1));
	CHECK_EQ_INT(sketch_capacity(sk), 1);
	for (k = 0; k < 100; k++)
		sketch_touch(sk, &k, k);
	k = 200;
	CHECK_EQ_INT(sketch_fetch(sk, &k), 100);
	CHECK_EQ_INT(sketch_expire(sk, 99), 0);
	CHECK_EQ_INT(sketch_expire(sk, 100), SKETCH_HASHES);
	nf_env_release(&env);
}

static void
test_sketch__args(void)
{
	struct nf_env env;
	uint32_t k = 0;

	nf_env_setup(&env, NULL);
	env.share_den = 4;
	CHECK_EQ_INT(sketch_capacity(sketch_new(&env, "a", 8, 100)), 25);
	CHECK_EQ_INT(sketch_capacity(sketch_new(&env, "b", 64, NF_FULL(100))), 100);
	CHECK(!env.failed);
	CHECK(sketch_new(&env, "b", 8, 100) == NULL);
	CHECK(env.failed);
	nf_env_release(&env);

	nf_env_setup(&env, NULL);
	CHECK(sketch_new(&env, "k0", 0, 100) == NULL);
	CHECK(strstr(env.error, "k0") != NULL);
	nf_env_release(&env);
	nf_env_setup(&env, NULL);
	CHECK(sketch_new(&env, "k65", 65, 100) == NULL);
	CHECK(env.failed);
	nf_env_release(&env);

	CHECK_EQ_INT(sketch_fetch(NULL, &k), 0);
	sketch_touch(NULL, &k, 1);
	CHECK_EQ_INT(sketch_expire(NULL, 1), 0);
}

int
main(void)
{
	pick_time_seed();
	RUN(test_sketch__random);
	RUN(test_sketch__expire);
	RUN(test_sketch__tiny);
	RUN(test_sketch__args);
	return TEST_DONE();
}
