#ifndef ENGINE_SMT_H
#define ENGINE_SMT_H
/*
** smt: the only module that sees Z3 (DESIGN.md section 2). Bit-vector and boolean expressions,
** one byte array (the packet), feasibility checks and concrete evaluation, behind a small API of
** our own, so the executor and the analysis stay independent of Z3's headers.
**
** Every expression lives as long as its context (smt_free releases them all), so callers keep
** plain pointers and never count references. Bit-vectors are 1..64 bits wide; booleans are a
** sort of their own (comparisons give booleans, smt_ite takes one). The array sort maps 64-bit
** indices to bytes. Constructors simplify when every operand is a constant, so concrete
** arithmetic never reaches the solver.
*/

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/err.h"

struct smt;
struct smt_expr;	/* opaque: a Z3 AST */
typedef const struct smt_expr *smt_t;

enum smt_binop {
	SMT_ADD, SMT_SUB, SMT_MUL, SMT_UDIV, SMT_SDIV, SMT_UREM, SMT_SREM,
	SMT_SHL, SMT_LSHR, SMT_ASHR, SMT_AND, SMT_OR, SMT_XOR
};

enum smt_cmp {
	SMT_EQ, SMT_NE, SMT_UGT, SMT_UGE, SMT_ULT, SMT_ULE, SMT_SGT, SMT_SGE, SMT_SLT, SMT_SLE
};

/* What an expression is, for printers and classifiers (smt_kind). */
enum smt_kind {
	SMT_K_NUM,	/* a bit-vector constant (smt_num) */
	SMT_K_TRUE, SMT_K_FALSE,
	SMT_K_VAR,	/* a bit-vector or boolean variable (smt_name) */
	SMT_K_ARRAY,	/* an array variable (smt_name) */
	SMT_K_SELECT,	/* arg 0 the array, arg 1 the index */
	SMT_K_STORE,	/* arg 0 array, arg 1 index, arg 2 value */
	SMT_K_BINOP,	/* *sub: enum smt_binop; two or more args (associative ops may have more) */
	SMT_K_BVNOT, SMT_K_NEG,	/* arg 0 */
	SMT_K_CMP,	/* *sub: enum smt_cmp; args 0 and 1 */
	SMT_K_NOT, SMT_K_AND, SMT_K_OR,	/* booleans; AND and OR may have any number of args */
	SMT_K_ITE,	/* arg 0 the condition */
	SMT_K_EXTRACT,	/* arg 0; smt_extract_bounds gives hi and lo */
	SMT_K_CONCAT,	/* args, most significant first (two or more) */
	SMT_K_ZEXT, SMT_K_SEXT,	/* arg 0 */
	SMT_K_OTHER	/* anything else Z3 made (rotations, bool-to-bv...): print with smt_sexpr */
};

enum smt_result { SMT_UNSAT, SMT_SAT, SMT_UNKNOWN };

/* A new context with one incremental solver; 'timeout_ms' bounds each check (0: none). */
struct smt *smt_new(unsigned timeout_ms);
void smt_free(struct smt *s);
/* Until further notice, no check runs past 'when' (a clock_seconds() time; 0: no deadline):
** each one's timeout is cut to the time left, and once it has passed checks answer SMT_UNKNOWN
** at once, smt_reason "deadline". So a caller's time limit holds inside a slow check. */
void smt_set_deadline(struct smt *s, double when);
/* While *stop is non-zero (the shell's Ctrl-C flag; NULL: none), checks answer SMT_UNKNOWN,
** smt_reason "stopped", instead of taking in a long list of conditions first. */
void smt_set_stop(struct smt *s, const volatile sig_atomic_t *stop);

