/* Unit tests for engine/smt: folding against C and against Z3, checks on a packet array,
** incremental reuse against fresh contexts, models, smt_kind, smt_eval, and AST lifetime. */
#include "engine/smt.h"

#include "engine/clock.h"
#include "engine/rng.h"

#include "tests/test.h"

static const unsigned widths[] = { 1, 8, 16, 32, 64 };

static uint64_t
mask(unsigned w)
{
	return w >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << w) - 1;
}

/* Sign extension to 64 bits, as C sees a w-bit two's complement value. */
static int64_t
sx(uint64_t v, unsigned w)
{
	return (int64_t)(v << (64 - w)) >> (64 - w);
}

/* The SMT-LIB meaning of each operator, written with C's signed arithmetic (unlike smt.c). */
static uint64_t
ref_bin(enum smt_binop op, uint64_t a, uint64_t b, unsigned w)
{
	uint64_t m = mask(w);
	int64_t sa = sx(a, w), sb = sx(b, w);

	switch (op) {
	case SMT_ADD: return (a + b) & m;
	case SMT_SUB: return (a - b) & m;
	case SMT_MUL: return (a * b) & m;
	case SMT_UDIV: return b ? a / b : m;
	case SMT_UREM: return b ? a % b : a;
	case SMT_SDIV:
		if (sb == 0)
			return sa < 0 ? 1 : m;
		if (sa == INT64_MIN && sb == -1)
			return a;
		return (uint64_t)(sa / sb) & m;
	case SMT_SREM:
		if (sb == 0)
			return a;
		if (sa == INT64_MIN && sb == -1)
			return 0;
		return (uint64_t)(sa % sb) & m;
	case SMT_SHL: return b >= w ? 0 : (a << b) & m;
	case SMT_LSHR: return b >= w ? 0 : a >> b;
	case SMT_ASHR: return b >= w ? (sa < 0 ? m : 0) : (uint64_t)(sa >> b) & m;
	case SMT_AND: return a & b;
	case SMT_OR: return a | b;
	case SMT_XOR: return a ^ b;
	}
	return 0;
}

static bool
ref_cmp(enum smt_cmp op, uint64_t a, uint64_t b, unsigned w)
{
	int64_t sa = sx(a, w), sb = sx(b, w);

	switch (op) {
	case SMT_EQ: return a == b;
	case SMT_NE: return a != b;
	case SMT_UGT: return a > b;
	case SMT_UGE: return a >= b;
	case SMT_ULT: return a < b;
	case SMT_ULE: return a <= b;
	case SMT_SGT: return sa > sb;
	case SMT_SGE: return sa >= sb;
	case SMT_SLT: return sa < sb;
	case SMT_SLE: return sa <= sb;
	}
	return false;
}

static const char *const binop_names[] = {
	"add", "sub", "mul", "udiv", "sdiv", "urem", "srem", "shl", "lshr", "ashr", "and", "or", "xor"
};
static const char *const cmp_names[] = {
	"eq", "ne", "ugt", "uge", "ult", "ule", "sgt", "sge", "slt", "sle"
};
#define NBINOP 13
#define NCMP 10

/* Edge values of width w: zero, one, small shift amounts around w, the sign bit, all ones. */
static size_t
edge_values(unsigned w, uint64_t *out)
{
	uint64_t m = mask(w), sign = (uint64_t)1 << (w - 1);
	uint64_t cand[] = { 0, 1, 2, 3, w - 1, w, w + 1, sign - 1, sign, sign + 1, m - 1, m,
			    0x5a5a5a5a5a5a5a5aULL, 7 };
	size_t n = 0;

	for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++) {
		uint64_t v = cand[i] & m;
		size_t j;
		for (j = 0; j < n && out[j] != v; j++)
			;
		if (j == n)
			out[n++] = v;
	}
	return n;
}

static void
test_smt__fold(void)
{
	struct smt *s = smt_new(0);
	uint64_t vals[16], r;

	for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
		unsigned w = widths[wi];
		size_t nv = edge_values(w, vals);
		for (size_t i = 0; i < nv; i++)
			for (size_t j = 0; j < nv; j++) {
				smt_t a = smt_num(s, vals[i], w), b = smt_num(s, vals[j], w);
				for (int op = 0; op < NBINOP; op++) {
					smt_t e = smt_binop(s, op, a, b);
					uint64_t want = ref_bin(op, vals[i], vals[j], w);
					if (!smt_is_num(s, e, &r) || r != want || smt_bits(s, e) != w)
						FAIL("w=%u %s(%#llx, %#llx): %#llx, want %#llx", w,
						     binop_names[op], (unsigned long long)vals[i],
						     (unsigned long long)vals[j], (unsigned long long)r,
						     (unsigned long long)want);
				}
				for (int op = 0; op < NCMP; op++) {
					smt_t e = smt_cmp(s, op, a, b);
					bool want = ref_cmp(op, vals[i], vals[j], w);
					if (!smt_is_num(s, e, &r) || r != want || !smt_is_bool(s, e))
						FAIL("w=%u %s(%#llx, %#llx)", w, cmp_names[op],
						     (unsigned long long)vals[i],
						     (unsigned long long)vals[j]);
				}
			}
		/* Unary and width-changing constructors. */
		for (size_t i = 0; i < nv; i++) {
			smt_t a = smt_num(s, vals[i], w);
			CHECK(smt_is_num(s, smt_bvnot(s, a), &r) && r == (~vals[i] & mask(w)));
			if (w < 64) {
				CHECK(smt_is_num(s, smt_zext(s, a, 64), &r) && r == vals[i]);
				CHECK(smt_is_num(s, smt_sext(s, a, 64), &r) &&
				      r == (uint64_t)sx(vals[i], w));
				CHECK(smt_is_num(s, smt_concat(s, smt_num(s, 1, 1), a), &r) &&
				      r == (vals[i] | (uint64_t)1 << w));
			}
			CHECK(smt_is_num(s, smt_extract(s, a, w - 1, w - 1), &r) &&
			      r == vals[i] >> (w - 1));
			CHECK(smt_is_num(s, smt_bv_to_bool(s, a), &r) && r == (vals[i] != 0));
		}
	}
	/* Numerals are hash-consed and masked to their width. */
	CHECK(smt_num(s, 0x1ff, 8) == smt_num(s, 0xff, 8));
	CHECK(smt_num(s, 5, 8) != smt_num(s, 5, 16));
	CHECK(smt_is_num(s, smt_bool(s, true), &r) && r == 1);
	CHECK(smt_is_num(s, smt_bool(s, false), &r) && r == 0);
	CHECK(smt_is_num(s, smt_bool_to_bv(s, smt_bool(s, true)), &r) && r == 1);
	smt_free(s);
}

