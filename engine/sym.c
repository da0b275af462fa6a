/*
** sym: the symbolic executor (see sym.h). One state per path being explored; a fork clones the
** state (objects are shared until written) and pushes the clone on a stack, so exploration is
** depth first and memory stays proportional to the depth. The state library's models are the
** table 'models' at the end.
*/
#include "engine/sym.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/clock.h"
#include "engine/xalloc.h"

/* ---- arena: everything a result keeps (paths, events, keys) ---- */

struct achunk {
	struct achunk *next;
	size_t used, size;
	max_align_t data[];
};

struct arena {
	struct achunk *head;
};

static void *
arena_alloc(struct arena *a, size_t n)
{
	struct achunk *c = a->head;

	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	if (n == 0)
		return NULL;
	if (!c || c->size - c->used < n) {
		size_t sz = n > 65536 ? n : 65536;

		c = xmalloc(sizeof *c + sz);
		c->size = sz;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	c->used += n;
	return (char *)c->data + c->used - n;
}

static void *
arena_dup(struct arena *a, const void *p, size_t n)
{
	void *q = arena_alloc(a, n);

	if (n)
		memcpy(q, p, n);
	return q;
}

static void
arena_free(struct arena *a)
{
	while (a->head) {
		struct achunk *c = a->head;

		a->head = c->next;
		free(c);
	}
}

/* ---- values and memory ---- */

/* A value: concrete (sym 0, 'c' masked to 'bits') or an expression (booleans for 1 bit).
** 'prov' is the object a pointer points into (0: not a pointer). */
struct sv {
	smt_t e;
	uint64_t c;
	uint32_t prov;
	uint8_t bits;
	uint8_t sym;
};

struct cell {
	smt_t e;		/* the byte when CELL_SYM */
	smt_t whole;		/* the value a wider store wrote this byte of (a hint, see mem_load) */
	uint32_t prov;		/* a byte of a pointer into this object */
	uint8_t c;
	uint8_t flags;
	uint8_t wpos;		/* which byte of 'whole': size << 4 | index */
};

#define CELL_DEF	1	/* written (or initialized) */
#define CELL_SYM	2	/* 'e' holds it */

enum okind { OK_STACK, OK_HEAP, OK_GLOBAL, OK_PACKET, OK_RECORD, OK_HANDLE, OK_FUNC, OK_ENV };

struct mobj {
	unsigned refs;
	uint8_t kind;
	bool readonly;
	bool init_mem;		/* heap made by nf_init: nf_process must not write it */
	uint32_t size;
	uint32_t handle;	/* OK_HANDLE: the sym_object */
	char what[64];		/* for messages */
	struct cell *cells;
};

struct frame {
	uint32_t fn;
	uint32_t block, prev;
	uint32_t pc;		/* index into the function's insts */
	uint32_t ret_dst;	/* caller's register for the result */
	struct sv *regs;
};

struct state {
	struct mobj **objs;	/* by id - 1 */
	uint32_t n_objs, cap_objs;
	struct frame *frames;
	uint32_t n_frames, cap_frames;
	smt_t *pc;		/* path condition: the input bounds, then every branch taken */
	uint32_t n_pc, cap_pc;
	uint32_t n_fixed_pc;	/* the input bounds (not part of a path's conds) */
	struct sym_cond *conds;
	uint32_t n_conds, cap_conds;
	struct sym_event *events;
	uint32_t n_events, cap_events;
	struct sym_write *writes;
	uint32_t n_writes, cap_writes;
	uint32_t *pread;	/* the packet byte variables this path read (sym_result.pbytes) */
	uint32_t n_pread, cap_pread;
	uint64_t len_lo;	/* len >= len_lo is known to hold */
	uint64_t steps;
	unsigned offset_forks;	/* clones made by the instruction being run (symbolic offsets) */
	bool init;		/* running nf_init */
	bool verdict_assumed;	/* a verdict from state was assumed valid */
	bool done;
	uint32_t rec_ev, rec_id;	/* the last vector_mut's event and record (0: none) */
	struct sv ret;		/* the value the outermost function returned */
};

struct exec {
	const struct ir_module *ir;
	struct smt *smt;
	const struct sym_host *host;
	struct sym_opts o;
	struct err *e;
	struct sym_result *r;
	struct arena *arena;
	struct state **stack;	/* states waiting to run */
	uint32_t n_stack, cap_stack;
	uint32_t cap_paths, cap_objects, cap_init, cap_pbytes;
	double t0;
	double deadline;	/* clock_seconds() past which the run stops */
	uint64_t next_check;
	bool halted;		/* a limit was hit or the user stopped it: 'e' says which, and
				** every later step fails without a message of its own */
	uint64_t rss0;		/* the process's resident bytes at the start (0: unknown) */
	double mem_checked;	/* when the memory was last looked at */
	uint64_t cells_made;	/* bytes of object cells made since the last memory check */
	uint32_t *fork_base;	/* by function: its first slot in 'forks' */
	uint32_t *forks;	/* by instruction: the clones it made, to name a runaway loop */
	unsigned undef;		/* fresh names for uninitialized bytes */
	uint32_t global0, func0;	/* object ids of global 0 and function 0 */
	uint32_t pkt_id, env_id;
	smt_t scratch[4096];
	const char *init_error;	/* nf_env_fail's format, when nf_init called it */
	struct vset *vsets;	/* variables of conditions, by expression id (open addressing) */
	uint32_t n_vsets, cap_vsets;
	const struct ir_inst *cur;	/* the instruction being run, for messages */
	uint32_t cur_fn;
};

struct result_priv {
	struct sym_result r;
	struct arena arena;
};

static uint64_t
mask(unsigned bits)
{
	return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

static int64_t
sext64(uint64_t v, unsigned bits)
{
	if (bits >= 64)
		return (int64_t)v;
	if (v & (1ull << (bits - 1)))
		v |= ~mask(bits);
	return (int64_t)v;
}

static uint64_t
obj_base(uint32_t id)
{
	return (uint64_t)id << 32;
}

/* "file:line" of instruction 'in' of function 'fn' into loc. */
static void
inst_loc(struct exec *x, const struct ir_inst *in, uint32_t fn, char *loc, size_t size)
{
	const struct ir_fn *f = &x->ir->fns[fn];
	const struct ir_inst *at = in;

	/* Instructions without a location (inlined ntohs, phis): the nearest one before. */
	while (!at->line && at > f->insts && at < f->insts + f->n_insts)
		at--;
	ir_loc(x->ir, at->line ? at : in, loc, size);
}

/* Formats "file:line: " + message into the error; always returns -1. After a limit or a stop
** the error already says why the run ends: what failed for lack of an answer adds nothing. */
static int __attribute__((format(printf, 3, 4)))
fail(struct exec *x, int code, const char *fmt, ...)
{
	char loc[256], msg[1536];
	va_list ap;

	if (x->halted)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (x->cur) {
		inst_loc(x, x->cur, x->cur_fn, loc, sizeof loc);
		err_set(x->e, code, "%s: %s", loc, msg);
	} else {
		err_set(x->e, code, "%s", msg);
	}
	return -1;
}

/* ---- limits ---- */

/* The successors of block b of f (its terminator's targets), n of them at *out. */
static uint32_t
succs(const struct ir_fn *f, uint32_t b, const uint32_t **out)
{
	const struct ir_block *blk = &f->blocks[b];
	const struct ir_inst *t = blk->n ? &f->insts[blk->first + blk->n - 1] : NULL;

	if (!t || (t->op != IR_BR && t->op != IR_CONDBR && t->op != IR_SWITCH))
		return 0;
	*out = t->targets;
	return t->n_targets;
}

/* Whether block 'to' of f can be reached from block 'from' in one step or more. */
static bool
reaches(const struct ir_fn *f, uint32_t from, uint32_t to)
{
	uint32_t *todo = xmalloc((f->n_blocks + 1) * sizeof *todo), n = 0;
	bool *seen = xcalloc(f->n_blocks + 1, sizeof *seen), found = false;
	const uint32_t *t;

	todo[n++] = from;
	while (n && !found) {
		uint32_t u = todo[--n], ns = succs(f, u, &t);

		for (uint32_t k = 0; k < ns && !found; k++) {
			found = t[k] == to;
			if (t[k] < f->n_blocks && !seen[t[k]]) {
				seen[t[k]] = true;
				todo[n++] = t[k];
			}
		}
	}
	free(seen);
	free(todo);
	return found;
}

enum { NOT_LOOP, IN_LOOP, LOOP_EXIT };

/* Where instruction 'i' of f stands to the loops of its function: not in one, in one (both
** ways lead back), or a loop's exit test (one way leaves it: its trip count is decided here). */
static int
loop_kind(const struct ir_fn *f, uint32_t i)
{
	uint32_t b = 0, ns;
	const uint32_t *t;

	while (b < f->n_blocks &&
	       (i < f->blocks[b].first || i - f->blocks[b].first >= f->blocks[b].n))
		b++;
	if (b == f->n_blocks || !reaches(f, b, b))
		return NOT_LOOP;
	ns = f->insts[i].op == IR_CONDBR || f->insts[i].op == IR_SWITCH ? succs(f, b, &t) : 0;
	for (uint32_t k = 0; k < ns; k++) {
		if (t[k] != b && !reaches(f, t[k], b))
			return LOOP_EXIT;
	}
	return IN_LOOP;
}

/* Ends the run at a limit, or at the user's stop: the first reason wins, and every later step
** fails. The message says where the forks went, the likeliest reason for the limit: a loop
** whose bound comes from the packet makes one path per trip, a chain of independent branches
** doubles the paths at each. It is located there rather than at the step that was running. */
static void __attribute__((format(printf, 3, 4)))
halt(struct exec *x, int code, const char *fmt, ...)
{
	char msg[1024], loc[256];
	uint32_t best = 0, bfn = 0, bi = 0, lbest = 0, lfn = 0, li = 0;
	va_list ap;

	if (x->halted)
		return;
	x->halted = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	for (uint32_t fn = 0; x->forks && fn < x->ir->n_fns; fn++) {
		for (uint32_t i = 0; i < x->ir->fns[fn].n_insts; i++) {
			uint32_t n = x->forks[x->fork_base[fn] + i];

			if (n > best) {
				best = n;
				bfn = fn;
				bi = i;
			}
			if (n > 1 && n > lbest && loop_kind(&x->ir->fns[fn], i) != NOT_LOOP) {
				lbest = n;
				lfn = fn;
				li = i;
			}
		}
	}
	/* A loop that forks about as often as anything is the likelier culprit: every trip
	** adds a path, and each path's end may fork again (on a verdict made in the loop). */
	if (lbest && lbest >= best / 4) {
		best = lbest;
		bfn = lfn;
		bi = li;
	}
	if (best > 1) {
		const struct ir_fn *f = &x->ir->fns[bfn];
		int kind = loop_kind(f, bi), op = f->insts[bi].op;

		inst_loc(x, &f->insts[bi], bfn, loc, sizeof loc);
		/* Besides branches, accesses fork on symbolic offsets, calls on their outcomes. */
		err_set(x->e, code, "%s: %s; the %s here forked %u times%s", loc, msg,
			kind == LOOP_EXIT ? "loop" : op == IR_LOAD || op == IR_STORE ? "access" :
			op == IR_CALL ? "call" : "branch", best,
			kind == LOOP_EXIT ? " (is its bound read from the packet?)" :
			kind == IN_LOOP ? ", in a loop" : "");
	} else if (x->cur) {
		const struct ir_fn *f = &x->ir->fns[x->cur_fn];

		/* Nothing forked: a long loop on concrete values, or one slow solver call. */
		inst_loc(x, x->cur, x->cur_fn, loc, sizeof loc);
		err_set(x->e, code, "%s: %s%s", loc, msg,
			loop_kind(f, (uint32_t)(x->cur - f->insts)) != NOT_LOOP ?
			"; it was running the loop here" : "");
	} else {
		err_set(x->e, code, "%s", msg);
	}
}

/* The process's resident memory in bytes; 0 when it cannot tell (no /proc). */
static uint64_t
resident_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long long size, res;
	long page = sysconf(_SC_PAGESIZE);
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "%llu %llu", &size, &res);
	fclose(f);
	return n == 2 && page > 0 ? res * (uint64_t)page : 0;
}

static void
time_up(struct exec *x)
{
	halt(x, -ETIMEDOUT, "took more than %g s (the time limit) and stopped after %u path%s",
	     x->o.max_seconds, x->r->n_paths, x->r->n_paths == 1 ? "" : "s");
}

/* Whether the run must end now for its time, its memory or the user's stop: checked before
** each solver call as well as every few thousand steps, since one step can ask the solver many
** times (and the solver's memory grows in its calls). Memory is looked at every 10 ms. */
static bool
out_of_time(struct exec *x)
{
	double now;
	uint64_t rss;

	if (x->halted)
		return true;
	if (progress_stopped(x->o.progress)) {
		halt(x, -EINTR, "stopped after %u path%s", x->r->n_paths,
		     x->r->n_paths == 1 ? "" : "s");
		return true;
	}
	now = clock_seconds();
	if (now > x->deadline) {
		time_up(x);
		return true;
	}
	if (x->rss0 && (now - x->mem_checked > 0.01 || !x->next_check)) {
		x->mem_checked = now;
		rss = resident_bytes();
		if (rss > x->rss0 && rss - x->rss0 > x->o.max_memory) {
			halt(x, -ENOMEM, "needed more than %" PRIu64 " MiB of memory (the memory "
			     "limit) and stopped after %u path%s", x->o.max_memory >> 20,
			     x->r->n_paths, x->r->n_paths == 1 ? "" : "s");
			return true;
		}
	}
	return false;
}

static struct sv
sv_num(uint64_t c, unsigned bits)
{
	struct sv v = { NULL, c & mask(bits), 0, (uint8_t)bits, 0 };

	return v;
}

/* A value from an expression: concrete when the expression is a constant. */
static struct sv
sv_expr(struct exec *x, smt_t e, unsigned bits, uint32_t prov)
{
	struct sv v = { e, 0, prov, (uint8_t)bits, 1 };
	uint64_t c;

	if (smt_is_num(x->smt, e, &c)) {
		v.e = NULL;
		v.c = c & mask(bits);
		v.sym = 0;
	}
	return v;
}

/* The bit-vector expression of a value (1-bit booleans become #b0/#b1). */
static smt_t
bv(struct exec *x, struct sv v)
{
	if (!v.sym)
		return smt_num(x->smt, v.c, v.bits);
	if (smt_is_bool(x->smt, v.e))
		return smt_bool_to_bv(x->smt, v.e);
	return v.e;
}

/* The boolean expression of a 1-bit value. */
static smt_t
boolean(struct exec *x, struct sv v)
{
	if (!v.sym)
		return smt_bool(x->smt, v.c != 0);
	if (smt_is_bool(x->smt, v.e))
		return v.e;
	return smt_bv_to_bool(x->smt, v.e);
}

/* ---- states ---- */

/* Counts the cells made, so the memory limit is checked soon after a burst of them (an object
** copied on every fork) instead of thousands of steps later. */
static void
cells_made(struct exec *x, uint32_t n)
{
	x->cells_made += (uint64_t)n * sizeof(struct cell);
	if (x->cells_made > (64u << 20)) {
		x->cells_made = 0;
		x->next_check = 0;
	}
}

