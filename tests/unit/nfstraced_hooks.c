/* Unit tests for the traced build of nfs/lib: every state call reports (object, key bytes, op)
** exactly as nf.h and the object headers say, in order, and nothing else; and every call the NF
** makes reports its result once to the call hook (function, object, ret, values handed back). */
#include "cht.h"
#include "expire.h"
#include "lpm.h"
#include "sketch.h"

#include "tests/test.h"

struct event {
	char object[NF_NAME_MAX];
	unsigned char key[64];
	size_t len;
	enum nf_op op;
};

struct log {
	struct event ev[256];
	unsigned n;
};

static void
record(void *arg, const char *object, const void *key, size_t len, enum nf_op op)
{
	struct log *l = arg;
	struct event *e;

	if (l->n >= sizeof l->ev / sizeof l->ev[0])
		return;
	e = &l->ev[l->n++];
	snprintf(e->object, sizeof e->object, "%s", object);
	e->len = len;
	if (len > sizeof e->key)
		len = sizeof e->key;
	if (len)
		memcpy(e->key, key, len);
	e->op = op;
}

static void
env_traced(struct nf_env *env, struct log *l)
{
	nf_env_setup(env, NULL);
	memset(l, 0, sizeof *l);
	env->hooks.trace = record;
	env->hooks.arg = l;
}

/* Checks event 'i' and says which when it differs. */
static void
expect_at(struct log *l, unsigned i, const char *object, const void *key, size_t len,
    enum nf_op op, int line)
{
	struct event *e = &l->ev[i];

	if (i >= l->n) {
		FAIL("line %d: event %u missing (%u events)", line, i, l->n);
		return;
	}
	if (strcmp(e->object, object) != 0 || e->len != len || e->op != op ||
	    (len && memcmp(e->key, key, len) != 0))
		FAIL("line %d: event %u is (%s, %zu bytes, op %d), want (%s, %zu bytes, op %d)",
		    line, i, e->object, e->len, e->op, object, len, op);
}

#define EXPECT(i, obj, key, len, op) expect_at(&lg, (i), (obj), (key), (len), (op), __LINE__)
#define EXPECT_N(want) do { if (lg.n != (want)) FAIL("line %d: %u events, want %u", \
	__LINE__, lg.n, (unsigned)(want)); lg.n = 0; } while (0)

static const unsigned char le0[4] = { 0, 0, 0, 0 }, le1[4] = { 1, 0, 0, 0 },
	le_big[4] = { 4, 3, 2, 1 };

static void
test_traced__map(void)
{
	struct nf_env env;
	struct log lg;
	struct map *m;
	uint32_t k = 0xaabbccdd, k2 = 5, v;

	env_traced(&env, &lg);
	m = map_new(&env, "flows", 4, 1);
	CHECK_EQ_INT(lg.n, 0);	/* constructors are not state accesses */
	map_get(m, &k, &v);
	EXPECT(0, "flows", &k, 4, NF_OP_READ);
	EXPECT_N(1);
	map_put(m, &k, 1);
	map_get(m, &k, &v);
	map_put(m, &k2, 2);	/* full: still reported */
	map_erase(m, &k2);
	map_erase(m, &k);
	EXPECT(0, "flows", &k, 4, NF_OP_WRITE);
	EXPECT(1, "flows", &k, 4, NF_OP_READ);
	EXPECT(2, "flows", &k2, 4, NF_OP_WRITE);
	EXPECT(3, "flows", &k2, 4, NF_OP_WRITE);
	EXPECT(4, "flows", &k, 4, NF_OP_WRITE);
	EXPECT_N(5);
	map_size(m);
	map_capacity(m);
	map_get(NULL, &k, &v);
	EXPECT_N(0);
	nf_env_release(&env);
}

