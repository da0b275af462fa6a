/*
** analysis: from the executor's raw paths to a model in packet terms (see analysis.h).
** Packet bytes are named by offset: Ethernet and IPv4 fields at fixed offsets, and L4 ports
** relative to 14 + 4 * ihl, recognised by asking the solver whether an index equals that
** offset plus a constant.
*/
#include "engine/analysis.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"
#include "engine/ir.h"
#include "engine/smt.h"
#include "engine/xalloc.h"

#define ETH_MIN	60
#define ETH_MAX	1514

struct field_def {
	const char *name;
	unsigned off, len;
};

/* Fixed-offset fields of an Ethernet + IPv4 header. */
static const struct field_def fixed_fields[] = {
	{ "eth.dst", 0, 6 }, { "eth.src", 6, 6 }, { "eth.type", 12, 2 },
	{ "ipv4.vihl", 14, 1 }, { "ipv4.tos", 15, 1 }, { "ipv4.len", 16, 2 }, { "ipv4.id", 18, 2 },
	{ "ipv4.frag", 20, 2 }, { "ipv4.ttl", 22, 1 }, { "ipv4.proto", 23, 1 },
	{ "ipv4.csum", 24, 2 }, { "ipv4.src", 26, 4 }, { "ipv4.dst", 30, 4 },
	{ NULL, 0, 0 }
};

/* L4 fields, relative to the L4 header (TCP and UDP share the ports; the rest is TCP's). */
static const struct field_def l4_fields[] = {
	{ "l4.sport", 0, 2 }, { "l4.dport", 2, 2 }, { "tcp.seq", 4, 4 }, { "tcp.ack", 8, 4 },
	{ "tcp.off", 12, 1 }, { "tcp.flags", 13, 1 }, { "tcp.win", 14, 2 }, { "l4.csum", 16, 2 },
	{ "tcp.urg", 18, 2 },
	{ NULL, 0, 0 }
};

/* The solver's view of one path: the input bounds, then the path's conditions. */
struct pcx {
	struct analysis *a;
	smt_t *conds;
	size_t n;
};

static size_t
field_len(const char *name)
{
	for (const struct field_def *t = fixed_fields; t->name; t++) {
		if (!strcmp(t->name, name))
			return t->len;
	}
	for (const struct field_def *t = l4_fields; t->name; t++) {
		if (!strcmp(t->name, name))
			return t->len;
	}
	return 0;
}

/* The field of table 't' holding byte 'off' and the byte's index in it; 'other' and the
** offset itself when no field does. */
static void
name_in(const struct field_def *t, unsigned off, const char *other, char *field, int *byte)
{
	for (; t->name; t++) {
		if (off >= t->off && off < t->off + t->len) {
			snprintf(field, 16, "%s", t->name);
			*byte = (int)(off - t->off);
			return;
		}
	}
	snprintf(field, 16, "%s", other);
	*byte = (int)off;
}

/* 14 + 4 * ihl as a 64-bit offset. */
static smt_t
l4_offset(struct analysis *a)
{
	struct smt *s = a->smt;
	smt_t ihl = smt_binop(s, SMT_AND, smt_var(s, "pkt[14]", 8), smt_num(s, 0x0f, 8));

	return smt_binop(s, SMT_ADD, smt_num(s, 14, 64),
			 smt_binop(s, SMT_MUL, smt_zext(s, ihl, 64), smt_num(s, 4, 64)));
}

/* Whether 'e' is the same value on every input the path allows: 1 and *v, 0, -1 unknown. */
static int
fixed_value(struct pcx *c, smt_t e, uint64_t *v)
{
	struct smt *s = c->a->smt;
	smt_t *q;
	enum smt_result r;

	if (smt_is_num(s, e, v))
		return 1;
	if (smt_check(s, c->conds, c->n) != SMT_SAT || !smt_model_value(s, e, v))
		return -1;
	q = xmalloc((c->n + 1) * sizeof *q);
	memcpy(q, c->conds, c->n * sizeof *q);
	q[c->n] = smt_cmp(s, SMT_NE, e, smt_num(s, *v, smt_bits(s, e)));
	r = smt_check(s, q, c->n + 1);
	free(q);
	return r == SMT_UNSAT;
}

/* Names the packet byte at index 'idx' under path context 'c' (NULL: no solver, structure only). */
static void
name_index(struct analysis *a, struct pcx *c, smt_t idx, char *field, int *byte)
{
	struct smt *s = a->smt;
	uint64_t v, ihl;
	smt_t d;

	if (smt_is_num(s, idx, &v)) {
		if (v < 34) {
			name_in(fixed_fields, (unsigned)v, "pkt", field, byte);
			return;
		}
		if (c && fixed_value(c, smt_binop(s, SMT_AND, smt_var(s, "pkt[14]", 8),
				smt_num(s, 0x0f, 8)), &ihl) == 1 && ihl >= 5 &&
		    v >= 14 + 4 * ihl) {
			name_in(l4_fields, (unsigned)(v - 14 - 4 * ihl), "l4", field, byte);
			return;
		}
		snprintf(field, 16, "pkt");
		*byte = (int)v;
		return;
	}
	d = smt_simplify(s, smt_binop(s, SMT_SUB, idx, l4_offset(a)));
	if (smt_is_num(s, d, &v) || (c && fixed_value(c, d, &v) == 1)) {
		if (v < 64) {
			name_in(l4_fields, (unsigned)v, "l4", field, byte);
			return;
		}
	}
	snprintf(field, 16, "pkt");
	*byte = -1;
}

/* ---- printing expressions with packet field names ---- */

static const char *
short_call(const char *call)
{
	const char *u = strchr(call, '_');

	return u ? u + 1 : call;
}


static void pr(struct analysis *a, smt_t e, struct sbuf *out, int depth);
static void pr_not(struct analysis *a, smt_t in, struct sbuf *out, int depth);
static void pr_rest(struct analysis *a, smt_t e, struct sbuf *out, int depth);

/* Whether 'e' is a packet byte variable; *idx: its offset expression. */
static bool
is_pkt_select(struct analysis *a, smt_t e, smt_t *idx)
{
	const struct sym_pbyte *pb;

	if (smt_kind(a->smt, e, NULL) != SMT_K_VAR)
		return false;
	pb = sym_pbyte_of(a->sym, e);
	if (!pb)
		return false;
	*idx = pb->base ? smt_binop(a->smt, SMT_ADD, pb->base, smt_num(a->smt, pb->k, 64)) :
		smt_num(a->smt, pb->k, 64);
	return true;
}