static struct mobj *
obj_new(struct exec *x, uint8_t kind, uint32_t size, const char *what)
{
	struct mobj *o = xcalloc(1, sizeof *o);

	o->refs = 1;
	o->kind = kind;
	o->size = size;
	snprintf(o->what, sizeof o->what, "%s", what);
	if (size) {
		o->cells = xcalloc(size, sizeof *o->cells);
		cells_made(x, size);
	}
	return o;
}

static void
obj_put(struct mobj *o)
{
	if (o && --o->refs == 0) {
		free(o->cells);
		free(o);
	}
}

static uint32_t
state_add_obj(struct state *st, struct mobj *o)
{
	if (st->n_objs == st->cap_objs) {
		st->cap_objs = st->cap_objs ? st->cap_objs * 2 : 64;
		st->objs = xrealloc(st->objs, st->cap_objs * sizeof *st->objs);
	}
	st->objs[st->n_objs++] = o;
	return st->n_objs;
}

static struct mobj *
state_obj(struct state *st, uint32_t id)
{
	return id >= 1 && id <= st->n_objs ? st->objs[id - 1] : NULL;
}

/* The object for writing: copied first when another state shares it. */
static struct mobj *
state_obj_mut(struct exec *x, struct state *st, uint32_t id)
{
	struct mobj *o = state_obj(st, id), *c;

	if (!o || o->refs == 1)
		return o;
	c = xmalloc(sizeof *c);
	*c = *o;
	c->refs = 1;
	if (o->size) {
		c->cells = xmalloc(o->size * sizeof *c->cells);
		memcpy(c->cells, o->cells, o->size * sizeof *c->cells);
		cells_made(x, o->size);
	}
	o->refs--;
	st->objs[id - 1] = c;
	return c;
}

#define GROW(arr, n, cap, init) do { \
	if ((n) == (cap)) { \
		(cap) = (cap) ? (cap) * 2 : (init); \
		(arr) = xrealloc((arr), (cap) * sizeof *(arr)); \
	} } while (0)

/* A copy of an array of n elements with room for cap (at least one). */
static void *
copy_of(const void *src, size_t n, size_t cap, size_t size)
{
	void *p = xmalloc((cap ? cap : 1) * size);

	if (n)
		memcpy(p, src, n * size);
	return p;
}

static struct state *
state_clone(const struct exec *x, const struct state *s)
{
	struct state *c = xmalloc(sizeof *c);

	*c = *s;
	c->objs = copy_of(s->objs, s->n_objs, s->cap_objs, sizeof *c->objs);
	for (uint32_t i = 0; i < s->n_objs; i++) {
		if (c->objs[i])
			c->objs[i]->refs++;
	}
	c->frames = xmalloc(s->cap_frames * sizeof *c->frames);
	for (uint32_t i = 0; i < s->n_frames; i++) {
		const struct ir_fn *f = &x->ir->fns[s->frames[i].fn];

		c->frames[i] = s->frames[i];
		c->frames[i].regs = xmalloc((f->n_regs + 1) * sizeof(struct sv));
		memcpy(c->frames[i].regs, s->frames[i].regs, (f->n_regs + 1) * sizeof(struct sv));
	}
	c->pc = copy_of(s->pc, s->n_pc, s->cap_pc, sizeof *c->pc);
	c->conds = copy_of(s->conds, s->n_conds, s->cap_conds, sizeof *c->conds);
	c->events = copy_of(s->events, s->n_events, s->cap_events, sizeof *c->events);
	c->writes = copy_of(s->writes, s->n_writes, s->cap_writes, sizeof *c->writes);
	c->pread = copy_of(s->pread, s->n_pread, s->cap_pread, sizeof *c->pread);
	return c;
}

static void
state_free(struct state *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->n_objs; i++)
		obj_put(s->objs[i]);
	free(s->objs);
	for (uint32_t i = 0; i < s->n_frames; i++)
		free(s->frames[i].regs);
	free(s->frames);
	free(s->pc);
	free(s->conds);
	free(s->events);
	free(s->writes);
	free(s->pread);
	free(s);
}

static void
push_state(struct exec *x, struct state *s)
{
	GROW(x->stack, x->n_stack, x->cap_stack, 64);
	x->stack[x->n_stack++] = s;
	/* A clone made by the running instruction: a fork there (a return's, one per verdict,
	** is no culprit). */
	if (x->cur && x->forks && x->cur->op != IR_RET) {
		const struct ir_fn *f = &x->ir->fns[x->cur_fn];

		x->forks[x->fork_base[x->cur_fn] + (uint32_t)(x->cur - f->insts)]++;
	}
}

static void
add_cond(struct exec *x, struct state *st, smt_t c)
{
	struct sym_cond *sc;
	uint64_t v;

	if (smt_is_num(x->smt, c, &v) && v)
		return;
	GROW(st->pc, st->n_pc, st->cap_pc, 64);
	st->pc[st->n_pc++] = c;
	if (st->init)
		return;
	GROW(st->conds, st->n_conds, st->cap_conds, 32);
	sc = &st->conds[st->n_conds++];
	sc->e = c;
	sc->assumed = false;
	sc->after = st->n_events;
	sc->file = x->cur ? x->cur->file : 0;
	sc->line = x->cur ? x->cur->line : 0;
}

/* A condition the path takes as given (see sym_cond.assumed). */
static void
add_assume(struct exec *x, struct state *st, smt_t c)
{
	uint32_t n = st->n_conds;

	add_cond(x, st, c);
	if (st->n_conds > n)
		st->conds[n].assumed = true;
}

/* The variables of an expression (smt ids), memoized per expression: conditions are shared
** by every state that inherits them. */
struct vset {
	unsigned id;		/* the expression; 0: free slot */
	uint32_t n;
	unsigned *vars;
};

static const struct vset *
vars_of(struct exec *x, smt_t e)
{
	unsigned id = smt_id(x->smt, e);
	uint32_t h;
	struct vset *v;
	smt_t few[64], *all = few;
	size_t n;

	if (x->n_vsets * 2 >= x->cap_vsets) {
		struct vset *old = x->vsets;
		uint32_t oc = x->cap_vsets;

		x->cap_vsets = oc ? oc * 2 : 1024;
		x->vsets = xcalloc(x->cap_vsets, sizeof *x->vsets);
		for (uint32_t i = 0; i < oc; i++) {
			if (!old[i].id)
				continue;
			for (h = old[i].id * 2654435761u % x->cap_vsets; x->vsets[h].id;
			     h = (h + 1) % x->cap_vsets)
				;
			x->vsets[h] = old[i];
		}
		free(old);
	}
	for (h = id * 2654435761u % x->cap_vsets; x->vsets[h].id; h = (h + 1) % x->cap_vsets) {
		if (x->vsets[h].id == id)
			return &x->vsets[h];
	}
	v = &x->vsets[h];
	v->id = id;
	n = smt_vars(x->smt, e, few, 64);
	if (n > 64) {
		all = xmalloc(n * sizeof *all);
		smt_vars(x->smt, e, all, n);
	}
	v->n = (uint32_t)n;
	v->vars = xmalloc((n ? n : 1) * sizeof *v->vars);
	for (size_t i = 0; i < n; i++)
		v->vars[i] = smt_id(x->smt, all[i]);
	if (all != few)
		free(all);
	x->n_vsets++;
	return v;
}

static bool
vars_meet(const struct vset *a, const unsigned *b, uint32_t nb)
{
	for (uint32_t i = 0; i < a->n; i++) {
		for (uint32_t k = 0; k < nb; k++) {
			if (a->vars[i] == b[k])
				return true;
		}
	}
	return false;
}

/* Whether the path condition of 'st' and 'c' can hold together: 1, 0, or -1 (error set). Only
** the conditions that share variables with 'c', directly or through each other, are asked
** (they alone decide it), so a hard condition on one part of the packet does not slow every
** later question about another part. A check the solver gives up on counts as feasible:
** the path is kept (a superset of the paths is safe for the analysis), and counted. -1 once
** the time is up or the user stopped the run (see halt). The conditions asked are picked by
** the variables of 'seed' (NULL: of 'c'; both NULL: all of them). */
static int
feasible_core(struct exec *x, struct state *st, smt_t c, smt_t seed, int if_unknown)
{
	enum smt_result res;
	uint64_t v;
	smt_t *conds;
	size_t n = 0;
	unsigned *vars = NULL;
	uint32_t nv = 0, cap = 0;
	bool *in, grew = true;

	if (c && smt_is_num(x->smt, c, &v)) {
		if (!v)
			return 0;
		c = NULL;
	}
	if (out_of_time(x))
		return -1;
	conds = st->n_pc + 1 <= sizeof x->scratch / sizeof x->scratch[0] ? x->scratch :
		xmalloc((st->n_pc + 1) * sizeof *conds);
	in = xcalloc(st->n_pc + 1, sizeof *in);
	if (c && !seed)
		seed = c;
	if (seed) {
		const struct vset *cv = vars_of(x, seed);

		for (uint32_t i = 0; i < cv->n; i++) {
			GROW(vars, nv, cap, 8);
			vars[nv++] = cv->vars[i];
		}
		while (grew) {
			grew = false;
			for (uint32_t i = 0; i < st->n_pc; i++) {
				const struct vset *pv;

				if (in[i])
					continue;
				pv = vars_of(x, st->pc[i]);
				if (!vars_meet(pv, vars, nv))
					continue;
				in[i] = grew = true;
				for (uint32_t k = 0; k < pv->n; k++) {
					GROW(vars, nv, cap, 8);
					vars[nv++] = pv->vars[k];
				}
			}
		}
		for (uint32_t i = 0; i < st->n_pc; i++) {
			if (in[i])
				conds[n++] = st->pc[i];
		}
		if (c)
			conds[n++] = c;
	} else {
		memcpy(conds, st->pc, st->n_pc * sizeof *conds);
		n = st->n_pc;
	}
	free(in);
	free(vars);
	x->r->checks++;
	res = smt_check(x->smt, conds, n);
	if (conds != x->scratch)
		free(conds);
	if (res == SMT_UNKNOWN) {
		/* The deadline cut it short: the time limit, not an answer. */
		if (!strcmp(smt_reason(x->smt), "deadline") || out_of_time(x)) {
			time_up(x);
			return -1;
		}
		x->r->unknown++;
		return if_unknown;
	}
	return res == SMT_SAT;
}

static int
feasible_u(struct exec *x, struct state *st, smt_t c, int if_unknown)
{
	return feasible_core(x, st, c, NULL, if_unknown);
}

/* Why the solver has no model: "gave up (timeout)" and the like, for messages. When it is the
** deadline or a stop, the run ends for that, and that is the message (fail adds nothing). */
static const char *
gave_up(struct exec *x)
{
	const char *r = smt_reason(x->smt);

	if (!strcmp(r, "deadline"))
		time_up(x);
	else if (!strcmp(r, "stopped"))
		out_of_time(x);
	return !strcmp(r, "timeout") || !strcmp(r, "canceled") ? "gave up (timeout)" : "gave up";
}

static int
feasible(struct exec *x, struct state *st, smt_t c)
{
	return feasible_u(x, st, c, 1);
}

/* ---- reading and writing memory ---- */

struct place {
	uint32_t id;
	struct mobj *o;		/* NULL for the packet */
	bool sym;		/* offset symbolic (the packet only; other objects are made concrete) */
	uint64_t off;
	smt_t off_e;		/* 64-bit offset, when sym */
};

/* Resolves an address for an access: the object and the offset (check_bounds checks the size). A symbolic
** offset into an object other than the packet forks over its values. Returns 1 when the
** instruction must be run again (the state was constrained to one value and a clone made for
** the others; it runs on), 0 when done, -1 on error. */
static int
resolve(struct exec *x, struct state *st, struct sv a, bool write,
	struct place *pl)
{
	uint32_t id = a.prov;
	smt_t off_e;
	uint64_t v;

	if (!id && !a.sym)
		id = (uint32_t)(a.c >> 32);
	if (!id) {
		if (!a.sym && a.c == 0)
			return fail(x, -EINVAL, "%s through a NULL pointer", write ? "write" : "read");
		return fail(x, -EINVAL, "%s through a pointer of unknown origin (not into an object "
			    "the executor made)", write ? "write" : "read");
	}
	memset(pl, 0, sizeof *pl);
	pl->id = id;
	if (id == x->pkt_id) {
		if (!a.sym) {
			pl->off = a.c - obj_base(id);
		} else {
			off_e = smt_simplify(x->smt, smt_binop(x->smt, SMT_SUB, a.e,
				smt_num(x->smt, obj_base(id), 64)));
			if (smt_is_num(x->smt, off_e, &v)) {
				pl->off = v;
			} else {
				pl->sym = true;
				pl->off_e = off_e;
			}
		}
		return 0;
	}
	pl->o = state_obj(st, id);
	if (!pl->o)
		return fail(x, -EINVAL, "%s through a dangling pointer", write ? "write" : "read");
	if (!a.sym) {
		pl->off = a.c - obj_base(id);
	} else {
		/* Make the offset concrete: this state takes one value, a clone the others. */
		int f;

		off_e = smt_simplify(x->smt, smt_binop(x->smt, SMT_SUB, a.e,
			smt_num(x->smt, obj_base(id), 64)));
		if (smt_is_num(x->smt, off_e, &v)) {
			pl->off = v;
		} else {
			smt_t eq, ne;
			struct state *c;

			if (st->offset_forks >= x->o.max_offsets)
				return fail(x, -ERANGE, "a symbolic offset into %s takes more than "
					    "%u values", pl->o->what, x->o.max_offsets);
			if (feasible(x, st, NULL) < 0)
				return -1;
			/* As for a verdict (finish_path): if the whole path is too hard, only what
			** the offset shares variables with. */
			if (!smt_model_value(x->smt, off_e, &v) &&
			    (feasible_core(x, st, NULL, off_e, 1) < 0 ||
			     !smt_model_value(x->smt, off_e, &v)))
				return fail(x, -EINVAL, "no value for an offset into %s: the "
					    "solver %s", pl->o->what, gave_up(x));
			eq = smt_cmp(x->smt, SMT_EQ, off_e, smt_num(x->smt, v, 64));
			ne = smt_not(x->smt, eq);
			f = feasible(x, st, ne);
			if (f < 0)
				return -1;
			if (f) {
				c = state_clone(x, st);
				c->offset_forks++;
				add_cond(x, c, ne);
				push_state(x, c);
			}
			add_cond(x, st, eq);
			pl->off = v;
		}
	}
	return 0;
}