static void
test_traced__vector_dchain(void)
{
	struct nf_env env;
	struct log lg;
	struct vector *vec;
	struct dchain *c;
	uint32_t i;

	env_traced(&env, &lg);
	vec = vector_new(&env, "recs", 8, 4);
	c = dchain_new(&env, "ages", 2);
	vector_get(vec, 1);
	vector_mut(vec, 0);
	vector_get(vec, 0x01020304);	/* out of range: still reported */
	EXPECT(0, "recs", le1, 4, NF_OP_READ);
	EXPECT(1, "recs", le0, 4, NF_OP_WRITE);
	EXPECT(2, "recs", le_big, 4, NF_OP_READ);
	EXPECT_N(3);

	CHECK_EQ_INT(dchain_expire_one(c, 100, &i), 0);	/* nothing: no report */
	EXPECT_N(0);
	dchain_allocate(c, 10, &i);
	dchain_allocate(c, 20, &i);
	dchain_allocate(c, 30, &i);	/* full: no key */
	dchain_is_allocated(c, 1);
	dchain_rejuvenate(c, 0, 40);
	dchain_free(c, 1);
	EXPECT(0, "ages", le0, 4, NF_OP_WRITE);
	EXPECT(1, "ages", le1, 4, NF_OP_WRITE);
	EXPECT(2, "ages", NULL, 0, NF_OP_WRITE);
	EXPECT(3, "ages", le1, 4, NF_OP_READ);
	EXPECT(4, "ages", le0, 4, NF_OP_UPDATE);
	EXPECT(5, "ages", le1, 4, NF_OP_WRITE);
	EXPECT_N(6);
	CHECK_EQ_INT(dchain_expire_one(c, 40, &i), 0);
	EXPECT_N(0);
	CHECK_EQ_INT(dchain_expire_one(c, 41, &i), 1);
	EXPECT(0, "ages", le0, 4, NF_OP_WRITE);
	EXPECT_N(1);
	dchain_allocated(c);
	dchain_capacity(c);
	vector_capacity(vec);
	EXPECT_N(0);
	nf_env_release(&env);
}

static void
test_traced__expire(void)
{
	struct nf_env env;
	struct log lg;
	struct map *m;
	struct vector *keys;
	struct dchain *c;
	uint32_t k[3] = { 100, 200, 300 }, i;

	env_traced(&env, &lg);
	m = map_new(&env, "flows", 4, 4);
	keys = vector_new(&env, "keys", 4, 4);
	c = dchain_new(&env, "ages", 4);
	for (unsigned j = 0; j < 3; j++) {
		dchain_allocate(c, 10 * (j + 1), &i);
		*(uint32_t *)vector_mut(keys, i) = k[j];
		map_put(m, &k[j], i);
	}
	lg.n = 0;
	CHECK_EQ_INT(expire_items(c, m, keys, 10), 0);
	EXPECT_N(0);
	CHECK_EQ_INT(expire_items(c, m, keys, 21), 2);
	EXPECT(0, "ages", le0, 4, NF_OP_WRITE);
	EXPECT(1, "flows", &k[0], 4, NF_OP_WRITE);
	EXPECT(2, "ages", le1, 4, NF_OP_WRITE);
	EXPECT(3, "flows", &k[1], 4, NF_OP_WRITE);
	EXPECT_N(4);
	nf_env_release(&env);
}

