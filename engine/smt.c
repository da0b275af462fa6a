#include "engine/smt.h"

#include <stdlib.h>
#include <string.h>

#include <z3.h>

#include "engine/clock.h"
#include "engine/xalloc.h"

/*
** Expressions are Z3 ASTs of a context without reference counting (Z3_mk_context): Z3 keeps every
** AST it hands out on the context's trail until Z3_del_context, which is the lifetime smt.h
** promises, and solver push/pop does not touch that trail. Beside Z3 we keep our own view of each
** AST we meet, a struct node found by the AST's address, so that constant folding, smt_kind and
** smt_eval run in plain C: a call into Z3 costs far more than a hash probe.
**
** Beyond smt.h: smt_var with width 0 makes a boolean variable; smt_select and smt_store widen an
** index narrower than 64 bits; misuse (mixed widths, a width outside 1..64) gives NULL rather
** than ending the process.
*/

/*---- Nodes: our view of Z3's ASTs ----*/

enum op {
	OP_BAD,		/* not understood: smt_kind says OTHER, smt_eval fails */
	OP_NUM, OP_TRUE, OP_FALSE, OP_VAR, OP_ARRAY, OP_SELECT, OP_STORE, OP_CONST_ARRAY,
	OP_BIN, OP_BVNOT, OP_NEG, OP_CMP, OP_DISTINCT, OP_NOT, OP_AND, OP_OR, OP_XOR, OP_IMPLIES,
	OP_ITE, OP_EXTRACT, OP_CONCAT, OP_ZEXT, OP_SEXT,
	/* evaluated, but smt_kind says OTHER */
	OP_SMOD, OP_NAND, OP_NOR, OP_XNOR, OP_COMP, OP_REDOR, OP_REDAND,
	OP_ROTL, OP_ROTR, OP_EXT_ROTL, OP_EXT_ROTR, OP_REPEAT, OP_BIT2BOOL
};

enum sort { SORT_OTHER, SORT_BV, SORT_BOOL, SORT_ARRAY };

struct node {
	Z3_ast ast;
	uint64_t val;	/* NUM: the value */
	uint32_t arg0;	/* the first of 'nargs' node indices in smt.args */
	uint32_t nargs;
	uint32_t bits;	/* bit-vectors: the width (may exceed 64 only through misuse) */
	uint32_t aux;	/* VAR, ARRAY: the slot; EXTRACT: hi << 16 | lo; ROT*, REPEAT, BIT2BOOL:
			** Z3's parameter */
	uint32_t simp;	/* the node smt_simplify gave for this one; 0 before it was asked */
	uint8_t op;	/* enum op */
	uint8_t sub;	/* BIN: enum smt_binop; CMP: enum smt_cmp */
	uint8_t sort;	/* enum sort */
};

/* Address to node index; open addressing, a NULL key is free. */
struct pslot {
	Z3_ast key;
	uint32_t node;
};

/* (width, value) to the node of that numeral, so smt_num skips Z3; bits 0 is free. */
struct nslot {
	uint64_t v;
	uint32_t bits;
	uint32_t node;
};

/* One asserted condition of the incremental solver. */
struct frame {
	smt_t cond;
	bool pushed;	/* a solver scope was pushed for it (not for the constant true) */
	bool unsat;	/* the conditions up to and including this one are unsatisfiable */
};

/* A model the solver gave: values of the boolean and bit-vector variables it mentions; every
** other variable (and every array) reads as zero, which makes it a complete assignment. */
#define SMT_MODELS 16

struct cmodel {
	uint32_t *slots;	/* variable slots */
	uint64_t *vals;
	uint32_t n;
};

struct smt {
	Z3_context ctx;
	Z3_solver solver;
	Z3_model model;		/* of the last SAT answer, fetched on demand; NULL when none */
	Z3_sort bv[65];		/* by width, made on first use */
	Z3_sort array;
	smt_t t, f;		/* the boolean constants */

	struct node *nodes;	/* node 0 stands for a NULL expression */
	size_t nnodes, cap_nodes;
	uint32_t *args;		/* argument lists of the nodes */
	size_t nargs, cap_args;
	struct pslot *pmap;
	size_t pmap_cap, pmap_count;
	struct nslot *nmap;
	size_t nmap_cap, nmap_count;
	char **names;		/* by variable slot */
	size_t nslots, cap_slots;

	struct frame *stack;	/* the conditions the solver holds, outermost first */
	size_t depth, cap_stack;
	bool checked;		/* the solver was checked on exactly 'stack' ... */
	enum smt_result stack_res;	/* ... with this answer */
	enum smt_result last;	/* the answer of the last smt_check */
	char *reason;		/* why 'last' is UNKNOWN */
	unsigned timeout_ms;	/* each check's own bound (0: none) */
	double deadline;	/* no check past this clock_seconds() time (0: none) */
	unsigned cut_ms;	/* the timeout the solver has now, when cut for the deadline */
	const volatile sig_atomic_t *stop;	/* non-zero: answer at once (Ctrl-C) */

	/* Recent models, tried before the solver (see try_models). */
	struct cmodel models[SMT_MODELS];
	unsigned n_models, next_model;
	int hit;		/* the model the last SAT answer came from; -1: the solver's */
	int loaded;		/* the model 'cenv' holds; -1: none */
	struct smt_env *cenv;
	smt_t *hit_conds;	/* the conditions of that answer, to ask the solver if need be */
	uint64_t n_solved, n_hits;	/* checks the solver ran; SAT answers from the models */
	size_t n_hit_conds, cap_hit_conds;

	uint32_t *mark;		/* smt_vars: node i was visited when mark[i] == mark_gen */
	size_t cap_mark;
	uint32_t mark_gen;
	uint32_t *walk;		/* smt_vars: the nodes still to visit */
	size_t cap_walk;
};

static inline Z3_ast
Z(smt_t t)
{
	return (Z3_ast)(uintptr_t)t;
}

static inline smt_t
T(Z3_ast a)
{
	return (smt_t)(uintptr_t)a;
}

static inline uint64_t
mask(unsigned bits)
{
	return bits >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << bits) - 1;
}

