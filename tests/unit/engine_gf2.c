/* Unit tests for engine/gf2: ranks, the reduced form, solution counts and forced zeros against
** brute force, samples that solve and spread, overrides, tags, and the time a reduce takes. */
#include "engine/gf2.h"

#include <time.h>

#include "engine/xalloc.h"

#include "tests/test.h"

#define WORDS_MAX 10	/* up to 640 unknowns */

static unsigned
words_of(unsigned n)
{
	return (n + 63) / 64;
}

/* A random row over n unknowns; each bit set with probability 1/sparse (sparse >= 1). */
static void
rand_row(struct rng *r, unsigned n, unsigned sparse, uint64_t *row)
{
	unsigned words = words_of(n);

	memset(row, 0, words * sizeof *row);
	for (unsigned j = 0; j < n; j++)
		if (sparse == 2 ? rng_u64(r) >> 63 : rng_below(r, sparse) == 0)
			gf2_set(row, j);
}

/* m equations over n unknowns drawn from the span of d random rows: so the rank is at most d,
** and there are duplicates (1 in 8), zero rows (1 in 16) and plain dependent combinations. */
static uint64_t *
gen_rows(struct rng *r, unsigned n, unsigned d, unsigned m, unsigned sparse)
{
	unsigned words = words_of(n);
	uint64_t *basis = xcalloc((size_t)d + 1, WORDS_MAX * sizeof *basis);
	uint64_t *rows = xcalloc((size_t)m + 1, words * sizeof *rows);

	for (unsigned i = 0; i < d; i++)
		rand_row(r, n, sparse, basis + (size_t)i * WORDS_MAX);
	for (unsigned i = 0; i < m; i++) {
		uint64_t *row = rows + (size_t)i * words;
		unsigned kind = (unsigned)rng_below(r, 16);

		if (kind < 2 && i > 0) {
			memcpy(row, rows + rng_below(r, i) * words, words * sizeof *row);
			continue;
		}
		if (kind == 2)
			continue;
		for (unsigned b = 0; b < d; b++)
			if (rng_u64(r) >> 63)
				for (unsigned k = 0; k < words; k++)
					row[k] ^= basis[(size_t)b * WORDS_MAX + k];
	}
	free(basis);
	return rows;
}

static void
sys_from(struct gf2_sys *s, unsigned n, const uint64_t *rows, unsigned m)
{
	gf2_init(s, n);
	for (unsigned i = 0; i < m; i++)
		gf2_add(s, rows + (size_t)i * words_of(n), i);
}

static bool
solves(const uint64_t *rows, unsigned m, uint64_t x)
{
	for (unsigned i = 0; i < m; i++)
		if (__builtin_parityll(rows[i] & x))
			return false;
	return true;
}

/* Bit i of the result: every solution has x[i] == 0. Rows are one word (n <= 16). */
static unsigned
brute(const uint64_t *rows, unsigned m, unsigned n, uint64_t *out_count)
{
	uint64_t any = 0, count = 0;

	for (uint64_t x = 0; x < 1ULL << n; x++)
		if (solves(rows, m, x)) {
			count++;
			any |= x;
		}
	*out_count = count;
	return (unsigned)(~any & ((1ULL << n) - 1));
}