static void
test_traced__sketch_lpm(void)
{
	struct nf_env env;
	struct log lg;
	struct sketch *s;
	struct lpm *t;
	uint64_t key = 0x1122334455667788ull;
	uint32_t v;

	env_traced(&env, &lg);
	s = sketch_new(&env, "conns", 8, 16);
	t = lpm_new(&env, "routes", 4);
	sketch_fetch(s, &key);
	sketch_touch(s, &key, 10);
	CHECK_EQ_INT(sketch_expire(s, 10), 0);
	EXPECT(0, "conns", &key, 8, NF_OP_READ);
	EXPECT(1, "conns", &key, 8, NF_OP_WRITE);
	EXPECT_N(2);
	CHECK_EQ_INT(sketch_expire(s, 11), SKETCH_HASHES);
	EXPECT(0, "conns", NULL, 0, NF_OP_WRITE);
	EXPECT_N(1);

	lpm_add(t, 0x01020300, 24, 7);	/* init-time: not reported */
	EXPECT_N(0);
	CHECK_EQ_INT(lpm_lookup(t, 0x01020304, &v), 1);
	CHECK_EQ_INT(lpm_lookup(t, 0x05060708, &v), 0);	/* a miss is reported too */
	EXPECT(0, "routes", le_big, 4, NF_OP_READ);
	EXPECT(1, "routes", "\x08\x07\x06\x05", 4, NF_OP_READ);
	EXPECT_N(2);
	nf_env_release(&env);
}

/* cht_find: the cht with the key, then the dchain reads of the backends it asked about, which
** are some bucket's preference order up to the first alive one. */
static void
test_traced__cht(void)
{
	const uint32_t B = 5;
	struct nf_env env;
	struct log lg;
	struct cht *t;
	struct dchain *alive;
	uint32_t key = 42, b, i, asked[5], x;
	int match;

	env_traced(&env, &lg);
	t = cht_new(&env, "ring", B, 7);
	alive = dchain_new(&env, "backends", NF_FULL(B));
	CHECK_EQ_INT(cht_find(t, &key, 4, alive, &b), 0);	/* none alive: all asked */
	EXPECT(0, "ring", &key, 4, NF_OP_READ);
	CHECK_EQ_INT(lg.n, 1 + B);
	for (i = 0; i < B && 1 + i < lg.n; i++) {
		CHECK(strcmp(lg.ev[1 + i].object, "backends") == 0);
		CHECK(lg.ev[1 + i].op == NF_OP_READ && lg.ev[1 + i].len == 4);
		memcpy(&asked[i], lg.ev[1 + i].key, 4);
	}
	for (x = 0, match = 0; x < 7 && !match; x++) {
		match = 1;
		for (i = 0; i < B; i++)
			match &= cht_preference(t, x, i) == asked[i];
	}
	CHECK(match);
	/* Make its third choice the first alive: three reads of the dchain. */
	for (i = 0; i < B; i++)
		dchain_allocate(alive, 1, &b);
	dchain_free(alive, asked[0]);
	dchain_free(alive, asked[1]);
	lg.n = 0;
	CHECK_EQ_INT(cht_find(t, &key, 4, alive, &b), 1);
	CHECK_EQ_INT(b, asked[2]);
	EXPECT(0, "ring", &key, 4, NF_OP_READ);
	EXPECT(1, "backends", &asked[0], 4, NF_OP_READ);
	EXPECT(2, "backends", &asked[1], 4, NF_OP_READ);
	EXPECT(3, "backends", &asked[2], 4, NF_OP_READ);
	EXPECT_N(4);
	nf_env_release(&env);
}

/*---- The call hook ----*/

struct call {
	char fn[32];
	char object[NF_NAME_MAX];
	int64_t ret;
	unsigned char out[64];
	size_t len;
};

struct calls {
	struct call c[64];
	unsigned n;
};

static void
record_call(void *arg, const char *fn, const char *object, int64_t ret, const void *out,
    size_t len)
{
	struct calls *l = arg;
	struct call *c;

	if (l->n >= sizeof l->c / sizeof l->c[0])
		return;
	c = &l->c[l->n++];
	snprintf(c->fn, sizeof c->fn, "%s", fn);
	snprintf(c->object, sizeof c->object, "%s", object);
	c->ret = ret;
	c->len = len;
	if (len > sizeof c->out)
		len = sizeof c->out;
	if (len)
		memcpy(c->out, out, len);
}

/* Both hooks, one argument each way: the trace log in 'l', the calls in 'cl'. */
struct both {
	struct log *l;
	struct calls *cl;
};