/* Checks that an access of 'size' bytes at 'pl' stays inside its object (for the packet:
** inside 'len' on every input this path allows). */
static int
check_bounds(struct exec *x, struct state *st, struct place *pl, uint32_t size, bool write)
{
	if (!pl->o) {
		smt_t end, len, past;
		int f;

		if (!pl->sym && pl->off + size <= st->len_lo && pl->off + size >= pl->off)
			return 0;
		end = pl->sym ? smt_binop(x->smt, SMT_ADD, pl->off_e, smt_num(x->smt, size, 64)) :
			smt_num(x->smt, pl->off + size, 64);
		len = smt_zext(x->smt, x->r->len, 64);
		past = smt_cmp(x->smt, SMT_UGT, end, len);
		if (pl->sym) {
			/* A negative offset wraps to a huge one: also past the end. */
			past = smt_or(x->smt, past, smt_cmp(x->smt, SMT_ULT, end, pl->off_e));
		}
		/* Only a proven way past the end is an error. */
		f = feasible_u(x, st, past, 0);
		if (f < 0)
			return -1;
		if (f) {
			uint64_t lv = 0, ov = 0;

			smt_model_value(x->smt, x->r->len, &lv);
			if (pl->sym)
				smt_model_value(x->smt, pl->off_e, &ov);
			else
				ov = pl->off;
			return fail(x, -EFAULT, "the NF can %s past the end of the packet: %u byte(s) at "
				    "offset %" PRId64 " when len=%" PRIu64, write ? "write" : "read", size,
				    (int64_t)ov, lv);
		}
		if (!pl->sym && pl->off + size > st->len_lo)
			st->len_lo = pl->off + size;
		return 0;
	}
	if (pl->o->kind == OK_HANDLE)
		return fail(x, -EINVAL, "the NF %s inside %s: state objects are opaque, use the "
			    "state library's calls", write ? "writes" : "reads", pl->o->what);
	if (pl->o->kind == OK_ENV)
		return fail(x, -EINVAL, "the NF %s struct nf_env directly: use nf_config_* and "
			    "nf_env_*", write ? "writes" : "reads");
	if (pl->o->kind == OK_FUNC)
		return fail(x, -EINVAL, "the NF %s a function's code", write ? "writes" : "reads");
	if (pl->off > pl->o->size || size > pl->o->size - pl->off)
		return fail(x, -EFAULT, "%s of %u byte(s) at offset %" PRId64 " is outside %s "
			    "(%u bytes)", write ? "write" : "read", size, (int64_t)pl->off,
			    pl->o->what, pl->o->size);
	if (write && pl->o->readonly)
		return fail(x, -EINVAL, "the NF writes to %s, which is read-only", pl->o->what);
	if (write && pl->o->init_mem && !st->init)
		return fail(x, -EINVAL, "nf_process writes to %s: memory nf_init allocated is "
			    "configuration; state that outlives a packet must live in state-library "
			    "objects", pl->o->what);
	return 0;
}

/* Whether two packet offsets are the same byte on this path: 1 yes, 0 no, -1 either. */
static int
alias(struct exec *x, struct state *st, smt_t a, smt_t b)
{
	smt_t d = smt_simplify(x->smt, smt_binop(x->smt, SMT_SUB, a, b)), eq;
	uint64_t v;
	int f;

	if (smt_is_num(x->smt, d, &v))
		return v == 0;
	eq = smt_cmp(x->smt, SMT_EQ, a, b);
	f = feasible(x, st, eq);
	if (f == 0)
		return 0;
	if (f < 0)
		return -1;
	f = feasible(x, st, smt_not(x->smt, eq));
	return f == 0 ? 1 : -1;
}

/* The variable of the input packet's byte at 'idx' (see sym.h). A byte first read on this
** path gets, for each byte read before that may be the same one, "same offset -> same value". */
static smt_t
input_byte(struct exec *x, struct state *st, smt_t idx)
{
	struct sym_result *r = x->r;
	struct smt *s = x->smt;
	smt_t base = NULL;
	uint64_t k = 0;
	uint32_t i;
	int sub;

	if (!smt_is_num(s, idx, &k)) {
		idx = smt_simplify(s, idx);
		if (smt_kind(s, idx, &sub) == SMT_K_BINOP && sub == SMT_ADD && smt_nargs(s, idx) == 2 &&
		    smt_is_num(s, smt_arg(s, idx, 0), &k))
			base = smt_arg(s, idx, 1);
		else if (smt_is_num(s, idx, &k))
			base = NULL;
		else
			base = idx, k = 0;
	}
	for (i = 0; i < r->n_pbytes; i++) {
		if (r->pbytes[i].base == base && r->pbytes[i].k == k)
			break;
	}
	if (i == r->n_pbytes) {
		char name[64];

		if (base)
			snprintf(name, sizeof name, "pkt[@%u+%" PRIu64 "]", smt_id(s, base), k);
		else
			snprintf(name, sizeof name, "pkt[%" PRIu64 "]", k);
		GROW(r->pbytes, r->n_pbytes, x->cap_pbytes, 64);
		r->pbytes[i].var = smt_var(s, name, 8);
		r->pbytes[i].base = base;
		r->pbytes[i].k = k;
		r->n_pbytes++;
	}
	for (uint32_t j = 0; j < st->n_pread; j++) {
		if (st->pread[j] == i)
			return r->pbytes[i].var;
	}
	for (uint32_t j = 0; j < st->n_pread; j++) {
		const struct sym_pbyte *o = &r->pbytes[st->pread[j]];
		smt_t a, b, eq;

		if (o->base == base)
			continue;	/* same base, other k: another byte */
		a = base ? smt_binop(s, SMT_ADD, base, smt_num(s, k, 64)) : smt_num(s, k, 64);
		b = o->base ? smt_binop(s, SMT_ADD, o->base, smt_num(s, o->k, 64)) : smt_num(s, o->k, 64);
		eq = smt_cmp(s, SMT_EQ, a, b);
		if (feasible(x, st, eq) == 1)
			add_assume(x, st, smt_or(s, smt_not(s, eq),
						 smt_cmp(s, SMT_EQ, r->pbytes[i].var, o->var)));
	}
	GROW(st->pread, st->n_pread, st->cap_pread, 32);
	st->pread[st->n_pread++] = i;
	return r->pbytes[i].var;
}

/* The packet's byte at 'idx' now: the last write that is surely that byte, else the input byte;
** a write that may or may not be it becomes an if-then-else. */
static smt_t
packet_byte(struct exec *x, struct state *st, smt_t idx)
{
	uint32_t i = st->n_writes;
	smt_t r;

	for (; i-- > 0;) {
		int rel = alias(x, st, idx, st->writes[i].offset);

		if (rel == 1)
			return st->writes[i].value;
		if (rel < 0)
			break;
	}
	if (i == UINT32_MAX)
		return input_byte(x, st, idx);
	/* writes[0..i] may hold it, the latest first */
	r = input_byte(x, st, idx);
	for (uint32_t k = 0; k <= i; k++) {
		r = smt_ite(x->smt, smt_cmp(x->smt, SMT_EQ, idx, st->writes[k].offset),
			    st->writes[k].value, r);
	}
	return r;
}

/* The byte at offset 'i' past 'pl' as an expression or constant. */
static struct sv
read_byte(struct exec *x, struct state *st, const struct place *pl, uint32_t i)
{
	if (!pl->o) {
		smt_t idx = pl->sym ? smt_binop(x->smt, SMT_ADD, pl->off_e, smt_num(x->smt, i, 64)) :
			smt_num(x->smt, pl->off + i, 64);

		return sv_expr(x, packet_byte(x, st, idx), 8, 0);
	}
	const struct cell *c = &pl->o->cells[pl->off + i];
	struct sv v;

	if (!(c->flags & CELL_DEF)) {
		/* Uninitialized: a fresh unknown the classifier shows as such. */
		char name[64];

		snprintf(name, sizeof name, "undef#%u", x->undef++);
		v = sv_expr(x, smt_var(x->smt, name, 8), 8, 0);
	} else if (c->flags & CELL_SYM) {
		v = sv_expr(x, c->e, 8, 0);
	} else {
		v = sv_num(c->c, 8);
	}
	v.prov = c->prov;
	return v;
}

static smt_t
byte_of(struct exec *x, smt_t e, unsigned i)
{
	smt_t b = smt_extract(x->smt, e, 8 * i + 7, 8 * i);

	return smt_simplify(x->smt, b);
}

/* The value one store of 'size' bytes left at 'pl', when every byte still holds it; else NULL.
** Reading it back whole, rather than as a concat of simplified bytes (each with its own copy
** of the arithmetic pushed inside), keeps the solver's questions small. Checked byte by byte
** against the cells, so a later write to any of them makes the hint unusable. */
static smt_t
stored_whole(struct exec *x, const struct place *pl, uint32_t size)
{
	const struct cell *c0;
	smt_t w;
	uint64_t k;

	if (!pl->o || size < 2)
		return NULL;
	c0 = &pl->o->cells[pl->off];
	w = c0->whole;
	if (!w || smt_bits(x->smt, w) != size * 8)
		return NULL;
	for (uint32_t i = 0; i < size; i++) {
		const struct cell *c = &pl->o->cells[pl->off + i];
		smt_t b;

		if (c->whole != w || c->wpos != (size << 4 | i) || !(c->flags & CELL_DEF))
			return NULL;
		b = byte_of(x, w, i);
		if (c->flags & CELL_SYM ? c->e != b : !smt_is_num(x->smt, b, &k) || k != c->c)
			return NULL;
	}
	return w;
}

/* Loads 'size' bytes little-endian into a 'bits'-wide value. */
static int
mem_load(struct exec *x, struct state *st, struct sv addr, uint32_t size, unsigned bits,
	 struct sv *out)
{
	struct place pl;
	struct sv b[64];
	bool all_c = true, same_prov = true;
	smt_t whole;
	int rc;

	if (size == 0 || size > 8)
		return fail(x, -EINVAL, "a load of %u bytes", size);
	rc = resolve(x, st, addr, false, &pl);
	if (rc)
		return rc;
	if (check_bounds(x, st, &pl, size, false) < 0)
		return -1;
	for (uint32_t i = 0; i < size; i++) {
		b[i] = read_byte(x, st, &pl, i);
		all_c &= !b[i].sym;
		same_prov &= b[i].prov == b[0].prov;
	}
	if (!all_c && (whole = stored_whole(x, &pl, size))) {
		if (bits < size * 8)
			whole = smt_extract(x->smt, whole, bits - 1, 0);
		*out = sv_expr(x, whole, bits, 0);
		if (bits == 1 && out->sym)
			out->e = smt_bv_to_bool(x->smt, out->e);
	} else if (all_c) {
		uint64_t v = 0;

		for (uint32_t i = 0; i < size; i++)
			v |= (uint64_t)b[i].c << (8 * i);
		*out = sv_num(v, bits);
	} else {
		smt_t e = bv(x, b[size - 1]);

		for (uint32_t i = size - 1; i-- > 0;)
			e = smt_concat(x->smt, e, bv(x, b[i]));
		if (bits < size * 8)
			e = smt_extract(x->smt, e, bits - 1, 0);
		*out = sv_expr(x, e, bits, 0);
		if (bits == 1 && out->sym)
			out->e = smt_bv_to_bool(x->smt, out->e);
	}
	out->prov = same_prov && size == 8 ? b[0].prov : 0;
	return 0;
}

/* Stores the low 'size' bytes of 'v', little-endian. */
static int
mem_store(struct exec *x, struct state *st, struct sv addr, uint32_t size, struct sv v)
{
	struct place pl;
	smt_t e = NULL;
	int rc;

	if (size == 0 || size > 8)
		return fail(x, -EINVAL, "a store of %u bytes", size);
	rc = resolve(x, st, addr, true, &pl);
	if (rc)
		return rc;
	if (check_bounds(x, st, &pl, size, true) < 0)
		return -1;
	if (v.sym) {
		e = bv(x, v);
		if (smt_bits(x->smt, e) < size * 8)
			e = smt_zext(x->smt, e, size * 8);
	}
	if (!pl.o) {
		for (uint32_t i = 0; i < size; i++) {
			smt_t idx = pl.sym ? smt_binop(x->smt, SMT_ADD, pl.off_e, smt_num(x->smt, i, 64)) :
				smt_num(x->smt, pl.off + i, 64);
			smt_t b = v.sym ? byte_of(x, e, i) : smt_num(x->smt, (v.c >> (8 * i)) & 0xff, 8);
			struct sym_write *w;

			GROW(st->writes, st->n_writes, st->cap_writes, 16);
			w = &st->writes[st->n_writes++];
			w->offset = idx;
			w->value = b;
			w->file = x->cur ? x->cur->file : 0;
			w->line = x->cur ? x->cur->line : 0;
		}
		return 0;
	}
	pl.o = state_obj_mut(x, st, pl.id);
	for (uint32_t i = 0; i < size; i++) {
		struct cell *c = &pl.o->cells[pl.off + i];

		c->flags = CELL_DEF;
		c->prov = v.prov;
		c->whole = size > 1 ? e : NULL;
		c->wpos = (uint8_t)(size << 4 | i);
		if (v.sym) {
			c->e = byte_of(x, e, i);
			uint64_t k;

			if (smt_is_num(x->smt, c->e, &k)) {
				c->c = (uint8_t)k;
			} else {
				c->flags |= CELL_SYM;
			}
		} else {
			c->c = (uint8_t)(v.c >> (8 * i));
			c->e = NULL;
		}
	}
	return 0;
}

/* Reads 'n' bytes at 'addr' as byte expressions (keys of state calls). */
static int
mem_bytes(struct exec *x, struct state *st, struct sv addr, uint32_t n, smt_t *out)
{
	struct place pl;
	int rc;

	rc = resolve(x, st, addr, false, &pl);
	if (rc)
		return rc;
	if (check_bounds(x, st, &pl, n, false) < 0)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		out[i] = bv(x, read_byte(x, st, &pl, i));
	return 0;
}

/* A concrete C string at 'addr' (configuration keys, object names). */
static int
mem_string(struct exec *x, struct state *st, struct sv addr, char *buf, size_t size,
	   const char *what)
{
	struct place pl;
	int rc;

	if (addr.sym && !addr.prov)
		return fail(x, -EINVAL, "%s: not a constant string", what);
	rc = resolve(x, st, addr, false, &pl);
	if (rc)
		return rc < 0 ? rc : fail(x, -EINVAL, "%s: not a constant string", what);
	if (!pl.o)
		return fail(x, -EINVAL, "%s: a string in the packet", what);
	for (size_t i = 0; i < size; i++) {
		const struct cell *c;

		if (pl.off + i >= pl.o->size)
			return fail(x, -EINVAL, "%s: string runs past %s", what, pl.o->what);
		c = &pl.o->cells[pl.off + i];
		if (!(c->flags & CELL_DEF) || (c->flags & CELL_SYM))
			return fail(x, -EINVAL, "%s: not a constant string", what);
		buf[i] = (char)c->c;
		if (!c->c)
			return 0;
	}
	return fail(x, -EINVAL, "%s: string longer than %zu bytes", what, size - 1);
}

/* ---- instructions ---- */

static struct sv
operand(struct exec *x, struct state *st, const struct ir_val *v)
{
	struct frame *f = &st->frames[st->n_frames - 1];
	struct sv r;

	switch (v->kind) {
	case IR_V_REG:
		return f->regs[v->idx];
	case IR_V_CONST:
		return sv_num(v->c, v->bits);
	case IR_V_UNDEF:
		return sv_num(0, v->bits);
	case IR_V_GLOBAL:
		r = sv_num(obj_base(x->global0 + v->idx) + v->c, v->bits);
		r.prov = x->global0 + v->idx;
		return r;
	case IR_V_FUNC:
	default:
		r = sv_num(obj_base(x->func0 + v->idx) + v->c, v->bits);
		r.prov = x->func0 + v->idx;
		return r;
	}
}

