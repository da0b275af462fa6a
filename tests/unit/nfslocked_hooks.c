/* Unit tests for the locked build of nfs/lib: a refused write leaves the state as it was (and
** longjmps when the host set abort_to); calls with nothing to write, reads and rejuvenate never
** ask; the per-core dchain stamps expire an index only when it is old on every core. */
#include "cht.h"
#include "expire.h"
#include "lpm.h"
#include "sketch.h"

#include "tests/test.h"

struct host {
	int refuse;		/* the write hook's answer */
	const char *refuse_only;	/* when set, refuse only this object */
	unsigned asks;		/* write hook calls */
	char last[NF_NAME_MAX];	/* the object of the last ask */
	unsigned core;		/* what the core hook says */
};

static int
ask(void *arg, const char *object)
{
	struct host *h = arg;

	h->asks++;
	snprintf(h->last, sizeof h->last, "%s", object);
	if (h->refuse_only)
		return strcmp(object, h->refuse_only) == 0;
	return h->refuse;
}

static unsigned
core_of(void *arg)
{
	return ((struct host *)arg)->core;
}

static void
env_locked(struct nf_env *env, struct host *h, unsigned cores)
{
	nf_env_setup(env, NULL);
	memset(h, 0, sizeof *h);
	env->n_cores = cores;
	env->hooks.write = ask;
	env->hooks.core = core_of;
	env->hooks.arg = h;
}

struct fixture {
	struct map *m;
	struct vector *keys;
	struct dchain *c;
	struct sketch *s;
};

/* Flows 100 @10, 200 @20 in m/keys/c, and counters of 100 touched at 10. */
static void
fill(struct nf_env *env, struct fixture *f)
{
	uint32_t k, i;

	f->m = map_new(env, "flows", 4, 4);
	f->keys = vector_new(env, "keys", 4, 4);
	f->c = dchain_new(env, "ages", 4);
	f->s = sketch_new(env, "conns", 4, 64);
	for (k = 100; k <= 200; k += 100) {
		dchain_allocate(f->c, k / 10, &i);
		*(uint32_t *)vector_mut(f->keys, i) = k;
		map_put(f->m, &k, i);
	}
	k = 100;
	sketch_touch(f->s, &k, 10);
}

/* The state fill() made, untouched. */
static void
check_filled(struct fixture *f, int line)
{
	uint32_t k, v;

	for (k = 100; k <= 200; k += 100) {
		if (map_get(f->m, &k, &v) != 1 || v != k / 100 - 1)
			FAIL("line %d: flow %u lost", line, k);
		if (*(const uint32_t *)vector_get(f->keys, k / 100 - 1) != k)
			FAIL("line %d: key %u changed", line, k);
		if (!dchain_is_allocated(f->c, k / 100 - 1))
			FAIL("line %d: index %u freed", line, k / 100 - 1);
	}
	k = 300;
	if (map_get(f->m, &k, &v))
		FAIL("line %d: flow 300 appeared", line);
	if (dchain_allocated(f->c) != 2 || map_size(f->m) != 2)
		FAIL("line %d: %u allocated, %u in the map", line, dchain_allocated(f->c),
		    map_size(f->m));
	k = 100;
	if (sketch_fetch(f->s, &k) != 1)
		FAIL("line %d: sketch count %u", line, sketch_fetch(f->s, &k));
}