/* Folding, smt_eval and Z3's own model evaluation agree on every operator and edge value. */
static void
test_smt__fold_matches_z3(void)
{
	struct smt *s = smt_new(0);
	struct smt_env *env = smt_env_new(s);
	uint64_t vals[16], folded, z, ev;

	for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
		unsigned w = widths[wi];
		size_t nv = edge_values(w, vals);
		smt_t x = smt_var(s, "x", w), y = smt_var(s, "y", w);
		for (size_t i = 0; i < nv; i++)
			for (size_t j = 0; j < nv; j++) {
				smt_t a = smt_num(s, vals[i], w), b = smt_num(s, vals[j], w);
				smt_t conds[2] = { smt_cmp(s, SMT_EQ, x, a), smt_cmp(s, SMT_EQ, y, b) };
				if (smt_check(s, conds, 2) != SMT_SAT) {
					FAIL("w=%u x=a, y=b not sat", w);
					continue;
				}
				smt_env_set(env, x, vals[i]);
				smt_env_set(env, y, vals[j]);
				for (int op = 0; op < NBINOP + NCMP; op++) {
					smt_t sym, con;
					if (op < NBINOP) {
						sym = smt_binop(s, op, x, y);
						con = smt_binop(s, op, a, b);
					} else {
						sym = smt_cmp(s, op - NBINOP, x, y);
						con = smt_cmp(s, op - NBINOP, a, b);
					}
					if (!smt_is_num(s, con, &folded) || !smt_model_value(s, sym, &z) ||
					    !smt_eval(env, sym, &ev) || folded != z || ev != z)
						FAIL("w=%u %s(%#llx, %#llx): fold %#llx z3 %#llx eval %#llx",
						     w, op < NBINOP ? binop_names[op] :
						     cmp_names[op - NBINOP], (unsigned long long)vals[i],
						     (unsigned long long)vals[j], (unsigned long long)folded,
						     (unsigned long long)z, (unsigned long long)ev);
				}
			}
	}
	smt_env_free(env);
	smt_free(s);
}

static void
test_smt__simplify_on_build(void)
{
	struct smt *s = smt_new(0);
	smt_t x = smt_var(s, "x", 16), c = smt_cmp(s, SMT_ULT, x, smt_num(s, 9, 16));
	smt_t t = smt_bool(s, true), f = smt_bool(s, false);

	CHECK(smt_and(s, t, c) == c);
	CHECK(smt_and(s, c, t) == c);
	CHECK(smt_and(s, f, c) == f);
	CHECK(smt_or(s, c, f) == c);
	CHECK(smt_or(s, t, c) == t);
	CHECK(smt_not(s, smt_not(s, c)) == c);
	CHECK(smt_not(s, t) == f);
	CHECK(smt_ite(s, t, x, smt_num(s, 1, 16)) == x);
	CHECK(smt_ite(s, f, x, smt_num(s, 1, 16)) == smt_num(s, 1, 16));
	CHECK(smt_ite(s, c, x, x) == x);
	CHECK(smt_ite(s, c, t, f) == c);
	CHECK(smt_binop(s, SMT_ADD, x, smt_num(s, 0, 16)) == x);
	CHECK(smt_binop(s, SMT_MUL, smt_num(s, 1, 16), x) == x);
	CHECK(smt_binop(s, SMT_AND, x, smt_num(s, 0, 16)) == smt_num(s, 0, 16));
	CHECK(smt_binop(s, SMT_XOR, x, x) == smt_num(s, 0, 16));
	CHECK(smt_binop(s, SMT_SUB, smt_num(s, 0, 16), x) != x);
	CHECK(smt_cmp(s, SMT_EQ, x, x) == t);
	CHECK(smt_zext(s, x, 16) == x);
	CHECK(smt_extract(s, x, 15, 0) == x);
	CHECK(smt_bvnot(s, smt_bvnot(s, x)) == x);
	/* Read over write with constant indices. */
	{
		smt_t pkt = smt_array(s, "pkt"), i5 = smt_num(s, 5, 64), v = smt_var(s, "v", 8);
		smt_t st = smt_store(s, smt_store(s, pkt, i5, v), smt_num(s, 6, 64), smt_num(s, 1, 8));
		CHECK(smt_select(s, st, i5) == v);
		CHECK(smt_select(s, st, smt_num(s, 9, 64)) == smt_select(s, pkt, smt_num(s, 9, 64)));
		CHECK(smt_bits(s, smt_select(s, pkt, smt_num(s, 3, 16))) == 8);
	}
	smt_free(s);
}