static void
both_trace(void *arg, const char *object, const void *key, size_t len, enum nf_op op)
{
	record(((struct both *)arg)->l, object, key, len, op);
}

static void
both_call(void *arg, const char *fn, const char *object, int64_t ret, const void *out,
    size_t len)
{
	record_call(((struct both *)arg)->cl, fn, object, ret, out, len);
}

static void
env_calls(struct nf_env *env, struct both *b, struct log *l, struct calls *cl)
{
	nf_env_setup(env, NULL);
	memset(l, 0, sizeof *l);
	memset(cl, 0, sizeof *cl);
	b->l = l;
	b->cl = cl;
	env->hooks.trace = both_trace;
	env->hooks.call = both_call;
	env->hooks.arg = b;
}

/* Checks call 'i' and says which when it differs. */
static void
call_at(struct calls *l, unsigned i, const char *fn, const char *object, int64_t ret,
    const void *out, size_t len, int line)
{
	struct call *c = &l->c[i];

	if (i >= l->n) {
		FAIL("line %d: call %u missing (%u calls)", line, i, l->n);
		return;
	}
	if (strcmp(c->fn, fn) != 0 || strcmp(c->object, object) != 0 || c->ret != ret ||
	    c->len != len || (len && memcmp(c->out, out, len) != 0))
		FAIL("line %d: call %u is %s(%s)=%lld with %zu bytes, want %s(%s)=%lld with %zu "
		    "bytes", line, i, c->fn, c->object, (long long)c->ret, c->len, fn, object,
		    (long long)ret, len);
}

#define CALL(i, fn, obj, ret, out, len) call_at(&cl, (i), (fn), (obj), (ret), (out), (len), \
	__LINE__)
#define CALLS_N(want) do { if (cl.n != (want)) FAIL("line %d: %u calls, want %u", \
	__LINE__, cl.n, (unsigned)(want)); cl.n = 0; } while (0)

static void
test_traced__call_map(void)
{
	struct nf_env env;
	struct log lg;
	struct calls cl;
	struct both b;
	struct map *m;
	uint32_t k = 0xaabbccdd, k2 = 5, v;
	static const unsigned char le_v[4] = { 0x04, 0x03, 0x02, 0x01 };

	env_calls(&env, &b, &lg, &cl);
	m = map_new(&env, "flows", 4, 1);
	CALLS_N(0);	/* constructors report nothing */
	CHECK_EQ_INT(map_get(m, &k, &v), 0);
	CHECK_EQ_INT(map_put(m, &k, 0x01020304), 0);
	CHECK_EQ_INT(map_get(m, &k, &v), 1);
	CHECK_EQ_INT(map_put(m, &k2, 2), -1);	/* full */
	CHECK_EQ_INT(map_erase(m, &k2), 0);
	CHECK_EQ_INT(map_erase(m, &k), 1);
	CALL(0, "map_get", "flows", 0, NULL, 0);
	CALL(1, "map_put", "flows", 0, NULL, 0);
	CALL(2, "map_get", "flows", 1, le_v, 4);
	CALL(3, "map_put", "flows", -1, NULL, 0);
	CALL(4, "map_erase", "flows", 0, NULL, 0);
	CALL(5, "map_erase", "flows", 1, NULL, 0);
	CALLS_N(6);
	EXPECT_N(6);	/* the trace hook still hears each call once */
	map_size(m);
	map_get(NULL, &k, &v);
	CALLS_N(0);
	nf_env_release(&env);
}