/* The field of a packet byte variable, asked of the solver once per variable. */
static void
pbyte_name(struct analysis *a, smt_t var, char *field, int *byte)
{
	const struct sym_pbyte *pb = sym_pbyte_of(a->sym, var);
	struct analysis_pname *pn;
	struct pcx c = { a, a->base, 3 };
	smt_t idx;

	if (!pb) {
		snprintf(field, 16, "?");
		*byte = -1;
		return;
	}
	pn = &a->pnames[pb - a->sym->pbytes];
	if (!pn->done) {
		idx = pb->base ? smt_binop(a->smt, SMT_ADD, pb->base, smt_num(a->smt, pb->k, 64)) :
			smt_num(a->smt, pb->k, 64);
		name_index(a, &c, idx, pn->field, &pn->byte);
		pn->done = true;
	}
	snprintf(field, 16, "%s", pn->field);
	*byte = pn->byte;
}

static void
pr_byte_name(struct analysis *a, smt_t var, smt_t idx, struct sbuf *out)
{
	char f[16];
	int b;

	pbyte_name(a, var, f, &b);
	if (b == 0 && field_len(f) == 1) {
		sbuf_adds(out, f);
		return;
	}
	if (!strcmp(f, "pkt") && b < 0) {
		sbuf_adds(out, "pkt[");
		pr(a, idx, out, 1);
		sbuf_adds(out, "]");
	} else {
		sbuf_printf(out, "%s[%d]", f, b);
	}
}

/* A concat of the bytes of one whole field, in network order (1) or reversed (-1); 0 if not. */
/* The leaves of nested concats, most significant first. */
static unsigned
concat_leaves(struct analysis *a, smt_t e, smt_t *out, unsigned max, unsigned n)
{
	if (smt_kind(a->smt, e, NULL) != SMT_K_CONCAT) {
		if (n < max)
			out[n] = e;
		return n + 1;
	}
	for (unsigned i = 0; i < smt_nargs(a->smt, e); i++)
		n = concat_leaves(a, smt_arg(a->smt, e, i), out, max, n);
	return n;
}

static int
whole_field(struct analysis *a, smt_t e, char *field)
{
	smt_t leaf[8];
	unsigned n;
	char f0[16] = "";
	int order = 0, prev = -1;

	if (smt_kind(a->smt, e, NULL) != SMT_K_CONCAT)
		return 0;
	n = concat_leaves(a, e, leaf, 8, 0);
	if (n < 2 || n > 8)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		smt_t idx;
		char f[16];
		int b;

		if (!is_pkt_select(a, leaf[i], &idx))
			return 0;
		pbyte_name(a, leaf[i], f, &b);
		if (!strcmp(f, "pkt") || (i && strcmp(f, f0)))
			return 0;
		if (i == 0) {
			snprintf(f0, sizeof f0, "%s", f);
		} else {
			int o = b == prev + 1 ? 1 : b == prev - 1 ? -1 : 0;

			if (!o || (order && o != order))
				return 0;
			order = o;
		}
		prev = b;
	}
	if (field_len(f0) != n)
		return 0;
	snprintf(field, 16, "%s", f0);
	return order;
}

static uint64_t
bswap_n(uint64_t v, unsigned bytes)
{
	uint64_t r = 0;

	for (unsigned i = 0; i < bytes; i++)
		r |= ((v >> (8 * i)) & 0xff) << (8 * (bytes - 1 - i));
	return r;
}

static void
pr_num(uint64_t v, struct sbuf *out)
{
	if (v < 10)
		sbuf_printf(out, "%" PRIu64, v);
	else
		sbuf_printf(out, "0x%" PRIx64, v);
}

static const char *const binop_text[] = {
	"+", "-", "*", "/", "/s", "%", "%s", "<<", ">>", ">>s", "&", "|", "^"
};
static const char *const cmp_text[] = {
	"=", "≠", ">", "≥", "<", "≤", ">s", "≥s", "<s", "≤s"
};

/* The call whose outcome variable 'e' is, or NULL. */
static const struct sym_event *
ok_event(struct analysis *a, smt_t e)
{
	for (uint32_t i = 0; i < a->sym->n_paths; i++) {
		const struct sym_path *p = &a->sym->paths[i];

		for (uint32_t k = 0; k < p->n_events; k++) {
			if (p->events[k].ok == e)
				return &p->events[k];
		}
	}
	return NULL;
}

static bool
is_var(struct analysis *a, smt_t e, const char *name)
{
	return smt_kind(a->smt, e, NULL) == SMT_K_VAR && !strcmp(smt_name(a->smt, e), name);
}

/* field op constant, with multi-byte fields read little-endian shown in network order, and
** port numbers as port names. True when it printed. */
static bool
pr_cmp_field(struct analysis *a, int op, smt_t l, smt_t r, struct sbuf *out)
{
	char field[16];
	uint64_t v;
	unsigned n;
	int order;

	if (!smt_is_num(a->smt, r, &v)) {
		if (!smt_is_num(a->smt, l, &v))
			return false;
		smt_t t = l;
		l = r;
		r = t;
		if (op == SMT_UGT || op == SMT_ULT || op == SMT_UGE || op == SMT_ULE)
			return false;
	}
	while (smt_kind(a->smt, l, NULL) == SMT_K_ZEXT)
		l = smt_arg(a->smt, l, 0);
	if (smt_kind(a->smt, l, NULL) == SMT_K_ITE && (op == SMT_EQ || op == SMT_NE)) {
		/* (c ? x : y) = v with constants: c or not c */
		uint64_t x, y;

		if (smt_is_num(a->smt, smt_arg(a->smt, l, 1), &x) &&
		    smt_is_num(a->smt, smt_arg(a->smt, l, 2), &y) && x != y && (x == v || y == v)) {
			bool pos = (x == v) == (op == SMT_EQ);

			if (pos)
				pr(a, smt_arg(a->smt, l, 0), out, 1);
			else
				pr_not(a, smt_arg(a->smt, l, 0), out, 1);
			return true;
		}
	}
	if (smt_kind(a->smt, l, NULL) == SMT_K_VAR && (op == SMT_EQ || op == SMT_NE)) {
		const struct sym_event *ev = ok_event(a, l);

		if (ev && v <= 1) {
			sbuf_printf(out, "%s.%s=%s", a->sym->objects[ev->obj].name, short_call(ev->call),
				    ev->outcomes[(v == 1) == (op == SMT_EQ) ? 0 : 1]);
			return true;
		}
	}
	if (is_var(a, l, "port") && (op == SMT_EQ || op == SMT_NE) && v < a->n_ports) {
		sbuf_printf(out, "port%s%s", cmp_text[op], a->ports[v]);
		return true;
	}
	order = whole_field(a, l, field);
	if (!order)
		return false;
	n = (unsigned)field_len(field);
	if (order < 0)
		v = bswap_n(v, n);
	sbuf_printf(out, "%s%s0x%0*" PRIx64, field, cmp_text[op], 2 * (int)n, v);
	return true;
}

