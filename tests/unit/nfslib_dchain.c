/* Unit tests for nfs/lib/dchain (plain build): against an array model on seeded random
** sequences, allocation order, expiry order, stamps going backwards, fullness and recovery. */
#include "dchain.h"

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

/* The model: flags, stamps, the age order as an array (oldest first), the freed stack. */
#define MAXC 300
struct model {
	int alloc[MAXC];
	uint64_t stamp[MAXC];
	uint32_t order[MAXC], n_order;
	uint32_t freed[MAXC], n_freed;
	uint32_t fresh, cap;
};

static void
model_remove(struct model *md, uint32_t i)
{
	uint32_t j;

	for (j = 0; j < md->n_order && md->order[j] != i; j++)
		;
	memmove(md->order + j, md->order + j + 1, (md->n_order - j - 1) * sizeof md->order[0]);
	md->n_order--;
}

static void
model_free(struct model *md, uint32_t i)
{
	model_remove(md, i);
	md->alloc[i] = 0;
	md->freed[md->n_freed++] = i;
}

static void
run_random(uint64_t seed, uint32_t cap, int ops)
{
	static struct model md;
	uint64_t s = seed, now = 1000, timeout = 40;
	struct nf_env env;
	struct dchain *c;
	uint32_t i, want, got;
	int r, wr;

	nf_env_setup(&env, NULL);
	c = dchain_new(&env, "c", cap);
	CHECK(c != NULL);
	if (!c)
		return;
	memset(&md, 0, sizeof md);
	md.cap = cap;
	for (int op = 0; op < ops; op++) {
		/* Time mostly moves on, sometimes stalls, sometimes goes back a little. */
		switch (rnd(&s) % 10) {
		case 0: now -= rnd(&s) % 6; break;
		case 1: case 2: break;
		default: now += rnd(&s) % 4; break;
		}
		i = (uint32_t)(rnd(&s) % (cap + 2));	/* sometimes out of range */
		switch (rnd(&s) % 10) {
		case 0: case 1: case 2:
			r = dchain_allocate(c, now, &got);
			wr = md.fresh < cap || md.n_freed > 0;
			if (wr) {
				want = md.fresh < cap ? md.fresh++ : md.freed[--md.n_freed];
				md.alloc[want] = 1;
				md.stamp[want] = now;
				md.order[md.n_order++] = want;
			}
			if (r != wr || (r && got != want)) {
				FAIL("seed %llu op %d: allocate %d (index %u), model %d (index %u)",
				    (unsigned long long)seed, op, r, r ? got : 0, wr, wr ? want : 0);
				goto out;
			}
			break;
		case 3: case 4:
			r = dchain_rejuvenate(c, i, now);
			wr = i < cap && md.alloc[i];
			if (wr) {
				md.stamp[i] = now;
				model_remove(&md, i);
				md.order[md.n_order++] = i;
			}
			if (r != wr) {
				FAIL("seed %llu op %d: rejuvenate %u: %d, model %d",
				    (unsigned long long)seed, op, i, r, wr);
				goto out;
			}
			break;
		case 5:
			r = dchain_is_allocated(c, i);
			wr = i < cap && md.alloc[i];
			if (r != wr) {
				FAIL("seed %llu op %d: is_allocated %u: %d, model %d",
				    (unsigned long long)seed, op, i, r, wr);
				goto out;
			}
			break;
		case 6:
			r = dchain_free(c, i);
			wr = i < cap && md.alloc[i];
			if (wr)
				model_free(&md, i);
			if (r != wr) {
				FAIL("seed %llu op %d: free %u: %d, model %d",
				    (unsigned long long)seed, op, i, r, wr);
				goto out;
			}
			break;
		default: {
			uint64_t before = now > timeout ? now - timeout : 0;

			r = dchain_expire_one(c, before, &got);
			wr = md.n_order > 0 && md.stamp[md.order[0]] < before;
			if (wr) {
				want = md.order[0];
				model_free(&md, want);
			}
			if (r != wr || (r && got != want)) {
				FAIL("seed %llu op %d: expire_one %d (index %u), model %d (index %u)",
				    (unsigned long long)seed, op, r, r ? got : 0, wr, wr ? want : 0);
				goto out;
			}
			if (r && md.stamp[got] >= before)
				FAIL("seed %llu op %d: expired %u early", (unsigned long long)seed,
				    op, got);
			break;
		}
		}
		if (dchain_allocated(c) != md.n_order) {
			FAIL("seed %llu op %d: %u allocated, model %u", (unsigned long long)seed, op,
			    dchain_allocated(c), md.n_order);
			goto out;
		}
	}
out:
	nf_env_release(&env);
}

static void
test_dchain__random(void)
{
	for (unsigned si = 0; si < N_SEEDS; si++) {
		run_random(seeds[si], 1, 2000);
		run_random(seeds[si], 5, 5000);
		run_random(seeds[si], 64, 20000);
		run_random(seeds[si], 300, 20000);
	}
}