static void
test_locked__refused(void)
{
	struct nf_env env;
	struct host h;
	struct fixture f;
	uint32_t k = 300, i, *w;

	env_locked(&env, &h, 1);
	fill(&env, &f);
	CHECK(!env.aborted);
	h.refuse = 1;
	h.asks = 0;
	CHECK_EQ_INT(map_put(f.m, &k, 3), -1);
	CHECK(env.aborted);
	CHECK_EQ_INT(h.asks, 1);
	CHECK_STR(h.last, "flows");
	k = 100;
	CHECK_EQ_INT(map_put(f.m, &k, 3), -1);	/* not even an overwrite */
	CHECK_EQ_INT(map_erase(f.m, &k), 0);
	CHECK_EQ_INT(dchain_allocate(f.c, 50, &i), 0);
	CHECK_EQ_INT(dchain_free(f.c, 0), 0);
	CHECK_EQ_INT(dchain_expire_one(f.c, 1000, &i), 0);
	CHECK_EQ_INT(expire_items(f.c, f.m, f.keys, 1000), 0);
	w = vector_mut(f.keys, 0);
	CHECK(w != NULL);
	CHECK_EQ_INT(*w, 0);	/* the scratch record, zeroed */
	*w = 999;
	sketch_touch(f.s, &k, 30);
	CHECK_EQ_INT(sketch_expire(f.s, 1000), 0);
	CHECK_EQ_INT(h.asks, 10);
	check_filled(&f, __LINE__);
	/* Reads and rejuvenate go on without asking. */
	CHECK_EQ_INT(dchain_rejuvenate(f.c, 0, 60), 1);
	CHECK_EQ_INT(h.asks, 10);
	CHECK_EQ_INT(env.misuse, 0);

	/* Refusing only the map: expire_items asks for both before it touches anything. */
	h.refuse = 0;
	h.refuse_only = "flows";
	env.aborted = 0;
	CHECK_EQ_INT(expire_items(f.c, f.m, f.keys, 1000), 0);
	CHECK(env.aborted);
	check_filled(&f, __LINE__);
	h.refuse_only = NULL;
	CHECK_EQ_INT(expire_items(f.c, f.m, f.keys, 1000), 2);
	CHECK_EQ_INT(map_size(f.m), 0);
	nf_env_release(&env);
}

static void
test_locked__longjmp(void)
{
	struct nf_env env;
	struct host h;
	struct fixture f;
	jmp_buf jb;
	volatile int jumped = 0, returned = 0;
	uint32_t k = 300;

	env_locked(&env, &h, 1);
	fill(&env, &f);
	h.refuse = 1;
	env.abort_to = &jb;
	if (setjmp(jb) == 0) {
		map_put(f.m, &k, 3);
		returned = 1;
	} else {
		jumped = 1;
	}
	CHECK(jumped);
	CHECK(!returned);
	CHECK(env.aborted);
	env.abort_to = NULL;	/* check_filled's reads must not need it, but be safe */
	check_filled(&f, __LINE__);
	nf_env_release(&env);
}

/* Read-mostly traffic: nothing old means no write asked; reads never ask. */
static void
test_locked__no_write_needed(void)
{
	struct nf_env env;
	struct host h;
	struct fixture f;
	struct cht *t;
	struct lpm *r;
	uint32_t k = 100, i, v;

	env_locked(&env, &h, 1);
	fill(&env, &f);
	t = cht_new(&env, "ring", 4, 7);
	r = lpm_new(&env, "routes", 4);
	CHECK_EQ_INT(lpm_add(r, 0x0a000000, 8, 1), 0);
	h.asks = 0;
	CHECK_EQ_INT(expire_items(f.c, f.m, f.keys, 10), 0);
	CHECK_EQ_INT(dchain_expire_one(f.c, 10, &i), 0);
	CHECK_EQ_INT(sketch_expire(f.s, 10), 0);
	CHECK_EQ_INT(map_get(f.m, &k, &v), 1);
	vector_get(f.keys, 0);
	dchain_is_allocated(f.c, 0);
	dchain_rejuvenate(f.c, 0, 99);
	sketch_fetch(f.s, &k);
	cht_find(t, &k, 4, f.c, &v);
	CHECK_EQ_INT(lpm_lookup(r, 0x0a010203, &v), 1);
	CHECK_EQ_INT(h.asks, 0);
	CHECK(!env.aborted);
	nf_env_release(&env);
}