static void
pr(struct analysis *a, smt_t e, struct sbuf *out, int depth)
{
	struct smt *s = a->smt;
	int sub = 0;
	enum smt_kind k = smt_kind(s, e, &sub);
	unsigned n = smt_nargs(s, e);
	uint64_t v;
	char field[16];
	smt_t idx;

	if (depth > 48) {
		sbuf_adds(out, "…");
		return;
	}
	switch (k) {
	case SMT_K_NUM:
		smt_is_num(s, e, &v);
		pr_num(v, out);
		return;
	case SMT_K_TRUE:
		sbuf_adds(out, "true");
		return;
	case SMT_K_FALSE:
		sbuf_adds(out, "false");
		return;
	case SMT_K_VAR:
		if (is_pkt_select(a, e, &idx)) {
			pr_byte_name(a, e, idx, out);
			return;
		}
		sbuf_adds(out, smt_name(s, e));
		return;
	case SMT_K_ARRAY:
		sbuf_adds(out, smt_name(s, e));
		return;
	case SMT_K_CONCAT: {
		int order = whole_field(a, e, field);

		if (order > 0) {
			sbuf_adds(out, field);
			return;
		}
		if (order < 0) {
			sbuf_printf(out, "bswap(%s)", field);
			return;
		}
		sbuf_adds(out, "(");
		for (unsigned i = 0; i < n; i++) {
			if (i)
				sbuf_adds(out, " : ");
			pr(a, smt_arg(s, e, i), out, depth + 1);
		}
		sbuf_adds(out, ")");
		return;
	}
	case SMT_K_ZEXT:
		pr(a, smt_arg(s, e, 0), out, depth + 1);
		return;
	case SMT_K_SEXT:
		sbuf_adds(out, "sext(");
		pr(a, smt_arg(s, e, 0), out, depth + 1);
		sbuf_adds(out, ")");
		return;
	case SMT_K_EXTRACT: {
		unsigned hi, lo;

		smt_extract_bounds(s, e, &hi, &lo);
		pr(a, smt_arg(s, e, 0), out, depth + 1);
		sbuf_printf(out, "[%u:%u]", hi, lo);
		return;
	}
	case SMT_K_BINOP:
		sbuf_adds(out, "(");
		for (unsigned i = 0; i < n; i++) {
			if (i)
				sbuf_printf(out, " %s ", binop_text[sub]);
			pr(a, smt_arg(s, e, i), out, depth + 1);
		}
		sbuf_adds(out, ")");
		return;
	case SMT_K_BVNOT:
	case SMT_K_NEG:
		sbuf_adds(out, k == SMT_K_BVNOT ? "~" : "-");
		pr(a, smt_arg(s, e, 0), out, depth + 1);
		return;
	case SMT_K_CMP:
		if (pr_cmp_field(a, sub, smt_arg(s, e, 0), smt_arg(s, e, 1), out))
			return;
		pr(a, smt_arg(s, e, 0), out, depth + 1);
		sbuf_adds(out, cmp_text[sub]);
		pr(a, smt_arg(s, e, 1), out, depth + 1);
		return;
	case SMT_K_NOT:
		pr_not(a, smt_arg(s, e, 0), out, depth + 1);
		return;
	default:
		pr_rest(a, e, out, depth);
		return;
	}
}

/* "not in", with the negation pushed into a comparison (so it reads "x≠y", "flows.get=miss"). */
static void
pr_not(struct analysis *a, smt_t in, struct sbuf *out, int depth)
{
	struct smt *s = a->smt;
	int isub = 0;
	enum smt_kind k = smt_kind(s, in, &isub);

	if (k == SMT_K_NOT) {
		pr(a, smt_arg(s, in, 0), out, depth + 1);
		return;
	}
	{
		if (k == SMT_K_CMP) {
			static const int neg[] = {
				SMT_NE, SMT_EQ, SMT_ULE, SMT_ULT, SMT_UGE, SMT_UGT, SMT_SLE, SMT_SLT,
				SMT_SGE, SMT_SGT
			};
			smt_t l = smt_arg(s, in, 0), r = smt_arg(s, in, 1);

			if (pr_cmp_field(a, neg[isub], l, r, out))
				return;
			pr(a, l, out, depth + 1);
			sbuf_adds(out, cmp_text[neg[isub]]);
			pr(a, r, out, depth + 1);
			return;
		}
		sbuf_adds(out, "¬");
		pr(a, in, out, depth + 1);
	}
}

static void
pr_rest(struct analysis *a, smt_t e, struct sbuf *out, int depth)
{
	struct smt *s = a->smt;
	int sub = 0;
	enum smt_kind k = smt_kind(s, e, &sub);
	unsigned n = smt_nargs(s, e);

	switch (k) {
	case SMT_K_AND:
	case SMT_K_OR:
		sbuf_adds(out, "(");
		for (unsigned i = 0; i < n; i++) {
			if (i)
				sbuf_adds(out, k == SMT_K_AND ? " ∧ " : " ∨ ");
			pr(a, smt_arg(s, e, i), out, depth + 1);
		}
		sbuf_adds(out, ")");
		return;
	case SMT_K_ITE:
		sbuf_adds(out, "(");
		pr(a, smt_arg(s, e, 0), out, depth + 1);
		sbuf_adds(out, " ? ");
		pr(a, smt_arg(s, e, 1), out, depth + 1);
		sbuf_adds(out, " : ");
		pr(a, smt_arg(s, e, 2), out, depth + 1);
		sbuf_adds(out, ")");
		return;
	default:
		break;
	}
	char *t = smt_sexpr(s, e);

	sbuf_adds(out, t);
	free(t);
}

/* Conditions print as the NF wrote them (Z3's simplifier splits a field compare into byte
** compares), other expressions simplified. */
static char *
expr_text_as(struct analysis *a, smt_t e, bool simplify)
{
	struct sbuf sb = SBUF_INIT;

	pr(a, simplify ? smt_simplify(a->smt, e) : e, &sb, 0);
	return sbuf_detach(&sb);
}

static char *
expr_text(struct analysis *a, smt_t e)
{
	return expr_text_as(a, e, true);
}

/* ---- key bytes ---- */

struct walk {
	bool pkt, state, meta, undef;
	const char *state_name;	/* the first value from state */
};

/* What the variables of 'e' are: packet bytes, the port/len/now inputs, uninitialized memory,
** or values read from state. */
static void
walk(struct analysis *a, smt_t e, struct walk *w)
{
	struct smt *s = a->smt;
	smt_t few[64], *vars = few;
	size_t n = smt_vars(s, e, few, 64);

	if (n > 64) {
		vars = xmalloc(n * sizeof *vars);
		smt_vars(s, e, vars, n);
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = smt_name(s, vars[i]);

		if (smt_kind(s, vars[i], NULL) != SMT_K_VAR)
			continue;	/* an array holds no input of its own */
		if (sym_pbyte_of(a->sym, vars[i])) {
			w->pkt = true;
		} else if (!strcmp(name, "len") || !strcmp(name, "port") || !strcmp(name, "now")) {
			w->meta = true;
		} else if (!strncmp(name, "undef#", 6)) {
			w->undef = true;
		} else {
			w->state = true;
			if (!w->state_name)
				w->state_name = name;
		}
	}
	if (vars != few)
		free(vars);
}