static inline size_t
hash_ptr(const void *p, size_t cap)
{
	return (size_t)(((uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ULL) >> 17) & (cap - 1);
}

static inline size_t
hash_num(uint64_t v, unsigned bits, size_t cap)
{
	uint64_t h = (v ^ ((uint64_t)bits << 57)) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

static void
pmap_put(struct smt *s, Z3_ast key, uint32_t node)
{
	size_t i;

	if (2 * (s->pmap_count + 1) > s->pmap_cap) {
		struct pslot *old = s->pmap;
		size_t oldcap = s->pmap_cap;
		s->pmap_cap = oldcap ? 2 * oldcap : 1024;
		s->pmap = xcalloc(s->pmap_cap, sizeof *s->pmap);
		for (size_t j = 0; j < oldcap; j++) {
			if (!old[j].key)
				continue;
			for (i = hash_ptr(old[j].key, s->pmap_cap); s->pmap[i].key;
			     i = (i + 1) & (s->pmap_cap - 1))
				;
			s->pmap[i] = old[j];
		}
		free(old);
	}
	for (i = hash_ptr(key, s->pmap_cap); s->pmap[i].key; i = (i + 1) & (s->pmap_cap - 1))
		;
	s->pmap[i].key = key;
	s->pmap[i].node = node;
	s->pmap_count++;
}

/* The node of 'a', or 0 when we have not met it yet. */
static inline uint32_t
pmap_get(const struct smt *s, Z3_ast key)
{
	for (size_t i = hash_ptr(key, s->pmap_cap); s->pmap[i].key; i = (i + 1) & (s->pmap_cap - 1))
		if (s->pmap[i].key == key)
			return s->pmap[i].node;
	return 0;
}

static void
nmap_put(struct smt *s, uint64_t v, unsigned bits, uint32_t node)
{
	size_t i;

	if (2 * (s->nmap_count + 1) > s->nmap_cap) {
		struct nslot *old = s->nmap;
		size_t oldcap = s->nmap_cap;
		s->nmap_cap = oldcap ? 2 * oldcap : 1024;
		s->nmap = xcalloc(s->nmap_cap, sizeof *s->nmap);
		for (size_t j = 0; j < oldcap; j++) {
			if (!old[j].bits)
				continue;
			for (i = hash_num(old[j].v, old[j].bits, s->nmap_cap); s->nmap[i].bits;
			     i = (i + 1) & (s->nmap_cap - 1))
				;
			s->nmap[i] = old[j];
		}
		free(old);
	}
	for (i = hash_num(v, bits, s->nmap_cap); s->nmap[i].bits; i = (i + 1) & (s->nmap_cap - 1))
		if (s->nmap[i].v == v && s->nmap[i].bits == bits)
			return;
	s->nmap[i].v = v;
	s->nmap[i].bits = bits;
	s->nmap[i].node = node;
	s->nmap_count++;
}

static uint32_t
add_node(struct smt *s, const struct node *n, const uint32_t *args, uint32_t nargs)
{
	uint32_t id = (uint32_t)s->nnodes;

	if (s->nnodes == s->cap_nodes) {
		s->cap_nodes = s->cap_nodes ? 2 * s->cap_nodes : 1024;
		s->nodes = xrealloc(s->nodes, s->cap_nodes * sizeof *s->nodes);
	}
	if (s->nargs + nargs > s->cap_args) {
		while (s->nargs + nargs > s->cap_args)
			s->cap_args = s->cap_args ? 2 * s->cap_args : 4096;
		s->args = xrealloc(s->args, s->cap_args * sizeof *s->args);
	}
	s->nodes[id] = *n;
	s->nodes[id].arg0 = (uint32_t)s->nargs;
	s->nodes[id].nargs = nargs;
	if (nargs)
		memcpy(s->args + s->nargs, args, nargs * sizeof *args);
	s->nargs += nargs;
	s->nnodes++;
	if (n->ast)
		pmap_put(s, n->ast, id);
	if (n->op == OP_NUM)
		nmap_put(s, n->val, n->bits, id);
	return id;
}

static uint32_t
new_slot(struct smt *s, const char *name)
{
	if (s->nslots == s->cap_slots) {
		s->cap_slots = s->cap_slots ? 2 * s->cap_slots : 64;
		s->names = xrealloc(s->names, s->cap_slots * sizeof *s->names);
	}
	s->names[s->nslots] = xstrdup(name ? name : "");
	return (uint32_t)s->nslots++;
}

static uint32_t node_of(struct smt *s, Z3_ast a);

/* Sets n->op and friends from the declaration of an application. */
static void
classify(struct smt *s, struct node *n, Z3_func_decl d, unsigned nargs)
{
	static const struct { Z3_decl_kind k; uint8_t op, sub; } map[] = {
		{ Z3_OP_TRUE, OP_TRUE, 0 }, { Z3_OP_FALSE, OP_FALSE, 0 },
		{ Z3_OP_SELECT, OP_SELECT, 0 }, { Z3_OP_STORE, OP_STORE, 0 },
		{ Z3_OP_CONST_ARRAY, OP_CONST_ARRAY, 0 },
		{ Z3_OP_BADD, OP_BIN, SMT_ADD }, { Z3_OP_BSUB, OP_BIN, SMT_SUB },
		{ Z3_OP_BMUL, OP_BIN, SMT_MUL },
		{ Z3_OP_BUDIV, OP_BIN, SMT_UDIV }, { Z3_OP_BUDIV_I, OP_BIN, SMT_UDIV },
		{ Z3_OP_BSDIV, OP_BIN, SMT_SDIV }, { Z3_OP_BSDIV_I, OP_BIN, SMT_SDIV },
		{ Z3_OP_BUREM, OP_BIN, SMT_UREM }, { Z3_OP_BUREM_I, OP_BIN, SMT_UREM },
		{ Z3_OP_BSREM, OP_BIN, SMT_SREM }, { Z3_OP_BSREM_I, OP_BIN, SMT_SREM },
		{ Z3_OP_BSHL, OP_BIN, SMT_SHL }, { Z3_OP_BLSHR, OP_BIN, SMT_LSHR },
		{ Z3_OP_BASHR, OP_BIN, SMT_ASHR }, { Z3_OP_BAND, OP_BIN, SMT_AND },
		{ Z3_OP_BOR, OP_BIN, SMT_OR }, { Z3_OP_BXOR, OP_BIN, SMT_XOR },
		{ Z3_OP_BNOT, OP_BVNOT, 0 }, { Z3_OP_BNEG, OP_NEG, 0 },
		{ Z3_OP_EQ, OP_CMP, SMT_EQ }, { Z3_OP_IFF, OP_CMP, SMT_EQ },
		{ Z3_OP_DISTINCT, OP_DISTINCT, SMT_NE },
		{ Z3_OP_ULEQ, OP_CMP, SMT_ULE }, { Z3_OP_ULT, OP_CMP, SMT_ULT },
		{ Z3_OP_UGEQ, OP_CMP, SMT_UGE }, { Z3_OP_UGT, OP_CMP, SMT_UGT },
		{ Z3_OP_SLEQ, OP_CMP, SMT_SLE }, { Z3_OP_SLT, OP_CMP, SMT_SLT },
		{ Z3_OP_SGEQ, OP_CMP, SMT_SGE }, { Z3_OP_SGT, OP_CMP, SMT_SGT },
		{ Z3_OP_NOT, OP_NOT, 0 }, { Z3_OP_AND, OP_AND, 0 }, { Z3_OP_OR, OP_OR, 0 },
		{ Z3_OP_XOR, OP_XOR, 0 }, { Z3_OP_IMPLIES, OP_IMPLIES, 0 },
		{ Z3_OP_ITE, OP_ITE, 0 }, { Z3_OP_EXTRACT, OP_EXTRACT, 0 },
		{ Z3_OP_CONCAT, OP_CONCAT, 0 }, { Z3_OP_ZERO_EXT, OP_ZEXT, 0 },
		{ Z3_OP_SIGN_EXT, OP_SEXT, 0 },
		{ Z3_OP_BSMOD, OP_SMOD, 0 }, { Z3_OP_BSMOD_I, OP_SMOD, 0 },
		{ Z3_OP_BNAND, OP_NAND, 0 }, { Z3_OP_BNOR, OP_NOR, 0 }, { Z3_OP_BXNOR, OP_XNOR, 0 },
		{ Z3_OP_BCOMP, OP_COMP, 0 }, { Z3_OP_BREDOR, OP_REDOR, 0 },
		{ Z3_OP_BREDAND, OP_REDAND, 0 },
		{ Z3_OP_ROTATE_LEFT, OP_ROTL, 0 }, { Z3_OP_ROTATE_RIGHT, OP_ROTR, 0 },
		{ Z3_OP_EXT_ROTATE_LEFT, OP_EXT_ROTL, 0 }, { Z3_OP_EXT_ROTATE_RIGHT, OP_EXT_ROTR, 0 },
		{ Z3_OP_REPEAT, OP_REPEAT, 0 }, { Z3_OP_BIT2BOOL, OP_BIT2BOOL, 0 },
	};
	Z3_context c = s->ctx;
	Z3_decl_kind k = Z3_get_decl_kind(c, d);

	if (k == Z3_OP_UNINTERPRETED) {
		if (nargs == 0 && (n->sort == SORT_ARRAY || n->sort == SORT_BOOL ||
				   (n->sort == SORT_BV && n->bits <= 64))) {
			n->op = n->sort == SORT_ARRAY ? OP_ARRAY : OP_VAR;
			n->aux = new_slot(s, Z3_get_symbol_string(c, Z3_get_decl_name(c, d)));
		}
		return;
	}
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		if (map[i].k != k)
			continue;
		n->op = map[i].op;
		n->sub = map[i].sub;
		break;
	}
	switch (n->op) {
	case OP_EXTRACT:
		n->aux = (uint32_t)Z3_get_decl_int_parameter(c, d, 0) << 16 |
			 (uint32_t)Z3_get_decl_int_parameter(c, d, 1);
		break;
	case OP_ROTL: case OP_ROTR: case OP_REPEAT: case OP_BIT2BOOL:
		n->aux = (uint32_t)Z3_get_decl_int_parameter(c, d, 0);
		break;
	default:
		break;
	}
}

/* Builds the node of an AST we have not met, after the nodes of its arguments. */
static uint32_t
translate(struct smt *s, Z3_ast a)
{
	Z3_context c = s->ctx;
	Z3_sort so = Z3_get_sort(c, a);
	struct node n = { .ast = a };
	uint32_t buf[8], *ids = buf, id;
	Z3_ast_kind ak;
	Z3_app app;
	unsigned na;

	switch (Z3_get_sort_kind(c, so)) {
	case Z3_BV_SORT:
		n.sort = SORT_BV;
		n.bits = Z3_get_bv_sort_size(c, so);
		break;
	case Z3_BOOL_SORT:
		n.sort = SORT_BOOL;
		break;
	case Z3_ARRAY_SORT:
		n.sort = SORT_ARRAY;
		break;
	default:
		break;
	}
	ak = Z3_get_ast_kind(c, a);
	if (ak == Z3_NUMERAL_AST) {
		if (n.sort == SORT_BV && n.bits <= 64 && Z3_get_numeral_uint64(c, a, &n.val))
			n.op = OP_NUM;
		return add_node(s, &n, NULL, 0);
	}
	if (ak != Z3_APP_AST)
		return add_node(s, &n, NULL, 0);
	app = Z3_to_app(c, a);
	na = Z3_get_app_num_args(c, app);
	if (na > sizeof buf / sizeof buf[0])
		ids = xmalloc(na * sizeof *ids);
	for (unsigned i = 0; i < na; i++)
		ids[i] = node_of(s, Z3_get_app_arg(c, app, i));
	classify(s, &n, Z3_get_app_decl(c, app), na);
	id = add_node(s, &n, ids, na);
	if (ids != buf)
		free(ids);
	return id;
}

static uint32_t
node_of(struct smt *s, Z3_ast a)
{
	uint32_t id;

	if (!a)
		return 0;
	id = pmap_get(s, a);
	return id ? id : translate(s, a);
}

/* The node of 't'; the pointer holds until the next node is made. */
static inline const struct node *
N(struct smt *s, smt_t t)
{
	uint32_t i = node_of(s, Z(t));	/* may grow s->nodes: index it after */

	return &s->nodes[i];
}

/*---- Concrete arithmetic, shared by folding and smt_eval (SMT-LIB semantics) ----*/

static uint64_t
fold_bin(enum smt_binop op, uint64_t a, uint64_t b, unsigned bits)
{
	uint64_t m = mask(bits), sign = (uint64_t)1 << (bits - 1), r = 0;
	bool na = a & sign, nb = b & sign;
	uint64_t ua = na ? -a & m : a, ub = nb ? -b & m : b, u;

	switch (op) {
	case SMT_ADD: r = a + b; break;
	case SMT_SUB: r = a - b; break;
	case SMT_MUL: r = a * b; break;
	case SMT_UDIV: r = b ? a / b : m; break;
	case SMT_UREM: r = b ? a % b : a; break;
	case SMT_SDIV:
		/* On magnitudes, so INT_MIN / -1 wraps instead of trapping; x / 0 is -1 or 1. */
		u = ub ? ua / ub : m;
		r = na != nb ? -u : u;
		break;
	case SMT_SREM:
		u = ub ? ua % ub : ua;
		r = na ? -u : u;
		break;
	case SMT_SHL: r = b >= bits ? 0 : a << b; break;
	case SMT_LSHR: r = b >= bits ? 0 : a >> b; break;
	case SMT_ASHR:
		if (b >= bits)
			r = na ? m : 0;
		else
			r = (a >> b) | (na ? m & ~(m >> b) : 0);
		break;
	case SMT_AND: r = a & b; break;
	case SMT_OR: r = a | b; break;
	case SMT_XOR: r = a ^ b; break;
	}
	return r & m;
}

static uint64_t
fold_smod(uint64_t a, uint64_t b, unsigned bits)
{
	uint64_t m = mask(bits), sign = (uint64_t)1 << (bits - 1);
	bool na = a & sign, nb = b & sign;
	uint64_t ua = na ? -a & m : a, ub = nb ? -b & m : b, u = ub ? ua % ub : ua;

	if (u == 0 || (!na && !nb))
		return u;
	if (na && !nb)
		return (-u + b) & m;
	if (!na && nb)
		return (u + b) & m;
	return -u & m;
}

static bool
fold_cmp(enum smt_cmp op, uint64_t a, uint64_t b, unsigned bits)
{
	/* Flipping the sign bit turns a signed order into the unsigned one. */
	uint64_t sign = bits ? (uint64_t)1 << (bits - 1) : 0, sa = a ^ sign, sb = b ^ sign;

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

static inline uint64_t
sext(uint64_t v, unsigned from, unsigned to)
{
	if (from < 64 && (v >> (from - 1) & 1))
		v |= ~mask(from);
	return v & mask(to);
}

static inline uint64_t
rotl(uint64_t v, uint64_t k, unsigned bits)
{
	k %= bits;
	return k ? ((v << k) | (v >> (bits - k))) & mask(bits) : v;
}

/*---- Context ----*/

/* Z3's default handler exits the process; the engine never does, so errors (misuse) only make
** the call return NULL or a default, which the callers' contracts rule out anyway. */
static void
on_z3_error(Z3_context c, Z3_error_code e)
{
}

/* The solver's parameters, all of them each time (whether Z3 merges a new set with the old
** one or replaces it differs between versions). */
static void
set_params(struct smt *s, unsigned timeout_ms)
{
	Z3_params p = Z3_mk_params(s->ctx);

	Z3_params_inc_ref(s->ctx, p);
	/* The shell owns Ctrl-C: Z3 must not take SIGINT and cancel a check by itself. */
	Z3_params_set_bool(s->ctx, p, Z3_mk_string_symbol(s->ctx, "ctrl_c"), false);
	Z3_params_set_symbol(s->ctx, p, Z3_mk_string_symbol(s->ctx, "smt.logic"),
			     Z3_mk_string_symbol(s->ctx, "QF_ABV"));
	/* Z3 reads 0 as "no timeout": keep the bound of the context then. */
	Z3_params_set_uint(s->ctx, p, Z3_mk_string_symbol(s->ctx, "timeout"),
			   timeout_ms ? timeout_ms : UINT32_MAX);
	Z3_solver_set_params(s->ctx, s->solver, p);
	Z3_params_dec_ref(s->ctx, p);
}

struct smt *
smt_new(unsigned timeout_ms)
{
	struct smt *s = xcalloc(1, sizeof *s);
	Z3_config cfg = Z3_mk_config();
	struct node null = { 0 };

	s->ctx = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	Z3_set_error_handler(s->ctx, on_z3_error);
	/* The plain incremental SMT solver: Z3_mk_solver only wraps it in a tactic front end for a
	** first, push-free check, and every check here runs under pushes. Naming the logic picks
	** Z3's QF_ABV configuration (no relevancy tracking, simple array mode) instead of the
	** general one: checks on packet arrays take about half as long. */
	s->solver = Z3_mk_simple_solver(s->ctx);
	Z3_solver_inc_ref(s->ctx, s->solver);
	s->timeout_ms = timeout_ms;
	set_params(s, timeout_ms);
	s->bv[8] = Z3_mk_bv_sort(s->ctx, 8);
	s->bv[64] = Z3_mk_bv_sort(s->ctx, 64);
	s->array = Z3_mk_array_sort(s->ctx, s->bv[64], s->bv[8]);
	s->pmap_cap = 1024;
	s->pmap = xcalloc(s->pmap_cap, sizeof *s->pmap);
	s->nmap_cap = 1024;
	s->nmap = xcalloc(s->nmap_cap, sizeof *s->nmap);
	add_node(s, &null, NULL, 0);
	s->t = T(Z3_mk_true(s->ctx));
	s->f = T(Z3_mk_false(s->ctx));
	node_of(s, Z(s->t));
	node_of(s, Z(s->f));
	s->last = SMT_UNKNOWN;
	s->hit = s->loaded = -1;
	return s;
}

static void
drop_model(struct smt *s)
{
	if (s->model) {
		Z3_model_dec_ref(s->ctx, s->model);
		s->model = NULL;
	}
}

void
smt_free(struct smt *s)
{
	if (!s)
		return;
	drop_model(s);
	Z3_solver_dec_ref(s->ctx, s->solver);
	Z3_del_context(s->ctx);
	for (size_t i = 0; i < s->nslots; i++)
		free(s->names[i]);
	free(s->names);
	free(s->nodes);
	free(s->args);
	free(s->pmap);
	free(s->nmap);
	free(s->stack);
	free(s->reason);
	for (unsigned i = 0; i < SMT_MODELS; i++) {
		free(s->models[i].slots);
		free(s->models[i].vals);
	}
	smt_env_free(s->cenv);
	free(s->hit_conds);
	free(s->mark);
	free(s->walk);
	free(s);
}

/*---- Building ----*/

static Z3_sort
bv_sort(struct smt *s, unsigned bits)
{
	if (bits == 0 || bits > 64)
		return Z3_mk_bv_sort(s->ctx, bits);
	if (!s->bv[bits])
		s->bv[bits] = Z3_mk_bv_sort(s->ctx, bits);
	return s->bv[bits];
}

smt_t
smt_num(struct smt *s, uint64_t v, unsigned bits)
{
	struct node n = { .op = OP_NUM, .sort = SORT_BV };

	if (bits == 0 || bits > 64)
		return NULL;
	v &= mask(bits);
	for (size_t i = hash_num(v, bits, s->nmap_cap); s->nmap[i].bits;
	     i = (i + 1) & (s->nmap_cap - 1))
		if (s->nmap[i].v == v && s->nmap[i].bits == bits)
			return T(s->nodes[s->nmap[i].node].ast);
	n.ast = Z3_mk_unsigned_int64(s->ctx, v, bv_sort(s, bits));
	if (!n.ast || pmap_get(s, n.ast))
		return T(n.ast);
	n.val = v;
	n.bits = bits;
	add_node(s, &n, NULL, 0);
	return T(n.ast);
}

smt_t
smt_var(struct smt *s, const char *name, unsigned bits)
{
	/* Width 0 makes a boolean variable (smt_kind's VAR covers both). */
	Z3_sort so = bits ? bv_sort(s, bits) : Z3_mk_bool_sort(s->ctx);

	return T(Z3_mk_const(s->ctx, Z3_mk_string_symbol(s->ctx, name), so));
}

smt_t
smt_bool(struct smt *s, bool v)
{
	return v ? s->t : s->f;
}

smt_t
smt_array(struct smt *s, const char *name)
{
	return T(Z3_mk_const(s->ctx, Z3_mk_string_symbol(s->ctx, name), s->array));
}

/* Indices narrower than 64 bits are widened, so callers may index with a 16-bit offset. */
static smt_t
index64(struct smt *s, smt_t index)
{
	unsigned bits = smt_bits(s, index);

	return bits && bits < 64 ? smt_zext(s, index, 64) : index;
}

smt_t
smt_select(struct smt *s, smt_t array, smt_t index)
{
	const struct node *i;

	index = index64(s, index);
	/* Read over write: a constant index skips stores to other constant indices. */
	i = N(s, index);
	if (i->op == OP_NUM) {
		uint64_t v = i->val;
		for (;;) {
			const struct node *st = N(s, array), *j;
			if (st->op != OP_STORE)
				break;
			j = &s->nodes[s->args[st->arg0 + 1]];
			if (j->op != OP_NUM)
				break;
			if (j->val == v)
				return T(s->nodes[s->args[st->arg0 + 2]].ast);
			array = T(s->nodes[s->args[st->arg0]].ast);
		}
	}
	return T(Z3_mk_select(s->ctx, Z(array), Z(index)));
}

smt_t
smt_store(struct smt *s, smt_t array, smt_t index, smt_t byte)
{
	index = index64(s, index);
	return T(Z3_mk_store(s->ctx, Z(array), Z(index), Z(byte)));
}

/* x op c for a constant c that leaves x alone or fixes the result; NULL when neither. */
static smt_t
binop_identity(struct smt *s, enum smt_binop op, smt_t x, uint64_t c, unsigned bits, bool c_right)
{
	uint64_t m = mask(bits);

	switch (op) {
	case SMT_ADD: case SMT_OR: case SMT_XOR:
		if (c == 0)
			return x;
		if (op == SMT_OR && c == m)
			return smt_num(s, m, bits);
		break;
	case SMT_SUB: case SMT_SHL: case SMT_LSHR: case SMT_ASHR:
		if (c_right && c == 0)
			return x;
		break;
	case SMT_MUL:
		if (c == 1)
			return x;
		if (c == 0)
			return smt_num(s, 0, bits);
		break;
	case SMT_UDIV: case SMT_SDIV:
		if (c_right && c == 1)
			return x;
		break;
	case SMT_AND:
		if (c == m)
			return x;
		if (c == 0)
			return smt_num(s, 0, bits);
		break;
	default:
		break;
	}
	return NULL;
}

smt_t
smt_binop(struct smt *s, enum smt_binop op, smt_t a, smt_t b)
{
	uint32_t ia = node_of(s, Z(a)), ib = node_of(s, Z(b));
	/* Copies: smt_num may move the nodes. */
	struct node x = s->nodes[ia], y = s->nodes[ib];
	Z3_context c = s->ctx;
	smt_t r;

	if (x.op == OP_NUM && y.op == OP_NUM && x.bits == y.bits)
		return smt_num(s, fold_bin(op, x.val, y.val, x.bits), x.bits);
	if (y.op == OP_NUM && x.sort == SORT_BV && x.bits == y.bits &&
	    (r = binop_identity(s, op, a, y.val, y.bits, true)))
		return r;
	if (x.op == OP_NUM && y.sort == SORT_BV && x.bits == y.bits &&
	    (r = binop_identity(s, op, b, x.val, x.bits, false)))
		return r;
	if (a == b && x.sort == SORT_BV && x.bits <= 64) {
		if (op == SMT_AND || op == SMT_OR)
			return a;
		if (op == SMT_XOR || op == SMT_SUB)
			return smt_num(s, 0, x.bits);
	}
	switch (op) {
	case SMT_ADD: return T(Z3_mk_bvadd(c, Z(a), Z(b)));
	case SMT_SUB: return T(Z3_mk_bvsub(c, Z(a), Z(b)));
	case SMT_MUL: return T(Z3_mk_bvmul(c, Z(a), Z(b)));
	case SMT_UDIV: return T(Z3_mk_bvudiv(c, Z(a), Z(b)));
	case SMT_SDIV: return T(Z3_mk_bvsdiv(c, Z(a), Z(b)));
	case SMT_UREM: return T(Z3_mk_bvurem(c, Z(a), Z(b)));
	case SMT_SREM: return T(Z3_mk_bvsrem(c, Z(a), Z(b)));
	case SMT_SHL: return T(Z3_mk_bvshl(c, Z(a), Z(b)));
	case SMT_LSHR: return T(Z3_mk_bvlshr(c, Z(a), Z(b)));
	case SMT_ASHR: return T(Z3_mk_bvashr(c, Z(a), Z(b)));
	case SMT_AND: return T(Z3_mk_bvand(c, Z(a), Z(b)));
	case SMT_OR: return T(Z3_mk_bvor(c, Z(a), Z(b)));
	case SMT_XOR: return T(Z3_mk_bvxor(c, Z(a), Z(b)));
	}
	return NULL;
}

smt_t
smt_bvnot(struct smt *s, smt_t a)
{
	const struct node *x = N(s, a);

	if (x->op == OP_NUM)
		return smt_num(s, ~x->val, x->bits);
	if (x->op == OP_BVNOT)
		return T(s->nodes[s->args[x->arg0]].ast);
	return T(Z3_mk_bvnot(s->ctx, Z(a)));
}

smt_t
smt_cmp(struct smt *s, enum smt_cmp op, smt_t a, smt_t b)
{
	uint32_t ia = node_of(s, Z(a)), ib = node_of(s, Z(b));
	const struct node *x = &s->nodes[ia], *y = &s->nodes[ib];
	Z3_context c = s->ctx;

	if (x->op == OP_NUM && y->op == OP_NUM && x->bits == y->bits)
		return smt_bool(s, fold_cmp(op, x->val, y->val, x->bits));
	if ((x->op == OP_TRUE || x->op == OP_FALSE) && (y->op == OP_TRUE || y->op == OP_FALSE) &&
	    (op == SMT_EQ || op == SMT_NE))
		return smt_bool(s, (x->op == y->op) == (op == SMT_EQ));
	if (a == b && a) {
		switch (op) {
		case SMT_EQ: case SMT_UGE: case SMT_ULE: case SMT_SGE: case SMT_SLE:
			return s->t;
		default:
			return s->f;
		}
	}
	switch (op) {
	case SMT_EQ: return T(Z3_mk_eq(c, Z(a), Z(b)));
	case SMT_NE: {
		Z3_ast v[2] = { Z(a), Z(b) };
		return T(Z3_mk_distinct(c, 2, v));
	}
	case SMT_UGT: return T(Z3_mk_bvugt(c, Z(a), Z(b)));
	case SMT_UGE: return T(Z3_mk_bvuge(c, Z(a), Z(b)));
	case SMT_ULT: return T(Z3_mk_bvult(c, Z(a), Z(b)));
	case SMT_ULE: return T(Z3_mk_bvule(c, Z(a), Z(b)));
	case SMT_SGT: return T(Z3_mk_bvsgt(c, Z(a), Z(b)));
	case SMT_SGE: return T(Z3_mk_bvsge(c, Z(a), Z(b)));
	case SMT_SLT: return T(Z3_mk_bvslt(c, Z(a), Z(b)));
	case SMT_SLE: return T(Z3_mk_bvsle(c, Z(a), Z(b)));
	}
	return NULL;
}

smt_t
smt_not(struct smt *s, smt_t a)
{
	const struct node *x;

	if (a == s->t)
		return s->f;
	if (a == s->f)
		return s->t;
	x = N(s, a);
	if (x->op == OP_NOT)
		return T(s->nodes[s->args[x->arg0]].ast);
	return T(Z3_mk_not(s->ctx, Z(a)));
}

smt_t
smt_and(struct smt *s, smt_t a, smt_t b)
{
	Z3_ast v[2] = { Z(a), Z(b) };

	if (a == s->f || b == s->f)
		return s->f;
	if (a == s->t || a == b)
		return b;
	if (b == s->t)
		return a;
	return T(Z3_mk_and(s->ctx, 2, v));
}

smt_t
smt_or(struct smt *s, smt_t a, smt_t b)
{
	Z3_ast v[2] = { Z(a), Z(b) };

	if (a == s->t || b == s->t)
		return s->t;
	if (a == s->f || a == b)
		return b;
	if (b == s->f)
		return a;
	return T(Z3_mk_or(s->ctx, 2, v));
}

smt_t
smt_ite(struct smt *s, smt_t c, smt_t a, smt_t b)
{
	if (c == s->t || a == b)
		return a;
	if (c == s->f)
		return b;
	if (a == s->t && b == s->f)
		return c;
	if (a == s->f && b == s->t)
		return smt_not(s, c);
	return T(Z3_mk_ite(s->ctx, Z(c), Z(a), Z(b)));
}

smt_t
smt_zext(struct smt *s, smt_t a, unsigned bits)
{
	const struct node *x = N(s, a);

	if (x->sort != SORT_BV || bits < x->bits)
		return NULL;
	if (bits == x->bits)
		return a;
	if (x->op == OP_NUM && bits <= 64)
		return smt_num(s, x->val, bits);
	return T(Z3_mk_zero_ext(s->ctx, bits - x->bits, Z(a)));
}

smt_t
smt_sext(struct smt *s, smt_t a, unsigned bits)
{
	const struct node *x = N(s, a);

	if (x->sort != SORT_BV || bits < x->bits)
		return NULL;
	if (bits == x->bits)
		return a;
	if (x->op == OP_NUM && bits <= 64)
		return smt_num(s, sext(x->val, x->bits, bits), bits);
	return T(Z3_mk_sign_ext(s->ctx, bits - x->bits, Z(a)));
}

smt_t
smt_extract(struct smt *s, smt_t a, unsigned hi, unsigned lo)
{
	const struct node *x = N(s, a);

	if (x->sort != SORT_BV || hi < lo || hi >= x->bits)
		return NULL;
	if (lo == 0 && hi == x->bits - 1)
		return a;
	if (x->op == OP_NUM)
		return smt_num(s, x->val >> lo, hi - lo + 1);
	return T(Z3_mk_extract(s->ctx, hi, lo, Z(a)));
}

smt_t
smt_concat(struct smt *s, smt_t hi, smt_t lo)
{
	uint32_t ih = node_of(s, Z(hi)), il = node_of(s, Z(lo));
	const struct node *x = &s->nodes[ih], *y = &s->nodes[il];

	if (x->op == OP_NUM && y->op == OP_NUM && x->bits + y->bits <= 64)
		return smt_num(s, x->val << y->bits | y->val, x->bits + y->bits);
	return T(Z3_mk_concat(s->ctx, Z(hi), Z(lo)));
}

smt_t
smt_subst(struct smt *s, smt_t a, const smt_t *from, const smt_t *to, unsigned n)
{
	Z3_ast *f, *t, r;

	if (!a || n == 0)
		return a;
	f = xmalloc(n * sizeof *f);
	t = xmalloc(n * sizeof *t);
	for (unsigned i = 0; i < n; i++) {
		f[i] = Z(from[i]);
		t[i] = Z(to[i]);
	}
	r = Z3_substitute(s->ctx, Z(a), n, f, t);
	free(f);
	free(t);
	return T(r);
}

smt_t
smt_bool_to_bv(struct smt *s, smt_t c)
{
	return smt_ite(s, c, smt_num(s, 1, 1), smt_num(s, 0, 1));
}

smt_t
smt_bv_to_bool(struct smt *s, smt_t a)
{
	return smt_cmp(s, SMT_NE, a, smt_num(s, 0, smt_bits(s, a)));
}

/* Z3_simplify sets up a rewriter on every call (microseconds even for a variable), and callers
** simplify the same terms again and again, so the answer is kept on the node; Z3's answer is
** taken as its own simplification. */
smt_t
smt_simplify(struct smt *s, smt_t a)
{
	uint32_t i = node_of(s, Z(a)), j;
	Z3_ast r;

	if (!i)
		return a;
	if (s->nodes[i].simp)
		return T(s->nodes[s->nodes[i].simp].ast);
	switch (s->nodes[i].op) {
	case OP_NUM: case OP_TRUE: case OP_FALSE: case OP_VAR: case OP_ARRAY:
		return a;
	default:
		break;
	}
	r = Z3_simplify(s->ctx, Z(a));
	if (!r)
		return NULL;
	j = node_of(s, r);
	s->nodes[i].simp = j;
	s->nodes[j].simp = j;
	return T(r);
}

/*---- Looking at expressions ----*/

bool
smt_is_bool(struct smt *s, smt_t a)
{
	return N(s, a)->sort == SORT_BOOL;
}

unsigned
smt_bits(struct smt *s, smt_t a)
{
	const struct node *x = N(s, a);

	return x->sort == SORT_BV ? x->bits : 0;
}

bool
smt_is_num(struct smt *s, smt_t a, uint64_t *v)
{
	const struct node *x = N(s, a);

	switch (x->op) {
	case OP_NUM: *v = x->val; return true;
	case OP_TRUE: *v = 1; return true;
	case OP_FALSE: *v = 0; return true;
	default: return false;
	}
}

enum smt_kind
smt_kind(struct smt *s, smt_t a, int *sub)
{
	static const enum smt_kind kinds[] = {
		[OP_BAD] = SMT_K_OTHER, [OP_NUM] = SMT_K_NUM, [OP_TRUE] = SMT_K_TRUE,
		[OP_FALSE] = SMT_K_FALSE, [OP_VAR] = SMT_K_VAR, [OP_ARRAY] = SMT_K_ARRAY,
		[OP_SELECT] = SMT_K_SELECT, [OP_STORE] = SMT_K_STORE,
		[OP_CONST_ARRAY] = SMT_K_OTHER, [OP_BIN] = SMT_K_BINOP, [OP_BVNOT] = SMT_K_BVNOT,
		[OP_NEG] = SMT_K_NEG, [OP_CMP] = SMT_K_CMP, [OP_DISTINCT] = SMT_K_CMP,
		[OP_NOT] = SMT_K_NOT, [OP_AND] = SMT_K_AND, [OP_OR] = SMT_K_OR,
		[OP_XOR] = SMT_K_OTHER, [OP_IMPLIES] = SMT_K_OTHER, [OP_ITE] = SMT_K_ITE,
		[OP_EXTRACT] = SMT_K_EXTRACT, [OP_CONCAT] = SMT_K_CONCAT, [OP_ZEXT] = SMT_K_ZEXT,
		[OP_SEXT] = SMT_K_SEXT,
	};
	const struct node *x = N(s, a);
	enum smt_kind k = x->op < sizeof kinds / sizeof kinds[0] ? kinds[x->op] : SMT_K_OTHER;

	/* DISTINCT is SMT_NE only between two. */
	if (x->op == OP_DISTINCT && x->nargs != 2)
		k = SMT_K_OTHER;
	if (sub)
		*sub = k == SMT_K_BINOP || k == SMT_K_CMP ? x->sub : 0;
	return k;
}

unsigned
smt_nargs(struct smt *s, smt_t a)
{
	return N(s, a)->nargs;
}

/* Pushes node 'i' on the walk stack unless this walk has been there already. */
static void
walk_push(struct smt *s, size_t *top, uint32_t i)
{
	if (s->mark[i] == s->mark_gen)
		return;
	if (*top == s->cap_walk) {
		s->cap_walk = s->cap_walk ? 2 * s->cap_walk : 256;
		s->walk = xrealloc(s->walk, s->cap_walk * sizeof *s->walk);
	}
	s->walk[(*top)++] = i;
}

size_t
smt_vars(struct smt *s, smt_t a, smt_t *out, size_t max)
{
	size_t n = 0, top = 0;
	uint32_t root = node_of(s, Z(a));

	if (!root)
		return 0;
	if (s->nnodes > s->cap_mark) {
		size_t cap = s->cap_mark ? s->cap_mark : 1024;

		while (cap < s->nnodes)
			cap *= 2;
		s->mark = xrealloc(s->mark, cap * sizeof *s->mark);
		memset(s->mark + s->cap_mark, 0, (cap - s->cap_mark) * sizeof *s->mark);
		s->cap_mark = cap;
	}
	/* A new generation forgets the last walk's marks without touching them. */
	if (++s->mark_gen == 0) {
		memset(s->mark, 0, s->cap_mark * sizeof *s->mark);
		s->mark_gen = 1;
	}
	/* Each shared subterm once (conditions are DAGs, checksums far larger as trees), in the
	** order a left-to-right depth-first walk meets the variables. */
	walk_push(s, &top, root);
	while (top) {
		uint32_t i = s->walk[--top];
		const struct node *x = &s->nodes[i];

		if (s->mark[i] == s->mark_gen)
			continue;
		s->mark[i] = s->mark_gen;
		if (x->op == OP_VAR || x->op == OP_ARRAY) {
			if (n < max)
				out[n] = T(x->ast);
			n++;
			continue;
		}
		for (uint32_t j = x->nargs; j-- > 0;)
			walk_push(s, &top, s->args[x->arg0 + j]);
	}
	return n;
}

smt_t
smt_arg(struct smt *s, smt_t a, unsigned i)
{
	const struct node *x = N(s, a);

	return i < x->nargs ? T(s->nodes[s->args[x->arg0 + i]].ast) : NULL;
}

void
smt_extract_bounds(struct smt *s, smt_t a, unsigned *hi, unsigned *lo)
{
	const struct node *x = N(s, a);
	bool ex = x->op == OP_EXTRACT;

	if (hi)
		*hi = ex ? x->aux >> 16 : 0;
	if (lo)
		*lo = ex ? x->aux & 0xffff : 0;
}

const char *
smt_name(struct smt *s, smt_t a)
{
	const struct node *x = N(s, a);

	return x->op == OP_VAR || x->op == OP_ARRAY ? s->names[x->aux] : NULL;
}

char *
smt_sexpr(struct smt *s, smt_t a)
{
	Z3_string str = a ? Z3_ast_to_string(s->ctx, Z(a)) : NULL;

	return xstrdup(str ? str : "");
}

unsigned
smt_id(struct smt *s, smt_t a)
{
	return a ? Z3_get_ast_id(s->ctx, Z(a)) : 0;
}

/*---- Solving ----*/

/* Fixes the result of the last check, keeping the reason of an UNKNOWN. */
static enum smt_result
answer(struct smt *s, enum smt_result r)
{
	s->last = r;
	if (r == SMT_UNKNOWN) {
		Z3_string why = Z3_solver_get_reason_unknown(s->ctx, s->solver);
		free(s->reason);
		s->reason = xstrdup(why ? why : "unknown");
	}
	return r;
}

/* The model of the last SAT answer, fetched from the solver on first use. */
static Z3_model
model(struct smt *s)
{
	if (!s->model && s->last == SMT_SAT) {
		s->model = Z3_solver_get_model(s->ctx, s->solver);
		if (s->model)
			Z3_model_inc_ref(s->ctx, s->model);
	}
	return s->model;
}

/* Makes the solver hold conds[0..n), keeping the first k it holds already. False when the
** deadline passed, or the user stopped, on the way: each push makes Z3 take in the condition
** before it (bit-blasting a product can take a tenth of a second) outside any check's timeout,
** so a long prefix to rebuild could run far past it. The solver then holds a prefix of conds. */
static bool
sync_stack(struct smt *s, smt_t const *conds, size_t k, size_t n)
{
	Z3_context c = s->ctx;
	unsigned pops = 0;

	for (size_t i = k; i < s->depth; i++)
		pops += s->stack[i].pushed;
	if (pops)
		Z3_solver_pop(c, s->solver, pops);
	if (n > s->cap_stack) {
		s->cap_stack = n < 64 ? 64 : 2 * n;
		s->stack = xrealloc(s->stack, s->cap_stack * sizeof *s->stack);
	}
	/* One scope per condition, so any prefix can be kept next time. */
	for (size_t i = k; i < n; i++) {
		bool push = conds[i] != s->t;
		if (push && ((s->stop && *s->stop) ||
			     (s->deadline > 0 && clock_seconds() >= s->deadline))) {
			s->depth = i;
			return false;
		}
		if (push) {
			Z3_solver_push(c, s->solver);
			Z3_solver_assert(c, s->solver, Z(conds[i]));
		}
		s->stack[i] = (struct frame){ .cond = conds[i], .pushed = push };
	}
	s->depth = n;
	return true;
}

static bool try_models(struct smt *s, smt_t const *conds, size_t n);
static void keep_model(struct smt *s);

/* The answer of a check that did not run for the deadline or a stop; the solver holds some
** prefix of what it was asked, which the next check builds on. */
static enum smt_result
past_deadline(struct smt *s)
{
	s->last = SMT_UNKNOWN;
	free(s->reason);
	s->reason = xstrdup(s->stop && *s->stop ? "stopped" : "deadline");
	return SMT_UNKNOWN;
}

void
smt_set_stop(struct smt *s, const volatile sig_atomic_t *stop)
{
	s->stop = stop;
}

void
smt_set_deadline(struct smt *s, double when)
{
	s->deadline = when > 0 ? when : 0;
	if (!s->deadline && s->cut_ms) {
		set_params(s, s->timeout_ms);
		s->cut_ms = 0;
	}
}

/* Cuts the next check's timeout to the time left before the deadline; false when none is. The
** parameters change only in the last 'timeout_ms' before it (setting them is not free), and
** then only when the time left has become shorter than the cut. */
static bool
fit_deadline(struct smt *s)
{
	double left = s->deadline - clock_seconds();
	unsigned ms;

	if (left <= 0.0005)
		return false;
	ms = left > 3600 ? 3600000 : (unsigned)(left * 1000) + 1;
	if (s->timeout_ms && ms >= s->timeout_ms) {
		if (s->cut_ms) {
			set_params(s, s->timeout_ms);
			s->cut_ms = 0;
		}
		return true;
	}
	/* A cut stays good while it fits in what is left. */
	if (!s->cut_ms || s->cut_ms > ms) {
		set_params(s, ms);
		s->cut_ms = ms;
	}
	return true;
}

static enum smt_result
check(struct smt *s, smt_t const *conds, size_t n, bool cached)
{
	size_t k = 0;
	enum smt_result r;

	/* The answers known without the solver leave it, and the model, as they are. */
	while (k < n && k < s->depth && s->stack[k].cond == conds[k]) {
		if (s->stack[k].unsat) {
			/* A prefix already failed: so does every extension. */
			return answer(s, SMT_UNSAT);
		}
		k++;
	}
	if (k == n && k == s->depth && s->checked && s->hit < 0)
		return answer(s, s->stack_res);
	for (size_t i = k; i < n; i++)
		if (conds[i] == s->f)
			return answer(s, SMT_UNSAT);
	if (cached && try_models(s, conds, n)) {
		s->n_hits++;
		return answer(s, SMT_SAT);
	}
	s->hit = -1;
	drop_model(s);
	if ((s->stop && *s->stop) || (s->deadline > 0 && !fit_deadline(s)))
		return past_deadline(s);
	s->n_solved++;
	s->checked = false;
	if (!sync_stack(s, conds, k, n) || (s->deadline > 0 && !fit_deadline(s)))
		return past_deadline(s);
	switch (Z3_solver_check(s->ctx, s->solver)) {
	case Z3_L_TRUE: r = SMT_SAT; break;
	case Z3_L_FALSE: r = SMT_UNSAT; break;
	default: r = SMT_UNKNOWN; break;
	}
	if (r == SMT_UNSAT && n > 0)
		s->stack[n - 1].unsat = true;
	s->checked = true;
	s->stack_res = r;
	answer(s, r);
	if (r == SMT_SAT)
		keep_model(s);
	return r;
}

enum smt_result
smt_check(struct smt *s, smt_t const *conds, size_t n)
{
	return check(s, conds, n, true);
}

static bool load_model(struct smt *s, int m);

void
smt_counts(const struct smt *s, uint64_t *solved, uint64_t *from_models)
{
	*solved = s->n_solved;
	*from_models = s->n_hits;
}

bool
smt_model_value(struct smt *s, smt_t a, uint64_t *v)
{
	Z3_context c = s->ctx;
	Z3_model m;
	Z3_ast r = NULL;

	if (s->last == SMT_SAT && s->hit >= 0) {
		if (a && load_model(s, s->hit) && smt_eval(s->cenv, a, v))
			return true;
		/* Beyond the evaluator: the solver's own model of the same conditions. */
		if (check(s, s->hit_conds, s->n_hit_conds, false) != SMT_SAT)
			return false;
	}
	m = model(s);
	if (!m || !a || !Z3_model_eval(c, m, Z(a), true, &r) || !r)
		return false;
	switch (Z3_get_bool_value(c, r)) {
	case Z3_L_TRUE: *v = 1; return true;
	case Z3_L_FALSE: *v = 0; return true;
	default: break;
	}
	return Z3_is_numeral_ast(c, r) && Z3_get_numeral_uint64(c, r, v);
}

const char *
smt_reason(struct smt *s)
{
	return s->last == SMT_UNKNOWN && s->reason ? s->reason : "";
}

/*---- Concrete evaluation ----*/

struct eslot {
	uint64_t v;		/* a variable's value */
	uint8_t *bytes;		/* an array's bytes */
	size_t n, cap;
	bool set;
};

struct smt_env {
	struct smt *s;
	struct eslot *slots;
	size_t nslots;
	/* The values of this call's nodes: memo_val[i] holds when memo_gen[i] is 'gen'. */
	uint32_t *memo_gen;
	uint64_t *memo_val;
	size_t memo_cap;
	uint32_t gen;
	bool zero;		/* variables without a value read as zero (a model cache's env) */
};

struct smt_env *
smt_env_new(struct smt *s)
{
	struct smt_env *e = xcalloc(1, sizeof *e);

	e->s = s;
	return e;
}

void
smt_env_free(struct smt_env *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nslots; i++)
		free(e->slots[i].bytes);
	free(e->slots);
	free(e->memo_gen);
	free(e->memo_val);
	free(e);
}

static struct eslot *
env_slot(struct smt_env *e, uint32_t slot)
{
	if (slot >= e->nslots) {
		size_t n = e->s->nslots > slot ? e->s->nslots : (size_t)slot + 1;
		e->slots = xrealloc(e->slots, n * sizeof *e->slots);
		memset(e->slots + e->nslots, 0, (n - e->nslots) * sizeof *e->slots);
		e->nslots = n;
	}
	return &e->slots[slot];
}

void
smt_env_set(struct smt_env *e, smt_t var, uint64_t v)
{
	const struct node *x = N(e->s, var);
	struct eslot *sl;

	if (x->op != OP_VAR)
		return;
	sl = env_slot(e, x->aux);
	sl->v = x->sort == SORT_BOOL ? v != 0 : v & mask(x->bits);
	sl->set = true;
}

void
smt_env_set_array(struct smt_env *e, smt_t array, const uint8_t *bytes, size_t n)
{
	const struct node *x = N(e->s, array);
	struct eslot *sl;

	if (x->op != OP_ARRAY)
		return;
	sl = env_slot(e, x->aux);
	if (n > sl->cap) {
		sl->cap = n;
		sl->bytes = xrealloc(sl->bytes, n);
	}
	if (n)
		memcpy(sl->bytes, bytes, n);
	sl->n = n;
	sl->set = true;
}

static bool ev(struct smt_env *e, uint32_t i, uint64_t *out);

/* The byte at 'idx' of the array node 'arr': walks stores and array ites down to a variable. */
static bool
ev_select(struct smt_env *e, uint32_t arr, uint64_t idx, uint64_t *out)
{
	const struct smt *s = e->s;
	uint64_t v;

	for (;;) {
		const struct node *n = &s->nodes[arr];
		const uint32_t *a = s->args + n->arg0;
		switch (n->op) {
		case OP_ARRAY:
			if (n->aux >= e->nslots || !e->slots[n->aux].set) {
				*out = 0;
				return e->zero;
			}
			*out = idx < e->slots[n->aux].n ? e->slots[n->aux].bytes[idx] : 0;
			return true;
		case OP_STORE:
			if (!ev(e, a[1], &v))
				return false;
			if (v == idx)
				return ev(e, a[2], out);
			arr = a[0];
			break;
		case OP_ITE:
			if (!ev(e, a[0], &v))
				return false;
			arr = v ? a[1] : a[2];
			break;
		case OP_CONST_ARRAY:
			return ev(e, a[0], out);
		default:
			return false;
		}
	}
}

static bool
ev(struct smt_env *e, uint32_t i, uint64_t *out)
{
	const struct smt *s = e->s;
	const struct node *n = &s->nodes[i];
	const uint32_t *a = s->args + n->arg0;
	unsigned bits = n->bits, ab;
	uint64_t r = 0, x, y;

	if (e->memo_gen[i] == e->gen) {
		*out = e->memo_val[i];
		return true;
	}
	if (n->sort == SORT_ARRAY || n->sort == SORT_OTHER || (n->sort == SORT_BV && bits > 64))
		return false;
	switch (n->op) {
	case OP_NUM:
		r = n->val;
		break;
	case OP_TRUE:
		r = 1;
		break;
	case OP_FALSE:
		r = 0;
		break;
	case OP_VAR:
		if (n->aux < e->nslots && e->slots[n->aux].set)
			r = e->slots[n->aux].v;
		else if (!e->zero)
			return false;
		break;
	case OP_SELECT:
		if (!ev(e, a[1], &x) || !ev_select(e, a[0], x, &r))
			return false;
		break;
	case OP_BIN:
		if (n->nargs < 1 || !ev(e, a[0], &r))
			return false;
		for (uint32_t j = 1; j < n->nargs; j++) {
			if (!ev(e, a[j], &y))
				return false;
			r = fold_bin(n->sub, r, y, bits);
		}
		break;
	case OP_SMOD:
		if (n->nargs != 2 || !ev(e, a[0], &x) || !ev(e, a[1], &y))
			return false;
		r = fold_smod(x, y, bits);
		break;
	case OP_NAND: case OP_NOR: case OP_XNOR:
		if (n->nargs != 2 || !ev(e, a[0], &x) || !ev(e, a[1], &y))
			return false;
		r = ~(n->op == OP_NAND ? x & y : n->op == OP_NOR ? x | y : x ^ y);
		break;
	case OP_BVNOT:
		if (!ev(e, a[0], &x))
			return false;
		r = ~x;
		break;
	case OP_NEG:
		if (!ev(e, a[0], &x))
			return false;
		r = -x;
		break;
	case OP_CMP: case OP_COMP:
		if (n->nargs != 2 || !ev(e, a[0], &x) || !ev(e, a[1], &y))
			return false;
		ab = s->nodes[a[0]].sort == SORT_BV ? s->nodes[a[0]].bits : 0;
		r = n->op == OP_COMP ? x == y : fold_cmp(n->sub, x, y, ab);
		break;
	case OP_DISTINCT:
		/* Pairwise; Z3 makes it with two arguments unless asked otherwise. */
		r = 1;
		for (uint32_t j = 0; j < n->nargs && r; j++) {
			if (!ev(e, a[j], &x))
				return false;
			for (uint32_t k = 0; k < j && r; k++) {
				if (!ev(e, a[k], &y))
					return false;
				r = x != y;
			}
		}
		break;
	case OP_NOT:
		if (!ev(e, a[0], &x))
			return false;
		r = !x;
		break;
	case OP_AND: case OP_OR:
		/* Stops at the deciding argument: the rest cannot change the answer. */
		r = n->op == OP_AND;
		for (uint32_t j = 0; j < n->nargs; j++) {
			if (!ev(e, a[j], &x))
				return false;
			if (x != r) {
				r = x;
				break;
			}
		}
		break;
	case OP_XOR:
		for (uint32_t j = 0; j < n->nargs; j++) {
			if (!ev(e, a[j], &x))
				return false;
			r ^= x;
		}
		break;
	case OP_IMPLIES:
		if (!ev(e, a[0], &x))
			return false;
		r = 1;
		if (x && !ev(e, a[1], &r))
			return false;
		break;
	case OP_ITE:
		if (!ev(e, a[0], &x) || !ev(e, x ? a[1] : a[2], &r))
			return false;
		break;
	case OP_EXTRACT:
		if (!ev(e, a[0], &x))
			return false;
		r = x >> (n->aux & 0xffff);
		break;
	case OP_CONCAT:
		for (uint32_t j = 0; j < n->nargs; j++) {
			ab = s->nodes[a[j]].bits;
			if (!ev(e, a[j], &x))
				return false;
			r = (ab >= 64 ? 0 : r << ab) | x;
		}
		break;
	case OP_ZEXT:
		if (!ev(e, a[0], &r))
			return false;
		break;
	case OP_SEXT:
		if (!ev(e, a[0], &x))
			return false;
		r = sext(x, s->nodes[a[0]].bits, bits);
		break;
	case OP_REDOR: case OP_REDAND:
		if (!ev(e, a[0], &x))
			return false;
		r = n->op == OP_REDOR ? x != 0 : x == mask(s->nodes[a[0]].bits);
		break;
	case OP_ROTL: case OP_ROTR:
		if (!ev(e, a[0], &x))
			return false;
		r = rotl(x, n->op == OP_ROTL ? n->aux % bits : bits - n->aux % bits, bits);
		break;
	case OP_EXT_ROTL: case OP_EXT_ROTR:
		if (!ev(e, a[0], &x) || !ev(e, a[1], &y))
			return false;
		y %= bits;
		r = rotl(x, n->op == OP_EXT_ROTL ? y : bits - y, bits);
		break;
	case OP_REPEAT:
		if (!ev(e, a[0], &x))
			return false;
		ab = s->nodes[a[0]].bits;
		for (uint32_t j = 0; j < n->aux; j++)
			r = (ab >= 64 ? 0 : r << ab) | x;
		break;
	case OP_BIT2BOOL:
		if (!ev(e, a[0], &x))
			return false;
		r = x >> n->aux & 1;
		break;
	default:
		return false;
	}
	if (n->sort == SORT_BV)
		r &= mask(bits);
	e->memo_gen[i] = e->gen;
	e->memo_val[i] = r;
	*out = r;
	return true;
}

bool
smt_eval(struct smt_env *e, smt_t a, uint64_t *v)
{
	struct smt *s = e->s;
	uint32_t i = node_of(s, Z(a));
	uint64_t r;

	if (s->nnodes > e->memo_cap) {
		size_t cap = e->memo_cap ? e->memo_cap : 1024;
		while (cap < s->nnodes)
			cap *= 2;
		e->memo_gen = xrealloc(e->memo_gen, cap * sizeof *e->memo_gen);
		e->memo_val = xrealloc(e->memo_val, cap * sizeof *e->memo_val);
		memset(e->memo_gen + e->memo_cap, 0, (cap - e->memo_cap) * sizeof *e->memo_gen);
		e->memo_cap = cap;
	}
	/* A new generation forgets the last call's values without touching them. */
	if (++e->gen == 0) {
		memset(e->memo_gen, 0, e->memo_cap * sizeof *e->memo_gen);
		e->gen = 1;
	}
	if (!ev(e, i, &r))
		return false;
	*v = r;
	return true;
}

/*---- The model cache ----*/

/* Most checks while exploring paths are satisfiable, and a model of one often satisfies the
** next (a sibling path, the other side of a branch): evaluating a few recent models in C
** takes microseconds where the solver takes up to milliseconds. Only SAT is answered so: a
** model no longer satisfying proves nothing. */

/* Makes 'cenv' hold model 'm'; false when there is none. */
static bool
load_model(struct smt *s, int m)
{
	const struct cmodel *cm;

	if (m < 0 || (unsigned)m >= s->n_models)
		return false;
	if (!s->cenv) {
		s->cenv = smt_env_new(s);
		s->cenv->zero = true;
	}
	if (s->loaded == m)
		return true;
	if (s->loaded >= 0) {
		cm = &s->models[s->loaded];
		for (uint32_t i = 0; i < cm->n; i++)
			env_slot(s->cenv, cm->slots[i])->set = false;
	}
	cm = &s->models[m];
	for (uint32_t i = 0; i < cm->n; i++) {
		struct eslot *sl = env_slot(s->cenv, cm->slots[i]);

		sl->v = cm->vals[i];
		sl->set = true;
	}
	s->loaded = m;
	return true;
}

static bool
try_models(struct smt *s, smt_t const *conds, size_t n)
{
	uint64_t v;

	for (unsigned k = 0; k < s->n_models; k++) {
		int m = (int)((s->next_model + SMT_MODELS - 1 - k) % SMT_MODELS);
		size_t i;

		load_model(s, m);
		for (i = 0; i < n; i++) {
			if (!smt_eval(s->cenv, conds[i], &v) || !v)
				break;
		}
		if (i < n)
			continue;
		s->hit = m;
		if (n > s->cap_hit_conds) {
			s->cap_hit_conds = 2 * n;
			s->hit_conds = xrealloc(s->hit_conds, s->cap_hit_conds * sizeof *s->hit_conds);
		}
		memcpy(s->hit_conds, conds, n * sizeof *conds);
		s->n_hit_conds = n;
		return true;
	}
	return false;
}

/* Keeps the solver's model of its last SAT answer, replacing the oldest. */
static void
keep_model(struct smt *s)
{
	Z3_context c = s->ctx;
	Z3_model m = model(s);
	unsigned idx = s->next_model, nc;
	struct cmodel *cm = &s->models[idx];

	if (!m)
		return;
	if (s->loaded == (int)idx && idx < s->n_models) {
		for (uint32_t i = 0; i < cm->n; i++)
			env_slot(s->cenv, cm->slots[i])->set = false;
		s->loaded = -1;
	}
	nc = Z3_model_get_num_consts(c, m);
	cm->slots = xrealloc(cm->slots, (nc ? nc : 1) * sizeof *cm->slots);
	cm->vals = xrealloc(cm->vals, (nc ? nc : 1) * sizeof *cm->vals);
	cm->n = 0;
	for (unsigned i = 0; i < nc; i++) {
		Z3_func_decl d = Z3_model_get_const_decl(c, m, i);
		Z3_ast val = Z3_model_get_const_interp(c, m, d);
		const struct node *x;
		uint64_t v;

		if (!val)
			continue;
		x = &s->nodes[node_of(s, Z3_mk_app(c, d, 0, NULL))];
		if (x->op != OP_VAR)
			continue;
		if (x->sort == SORT_BOOL) {
			Z3_lbool b = Z3_get_bool_value(c, val);

			if (b == Z3_L_UNDEF)
				continue;
			v = b == Z3_L_TRUE;
		} else if (x->sort != SORT_BV || x->bits > 64 || !Z3_is_numeral_ast(c, val) ||
			   !Z3_get_numeral_uint64(c, val, &v)) {
			continue;
		}
		cm->slots[cm->n] = x->aux;
		cm->vals[cm->n++] = v;
	}
	s->next_model = (idx + 1) % SMT_MODELS;
	if (s->n_models < SMT_MODELS)
		s->n_models++;
}