/* Core 0 allocates at 100, core 1 rejuvenates at 150; with a timeout of 100, at 220 (before
** 120) the index is old on core 0 only: core 0 drops it but does not free it; at 260 (before
** 160) core 1 frees it. */
static void
test_locked__per_core(void)
{
	struct nf_env env;
	struct host h;
	struct dchain *c;
	uint32_t i, j;

	env_locked(&env, &h, 2);
	c = dchain_new(&env, "ages", 4);
	h.core = 0;
	CHECK_EQ_INT(dchain_allocate(c, 100, &i), 1);
	h.core = 1;
	h.asks = 0;
	CHECK_EQ_INT(dchain_rejuvenate(c, i, 150), 1);
	CHECK_EQ_INT(h.asks, 0);
	CHECK_EQ_INT(dchain_expire_one(c, 120, &j), 0);	/* core 1: 150 is recent */
	CHECK_EQ_INT(h.asks, 0);
	h.core = 0;
	CHECK_EQ_INT(dchain_expire_one(c, 120, &j), 0);	/* core 0: old here, not on core 1 */
	CHECK_EQ_INT(h.asks, 1);
	CHECK(dchain_is_allocated(c, i));
	CHECK_EQ_INT(dchain_expire_one(c, 120, &j), 0);	/* dropped from core 0: nothing to ask */
	CHECK_EQ_INT(h.asks, 1);
	CHECK_EQ_INT(dchain_expire_one(c, 160, &j), 0);	/* core 0 no longer holds it */
	h.core = 1;
	CHECK_EQ_INT(dchain_expire_one(c, 160, &j), 1);
	CHECK_EQ_INT(j, i);
	CHECK(!dchain_is_allocated(c, i));
	CHECK_EQ_INT(h.asks, 2);

	/* Old on both: the first core to look frees it, everywhere. */
	h.core = 0;
	CHECK_EQ_INT(dchain_allocate(c, 300, &i), 1);
	h.core = 1;
	dchain_rejuvenate(c, i, 310);
	h.core = 0;
	CHECK_EQ_INT(dchain_expire_one(c, 400, &j), 1);
	CHECK_EQ_INT(j, i);
	h.core = 1;
	CHECK_EQ_INT(dchain_expire_one(c, 400, &j), 0);	/* gone from core 1's list too */
	CHECK_EQ_INT(dchain_allocated(c), 0);

	/* Free removes it from every core's list; the index comes back with no stale stamp. */
	c = dchain_new(&env, "one", NF_FULL(1));
	h.core = 0;
	CHECK_EQ_INT(dchain_allocate(c, 500, &i), 1);
	h.core = 1;
	dchain_rejuvenate(c, i, 510);
	CHECK_EQ_INT(dchain_free(c, i), 1);
	CHECK_EQ_INT(dchain_allocate(c, 600, &j), 1);	/* on core 1 */
	CHECK_EQ_INT(j, i);
	h.core = 0;
	CHECK_EQ_INT(dchain_expire_one(c, 590, &j), 0);	/* core 0 has no stale stamp of it */
	h.core = 1;
	CHECK_EQ_INT(dchain_expire_one(c, 590, &j), 0);
	CHECK_EQ_INT(dchain_expire_one(c, 601, &j), 1);

	/* A core the host should not have: counted, treated as core 0. */
	h.core = 7;
	CHECK_EQ_INT(dchain_allocate(c, 700, &i), 1);
	CHECK(env.misuse >= 1);
	h.core = 0;
	CHECK_EQ_INT(dchain_expire_one(c, 701, &j), 1);
	nf_env_release(&env);
}

/* The flow table across cores: a flow refreshed on core 1 survives core 0's expiry. */
static void
test_locked__expire_items_per_core(void)
{
	struct nf_env env;
	struct host h;
	struct map *m;
	struct vector *keys;
	struct dchain *c;
	uint32_t k = 7, i, v;

	env_locked(&env, &h, 2);
	m = map_new(&env, "flows", 4, 4);
	keys = vector_new(&env, "keys", 4, 4);
	c = dchain_new(&env, "ages", 4);
	dchain_allocate(c, 100, &i);
	*(uint32_t *)vector_mut(keys, i) = k;
	map_put(m, &k, i);
	h.core = 1;
	dchain_rejuvenate(c, i, 150);
	h.core = 0;
	CHECK_EQ_INT(expire_items(c, m, keys, 120), 0);
	CHECK_EQ_INT(map_get(m, &k, &v), 1);
	h.core = 1;
	CHECK_EQ_INT(expire_items(c, m, keys, 160), 1);
	CHECK_EQ_INT(map_get(m, &k, &v), 0);
	nf_env_release(&env);
}

/* No hooks at all: the locked build works as the plain one. */
static void
test_locked__no_hooks(void)
{
	struct nf_env env;
	struct dchain *c;
	uint32_t i;

	nf_env_setup(&env, NULL);
	env.n_cores = 3;
	c = dchain_new(&env, "ages", 2);
	CHECK_EQ_INT(dchain_allocate(c, 1, &i), 1);
	CHECK_EQ_INT(dchain_rejuvenate(c, i, 5), 1);
	CHECK_EQ_INT(dchain_expire_one(c, 5, &i), 0);
	CHECK_EQ_INT(dchain_expire_one(c, 6, &i), 1);
	nf_env_release(&env);
}

int
main(void)
{
	RUN(test_locked__refused);
	RUN(test_locked__longjmp);
	RUN(test_locked__no_write_needed);
	RUN(test_locked__per_core);
	RUN(test_locked__expire_items_per_core);
	RUN(test_locked__no_hooks);
	return TEST_DONE();
}