static void
classify(struct analysis *a, smt_t e, struct analysis_field *f)
{
	struct smt *s = a->smt;
	struct walk w;
	uint64_t v, m = 0xff;
	smt_t idx = NULL, inner = NULL;
	int sub;

	memset(f, 0, sizeof *f);
	e = smt_simplify(s, e);
	if (smt_is_num(s, e, &v)) {
		f->kind = AF_CONST;
		f->value = (uint8_t)v;
		snprintf(f->text, sizeof f->text, "0x%02x", (unsigned)(v & 0xff));
		return;
	}
	memset(&w, 0, sizeof w);
	walk(a, e, &w);
	if (is_pkt_select(a, e, &idx)) {
		inner = e;
	} else if (smt_kind(s, e, &sub) == SMT_K_BINOP && sub == SMT_AND && smt_nargs(s, e) == 2) {
		smt_t l = smt_arg(s, e, 0), r = smt_arg(s, e, 1);

		if (smt_is_num(s, l, &m)) {
			smt_t t = l;
			l = r;
			r = t;
		}
		if (smt_is_num(s, r, &m) && is_pkt_select(a, l, &idx))
			inner = l;
	}
	if (!inner && smt_kind(s, e, &sub) == SMT_K_CONCAT && smt_nargs(s, e) == 2) {
		/* A mask as Z3 writes it: (extract 7 k byte) : 0...0, or 0...0 : (extract k 0 byte) */
		smt_t hi = smt_arg(s, e, 0), lo = smt_arg(s, e, 1), ex = NULL;
		unsigned h, l;
		uint64_t z;

		if (smt_is_num(s, lo, &z) && z == 0 && smt_kind(s, hi, NULL) == SMT_K_EXTRACT)
			ex = hi;
		else if (smt_is_num(s, hi, &z) && z == 0 && smt_kind(s, lo, NULL) == SMT_K_EXTRACT)
			ex = lo;
		if (ex && is_pkt_select(a, smt_arg(s, ex, 0), &idx)) {
			smt_extract_bounds(s, ex, &h, &l);
			if (ex == hi && h == 7)
				m = (0xffu >> l) << l, inner = smt_arg(s, ex, 0);
			else if (ex == lo && l == 0)
				m = (1u << (h + 1)) - 1, inner = smt_arg(s, ex, 0);
		}
	}
	if (inner && !w.state && !w.meta && !w.undef) {
		f->kind = AF_PACKET;
		pbyte_name(a, inner, f->field, &f->byte);
		f->mask = (uint8_t)m;
		if (f->byte < 0) {
			char *t = expr_text(a, e);

			f->kind = AF_DERIVED;
			snprintf(f->text, sizeof f->text, "derived:%s", t);
			free(t);
		} else if (m == 0xff) {
			snprintf(f->text, sizeof f->text, "%s[%d]", f->field, f->byte);
		} else {
			snprintf(f->text, sizeof f->text, "%s[%d]&0x%02x", f->field, f->byte,
				 (unsigned)m);
		}
		return;
	}
	if (w.undef) {
		f->kind = AF_UNINIT;
		snprintf(f->text, sizeof f->text, "uninit");
		return;
	}
	if (w.state && !w.pkt && !w.meta) {
		/* "flows.get#2.value" -> "flows.get.value": the same value whichever path read it */
		const char *hash = strchr(w.state_name, '#'), *dot = hash ? strchr(hash, '.') : NULL;

		f->kind = AF_STATE;
		if (hash && dot)
			snprintf(f->text, sizeof f->text, "state:%.*s%s", (int)(hash - w.state_name),
				 w.state_name, dot);
		else
			snprintf(f->text, sizeof f->text, "state:%s", w.state_name);
		return;
	}
	if (w.meta && !w.pkt && !w.state) {
		char *t = expr_text(a, e);

		f->kind = AF_META;
		snprintf(f->text, sizeof f->text, "%s", t);
		free(t);
		return;
	}
	char *t = expr_text(a, e);

	f->kind = AF_DERIVED;
	snprintf(f->text, sizeof f->text, "derived:%s", t);
	free(t);
}

void
analysis_classify(struct analysis *a, smt_t e, struct analysis_field *f)
{
	classify(a, e, f);
}

void
analysis_pbyte_field(struct analysis *a, smt_t var, char *field, int *byte)
{
	pbyte_name(a, var, field, byte);
}

char *
analysis_expr_text(struct analysis *a, smt_t e)
{
	return expr_text(a, e);
}

/* ---- the model ---- */

static void
loc(const struct analysis *a, uint16_t file, uint32_t line, char *buf, size_t size)
{
	if (line)
		snprintf(buf, size, "%s:%u", a->ir->files[file], line);
	else
		snprintf(buf, size, "%s", a->ir->files[file]);
}


void
analysis_site(const struct analysis *a, uint16_t file, uint32_t line, char *buf, size_t size)
{
	loc(a, file, line, buf, size);
}

static void
verdict_name(const struct analysis *a, int v, char *buf, size_t size)
{
	if (v == NF_DROP)
		snprintf(buf, size, "drop");
	else if (v == NF_FLOOD)
		snprintf(buf, size, "flood");
	else if (v >= 0 && (unsigned)v < a->n_ports)
		snprintf(buf, size, "%s", a->ports[v]);
	else
		snprintf(buf, size, "%d", v);
}

/* Whether a condition only restates the port (shown once as port=NAME). */
static bool
only_port(struct analysis *a, smt_t e)
{
	struct walk w;

	memset(&w, 0, sizeof w);
	walk(a, e, &w);
	if (!w.meta || w.pkt || w.state || w.undef)
		return false;
	char *t = expr_text(a, e);
	bool port = strstr(t, "port") != NULL;

	free(t);
	return port;
}

/* A branch as a node of the call-path tree: "eth.type=0x0800 (packet.h:108)". */
static char *
decision_label(struct analysis *a, const struct sym_cond *cond)
{
	struct sbuf sb = SBUF_INIT;
	char where[64], *t = expr_text_as(a, cond->e, false);

	loc(a, cond->file, cond->line, where, sizeof where);
	sbuf_printf(&sb, "%s (%s)", t, where);
	free(t);
	return sbuf_detach(&sb);
}

static struct analysis_node *
node_new(char *label, int path)
{
	struct analysis_node *n = xcalloc(1, sizeof *n);

	n->label = label;
	n->path = path;
	return n;
}

static struct analysis_node *
node_child(struct analysis_node *n, char *label)
{
	for (uint32_t i = 0; i < n->n_children; i++) {
		if (n->children[i]->label && !strcmp(n->children[i]->label, label)) {
			free(label);
			return n->children[i];
		}
	}
	n->children = xrealloc(n->children, (n->n_children + 1) * sizeof *n->children);
	n->children[n->n_children] = node_new(label, -1);
	return n->children[n->n_children++];
}