static void
test_gf2__rank_known(void)
{
	uint64_t id[200][4], rows[16][3], copy[16][3];

	memset(id, 0, sizeof id);
	for (unsigned i = 0; i < 200; i++)
		gf2_set(id[i], i);
	CHECK_EQ_INT(gf2_rank(id[0], 200, 4), 200);
	CHECK_EQ_INT(gf2_rank(id[0], 64, 4), 64);
	CHECK_EQ_INT(gf2_rank(id[0], 0, 4), 0);

	/* Duplicates, dependent rows and zero rows. */
	memset(rows, 0, sizeof rows);
	for (unsigned i = 0; i < 5; i++)
		rows[i][0] = 0x5a;
	CHECK_EQ_INT(gf2_rank(rows[0], 5, 3), 1);
	CHECK_EQ_INT(gf2_rank(rows[5], 4, 3), 0);
	rows[1][0] = 0x0f;
	rows[2][0] = 0x5a ^ 0x0f;
	CHECK_EQ_INT(gf2_rank(rows[0], 3, 3), 2);

	/* Rows at and across the word boundaries: bits 63, 64, 127, 128. */
	memset(rows, 0, sizeof rows);
	gf2_set(rows[0], 63);
	gf2_set(rows[1], 64);
	gf2_set(rows[2], 127);
	gf2_set(rows[3], 128);
	CHECK_EQ_INT(gf2_rank(rows[0], 4, 3), 4);
	gf2_set(rows[4], 63);
	gf2_set(rows[4], 64);
	gf2_set(rows[5], 127);
	gf2_set(rows[5], 128);
	gf2_set(rows[6], 64);
	gf2_set(rows[6], 127);
	CHECK_EQ_INT(gf2_rank(rows[4], 3, 3), 3);
	CHECK_EQ_INT(gf2_rank(rows[0], 7, 3), 4);
	/* 63+64, 64+127, 127+128 and 63+128 sum to zero. */
	gf2_set(rows[7], 63);
	gf2_set(rows[7], 128);
	CHECK_EQ_INT(gf2_rank(rows[4], 4, 3), 3);
	memcpy(copy, rows, sizeof rows);
	CHECK_EQ_INT(gf2_rank(rows[0], 16, 3), 4);
	CHECK(memcmp(copy, rows, sizeof rows) == 0);

	/* The system agrees, and counts its free unknowns. */
	{
		struct gf2_sys s;

		sys_from(&s, 129, rows[0], 16);
		CHECK_EQ_INT(gf2_reduce(&s), 4);
		CHECK_EQ_INT(gf2_free(&s), 125);
		gf2_release(&s);
		sys_from(&s, 200, id[0], 200);
		CHECK_EQ_INT(gf2_free(&s), 0);
		gf2_release(&s);
	}
}

/* The reduced form: rows sorted by pivot, each pivot the row's lowest bit and alone in its
** column, the same row space as the input. */
static void
check_form(struct gf2_sys *s, const uint64_t *rows, unsigned m, const char *what)
{
	unsigned words = s->words, n = s->n_vars, npiv = 0;
	uint64_t *both;

	if (s->n_rows != s->rank || !s->reduced) {
		FAIL("%s: n_rows %u, rank %u, reduced %d", what, s->n_rows, s->rank, s->reduced);
		return;
	}
	for (unsigned j = 0; j < n; j++)
		npiv += s->is_pivot[j];
	if (npiv != s->rank)
		FAIL("%s: %u pivots flagged, rank %u", what, npiv, s->rank);
	for (unsigned i = 0; i < s->rank; i++) {
		const uint64_t *row = s->rows + (size_t)i * words;
		unsigned p = s->pivot[i], low = 0;

		if (i > 0 && s->pivot[i - 1] >= p)
			FAIL("%s: pivots out of order at %u", what, i);
		if (p >= n || !s->is_pivot[p])
			FAIL("%s: pivot %u of row %u not flagged", what, p, i);
		while (low < n && !gf2_get(row, low))
			low++;
		if (low != p)
			FAIL("%s: row %u: lowest bit %u, pivot %u", what, i, low, p);
		for (unsigned j = 0; j < s->rank; j++)
			if (j != i && gf2_get(s->rows + (size_t)j * words, p))
				FAIL("%s: pivot %u also in row %u", what, p, j);
		for (unsigned j = n; j < words * 64; j++)
			if (gf2_get(row, j))
				FAIL("%s: row %u has bit %u past n", what, i, j);
	}
	CHECK_EQ_INT(gf2_rank(rows, m, words), s->rank);
	both = xmalloc(((size_t)m + s->rank + 1) * words * sizeof *both);
	memcpy(both, rows, (size_t)m * words * sizeof *both);
	if (s->rank)	/* rows is NULL when nothing was ever stored */
		memcpy(both + (size_t)m * words, s->rows, (size_t)s->rank * words * sizeof *both);
	CHECK_EQ_INT(gf2_rank(both, m + s->rank, words), s->rank);
	free(both);
}