/* A 16-bit big-endian field of the packet at 'off'. */
static smt_t
field16(struct smt *s, smt_t pkt, unsigned off)
{
	return smt_concat(s, smt_select(s, pkt, smt_num(s, off, 64)),
			  smt_select(s, pkt, smt_num(s, off + 1, 64)));
}

static void
test_smt__packet(void)
{
	struct smt *s = smt_new(0);
	smt_t pkt = smt_array(s, "pkt");
	smt_t b12 = smt_select(s, pkt, smt_num(s, 12, 64)), b13 = smt_select(s, pkt, smt_num(s, 13, 64));
	smt_t conds[4] = {
		smt_cmp(s, SMT_EQ, b12, smt_num(s, 0x08, 8)),
		smt_cmp(s, SMT_EQ, b13, smt_num(s, 0, 8)),
		smt_cmp(s, SMT_EQ, b12, smt_num(s, 0x86, 8)),
	};
	uint64_t v;

	CHECK_EQ_INT(smt_check(s, conds, 2), SMT_SAT);
	CHECK(smt_model_value(s, b12, &v) && v == 8);
	CHECK(smt_model_value(s, field16(s, pkt, 12), &v) && v == 0x0800);
	CHECK(smt_model_value(s, conds[0], &v) && v == 1);
	CHECK_EQ_INT(smt_check(s, conds, 3), SMT_UNSAT);
	CHECK(!smt_model_value(s, b12, &v));
	CHECK_EQ_INT(smt_check(s, conds, 2), SMT_SAT);
	CHECK(smt_model_value(s, b13, &v) && v == 0);
	/* The same conditions again: answered from the last check. */
	CHECK_EQ_INT(smt_check(s, conds, 2), SMT_SAT);
	CHECK(smt_model_value(s, b12, &v) && v == 8);
	/* An unsatisfiable prefix stays so under extension. */
	conds[3] = smt_cmp(s, SMT_UGT, field16(s, pkt, 20), smt_num(s, 1024, 16));
	CHECK_EQ_INT(smt_check(s, conds, 3), SMT_UNSAT);
	CHECK_EQ_INT(smt_check(s, conds, 4), SMT_UNSAT);
	conds[2] = conds[3];
	CHECK_EQ_INT(smt_check(s, conds, 3), SMT_SAT);
	CHECK(smt_model_value(s, field16(s, pkt, 20), &v) && v > 1024);
	/* Constants and the empty conjunction. */
	conds[0] = smt_bool(s, true);
	CHECK_EQ_INT(smt_check(s, conds, 1), SMT_SAT);
	conds[1] = smt_bool(s, false);
	CHECK_EQ_INT(smt_check(s, conds, 2), SMT_UNSAT);
	CHECK_EQ_INT(smt_check(s, NULL, 0), SMT_SAT);
	CHECK_STR(smt_reason(s), "");
	smt_free(s);
}

/*---- Random conditions over a packet, rebuilt in any context from a seed ----*/

#define PKT_LEN 24

/* Condition number 'k' of a family: a comparison of a 8/16/32-bit packet field, or of a masked
** field, or of a variable, with a constant. Narrow offsets and small constants make
** conflicts (unsat) common. */
static smt_t
rand_cond(struct smt *s, uint64_t seed, unsigned k)
{
	struct rng r;
	smt_t pkt = smt_array(s, "pkt"), f, c;
	unsigned bytes, off, w;
	uint64_t v;
	enum smt_cmp op;

	rng_init(&r, seed * 1000003 + k);
	bytes = (unsigned[]){ 1, 1, 2, 4 }[rng_below(&r, 4)];
	off = (unsigned)rng_below(&r, PKT_LEN - bytes + 1);
	f = smt_select(s, pkt, smt_num(s, off, 64));
	for (unsigned i = 1; i < bytes; i++)
		f = smt_concat(s, f, smt_select(s, pkt, smt_num(s, off + i, 64)));
	w = 8 * bytes;
	if (rng_below(&r, 5) == 0)
		f = smt_binop(s, SMT_ADD, smt_zext(s, f, 32), smt_var(s, "x", 32)), w = 32;
	if (rng_below(&r, 4) == 0)
		f = smt_binop(s, SMT_AND, f, smt_num(s, rng_u64(&r), w));
	v = rng_below(&r, 4) ? rng_below(&r, 8) : rng_u64(&r) & mask(w);
	op = (enum smt_cmp)rng_below(&r, NCMP);
	c = smt_cmp(s, op, f, smt_num(s, v, w));
	return rng_below(&r, 3) ? c : smt_not(s, c);
}

/* After SAT: the model, read back byte by byte, satisfies every condition under smt_eval. */
static void
check_model(struct smt *s, smt_t const *conds, size_t n)
{
	struct smt_env *env = smt_env_new(s);
	smt_t pkt = smt_array(s, "pkt"), x = smt_var(s, "x", 32);
	uint8_t bytes[PKT_LEN];
	uint64_t v;

	for (unsigned i = 0; i < PKT_LEN; i++) {
		if (!smt_model_value(s, smt_select(s, pkt, smt_num(s, i, 64)), &v)) {
			FAIL("no model value for pkt[%u]", i);
			break;
		}
		bytes[i] = (uint8_t)v;
	}
	smt_env_set_array(env, pkt, bytes, PKT_LEN);
	CHECK(smt_model_value(s, x, &v));
	smt_env_set(env, x, v);
	for (size_t i = 0; i < n; i++) {
		if (!smt_eval(env, conds[i], &v) || v != 1)
			FAIL("condition %zu is not true in the model", i);
		if (!smt_model_value(s, conds[i], &v) || v != 1)
			FAIL("condition %zu is not true in Z3's model", i);
	}
	smt_env_free(env);
}