static void
node_free(struct analysis_node *n)
{
	if (!n)
		return;
	for (uint32_t i = 0; i < n->n_children; i++)
		node_free(n->children[i]);
	free(n->children);
	free(n->label);
	free(n);
}

/* Files the event under its access (a copy of 'key'); returns the access's index. */
static uint32_t
add_access(struct analysis *a, const struct sym_event *ev, uint32_t ports,
	   const struct analysis_field *key)
{
	char site[64];
	struct analysis_access *x;

	loc(a, ev->file, ev->line, site, sizeof site);
	for (uint32_t i = 0; i < a->n_accesses; i++) {
		x = &a->accesses[i];
		if (x->obj != ev->obj || x->call != ev->call || x->op != ev->op ||
		    strcmp(x->site, site) || x->n_key != ev->n_key)
			continue;
		bool same = true;

		for (uint32_t k = 0; k < ev->n_key && same; k++)
			same = !strcmp(x->key[k].text, key[k].text);
		if (!same)
			continue;
		x->ports |= ports;
		x->n_paths++;
		return i;
	}
	a->accesses = xrealloc(a->accesses, (a->n_accesses + 1) * sizeof *a->accesses);
	x = &a->accesses[a->n_accesses++];
	memset(x, 0, sizeof *x);
	x->obj = ev->obj;
	x->call = ev->call;
	x->op = ev->op;
	x->ports = ports;
	x->n_key = ev->n_key;
	x->key = xmalloc((ev->n_key + 1) * sizeof *x->key);
	memcpy(x->key, key, ev->n_key * sizeof *key);
	x->n_paths = 1;
	snprintf(x->site, sizeof x->site, "%s", site);
	for (uint32_t k = 0; k < ev->n_key; k++)
		x->keyed_by_packet |= key[k].kind == AF_PACKET || key[k].kind == AF_DERIVED;
	return a->n_accesses - 1;
}

static void
build_path(struct analysis *a, uint32_t pi, smt_t *base, size_t nbase)
{
	const struct sym_path *p = &a->sym->paths[pi];
	struct analysis_path *ap = &a->paths[pi];
	struct sbuf sum = SBUF_INIT;
	struct analysis_node *node = a->tree;
	struct pcx c;
	uint32_t ci = 0, ei = 0;
	int single = -1;

	ap->p = p;
	/* Naming asks only what holds for every input (an index is 14 + 4 * ihl + k), so it
	** needs the input bounds, not this path's conditions: much cheaper to solve. */
	c.a = a;
	c.conds = base;
	c.n = nbase;
	ap->ports = p->ports;
	for (unsigned port = 0; port < a->n_ports; port++) {
		if (ap->ports == 1u << port)
			single = (int)port;
	}
	if (single >= 0)
		sbuf_printf(&sum, "port=%s", a->ports[single]);
	/* Conditions and call outcomes in the order the path met them. */
	while (ci < p->n_conds || ei < p->n_events) {
		bool ev = ci >= p->n_conds || (ei < p->n_events && p->conds[ci].after > ei);
		char *label;

		/* Outcomes show through the branches on them; assumptions are not decisions. */
		if (ev) {
			ei++;
			continue;
		}
		if (p->conds[ci].assumed) {
			ci++;
			continue;
		}
		label = decision_label(a, &p->conds[ci]);
		node = node_child(node, label);
		if (!(single >= 0 && only_port(a, p->conds[ci].e))) {
			char *t = expr_text_as(a, p->conds[ci].e, false);

			if (sum.len)
				sbuf_adds(&sum, " ∧ ");
			sbuf_adds(&sum, t);
			free(t);
		}
		ci++;
	}
	ap->summary = sbuf_detach(&sum);
	if (!ap->summary[0]) {
		free(ap->summary);
		ap->summary = xstrdup("true");
	}
	verdict_name(a, p->verdict, ap->verdict, sizeof ap->verdict);
	{
		char vl[160], where[64];

		loc(a, p->file, p->line, where, sizeof where);
		snprintf(vl, sizeof vl, "→ %s (path %u, %s)", ap->verdict, pi, where);
		node = node_child(node, xstrdup(vl));
		node->path = (int)pi;
	}
	/* Packet fields written, each once. */
	ap->writes = xcalloc(p->n_writes + 1, sizeof *ap->writes);
	for (uint32_t w = 0; w < p->n_writes; w++) {
		char f[16], name[24];
		int b;
		bool seen = false;

		name_index(a, &c, p->writes[w].offset, f, &b);
		if (!strcmp(f, "pkt"))
			snprintf(name, sizeof name, "pkt[%d]", b);
		else
			snprintf(name, sizeof name, "%s", f);
		for (uint32_t k = 0; k < ap->n_writes; k++)
			seen |= !strcmp(ap->writes[k], name);
		if (!seen)
			ap->writes[ap->n_writes++] = xstrdup(name);
	}
	/* Accesses of this path. */
	ap->keys = xcalloc(p->n_events + 1, sizeof *ap->keys);
	ap->access = xcalloc(p->n_events + 1, sizeof *ap->access);
	for (uint32_t i = 0; i < p->n_events; i++) {
		const struct sym_event *ev = &p->events[i];
		struct analysis_field *key = xcalloc(ev->n_key + 1, sizeof *key);

		for (uint32_t k = 0; k < ev->n_key; k++)
			classify(a, ev->key[k], &key[k]);
		ap->keys[i] = key;
		ap->access[i] = add_access(a, ev, ap->ports, key);
		a->objects[ev->obj].written |= ev->op != SYM_READ;
		a->objects[ev->obj].read |= ev->op == SYM_READ;
		for (int k = 0; k < 2; k++) {
			if (ev->also[k] == UINT32_MAX)
				continue;
			/* expire_items erases from its map; cht_find and expire_items read the rest */
			if (!strcmp(ev->call, "expire_items") && k == 0)
				a->objects[ev->also[k]].written = true;
			else
				a->objects[ev->also[k]].read = true;
		}
	}
}

/* sym_host over the NF's own configuration functions. */
static uint64_t
h_uint(void *arg, const char *key, uint64_t min, uint64_t max)
{
	return nfload_config_uint(arg, key, min, max);
}

static uint32_t
h_ipv4(void *arg, const char *key)
{
	return nfload_config_ipv4(arg, key);
}

static const char *
h_str(void *arg, const char *key)
{
	return nfload_config_str(arg, key);
}

static const char *
h_failed(void *arg)
{
	return nfload_config_failed(arg);
}

static uint32_t
h_capacity(void *arg, uint32_t capacity)
{
	return nfload_config_capacity(arg, capacity);
}