static void
test_gf2__reduce_form(void)
{
	static const unsigned ns[] = { 1, 2, 7, 63, 64, 65, 127, 128, 129, 200, 300, 350, 420, 512,
				       513, 640 };
	struct rng r;

	rng_init(&r, 1);
	for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++)
		for (unsigned rep = 0; rep < 6; rep++) {
			unsigned n = ns[t], d = (unsigned)rng_below(&r, n + 2);
			unsigned m = (unsigned)rng_below(&r, 3 * n + 4);
			uint64_t *rows = gen_rows(&r, n, d, m, rep % 3 ? 2 : 9);
			struct gf2_sys s;
			char what[64];

			snprintf(what, sizeof what, "n=%u d=%u m=%u", n, d, m);
			sys_from(&s, n, rows, m);
			gf2_reduce(&s);
			check_form(&s, rows, m, what);
			/* Reducing again changes nothing. */
			if (s.rank) {
				size_t size = (size_t)s.rank * s.words * sizeof *s.rows;
				unsigned rank = s.rank;
				uint64_t *before = xmalloc(size);

				memcpy(before, s.rows, size);
				s.reduced = false;
				CHECK_EQ_INT(gf2_reduce(&s), rank);
				CHECK(memcmp(before, s.rows, size) == 0);
				free(before);
			}
			gf2_release(&s);
			free(rows);
		}
}

static void
test_gf2__count_brute(void)
{
	struct rng r;

	rng_init(&r, 2);
	for (unsigned n = 1; n <= 16; n++)
		for (unsigned rep = 0; rep < 12; rep++) {
			unsigned d = (unsigned)rng_below(&r, n + 2), m = (unsigned)rng_below(&r, 2 * n + 3);
			uint64_t *rows = gen_rows(&r, n, d, m, rep % 2 ? 2 : 4), count;
			struct gf2_sys s;
			unsigned rank;

			sys_from(&s, n, rows, m);
			rank = gf2_reduce(&s);
			brute(rows, m, n, &count);
			if (count != 1ULL << (n - rank))
				FAIL("n=%u m=%u: %llu solutions, rank %u", n, m,
				     (unsigned long long)count, rank);
			CHECK_EQ_INT(gf2_free(&s), n - rank);
			CHECK_EQ_INT(rank, gf2_rank(rows, m, 1));
			gf2_release(&s);
			free(rows);
		}
}

static void
test_gf2__sample_satisfies(void)
{
	static const unsigned ns[] = { 1, 5, 63, 64, 65, 127, 128, 129, 200, 256, 300, 600 };

	for (uint64_t seed = 10; seed < 14; seed++) {
		struct rng r;

		rng_init(&r, seed);
		for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++) {
			unsigned n = ns[t], d = (unsigned)rng_below(&r, n + 1);
			unsigned m = (unsigned)rng_below(&r, 4 * n + 1);
			uint64_t *rows = gen_rows(&r, n, d, m, seed % 2 ? 2 : 5), x[WORDS_MAX];
			struct gf2_sys s, orig;
			unsigned words = words_of(n), bad = 0;

			sys_from(&s, n, rows, m);
			sys_from(&orig, n, rows, m);
			for (int i = 0; i < 200; i++) {
				gf2_sample(&s, &r, NULL, NULL, x);
				bad += !gf2_satisfies(&orig, x) || !gf2_satisfies(&s, x);
				bad += (x[words - 1] & ~(n % 64 ? (1ULL << (n % 64)) - 1 : ~0ULL)) != 0;
			}
			if (bad)
				FAIL("seed %llu n=%u d=%u m=%u: %u bad samples",
				     (unsigned long long)seed, n, d, m, bad);
			CHECK(!orig.reduced);
			gf2_release(&s);
			gf2_release(&orig);
			free(rows);
		}
	}
}