static void
test_traced__call_vector_dchain(void)
{
	struct nf_env env;
	struct log lg;
	struct calls cl;
	struct both b;
	struct vector *vec;
	struct dchain *c;
	unsigned char *r, rec[3] = { 7, 8, 9 }, zero[3] = { 0 };
	uint32_t i;

	env_calls(&env, &b, &lg, &cl);
	vec = vector_new(&env, "recs", 3, 4);
	c = dchain_new(&env, "ages", 2);
	r = vector_mut(vec, 2);
	memcpy(r, rec, 3);
	vector_get(vec, 2);
	vector_get(vec, 9);	/* out of range: the scratch record */
	CALL(0, "vector_mut", "recs", 0, zero, 3);	/* as the call found it */
	CALL(1, "vector_get", "recs", 0, rec, 3);
	CALL(2, "vector_get", "recs", 0, zero, 3);
	CALLS_N(3);

	CHECK_EQ_INT(dchain_expire_one(c, 100, &i), 0);
	dchain_allocate(c, 10, &i);
	dchain_allocate(c, 20, &i);
	CHECK_EQ_INT(dchain_allocate(c, 30, &i), 0);	/* full */
	dchain_is_allocated(c, 1);
	dchain_is_allocated(c, 7);
	dchain_rejuvenate(c, 0, 40);
	dchain_free(c, 1);
	dchain_free(c, 1);
	dchain_rejuvenate(c, 1, 50);
	CALL(0, "dchain_expire_one", "ages", 0, NULL, 0);
	CALL(1, "dchain_allocate", "ages", 1, le0, 4);
	CALL(2, "dchain_allocate", "ages", 1, le1, 4);
	CALL(3, "dchain_allocate", "ages", 0, NULL, 0);
	CALL(4, "dchain_is_allocated", "ages", 1, NULL, 0);
	CALL(5, "dchain_is_allocated", "ages", 0, NULL, 0);
	CALL(6, "dchain_rejuvenate", "ages", 1, NULL, 0);
	CALL(7, "dchain_free", "ages", 1, NULL, 0);
	CALL(8, "dchain_free", "ages", 0, NULL, 0);
	CALL(9, "dchain_rejuvenate", "ages", 0, NULL, 0);
	CALLS_N(10);
	CHECK_EQ_INT(dchain_expire_one(c, 41, &i), 1);
	CALL(0, "dchain_expire_one", "ages", 1, le0, 4);
	CALLS_N(1);
	nf_env_release(&env);
}

/* expire_items is one call with its count: the dchain and map calls inside it are traced but
** not reported as calls. */
static void
test_traced__call_expire(void)
{
	struct nf_env env;
	struct log lg;
	struct calls cl;
	struct both b;
	struct map *m;
	struct vector *keys;
	struct dchain *c;
	uint32_t k[3] = { 100, 200, 300 }, i;
	static const unsigned char le2[4] = { 2, 0, 0, 0 };

	env_calls(&env, &b, &lg, &cl);
	m = map_new(&env, "flows", 4, 4);
	keys = vector_new(&env, "keys", 4, 4);
	c = dchain_new(&env, "ages", 4);
	for (unsigned j = 0; j < 3; j++) {
		dchain_allocate(c, 10 * (j + 1), &i);
		*(uint32_t *)vector_mut(keys, i) = k[j];
		map_put(m, &k[j], i);
	}
	CALLS_N(9);
	lg.n = 0;
	CHECK_EQ_INT(expire_items(c, m, keys, 10), 0);
	CALL(0, "expire_items", "ages", 0, le0, 4);
	CALLS_N(1);
	CHECK_EQ_INT(expire_items(c, m, keys, 21), 2);
	CALL(0, "expire_items", "ages", 2, le2, 4);
	CALLS_N(1);
	EXPECT_N(4);
	CHECK_EQ_INT(env.inner, 0);
	/* Calls after it report again. */
	CHECK_EQ_INT(map_get(m, &k[2], &i), 1);
	CALL(0, "map_get", "flows", 1, le2, 4);
	CALLS_N(1);
	expire_items(NULL, m, keys, 100);
	CALLS_N(0);
	nf_env_release(&env);
}