static void
test_dchain__order(void)
{
	struct nf_env env;
	struct dchain *c;
	uint32_t i, got[8];

	nf_env_setup(&env, NULL);
	c = dchain_new(&env, "c", 4);
	CHECK_EQ_INT(dchain_capacity(c), 4);
	for (i = 0; i < 4; i++) {
		CHECK_EQ_INT(dchain_allocate(c, 10 + i, &got[i]), 1);
		CHECK_EQ_INT(got[i], i);	/* lowest never used first */
	}
	CHECK_EQ_INT(dchain_allocate(c, 20, &got[4]), 0);	/* full */
	CHECK_EQ_INT(dchain_free(c, 1), 1);
	CHECK_EQ_INT(dchain_free(c, 1), 0);
	CHECK_EQ_INT(dchain_free(c, 3), 1);
	CHECK_EQ_INT(dchain_allocate(c, 20, &got[4]), 1);
	CHECK_EQ_INT(got[4], 3);	/* then the most recently freed */
	CHECK_EQ_INT(dchain_allocate(c, 21, &got[5]), 1);
	CHECK_EQ_INT(got[5], 1);
	CHECK_EQ_INT(dchain_allocated(c), 4);
	/* Stamps: 0@10 1@21 2@12 3@20. Rejuvenate 0 at 30: order 2, 3, 1, 0. */
	CHECK_EQ_INT(dchain_rejuvenate(c, 0, 30), 1);
	CHECK_EQ_INT(dchain_expire_one(c, 12, &i), 0);	/* 2 is stamped 12: not before 12 */
	CHECK_EQ_INT(dchain_expire_one(c, 13, &i), 1);
	CHECK_EQ_INT(i, 2);
	CHECK_EQ_INT(dchain_expire_one(c, 13, &i), 0);
	CHECK_EQ_INT(dchain_expire_one(c, 100, &i), 1);
	CHECK_EQ_INT(i, 3);
	CHECK_EQ_INT(dchain_expire_one(c, 100, &i), 1);
	CHECK_EQ_INT(i, 1);
	CHECK_EQ_INT(dchain_expire_one(c, 100, &i), 1);
	CHECK_EQ_INT(i, 0);
	CHECK_EQ_INT(dchain_expire_one(c, 100, &i), 0);
	CHECK_EQ_INT(dchain_allocated(c), 0);
	CHECK_EQ_INT(dchain_rejuvenate(c, 0, 5), 0);	/* free: nothing to stamp */
	CHECK_EQ_INT(env.misuse, 0);
	nf_env_release(&env);
}

/* A stamp that goes backwards sits behind newer ones: it expires late, never early. */
static void
test_dchain__backwards(void)
{
	struct nf_env env;
	struct dchain *c;
	uint32_t a, b, i;

	nf_env_setup(&env, NULL);
	c = dchain_new(&env, "c", 8);
	dchain_allocate(c, 100, &a);
	dchain_allocate(c, 50, &b);	/* the clock went back */
	CHECK_EQ_INT(dchain_expire_one(c, 60, &i), 0);	/* b is old, but a is ahead of it */
	CHECK(dchain_is_allocated(c, b));
	CHECK_EQ_INT(dchain_expire_one(c, 101, &i), 1);
	CHECK_EQ_INT(i, a);
	CHECK_EQ_INT(dchain_expire_one(c, 101, &i), 1);
	CHECK_EQ_INT(i, b);
	nf_env_release(&env);
}

static void
test_dchain__misuse(void)
{
	struct nf_env env;
	struct dchain *c;
	uint32_t i;

	nf_env_setup(&env, NULL);
	env.share_den = 4;
	c = dchain_new(&env, "c", 100);
	CHECK_EQ_INT(dchain_capacity(c), 25);
	CHECK_EQ_INT(dchain_capacity(dchain_new(&env, "d", NF_FULL(100))), 100);
	CHECK_EQ_INT(dchain_is_allocated(c, 25), 0);
	CHECK_EQ_INT(dchain_rejuvenate(c, 25, 1), 0);
	CHECK_EQ_INT(dchain_free(c, 1000), 0);
	CHECK_EQ_INT(env.misuse, 3);
	CHECK(dchain_new(&env, "c", 10) == NULL);
	CHECK(env.failed);
	nf_env_release(&env);

	CHECK_EQ_INT(dchain_allocate(NULL, 1, &i), 0);
	CHECK_EQ_INT(dchain_is_allocated(NULL, 0), 0);
	CHECK_EQ_INT(dchain_rejuvenate(NULL, 0, 1), 0);
	CHECK_EQ_INT(dchain_free(NULL, 0), 0);
	CHECK_EQ_INT(dchain_expire_one(NULL, 1, &i), 0);
	CHECK_EQ_INT(dchain_allocated(NULL), 0);

	nf_env_setup(&env, NULL);
	CHECK(dchain_new(&env, "zero", NF_FULL(0)) == NULL);
	CHECK(strstr(env.error, "zero") != NULL);
	nf_env_release(&env);
}

int
main(void)
{
	pick_time_seed();
	RUN(test_dchain__random);
	RUN(test_dchain__order);
	RUN(test_dchain__backwards);
	RUN(test_dchain__misuse);
	return TEST_DONE();
}