static void
set_reg(struct state *st, uint32_t dst, struct sv v)
{
	st->frames[st->n_frames - 1].regs[dst] = v;
}

static uint64_t
cbinop(enum ir_op op, uint64_t a, uint64_t b, unsigned bits)
{
	int64_t sa = sext64(a, bits), sb = sext64(b, bits);

	switch (op) {
	case IR_ADD: return a + b;
	case IR_SUB: return a - b;
	case IR_MUL: return a * b;
	case IR_UDIV: return a / b;
	case IR_SDIV: return sb == -1 ? (uint64_t)-sa : (uint64_t)(sa / sb);
	case IR_UREM: return a % b;
	case IR_SREM: return sb == -1 ? 0 : (uint64_t)(sa % sb);
	case IR_SHL: return b >= bits ? 0 : a << b;
	case IR_LSHR: return b >= bits ? 0 : a >> b;
	case IR_ASHR: return b >= bits ? (sa < 0 ? ~0ull : 0) : (uint64_t)(sa >> b);
	case IR_AND: return a & b;
	case IR_OR: return a | b;
	case IR_XOR: return a ^ b;
	default: return 0;
	}
}

static const enum smt_binop smt_ops[] = {
	[IR_ADD] = SMT_ADD, [IR_SUB] = SMT_SUB, [IR_MUL] = SMT_MUL, [IR_UDIV] = SMT_UDIV,
	[IR_SDIV] = SMT_SDIV, [IR_UREM] = SMT_UREM, [IR_SREM] = SMT_SREM, [IR_SHL] = SMT_SHL,
	[IR_LSHR] = SMT_LSHR, [IR_ASHR] = SMT_ASHR, [IR_AND] = SMT_AND, [IR_OR] = SMT_OR,
	[IR_XOR] = SMT_XOR,
};

static uint32_t
prov_of(enum ir_op op, struct sv a, struct sv b)
{
	if (op == IR_ADD || op == IR_AND || op == IR_OR)
		return a.prov && !b.prov ? a.prov : !a.prov ? b.prov : 0;
	if (op == IR_SUB)
		return a.prov && !b.prov ? a.prov : 0;
	return 0;
}

static int
binop(struct exec *x, struct state *st, enum ir_op op, struct sv a, struct sv b, unsigned bits,
      struct sv *out)
{
	bool div = op == IR_UDIV || op == IR_SDIV || op == IR_UREM || op == IR_SREM;

	if (div) {
		if (!b.sym && b.c == 0)
			return fail(x, -EDOM, "division by zero");
		if (b.sym) {
			int f = feasible(x, st, smt_cmp(x->smt, SMT_EQ, bv(x, b), smt_num(x->smt, 0, bits)));

			if (f < 0)
				return -1;
			if (f)
				return fail(x, -EDOM, "the divisor can be zero");
		}
	}
	if (!a.sym && !b.sym) {
		*out = sv_num(cbinop(op, a.c, b.c, bits), bits);
	} else if (bits == 1 && (op == IR_AND || op == IR_OR || op == IR_XOR)) {
		smt_t p = boolean(x, a), q = boolean(x, b), r;

		if (op == IR_AND)
			r = smt_and(x->smt, p, q);
		else if (op == IR_OR)
			r = smt_or(x->smt, p, q);
		else
			r = smt_cmp(x->smt, SMT_NE, bv(x, a), bv(x, b));
		*out = sv_expr(x, r, 1, 0);
	} else {
		*out = sv_expr(x, smt_binop(x->smt, smt_ops[op], bv(x, a), bv(x, b)), bits, 0);
	}
	out->prov = prov_of(op, a, b);
	return 0;
}

static bool
cicmp(enum ir_pred p, uint64_t a, uint64_t b, unsigned bits)
{
	int64_t sa = sext64(a, bits), sb = sext64(b, bits);

	switch (p) {
	case IR_EQ: return a == b;
	case IR_NE: return a != b;
	case IR_UGT: return a > b;
	case IR_UGE: return a >= b;
	case IR_ULT: return a < b;
	case IR_ULE: return a <= b;
	case IR_SGT: return sa > sb;
	case IR_SGE: return sa >= sb;
	case IR_SLT: return sa < sb;
	default: return sa <= sb;
	}
}

static struct sv
icmp(struct exec *x, enum ir_pred p, struct sv a, struct sv b)
{
	static const enum smt_cmp m[] = {
		SMT_EQ, SMT_NE, SMT_UGT, SMT_UGE, SMT_ULT, SMT_ULE, SMT_SGT, SMT_SGE, SMT_SLT, SMT_SLE
	};

	if (!a.sym && !b.sym)
		return sv_num(cicmp(p, a.c, b.c, a.bits), 1);
	return sv_expr(x, smt_cmp(x->smt, m[p], bv(x, a), bv(x, b)), 1, 0);
}

static struct sv
cast(struct exec *x, enum ir_op op, struct sv a, unsigned bits)
{
	struct sv r;

	if (!a.sym) {
		uint64_t c = a.c;

		if (op == IR_SEXT)
			c = (uint64_t)sext64(c, a.bits);
		r = sv_num(c, bits);
	} else if (bits == a.bits) {
		r = a;
	} else if (op == IR_TRUNC) {
		if (bits == 1)
			r = sv_expr(x, smt_bv_to_bool(x->smt, smt_extract(x->smt, bv(x, a), 0, 0)), 1, 0);
		else
			r = sv_expr(x, smt_extract(x->smt, bv(x, a), bits - 1, 0), bits, 0);
	} else if (op == IR_SEXT) {
		r = sv_expr(x, smt_sext(x->smt, bv(x, a), bits), bits, 0);
	} else {
		r = sv_expr(x, smt_zext(x->smt, bv(x, a), bits), bits, 0);
	}
	r.prov = bits == 64 ? a.prov : 0;
	return r;
}

/* A fork on a boolean: this state follows 'c' when it can, a clone the other side. Returns
** 1 (this state takes c), 0 (this state takes not c), -1 error. */
static int
fork_on(struct exec *x, struct state *st, smt_t c, struct state **other)
{
	uint64_t v;
	int t, f;

	*other = NULL;
	if (smt_is_num(x->smt, c, &v))
		return v != 0;
	if (st->init)
		return fail(x, -EINVAL, "nf_init branches on a value that is not known during "
			    "nf_init (it must depend only on the configuration)");
	t = feasible(x, st, c);
	if (t < 0)
		return -1;
	/* A side the path condition already implies adds nothing to it. */
	if (!t)
		return 0;
	f = feasible(x, st, smt_not(x->smt, c));
	if (f < 0)
		return -1;
	if (!f)
		return 1;
	*other = state_clone(x, st);
	add_cond(x, *other, smt_not(x->smt, c));
	add_cond(x, st, c);
	return 1;
}

/* Enters block 'to' of the current frame, running its phis. */
static void
jump(struct exec *x, struct state *st, uint32_t to)
{
	struct frame *f = &st->frames[st->n_frames - 1];
	const struct ir_fn *fn = &x->ir->fns[f->fn];
	const struct ir_block *b = &fn->blocks[to];
	struct sv vals[256];
	uint32_t n = 0, i;

	f->prev = f->block;
	f->block = to;
	f->pc = b->first;
	/* Phis read their inputs before any of them is written. */
	for (i = b->first; i < b->first + b->n && fn->insts[i].op == IR_PHI && n < 256; i++, n++) {
		const struct ir_inst *in = &fn->insts[i];

		vals[n] = sv_num(0, in->bits);
		for (uint32_t k = 0; k < in->n_targets; k++) {
			if (in->targets[k] == f->prev) {
				vals[n] = operand(x, st, &in->ops[k]);
				break;
			}
		}
	}
	for (i = 0; i < n; i++)
		f->regs[fn->insts[b->first + i].dst] = vals[i];
	f->pc = b->first + n;
}

static int run_call(struct exec *x, struct state *st, const struct ir_inst *in, struct sv *args);

static int
push_frame(struct exec *x, struct state *st, uint32_t fn, const struct sv *args, uint32_t n,
	   uint32_t ret_dst)
{
	const struct ir_fn *f = &x->ir->fns[fn];
	struct frame *fr;

	if (st->n_frames >= 256)
		return fail(x, -ELOOP, "calls nest more than 256 deep (recursion?)");
	GROW(st->frames, st->n_frames, st->cap_frames, 8);
	fr = &st->frames[st->n_frames++];
	memset(fr, 0, sizeof *fr);
	fr->fn = fn;
	fr->ret_dst = ret_dst;
	fr->regs = xcalloc(f->n_regs + 1, sizeof *fr->regs);
	for (uint32_t i = 0; i < n && i < f->n_params; i++)
		fr->regs[i] = args[i];
	fr->block = 0;
	fr->prev = 0;
	fr->pc = f->blocks[0].first;
	jump(x, st, 0);
	fr->prev = UINT32_MAX;
	return 0;
}

static int
do_ret(struct exec *x, struct state *st, const struct ir_inst *in)
{
	struct sv v = in->n_ops ? operand(x, st, &in->ops[0]) : sv_num(0, 0);
	struct frame *f = &st->frames[st->n_frames - 1];
	uint32_t dst = f->ret_dst;

	free(f->regs);
	st->n_frames--;
	if (st->n_frames == 0) {
		st->ret = v;
		st->done = true;
		return 0;
	}
	if (dst != UINT32_MAX)
		set_reg(st, dst, v);
	st->frames[st->n_frames - 1].pc++;
	return 0;
}

static int
do_switch(struct exec *x, struct state *st, const struct ir_inst *in)
{
	struct sv c = operand(x, st, &in->ops[0]);
	smt_t ce, none;
	uint32_t n = in->n_targets - 1;
	int taken = -1;
	bool forked = false;

	if (!c.sym) {
		for (uint32_t i = 0; i < n; i++) {
			if ((in->cases[i] & mask(c.bits)) == c.c) {
				jump(x, st, in->targets[1 + i]);
				return 0;
			}
		}
		jump(x, st, in->targets[0]);
		return 0;
	}
	if (st->init)
		return fail(x, -EINVAL, "nf_init switches on a value not known during nf_init");
	ce = bv(x, c);
	none = smt_bool(x->smt, true);
	/* Every feasible case gets a state; the first feasible one is this state. */
	for (uint32_t i = 0; i <= n; i++) {
		smt_t cond;
		int f;

		if (i < n) {
			cond = smt_cmp(x->smt, SMT_EQ, ce, smt_num(x->smt, in->cases[i], c.bits));
			none = smt_and(x->smt, none, smt_not(x->smt, cond));
		} else {
			cond = none;
		}
		f = feasible(x, st, cond);
		if (f < 0)
			return -1;
		if (!f)
			continue;
		if (taken < 0) {
			taken = (int)i;
			continue;
		}
		struct state *o = state_clone(x, st);

		forked = true;
		add_cond(x, o, cond);
		jump(x, o, i < n ? in->targets[1 + i] : in->targets[0]);
		push_state(x, o);
	}
	if (taken < 0)
		return fail(x, -EINVAL, "no case of the switch is feasible");
	if (!forked) {
		jump(x, st, (uint32_t)taken < n ? in->targets[1 + taken] : in->targets[0]);
		return 0;
	}
	if ((uint32_t)taken < n) {
		add_cond(x, st, smt_cmp(x->smt, SMT_EQ, ce, smt_num(x->smt, in->cases[taken], c.bits)));
		jump(x, st, in->targets[1 + taken]);
	} else {
		add_cond(x, st, none);
		jump(x, st, in->targets[0]);
	}
	return 0;
}

static int intrinsic(struct exec *x, struct state *st, const struct ir_inst *in, struct sv *a,
		     struct sv *out);

