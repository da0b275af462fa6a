#ifndef ENGINE_GF2_H
#define ENGINE_GF2_H
/*
** Linear algebra over GF(2) for RSS key solving: homogeneous systems of linear equations whose
** unknowns are key bits, solved by Gauss-Jordan elimination into reduced row echelon form,
** which describes the whole solution space (free unknowns, and pivots that follow from them);
** uniform random samples from it; unknowns forced to zero; ranks of small matrices. Rows are
** bit vectors of uint64_t words, bit j of a row being word j / 64, bit j % 64. Each equation
** carries a tag (the caller's number for where it came from) so a caller can tell which of its
** constraints an equation belongs to. Never prints.
*/

#include <stdbool.h>
#include <stdint.h>

#include "engine/rng.h"

/* A system sum_j row[j] * x[j] = 0 over n_vars unknowns. */
struct gf2_sys {
	unsigned n_vars;
	unsigned words;		/* words per row: (n_vars + 63) / 64 */
	uint32_t n_rows, cap;
	uint64_t *rows;		/* n_rows * words */
	uint32_t *tags;		/* by row */
	/* After gf2_reduce: n_rows == rank and the rows are the reduced echelon form, sorted by
	** pivot; a pivot is its row's lowest set bit and appears in no other row. */
	unsigned rank;
	unsigned *pivot;	/* by reduced row: its pivot column (ascending) */
	bool *is_pivot;		/* by variable */
	bool reduced;
};

/* An empty system over n_vars unknowns (n_vars >= 1). */
void gf2_init(struct gf2_sys *s, unsigned n_vars);
/* Frees what gf2_init and gf2_add allocated; 's' may then be initialised again. */
void gf2_release(struct gf2_sys *s);

/* Appends one equation (copied); 'row' has s->words words; bits past n_vars are ignored. An
** all-zero row is not stored. Clears 'reduced'. */
void gf2_add(struct gf2_sys *s, const uint64_t *row, uint32_t tag);

/* Reduces the system in place to reduced row echelon form and returns its rank. Rows that
** become zero are dropped; each kept row keeps the tag of the equation it started from: the
** kept tags are those of the equations independent of all the equations added before them. */
unsigned gf2_reduce(struct gf2_sys *s);

/* The number of free unknowns (n_vars - rank); reduces first when needed. */
unsigned gf2_free(struct gf2_sys *s);

/* True when x (s->words words) satisfies every equation. Works reduced or not. */
bool gf2_satisfies(const struct gf2_sys *s, const uint64_t *x);

/* A uniformly random solution in x (s->words words): free unknowns drawn from 'r', pivots
** computed from them. 'fixed' (may be NULL, s->words words) and 'value' force free unknowns:
** where a bit of fixed is set, the free unknown takes the bit of value instead of a random one;
** such bits on pivot unknowns are ignored, as pivots follow from the free unknowns. Every word
** of x is written; bits past n_vars come out zero. Draws s->words words from 'r' a call.
** Reduces first when needed. */
void gf2_sample(struct gf2_sys *s, struct rng *r, const uint64_t *fixed, const uint64_t *value,
		uint64_t *x);

/* True when every solution has x[var] == 0 (the unknown is forced to zero): var is a pivot
** whose reduced row has no other bit. Reduces first when needed; false for var >= n_vars. */
bool gf2_forced_zero(struct gf2_sys *s, unsigned var);

/* The rank of a small matrix given as n_rows rows of 'words' words (not changed). */
unsigned gf2_rank(const uint64_t *rows, unsigned n_rows, unsigned words);

/* Bit helpers. */
static inline void
gf2_set(uint64_t *row, unsigned j)
{
	row[j / 64] |= 1ULL << (j % 64);
}

static inline void
gf2_flip(uint64_t *row, unsigned j)
{
	row[j / 64] ^= 1ULL << (j % 64);
}

static inline bool
gf2_get(const uint64_t *row, unsigned j)
{
	return row[j / 64] >> (j % 64) & 1;
}

#endif