static void
test_smt__incremental_vs_fresh(void)
{
	struct smt *s = smt_new(0);
	const uint64_t seed = 20240611;
	struct rng r;
	unsigned path[32], n = 0, nsat = 0, nunsat = 0;
	smt_t conds[32];
	uint64_t solved, hits;

	printf("# seed %llu\n", (unsigned long long)seed);
	rng_init(&r, seed);
	for (int q = 0; q < 150; q++) {
		enum smt_result inc, fresh;
		struct smt *f;
		smt_t fconds[32];
		/* Back up a random amount, then go down a random amount: a random DFS walk. */
		n = (unsigned)rng_below(&r, n + 1);
		for (unsigned add = 1 + (unsigned)rng_below(&r, 4); add > 0 && n < 32; add--)
			path[n++] = (unsigned)rng_below(&r, 60);
		for (unsigned i = 0; i < n; i++)
			conds[i] = rand_cond(s, seed, path[i]);
		inc = smt_check(s, conds, n);
		if (inc == SMT_SAT)
			check_model(s, conds, n);
		f = smt_new(0);
		for (unsigned i = 0; i < n; i++)
			fconds[i] = rand_cond(f, seed, path[i]);
		fresh = smt_check(f, fconds, n);
		if (inc != fresh)
			FAIL("query %d (%u conditions): incremental %d, fresh %d", q, n, inc, fresh);
		smt_free(f);
		nsat += inc == SMT_SAT;
		nunsat += inc == SMT_UNSAT;
		if (inc == SMT_UNSAT && n > 0)
			n--;	/* go on from a (more likely) feasible prefix */
	}
	smt_counts(s, &solved, &hits);
	printf("# %u sat, %u unsat; %llu checks by Z3, %llu by earlier models\n", nsat, nunsat,
	       (unsigned long long)solved, (unsigned long long)hits);
	CHECK(nsat > 20);
	CHECK(nunsat > 20);
	CHECK(hits > 5);	/* the model cache's answers were among those compared */
	smt_free(s);
}

/* The model cache: a model of an earlier check answers SAT (variables it does not mention read
** as zero), never UNSAT; model values come from it, or from Z3 where the evaluator cannot. */
static void
test_smt__model_cache(void)
{
	struct smt *s = smt_new(0);
	smt_t x = smt_var(s, "x", 32), y = smt_var(s, "y", 16), b = smt_var(s, "b", 0);
	smt_t x5 = smt_cmp(s, SMT_EQ, x, smt_num(s, 5, 32));
	smt_t q1[1] = { x5 };
	smt_t q2[2] = { smt_cmp(s, SMT_ULT, x, smt_num(s, 9, 32)),
			smt_cmp(s, SMT_EQ, y, smt_num(s, 0, 16)) };
	smt_t q3[2] = { x5, smt_cmp(s, SMT_EQ, y, smt_num(s, 1, 16)) };
	smt_t q4[2] = { x5, smt_cmp(s, SMT_UGT, x, smt_num(s, 7, 32)) };
	smt_t q5[2] = { smt_cmp(s, SMT_UGT, x, smt_num(s, 3, 32)), smt_not(s, b) };
	uint64_t solved, hits, v;

	CHECK(smt_check(s, q1, 1) == SMT_SAT);
	smt_counts(s, &solved, &hits);
	CHECK(solved == 1 && hits == 0);
	/* x=5 and the unmentioned y=0 satisfy q2: no solver. */
	CHECK(smt_check(s, q2, 2) == SMT_SAT);
	smt_counts(s, &solved, &hits);
	CHECK(solved == 1 && hits == 1);
	CHECK(smt_model_value(s, x, &v) && v == 5);
	CHECK(smt_model_value(s, y, &v) && v == 0);
	CHECK(smt_model_value(s, smt_binop(s, SMT_ADD, x, smt_num(s, 1, 32)), &v) && v == 6);
	/* Wider than the evaluator: Z3 solves the same conditions again. */
	CHECK(smt_model_value(s, smt_extract(s, smt_concat(s, x, smt_concat(s, x, x)), 63, 0), &v) &&
	      v >> 32 == (v & 0xffffffff) && v >> 32 < 9);
	smt_counts(s, &solved, &hits);
	CHECK(solved == 2);
	/* The model fails y=1: Z3 answers, and its model joins the cache. */
	CHECK(smt_check(s, q3, 2) == SMT_SAT);
	CHECK(smt_model_value(s, y, &v) && v == 1);
	smt_counts(s, &solved, &hits);
	CHECK(solved == 3 && hits == 1);
	/* UNSAT always comes from Z3. */
	CHECK(smt_check(s, q4, 2) == SMT_UNSAT);
	smt_counts(s, &solved, &hits);
	CHECK(solved == 4 && hits == 1);
	/* A boolean the models leave out is false. */
	CHECK(smt_check(s, q5, 2) == SMT_SAT);
	CHECK(smt_model_value(s, b, &v) && v == 0);
	smt_counts(s, &solved, &hits);
	CHECK(solved == 4 && hits == 2);
	smt_free(s);
}

