/*
** pathcheck: replaying packets through the traced NF and finding the analysis path each took.
**
** A call is coded as (function, object) in one number; a path's events and a packet's calls
** become code sequences, and a hash of the sequence picks the few paths worth evaluating, so a
** packet costs a hash and a handful of concrete evaluations, never the solver.
*/

#include "engine/pathcheck.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"
#include "engine/smt.h"
#include "engine/sym.h"
#include "engine/trace.h"
#include "engine/xalloc.h"

#define PC_MAX_FRAME	65535u
#define PC_MAX_CALLS	512	/* calls one packet may make before it counts as no path */
#define PC_OUT_BYTES	(64u << 10)	/* what they hand back, all together */
#define PC_NO_OBJ	0xffu
#define PC_LEN_MIN	60	/* analysis_opts' defaults, for an analysis that does not say */
#define PC_LEN_MAX	1514

/* The calls the library reports, spelled as the executor's events spell them (sym.c). */
static const char *const pc_fns[] = {
	"map_get", "map_put", "map_erase", "vector_get", "vector_mut", "dchain_allocate",
	"dchain_is_allocated", "dchain_rejuvenate", "dchain_free", "dchain_expire_one",
	"expire_items", "sketch_fetch", "sketch_touch", "sketch_expire", "cht_find", "lpm_lookup",
	"lpm_add",
};
#define PC_NFNS	(sizeof pc_fns / sizeof pc_fns[0])
#define PC_FN_UNKNOWN	PC_NFNS

/* One call the packet made, as the call hook reported it. */
struct pc_call {
	uint32_t code;
	const char *fn, *object;	/* the library's strings: live as long as the instance */
	int64_t ret;
	uint32_t out_off, out_len;	/* in pathcheck.out */
};

/* A path's event, reduced to what a packet is matched against. */
struct pc_event {
	uint32_t code;
	smt_t ok;		/* a call that can fail: its outcome variable, else NULL */
	int64_t rets[2];	/* what it returns on success and on failure */
	bool has_outcome;	/* the path implies one: then 'ret' must be the call's */
	int64_t ret;
	uint32_t n_out;
	const smt_t *out;	/* the executor's fresh variables */
	uint8_t *out_size;	/* bytes each takes from what the call handed back */
};

struct pc_path {
	uint32_t n_events;
	struct pc_event *ev;
};

struct pc_sig {
	uint64_t sig;
	uint32_t path;
};

/* Why the path that got furthest did not match: for the problem text. */
enum pc_why { WHY_NONE, WHY_RET, WHY_OUT, WHY_COND, WHY_EVAL };

struct pathcheck {
	struct nfload *nf;
	const struct analysis *a;
	const struct sym_result *r;
	struct nfload_inst *in;
	struct pathcheck_opts o;
	struct smt_env *env;

	uint32_t n_paths;
	struct pc_path *paths;
	struct pc_sig *sigs;		/* sorted by sig */
	uint64_t *hits;			/* per path */

	/* the packet being checked */
	struct pc_call calls[PC_MAX_CALLS];
	uint32_t n_calls;
	bool overflow;			/* more calls or bytes than the buffers hold */
	uint8_t out[PC_OUT_BYTES];
	uint32_t out_used;
	uint8_t *buf, *expect;		/* what the NF got and rewrote, what the path says */

	/* interning the library's strings by pointer (they never move) */
	const char *fn_ptr[64];
	uint8_t fn_id[64];
	unsigned n_fn_ptr;
	const char *obj_ptr[64];
	uint8_t obj_id[64];
	unsigned n_obj_ptr;

	struct pathcheck_stats st;
	char **problems;
	unsigned n_problems;
	uint64_t index;			/* packet number, from 1 */
};

/*---- Codes ----*/

static uint32_t
code_of(unsigned fn, unsigned obj)
{
	return (uint32_t)fn << 8 | obj;
}