/* Over 200 samples every unknown not forced to zero takes both values (a free one is a fair
** coin, a pivot a nonzero sum of fair coins: 2^-199 to stay put by chance). */
static void
test_gf2__sample_spread(void)
{
	static const unsigned ns[] = { 3, 64, 100, 190, 300 };
	struct rng r;

	rng_init(&r, 3);
	for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++) {
		unsigned n = ns[t], words = words_of(n);
		uint64_t *rows = gen_rows(&r, n, n / 2, 2 * n, t % 2 ? 2 : 7);
		uint64_t ones[WORDS_MAX] = { 0 }, zeros[WORDS_MAX] = { 0 }, x[WORDS_MAX];
		struct gf2_sys s;

		sys_from(&s, n, rows, 2 * n);
		for (int i = 0; i < 200; i++) {
			gf2_sample(&s, &r, NULL, NULL, x);
			for (unsigned k = 0; k < words; k++) {
				ones[k] |= x[k];
				zeros[k] |= ~x[k];
			}
		}
		for (unsigned j = 0; j < n; j++) {
			bool forced = gf2_forced_zero(&s, j);

			if (forced && gf2_get(ones, j))
				FAIL("n=%u: forced-zero %u came out 1", n, j);
			if (!forced && !(gf2_get(ones, j) && gf2_get(zeros, j)))
				FAIL("n=%u: unknown %u (%s) never changed", n, j,
				     s.is_pivot[j] ? "pivot" : "free");
		}
		gf2_release(&s);
		free(rows);
	}
}

/* A 6-unknown system of rank 2 has 16 solutions; 32000 samples should hit each about 2000
** times (chi-square with 15 degrees of freedom, bound far above its mean). */
static void
test_gf2__sample_uniform(void)
{
	uint64_t row[1], x[1];
	unsigned count[64] = { 0 }, hit = 0;
	double chi = 0;
	struct gf2_sys s;
	struct rng r;

	rng_init(&r, 4);
	gf2_init(&s, 6);
	row[0] = 0x13;	/* x0 + x1 + x4 */
	gf2_add(&s, row, 0);
	row[0] = 0x26;	/* x1 + x2 + x5 */
	gf2_add(&s, row, 1);
	for (int i = 0; i < 32000; i++) {
		gf2_sample(&s, &r, NULL, NULL, x);
		if (x[0] >= 64 || !gf2_satisfies(&s, x)) {
			FAIL("bad sample %#llx", (unsigned long long)x[0]);
			break;
		}
		count[x[0]]++;
	}
	for (unsigned v = 0; v < 64; v++) {
		if (!count[v])
			continue;
		hit++;
		chi += (count[v] - 2000.0) * (count[v] - 2000.0) / 2000.0;
	}
	CHECK_EQ_INT(hit, 16);
	if (chi > 3.0 * 15 + 20)
		FAIL("chi-square %.1f over 16 solutions", chi);
	gf2_release(&s);
}