struct analysis *
analysis_run(struct nfload *nf, const struct analysis_opts *o, struct err *e)
{
	struct analysis *a = xcalloc(1, sizeof *a);
	const struct nf_desc *d = nfload_desc(nf);
	struct nfload_config *cfg = NULL;
	struct sym_host host;
	struct sym_opts so;
	double t0 = clock_seconds(), t;
	smt_t base[3];

	a->nf = d->name;
	a->n_ports = nfload_nports(nf);
	a->ports = d->ports;
	a->bitcode = nfload_bitcode(nf, &a->compiled, &a->compile_seconds, e);
	if (!a->bitcode)
		goto bad;
	t = clock_seconds();
	a->ir = ir_load(a->bitcode, e);
	if (!a->ir)
		goto bad;
	a->load_seconds = clock_seconds() - t;
	cfg = nfload_config_new(nf, e);
	if (!cfg)
		goto bad;
	host.arg = cfg;
	host.config_uint = h_uint;
	host.config_ipv4 = h_ipv4;
	host.config_str = h_str;
	host.failed = h_failed;
	host.capacity = h_capacity;
	memset(&so, 0, sizeof so);
	so.n_ports = a->n_ports;
	so.len_min = o && o->len_min ? o->len_min : ETH_MIN;
	so.len_max = o && o->len_max ? o->len_max : ETH_MAX;
	so.max_paths = o ? o->max_paths : 0;
	so.max_steps = o ? o->max_steps : 0;
	so.max_seconds = o && o->max_seconds > 0 ? o->max_seconds : SYM_MAX_SECONDS;
	so.max_memory = o ? o->max_memory : 0;
	/* The limit is on the whole command, as the user waits for it. */
	so.started = t0;
	so.progress = o ? o->progress : NULL;
	if (so.len_min > so.len_max || so.len_max > 65535) {
		err_set(e, -EINVAL, "packet lengths %u-%u: need MIN <= MAX <= 65535", so.len_min,
			so.len_max);
		goto bad;
	}
	a->smt = smt_new(60);
	t = clock_seconds();
	a->sym = sym_run(a->ir, a->smt, &host, &so, e);
	a->exec_seconds = clock_seconds() - t;
	nfload_config_free(cfg);
	cfg = NULL;
	if (!a->sym) {
		err_prefix(e, "%s", nfload_source(nf));
		goto bad;
	}

	t = clock_seconds();
	a->n_objects = a->sym->n_objects;
	a->objects = xcalloc(a->n_objects + 1, sizeof *a->objects);
	for (uint32_t i = 0; i < a->n_objects; i++) {
		a->objects[i].o = &a->sym->objects[i];
		loc(a, a->sym->objects[i].file, a->sym->objects[i].line, a->objects[i].site,
		    sizeof a->objects[i].site);
	}
	for (uint32_t i = 0; i < a->sym->n_init_events; i++) {
		if (a->sym->init_events[i].op != SYM_READ)
			a->objects[a->sym->init_events[i].obj].filled = true;
	}
	base[0] = smt_cmp(a->smt, SMT_ULT, a->sym->port, smt_num(a->smt, a->n_ports, 16));
	base[1] = smt_cmp(a->smt, SMT_UGE, a->sym->len, smt_num(a->smt, so.len_min, 16));
	base[2] = smt_cmp(a->smt, SMT_ULE, a->sym->len, smt_num(a->smt, so.len_max, 16));
	memcpy(a->base, base, sizeof a->base);
	a->pnames = xcalloc(a->sym->n_pbytes + 1, sizeof *a->pnames);
	a->tree = node_new(NULL, -1);
	a->n_paths = a->sym->n_paths;
	a->paths = xcalloc(a->n_paths + 1, sizeof *a->paths);
	/* Naming asks the solver too: under the same deadline, and a path named after it (its
	** checks cut short) is not kept. */
	smt_set_deadline(a->smt, t0 + so.max_seconds);
	for (uint32_t i = 0; i <= a->n_paths; i++) {
		if (progress_stopped(so.progress)) {
			err_set(e, -EINTR, "stopped while naming fields (path %u of %u)", i, a->n_paths);
			goto bad;
		}
		if (clock_seconds() - t0 > so.max_seconds) {
			err_set(e, -ETIMEDOUT, "took more than %g s (the time limit) while "
				"naming the fields of path %u of %u", so.max_seconds, i, a->n_paths);
			goto bad;
		}
		if (i < a->n_paths)
			build_path(a, i, base, 3);
	}
	smt_set_deadline(a->smt, 0);
	a->model_seconds = clock_seconds() - t;
	smt_counts(a->smt, &a->solved, &a->from_models);
	a->seconds = clock_seconds() - t0;
	return a;
bad:
	nfload_config_free(cfg);
	analysis_free(a);
	return NULL;
}

void
analysis_free(struct analysis *a)
{
	if (!a)
		return;
	for (uint32_t i = 0; i < a->n_paths; i++) {
		free(a->paths[i].summary);
		for (uint32_t k = 0; k < a->paths[i].n_writes; k++)
			free(a->paths[i].writes[k]);
		free(a->paths[i].writes);
		for (uint32_t k = 0; a->paths[i].keys && k < a->paths[i].p->n_events; k++)
			free(a->paths[i].keys[k]);
		free(a->paths[i].keys);
		free(a->paths[i].access);
	}
	free(a->paths);
	for (uint32_t i = 0; i < a->n_accesses; i++)
		free(a->accesses[i].key);
	free(a->accesses);
	free(a->objects);
	free(a->pnames);
	node_free(a->tree);
	sym_result_free(a->sym);
	if (a->smt)
		smt_free(a->smt);
	ir_free(a->ir);
	free(a->bitcode);
	free(a);
}

int
analysis_object(const struct analysis *a, const char *name)
{
	for (uint32_t i = 0; i < a->n_objects; i++) {
		if (!strcmp(a->objects[i].o->name, name))
			return (int)i;
	}
	return -1;
}

/* ---- text ---- */

/* "ipv4.src ipv4.dst l4.sport 0x00 0x00": whole fields by name, other bytes one by one. */
static void
key_text(const struct analysis_access *x, struct sbuf *out)
{
	for (uint32_t i = 0; i < x->n_key;) {
		const struct analysis_field *f = &x->key[i];
		size_t len = f->kind == AF_PACKET && f->mask == 0xff ? field_len(f->field) : 0;
		uint32_t k = 0;

		if (i)
			sbuf_adds(out, " ");
		if (len && i + len <= x->n_key) {
			int dir = f->byte == 0 ? 1 : f->byte == (int)len - 1 ? -1 : 0;

			for (k = 0; dir && k < len; k++) {
				const struct analysis_field *g = &x->key[i + k];

				if (g->kind != AF_PACKET || g->mask != 0xff || strcmp(g->field, f->field) ||
				    g->byte != (dir > 0 ? (int)k : (int)(len - 1 - k)))
					break;
			}
			if (dir && k == len) {
				sbuf_printf(out, dir > 0 ? "%s" : "bswap(%s)", f->field);
				i += (uint32_t)len;
				continue;
			}
		}
		sbuf_adds(out, f->text);
		/* The bytes of one index from state show it once. */
		for (i++; f->kind != AF_PACKET && f->kind != AF_CONST && i < x->n_key &&
		     !strcmp(x->key[i].text, f->text); i++)
			;
	}
	if (!x->n_key)
		sbuf_adds(out, "-");
}