/* Runs one instruction of the current frame. */
static int
step(struct exec *x, struct state *st)
{
	struct frame *f = &st->frames[st->n_frames - 1];
	const struct ir_fn *fn = &x->ir->fns[f->fn];
	const struct ir_inst *in;
	struct sv a, b, r;
	struct state *other;
	int rc;

	if (f->pc >= fn->n_insts)
		return fail(x, -EINVAL, "ran off the end of %s", fn->name);
	in = &fn->insts[f->pc];
	x->cur = in;
	x->cur_fn = f->fn;
	st->steps++;
	x->r->steps++;
	switch (in->op) {
	case IR_NOP:
		break;
	case IR_RET:
		return do_ret(x, st, in);
	case IR_BR:
		jump(x, st, in->targets[0]);
		return 0;
	case IR_CONDBR:
		a = operand(x, st, &in->ops[0]);
		rc = fork_on(x, st, boolean(x, a), &other);
		if (rc < 0)
			return -1;
		if (other) {
			jump(x, other, in->targets[1]);
			push_state(x, other);
		}
		jump(x, st, in->targets[rc ? 0 : 1]);
		return 0;
	case IR_SWITCH:
		return do_switch(x, st, in);
	case IR_UNREACHABLE:
		return fail(x, -EINVAL, "reached an 'unreachable' instruction (undefined behaviour in "
			    "the NF on this path)");
	case IR_ADD: case IR_SUB: case IR_MUL: case IR_UDIV: case IR_SDIV: case IR_UREM:
	case IR_SREM: case IR_SHL: case IR_LSHR: case IR_ASHR: case IR_AND: case IR_OR: case IR_XOR:
		a = operand(x, st, &in->ops[0]);
		b = operand(x, st, &in->ops[1]);
		if (binop(x, st, (enum ir_op)in->op, a, b, in->bits, &r) < 0)
			return -1;
		set_reg(st, in->dst, r);
		break;
	case IR_ICMP:
		a = operand(x, st, &in->ops[0]);
		b = operand(x, st, &in->ops[1]);
		set_reg(st, in->dst, icmp(x, (enum ir_pred)in->sub, a, b));
		break;
	case IR_SELECT: {
		struct sv c = operand(x, st, &in->ops[0]);

		a = operand(x, st, &in->ops[1]);
		b = operand(x, st, &in->ops[2]);
		if (!c.sym) {
			r = c.c ? a : b;
		} else if (a.prov != b.prov && (a.prov || b.prov)) {
			/* Pointers into two objects: fork, so each side keeps its object. */
			rc = fork_on(x, st, boolean(x, c), &other);
			if (rc < 0)
				return -1;
			if (other) {
				other->frames[other->n_frames - 1].regs[in->dst] = b;
				other->frames[other->n_frames - 1].pc++;
				push_state(x, other);
			}
			r = rc ? a : b;
		} else if (!a.sym && !b.sym && a.c == b.c) {
			r = a;
		} else {
			r = sv_expr(x, smt_ite(x->smt, boolean(x, c), a.bits == 1 ? boolean(x, a) : bv(x, a),
				    b.bits == 1 ? boolean(x, b) : bv(x, b)), in->bits, a.prov);
		}
		set_reg(st, in->dst, r);
		break;
	}
	case IR_PHI:
		/* Phis run on entry to their block (jump); one here was not at the block's head. */
		return fail(x, -EINVAL, "a phi in the middle of a block");
	case IR_ZEXT: case IR_SEXT: case IR_TRUNC:
		a = operand(x, st, &in->ops[0]);
		set_reg(st, in->dst, cast(x, (enum ir_op)in->op, a, in->bits));
		break;
	case IR_BITCAST: case IR_PTRTOINT: case IR_INTTOPTR: case IR_FREEZE:
		a = operand(x, st, &in->ops[0]);
		if (in->op == IR_INTTOPTR && a.sym && !a.prov)
			return fail(x, -EINVAL, "inttoptr of a symbolic integer");
		r = a.bits == in->bits ? a : cast(x, a.bits > in->bits ? IR_TRUNC : IR_ZEXT, a, in->bits);
		r.prov = in->bits == 64 ? a.prov : 0;
		set_reg(st, in->dst, r);
		break;
	case IR_ALLOCA: {
		struct sv n = operand(x, st, &in->ops[0]);
		char what[64];
		struct mobj *o;
		uint32_t id;

		if (n.sym)
			return fail(x, -EINVAL, "a local variable whose size is not a constant");
		/* A smaller bound than for other objects: each path copies what it writes. */
		if (n.c > (1u << 20) || n.c * in->size > (1u << 20))
			return fail(x, -EFBIG, "a local variable of %" PRIu64 " bytes in %s: "
				    "the analysis models locals of up to 1 MiB", n.c * in->size,
				    fn->name);
		snprintf(what, sizeof what, "a local variable of %s", fn->name);
		o = obj_new(x, OK_STACK, (uint32_t)(n.c * in->size), what);
		id = state_add_obj(st, o);
		r = sv_num(obj_base(id), 64);
		r.prov = id;
		set_reg(st, in->dst, r);
		break;
	}
	case IR_LOAD:
		a = operand(x, st, &in->ops[0]);
		rc = mem_load(x, st, a, in->size, in->bits, &r);
		if (rc < 0)
			return -1;
		if (rc > 0)
			return 0;
		set_reg(st, in->dst, r);
		break;
	case IR_STORE:
		a = operand(x, st, &in->ops[0]);
		b = operand(x, st, &in->ops[1]);
		rc = mem_store(x, st, b, in->size, a);
		if (rc < 0)
			return -1;
		if (rc > 0)
			return 0;
		break;
	case IR_GEP: {
		struct sv base = operand(x, st, &in->ops[0]);
		bool sym = base.sym;
		uint64_t c = base.sym ? 0 : base.c;
		smt_t e = base.sym ? base.e : NULL;

		c += (uint64_t)in->offset;
		for (uint32_t i = 1; i < in->n_ops; i++) {
			struct sv ix = operand(x, st, &in->ops[i]);

			if (ix.bits < 64)
				ix = cast(x, IR_SEXT, ix, 64);
			if (!ix.sym) {
				c += ix.c * (uint64_t)in->scales[i - 1];
			} else {
				smt_t t = smt_binop(x->smt, SMT_MUL, ix.e,
					smt_num(x->smt, (uint64_t)in->scales[i - 1], 64));

				e = e ? smt_binop(x->smt, SMT_ADD, e, t) : t;
				sym = true;
			}
		}
		if (sym)
			r = sv_expr(x, smt_binop(x->smt, SMT_ADD, e, smt_num(x->smt, c, 64)), 64, 0);
		else
			r = sv_num(c, 64);
		r.prov = base.prov ? base.prov : base.sym ? 0 : (uint32_t)(base.c >> 32);
		set_reg(st, in->dst, r);
		break;
	}
	case IR_CALL: {
		struct sv args[16];

		if (in->n_ops > 16)
			return fail(x, -EINVAL, "a call with more than 16 arguments");
		for (uint32_t i = 0; i < in->n_ops; i++)
			args[i] = operand(x, st, &in->ops[i]);
		if (in->sub != IR_I_NONE) {
			rc = intrinsic(x, st, in, args, &r);
			if (rc < 0)
				return -1;
			if (rc > 0)
				return 0;
			if (in->bits)
				set_reg(st, in->dst, r);
			break;
		}
		if (in->callee >= 0 && x->ir->fns[in->callee].body)
			return push_frame(x, st, (uint32_t)in->callee, args, in->n_ops,
					  in->bits ? in->dst : UINT32_MAX);
		return run_call(x, st, in, args);
	}
	case IR_UNSUPPORTED:
	default:
		return fail(x, -ENOTSUP, "cannot model this instruction: %s",
			    in->text ? in->text : ir_op_name((enum ir_op)in->op));
	}
	st->frames[st->n_frames - 1].pc++;
	st->offset_forks = 0;
	return 0;
}

/* ---- intrinsics ---- */

/* The address of byte 'i' past a resolved place, as a pointer into its object. */
static struct sv
place_addr(struct exec *x, const struct place *pl, uint64_t i)
{
	struct sv a = sv_num(obj_base(pl->id) + pl->off + i, 64);

	if (pl->sym)
		a = sv_expr(x, smt_binop(x->smt, SMT_ADD, pl->off_e,
			    smt_num(x->smt, obj_base(pl->id) + i, 64)), 64, 0);
	a.prov = pl->id;
	return a;
}

/* Copies 'n' bytes (memcpy, memmove: bytes are read first, so overlap is fine). */
static int
mem_copy(struct exec *x, struct state *st, struct sv dst, struct sv src, uint64_t n)
{
	struct place ps, pd;
	struct sv *bytes;
	int rc;

	if (n == 0)
		return 0;
	if (n > (1u << 16))
		return fail(x, -EINVAL, "a copy of %" PRIu64 " bytes", n);
	rc = resolve(x, st, src, false, &ps);
	if (rc)
		return rc;
	if (check_bounds(x, st, &ps, (uint32_t)n, false) < 0)
		return -1;
	bytes = xmalloc(n * sizeof *bytes);
	for (uint64_t i = 0; i < n; i++)
		bytes[i] = read_byte(x, st, &ps, (uint32_t)i);
	rc = resolve(x, st, dst, true, &pd);
	if (rc || check_bounds(x, st, &pd, (uint32_t)n, true) < 0) {
		free(bytes);
		return rc > 0 ? rc : -1;
	}
	if (pd.o && ps.o) {
		/* Memory to memory: whole cells, so pointers and unwritten bytes stay what they were. */
		pd.o = state_obj_mut(x, st, pd.id);
		for (uint64_t i = 0; i < n; i++)
			pd.o->cells[pd.off + i] = ps.o->cells[ps.off + i];
	} else {
		for (uint64_t i = 0; i < n; i++) {
			if (mem_store(x, st, place_addr(x, &pd, i), 1, bytes[i]) < 0) {
				free(bytes);
				return -1;
			}
		}
	}
	free(bytes);
	return 0;
}

static int
mem_fill(struct exec *x, struct state *st, struct sv dst, struct sv val, uint64_t n)
{
	struct place pd;
	int rc;

	if (n == 0)
		return 0;
	if (n > (1u << 20))
		return fail(x, -EINVAL, "a memset of %" PRIu64 " bytes", n);
	rc = resolve(x, st, dst, true, &pd);
	if (rc)
		return rc;
	if (check_bounds(x, st, &pd, (uint32_t)n, true) < 0)
		return -1;
	if (!pd.o || val.sym) {
		for (uint64_t i = 0; i < n; i++) {
			if (mem_store(x, st, place_addr(x, &pd, i), 1, val) < 0)
				return -1;
		}
		return 0;
	}
	pd.o = state_obj_mut(x, st, pd.id);
	for (uint64_t i = 0; i < n; i++) {
		struct cell *c = &pd.o->cells[pd.off + i];

		c->flags = CELL_DEF;
		c->prov = 0;
		c->c = (uint8_t)val.c;
		c->e = NULL;
	}
	return 0;
}

static int
need_concrete(struct exec *x, struct sv v, const char *what)
{
	if (v.sym)
		return fail(x, -EINVAL, "%s with a symbolic length", what);
	return 0;
}

static int
intrinsic(struct exec *x, struct state *st, const struct ir_inst *in, struct sv *a, struct sv *out)
{
	unsigned bits = in->bits;
	struct smt *s = x->smt;

	switch (in->sub) {
	case IR_I_BSWAP:
		if (!a[0].sym) {
			uint64_t v = 0;

			for (unsigned i = 0; i < bits / 8; i++)
				v |= ((a[0].c >> (8 * i)) & 0xff) << (bits - 8 - 8 * i);
			*out = sv_num(v, bits);
		} else {
			smt_t e = bv(x, a[0]), r = smt_extract(s, e, 7, 0);

			for (unsigned i = 1; i < bits / 8; i++)
				r = smt_concat(s, r, smt_extract(s, e, 8 * i + 7, 8 * i));
			*out = sv_expr(x, smt_simplify(s, r), bits, 0);
		}
		return 0;
	case IR_I_MEMCPY:
	case IR_I_MEMMOVE:
		if (need_concrete(x, a[2], "memcpy") < 0)
			return -1;
		return mem_copy(x, st, a[0], a[1], a[2].c);
	case IR_I_MEMSET:
		if (need_concrete(x, a[2], "memset") < 0)
			return -1;
		return mem_fill(x, st, a[0], a[1], a[2].c);
	case IR_I_UMIN: case IR_I_UMAX: case IR_I_SMIN: case IR_I_SMAX: {
		static const enum ir_pred p[] = {
			[IR_I_UMIN] = IR_ULT, [IR_I_UMAX] = IR_UGT, [IR_I_SMIN] = IR_SLT, [IR_I_SMAX] = IR_SGT
		};
		struct sv c = icmp(x, p[in->sub], a[0], a[1]);

		if (!c.sym)
			*out = c.c ? a[0] : a[1];
		else
			*out = sv_expr(x, smt_ite(s, c.e, bv(x, a[0]), bv(x, a[1])), bits, 0);
		out->prov = 0;
		return 0;
	}
	case IR_I_ABS: {
		struct sv neg, c = icmp(x, IR_SLT, a[0], sv_num(0, bits));

		if (binop(x, st, IR_SUB, sv_num(0, bits), a[0], bits, &neg) < 0)
			return -1;
		if (!c.sym)
			*out = c.c ? neg : a[0];
		else
			*out = sv_expr(x, smt_ite(s, c.e, bv(x, neg), bv(x, a[0])), bits, 0);
		return 0;
	}
	case IR_I_USUB_SAT: case IR_I_UADD_SAT: {
		struct sv r, c;

		if (in->sub == IR_I_USUB_SAT) {
			c = icmp(x, IR_UGT, a[0], a[1]);
			if (binop(x, st, IR_SUB, a[0], a[1], bits, &r) < 0)
				return -1;
			if (!c.sym)
				*out = c.c ? r : sv_num(0, bits);
			else
				*out = sv_expr(x, smt_ite(s, c.e, bv(x, r), smt_num(s, 0, bits)), bits, 0);
		} else {
			if (binop(x, st, IR_ADD, a[0], a[1], bits, &r) < 0)
				return -1;
			c = icmp(x, IR_ULT, r, a[0]);
			if (!c.sym)
				*out = c.c ? sv_num(~0ull, bits) : r;
			else
				*out = sv_expr(x, smt_ite(s, c.e, smt_num(s, mask(bits), bits), bv(x, r)),
					       bits, 0);
		}
		out->prov = 0;
		return 0;
	}
	case IR_I_FSHL: case IR_I_FSHR: {
		/* fshl(a, b, c) = high half of (a:b) << (c mod w); fshr: low half of (a:b) >> (c mod w) */
		if (!a[0].sym && !a[1].sym && !a[2].sym) {
			unsigned sh = (unsigned)(a[2].c % bits);
			uint64_t v;

			if (sh == 0)
				v = in->sub == IR_I_FSHL ? a[0].c : a[1].c;
			else if (in->sub == IR_I_FSHL)
				v = (a[0].c << sh) | (a[1].c >> (bits - sh));
			else
				v = (a[1].c >> sh) | (a[0].c << (bits - sh));
			*out = sv_num(v, bits);
		} else {
			smt_t cat = smt_concat(s, bv(x, a[0]), bv(x, a[1]));
			smt_t sh = smt_zext(s, smt_binop(s, SMT_UREM, bv(x, a[2]), smt_num(s, bits, bits)),
					    2 * bits);
			smt_t r;

			if (2 * bits > 64)
				return fail(x, -ENOTSUP, "a funnel shift wider than 32 bits on symbolic values");
			if (in->sub == IR_I_FSHL)
				r = smt_extract(s, smt_binop(s, SMT_SHL, cat, sh), 2 * bits - 1, bits);
			else
				r = smt_extract(s, smt_binop(s, SMT_LSHR, cat, sh), bits - 1, 0);
			*out = sv_expr(x, r, bits, 0);
		}
		return 0;
	}
	case IR_I_CTPOP:
		if (!a[0].sym) {
			*out = sv_num((uint64_t)__builtin_popcountll(a[0].c), bits);
		} else {
			smt_t e = bv(x, a[0]), sum = smt_num(s, 0, bits);

			for (unsigned i = 0; i < bits; i++)
				sum = smt_binop(s, SMT_ADD, sum, smt_zext(s, smt_extract(s, e, i, i), bits));
			*out = sv_expr(x, sum, bits, 0);
		}
		return 0;
	case IR_I_EXPECT:
		*out = a[0];
		return 0;
	default:
		return fail(x, -ENOTSUP, "cannot model the intrinsic %s", in->name);
	}
}

/* ---- the state library and libc ---- */

struct model;
typedef int model_fn(struct exec *x, struct state *st, const struct ir_inst *in, struct sv *a,
		     const struct model *m);

struct model {
	const char *name;
	model_fn *fn;
	int kind;		/* the object kind of argument 0, or -1 */
	enum sym_op op;
	const char *outcomes[2];	/* [0]: the call's success, [1]: its failure; NULL: no fork */
	int64_t rets[2];
};

static void
set_result(struct state *st, const struct ir_inst *in, struct sv v)
{
	if (in->bits) {
		v.bits = in->bits;
		if (!v.sym)
			v.c &= mask(in->bits);
		set_reg(st, in->dst, v);
	}
}

static int
finish_call(struct state *st)
{
	st->frames[st->n_frames - 1].pc++;
	st->offset_forks = 0;
	return 0;
}

/* The state object argument 'v' points to, of kind 'kind' (-1: any); NULL pointers are
** allowed when 'null_ok' (UINT32_MAX). */
static int
handle_of(struct exec *x, struct state *st, struct sv v, int kind, bool null_ok, const char *call,
	  unsigned argn, uint32_t *obj)
{
	struct mobj *o;
	uint32_t id = v.prov ? v.prov : v.sym ? 0 : (uint32_t)(v.c >> 32);

	if (!v.sym && v.c == 0 && null_ok) {
		*obj = UINT32_MAX;
		return 0;
	}
	o = state_obj(st, id);
	if (v.sym || !o || o->kind != OK_HANDLE || v.c != obj_base(id))
		return fail(x, -EINVAL, "%s: argument %u is not an object made by a state-library "
			    "constructor", call, argn + 1);
	if (kind >= 0 && x->r->objects[o->handle].kind != (enum sym_kind)kind)
		return fail(x, -EINVAL, "%s: argument %u is %s, a %s", call, argn + 1,
			    x->r->objects[o->handle].name,
			    sym_kind_name(x->r->objects[o->handle].kind));
	*obj = o->handle;
	return 0;
}