static void
test_gf2__sample_fixed(void)
{
	static const unsigned ns[] = { 10, 64, 150, 300 };
	struct rng r;

	rng_init(&r, 5);
	for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++) {
		unsigned n = ns[t], words = words_of(n), bad = 0;
		uint64_t *rows = gen_rows(&r, n, n / 3, n, 2);
		uint64_t fixed[WORDS_MAX], value[WORDS_MAX], x[WORDS_MAX];
		uint64_t ones[WORDS_MAX] = { 0 }, zeros[WORDS_MAX] = { 0 };
		struct gf2_sys s;

		sys_from(&s, n, rows, n);
		gf2_reduce(&s);
		/* Fix about a third of the unknowns, pivots included (those are ignored). */
		rand_row(&r, n, 3, fixed);
		rand_row(&r, n, 2, value);
		for (int i = 0; i < 200; i++) {
			gf2_sample(&s, &r, fixed, value, x);
			bad += !gf2_satisfies(&s, x);
			for (unsigned k = 0; k < words; k++) {
				ones[k] |= x[k];
				zeros[k] |= ~x[k];
			}
			for (unsigned j = 0; j < n; j++)
				if (!s.is_pivot[j] && gf2_get(fixed, j) &&
				    gf2_get(x, j) != gf2_get(value, j))
					bad++;
		}
		CHECK_EQ_INT(bad, 0);
		/* Free unknowns left alone still vary. */
		for (unsigned j = 0; j < n; j++)
			if (!s.is_pivot[j] && !gf2_get(fixed, j) &&
			    !(gf2_get(ones, j) && gf2_get(zeros, j)))
				FAIL("n=%u: free unfixed %u never changed", n, j);
		gf2_release(&s);
		free(rows);
	}
	/* Everything fixed: the sample is a function of 'value' alone. */
	{
		struct gf2_sys s;
		uint64_t row[1] = { 0x3 }, all[1] = { ~0ULL }, val[1] = { 0x6 }, x[1];

		gf2_init(&s, 3);
		gf2_add(&s, row, 0);	/* x0 = x1 */
		for (int i = 0; i < 20; i++) {
			gf2_sample(&s, &r, all, val, x);
			CHECK_EQ_INT(x[0], 0x7);
		}
		gf2_release(&s);
	}
}

static void
test_gf2__forced_zero_brute(void)
{
	struct rng r;

	rng_init(&r, 6);
	for (unsigned n = 1; n <= 14; n++)
		for (unsigned rep = 0; rep < 16; rep++) {
			unsigned d = (unsigned)rng_below(&r, n + 1), m = (unsigned)rng_below(&r, 2 * n + 2);
			/* Sparse rows, so some unknowns really are forced. */
			uint64_t *rows = gen_rows(&r, n, d, m, 1 + rep % 4), count;
			unsigned forced = brute(rows, m, n, &count);
			struct gf2_sys s;

			sys_from(&s, n, rows, m);
			for (unsigned j = 0; j < n; j++)
				if (gf2_forced_zero(&s, j) != (bool)(forced >> j & 1))
					FAIL("n=%u m=%u: unknown %u forced %d by brute force", n, m,
					     j, forced >> j & 1);
			CHECK(!gf2_forced_zero(&s, n));
			gf2_release(&s);
			free(rows);
		}
}

