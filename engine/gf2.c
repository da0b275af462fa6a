#include "engine/gf2.h"

#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"

/*
** Elimination keeps the rows kept so far in reduced row echelon form and feeds the others in
** one at a time. A new row is cleared of every existing pivot column in one pass (each basis
** row holds exactly one pivot bit, so the rows to add are known from the new row itself and do
** not depend on each other); it then vanishes, or brings a new pivot that is cleared from the
** rows already kept. Taking the lowest set bit as the new pivot yields the leading columns of
** the row space, so once sorted by pivot the result is the usual, unique, reduced form.
**
** Most rows of the systems we see are repeats or dependent. Repeats are found by hashing up
** front. Showing that a row depends costs one added basis row per pivot it holds; with few
** free unknowns it is cheaper to check the row against a basis of the solutions instead (it
** depends iff every solution satisfies it), so from the first row where that is cheaper such
** a basis is built and then kept up to date.
*/

/* The mask of the valid bits of the last word of a row over n_vars unknowns. */
static uint64_t
gf2_last_mask(unsigned n_vars)
{
	return n_vars % 64 ? (1ULL << (n_vars % 64)) - 1 : ~0ULL;
}

/* The inner loops are inlined into copies of the elimination for each small constant row
** length (gf2_eliminate), where they unroll and keep their sums in registers. */
#define GF2_INLINE static inline __attribute__((always_inline))

GF2_INLINE void
gf2_xor(uint64_t *restrict dst, const uint64_t *restrict src, unsigned words)
{
#pragma GCC unroll 8
	for (unsigned k = 0; k < words; k++)
		dst[k] ^= src[k];
}

static bool
gf2_zero(const uint64_t *row, unsigned words)
{
	uint64_t any = 0;

	for (unsigned k = 0; k < words; k++)
		any |= row[k];
	return any == 0;
}

#define GF2_ACC_WORDS 8	/* rows up to this many words keep their sum in registers */

/* Clears v of every pivot column marked in pivmask by adding the basis row where[p] for each
** pivot p set in v. With a constant 'words' the sum lives in scalar registers (an array would
** stay in memory, chaining every row's XOR through a store and a load). */
GF2_INLINE void
gf2_clear(uint64_t *v, const uint64_t *rows, const int32_t *where, const uint64_t *pivmask,
	  unsigned words)
{
	uint64_t a0, a1, a2, a3, a4, a5, a6, a7;

	if (words > GF2_ACC_WORDS) {
		for (unsigned w = 0; w < words; w++) {
			uint64_t m = v[w] & pivmask[w];

			while (m) {
				unsigned p = w * 64 + (unsigned)__builtin_ctzll(m);

				m &= m - 1;
				gf2_xor(v, rows + (size_t)where[p] * words, words);
			}
		}
		return;
	}
	a0 = v[0];
	a1 = words > 1 ? v[1] : 0;
	a2 = words > 2 ? v[2] : 0;
	a3 = words > 3 ? v[3] : 0;
	a4 = words > 4 ? v[4] : 0;
	a5 = words > 5 ? v[5] : 0;
	a6 = words > 6 ? v[6] : 0;
	a7 = words > 7 ? v[7] : 0;
	/* v's pivot bits are read from memory, which still holds the row as it came in: each
	** basis row touches no pivot but its own, so the set of rows to add is known up front. */
	for (unsigned w = 0; w < words; w++) {
		uint64_t m = v[w] & pivmask[w];

		while (m) {
			const uint64_t *b = rows + (size_t)where[w * 64 + __builtin_ctzll(m)] * words;

			m &= m - 1;
			a0 ^= b[0];
			a1 ^= words > 1 ? b[1] : 0;
			a2 ^= words > 2 ? b[2] : 0;
			a3 ^= words > 3 ? b[3] : 0;
			a4 ^= words > 4 ? b[4] : 0;
			a5 ^= words > 5 ? b[5] : 0;
			a6 ^= words > 6 ? b[6] : 0;
			a7 ^= words > 7 ? b[7] : 0;
		}
	}
	{
		const uint64_t out[GF2_ACC_WORDS] = { a0, a1, a2, a3, a4, a5, a6, a7 };

		memcpy(v, out, words * sizeof *v);
	}
}

/* Scratch for one elimination over n_cols columns. */
struct gf2_work {
	unsigned words, n_cols;
	int32_t *where;		/* by column: the slot of the basis row with that pivot, or -1 */
	uint64_t *pivmask;	/* the pivot columns */
	uint64_t *null;		/* n_null rows: a basis of the solutions of the rows kept so far */
	unsigned n_null;
	bool null_ok;		/* 'null' built, and kept up to date since */
};