static void
test_traced__call_sketch_lpm_cht(void)
{
	struct nf_env env;
	struct log lg;
	struct calls cl;
	struct both b;
	struct sketch *s;
	struct lpm *t;
	struct cht *ring;
	struct dchain *alive;
	uint64_t key = 0x1122334455667788ull;
	uint32_t v, k = 42, be, one;
	unsigned char le_n[4] = { SKETCH_HASHES, 0, 0, 0 }, le_be[4];

	env_calls(&env, &b, &lg, &cl);
	s = sketch_new(&env, "conns", 8, 16);
	t = lpm_new(&env, "routes", 4);
	ring = cht_new(&env, "ring", 3, 7);
	alive = dchain_new(&env, "backends", NF_FULL(3));
	sketch_fetch(s, &key);
	sketch_touch(s, &key, 10);
	sketch_fetch(s, &key);
	sketch_expire(s, 10);
	sketch_expire(s, 11);
	CALL(0, "sketch_fetch", "conns", 0, le0, 4);
	CALL(1, "sketch_touch", "conns", 0, NULL, 0);
	CALL(2, "sketch_fetch", "conns", 1, le1, 4);
	CALL(3, "sketch_expire", "conns", 0, le0, 4);
	CALL(4, "sketch_expire", "conns", SKETCH_HASHES, le_n, 4);
	CALLS_N(5);

	CHECK_EQ_INT(lpm_add(t, 0x01020300, 24, 0x01020304), 0);
	CHECK_EQ_INT(lpm_add(t, 0, 40, 1), -1);
	CHECK_EQ_INT(lpm_lookup(t, 0x010203ff, &v), 1);
	CHECK_EQ_INT(lpm_lookup(t, 0x05060708, &v), 0);
	CALL(0, "lpm_add", "routes", 0, NULL, 0);
	CALL(1, "lpm_add", "routes", -1, NULL, 0);
	CALL(2, "lpm_lookup", "routes", 1, le_big, 4);
	CALL(3, "lpm_lookup", "routes", 0, NULL, 0);
	CALLS_N(4);

	lg.n = 0;
	CHECK_EQ_INT(cht_find(ring, &k, 4, alive, &be), 0);	/* none alive */
	CALL(0, "cht_find", "ring", 0, NULL, 0);
	CALLS_N(1);
	EXPECT_N(1 + 3);	/* the dchain reads are still traced */
	dchain_allocate(alive, 1, &one);
	CALLS_N(1);
	CHECK_EQ_INT(cht_find(ring, &k, 4, alive, &be), 1);
	CHECK_EQ_INT(be, 0);
	memset(le_be, 0, 4);
	CALL(0, "cht_find", "ring", 1, le_be, 4);
	CALLS_N(1);
	CHECK_EQ_INT(cht_find(ring, &k, 4, NULL, &be), 0);
	CALL(0, "cht_find", "ring", 0, NULL, 0);
	CALLS_N(1);
	CHECK_EQ_INT(env.inner, 0);
	nf_env_release(&env);
}

/* Without a trace hook the traced build runs as the plain one. */
static void
test_traced__no_hook(void)
{
	struct nf_env env;
	struct map *m;
	uint32_t k = 1, v;

	nf_env_setup(&env, NULL);
	m = map_new(&env, "m", 4, 4);
	CHECK_EQ_INT(map_put(m, &k, 9), 0);
	CHECK_EQ_INT(map_get(m, &k, &v), 1);
	CHECK_EQ_INT(v, 9);
	nf_env_release(&env);
}

int
main(void)
{
	RUN(test_traced__map);
	RUN(test_traced__vector_dchain);
	RUN(test_traced__expire);
	RUN(test_traced__sketch_lpm);
	RUN(test_traced__cht);
	RUN(test_traced__call_map);
	RUN(test_traced__call_vector_dchain);
	RUN(test_traced__call_expire);
	RUN(test_traced__call_sketch_lpm_cht);
	RUN(test_traced__no_hook);
	return TEST_DONE();
}