static void
test_gf2__tags(void)
{
	struct gf2_sys s;
	uint64_t row[3] = { 0 };
	struct rng r;

	/* e0 (10), e0 again (11, dropped), e1+e2 (12), e2 (13): reduces to e0, e1, e2. */
	gf2_init(&s, 3);
	row[0] = 1;
	gf2_add(&s, row, 10);
	gf2_add(&s, row, 11);
	row[0] = 6;
	gf2_add(&s, row, 12);
	row[0] = 4;
	gf2_add(&s, row, 13);
	CHECK_EQ_INT(s.n_rows, 4);
	CHECK_EQ_INT(gf2_reduce(&s), 3);
	CHECK_EQ_INT(s.rows[0], 1);
	CHECK_EQ_INT(s.tags[0], 10);
	CHECK_EQ_INT(s.rows[1], 2);
	CHECK_EQ_INT(s.tags[1], 12);
	CHECK_EQ_INT(s.rows[2], 4);
	CHECK_EQ_INT(s.tags[2], 13);
	gf2_release(&s);

	/* Reversed: e2 (1) comes first and keeps its tag although it ends up last. */
	gf2_init(&s, 130);
	memset(row, 0, sizeof row);
	gf2_set(row, 129);
	gf2_add(&s, row, 1);
	gf2_set(row, 64);
	gf2_add(&s, row, 2);
	gf2_set(row, 0);
	gf2_add(&s, row, 3);
	CHECK_EQ_INT(gf2_reduce(&s), 3);
	CHECK_EQ_INT(s.pivot[0], 0);
	CHECK_EQ_INT(s.tags[0], 3);
	CHECK_EQ_INT(s.pivot[1], 64);
	CHECK_EQ_INT(s.tags[1], 2);
	CHECK_EQ_INT(s.pivot[2], 129);
	CHECK_EQ_INT(s.tags[2], 1);
	/* Added after a reduce: a new dependent row is dropped, an independent one kept. */
	memset(row, 0, sizeof row);
	gf2_set(row, 0);
	gf2_set(row, 129);
	gf2_add(&s, row, 4);
	gf2_set(row, 5);
	gf2_add(&s, row, 5);
	CHECK(!s.reduced);
	CHECK_EQ_INT(gf2_reduce(&s), 4);
	for (unsigned i = 0; i < 4; i++)
		CHECK(s.tags[i] != 4);
	CHECK_EQ_INT(s.pivot[1], 5);
	CHECK_EQ_INT(s.tags[1], 5);
	gf2_release(&s);

	/* Random: the kept tags are exactly the equations that raise the rank of those before. */
	rng_init(&r, 7);
	for (unsigned rep = 0; rep < 20; rep++) {
		unsigned n = 1 + (unsigned)rng_below(&r, 300), m = (unsigned)rng_below(&r, 2 * n);
		unsigned words = words_of(n), prev = 0;
		uint64_t *rows = gen_rows(&r, n, (unsigned)rng_below(&r, n + 1), m, 2);
		bool *kept = xcalloc((size_t)m + 1, sizeof *kept);

		sys_from(&s, n, rows, m);
		gf2_reduce(&s);
		for (unsigned i = 0; i < s.rank; i++) {
			if (s.tags[i] >= m || kept[s.tags[i]])
				FAIL("n=%u: tag %u bad or twice", n, s.tags[i]);
			else
				kept[s.tags[i]] = true;
		}
		for (unsigned i = 0; i < m; i++) {
			unsigned rank = gf2_rank(rows, i + 1, words);

			if (kept[i] != (rank > prev))
				FAIL("n=%u: equation %u kept %d, raises rank %d", n, i, kept[i],
				     rank > prev);
			prev = rank;
		}
		free(kept);
		gf2_release(&s);
		free(rows);
	}
}

static void
test_gf2__zero_row(void)
{
	struct gf2_sys s;
	uint64_t row[2] = { 0, 0 }, x[2];
	struct rng r;

	rng_init(&r, 8);
	gf2_init(&s, 70);
	gf2_add(&s, row, 1);
	CHECK_EQ_INT(s.n_rows, 0);
	/* Bits past n_vars only: no equation either. */
	row[1] = 1ULL << 6;
	gf2_add(&s, row, 2);
	CHECK_EQ_INT(s.n_rows, 0);
	CHECK_EQ_INT(gf2_reduce(&s), 0);
	CHECK_EQ_INT(gf2_free(&s), 70);
	for (unsigned j = 0; j < 70; j++)
		CHECK(!gf2_forced_zero(&s, j));
	gf2_sample(&s, &r, NULL, NULL, x);
	CHECK(gf2_satisfies(&s, x));
	CHECK_EQ_INT(x[1] >> 6, 0);
	/* A zero row among real ones changes nothing. */
	row[0] = 0x3;
	row[1] = 0;
	gf2_add(&s, row, 3);
	memset(row, 0, sizeof row);
	gf2_add(&s, row, 4);
	CHECK_EQ_INT(s.n_rows, 1);
	CHECK_EQ_INT(gf2_reduce(&s), 1);
	CHECK_EQ_INT(s.tags[0], 3);
	/* Stray bits past n_vars beside a real one: only the real one counts. */
	row[0] = 1ULL << 9;
	row[1] = 1ULL << 40;
	gf2_add(&s, row, 5);
	CHECK_EQ_INT(s.n_rows, 2);
	CHECK_EQ_INT(s.rows[3], 0);
	CHECK_EQ_INT(gf2_reduce(&s), 2);
	CHECK_EQ_INT(s.pivot[1], 9);
	CHECK(gf2_forced_zero(&s, 9));
	gf2_release(&s);
}