/* ---- building ---- */
smt_t smt_num(struct smt *s, uint64_t v, unsigned bits);
smt_t smt_var(struct smt *s, const char *name, unsigned bits);	/* same name, same variable */
smt_t smt_bool(struct smt *s, bool v);
smt_t smt_array(struct smt *s, const char *name);		/* (Array (_ BitVec 64) (_ BitVec 8)) */
smt_t smt_select(struct smt *s, smt_t array, smt_t index);	/* 8 bits */
smt_t smt_store(struct smt *s, smt_t array, smt_t index, smt_t byte);
smt_t smt_binop(struct smt *s, enum smt_binop op, smt_t a, smt_t b);	/* same widths */
smt_t smt_bvnot(struct smt *s, smt_t a);
smt_t smt_cmp(struct smt *s, enum smt_cmp op, smt_t a, smt_t b);	/* boolean */
smt_t smt_not(struct smt *s, smt_t a);
smt_t smt_and(struct smt *s, smt_t a, smt_t b);
smt_t smt_or(struct smt *s, smt_t a, smt_t b);
smt_t smt_ite(struct smt *s, smt_t c, smt_t a, smt_t b);	/* c boolean; a, b same sort */
smt_t smt_zext(struct smt *s, smt_t a, unsigned bits);		/* to 'bits' (>= its width) */
smt_t smt_sext(struct smt *s, smt_t a, unsigned bits);
smt_t smt_extract(struct smt *s, smt_t a, unsigned hi, unsigned lo);
smt_t smt_concat(struct smt *s, smt_t hi, smt_t lo);
smt_t smt_bool_to_bv(struct smt *s, smt_t c);	/* 1 bit: 1 when true */
smt_t smt_bv_to_bool(struct smt *s, smt_t a);	/* a != 0 */
smt_t smt_simplify(struct smt *s, smt_t a);
/* 'a' with each from[i] (a variable) replaced by to[i] (same sort): two packets in one question. */
smt_t smt_subst(struct smt *s, smt_t a, const smt_t *from, const smt_t *to, unsigned n);

/* ---- looking at expressions ---- */
bool smt_is_bool(struct smt *s, smt_t a);
unsigned smt_bits(struct smt *s, smt_t a);	/* bit-vectors; 0 for booleans and arrays */
/* True with *v when 'a' is a bit-vector constant (or a boolean constant: 1 / 0). */
bool smt_is_num(struct smt *s, smt_t a, uint64_t *v);
enum smt_kind smt_kind(struct smt *s, smt_t a, int *sub);
unsigned smt_nargs(struct smt *s, smt_t a);
smt_t smt_arg(struct smt *s, smt_t a, unsigned i);
/* The distinct variables (bit-vector, boolean, array) 'a' is made of, each once, the first
** 'max' of them in 'out'; returns how many there are (more than 'max' when they did not fit).
** Shared subterms are visited once. */
size_t smt_vars(struct smt *s, smt_t a, smt_t *out, size_t max);
void smt_extract_bounds(struct smt *s, smt_t a, unsigned *hi, unsigned *lo);
const char *smt_name(struct smt *s, smt_t a);	/* variables; valid as long as the context */
/* The SMT-LIB text of 'a', malloc'ed. */
char *smt_sexpr(struct smt *s, smt_t a);
/* A stable id of an expression, equal for equal (hash-consed) expressions. */
unsigned smt_id(struct smt *s, smt_t a);

/* ---- solving ---- */
/* Whether the conjunction of 'conds' (booleans) can hold. Consecutive calls that share a
** prefix of 'conds' (the same pointers) reuse it incrementally, as a depth-first search does. */
enum smt_result smt_check(struct smt *s, smt_t const *conds, size_t n);
/* After a check that gave SMT_SAT: the value of 'a' (a bit-vector or boolean) in the model, any
** value where the model leaves it free. False when there is no model. */
bool smt_model_value(struct smt *s, smt_t a, uint64_t *v);
/* How many checks ran the solver, and how many were answered SAT by a recent model of an
** earlier check (evaluated in C; see smt.c's model cache). */
void smt_counts(const struct smt *s, uint64_t *solved, uint64_t *from_models);
/* Why the last check gave SMT_UNKNOWN ("timeout", ...). */
const char *smt_reason(struct smt *s);

/* ---- concrete evaluation (checking a packet against a path) ---- */
struct smt_env;	/* values for variables and the bytes of array variables */
struct smt_env *smt_env_new(struct smt *s);
void smt_env_free(struct smt_env *env);
void smt_env_set(struct smt_env *env, smt_t var, uint64_t v);	/* a bit-vector variable */
/* The array variable holds 'bytes' at indices 0..n-1 and 0 everywhere else. */
void smt_env_set_array(struct smt_env *env, smt_t array, const uint8_t *bytes, size_t n);
/* Evaluates 'a' under 'env'; variables without a value make it fail (false, *v untouched). */
bool smt_eval(struct smt_env *env, smt_t a, uint64_t *v);

#endif