static void
test_smt__kinds(void)
{
	struct smt *s = smt_new(0);
	smt_t x = smt_var(s, "x", 32), y = smt_var(s, "y", 32), pkt = smt_array(s, "pkt");
	smt_t b = smt_var(s, "flag", 0), e, sel;
	unsigned hi, lo;
	int sub;
	uint64_t v;

	CHECK(smt_var(s, "x", 32) == x);
	CHECK_EQ_INT(smt_kind(s, x, &sub), SMT_K_VAR);
	CHECK_STR(smt_name(s, x), "x");
	CHECK_STR(smt_name(s, pkt), "pkt");
	CHECK_EQ_INT(smt_kind(s, pkt, NULL), SMT_K_ARRAY);
	CHECK_EQ_INT(smt_kind(s, b, NULL), SMT_K_VAR);
	CHECK(smt_is_bool(s, b) && smt_bits(s, b) == 0);
	CHECK_EQ_INT(smt_bits(s, pkt), 0);
	CHECK_EQ_INT(smt_bits(s, x), 32);
	CHECK_EQ_INT(smt_kind(s, smt_num(s, 7, 8), NULL), SMT_K_NUM);
	CHECK_EQ_INT(smt_kind(s, smt_bool(s, true), NULL), SMT_K_TRUE);
	CHECK_EQ_INT(smt_kind(s, smt_bool(s, false), NULL), SMT_K_FALSE);
	for (int op = 0; op < NBINOP; op++) {
		e = smt_binop(s, op, x, y);
		CHECK_EQ_INT(smt_kind(s, e, &sub), SMT_K_BINOP);
		CHECK_EQ_INT(sub, op);
		CHECK_EQ_INT(smt_nargs(s, e), 2);
		CHECK(smt_arg(s, e, 0) == x && smt_arg(s, e, 1) == y);
		CHECK(smt_arg(s, e, 2) == NULL);
	}
	for (int op = 0; op < NCMP; op++) {
		e = smt_cmp(s, op, x, y);
		CHECK_EQ_INT(smt_kind(s, e, &sub), SMT_K_CMP);
		CHECK_EQ_INT(sub, op);
		CHECK(smt_arg(s, e, 0) == x && smt_arg(s, e, 1) == y);
	}
	e = smt_extract(s, x, 15, 4);
	CHECK_EQ_INT(smt_kind(s, e, NULL), SMT_K_EXTRACT);
	smt_extract_bounds(s, e, &hi, &lo);
	CHECK(hi == 15 && lo == 4);
	CHECK_EQ_INT(smt_bits(s, e), 12);
	CHECK_EQ_INT(smt_kind(s, smt_zext(s, x, 64), NULL), SMT_K_ZEXT);
	CHECK_EQ_INT(smt_kind(s, smt_sext(s, x, 40), NULL), SMT_K_SEXT);
	CHECK_EQ_INT(smt_kind(s, smt_concat(s, x, y), NULL), SMT_K_CONCAT);
	CHECK_EQ_INT(smt_kind(s, smt_bvnot(s, x), NULL), SMT_K_BVNOT);
	CHECK_EQ_INT(smt_kind(s, smt_not(s, b), NULL), SMT_K_NOT);
	CHECK_EQ_INT(smt_kind(s, smt_and(s, b, smt_cmp(s, SMT_EQ, x, y)), NULL), SMT_K_AND);
	CHECK_EQ_INT(smt_kind(s, smt_or(s, b, smt_cmp(s, SMT_EQ, x, y)), NULL), SMT_K_OR);
	CHECK_EQ_INT(smt_kind(s, smt_ite(s, b, x, y), NULL), SMT_K_ITE);
	CHECK_EQ_INT(smt_kind(s, smt_bool_to_bv(s, b), NULL), SMT_K_ITE);
	sel = smt_select(s, pkt, x);	/* a 32-bit index is widened */
	CHECK_EQ_INT(smt_kind(s, sel, NULL), SMT_K_SELECT);
	CHECK(smt_arg(s, sel, 0) == pkt);
	CHECK_EQ_INT(smt_kind(s, smt_arg(s, sel, 1), NULL), SMT_K_ZEXT);
	CHECK_EQ_INT(smt_kind(s, smt_store(s, pkt, smt_num(s, 1, 64), sel), NULL), SMT_K_STORE);

	/* After Z3's simplifier: negation, n-ary sums, concat of extracts. */
	e = smt_simplify(s, smt_binop(s, SMT_SUB, smt_num(s, 0, 32), x));
	CHECK_EQ_INT(smt_kind(s, e, &sub), SMT_K_BINOP);
	CHECK_EQ_INT(sub, SMT_MUL);
	e = smt_simplify(s, smt_binop(s, SMT_ADD, smt_binop(s, SMT_ADD, x, y), smt_num(s, 3, 32)));
	CHECK_EQ_INT(smt_kind(s, e, &sub), SMT_K_BINOP);
	CHECK_EQ_INT(sub, SMT_ADD);
	CHECK_EQ_INT(smt_nargs(s, e), 3);
	CHECK(smt_is_num(s, smt_arg(s, e, 0), &v) && v == 3);
	e = smt_simplify(s, smt_extract(s, smt_concat(s, x, y), 47, 16));
	CHECK_EQ_INT(smt_kind(s, e, NULL), SMT_K_CONCAT);
	CHECK_EQ_INT(smt_bits(s, e), 32);
	e = smt_simplify(s, smt_cmp(s, SMT_NE, x, y));
	CHECK_EQ_INT(smt_kind(s, e, NULL), SMT_K_NOT);
	CHECK_EQ_INT(smt_kind(s, smt_arg(s, e, 0), &sub), SMT_K_CMP);
	CHECK_EQ_INT(sub, SMT_EQ);
	e = smt_simplify(s, smt_cmp(s, SMT_UGT, x, y));
	CHECK_EQ_INT(smt_kind(s, e, NULL), SMT_K_NOT);
	CHECK_EQ_INT(smt_kind(s, smt_arg(s, e, 0), &sub), SMT_K_CMP);
	CHECK_EQ_INT(sub, SMT_ULE);
	CHECK_EQ_INT(smt_kind(s, smt_simplify(s, smt_binop(s, SMT_ADD, smt_num(s, 1, 8),
							       smt_num(s, 2, 8))), NULL), SMT_K_NUM);
	smt_free(s);
}