static void
gf2_work_init(struct gf2_work *w, unsigned words, unsigned n_cols)
{
	w->words = words;
	w->n_cols = n_cols;
	w->where = xmalloc(((size_t)n_cols + 1) * sizeof *w->where);
	for (unsigned c = 0; c < n_cols; c++)
		w->where[c] = -1;
	w->pivmask = xcalloc(words, sizeof *w->pivmask);
	w->null = NULL;
	w->n_null = 0;
	w->null_ok = false;
}

static void
gf2_work_release(struct gf2_work *w)
{
	free(w->where);
	free(w->pivmask);
	free(w->null);
}

/* Builds the solution basis from the basis rows rows[0, rank) in reduced form: one solution
** per free column f, f itself plus the pivot of every row holding f (a row's pivot is its
** lowest bit, every other bit of it free). */
static void
gf2_null_build(struct gf2_work *w, const uint64_t *rows, unsigned rank)
{
	unsigned words = w->words, k = 0;
	int32_t *idx = xmalloc(((size_t)w->n_cols + 1) * sizeof *idx);

	w->n_null = w->n_cols - rank;
	w->null = xcalloc((size_t)w->n_null + 1, words * sizeof *w->null);
	for (unsigned c = 0; c < w->n_cols; c++) {
		idx[c] = w->where[c] < 0 ? (int32_t)k : -1;
		if (w->where[c] < 0)
			gf2_set(w->null + (size_t)k++ * words, c);
	}
	for (unsigned j = 0; j < rank; j++) {
		const uint64_t *row = rows + (size_t)j * words;
		unsigned p = 0;

		while (row[p / 64] == 0)
			p += 64;
		p += (unsigned)__builtin_ctzll(row[p / 64]);
		for (unsigned ww = 0; ww < words; ww++) {
			uint64_t m = row[ww];

			while (m) {
				unsigned f = ww * 64 + (unsigned)__builtin_ctzll(m);

				m &= m - 1;
				if (f != p)
					gf2_set(w->null + (size_t)idx[f] * words, p);
			}
		}
	}
	free(idx);
	w->null_ok = true;
}