static smt_t *
key_u32(struct exec *x, struct sv v)
{
	smt_t *k = arena_alloc(x->arena, 4 * sizeof *k);
	smt_t e = bv(x, v);

	if (smt_bits(x->smt, e) < 32)
		e = smt_zext(x->smt, e, 32);
	for (unsigned i = 0; i < 4; i++)
		k[i] = byte_of(x, e, i);
	return k;
}

/* The record the last vector_mut lent, as the NF left it: its pointer is good until the next
** call, so this is what the call stored (sym_event.stored). */
static void
capture_record(struct exec *x, struct state *st)
{
	const struct mobj *o = st->rec_id ? state_obj(st, st->rec_id) : NULL;
	struct sym_event *ev;
	smt_t *b;

	if (!o) {
		st->rec_id = 0;
		return;
	}
	ev = &st->events[st->rec_ev];
	b = arena_alloc(x->arena, (o->size ? o->size : 1) * sizeof *b);
	for (uint32_t i = 0; i < o->size; i++) {
		const struct cell *c = &o->cells[i];

		b[i] = c->flags & CELL_SYM ? c->e : smt_num(x->smt, c->c, 8);
	}
	ev->n_stored = o->size;
	ev->stored = b;
	st->rec_id = 0;
}

static struct sym_event *
add_event(struct exec *x, struct state *st, const struct ir_inst *in, const char *call, uint32_t obj,
	  enum sym_op op)
{
	struct sym_event *ev;

	capture_record(x, st);
	GROW(st->events, st->n_events, st->cap_events, 16);
	ev = &st->events[st->n_events++];
	memset(ev, 0, sizeof *ev);
	ev->call = call;
	ev->obj = obj;
	ev->also[0] = ev->also[1] = UINT32_MAX;
	ev->op = op;
	ev->init = st->init;
	ev->file = in->file;
	ev->line = in->line;
	return ev;
}

/* A fresh variable for what a call returns from state: "<object>.<call>#<event>.<what>". */
static smt_t
fresh(struct exec *x, struct state *st, uint32_t obj, const char *call, const char *what,
      unsigned bits)
{
	char name[128];
	const char *c = strchr(call, '_');

	snprintf(name, sizeof name, "%s.%s#%u.%s", x->r->objects[obj].name, c ? c + 1 : call,
		 st->n_events - 1, what);
	return smt_var(x->smt, name, bits);
}

/* What a call hands back through a pointer. Written whatever the outcome: a failed call leaves
** it unspecified, and an NF that reads it anyway sees a value from state. */
static int
out_u32(struct exec *x, struct state *st, struct sv ptr, smt_t v)
{
	return mem_store(x, st, ptr, 4, sv_expr(x, v, 32, 0));
}

/* nf_init looking up a key it put earlier (concrete keys): 1 and *value when present. */
static int
init_lookup(struct exec *x, struct state *st, uint32_t obj, smt_t *key, uint32_t n, uint64_t *value)
{
	for (uint32_t i = st->n_events - 1; i-- > 0;) {
		const struct sym_event *ev = &st->events[i];
		bool same = ev->obj == obj && ev->n_key == n && !strcmp(ev->call, "map_put");

		for (uint32_t k = 0; same && k < n; k++) {
			uint64_t a, b;

			same = smt_is_num(x->smt, ev->key[k], &a) && smt_is_num(x->smt, key[k], &b) &&
			       a == b;
		}
		if (same) {
			if (ev->value)
				smt_is_num(x->smt, ev->value, value);
			return 1;
		}
	}
	return 0;
}

static void
event_outs(struct exec *x, struct sym_event *ev, const smt_t *outs, uint32_t n)
{
	ev->n_out = n;
	ev->out = arena_dup(x->arena, outs, n * sizeof *outs);
}

/* Calls with a key read from memory (map, sketch, cht): the key bytes. */
static int
key_bytes(struct exec *x, struct state *st, struct sv ptr, uint32_t n, smt_t **key)
{
	smt_t buf[256];
	int rc;

	if (n > 256)
		return fail(x, -EINVAL, "a key of %u bytes", n);
	rc = mem_bytes(x, st, ptr, n, buf);
	if (rc)
		return rc;
	*key = arena_dup(x->arena, buf, n * sizeof *buf);
	return 0;
}

/* The generic model: an event on argument 0's object, keyed as the call's table row says, then
** the outcome fork and the values returned. */
static int
m_state(struct exec *x, struct state *st, const struct ir_inst *in, struct sv *a,
	const struct model *m)
{
	uint32_t obj, obj2 = UINT32_MAX, obj3 = UINT32_MAX;
	struct sym_event *ev;
	smt_t *key = NULL, outs[64], ok = NULL, okb = NULL;
	uint32_t n_key = 0, n_out = 0;
	uint64_t init_val = 0;
	const char *n = m->name;
	int rc;

	if (handle_of(x, st, a[0], m->kind, false, n, 0, &obj) < 0)
		return -1;
	const struct sym_object *so = &x->r->objects[obj];

	/* keys */
	if (!strcmp(n, "map_get") || !strcmp(n, "map_put") || !strcmp(n, "map_erase") ||
	    !strcmp(n, "sketch_fetch") || !strcmp(n, "sketch_touch")) {
		n_key = so->key_size;
		rc = key_bytes(x, st, a[1], n_key, &key);
		if (rc)
			return rc;
	} else if (!strcmp(n, "cht_find")) {
		if (a[2].sym)
			return fail(x, -EINVAL, "cht_find: a symbolic key size");
		n_key = (uint32_t)a[2].c;
		rc = key_bytes(x, st, a[1], n_key, &key);
		if (rc)
			return rc;
		if (handle_of(x, st, a[3], SYM_DCHAIN, false, n, 3, &obj2) < 0)
			return -1;
	} else if (!strcmp(n, "vector_get") || !strcmp(n, "vector_mut") ||
		   !strcmp(n, "dchain_is_allocated") || !strcmp(n, "dchain_rejuvenate") ||
		   !strcmp(n, "dchain_free") || !strcmp(n, "lpm_lookup")) {
		n_key = 4;
		key = key_u32(x, a[1]);
	} else if (!strcmp(n, "expire_items")) {
		if (handle_of(x, st, a[1], SYM_MAP, true, n, 1, &obj2) < 0 ||
		    handle_of(x, st, a[2], SYM_VECTOR, true, n, 2, &obj3) < 0)
			return -1;
	}
	if (st->init && m->op != SYM_READ && strcmp(n, "lpm_add") && strcmp(n, "map_put") &&
	    strcmp(n, "vector_mut") && strcmp(n, "dchain_allocate"))
		return fail(x, -EINVAL, "%s in nf_init: not modelled there", n);
	ev = add_event(x, st, in, n, obj, m->op);
	ev->n_key = n_key;
	ev->key = key;
	ev->also[0] = obj2;
	ev->also[1] = obj3;
	if (!strcmp(n, "map_put"))
		ev->value = bv(x, a[2]);
	/* A call that can fail returns an outcome variable instead of forking here: a path forks
	** only where the NF branches on it, so ignored results (a rejuvenate's) cost no paths. */
	if (m->outcomes[0]) {
		int init_hit = 1;

		if (st->init && !strcmp(n, "map_get")) {
			/* nf_init checking its own table (duplicates): the keys are concrete */
			init_hit = init_lookup(x, st, obj, key, n_key, &init_val);
		}
		if (st->init) {
			ok = smt_num(x->smt, init_hit ? 1 : 0, 1);
		} else {
			ok = fresh(x, st, obj, n, "ok", 1);
			ev = &st->events[st->n_events - 1];
			ev->ok = ok;
		}
		okb = smt_cmp(x->smt, SMT_EQ, ok, smt_num(x->smt, 1, 1));
		ev = &st->events[st->n_events - 1];
		ev->rets[0] = m->rets[0];
		ev->rets[1] = m->rets[1];
		ev->outcomes[0] = m->outcomes[0];
		ev->outcomes[1] = m->outcomes[1];
		if (st->init) {
			ev->outcome = m->outcomes[init_hit ? 0 : 1];
			ev->ret = m->rets[init_hit ? 0 : 1];
		}
	}
	if (!strcmp(n, "map_get") || !strcmp(n, "lpm_lookup")) {
		outs[n_out++] = st->init ? smt_num(x->smt, init_val, 32) : fresh(x, st, obj, n, "value", 32);
		if (out_u32(x, st, a[2], outs[0]) < 0)
			return -1;
	} else if (!strcmp(n, "dchain_allocate") || !strcmp(n, "cht_find") ||
		   !strcmp(n, "dchain_expire_one")) {
		smt_t v;
		uint32_t cap = so->capacity, used = 0;
		struct sv p = !strcmp(n, "cht_find") ? a[4] : a[2];

		if (st->init) {
			/* nf_init fills a fresh chain in order: the next index is known. */
			for (uint32_t i = 0; i + 1 < st->n_events; i++)
				used += st->events[i].obj == obj && st->events[i].call == n;
			v = smt_num(x->smt, used, 32);
		} else {
			v = fresh(x, st, obj, n, !strcmp(n, "cht_find") ? "backend" : "index", 32);
			add_assume(x, st, smt_cmp(x->smt, SMT_ULT, v, smt_num(x->smt, cap, 32)));
		}
		outs[n_out++] = v;
		if (out_u32(x, st, p, v) < 0)
			return -1;
	} else if (!strcmp(n, "vector_get") || !strcmp(n, "vector_mut")) {
		char what[64];
		struct mobj *rec;
		uint32_t id;
		struct sv r;

		snprintf(what, sizeof what, "a record of %s", so->name);
		rec = obj_new(x, OK_RECORD, so->key_size, what);
		rec->readonly = !strcmp(n, "vector_get");
		for (uint32_t i = 0; i < so->key_size; i++) {
			char w[16];

			rec->cells[i].flags = CELL_DEF;
			if (st->init) {
				continue;	/* nf_init sees zeroed records */
			}
			snprintf(w, sizeof w, "%u", i);
			rec->cells[i].e = fresh(x, st, obj, n, w, 8);
			rec->cells[i].flags |= CELL_SYM;
			if (n_out < 64)
				outs[n_out++] = rec->cells[i].e;
		}
		id = state_add_obj(st, rec);
		if (!st->init && !rec->readonly) {
			st->rec_ev = st->n_events - 1;
			st->rec_id = id;
		}
		r = sv_num(obj_base(id), 64);
		r.prov = id;
		set_result(st, in, r);
	} else if (!strcmp(n, "sketch_fetch") || !strcmp(n, "expire_items") ||
		   !strcmp(n, "sketch_expire")) {
		outs[n_out++] = fresh(x, st, obj, n, "count", 32);
		set_result(st, in, sv_expr(x, outs[0], 32, 0));
	}
	if (ok) {
		set_result(st, in, sv_expr(x, smt_ite(x->smt, okb, smt_num(x->smt, (uint64_t)m->rets[0], 32),
			   smt_num(x->smt, (uint64_t)m->rets[1], 32)), 32, 0));
	}
	event_outs(x, &st->events[st->n_events - 1], outs, n_out);
	return finish_call(st);
}

static int
m_new(struct exec *x, struct state *st, const struct ir_inst *in, struct sv *a,
      const struct model *m)
{
	struct sym_object *so;
	char name[NF_NAME_MAX + 8], what[64];
	struct mobj *o;
	uint32_t id, cap_arg;
	struct sv r;
	enum sym_kind kind = (enum sym_kind)m->kind;

	if (!st->init)
		return fail(x, -EINVAL, "%s outside nf_init: objects are made once, in nf_init", m->name);
	if (mem_string(x, st, a[1], name, sizeof name, m->name) < 0)
		return -1;
	if (strlen(name) >= NF_NAME_MAX || !name[0])
		return fail(x, -EINVAL, "%s: bad object name \"%s\"", m->name, name);
	for (uint32_t i = 0; i < x->r->n_objects; i++) {
		if (!strcmp(x->r->objects[i].name, name))
			return fail(x, -EINVAL, "%s: a second object named \"%s\"", m->name, name);
	}
	for (int i = 2; i < (kind == SYM_DCHAIN || kind == SYM_LPM ? 3 : 4); i++) {
		if (a[i].sym)
			return fail(x, -EINVAL, "%s: argument %d is not a constant", m->name, i + 1);
	}
	GROW(x->r->objects, x->r->n_objects, x->cap_objects, 16);
	so = &x->r->objects[x->r->n_objects];
	memset(so, 0, sizeof *so);
	memcpy(so->name, name, strlen(name) + 1);	/* checked shorter than NF_NAME_MAX */
	so->kind = kind;
	so->file = in->file;
	so->line = in->line;
	switch (kind) {
	case SYM_MAP: case SYM_SKETCH: case SYM_VECTOR:
		so->key_size = (uint32_t)a[2].c;
		cap_arg = (uint32_t)a[3].c;
		break;
	case SYM_CHT:
		cap_arg = (uint32_t)a[2].c;
		so->extra = (uint32_t)a[3].c;
		break;
	default:
		cap_arg = (uint32_t)a[2].c;
		break;
	}
	so->full = (cap_arg & 0x80000000u) != 0 || kind == SYM_CHT || kind == SYM_LPM;
	so->capacity = x->host && x->host->capacity ? x->host->capacity(x->host->arg, cap_arg) :
		(cap_arg & 0x7fffffffu);
	if (kind == SYM_CHT || kind == SYM_LPM)
		so->capacity = cap_arg;
	if (kind == SYM_VECTOR && (so->key_size == 0 || so->key_size > 4096))
		return fail(x, -EINVAL, "%s: records of %u bytes", m->name, so->key_size);
	if ((kind == SYM_MAP || kind == SYM_SKETCH) && (so->key_size == 0 || so->key_size > 64))
		return fail(x, -EINVAL, "%s: keys of %u bytes", m->name, so->key_size);
	snprintf(what, sizeof what, "%s %s", sym_kind_name(kind), so->name);
	o = obj_new(x, OK_HANDLE, 0, what);
	o->handle = x->r->n_objects++;
	id = state_add_obj(st, o);
	r = sv_num(obj_base(id), 64);
	r.prov = id;
	set_result(st, in, r);
	return finish_call(st);
}

/* Accessors that are not state accesses: sizes given at construction, counts from state. */
static int
m_info(struct exec *x, struct state *st, const struct ir_inst *in, struct sv *a,
       const struct model *m)
{
	uint32_t obj;
	const struct sym_object *so;
	const char *n = m->name;

	if (handle_of(x, st, a[0], m->kind, false, n, 0, &obj) < 0)
		return -1;
	so = &x->r->objects[obj];
	if (strstr(n, "_capacity") || !strcmp(n, "cht_backends"))
		set_result(st, in, sv_num(so->capacity, 32));
	else if (!strcmp(n, "map_key_size"))
		set_result(st, in, sv_num(so->key_size, 32));
	else if (!strcmp(n, "cht_height"))
		set_result(st, in, sv_num(so->extra, 32));
	else
		return fail(x, -ENOTSUP, "%s: only for hosts and tests, not for NFs (its result "
			    "depends on everything before)", n);
	return finish_call(st);
}