static void
ports_text(const struct analysis *a, uint32_t ports, struct sbuf *out)
{
	bool first = true;

	for (unsigned p = 0; p < a->n_ports; p++) {
		if (!(ports & (1u << p)))
			continue;
		sbuf_printf(out, "%s%s", first ? "" : ",", a->ports[p]);
		first = false;
	}
	if (first)
		sbuf_adds(out, "-");
}

void
analysis_format_summary(const struct analysis *a, struct sbuf *out)
{
	uint32_t written = 0, drops = 0;

	for (uint32_t i = 0; i < a->n_objects; i++)
		written += a->objects[i].written;
	for (uint32_t i = 0; i < a->n_paths; i++)
		drops += a->paths[i].p->verdict == NF_DROP;
	sbuf_printf(out, "%s: %u paths (%u drop), %u state objects (%u written in nf_process), "
		    "%u accesses, %.3f s\n", a->nf, a->n_paths, drops, a->n_objects, written,
		    a->n_accesses, a->seconds);
	sbuf_printf(out, "  compile %.3f s%s, load IR %.3f s, execute %.3f s (%" PRIu64
		    " instructions, %" PRIu64 " solver checks), model %.3f s\n",
		    a->compile_seconds, a->compiled ? "" : " (cached)", a->load_seconds,
		    a->exec_seconds, a->sym->steps, a->sym->checks, a->model_seconds);
	sbuf_printf(out, "  Z3 ran %" PRIu64 " checks; %" PRIu64 " were satisfied by a model of an "
		    "earlier one\n", a->solved, a->from_models);
	if (a->sym->unknown)
		sbuf_printf(out, "  %" PRIu64 " checks timed out: their branches were kept both ways, "
			    "so some paths may be impossible\n", a->sym->unknown);
	for (uint32_t i = 0; i < a->n_objects; i++) {
		const struct analysis_object *o = &a->objects[i];

		sbuf_printf(out, "  %-12s %-6s %-2s capacity %-8u %s%s\n", o->o->name,
			    sym_kind_name(o->o->kind), o->written ? "rw" : o->read ? "r" : "-",
			    o->o->capacity, o->site, o->filled ? " (filled in nf_init)" : "");
	}
	sbuf_adds(out, "show paths, show path N, show objects, show accesses [OBJECT], show verdict, "
		  "show constraints, show graph\n");
}

void
analysis_format_paths(const struct analysis *a, struct sbuf *out)
{
	for (uint32_t i = 0; i < a->n_paths; i++) {
		const struct analysis_path *p = &a->paths[i];

		sbuf_printf(out, "%4u  %-6s %s\n", i, p->verdict, p->summary);
	}
}

static void
tree_text(const struct analysis_node *n, struct sbuf *out, int depth)
{
	for (uint32_t i = 0; i < n->n_children; i++) {
		const struct analysis_node *c = n->children[i];

		sbuf_printf(out, "%*s%s\n", 2 * depth, "", c->label);
		tree_text(c, out, depth + 1);
	}
}

void
analysis_format_tree(const struct analysis *a, struct sbuf *out)
{
	tree_text(a->tree, out, 0);
}

static void
event_text(const struct analysis *a, const struct sym_event *ev, struct sbuf *out)
{
	struct analysis_access tmp;
	char where[64];

	memset(&tmp, 0, sizeof tmp);
	loc(a, ev->file, ev->line, where, sizeof where);
	sbuf_printf(out, "%s(%s", ev->call, a->sym->objects[ev->obj].name);
	/* The access's classified key, found through the access table. */
	for (uint32_t i = 0; i < a->n_accesses; i++) {
		const struct analysis_access *x = &a->accesses[i];

		if (x->obj == ev->obj && x->call == ev->call && !strcmp(x->site, where)) {
			sbuf_adds(out, ", key ");
			key_text(x, out);
			break;
		}
	}
	sbuf_printf(out, ")%s%s  %s\n", ev->outcome ? " = " : "", ev->outcome ? ev->outcome : "",
		    where);
}

int
analysis_format_path(const struct analysis *a, uint32_t n, struct sbuf *out, struct err *e)
{
	const struct analysis_path *ap;
	const struct sym_path *p;
	char where[64];
	uint32_t ci = 0, ei = 0;

	if (n >= a->n_paths)
		return err_set(e, -ERANGE, "no path %u (there are %u: 0..%u)", n, a->n_paths,
			       a->n_paths ? a->n_paths - 1 : 0);
	ap = &a->paths[n];
	p = ap->p;
	sbuf_printf(out, "path %u: %s\n  ports: ", n, ap->verdict);
	ports_text(a, ap->ports, out);
	sbuf_printf(out, "\n  condition: %s\n  steps:\n", ap->summary);
	while (ci < p->n_conds || ei < p->n_events) {
		bool ev = ci >= p->n_conds || (ei < p->n_events && p->conds[ci].after > ei);

		if (ev) {
			sbuf_adds(out, "    call   ");
			event_text(a, &p->events[ei++], out);
		} else {
			char *t = expr_text_as((struct analysis *)a, p->conds[ci].e, false);

			loc(a, p->conds[ci].file, p->conds[ci].line, where, sizeof where);
			sbuf_printf(out, "    %s %s  %s\n", p->conds[ci].assumed ? "assume" : "branch",
				    t, where);
			free(t);
			ci++;
		}
	}
	loc(a, p->file, p->line, where, sizeof where);
	sbuf_printf(out, "  verdict: %s  %s\n  writes:", ap->verdict, where);
	for (uint32_t i = 0; i < ap->n_writes; i++)
		sbuf_printf(out, " %s", ap->writes[i]);
	sbuf_printf(out, "%s\n", ap->n_writes ? "" : " nothing");
	return 0;
}

void
analysis_format_objects(const struct analysis *a, struct sbuf *out)
{
	if (!a->n_objects)
		sbuf_adds(out, "no state objects\n");
	for (uint32_t i = 0; i < a->n_objects; i++) {
		const struct analysis_object *o = &a->objects[i];

		sbuf_printf(out, "%-12s %-6s capacity %-8u", o->o->name, sym_kind_name(o->o->kind),
			    o->o->capacity);
		if (o->o->kind == SYM_MAP || o->o->kind == SYM_SKETCH)
			sbuf_printf(out, " key %2u B", o->o->key_size);
		else if (o->o->kind == SYM_VECTOR)
			sbuf_printf(out, " rec %2u B", o->o->key_size);
		else
			sbuf_adds(out, "         ");
		sbuf_printf(out, "  %-13s %s%s\n", o->written ? "read-write" : o->read ? "read-only" :
			    "unused", o->site, o->filled ? ", filled in nf_init" : "");
	}
}