/* Without -mpopcnt the builtin is a library call. */
GF2_INLINE unsigned
gf2_popcount(uint64_t x)
{
	x -= x >> 1 & 0x5555555555555555ULL;
	x = (x & 0x3333333333333333ULL) + (x >> 2 & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (unsigned)((x * 0x0101010101010101ULL) >> 56);
}

GF2_INLINE bool
gf2_dot(const uint64_t *a, const uint64_t *b, unsigned words)
{
	uint64_t acc = 0;

#pragma GCC unroll 8
	for (unsigned k = 0; k < words; k++)
		acc ^= a[k] & b[k];
	return __builtin_parityll(acc);
}

/* Tests v against the solution basis: false when every solution satisfies v too (v depends
** on the rows kept). Otherwise cuts the basis down to the solutions of v as well, by adding
** one solution that violates v to the others that do and dropping it, and returns true. */
GF2_INLINE bool
gf2_null_cut(struct gf2_work *w, const uint64_t *restrict v, unsigned words)
{
	unsigned p = 0;
	uint64_t *z = w->null, *zp;

	while (p < w->n_null && !gf2_dot(v, z + (size_t)p * words, words))
		p++;
	if (p == w->n_null)
		return false;
	zp = z + (size_t)p * words;
	for (unsigned i = p + 1; i < w->n_null; i++)
		if (gf2_dot(v, z + (size_t)i * words, words))
			gf2_xor(z + (size_t)i * words, zp, words);
	w->n_null--;
	memcpy(zp, z + (size_t)w->n_null * words, words * sizeof *zp);
	return true;
}

/* Brings rows[0, n_rows) ('words' words a row, over the work's n_cols columns) to reduced
** echelon form in place and returns the rank: the first rank rows are the basis in no
** particular order, w->where locating each pivot's row. tags (may be NULL) follow the rows.
**
** A dependent row costs one added basis row per pivot it holds, or one product per solution
** in the solution basis; the cheaper is taken row by row. High ranks leave few solutions, so
** there the second makes a dense dependent row several times cheaper. 'words' is w->words,
** a constant in each copy gf2_eliminate makes. */
GF2_INLINE unsigned
gf2_eliminate_words(struct gf2_work *w, uint64_t *rows, uint32_t *tags, uint32_t n_rows,
		    const bool *dup, unsigned words)
{
	unsigned rank = 0;

	for (uint32_t i = 0; i < n_rows && rank < w->n_cols; i++) {
		uint64_t *v = rows + (size_t)i * words, *dst;
		unsigned ww, c, pc = 0;

		if (dup[i])
			continue;
		for (ww = 0; ww < words; ww++)
			pc += gf2_popcount(v[ww] & w->pivmask[ww]);
		if (pc > w->n_cols - rank) {
			if (!w->null_ok)
				gf2_null_build(w, rows, rank);
			if (!gf2_null_cut(w, v, words))
				continue;	/* dependent */
			gf2_clear(v, rows, w->where, w->pivmask, words);
		} else {
			gf2_clear(v, rows, w->where, w->pivmask, words);
			for (ww = 0; ww < words && v[ww] == 0; ww++)
				;
			if (ww == words)
				continue;	/* dependent */
			if (w->null_ok)
				gf2_null_cut(w, v, words);
		}
		for (ww = 0; ww < words && v[ww] == 0; ww++)
			;
		if (ww == words)
			continue;	/* cannot happen: the solutions said independent */
		c = ww * 64 + (unsigned)__builtin_ctzll(v[ww]);
		dst = rows + (size_t)rank * words;
		if (dst != v) {
			memcpy(dst, v, words * sizeof *v);
			if (tags)
				tags[rank] = tags[i];
		}
		for (unsigned j = 0; j < rank; j++) {
			uint64_t *b = rows + (size_t)j * words;

			if (gf2_get(b, c))
				gf2_xor(b, dst, words);
		}
		w->where[c] = (int32_t)rank;
		gf2_set(w->pivmask, c);
		rank++;
	}
	return rank;
}

/* Flags every row equal to an earlier one (systems repeat equations a lot; a repeat would
** otherwise cost as much as any dependent row). The caller frees the result. */
static bool *
gf2_dups(const uint64_t *rows, uint32_t n_rows, unsigned words)
{
	bool *dup = xcalloc((size_t)n_rows + 1, sizeof *dup);
	size_t cap = 64, mask;
	uint32_t *slot;

	while (cap < 2 * (size_t)n_rows)
		cap *= 2;
	mask = cap - 1;
	slot = xcalloc(cap, sizeof *slot);	/* row index + 1; 0 is empty */
	for (uint32_t i = 0; i < n_rows; i++) {
		const uint64_t *v = rows + (size_t)i * words;
		uint64_t h = 0;
		size_t at;

		for (unsigned k = 0; k < words; k++)
			h = (h ^ v[k]) * 0x9e3779b97f4a7c15ULL;
		for (at = (h ^ h >> 29) & mask; slot[at]; at = (at + 1) & mask)
			if (memcmp(rows + (size_t)(slot[at] - 1) * words, v, words * sizeof *v) == 0)
				break;
		if (slot[at])
			dup[i] = true;
		else
			slot[at] = i + 1;
	}
	free(slot);
	return dup;
}

static unsigned
gf2_eliminate(struct gf2_work *w, uint64_t *rows, uint32_t *tags, uint32_t n_rows)
{
	bool *dup = gf2_dups(rows, n_rows, w->words);
	unsigned rank;

	switch (w->words) {
	case 1: rank = gf2_eliminate_words(w, rows, tags, n_rows, dup, 1); break;
	case 2: rank = gf2_eliminate_words(w, rows, tags, n_rows, dup, 2); break;
	case 3: rank = gf2_eliminate_words(w, rows, tags, n_rows, dup, 3); break;
	case 4: rank = gf2_eliminate_words(w, rows, tags, n_rows, dup, 4); break;
	case 5: rank = gf2_eliminate_words(w, rows, tags, n_rows, dup, 5); break;
	case 6: rank = gf2_eliminate_words(w, rows, tags, n_rows, dup, 6); break;
	case 7: rank = gf2_eliminate_words(w, rows, tags, n_rows, dup, 7); break;
	case 8: rank = gf2_eliminate_words(w, rows, tags, n_rows, dup, 8); break;
	default: rank = gf2_eliminate_words(w, rows, tags, n_rows, dup, w->words); break;
	}
	free(dup);
	return rank;
}

void
gf2_init(struct gf2_sys *s, unsigned n_vars)
{
	memset(s, 0, sizeof *s);
	s->n_vars = n_vars;
	s->words = (n_vars + 63) / 64;
	s->pivot = xcalloc(n_vars, sizeof *s->pivot);
	s->is_pivot = xcalloc(n_vars, sizeof *s->is_pivot);
}

void
gf2_release(struct gf2_sys *s)
{
	free(s->rows);
	free(s->tags);
	free(s->pivot);
	free(s->is_pivot);
	memset(s, 0, sizeof *s);
}

void
gf2_add(struct gf2_sys *s, const uint64_t *row, uint32_t tag)
{
	unsigned words = s->words;
	uint64_t *dst;

	/* Stray bits past n_vars would become pivots outside the system: drop them. */
	if (gf2_zero(row, words - 1) && (row[words - 1] & gf2_last_mask(s->n_vars)) == 0)
		return;
	if (s->n_rows == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->rows = xrealloc(s->rows, (size_t)s->cap * words * sizeof *s->rows);
		s->tags = xrealloc(s->tags, (size_t)s->cap * sizeof *s->tags);
	}
	dst = s->rows + (size_t)s->n_rows * words;
	memcpy(dst, row, words * sizeof *row);
	dst[words - 1] &= gf2_last_mask(s->n_vars);
	s->tags[s->n_rows++] = tag;
	s->reduced = false;
}

unsigned
gf2_reduce(struct gf2_sys *s)
{
	unsigned words = s->words, rank, k = 0;
	struct gf2_work w;
	uint64_t *sorted;
	uint32_t *stags;

	gf2_work_init(&w, words, s->n_vars);
	rank = gf2_eliminate(&w, s->rows, s->tags, s->n_rows);
	/* Put the rows in pivot order, so the result reads as the echelon form. */
	sorted = xmalloc(((size_t)rank * words + 1) * sizeof *sorted);
	stags = xmalloc(((size_t)rank + 1) * sizeof *stags);
	for (unsigned c = 0; c < s->n_vars; c++) {
		int32_t j = w.where[c];

		s->is_pivot[c] = j >= 0;
		if (j < 0)
			continue;
		memcpy(sorted + (size_t)k * words, s->rows + (size_t)j * words,
		       words * sizeof *sorted);
		stags[k] = s->tags[j];
		s->pivot[k++] = c;
	}
	if (rank) {
		memcpy(s->rows, sorted, (size_t)rank * words * sizeof *sorted);
		memcpy(s->tags, stags, rank * sizeof *stags);
	}
	free(sorted);
	free(stags);
	gf2_work_release(&w);
	s->n_rows = rank;
	s->rank = rank;
	s->reduced = true;
	return rank;
}

unsigned
gf2_free(struct gf2_sys *s)
{
	if (!s->reduced)
		gf2_reduce(s);
	return s->n_vars - s->rank;
}

bool
gf2_satisfies(const struct gf2_sys *s, const uint64_t *x)
{
	for (uint32_t i = 0; i < s->n_rows; i++) {
		const uint64_t *row = s->rows + (size_t)i * s->words;
		uint64_t acc = 0;

		/* Parity of the AND is the XOR of the per-word ANDs' parities. */
		for (unsigned k = 0; k < s->words; k++)
			acc ^= row[k] & x[k];
		if (__builtin_parityll(acc))
			return false;
	}
	return true;
}

void
gf2_sample(struct gf2_sys *s, struct rng *r, const uint64_t *fixed, const uint64_t *value,
	   uint64_t *x)
{
	unsigned words = s->words;

	if (!s->reduced)
		gf2_reduce(s);
	for (unsigned k = 0; k < words; k++) {
		x[k] = rng_u64(r);
		if (fixed)
			x[k] = (x[k] & ~fixed[k]) | (value[k] & fixed[k]);
	}
	x[words - 1] &= gf2_last_mask(s->n_vars);
	/* Clear the pivots first: a reduced row then sees only free unknowns, its own pivot bit
	** reading 0 and no other pivot present. */
	for (unsigned i = 0; i < s->rank; i++)
		x[s->pivot[i] / 64] &= ~(1ULL << (s->pivot[i] % 64));
	for (unsigned i = 0; i < s->rank; i++) {
		const uint64_t *row = s->rows + (size_t)i * words;
		uint64_t acc = 0;

		for (unsigned k = 0; k < words; k++)
			acc ^= row[k] & x[k];
		if (__builtin_parityll(acc))
			gf2_set(x, s->pivot[i]);
	}
}

bool
gf2_forced_zero(struct gf2_sys *s, unsigned var)
{
	unsigned lo = 0, hi;
	const uint64_t *row;

	if (!s->reduced)
		gf2_reduce(s);
	if (var >= s->n_vars || !s->is_pivot[var])
		return false;
	/* Pivots are sorted: find var's row, then look for any other bit in it. */
	hi = s->rank;
	while (lo + 1 < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (s->pivot[mid] <= var)
			lo = mid;
		else
			hi = mid;
	}
	row = s->rows + (size_t)lo * s->words;
	for (unsigned k = 0; k < s->words; k++) {
		uint64_t rest = row[k];

		if (k == var / 64)
			rest &= ~(1ULL << (var % 64));
		if (rest)
			return false;
	}
	return true;
}

unsigned
gf2_rank(const uint64_t *rows, unsigned n_rows, unsigned words)
{
	struct gf2_work w;
	uint64_t *copy;
	unsigned rank;

	if (n_rows == 0 || words == 0)
		return 0;
	copy = xmalloc((size_t)n_rows * words * sizeof *copy);
	memcpy(copy, rows, (size_t)n_rows * words * sizeof *copy);
	gf2_work_init(&w, words, words * 64);
	rank = gf2_eliminate(&w, copy, NULL, n_rows);
	gf2_work_release(&w);
	free(copy);
	return rank;
}