static unsigned
fn_index(const char *fn)
{
	for (unsigned i = 0; i < PC_NFNS; i++) {
		if (!strcmp(pc_fns[i], fn))
			return i;
	}
	return PC_FN_UNKNOWN;
}

static unsigned
obj_index(const struct sym_result *r, const char *name)
{
	for (uint32_t i = 0; i < r->n_objects && i < PC_NO_OBJ; i++) {
		if (!strcmp(r->objects[i].name, name))
			return i;
	}
	return PC_NO_OBJ;
}

/* The library passes the same pointers every time: a short list remembers them. */
static unsigned
intern(const char **ptrs, uint8_t *ids, unsigned *n, const char *s, unsigned id)
{
	if (*n < 64) {
		ptrs[*n] = s;
		ids[(*n)++] = (uint8_t)id;
	}
	return id;
}

static unsigned
call_fn(struct pathcheck *pc, const char *fn)
{
	for (unsigned i = 0; i < pc->n_fn_ptr; i++) {
		if (pc->fn_ptr[i] == fn)
			return pc->fn_id[i];
	}
	return intern(pc->fn_ptr, pc->fn_id, &pc->n_fn_ptr, fn, fn_index(fn));
}

static unsigned
call_obj(struct pathcheck *pc, const char *obj)
{
	for (unsigned i = 0; i < pc->n_obj_ptr; i++) {
		if (pc->obj_ptr[i] == obj)
			return pc->obj_id[i];
	}
	return intern(pc->obj_ptr, pc->obj_id, &pc->n_obj_ptr, obj, obj_index(pc->r, obj));
}

/* FNV-1a over the codes. */
static uint64_t
sig_add(uint64_t h, uint32_t code)
{
	for (int i = 0; i < 4; i++) {
		h ^= (code >> (8 * i)) & 0xff;
		h *= 0x100000001b3ull;
	}
	return h;
}

#define SIG_INIT	0xcbf29ce484222325ull

static int
sig_cmp(const void *x, const void *y)
{
	const struct pc_sig *a = x, *b = y;

	if (a->sig != b->sig)
		return a->sig < b->sig ? -1 : 1;
	return a->path < b->path ? -1 : a->path > b->path;
}