/* smt_eval agrees with itself on Z3's simplified forms (which use more operators than we build). */
static void
test_smt__eval_simplified(void)
{
	struct smt *s = smt_new(0);
	struct smt_env *env = smt_env_new(s);
	smt_t x = smt_var(s, "x", 32), y = smt_var(s, "y", 32), pkt = smt_array(s, "pkt");
	smt_t f = field16(s, pkt, 2), exprs[12];
	uint8_t bytes[8];
	struct rng r;
	size_t ne = 0;

	exprs[ne++] = smt_binop(s, SMT_SUB, x, smt_binop(s, SMT_SHL, y, smt_num(s, 3, 32)));
	exprs[ne++] = smt_extract(s, smt_binop(s, SMT_MUL, smt_concat(s, x, y),
					      smt_num(s, 0x10001, 64)), 39, 8);
	exprs[ne++] = smt_cmp(s, SMT_SGT, smt_sext(s, f, 32), x);
	exprs[ne++] = smt_cmp(s, SMT_UGE, smt_zext(s, f, 32), smt_binop(s, SMT_AND, x,
									smt_num(s, 0xffff, 32)));
	exprs[ne++] = smt_bool_to_bv(s, smt_or(s, smt_cmp(s, SMT_NE, x, y),
					       smt_cmp(s, SMT_SLE, y, smt_num(s, 5, 32))));
	exprs[ne++] = smt_binop(s, SMT_OR, smt_bvnot(s, x), smt_binop(s, SMT_XOR, y, x));
	exprs[ne++] = smt_ite(s, smt_cmp(s, SMT_ULT, x, y), smt_binop(s, SMT_UDIV, x, y),
			      smt_binop(s, SMT_SREM, y, x));
	exprs[ne++] = smt_binop(s, SMT_ASHR, smt_concat(s, f, f), smt_extract(s, y, 31, 0));
	exprs[ne++] = smt_zext(s, smt_extract(s, smt_binop(s, SMT_LSHR, x, smt_num(s, 4, 32)), 0, 0),
			       32);
	exprs[ne++] = smt_select(s, smt_store(s, pkt, smt_zext(s, x, 64), smt_extract(s, y, 7, 0)),
				 smt_num(s, 3, 64));
	exprs[ne++] = smt_cmp(s, SMT_EQ, smt_binop(s, SMT_SDIV, x, smt_num(s, 2, 32)),
			      smt_binop(s, SMT_ASHR, x, smt_num(s, 1, 32)));
	exprs[ne++] = smt_not(s, smt_and(s, smt_cmp(s, SMT_EQ, smt_extract(s, x, 7, 0),
						    smt_num(s, 3, 8)), smt_cmp(s, SMT_ULE, x, y)));
	rng_init(&r, 77);
	for (int it = 0; it < 300; it++) {
		uint64_t vx = rng_below(&r, 3) ? rng_u64(&r) : rng_below(&r, 9);
		uint64_t vy = rng_below(&r, 3) ? rng_u64(&r) : rng_below(&r, 9);
		for (int i = 0; i < 8; i++)
			bytes[i] = (uint8_t)rng_u64(&r);
		smt_env_set(env, x, vx);
		smt_env_set(env, y, vy);
		smt_env_set_array(env, pkt, bytes, sizeof bytes);
		for (size_t i = 0; i < ne; i++) {
			smt_t simp = smt_simplify(s, exprs[i]);
			uint64_t a, b;
			if (!smt_eval(env, exprs[i], &a) || !smt_eval(env, simp, &b) || a != b) {
				char *t = smt_sexpr(s, simp);
				FAIL("expr %zu x=%#llx y=%#llx: %#llx vs %#llx for %s", i,
				     (unsigned long long)vx, (unsigned long long)vy,
				     (unsigned long long)a, (unsigned long long)b, t);
				free(t);
				break;
			}
		}
	}
	smt_env_free(env);
	smt_free(s);
}