static int
m_alloc(struct exec *x, struct state *st, const struct ir_inst *in, struct sv *a,
	const struct model *m)
{
	struct mobj *o;
	uint32_t id;
	struct sv r;

	if (!st->init)
		return fail(x, -EINVAL, "nf_alloc outside nf_init");
	if (a[1].sym)
		return fail(x, -EINVAL, "nf_alloc of a size that is not a constant");
	if (a[1].c > SYM_MAX_OBJECT)
		return fail(x, -EFBIG, "nf_alloc of %" PRIu64 " bytes: the analysis models objects "
			    "of up to %u MiB (keep big tables in state-library objects)", a[1].c,
			    SYM_MAX_OBJECT >> 20);
	o = obj_new(x, OK_HEAP, (uint32_t)a[1].c, "the NF's state struct (nf_alloc)");
	o->init_mem = true;
	for (uint32_t i = 0; i < o->size; i++)
		o->cells[i].flags = CELL_DEF;
	id = state_add_obj(st, o);
	r = sv_num(obj_base(id), 64);
	r.prov = id;
	set_result(st, in, r);
	return finish_call(st);
}

static int
m_config(struct exec *x, struct state *st, const struct ir_inst *in, struct sv *a,
	 const struct model *m)
{
	char key[128];
	const struct sym_host *h = x->host;

	if (!st->init)
		return fail(x, -EINVAL, "%s outside nf_init", m->name);
	if (mem_string(x, st, a[1], key, sizeof key, m->name) < 0)
		return -1;
	if (!h || !h->config_uint)
		return fail(x, -EINVAL, "%s(\"%s\"): no configuration to answer it", m->name, key);
	if (!strcmp(m->name, "nf_config_uint")) {
		if (a[2].sym || a[3].sym)
			return fail(x, -EINVAL, "nf_config_uint: symbolic bounds");
		set_result(st, in, sv_num(h->config_uint(h->arg, key, a[2].c, a[3].c), 64));
	} else if (!strcmp(m->name, "nf_config_ipv4")) {
		set_result(st, in, sv_num(h->config_ipv4(h->arg, key), 32));
	} else {
		const char *v = h->config_str(h->arg, key);
		size_t n;
		struct mobj *o;
		uint32_t id;
		struct sv r;

		if (!v) {
			set_result(st, in, sv_num(0, 64));
			return finish_call(st);
		}
		n = strlen(v) + 1;
		o = obj_new(x, OK_GLOBAL, (uint32_t)n, "a configuration string");
		o->readonly = true;
		for (size_t i = 0; i < n; i++) {
			o->cells[i].flags = CELL_DEF;
			o->cells[i].c = (uint8_t)v[i];
		}
		id = state_add_obj(st, o);
		r = sv_num(obj_base(id), 64);
		r.prov = id;
		set_result(st, in, r);
	}
	return finish_call(st);
}

static int
m_env(struct exec *x, struct state *st, const struct ir_inst *in, struct sv *a,
      const struct model *m)
{
	if (!strcmp(m->name, "nf_env_ok")) {
		bool bad = x->init_error || (x->host && x->host->failed && x->host->failed(x->host->arg));

		set_result(st, in, sv_num(!bad, 32));
	} else if (!strcmp(m->name, "nf_env_fail")) {
		static char fmt[256];

		if (mem_string(x, st, a[1], fmt, sizeof fmt, "nf_env_fail") < 0)
			fmt[0] = '\0';
		x->init_error = fmt;
	} else if (!strcmp(m->name, "nf_env_capacity")) {
		if (a[1].sym)
			return fail(x, -EINVAL, "nf_env_capacity of a symbolic value");
		set_result(st, in, sv_num(x->host && x->host->capacity ?
			   x->host->capacity(x->host->arg, (uint32_t)a[1].c) : a[1].c & 0x7fffffff, 32));
	} else {
		return fail(x, -ENOTSUP, "%s is not for NFs", m->name);
	}
	return finish_call(st);
}

/* libc string functions: over concrete memory only, except bcmp/memcmp, which compare
** expressions. */
static int
m_libc(struct exec *x, struct state *st, const struct ir_inst *in, struct sv *a,
       const struct model *m)
{
	const char *n = m->name;
	struct smt *s = x->smt;

	if (!strcmp(n, "bcmp") || !strcmp(n, "memcmp")) {
		smt_t pa[256], pb[256], r;
		uint64_t len;
		int rc;

		if (a[2].sym || a[2].c > 256)
			return fail(x, -EINVAL, "%s of a symbolic or long length", n);
		len = a[2].c;
		if ((rc = mem_bytes(x, st, a[0], (uint32_t)len, pa)) != 0 ||
		    (rc = mem_bytes(x, st, a[1], (uint32_t)len, pb)) != 0)
			return rc;
		r = smt_num(s, 0, 32);
		for (uint64_t i = len; i-- > 0;) {
			smt_t ne = smt_cmp(s, SMT_NE, pa[i], pb[i]);
			smt_t d = !strcmp(n, "bcmp") ? smt_num(s, 1, 32) :
				smt_binop(s, SMT_SUB, smt_zext(s, pa[i], 32), smt_zext(s, pb[i], 32));

			r = smt_ite(s, ne, d, r);
		}
		set_result(st, in, sv_expr(x, smt_simplify(s, r), 32, 0));
		return finish_call(st);
	}
	if (!strcmp(n, "strlen") || !strcmp(n, "strchr") || !strcmp(n, "memchr")) {
		struct place pl;
		int rc = resolve(x, st, a[0], false, &pl);
		uint64_t limit, i;

		if (rc)
			return rc < 0 ? rc : fail(x, -EINVAL, "%s of a symbolic pointer", n);
		if (!pl.o)
			return fail(x, -ENOTSUP, "%s over the packet", n);
		if (!strcmp(n, "memchr")) {
			if (a[2].sym)
				return fail(x, -EINVAL, "memchr of a symbolic length");
			limit = a[2].c;
		} else {
			limit = UINT64_MAX;
		}
		if ((n[3] == 'c' || n[3] == 'h') && a[1].sym)
			return fail(x, -EINVAL, "%s for a symbolic character", n);
		for (i = 0; i < limit; i++) {
			const struct cell *c;

			if (pl.off + i >= pl.o->size)
				return fail(x, -EFAULT, "%s runs past the end of %s", n, pl.o->what);
			c = &pl.o->cells[pl.off + i];
			if (!(c->flags & CELL_DEF) || (c->flags & CELL_SYM))
				return fail(x, -EINVAL, "%s over bytes that are not constant", n);
			if (!strcmp(n, "strlen") && c->c == 0)
				break;
			if (strcmp(n, "strlen") && c->c == (uint8_t)a[1].c)
				break;
			if (!strcmp(n, "strchr") && c->c == 0) {
				i = limit;
				break;
			}
		}
		if (!strcmp(n, "strlen")) {
			set_result(st, in, sv_num(i, 64));
		} else if (i >= limit) {
			set_result(st, in, sv_num(0, 64));
		} else {
			struct sv r = sv_num(a[0].c + i, 64);

			r.prov = pl.id;
			set_result(st, in, r);
		}
		return finish_call(st);
	}
	return fail(x, -ENOTSUP, "cannot model %s", n);
}

#define ST(n, k, op, s, f, rs, rf)	{ n, m_state, k, op, { s, f }, { rs, rf } }
static const struct model models[] = {
	{ "map_new", m_new, SYM_MAP, SYM_WRITE, { NULL, NULL }, { 0, 0 } },
	{ "vector_new", m_new, SYM_VECTOR, SYM_WRITE, { NULL, NULL }, { 0, 0 } },
	{ "dchain_new", m_new, SYM_DCHAIN, SYM_WRITE, { NULL, NULL }, { 0, 0 } },
	{ "sketch_new", m_new, SYM_SKETCH, SYM_WRITE, { NULL, NULL }, { 0, 0 } },
	{ "cht_new", m_new, SYM_CHT, SYM_WRITE, { NULL, NULL }, { 0, 0 } },
	{ "lpm_new", m_new, SYM_LPM, SYM_WRITE, { NULL, NULL }, { 0, 0 } },
	ST("map_get", SYM_MAP, SYM_READ, "hit", "miss", 1, 0),
	ST("map_put", SYM_MAP, SYM_WRITE, "ok", "full", 0, -1),
	ST("map_erase", SYM_MAP, SYM_WRITE, "erased", "absent", 1, 0),
	ST("vector_get", SYM_VECTOR, SYM_READ, NULL, NULL, 0, 0),
	ST("vector_mut", SYM_VECTOR, SYM_WRITE, NULL, NULL, 0, 0),
	ST("dchain_allocate", SYM_DCHAIN, SYM_WRITE, "ok", "full", 1, 0),
	ST("dchain_is_allocated", SYM_DCHAIN, SYM_READ, "yes", "no", 1, 0),
	ST("dchain_rejuvenate", SYM_DCHAIN, SYM_UPDATE, "ok", "absent", 1, 0),
	ST("dchain_free", SYM_DCHAIN, SYM_WRITE, "freed", "absent", 1, 0),
	ST("dchain_expire_one", SYM_DCHAIN, SYM_WRITE, "expired", "none", 1, 0),
	ST("expire_items", SYM_DCHAIN, SYM_WRITE, NULL, NULL, 0, 0),
	ST("sketch_fetch", SYM_SKETCH, SYM_READ, NULL, NULL, 0, 0),
	ST("sketch_touch", SYM_SKETCH, SYM_WRITE, NULL, NULL, 0, 0),
	ST("sketch_expire", SYM_SKETCH, SYM_WRITE, NULL, NULL, 0, 0),
	ST("cht_find", SYM_CHT, SYM_READ, "found", "none", 1, 0),
	ST("lpm_lookup", SYM_LPM, SYM_READ, "hit", "miss", 1, 0),
	ST("lpm_add", SYM_LPM, SYM_WRITE, "ok", "full", 0, -1),
	{ "map_capacity", m_info, SYM_MAP, SYM_READ, { NULL, NULL }, { 0, 0 } },
	{ "map_key_size", m_info, SYM_MAP, SYM_READ, { NULL, NULL }, { 0, 0 } },
	{ "map_size", m_info, SYM_MAP, SYM_READ, { NULL, NULL }, { 0, 0 } },
	{ "vector_capacity", m_info, SYM_VECTOR, SYM_READ, { NULL, NULL }, { 0, 0 } },
	{ "dchain_capacity", m_info, SYM_DCHAIN, SYM_READ, { NULL, NULL }, { 0, 0 } },
	{ "dchain_allocated", m_info, SYM_DCHAIN, SYM_READ, { NULL, NULL }, { 0, 0 } },
	{ "sketch_capacity", m_info, SYM_SKETCH, SYM_READ, { NULL, NULL }, { 0, 0 } },
	{ "cht_backends", m_info, SYM_CHT, SYM_READ, { NULL, NULL }, { 0, 0 } },
	{ "cht_height", m_info, SYM_CHT, SYM_READ, { NULL, NULL }, { 0, 0 } },
	{ "lpm_size", m_info, SYM_LPM, SYM_READ, { NULL, NULL }, { 0, 0 } },
	{ "nf_alloc", m_alloc, -1, SYM_WRITE, { NULL, NULL }, { 0, 0 } },
	{ "nf_config_uint", m_config, -1, SYM_READ, { NULL, NULL }, { 0, 0 } },
	{ "nf_config_ipv4", m_config, -1, SYM_READ, { NULL, NULL }, { 0, 0 } },
	{ "nf_config_str", m_config, -1, SYM_READ, { NULL, NULL }, { 0, 0 } },
	{ "nf_env_ok", m_env, -1, SYM_READ, { NULL, NULL }, { 0, 0 } },
	{ "nf_env_fail", m_env, -1, SYM_READ, { NULL, NULL }, { 0, 0 } },
	{ "nf_env_capacity", m_env, -1, SYM_READ, { NULL, NULL }, { 0, 0 } },
	{ "bcmp", m_libc, -1, SYM_READ, { NULL, NULL }, { 0, 0 } },
	{ "memcmp", m_libc, -1, SYM_READ, { NULL, NULL }, { 0, 0 } },
	{ "strlen", m_libc, -1, SYM_READ, { NULL, NULL }, { 0, 0 } },
	{ "strchr", m_libc, -1, SYM_READ, { NULL, NULL }, { 0, 0 } },
	{ "memchr", m_libc, -1, SYM_READ, { NULL, NULL }, { 0, 0 } },
};

static int
run_call(struct exec *x, struct state *st, const struct ir_inst *in, struct sv *args)
{
	for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
		if (!strcmp(models[i].name, in->name))
			return models[i].fn(x, st, in, args, &models[i]);
	}
	if (!strcmp(in->name, "memcpy") || !strcmp(in->name, "memmove")) {
		if (need_concrete(x, args[2], in->name) < 0 || mem_copy(x, st, args[0], args[1], args[2].c))
			return -1;
		set_result(st, in, args[0]);
		return finish_call(st);
	}
	if (!strcmp(in->name, "memset")) {
		if (need_concrete(x, args[2], in->name) < 0 ||
		    mem_fill(x, st, args[0], cast(x, IR_TRUNC, args[1], 8), args[2].c))
			return -1;
		set_result(st, in, args[0]);
		return finish_call(st);
	}
	return fail(x, -ENOTSUP, "a call to %s: not an NF function, a state-library call or a libc "
		    "function baton models", in->name);
}

/* ---- driver ---- */

static bool
out_of_budget(struct exec *x)
{
	if (x->halted)
		return true;
	if (x->r->steps < x->next_check)
		return false;
	if (out_of_time(x))
		return true;
	x->next_check = x->r->steps + 4096;
	if (x->r->steps > x->o.max_steps) {
		halt(x, -EOVERFLOW, "more than %" PRIu64 " instructions (the step limit) and "
		     "stopped after %u path%s", x->o.max_steps, x->r->n_paths,
		     x->r->n_paths == 1 ? "" : "s");
		return true;
	}
	progress_report(x->o.progress, "paths", x->r->n_paths, 0);
	return false;
}

/* Runs 'st' until its outermost function returns. */
static int
run_state(struct exec *x, struct state *st)
{
	while (!st->done) {
		if (out_of_budget(x))
			return -1;
		if (step(x, st) < 0)
			return -1;
	}
	return 0;
}

/* Whether 'e' uses a value read from state (a variable not of the packet or the inputs). */
static bool
vars_of_state(struct exec *x, smt_t e)
{
	const struct vset *v = vars_of(x, e);

	for (uint32_t i = 0; i < v->n; i++) {
		bool input = smt_id(x->smt, x->r->len) == v->vars[i] ||
			     smt_id(x->smt, x->r->port) == v->vars[i] ||
			     smt_id(x->smt, x->r->now) == v->vars[i];

		for (uint32_t k = 0; !input && k < x->r->n_pbytes; k++)
			input = smt_id(x->smt, x->r->pbytes[k].var) == v->vars[i];
		if (!input)
			return true;
	}
	return false;
}