/* Full rank: only x = 0 solves. */
static void
test_gf2__only_zero(void)
{
	static const unsigned ns[] = { 1, 64, 130, 300 };
	struct rng r;

	rng_init(&r, 9);
	for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++) {
		unsigned n = ns[t], words = words_of(n);
		uint64_t row[WORDS_MAX], x[WORDS_MAX], zero[WORDS_MAX] = { 0 };
		struct gf2_sys s;

		gf2_init(&s, n);
		for (unsigned i = 0; i < 2 * n + 20; i++) {
			rand_row(&r, n, 2, row);
			gf2_add(&s, row, i);
		}
		CHECK_EQ_INT(gf2_reduce(&s), n);
		CHECK_EQ_INT(gf2_free(&s), 0);
		for (unsigned i = 0; i < n; i++) {
			CHECK(gf2_forced_zero(&s, i));
			CHECK(s.pivot[i] == i);
		}
		for (int i = 0; i < 10; i++) {
			gf2_sample(&s, &r, NULL, NULL, x);
			CHECK(memcmp(x, zero, words * sizeof *x) == 0);
		}
		CHECK(gf2_satisfies(&s, zero));
		memset(x, 0, sizeof x);
		gf2_set(x, n - 1);
		CHECK(!gf2_satisfies(&s, x));
		gf2_release(&s);
	}
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* 300 unknowns, 3000 equations: random (full rank after a few hundred) and from a rank-200
** subspace with duplicates (every row eliminated). Prints the best of 50 and asserts only the
** ranks: speed is make bench's business, never a test's (shared, noisy machines). */
static void
test_gf2__timing(void)
{
	static const unsigned ranks[] = { 300, 200, 280 };
	struct rng r;

	rng_init(&r, 11);
	for (size_t t = 0; t < sizeof ranks / sizeof ranks[0]; t++) {
		unsigned n = 300, m = 3000, words = words_of(n);
		uint64_t *rows = gen_rows(&r, n, ranks[t], m, 2), x[WORDS_MAX];
		double best = 1e30, best_sample = 1e30;

		if (t == 0)
			for (unsigned i = 0; i < m; i++)
				rand_row(&r, n, 2, rows + (size_t)i * words);
		for (int rep = 0; rep < 50; rep++) {
			struct gf2_sys s;
			double t0, t1;

			sys_from(&s, n, rows, m);
			t0 = now_us();
			gf2_reduce(&s);
			t1 = now_us();
			if (t1 - t0 < best)
				best = t1 - t0;
			t0 = now_us();
			for (int i = 0; i < 300; i++)
				gf2_sample(&s, &r, NULL, NULL, x);
			t1 = now_us();
			if ((t1 - t0) / 300 < best_sample)
				best_sample = (t1 - t0) / 300;
			if (rep == 0 && s.rank > ranks[t])
				FAIL("rank %u above %u", s.rank, ranks[t]);
			gf2_release(&s);
		}
		printf("# reduce 300 unknowns x 3000 equations, rank <= %u: %.1f us; sample %.2f us\n",
		       ranks[t], best, best_sample);
		free(rows);
	}
}

int
main(void)
{
	RUN(test_gf2__rank_known);
	RUN(test_gf2__reduce_form);
	RUN(test_gf2__count_brute);
	RUN(test_gf2__sample_satisfies);
	RUN(test_gf2__sample_spread);
	RUN(test_gf2__sample_uniform);
	RUN(test_gf2__sample_fixed);
	RUN(test_gf2__forced_zero_brute);
	RUN(test_gf2__tags);
	RUN(test_gf2__zero_row);
	RUN(test_gf2__only_zero);
	RUN(test_gf2__timing);
	return TEST_DONE();
}