static void
test_smt__eval(void)
{
	struct smt *s = smt_new(0);
	struct smt_env *env = smt_env_new(s);
	smt_t pkt = smt_array(s, "pkt"), i = smt_var(s, "i", 64), v = smt_var(s, "v", 8);
	smt_t st = smt_store(s, smt_store(s, pkt, smt_num(s, 3, 64), smt_num(s, 0xaa, 8)), i, v);
	smt_t b = smt_var(s, "b", 0), u = smt_var(s, "unset", 16);
	static const uint8_t bytes[6] = { 10, 11, 12, 13, 14, 15 };
	uint64_t r = 99;

	/* Nothing set yet: everything symbolic fails and leaves *v alone. */
	CHECK(!smt_eval(env, smt_select(s, pkt, smt_num(s, 0, 64)), &r) && r == 99);
	CHECK(smt_eval(env, smt_num(s, 5, 8), &r) && r == 5);
	smt_env_set_array(env, pkt, bytes, sizeof bytes);
	CHECK(!smt_eval(env, smt_select(s, st, smt_num(s, 0, 64)), &r));	/* i unset */
	smt_env_set(env, i, 5);
	smt_env_set(env, v, 0x1ff);	/* masked to 8 bits */
	CHECK(smt_eval(env, smt_select(s, st, smt_num(s, 0, 64)), &r) && r == 10);
	CHECK(smt_eval(env, smt_select(s, st, smt_num(s, 3, 64)), &r) && r == 0xaa);
	CHECK(smt_eval(env, smt_select(s, st, smt_num(s, 5, 64)), &r) && r == 0xff);
	CHECK(smt_eval(env, smt_select(s, st, smt_num(s, 6, 64)), &r) && r == 0);
	CHECK(smt_eval(env, smt_select(s, st, smt_num(s, 1000, 64)), &r) && r == 0);
	CHECK(smt_eval(env, smt_select(s, st, i), &r) && r == 0xff);
	smt_env_set(env, i, 3);
	CHECK(smt_eval(env, smt_select(s, st, smt_num(s, 3, 64)), &r) && r == 0xff);
	CHECK(smt_eval(env, field16(s, st, 2), &r) && r == 0x0cff);
	/* A shorter packet replaces the longer one. */
	smt_env_set_array(env, pkt, bytes, 2);
	CHECK(smt_eval(env, smt_select(s, pkt, smt_num(s, 2, 64)), &r) && r == 0);
	CHECK(smt_eval(env, smt_select(s, pkt, smt_num(s, 1, 64)), &r) && r == 11);
	/* Unset variables fail, but not where the answer does not depend on them. */
	CHECK(!smt_eval(env, smt_binop(s, SMT_ADD, u, smt_num(s, 1, 16)), &r));
	CHECK(!smt_eval(env, b, &r));
	CHECK(smt_eval(env, smt_and(s, smt_cmp(s, SMT_EQ, i, smt_num(s, 4, 64)),
				    smt_cmp(s, SMT_EQ, u, smt_num(s, 1, 16))), &r) && r == 0);
	CHECK(!smt_eval(env, smt_and(s, smt_cmp(s, SMT_EQ, i, smt_num(s, 3, 64)),
				     smt_cmp(s, SMT_EQ, u, smt_num(s, 1, 16))), &r));
	smt_env_set(env, b, 7);
	CHECK(smt_eval(env, b, &r) && r == 1);
	CHECK(smt_eval(env, smt_ite(s, b, smt_zext(s, v, 16), u), &r) && r == 0xff);
	CHECK(smt_eval(env, smt_bool_to_bv(s, smt_not(s, b)), &r) && r == 0);
	smt_env_set(env, u, 0x8000);
	CHECK(smt_eval(env, smt_sext(s, u, 64), &r) && r == 0xffffffffffff8000ULL);
	CHECK(smt_eval(env, smt_cmp(s, SMT_SLT, u, smt_num(s, 0, 16)), &r) && r == 1);
	CHECK(smt_eval(env, smt_extract(s, smt_concat(s, u, v), 15, 4), &r) && r == 0x00f);
	/* Arrays are not values; NULL is nothing. */
	CHECK(!smt_eval(env, pkt, &r));
	CHECK(!smt_eval(env, NULL, &r));
	/* A second environment is independent. */
	{
		struct smt_env *e2 = smt_env_new(s);
		CHECK(!smt_eval(e2, i, &r));
		smt_env_free(e2);
	}
	smt_env_free(env);
	smt_free(s);
}

/* Expressions made before thousands of solver pushes and pops, and before the temporaries made
** meanwhile, still work afterwards (run under valgrind or ASan to see it). */
static void
test_smt__asts_survive_push_pop(void)
{
	struct smt *s = smt_new(0);
	struct smt_env *env = smt_env_new(s);
	smt_t pkt = smt_array(s, "pkt"), x = smt_var(s, "x", 16);
	smt_t keep = smt_cmp(s, SMT_UGT, smt_binop(s, SMT_ADD, field16(s, pkt, 0), x),
			     smt_num(s, 1000, 16));
	char *before = smt_sexpr(s, keep), *after;
	smt_t conds[8];
	uint8_t bytes[2] = { 0x12, 0x34 };
	uint64_t r;

	for (int it = 0; it < 2000; it++) {
		unsigned n = 1 + it % 8;
		for (unsigned i = 0; i < n; i++)
			conds[i] = smt_cmp(s, SMT_NE, smt_select(s, pkt, smt_num(s, (it + i) % 64, 64)),
					   smt_num(s, (uint64_t)it & 0xff, 8));
		smt_check(s, conds, n);
		if (it % 100 == 0)
			smt_simplify(s, smt_and(s, conds[0], keep));
	}
	after = smt_sexpr(s, keep);
	CHECK_STR(before, after);
	CHECK_EQ_INT(smt_kind(s, keep, NULL), SMT_K_CMP);
	conds[0] = keep;
	conds[1] = smt_cmp(s, SMT_EQ, x, smt_num(s, 7, 16));
	CHECK_EQ_INT(smt_check(s, conds, 2), SMT_SAT);
	smt_env_set_array(env, pkt, bytes, 2);
	smt_env_set(env, x, 7);
	CHECK(smt_eval(env, keep, &r) && r == (0x1234 + 7 > 1000));
	free(before);
	free(after);
	smt_env_free(env);
	smt_free(s);
}

static void
test_smt__misc(void)
{
	struct smt *s = smt_new(0);
	smt_t x = smt_var(s, "x", 8), e = smt_binop(s, SMT_ADD, x, smt_num(s, 1, 8));
	char *t = smt_sexpr(s, e);

	CHECK_STR(t, "(bvadd x #x01)");
	free(t);
	CHECK(smt_id(s, e) == smt_id(s, smt_binop(s, SMT_ADD, x, smt_num(s, 1, 8))));
	CHECK(smt_id(s, e) != smt_id(s, x));
	/* Misuse gives NULL instead of ending the process (Z3's default). */
	CHECK(smt_binop(s, SMT_ADD, x, smt_var(s, "w", 16)) == NULL);
	CHECK(smt_num(s, 1, 0) == NULL && smt_num(s, 1, 65) == NULL);
	CHECK(smt_extract(s, x, 8, 0) == NULL);
	smt_free(NULL);
	smt_env_free(NULL);
	smt_free(s);
}