int
analysis_format_accesses(const struct analysis *a, const char *object, struct sbuf *out,
			 struct err *e)
{
	int only = -1;

	if (object) {
		only = analysis_object(a, object);
		if (only < 0)
			return err_set(e, -ENOENT, "no state object named '%s' (show objects lists them)",
				       object);
	}
	for (uint32_t i = 0; i < a->n_objects; i++) {
		if (only >= 0 && (int)i != only)
			continue;
		sbuf_printf(out, "%s (%s, %s)\n", a->objects[i].o->name,
			    sym_kind_name(a->objects[i].o->kind), a->objects[i].site);
		for (uint32_t k = 0; k < a->n_accesses; k++) {
			const struct analysis_access *x = &a->accesses[k];
			size_t start;

			if (x->obj != i)
				continue;
			start = out->len;
			sbuf_adds(out, "  ");
			ports_text(a, x->ports, out);
			while (out->len - start < 12)
				sbuf_adds(out, " ");
			sbuf_printf(out, "%-6s %-19s %-12s key: ", sym_op_name(x->op), x->call, x->site);
			key_text(x, out);
			sbuf_adds(out, "\n");
		}
	}
	return 0;
}

/* ---- results ---- */

static struct val *
fields_val(const struct analysis_access *x)
{
	struct val *f = val_arr();

	for (uint32_t k = 0; k < x->n_key; k++)
		val_push(f, val_str(x->key[k].text));
	return f;
}

struct val *
analysis_objects_val(const struct analysis *a)
{
	struct val *objs = val_obj();

	for (uint32_t i = 0; i < a->n_objects; i++) {
		const struct analysis_object *o = &a->objects[i];
		struct val *v = val_obj(), *keys = val_arr();

		val_set_str(v, "kind", sym_kind_name(o->o->kind));
		val_set_int(v, "capacity", o->o->capacity);
		val_set_str(v, "access", o->written ? "rw" : "r");
		val_set_str(v, "site", o->site);
		val_set_bool(v, "filled", o->filled);
		if (o->o->kind == SYM_MAP || o->o->kind == SYM_SKETCH || o->o->kind == SYM_VECTOR)
			val_set_int(v, o->o->kind == SYM_VECTOR ? "record_size" : "key_size",
				    o->o->key_size);
		for (uint32_t k = 0; k < a->n_accesses; k++) {
			const struct analysis_access *x = &a->accesses[k];

			if (x->obj != i)
				continue;
			for (unsigned p = 0; p < a->n_ports; p++) {
				struct val *kv;

				if (!(x->ports & (1u << p)))
					continue;
				kv = val_obj();
				val_set_str(kv, "port", a->ports[p]);
				val_set_str(kv, "op", sym_op_name(x->op));
				val_set_str(kv, "call", x->call);
				val_set(kv, "fields", fields_val(x));
				val_set_str(kv, "site", x->site);
				val_push(keys, kv);
			}
		}
		val_set(v, "keys", keys);
		val_set(objs, o->o->name, v);
	}
	return objs;
}

struct val *
analysis_accesses_val(const struct analysis *a, const char *object)
{
	struct val *arr;
	int only = -1;

	if (object) {
		only = analysis_object(a, object);
		if (only < 0)
			return NULL;
	}
	arr = val_arr();
	for (uint32_t k = 0; k < a->n_accesses; k++) {
		const struct analysis_access *x = &a->accesses[k];
		struct val *v, *ports;

		if (only >= 0 && (int)x->obj != only)
			continue;
		v = val_obj();
		ports = val_arr();
		val_set_str(v, "object", a->objects[x->obj].o->name);
		val_set_str(v, "call", x->call);
		val_set_str(v, "op", sym_op_name(x->op));
		for (unsigned p = 0; p < a->n_ports; p++) {
			if (x->ports & (1u << p))
				val_push(ports, val_str(a->ports[p]));
		}
		val_set(v, "ports", ports);
		val_set(v, "fields", fields_val(x));
		val_set_str(v, "site", x->site);
		val_set_int(v, "paths", x->n_paths);
		val_push(arr, v);
	}
	return arr;
}

struct val *
analysis_path_val(const struct analysis *a, uint32_t n)
{
	const struct analysis_path *ap;
	struct val *v, *ports, *writes, *events;
	char where[64];

	if (n >= a->n_paths)
		return NULL;
	ap = &a->paths[n];
	v = val_obj();
	val_set_int(v, "id", n);
	ports = val_arr();
	for (unsigned p = 0; p < a->n_ports; p++) {
		if (ap->ports & (1u << p))
			val_push(ports, val_str(a->ports[p]));
	}
	val_set(v, "ports", ports);
	val_set_str(v, "summary", ap->summary);
	val_set_str(v, "verdict", ap->verdict);
	loc(a, ap->p->file, ap->p->line, where, sizeof where);
	val_set_str(v, "site", where);
	writes = val_arr();
	for (uint32_t i = 0; i < ap->n_writes; i++)
		val_push(writes, val_str(ap->writes[i]));
	val_set(v, "writes", writes);
	events = val_arr();
	for (uint32_t i = 0; i < ap->p->n_events; i++) {
		const struct sym_event *ev = &ap->p->events[i];
		struct val *ev_v = val_obj();

		val_set_str(ev_v, "call", ev->call);
		val_set_str(ev_v, "object", a->objects[ev->obj].o->name);
		val_set_str(ev_v, "op", sym_op_name(ev->op));
		if (ev->outcome)
			val_set_str(ev_v, "outcome", ev->outcome);
		loc(a, ev->file, ev->line, where, sizeof where);
		val_set_str(ev_v, "site", where);
		val_push(events, ev_v);
	}
	val_set(v, "events", events);
	return v;
}

struct val *
analysis_paths_val(const struct analysis *a)
{
	struct val *arr = val_arr();

	for (uint32_t i = 0; i < a->n_paths; i++)
		val_push(arr, analysis_path_val(a, i));
	return arr;
}

struct val *
analysis_to_val(const struct analysis *a)
{
	struct val *v = val_obj(), *ports = val_arr();

	val_set_str(v, "nf", a->nf);
	for (unsigned p = 0; p < a->n_ports; p++)
		val_push(ports, val_str(a->ports[p]));
	val_set(v, "ports", ports);
	val_set_int(v, "paths", a->n_paths);
	val_set_num(v, "seconds", a->seconds);
	val_set_num(v, "compile_seconds", a->compile_seconds);
	val_set_int(v, "instructions", (int64_t)a->sym->steps);
	val_set_int(v, "solver_checks", (int64_t)a->sym->checks);
	val_set_int(v, "z3_checks", (int64_t)a->solved);
	val_set_int(v, "model_hits", (int64_t)a->from_models);
	val_set(v, "objects", analysis_objects_val(a));
	val_set(v, "accesses", analysis_accesses_val(a, NULL));
	val_set(v, "path_list", analysis_paths_val(a));
	return v;
}