/* The first entry of 'sig' in the sorted list, or n. */
static uint32_t
sig_first(const struct pathcheck *pc, uint64_t sig)
{
	uint32_t lo = 0, hi = pc->n_paths;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (pc->sigs[mid].sig < sig)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*---- The call hook ----*/

static void
on_call(void *arg, const char *fn, const char *object, int64_t ret, const void *out,
	size_t out_len)
{
	struct pathcheck *pc = arg;
	struct pc_call *c;

	if (pc->n_calls >= PC_MAX_CALLS || out_len > PC_OUT_BYTES - pc->out_used) {
		pc->overflow = true;
		return;
	}
	c = &pc->calls[pc->n_calls++];
	c->code = code_of(call_fn(pc, fn), call_obj(pc, object));
	c->fn = fn;
	c->object = object;
	c->ret = ret;
	c->out_off = pc->out_used;
	c->out_len = (uint32_t)out_len;
	if (out_len)
		memcpy(pc->out + pc->out_used, out, out_len);
	pc->out_used += (uint32_t)out_len;
}

/*---- Setting up ----*/

static void
setup_paths(struct pathcheck *pc)
{
	const struct sym_result *r = pc->r;
	struct smt *s = r->smt;

	pc->n_paths = r->n_paths;
	pc->paths = xcalloc(r->n_paths ? r->n_paths : 1, sizeof *pc->paths);
	pc->sigs = xcalloc(r->n_paths ? r->n_paths : 1, sizeof *pc->sigs);
	pc->hits = xcalloc(r->n_paths ? r->n_paths : 1, sizeof *pc->hits);
	for (uint32_t i = 0; i < r->n_paths; i++) {
		const struct sym_path *p = &r->paths[i];
		struct pc_path *q = &pc->paths[i];
		uint64_t h = SIG_INIT;

		q->ev = xcalloc(p->n_events ? p->n_events : 1, sizeof *q->ev);
		for (uint32_t k = 0; k < p->n_events; k++) {
			const struct sym_event *ev = &p->events[k];
			struct pc_event *d;
			unsigned obj = ev->obj < r->n_objects && ev->obj < PC_NO_OBJ ? ev->obj :
				PC_NO_OBJ;

			if (ev->init)	/* nf_init's calls are not the packet's */
				continue;
			d = &q->ev[q->n_events++];
			d->code = code_of(fn_index(ev->call), obj);
			d->ok = ev->ok;
			d->rets[0] = ev->rets[0];
			d->rets[1] = ev->rets[1];
			d->has_outcome = ev->outcome != NULL;
			d->ret = ev->ret;
			d->n_out = ev->n_out;
			d->out = ev->out;
			d->out_size = xcalloc(ev->n_out ? ev->n_out : 1, 1);
			for (uint32_t j = 0; j < ev->n_out; j++) {
				unsigned bits = smt_bits(s, ev->out[j]);

				d->out_size[j] = (uint8_t)(bits >= 8 ? bits / 8 : 1);
			}
			h = sig_add(h, d->code);
		}
		pc->sigs[i].sig = h;
		pc->sigs[i].path = i;
	}
	qsort(pc->sigs, pc->n_paths, sizeof *pc->sigs, sig_cmp);
}

/* The constant of a comparison 'len OP constant', or 'dflt' when 'c' is not one. */
static unsigned
bound_of(const struct pathcheck *pc, smt_t c, unsigned dflt)
{
	struct smt *s = pc->r->smt;
	uint64_t v;
	int sub;

	if (!c || smt_kind(s, c, &sub) != SMT_K_CMP || smt_nargs(s, c) != 2 ||
	    smt_id(s, smt_arg(s, c, 0)) != smt_id(s, pc->r->len) ||
	    !smt_is_num(s, smt_arg(s, c, 1), &v) || v > 65535)
		return dflt;
	return (unsigned)v;
}

struct pathcheck *
pathcheck_new(struct nfload *nf, const struct analysis *a, const struct pathcheck_opts *o,
	      struct err *e)
{
	struct pathcheck *pc;
	struct nf_hooks hooks;

	if (!a || !a->sym) {
		err_set(e, -EINVAL, "no analysis to check");
		return NULL;
	}
	if (a->n_ports != nfload_nports(nf)) {
		err_set(e, -EINVAL, "the analysis has %u ports, %s has %u: analyze it again",
			a->n_ports, nfload_desc(nf)->name, nfload_nports(nf));
		return NULL;
	}
	pc = xcalloc(1, sizeof *pc);
	pc->nf = nf;
	pc->a = a;
	pc->r = a->sym;
	if (o)
		pc->o = *o;
	/* The bounds the analysis ran with, as it states them (len >= MIN, len <= MAX). */
	if (!pc->o.len_min)
		pc->o.len_min = bound_of(pc, a->base[1], PC_LEN_MIN);
	if (!pc->o.len_max)
		pc->o.len_max = bound_of(pc, a->base[2], PC_LEN_MAX);
	if (!pc->o.max_problems)
		pc->o.max_problems = 8;
	memset(&hooks, 0, sizeof hooks);
	hooks.call = on_call;
	hooks.arg = pc;
	pc->in = nfload_instance(nf, NFLOAD_TRACED, 1, 1, &hooks, 1, e);
	if (!pc->in) {
		free(pc);
		return NULL;
	}
	pc->env = smt_env_new(pc->r->smt);
	pc->buf = xmalloc(PC_MAX_FRAME + 1);
	pc->expect = xmalloc(PC_MAX_FRAME + 1);
	pc->problems = xcalloc(pc->o.max_problems, sizeof *pc->problems);
	setup_paths(pc);
	return pc;
}

void
pathcheck_free(struct pathcheck *pc)
{
	if (!pc)
		return;
	nfload_instance_free(pc->in);
	smt_env_free(pc->env);
	for (uint32_t i = 0; i < pc->n_paths; i++) {
		for (uint32_t k = 0; k < pc->paths[i].n_events; k++)
			free(pc->paths[i].ev[k].out_size);
		free(pc->paths[i].ev);
	}
	free(pc->paths);
	free(pc->sigs);
	free(pc->hits);
	for (unsigned i = 0; i < pc->n_problems; i++)
		free(pc->problems[i]);
	free(pc->problems);
	free(pc->buf);
	free(pc->expect);
	free(pc);
}

/*---- Matching ----*/

/* How far a path got, for the problem text of a packet no path matches. */
struct pc_try {
	enum pc_why why;
	uint32_t at;		/* the event or condition */
	uint32_t score;		/* events and conditions passed */
};

/* Little-endian bytes as a number. */
static uint64_t
le_value(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* 1 when path 'i' takes the packet, 0 when not, -1 when a condition cannot be evaluated. The
** packet's inputs are already in pc->env. */
static int
try_path(struct pathcheck *pc, uint32_t i, struct pc_try *t)
{
	const struct pc_path *q = &pc->paths[i];
	const struct sym_path *p = &pc->r->paths[i];
	uint64_t v;

	t->why = WHY_NONE;
	t->score = 0;
	if (q->n_events != pc->n_calls)
		return 0;
	for (uint32_t k = 0; k < q->n_events; k++) {
		if (q->ev[k].code != pc->calls[k].code)
			return 0;
	}
	for (uint32_t k = 0; k < q->n_events; k++) {
		const struct pc_event *d = &q->ev[k];
		const struct pc_call *c = &pc->calls[k];
		bool failed = false;
		uint32_t off = 0;

		if ((d->has_outcome && d->ret != c->ret) ||
		    (d->ok && c->ret != d->rets[0] && c->ret != d->rets[1])) {
			t->why = WHY_RET;
			t->at = k;
			return 0;
		}
		if (d->ok) {
			failed = c->ret != d->rets[0];
			smt_env_set(pc->env, d->ok, !failed);
		}
		if (failed && c->out_len == 0) {
			/* What a failed call returns means nothing, but it may still appear in an
			** expression the outcome guards: any value does. */
			for (uint32_t j = 0; j < d->n_out; j++)
				smt_env_set(pc->env, d->out[j], 0);
			t->score++;
			continue;
		}
		for (uint32_t j = 0; j < d->n_out; j++) {
			if (off + d->out_size[j] > c->out_len) {
				t->why = WHY_OUT;
				t->at = k;
				return 0;
			}
			smt_env_set(pc->env, d->out[j],
				    le_value(pc->out + c->out_off + off, d->out_size[j]));
			off += d->out_size[j];
		}
		t->score++;
	}
	for (uint32_t k = 0; k < p->n_conds; k++) {
		if (!smt_eval(pc->env, p->conds[k].e, &v)) {
			t->why = WHY_EVAL;
			t->at = k;
			return -1;
		}
		if (!v) {
			t->why = WHY_COND;
			t->at = k;
			return 0;
		}
		t->score++;
	}
	return 1;
}

/*---- Problem texts ----*/

static const char *
port_name(const struct pathcheck *pc, int port, char *buf, size_t n)
{
	const struct nf_desc *d = nfload_desc(pc->nf);

	if (port >= 0 && (unsigned)port < nfload_nports(pc->nf))
		return d->ports[port];
	if (port == NF_DROP)
		return "drop";
	if (port == NF_FLOOD)
		return "flood";
	snprintf(buf, n, "%d", port);
	return buf;
}

static const char *
file_of(const struct pathcheck *pc, uint16_t file)
{
	const struct ir_module *m = pc->r->ir;

	return m && file < m->n_files ? m->files[file] : "?";
}

static void
add_calls(const struct pathcheck *pc, struct sbuf *sb)
{
	sbuf_adds(sb, "; calls:");
	if (!pc->n_calls)
		sbuf_adds(sb, " none");
	for (uint32_t k = 0; k < pc->n_calls; k++) {
		const struct pc_call *c = &pc->calls[k];
		const uint8_t *o = pc->out + c->out_off;

		sbuf_printf(sb, " %s(%s)=%" PRId64, c->fn, c->object, c->ret);
		if (c->out_len == 4) {
			sbuf_printf(sb, ":%" PRIu64, le_value(o, 4));
		} else if (c->out_len) {
			sbuf_adds(sb, ":");
			for (uint32_t j = 0; j < c->out_len && j < 8; j++)
				sbuf_printf(sb, "%02x", o[j]);
			if (c->out_len > 8)
				sbuf_adds(sb, "..");
		}
	}
	if (pc->overflow)
		sbuf_adds(sb, " (and more)");
}

static bool
problem_room(const struct pathcheck *pc)
{
	return pc->n_problems < pc->o.max_problems;
}

static void
problem_keep(struct pathcheck *pc, struct sbuf *sb)
{
	pc->problems[pc->n_problems++] = sbuf_detach(sb);
}

static void
problem_start(const struct pathcheck *pc, struct sbuf *sb, uint16_t port, uint16_t len)
{
	char b[16];

	sbuf_printf(sb, "packet %" PRIu64 " (%s, %u bytes): ", pc->index,
		    port_name(pc, port, b, sizeof b), len);
}

static void
path_ref(const struct pathcheck *pc, struct sbuf *sb, uint32_t i)
{
	const struct sym_path *p = &pc->r->paths[i];

	sbuf_printf(sb, "path %u (%s:%u)", i, file_of(pc, p->file), p->line);
}

/* Why no path took the packet, from the path that got furthest. */
static void
problem_no_path(struct pathcheck *pc, uint16_t port, uint16_t len, uint32_t n_same,
		uint32_t best, const struct pc_try *t)
{
	struct sbuf sb = SBUF_INIT;

	if (!problem_room(pc))
		return;
	problem_start(pc, &sb, port, len);
	if (pc->overflow) {
		sbuf_printf(&sb, "more than %u calls", PC_MAX_CALLS);
	} else if (!n_same) {
		sbuf_adds(&sb, "no path makes these calls");
	} else {
		sbuf_printf(&sb, "no path matches; %u make these calls, the nearest, ", n_same);
		path_ref(pc, &sb, best);
		if (t->why == WHY_RET) {
			const struct pc_event *d = &pc->paths[best].ev[t->at];

			sbuf_printf(&sb, ", wants %s to return %" PRId64, pc->calls[t->at].fn,
				    d->has_outcome ? d->ret : d->rets[0]);
		} else if (t->why == WHY_OUT) {
			sbuf_printf(&sb, ", wants more bytes back from %s", pc->calls[t->at].fn);
		} else if (t->why == WHY_COND) {
			const struct sym_cond *c = &pc->r->paths[best].conds[t->at];

			sbuf_printf(&sb, ", fails its condition at %s:%u", file_of(pc, c->file),
				    c->line);
		}
	}
	add_calls(pc, &sb);
	problem_keep(pc, &sb);
}

static void
problem_text(struct pathcheck *pc, uint16_t port, uint16_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
problem_text(struct pathcheck *pc, uint16_t port, uint16_t len, const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;

	if (!problem_room(pc))
		return;
	problem_start(pc, &sb, port, len);
	va_start(ap, fmt);
	sbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	add_calls(pc, &sb);
	problem_keep(pc, &sb);
}

/*---- Verdict and bytes ----*/

/* The packet as path 'i' says the NF leaves it, into pc->expect. 0, or -1 with 'why' set. */
static int
expected_bytes(struct pathcheck *pc, uint32_t i, const uint8_t *pkt, uint16_t len, char *why,
	       size_t n)
{
	const struct sym_path *p = &pc->r->paths[i];
	uint64_t off, v;

	memcpy(pc->expect, pkt, len);
	for (uint32_t k = 0; k < p->n_writes; k++) {
		const struct sym_write *w = &p->writes[k];

		if (!smt_eval(pc->env, w->offset, &off) || !smt_eval(pc->env, w->value, &v)) {
			snprintf(why, n, "its write at %s:%u cannot be evaluated",
				 file_of(pc, w->file), w->line);
			return -2;
		}
		if (off >= len) {
			snprintf(why, n, "its write at %s:%u is at byte %" PRIu64 ", past the end",
				 file_of(pc, w->file), w->line, off);
			return -1;
		}
		pc->expect[off] = (uint8_t)v;
	}
	return 0;
}

static enum pathcheck_outcome
check_result(struct pathcheck *pc, uint32_t i, const uint8_t *pkt, uint16_t port, uint16_t len,
	     int verdict)
{
	const struct sym_path *p = &pc->r->paths[i];
	struct sbuf sb = SBUF_INIT;
	char why[160], b1[16], b2[16];
	int rc;

	if (p->verdict != verdict) {
		pc->st.verdict_diffs++;
		if (problem_room(pc)) {
			path_ref(pc, &sb, i);
			problem_text(pc, port, len, "%s says %s, the NF returned %s", sbuf_str(&sb),
				     port_name(pc, p->verdict, b1, sizeof b1),
				     port_name(pc, verdict, b2, sizeof b2));
			sbuf_release(&sb);
		}
		return PATHCHECK_VERDICT;
	}
	rc = expected_bytes(pc, i, pkt, len, why, sizeof why);
	if (rc == 0 && memcmp(pc->expect, pc->buf, len) == 0)
		return PATHCHECK_MATCH;
	if (rc == -2)
		pc->st.eval_errors++;
	pc->st.byte_diffs++;
	if (problem_room(pc)) {
		path_ref(pc, &sb, i);
		if (rc < 0) {
			problem_text(pc, port, len, "%s: %s", sbuf_str(&sb), why);
		} else {
			uint32_t k = 0;

			while (pc->expect[k] == pc->buf[k])
				k++;
			problem_text(pc, port, len, "%s: byte %u is 0x%02x, the path says 0x%02x "
				     "(was 0x%02x)", sbuf_str(&sb), k, pc->buf[k], pc->expect[k],
				     pkt[k]);
		}
		sbuf_release(&sb);
	}
	return PATHCHECK_BYTES;
}

/*---- Checking ----*/

/* The executor's packet byte variables, in the order it made them: a byte at a symbolic offset
** has a base made of earlier bytes. A byte past the end (the packet is too short for what it
** stands for) is 0: every path that reads it also requires the packet to be long enough. */
static void
set_packet(struct pathcheck *pc, const uint8_t *pkt, uint16_t len)
{
	const struct sym_result *r = pc->r;
	uint64_t off;

	for (uint32_t i = 0; i < r->n_pbytes; i++) {
		const struct sym_pbyte *b = &r->pbytes[i];

		off = b->k;
		if (b->base) {
			if (!smt_eval(pc->env, b->base, &off))
				off = UINT64_MAX;
			off += b->k;
		}
		smt_env_set(pc->env, b->var, off < len ? pkt[off] : 0);
	}
}

enum pathcheck_outcome
pathcheck_packet(struct pathcheck *pc, uint16_t port, const uint8_t *pkt, uint16_t len,
		 uint64_t now_ns)
{
	const struct sym_result *r = pc->r;
	struct pc_try t, best_t = { WHY_NONE, 0, 0 };
	uint32_t first, n_same = 0, n_match = 0, match = 0, best = 0;
	uint64_t sig = SIG_INIT;
	enum pathcheck_outcome out;
	bool eval_error = false;
	double t0 = clock_seconds();
	int verdict;

	pc->st.packets++;
	pc->index++;
	if (len < pc->o.len_min || len > pc->o.len_max) {
		pc->st.skipped++;
		pc->st.seconds += clock_seconds() - t0;
		return PATHCHECK_SKIPPED;
	}
	memcpy(pc->buf, pkt, len);
	pc->n_calls = 0;
	pc->out_used = 0;
	pc->overflow = false;
	verdict = pc->in->process(pc->in->state, port, pc->buf, len, now_ns);

	for (uint32_t k = 0; k < pc->n_calls; k++)
		sig = sig_add(sig, pc->calls[k].code);
	set_packet(pc, pkt, len);
	smt_env_set(pc->env, r->len, len);
	smt_env_set(pc->env, r->port, port);
	smt_env_set(pc->env, r->now, now_ns);
	first = pc->overflow ? pc->n_paths : sig_first(pc, sig);
	for (uint32_t s = first; s < pc->n_paths && pc->sigs[s].sig == sig; s++) {
		uint32_t i = pc->sigs[s].path;
		int rc = try_path(pc, i, &t);

		if (t.why == WHY_NONE && rc == 0)
			continue;	/* another call sequence with the same hash */
		n_same++;
		if (rc > 0) {
			if (!n_match++)
				match = i;
		} else if (rc < 0) {
			eval_error = true;
		}
		if (rc <= 0 && (n_same == 1 || t.score > best_t.score)) {
			best = i;
			best_t = t;
		}
	}
	if (eval_error)
		pc->st.eval_errors++;
	if (n_match == 1) {
		pc->st.matched++;
		if (!pc->hits[match]++)
			pc->st.paths_hit++;
		out = check_result(pc, match, pkt, port, len, verdict);
	} else if (n_match > 1) {
		pc->st.ambiguous++;
		out = PATHCHECK_AMBIGUOUS;
		problem_text(pc, port, len, "%u paths match", n_match);
	} else {
		pc->st.no_path++;
		out = PATHCHECK_NO_PATH;
		if (eval_error && best_t.why == WHY_EVAL) {
			const struct sym_cond *c = &r->paths[best].conds[best_t.at];
			struct sbuf sb = SBUF_INIT;

			path_ref(pc, &sb, best);
			problem_text(pc, port, len, "no path matches; %s: its condition at %s:%u "
				     "cannot be evaluated", sbuf_str(&sb), file_of(pc, c->file),
				     c->line);
			sbuf_release(&sb);
		} else {
			problem_no_path(pc, port, len, n_same, best, &best_t);
		}
	}
	pc->st.seconds += clock_seconds() - t0;
	return out;
}

/* The trace loop, run through the progress guard: the NF is code we do not trust. */
struct pc_loop {
	struct pathcheck *pc;
	struct trace *t;
	const struct portmap *pm;
	const struct progress *p;
	struct err *e;
	uint64_t index;		/* the trace's packet number being checked */
	bool stopped;
};

static int
run_loop(void *arg)
{
	struct pc_loop *lp = arg;
	struct trace_pkt pk;
	uint64_t n = 0;
	bool ipv4;
	int nr;

	while ((nr = trace_next(lp->t, &pk, lp->e)) > 0) {
		if (pk.len > PC_MAX_FRAME)
			continue;
		lp->index = pk.index;
		pathcheck_packet(lp->pc, portmap_assign(lp->pm, pk.data, pk.len, &ipv4), pk.data,
				 (uint16_t)pk.len, pk.ts_ns);
		if ((++n & 0xfff) == 0) {
			if (progress_stopped(lp->p)) {
				lp->stopped = true;
				return -EINTR;
			}
			progress_report(lp->p, "checking", n, 0);
		}
	}
	return nr;
}

int
pathcheck_trace(struct pathcheck *pc, const char *pcap, const struct portmap *pm,
		const struct progress *p, struct err *e)
{
	struct pc_loop lp;
	int rc, sig;

	memset(&lp, 0, sizeof lp);
	lp.pc = pc;
	lp.pm = pm;
	lp.p = p;
	lp.e = e;
	lp.t = trace_open(pcap, e);
	if (!lp.t)
		return e ? e->code : -EINVAL;
	rc = progress_guard(p, run_loop, &lp, &sig);
	trace_close(lp.t);
	if (rc == -EFAULT && sig)
		return err_set(e, -EFAULT, "%s crashed (%s) on packet %" PRIu64 " of %s",
			       nfload_desc(pc->nf)->name, strsignal(sig), lp.index, pcap);
	if (rc == -EINTR && lp.stopped)
		return err_set(e, -EINTR, "check stopped after %" PRIu64 " packets",
			       pc->st.packets);
	return rc;
}

/*---- Results ----*/

const struct pathcheck_stats *
pathcheck_stats(const struct pathcheck *pc)
{
	return &pc->st;
}

uint64_t
pathcheck_path_hits(const struct pathcheck *pc, uint32_t path)
{
	return path < pc->n_paths ? pc->hits[path] : 0;
}

const char *
pathcheck_problem(const struct pathcheck *pc, unsigned i)
{
	return i < pc->n_problems ? pc->problems[i] : NULL;
}

void
pathcheck_format(const struct pathcheck *pc, struct sbuf *out)
{
	const struct pathcheck_stats *s = &pc->st;

	sbuf_printf(out, "%" PRIu64 " packets: %" PRIu64 " matched one path, %" PRIu64
		    " skipped (length outside %u..%u)\n", s->packets, s->matched, s->skipped,
		    pc->o.len_min, pc->o.len_max);
	sbuf_printf(out, "no path %" PRIu64 ", ambiguous %" PRIu64 ", verdict differs %" PRIu64
		    ", bytes differ %" PRIu64 ", not evaluable %" PRIu64 "\n", s->no_path,
		    s->ambiguous, s->verdict_diffs, s->byte_diffs, s->eval_errors);
	sbuf_printf(out, "%u of %u paths taken, %.3f s (%.0f packets/s)\n", s->paths_hit,
		    pc->n_paths, s->seconds, s->seconds > 0 ? s->packets / s->seconds : 0);
	for (unsigned i = 0; i < pc->n_problems; i++)
		sbuf_printf(out, "  %s\n", pc->problems[i]);
}

struct val *
pathcheck_to_val(const struct pathcheck *pc)
{
	const struct pathcheck_stats *s = &pc->st;
	struct val *v = val_obj(), *probs = val_arr();

	val_set_str(v, "nf", nfload_desc(pc->nf)->name);
	val_set_int(v, "packets", (int64_t)s->packets);
	val_set_int(v, "skipped", (int64_t)s->skipped);
	val_set_int(v, "matched", (int64_t)s->matched);
	val_set_int(v, "no_path", (int64_t)s->no_path);
	val_set_int(v, "ambiguous", (int64_t)s->ambiguous);
	val_set_int(v, "verdict_diffs", (int64_t)s->verdict_diffs);
	val_set_int(v, "byte_diffs", (int64_t)s->byte_diffs);
	val_set_int(v, "eval_errors", (int64_t)s->eval_errors);
	val_set_int(v, "paths", pc->n_paths);
	val_set_int(v, "paths_hit", s->paths_hit);
	val_set_num(v, "seconds", s->seconds);
	for (unsigned i = 0; i < pc->n_problems; i++)
		val_push(probs, val_str(pc->problems[i]));
	val_set(v, "problems", probs);
	return v;
}