/* Whether a condition of the path from 'from' on uses variable 'var'. */
static bool
pc_mentions_beyond(struct exec *x, struct state *st, smt_t var, uint32_t from)
{
	unsigned id = smt_id(x->smt, var);

	for (uint32_t i = from; i < st->n_pc; i++) {
		const struct vset *v = vars_of(x, st->pc[i]);

		for (uint32_t k = 0; k < v->n; k++) {
			if (v->vars[k] == id)
				return true;
		}
	}
	return false;
}

static bool
pc_mentions(struct exec *x, struct state *st, smt_t var)
{
	return pc_mentions_beyond(x, st, var, 0);
}

/* Records a finished nf_process path; forks when the verdict is symbolic. */
static int
finish_path(struct exec *x, struct state *st)
{
	struct sym_path *p;
	struct sv v = st->ret;
	int64_t verdict;
	uint32_t ports = 0;

	capture_record(x, st);
	if (v.sym) {
		/* One state per feasible verdict. A port the NF read back from state (a learned
		** port) is one it stored: assume it is a valid verdict. */
		uint64_t val;
		smt_t e = bv(x, v), eq;
		int f;

		if (!st->verdict_assumed && vars_of_state(x, e)) {
			smt_t ok = smt_bool(x->smt, false);

			for (int64_t w = -2; w < (int64_t)x->o.n_ports; w++)
				ok = smt_or(x->smt, ok, smt_cmp(x->smt, SMT_EQ, e,
					    smt_num(x->smt, (uint64_t)w, v.bits)));
			add_assume(x, st, ok);
			st->verdict_assumed = true;
		}

		if (feasible(x, st, NULL) < 0)
			return -1;
		/* The solver gave up on the whole path: ask only about the conditions the verdict
		** shares variables with (any value of theirs fits the others, which are about
		** other variables). Without a model still, there is no verdict to follow. */
		if (!smt_model_value(x->smt, e, &val) &&
		    (feasible_core(x, st, NULL, e, 1) < 0 || !smt_model_value(x->smt, e, &val)))
			return fail(x, -EINVAL, "the solver %s on which verdict this path "
				    "returns (is it computed from a hash of the packet?)",
				    gave_up(x));
		eq = smt_cmp(x->smt, SMT_EQ, e, smt_num(x->smt, val, v.bits));
		f = feasible(x, st, smt_not(x->smt, eq));
		if (f < 0)
			return -1;
		if (f) {
			struct state *o = state_clone(x, st);

			add_cond(x, o, smt_not(x->smt, eq));
			push_state(x, o);
		}
		add_cond(x, st, eq);
		v = sv_num(val, v.bits);
	}
	verdict = sext64(v.c, v.bits);
	/* What the path implies about each call's outcome, and which ports can take it; a
	** variable no condition mentions is free, without asking the solver. */
	for (uint32_t i = 0; i < st->n_events; i++) {
		struct sym_event *ev = &st->events[i];
		smt_t one;
		int f1, f0;

		if (!ev->ok)
			continue;
		if (!pc_mentions(x, st, ev->ok)) {
			ev->outcome = NULL;
			continue;
		}
		one = smt_cmp(x->smt, SMT_EQ, ev->ok, smt_num(x->smt, 1, 1));
		f1 = feasible(x, st, one);
		f0 = feasible(x, st, smt_not(x->smt, one));
		if (f1 < 0 || f0 < 0)
			return -1;
		ev->outcome = f1 && !f0 ? ev->outcomes[0] : f0 && !f1 ? ev->outcomes[1] : NULL;
		ev->ret = f1 && !f0 ? ev->rets[0] : ev->rets[1];
	}
	for (unsigned port = 0; port < x->o.n_ports; port++) {
		int f = pc_mentions_beyond(x, st, x->r->port, st->n_fixed_pc) ?
			feasible(x, st, smt_cmp(x->smt, SMT_EQ, x->r->port, smt_num(x->smt, port, 16))) : 1;

		if (f < 0)
			return -1;
		if (f)
			ports |= 1u << port;
	}
	if (verdict != NF_DROP && verdict != NF_FLOOD && (verdict < 0 || verdict >= x->o.n_ports))
		return fail(x, -EINVAL, "nf_process returns %" PRId64 ": not a port (0..%u), NF_DROP "
			    "or NF_FLOOD", verdict, x->o.n_ports - 1);
	if (x->r->n_paths >= x->o.max_paths) {
		halt(x, -E2BIG, "more than %u path%s (the path limit)", x->o.max_paths,
		     x->o.max_paths == 1 ? "" : "s");
		return -1;
	}
	GROW(x->r->paths, x->r->n_paths, x->cap_paths, 64);
	p = &x->r->paths[x->r->n_paths++];
	memset(p, 0, sizeof *p);
	p->verdict = (int)verdict;
	p->ports = ports;
	p->file = x->cur ? x->cur->file : 0;
	p->line = x->cur ? x->cur->line : 0;
	p->steps = st->steps;
	p->n_conds = st->n_conds;
	p->conds = arena_dup(x->arena, st->conds, st->n_conds * sizeof *st->conds);
	p->n_events = st->n_events;
	p->events = arena_dup(x->arena, st->events, st->n_events * sizeof *st->events);
	/* The last write of each byte. */
	p->writes = arena_alloc(x->arena, st->n_writes * sizeof *p->writes);
	for (uint32_t i = st->n_writes; i-- > 0;) {
		bool seen = false;

		for (uint32_t k = 0; k < p->n_writes; k++)
			seen |= p->writes[k].offset == st->writes[i].offset;
		if (!seen)
			p->writes[p->n_writes++] = st->writes[i];
	}
	for (uint32_t a = 0, b = p->n_writes; b > 1 && a < --b; a++) {
		struct sym_write t = p->writes[a];

		p->writes[a] = p->writes[b];
		p->writes[b] = t;
	}
	return 0;
}

/* The initial memory: one object per global (with its initializer) and per function. A global
** over SYM_MAX_OBJECT bytes is an error: each byte is a cell of an expression or two, so a big
** table would take the machine's memory before the first step. */
static int
initial_objects(struct exec *x, struct state *st)
{
	const struct ir_module *ir = x->ir;

	x->global0 = st->n_objs + 1;
	for (uint32_t i = 0; i < ir->n_globals; i++) {
		const struct ir_global *g = &ir->globals[i];
		char what[64];
		struct mobj *o;

		if (!g->external && g->size > SYM_MAX_OBJECT)
			return fail(x, -EFBIG, "the global '%s' is %u bytes: the analysis models "
				    "objects of up to %u MiB (use a state-library object for a big "
				    "table)", g->name, g->size, SYM_MAX_OBJECT >> 20);
		snprintf(what, sizeof what, "global %s", g->name);
		o = obj_new(x, g->external ? OK_HANDLE : OK_GLOBAL, g->external ? 0 : g->size,
			    what);
		o->readonly = g->constant;
		o->handle = UINT32_MAX;
		for (uint32_t k = 0; k < o->size; k++) {
			o->cells[k].flags = CELL_DEF;
			o->cells[k].c = g->init ? g->init[k] : 0;
		}
		state_add_obj(st, o);
	}
	x->func0 = st->n_objs + 1;
	for (uint32_t i = 0; i < ir->n_fns; i++)
		state_add_obj(st, obj_new(x, OK_FUNC, 0, ir->fns[i].name));
	for (uint32_t i = 0; i < ir->n_globals; i++) {
		const struct ir_global *g = &ir->globals[i];
		struct mobj *o = st->objs[x->global0 - 1 + i];

		for (uint32_t r = 0; r < g->n_relocs; r++) {
			const struct ir_reloc *rl = &g->relocs[r];
			uint32_t id = (rl->kind == IR_V_GLOBAL ? x->global0 : x->func0) + rl->target;
			uint64_t addr = obj_base(id) + rl->addend;

			if (rl->offset + 8 > o->size)
				continue;
			for (unsigned k = 0; k < 8; k++) {
				o->cells[rl->offset + k].c = (uint8_t)(addr >> (8 * k));
				o->cells[rl->offset + k].prov = id;
			}
		}
	}
	return 0;
}

static void
vsets_free(struct exec *x)
{
	for (uint32_t i = 0; i < x->cap_vsets; i++)
		free(x->vsets[i].vars);
	free(x->vsets);
}

const char *
sym_kind_name(enum sym_kind k)
{
	static const char *const n[] = { "map", "vector", "dchain", "sketch", "cht", "lpm" };

	return k < SYM_NKINDS ? n[k] : "?";
}

const char *
sym_op_name(enum sym_op op)
{
	return op == SYM_READ ? "read" : op == SYM_WRITE ? "write" : "update";
}

struct sym_result *
sym_run(const struct ir_module *ir, struct smt *smt, const struct sym_host *host,
	const struct sym_opts *opts, struct err *e)
{
	struct result_priv *rp = xcalloc(1, sizeof *rp);
	struct exec x;
	struct state *st;
	int fi = ir_find(ir, "nf_init"), fp = ir_find(ir, "nf_process");
	struct sv args[5], state_ptr;

	memset(&x, 0, sizeof x);
	x.ir = ir;
	x.smt = smt;
	x.host = host;
	x.o = *opts;
	if (!x.o.max_paths)
		x.o.max_paths = SYM_MAX_PATHS;
	if (!x.o.max_steps)
		x.o.max_steps = SYM_MAX_STEPS;
	if (x.o.max_seconds <= 0)
		x.o.max_seconds = SYM_MAX_SECONDS;
	if (!x.o.max_memory) {
		long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
		uint64_t half = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page / 2 : 0;

		x.o.max_memory = half && half < SYM_MAX_MEMORY ? half : SYM_MAX_MEMORY;
	}
	if (!x.o.max_offsets)
		x.o.max_offsets = 64;
	if (!x.o.n_ports)
		x.o.n_ports = 1;
	if (!x.o.len_max)
		x.o.len_max = 1514;
	x.e = e;
	x.r = &rp->r;
	x.arena = &rp->arena;
	x.t0 = clock_seconds();
	x.deadline = (x.o.started > 0 ? x.o.started : x.t0) + x.o.max_seconds;
	x.rss0 = resident_bytes();
	x.fork_base = xcalloc(ir->n_fns + 1, sizeof *x.fork_base);
	for (uint32_t i = 0; i < ir->n_fns; i++)
		x.fork_base[i + 1] = x.fork_base[i] + ir->fns[i].n_insts;
	x.forks = xcalloc(x.fork_base[ir->n_fns] + 1, sizeof *x.forks);
	/* A slow solver call must not outlast the limit, or a Ctrl-C, either. */
	smt_set_deadline(smt, x.deadline);
	smt_set_stop(smt, x.o.progress ? x.o.progress->stop : NULL);
	rp->r.smt = smt;
	rp->r.ir = ir;
	if (fi < 0 || fp < 0 || !ir->fns[fi].body || !ir->fns[fp].body) {
		err_set(e, -EINVAL, "%s: no nf_init or nf_process defined", ir->path);
		goto bad;
	}
	rp->r.len = smt_var(smt, "len", 16);
	rp->r.port = smt_var(smt, "port", 16);
	rp->r.now = smt_var(smt, "now", 64);

	/* nf_init, concretely */
	st = xcalloc(1, sizeof *st);
	st->init = true;
	if (initial_objects(&x, st) < 0) {
		state_free(st);
		goto bad;
	}
	x.env_id = state_add_obj(st, obj_new(&x, OK_ENV, 0, "struct nf_env"));
	args[0] = sv_num(obj_base(x.env_id), 64);
	args[0].prov = x.env_id;
	if (push_frame(&x, st, (uint32_t)fi, args, 1, UINT32_MAX) < 0 || run_state(&x, st) < 0) {
		err_prefix(e, "nf_init");
		state_free(st);
		goto bad;
	}
	x.cur = NULL;
	{
		const char *why = x.init_error ? x.init_error :
			host && host->failed ? host->failed(host->arg) : NULL;

		if (why || (!st->ret.sym && st->ret.c == 0)) {
			err_set(e, -EINVAL, "nf_init failed%s%s", why ? ": " : " (returned NULL)",
				why ? why : "");
			state_free(st);
			goto bad;
		}
	}
	state_ptr = st->ret;
	rp->r.n_init_events = st->n_events;
	rp->r.init_events = arena_dup(x.arena, st->events, st->n_events * sizeof *st->events);
	st->n_events = 0;
	st->done = false;
	st->init = false;
	st->steps = 0;

	/* nf_process, symbolically */
	x.pkt_id = state_add_obj(st, obj_new(&x, OK_PACKET, 0, "the packet"));
	add_cond(&x, st, smt_cmp(smt, SMT_ULT, rp->r.port, smt_num(smt, x.o.n_ports, 16)));
	add_cond(&x, st, smt_cmp(smt, SMT_UGE, rp->r.len, smt_num(smt, x.o.len_min, 16)));
	add_cond(&x, st, smt_cmp(smt, SMT_ULE, rp->r.len, smt_num(smt, x.o.len_max, 16)));
	st->n_fixed_pc = st->n_pc;
	st->n_conds = 0;
	st->len_lo = x.o.len_min;
	args[0] = state_ptr;
	args[1] = sv_expr(&x, rp->r.port, 16, 0);
	args[2] = sv_num(obj_base(x.pkt_id), 64);
	args[2].prov = x.pkt_id;
	args[3] = sv_expr(&x, rp->r.len, 16, 0);
	args[4] = sv_expr(&x, rp->r.now, 64, 0);
	x.cur = NULL;
	if (push_frame(&x, st, (uint32_t)fp, args, 5, UINT32_MAX) < 0) {
		state_free(st);
		goto bad;
	}
	push_state(&x, st);
	while (x.n_stack) {
		st = x.stack[--x.n_stack];
		if (run_state(&x, st) < 0 || finish_path(&x, st) < 0) {
			state_free(st);
			goto bad;
		}
		state_free(st);
	}
	free(x.stack);
	vsets_free(&x);
	free(x.fork_base);
	free(x.forks);
	smt_set_deadline(smt, 0);
	smt_set_stop(smt, NULL);
	rp->r.seconds = clock_seconds() - x.t0;
	return &rp->r;
bad:
	while (x.n_stack)
		state_free(x.stack[--x.n_stack]);
	free(x.stack);
	vsets_free(&x);
	free(x.fork_base);
	free(x.forks);
	smt_set_deadline(smt, 0);
	smt_set_stop(smt, NULL);
	sym_result_free(&rp->r);
	return NULL;
}

const struct sym_pbyte *
sym_pbyte_of(const struct sym_result *r, smt_t var)
{
	for (uint32_t i = 0; i < r->n_pbytes; i++) {
		if (r->pbytes[i].var == var)
			return &r->pbytes[i];
	}
	return NULL;
}

void
sym_result_free(struct sym_result *r)
{
	struct result_priv *rp = (struct result_priv *)r;

	if (!r)
		return;
	free(r->objects);
	free(r->paths);
	free(r->pbytes);
	arena_free(&rp->arena);
	free(rp);
}