/* smt_vars: each variable once, left to right, a count past 'max', and a DAG whose tree
** would have 2^40 leaves (walked as a tree, this test would never end). */
static void
test_smt__vars(void)
{
	struct smt *s = smt_new(0);
	smt_t x = smt_var(s, "x", 8), y = smt_var(s, "y", 8), z = smt_var(s, "z", 8);
	smt_t e = smt_binop(s, SMT_ADD, smt_binop(s, SMT_XOR, x, y), smt_binop(s, SMT_AND, y, z));
	smt_t out[3], d = x;

	CHECK(smt_vars(s, e, out, 3) == 3 && out[0] == x && out[1] == y && out[2] == z);
	CHECK(smt_vars(s, e, out, 1) == 3 && out[0] == x);
	CHECK(smt_vars(s, smt_num(s, 7, 8), out, 3) == 0);
	for (int i = 0; i < 40; i++)
		d = smt_binop(s, SMT_ADD, d, smt_binop(s, SMT_MUL, d, y));
	CHECK(smt_vars(s, d, out, 3) == 2 && out[0] == x && out[1] == y);
	smt_free(s);
}

/* A hard check under a 1 ms budget gives UNKNOWN with a reason. */
static void
test_smt__timeout(void)
{
	struct smt *s = smt_new(1);
	smt_t x = smt_var(s, "x", 64), y = smt_var(s, "y", 64);
	smt_t conds[3] = {
		smt_cmp(s, SMT_EQ, smt_binop(s, SMT_MUL, x, y), smt_num(s, 2147483647ULL * 2147483629ULL, 64)),
		smt_cmp(s, SMT_UGT, x, smt_num(s, 1, 64)),
		smt_cmp(s, SMT_UGT, y, x),
	};
	enum smt_result r = smt_check(s, conds, 3);

	CHECK(r == SMT_UNKNOWN || r == SMT_SAT);
	if (r == SMT_UNKNOWN)
		CHECK(smt_reason(s)[0] != '\0');
	printf("# 1 ms factoring: %s (%s)\n", r == SMT_UNKNOWN ? "unknown" : "sat", smt_reason(s));
	smt_free(s);
}

/*---- Timings (printed, not checked) ----*/

static unsigned ndfs;

static void
dfs(struct smt *s, smt_t const *chain, smt_t *path, unsigned depth, unsigned len)
{
	for (int side = 0; side < 2 && ndfs < 1000 && depth < len; side++) {
		path[depth] = side ? smt_not(s, chain[depth]) : chain[depth];
		ndfs++;
		if (smt_check(s, path, depth + 1) == SMT_SAT)
			dfs(s, chain, path, depth + 1, len);
	}
}

static void
test_smt__timing(void)
{
	struct smt *s = smt_new(0);
	struct smt_env *env = smt_env_new(s);
	smt_t chain[30], path[30], big = smt_num(s, 0, 8), pkt = smt_array(s, "pkt");
	uint8_t bytes[PKT_LEN];
	unsigned nnodes = 0;
	double t0, t1;
	uint64_t v, sum = 0;
	int nev = 200000;

	for (unsigned i = 0; i < 30; i++)
		chain[i] = rand_cond(s, 4242, i);
	t0 = clock_seconds();
	dfs(s, chain, path, 0, 30);
	t1 = clock_seconds();
	printf("# DFS over a 30-condition chain: %u checks, %.1f us per check\n", ndfs,
	       (t1 - t0) * 1e6 / ndfs);

	/* About 50 nodes: how many of 4 packet-field conditions hold (a sum, so no evaluation
	** stops early the way a conjunction would). */
	for (unsigned i = 0; i < 4; i++)
		big = smt_binop(s, SMT_ADD, big, smt_zext(s, smt_bool_to_bv(s, rand_cond(s, 99, i)), 8));
	{
		/* Count the distinct nodes under 'big', by id. */
		smt_t stack[256];
		unsigned seen[256], nseen = 0, sp = 0;
		stack[sp++] = big;
		while (sp) {
			smt_t e = stack[--sp];
			unsigned id = smt_id(s, e), k;
			for (k = 0; k < nseen && seen[k] != id; k++)
				;
			if (k < nseen || nseen == 256)
				continue;
			seen[nseen++] = id;
			for (unsigned j = 0; j < smt_nargs(s, e) && sp < 256; j++)
				stack[sp++] = smt_arg(s, e, j);
		}
		nnodes = nseen;
	}
	smt_env_set(env, smt_var(s, "x", 32), 3);
	t0 = clock_seconds();
	for (int it = 0; it < nev; it++) {
		for (int i = 0; i < PKT_LEN; i++)
			bytes[i] = (uint8_t)(it * 7 + i);
		smt_env_set_array(env, pkt, bytes, PKT_LEN);
		if (smt_eval(env, big, &v))
			sum += v + 1;
	}
	t1 = clock_seconds();
	CHECK(sum > 0);
	printf("# smt_eval of a %u-node expression: %.0f ns per evaluation (with env_set_array)\n",
	       nnodes, (t1 - t0) * 1e9 / nev);
	smt_env_free(env);
	smt_free(s);
}

int
main(void)
{
	RUN(test_smt__fold);
	RUN(test_smt__fold_matches_z3);
	RUN(test_smt__simplify_on_build);
	RUN(test_smt__packet);
	RUN(test_smt__incremental_vs_fresh);
	RUN(test_smt__model_cache);
	RUN(test_smt__vars);
	RUN(test_smt__kinds);
	RUN(test_smt__eval_simplified);
	RUN(test_smt__eval);
	RUN(test_smt__asts_survive_push_pop);
	RUN(test_smt__misc);
	RUN(test_smt__timeout);
	RUN(test_smt__timing);
	return TEST_DONE();
}
