/*
** shard: constraints between packets and the shared-nothing / locks verdict (see shard.h).
**
** Every state call on every path is an instance. Its key is resolved to what names the entry:
** packet bytes (a field, a masked field, a function of fields), a map's key (the key of the
** map_get whose value it is, or of the map_put that filed a freshly allocated index), the whole
** object (cht_find reads every backend), or state nothing ties to the packet. Instances of one
** object with the same resolved key form a class; every pair of classes of a written object
** gives a constraint, or a reason for locks.
*/
#include "engine/shard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"
#include "engine/smt.h"
#include "engine/xalloc.h"

static const char *const fnames[SHARD_NFIELDS] = { "ipv4.src", "ipv4.dst", "l4.sport", "l4.dport" };
static const unsigned foff[SHARD_NFIELDS] = { 0, 4, 8, 10 };

const char *
shard_field_name(enum shard_field f)
{
	return f < SHARD_NFIELDS ? fnames[f] : "?";
}

static int
field_id(const char *name)
{
	for (int f = 0; f < SHARD_NFIELDS; f++) {
		if (!strcmp(fnames[f], name))
			return f;
	}
	return -1;
}

/* ---- resolved keys ---- */

enum dkind {
	D_NONE,		/* no key: a maintenance call (expiry) */
	D_PACKET,	/* bytes of the packet (fields, masked fields, functions of them) */
	D_VIA,		/* the entry of a map's key: a value that map holds, or an index filed in it */
	D_FRESH,	/* an index allocated here and filed nowhere */
	D_ALL,		/* the whole object (cht_find reads every backend of its chain) */
	D_STATE		/* a value read from state that no packet field names */
};

struct desig {
	enum dkind kind;
	uint32_t space;		/* D_PACKET: the object; D_VIA: the map; D_FRESH: the chain */
	uint32_t path, event;	/* D_PACKET, D_VIA: the call whose key bytes these are */
	const struct sym_event *src;	/* D_STATE: the call the value came from */
};

struct site {
	const char *call;
	char where[64];
	enum sym_op op;
	uint32_t ports;
};

#define MAX_SITES 6

/* Instances of one object with the same resolved key. */
struct cls {
	uint32_t obj;
	struct desig d;
	char sig[400];
	uint32_t ports;
	bool write;
	bool resolved;		/* D_PACKET index settled by a tie: no pairs of its own */
	uint32_t n_sites;
	struct site sites[MAX_SITES];
};

struct ctx {
	struct analysis *a;
	struct smt *smt;
	struct shard *sh;
	struct cls *cls;
	uint32_t n_cls, cap_cls;
	struct shard_constraint *raw;	/* before duplicates and implied ones go */
	uint32_t n_raw, cap_raw;
	char **nonhash;		/* non-hashable fields left out of keys that have hashable ones */
	uint32_t n_nonhash;
	struct bad *bad;	/* by object: keys no sharding can follow */
};

/* Why an object's keys cannot be followed, gathered over its pairs and said once. */
struct bad {
	bool any, global, state;
	struct sbuf keys, fields, sites;
	struct sbuf from, at;	/* state: the calls the indices came from; where they are used */
};

static void
reason(struct ctx *c, bool blocks, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
reason(struct ctx *c, bool blocks, const char *fmt, ...)
{
	struct shard *sh = c->sh;
	struct sbuf sb = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	for (uint32_t i = 0; i < sh->n_reasons; i++) {
		if (!strcmp(sh->reasons[i].text, sbuf_str(&sb))) {
			sbuf_release(&sb);
			return;
		}
	}
	sh->reasons = xrealloc(sh->reasons, (sh->n_reasons + 1) * sizeof *sh->reasons);
	sh->reasons[sh->n_reasons].blocks = blocks;
	sh->reasons[sh->n_reasons++].text = sbuf_detach(&sb);
}

static const char *
obj_name(const struct ctx *c, uint32_t obj)
{
	return c->a->sym->objects[obj].name;
}

static void
ports_text(const struct analysis *a, uint32_t ports, struct sbuf *out)
{
	bool first = true;

	for (unsigned p = 0; p < a->n_ports; p++) {
		if (!(ports & 1u << p))
			continue;
		sbuf_printf(out, "%s%s", first ? "" : ",", a->ports[p]);
		first = false;
	}
	if (first)
		sbuf_adds(out, "-");
}

/* Adds the variables of 'e' not yet in vars[0..n) (up to 'max'); returns the new count. */
static uint32_t
vars_in(struct smt *s, smt_t e, smt_t *vars, uint32_t n, uint32_t max)
{
	smt_t tmp[64];
	size_t k = smt_vars(s, e, tmp, 64);

	for (size_t i = 0; i < k && i < 64; i++) {
		bool seen = false;

		for (uint32_t j = 0; j < n && !seen; j++)
			seen = smt_id(s, vars[j]) == smt_id(s, tmp[i]);
		if (!seen && n < max)
			vars[n++] = tmp[i];
	}
	return n;
}

static bool
is_meta(struct smt *s, smt_t v)
{
	const char *n = smt_name(s, v);

	return n && (!strcmp(n, "len") || !strcmp(n, "port") || !strcmp(n, "now"));
}

/* The state variable a key is made of, or NULL; *several: more than one (record bytes). */
static smt_t
state_var(struct ctx *c, const struct sym_event *ev, bool *several)
{
	smt_t vars[64], found = NULL;
	uint32_t n = 0;

	*several = false;
	for (uint32_t k = 0; k < ev->n_key; k++)
		n = vars_in(c->smt, ev->key[k], vars, n, 64);
	for (uint32_t i = 0; i < n; i++) {
		if (sym_pbyte_of(c->a->sym, vars[i]) || is_meta(c->smt, vars[i]))
			continue;
		if (found && smt_id(c->smt, found) != smt_id(c->smt, vars[i]))
			*several = true;
		else
			found = vars[i];
	}
	return found;
}

/* The event of path 'p' that returned variable 'v'; -1 if none. */
static int
event_of_var(struct ctx *c, const struct sym_path *p, smt_t v)
{
	unsigned id = smt_id(c->smt, v);

	for (uint32_t i = 0; i < p->n_events; i++) {
		for (uint32_t k = 0; k < p->events[i].n_out; k++) {
			if (smt_id(c->smt, p->events[i].out[k]) == id)
				return (int)i;
		}
	}
	return -1;
}

/* Whether 'e' is made of variable 'v' alone (an index stored as is, or widened). */
static bool
only_var(struct ctx *c, smt_t e, smt_t v)
{
	smt_t vars[4];
	uint32_t n;

	if (!e)
		return false;
	n = vars_in(c->smt, e, vars, 0, 4);
	return n == 1 && smt_id(c->smt, vars[0]) == smt_id(c->smt, v);
}

static bool
key_has(const struct analysis_field *key, uint32_t n, enum analysis_fkind kind)
{
	for (uint32_t k = 0; k < n; k++) {
		if (key[k].kind == kind)
			return true;
	}
	return false;
}

static void desig_of(struct ctx *c, uint32_t pi, uint32_t ei, struct desig *d, int depth);

/* An index allocated on path 'pi' by event 'ai': the map entry it was filed under, if any. */
static void
desig_fresh(struct ctx *c, uint32_t pi, uint32_t ai, struct desig *d, int depth)
{
	const struct sym_path *p = c->a->paths[pi].p;
	const struct sym_event *al = &p->events[ai];

	d->kind = D_FRESH;
	d->space = al->obj;
	if (al->n_out == 0)
		return;
	for (uint32_t i = 0; i < p->n_events; i++) {
		const struct sym_event *ev = &p->events[i];

		if (strcmp(ev->call, "map_put") || !only_var(c, ev->value, al->out[0]))
			continue;
		desig_of(c, pi, i, d, depth + 1);
		if (d->kind == D_PACKET) {
			d->kind = D_VIA;
			d->space = ev->obj;
		}
		return;
	}
}

static void
desig_of(struct ctx *c, uint32_t pi, uint32_t ei, struct desig *d, int depth)
{
	const struct analysis_path *ap = &c->a->paths[pi];
	const struct sym_event *ev = &ap->p->events[ei];
	const struct analysis_field *key = ap->keys[ei];
	bool several;
	smt_t v;
	int si;

	memset(d, 0, sizeof *d);
	d->path = pi;
	d->event = ei;
	d->space = ev->obj;
	if (depth > 4) {
		d->kind = D_STATE;
		d->src = ev;
		return;
	}
	if (ev->n_key == 0) {
		if (!strcmp(ev->call, "dchain_allocate"))
			desig_fresh(c, pi, ei, d, depth);
		else
			d->kind = D_NONE;
		return;
	}
	if (!key_has(key, ev->n_key, AF_STATE)) {
		d->kind = D_PACKET;
		return;
	}
	/* A value read from state: where it came from names the entry. */
	d->kind = D_STATE;
	d->src = ev;
	v = state_var(c, ev, &several);
	si = v ? event_of_var(c, ap->p, v) : -1;
	if (si < 0)
		return;
	const struct sym_event *src = &ap->p->events[si];

	d->src = src;
	if (several || key_has(key, ev->n_key, AF_PACKET) || key_has(key, ev->n_key, AF_DERIVED))
		return;
	if (!strcmp(src->call, "dchain_allocate")) {
		desig_fresh(c, pi, (uint32_t)si, d, depth);
		return;
	}
	if (!strcmp(src->call, "map_get") && src->n_out && smt_id(c->smt, src->out[0]) ==
	    smt_id(c->smt, v)) {
		struct desig m;

		desig_of(c, pi, (uint32_t)si, &m, depth + 1);
		if (m.kind == D_PACKET) {
			*d = m;
			d->kind = D_VIA;
			d->space = src->obj;
		} else if (m.kind == D_VIA) {
			*d = m;
		}
	}
}

/* ---- classes ---- */

static void
key_sig(const struct analysis *a, const struct desig *d, struct sbuf *out)
{
	const struct sym_event *ev = &a->paths[d->path].p->events[d->event];
	const struct analysis_field *key = a->paths[d->path].keys[d->event];

	for (uint32_t k = 0; k < ev->n_key; k++)
		sbuf_printf(out, "%s%s", k ? " " : "", key[k].text);
}

static void
add_site(struct cls *x, const struct analysis *a, const struct sym_event *ev, uint32_t ports)
{
	char where[64];

	analysis_site(a, ev->file, ev->line, where, sizeof where);
	for (uint32_t i = 0; i < x->n_sites; i++) {
		if (x->sites[i].call == ev->call && !strcmp(x->sites[i].where, where)) {
			x->sites[i].ports |= ports;
			return;
		}
	}
	if (x->n_sites == MAX_SITES)
		return;
	x->sites[x->n_sites].call = ev->call;
	x->sites[x->n_sites].op = ev->op;
	x->sites[x->n_sites].ports = ports;
	snprintf(x->sites[x->n_sites++].where, 64, "%s", where);
}

static void
add_instance(struct ctx *c, uint32_t obj, const struct desig *d, const struct sym_event *ev,
	     uint32_t ports)
{
	struct sbuf sb = SBUF_INIT;
	struct cls *x = NULL;

	sbuf_printf(&sb, "%d/%u/", d->kind, d->space);
	if (d->kind == D_PACKET || d->kind == D_VIA)
		key_sig(c->a, d, &sb);
	else if (d->kind == D_STATE && d->src)
		sbuf_printf(&sb, "%s/%u/%u", d->src->call, d->src->obj, d->src->line);
	for (uint32_t i = 0; i < c->n_cls; i++) {
		if (c->cls[i].obj == obj && !strcmp(c->cls[i].sig, sbuf_str(&sb))) {
			x = &c->cls[i];
			break;
		}
	}
	if (!x) {
		if (c->n_cls == c->cap_cls) {
			c->cap_cls = c->cap_cls ? 2 * c->cap_cls : 32;
			c->cls = xrealloc(c->cls, c->cap_cls * sizeof *c->cls);
		}
		x = &c->cls[c->n_cls++];
		memset(x, 0, sizeof *x);
		x->obj = obj;
		x->d = *d;
		snprintf(x->sig, sizeof x->sig, "%s", sbuf_str(&sb));
	}
	sbuf_release(&sb);
	x->ports |= ports;
	x->write |= ev->op != SYM_READ;
	add_site(x, c->a, ev, ports);
}

static bool
maintenance(const struct sym_event *ev)
{
	return !strcmp(ev->call, "expire_items") || !strcmp(ev->call, "sketch_expire");
}

static void
collect(struct ctx *c)
{
	struct analysis *a = c->a;

	for (uint32_t pi = 0; pi < a->n_paths; pi++) {
		const struct sym_path *p = a->paths[pi].p;

		for (uint32_t ei = 0; ei < p->n_events; ei++) {
			const struct sym_event *ev = &p->events[ei];
			struct desig d;

			if (maintenance(ev))
				continue;
			desig_of(c, pi, ei, &d, 0);
			if (d.kind != D_NONE)
				add_instance(c, ev->obj, &d, ev, p->ports);
			/* cht_find picks among every live backend of its chain */
			if (!strcmp(ev->call, "cht_find") && ev->also[0] != UINT32_MAX) {
				memset(&d, 0, sizeof d);
				d.kind = D_ALL;
				d.space = ev->also[0];
				d.src = ev;
				add_instance(c, ev->also[0], &d, ev, p->ports);
			}
		}
	}
}

/* "map_put fw.c:98 (lan)" for the first sites of a class. */
static void
sites_text(const struct ctx *c, const struct cls *x, bool writes_only, struct sbuf *out)
{
	bool first = true;

	for (uint32_t i = 0; i < x->n_sites; i++) {
		if (writes_only && x->sites[i].op == SYM_READ)
			continue;
		sbuf_printf(out, "%s%s %s on ", first ? "" : ", ", x->sites[i].call, x->sites[i].where);
		ports_text(c->a, x->sites[i].ports, out);
		first = false;
	}
}

static void
key_text(const struct ctx *c, const struct cls *x, struct sbuf *out)
{
	if (x->d.kind == D_PACKET || x->d.kind == D_VIA) {
		key_sig(c->a, &x->d, out);
		if (x->d.kind == D_VIA)
			sbuf_printf(out, " (through %s)", obj_name(c, x->d.space));
	} else {
		sbuf_adds(out, "-");
	}
}

/* ---- constraints ---- */

static int
pair_cmp(const void *pa, const void *pb)
{
	const struct shard_pair *x = pa, *y = pb;

	if (x->fa != y->fa)
		return x->fa - y->fa;
	if (x->ba != y->ba)
		return x->ba - y->ba;
	if (x->fb != y->fb)
		return x->fb - y->fb;
	if (x->bb != y->bb)
		return x->bb - y->bb;
	return x->mask - y->mask;
}

/* Sorted, one entry per byte pair (masks joined). */
static void
pairs_norm(struct shard_pair *p, uint32_t *n)
{
	uint32_t w = 0;

	qsort(p, *n, sizeof *p, pair_cmp);
	for (uint32_t i = 0; i < *n; i++) {
		if (w && p[w - 1].fa == p[i].fa && p[w - 1].ba == p[i].ba && p[w - 1].fb == p[i].fb &&
		    p[w - 1].bb == p[i].bb) {
			p[w - 1].mask |= p[i].mask;
			continue;
		}
		p[w++] = p[i];
	}
	*n = w;
}

static void
pairs_mirror(struct shard_pair *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct shard_pair t = p[i];

		p[i].fa = t.fb;
		p[i].ba = t.bb;
		p[i].fb = t.fa;
		p[i].bb = t.ba;
	}
	pairs_norm(p, &n);
}

static int
pairs_cmp(const struct shard_pair *x, uint32_t nx, const struct shard_pair *y, uint32_t ny)
{
	for (uint32_t i = 0; i < nx && i < ny; i++) {
		int r = pair_cmp(&x[i], &y[i]);
		if (r)
			return r;
	}
	return (int)nx - (int)ny;
}

static void
add_raw(struct ctx *c, unsigned pa, unsigned pb, const struct shard_pair *pairs, uint32_t n,
	const char *source, bool tie)
{
	struct shard_constraint *k;

	if (n == 0)
		return;
	if (c->n_raw == c->cap_raw) {
		c->cap_raw = c->cap_raw ? 2 * c->cap_raw : 32;
		c->raw = xrealloc(c->raw, c->cap_raw * sizeof *c->raw);
	}
	k = &c->raw[c->n_raw++];
	memset(k, 0, sizeof *k);
	k->pairs = xmalloc(n * sizeof *k->pairs);
	memcpy(k->pairs, pairs, n * sizeof *pairs);
	k->n_pairs = n;
	pairs_norm(k->pairs, &k->n_pairs);
	if (pa > pb) {
		unsigned t = pa;
		pa = pb;
		pb = t;
		pairs_mirror(k->pairs, k->n_pairs);
	} else if (pa == pb) {
		/* Two packets of one port: either may be called p. */
		struct shard_pair *m = xmalloc(n * sizeof *m);

		memcpy(m, k->pairs, k->n_pairs * sizeof *m);
		pairs_mirror(m, k->n_pairs);
		if (pairs_cmp(m, k->n_pairs, k->pairs, k->n_pairs) < 0)
			memcpy(k->pairs, m, k->n_pairs * sizeof *m);
		free(m);
	}
	k->port_a = pa;
	k->port_b = pb;
	k->tie = tie;
	k->sources = xmalloc(sizeof *k->sources);
	k->sources[0] = xstrdup(source);
	k->n_sources = 1;
}

static void
note_nonhash(struct ctx *c, const char *field)
{
	for (uint32_t i = 0; i < c->n_nonhash; i++) {
		if (!strcmp(c->nonhash[i], field))
			return;
	}
	c->nonhash = xrealloc(c->nonhash, (c->n_nonhash + 1) * sizeof *c->nonhash);
	c->nonhash[c->n_nonhash++] = xstrdup(field);
}

/* The packet byte variables of 'e' that are bytes of a hashable field. */
static uint32_t
hashable_vars(struct ctx *c, smt_t e, smt_t *out, uint32_t n, uint32_t max)
{
	smt_t vars[64];
	uint32_t nv = vars_in(c->smt, e, vars, 0, 64);

	for (uint32_t i = 0; i < nv; i++) {
		char f[16];
		int b;

		if (!sym_pbyte_of(c->a->sym, vars[i]))
			continue;
		analysis_pbyte_field(c->a, vars[i], f, &b);
		if (field_id(f) < 0 || b < 0)
			continue;
		bool dup = false;

		for (uint32_t k = 0; k < n; k++)
			dup |= smt_id(c->smt, out[k]) == smt_id(c->smt, vars[i]);
		if (!dup && n < max)
			out[n++] = vars[i];
	}
	return n;
}

/* The whole-byte equalities between fields that key_x(p) = key_y(q) forces, asked of the
** solver: for keys that are functions of fields (an offset index, a sum), not fields. */
static uint32_t
solver_pairs(struct ctx *c, const struct sym_event *ex, const struct sym_event *ey,
	     struct shard_pair *out, uint32_t n, uint32_t max)
{
	struct smt *s = c->smt;
	smt_t xv[16], yv[16], yq[16], eq = smt_bool(s, true);
	uint32_t nx = 0, ny = 0;

	for (uint32_t k = 0; k < ex->n_key; k++)
		nx = hashable_vars(c, ex->key[k], xv, nx, 16);
	for (uint32_t k = 0; k < ey->n_key; k++)
		ny = hashable_vars(c, ey->key[k], yv, ny, 16);
	if (!nx || !ny)
		return n;
	/* q's bytes are other variables than p's */
	for (uint32_t i = 0; i < ny; i++) {
		char name[96];

		snprintf(name, sizeof name, "q:%s", smt_name(s, yv[i]));
		yq[i] = smt_var(s, name, 8);
	}
	for (uint32_t k = 0; k < ex->n_key; k++)
		eq = smt_and(s, eq, smt_cmp(s, SMT_EQ, ex->key[k], smt_subst(s, ey->key[k], yv, yq, ny)));
	for (uint32_t i = 0; i < nx; i++) {
		for (uint32_t j = 0; j < ny && n < max; j++) {
			smt_t q[2] = { eq, smt_cmp(s, SMT_NE, xv[i], yq[j]) };
			char fx[16], fy[16];
			int bx, by;

			if (smt_check(s, q, 2) != SMT_UNSAT)
				continue;
			analysis_pbyte_field(c->a, xv[i], fx, &bx);
			analysis_pbyte_field(c->a, yv[j], fy, &by);
			out[n++] = (struct shard_pair){ (uint8_t)field_id(fx), (uint8_t)bx,
				(uint8_t)field_id(fy), (uint8_t)by, 0xff };
		}
	}
	return n;
}

enum eqres { EQ_NEVER, EQ_PAIRS };

#define SHARD_MAX_PAIRS 144	/* 12 hashed bytes by 12: any more repeat a pair */

/* What key_x(p) = key_y(q) forces: EQ_NEVER when the keys cannot be equal (different
** constants), else the hashable byte pairs (maybe none). *why gets the bytes left out. */
static enum eqres
implied(struct ctx *c, const struct cls *x, const struct cls *y, struct shard_pair *out,
	uint32_t *n, struct sbuf *why, bool *all_const)
{
	const struct analysis *a = c->a;
	const struct sym_event *ex = &a->paths[x->d.path].p->events[x->d.event];
	const struct sym_event *ey = &a->paths[y->d.path].p->events[y->d.event];
	const struct analysis_field *kx = a->paths[x->d.path].keys[x->d.event];
	const struct analysis_field *ky = a->paths[y->d.path].keys[y->d.event];
	uint32_t nk = ex->n_key < ey->n_key ? ex->n_key : ey->n_key;
	bool derived = false, cx = true, cy = true;

	*n = 0;
	for (uint32_t k = 0; k < nk; k++) {
		const struct analysis_field *fx = &kx[k], *fy = &ky[k];
		int ix = field_id(fx->field), iy = field_id(fy->field);

		cx &= fx->kind == AF_CONST;
		cy &= fy->kind == AF_CONST;
		if (fx->kind == AF_CONST && fy->kind == AF_CONST) {
			if (fx->value != fy->value)
				return EQ_NEVER;
			continue;
		}
		derived |= fx->kind == AF_DERIVED || fy->kind == AF_DERIVED;
		if (fx->kind == AF_PACKET && fy->kind == AF_PACKET && ix >= 0 && iy >= 0 &&
		    fx->byte >= 0 && fy->byte >= 0 && (fx->mask & fy->mask)) {
			if (*n == SHARD_MAX_PAIRS)
				continue;	/* a key repeating fields: the rest add nothing new */
			out[(*n)++] = (struct shard_pair){ (uint8_t)ix, (uint8_t)fx->byte, (uint8_t)iy,
				(uint8_t)fy->byte, (uint8_t)(fx->mask & fy->mask) };
			continue;
		}
		for (int side = 0; side < 2; side++) {
			const struct analysis_field *f = side ? fy : fx;
			char t[40];

			/* a function of fields: the solver says below what it keeps */
			if (f->kind == AF_CONST || f->kind == AF_DERIVED ||
			    (f->kind == AF_PACKET && field_id(f->field) >= 0))
				continue;
			if (f->kind == AF_PACKET)
				snprintf(t, sizeof t, "%s", f->field);
			else
				snprintf(t, sizeof t, "%.32s", f->text);
			if (!strstr(sbuf_str(why), t))
				sbuf_printf(why, "%s%s", why->len ? "|" : "", t);
		}
	}
	if (derived) {
		uint32_t before = *n;

		*n = solver_pairs(c, ex, ey, out, *n, SHARD_MAX_PAIRS);
		if (*n == before && !strstr(sbuf_str(why), "a function"))
			sbuf_printf(why, "%sa function that keeps no field whole", why->len ? "|" : "");
	}
	pairs_norm(out, n);
	*all_const = cx || cy;
	return EQ_PAIRS;
}

/* "f(ipv4.src)": a function of these fields, in a few words. */
static void
derived_words(const struct ctx *c, smt_t e, char *w, size_t size)
{
	struct sbuf sb = SBUF_INIT;
	smt_t vars[32];
	uint32_t n = vars_in(c->smt, e, vars, 0, 32);

	for (uint32_t i = 0; i < n; i++) {
		char f[16];
		int b;

		if (!sym_pbyte_of(c->a->sym, vars[i]))
			continue;
		analysis_pbyte_field(c->a, vars[i], f, &b);
		if (!strstr(sbuf_str(&sb), f))
			sbuf_printf(&sb, "%s%s", sb.len ? "," : "", f);
	}
	snprintf(w, size, "f(%s)", sb.len ? sbuf_str(&sb) : "?");
	sbuf_release(&sb);
}

/* A key in few words: "eth.src", "ipv4.src&mask", "const", "f(ipv4.src)". */
static void
key_words(const struct ctx *c, const struct cls *x, struct sbuf *out)
{
	const struct sym_event *ev = &c->a->paths[x->d.path].p->events[x->d.event];
	const struct analysis_field *key = c->a->paths[x->d.path].keys[x->d.event];
	char last[40] = "";

	for (uint32_t k = 0; k < ev->n_key; k++) {
		char w[40];

		if (key[k].kind == AF_PACKET)
			snprintf(w, sizeof w, "%s%s", key[k].field, key[k].mask != 0xff ? "&mask" : "");
		else if (key[k].kind == AF_CONST)
			snprintf(w, sizeof w, "const");
		else if (key[k].kind == AF_DERIVED)
			derived_words(c, ev->key[k], w, sizeof w);
		else
			snprintf(w, sizeof w, "%.36s", key[k].text);
		if (!strcmp(w, last))
			continue;
		if (strcmp(w, "const") || !last[0] || k + 1 == ev->n_key || strcmp(last, "const"))
			sbuf_printf(out, "%s%s", last[0] ? " " : "", w);
		snprintf(last, sizeof last, "%s", w);
	}
	if (x->d.kind == D_VIA)
		sbuf_printf(out, " (through %s)", obj_name(c, x->d.space));
}

static void
add_word(struct sbuf *sb, const char *w)
{
	if (!w[0] || strstr(sbuf_str(sb), w))
		return;
	sbuf_printf(sb, "%s%s", sb->len ? ", " : "", w);
}

static void
pair_classes(struct ctx *c, const struct cls *x, const struct cls *y)
{
	const struct analysis *a = c->a;
	struct shard_pair pairs[SHARD_MAX_PAIRS];
	struct sbuf why = SBUF_INIT, src = SBUF_INIT, kt = SBUF_INIT;
	uint32_t n;
	bool all_const;

	if (implied(c, x, y, pairs, &n, &why, &all_const) == EQ_NEVER)
		goto out;
	sbuf_printf(&src, "%s: ", obj_name(c, x->obj));
	sites_text(c, x, false, &src);
	if (x != y) {
		sbuf_adds(&src, " ~ ");
		sites_text(c, y, false, &src);
	}
	if (n == 0) {
		struct bad *b = &c->bad[x->obj];
		struct sbuf st = SBUF_INIT;

		b->any = true;
		b->global |= all_const;
		key_words(c, x, &kt);
		add_word(&b->keys, sbuf_str(&kt));
		sbuf_reset(&kt);
		key_words(c, y, &kt);
		add_word(&b->keys, sbuf_str(&kt));
		{
			char *t = xstrdup(sbuf_str(&why)), *q = NULL;

			for (char *tok = strtok_r(t, "|", &q); tok; tok = strtok_r(NULL, "|", &q))
				add_word(&b->fields, tok);
			free(t);
		}
		sites_text(c, x, false, &st);
		add_word(&b->sites, sbuf_str(&st));
		sbuf_reset(&st);
		sites_text(c, y, false, &st);
		add_word(&b->sites, sbuf_str(&st));
		sbuf_release(&st);
		goto out;
	}
	if (why.len) {
		/* Left out of a key that has hashable fields: asks more of the sharding, not less. */
		char *t = sbuf_detach(&why), *q = t;

		for (char *tok = strtok_r(t, "|", &q); tok; tok = strtok_r(NULL, "|", &q))
			note_nonhash(c, tok);
		free(t);
	}
	for (unsigned pa = 0; pa < a->n_ports; pa++) {
		if (!(x->ports & 1u << pa))
			continue;
		for (unsigned pb = 0; pb < a->n_ports; pb++) {
			if (y->ports & 1u << pb)
				add_raw(c, pa, pb, pairs, n, sbuf_str(&src), false);
		}
	}
out:
	sbuf_release(&why);
	sbuf_release(&src);
	sbuf_release(&kt);
}

/* ---- ties: an index the packet names, checked against what is stored there ---- */

struct tie {
	uint32_t rec;		/* the vector whose record the path read */
	uint32_t byte;		/* of the record */
	int field, fbyte;	/* the packet byte it was checked equal to */
	uint32_t after;		/* events before the last condition that checks it */
	char where[64];		/* that condition */
};

struct ptie {
	bool done;
	uint32_t n;
	struct tie t[32];
};

static bool
mentions(struct ctx *c, smt_t e, smt_t v)
{
	smt_t vars[64];
	uint32_t n = vars_in(c->smt, e, vars, 0, 64);

	for (uint32_t i = 0; i < n; i++) {
		if (smt_id(c->smt, vars[i]) == smt_id(c->smt, v))
			return true;
	}
	return false;
}

/* A key of packet bytes (and constants), nothing read from state. */
static bool
raw_key(const struct analysis_field *key, uint32_t n)
{
	return n > 0 && !key_has(key, n, AF_STATE);
}

/* Whether 'e' only packet bytes (or only state) make up. 1: packet, 2: state, 0: mixed. */
static int
made_of(struct ctx *c, smt_t e)
{
	smt_t vars[32];
	uint32_t n = vars_in(c->smt, e, vars, 0, 32);
	bool pkt = false, state = false;

	for (uint32_t i = 0; i < n; i++) {
		if (sym_pbyte_of(c->a->sym, vars[i]))
			pkt = true;
		else if (!is_meta(c->smt, vars[i]))
			state = true;
		else
			return 0;
	}
	return pkt && !state ? 1 : state && !pkt ? 2 : 0;
}

/* A comparison of a value from state with one from the packet: (a = b), not (a = b). */
static bool
is_check(struct ctx *c, smt_t e)
{
	struct smt *s = c->smt;
	int l, r;

	while (smt_kind(s, e, NULL) == SMT_K_NOT)
		e = smt_arg(s, e, 0);
	if (smt_kind(s, e, NULL) != SMT_K_CMP || smt_nargs(s, e) != 2)
		return false;
	l = made_of(c, smt_arg(s, e, 0));
	r = made_of(c, smt_arg(s, e, 1));
	return (l == 1 && r == 2) || (l == 2 && r == 1);
}

/* The record bytes path 'pi' reads at an index from the packet and finds equal to packet
** fields: (record byte, field byte) for each such byte its conditions force. */
static void
path_ties(struct ctx *c, uint32_t pi, struct ptie *pt)
{
	struct analysis *a = c->a;
	const struct sym_path *p = a->paths[pi].p;
	struct smt *s = c->smt;
	smt_t *conds = xmalloc((p->n_conds + 4) * sizeof *conds);
	uint32_t nc = 0;


	pt->done = true;
	for (int i = 0; i < 3; i++)
		conds[nc++] = a->base[i];
	for (uint32_t i = 0; i < p->n_conds; i++)
		conds[nc++] = p->conds[i].e;
	for (uint32_t ei = 0; ei < p->n_events; ei++) {
		const struct sym_event *ev = &p->events[ei];

		if (strcmp(ev->call, "vector_get") ||
		    !raw_key(a->paths[pi].keys[ei], ev->n_key))
			continue;
		for (uint32_t b = 0; b < ev->n_out && pt->n < 32; b++) {
			smt_t cand[16];
			uint32_t ncand = 0, after = 0, upto = 3;
			char where[64] = "";

			for (uint32_t k = 0; k < p->n_conds; k++) {
				/* Only comparisons of stored bytes with packet bytes: a checksum over
				** the entry ties nothing and would only cost solver time. */
				if (p->conds[k].assumed || !is_check(c, p->conds[k].e) ||
				    !mentions(c, p->conds[k].e, ev->out[b]))
					continue;
				ncand = hashable_vars(c, p->conds[k].e, cand, ncand, 16);
				after = p->conds[k].after;
				upto = 3 + k + 1;
				analysis_site(a, p->conds[k].file, p->conds[k].line, where, sizeof where);
			}
			for (uint32_t k = 0; k < ncand && pt->n < 32; k++) {
				char f[16];
				int fb;

				/* the conditions up to the last check of this byte decide it */
				smt_t keep = conds[upto];

				conds[upto] = smt_cmp(s, SMT_NE, ev->out[b], cand[k]);
				enum smt_result r = smt_check(s, conds, upto + 1);

				conds[upto] = keep;
				if (r != SMT_UNSAT)
					continue;
				analysis_pbyte_field(a, cand[k], f, &fb);
				pt->t[pt->n++] = (struct tie){ ev->obj, b, field_id(f), fb, after, "" };
				snprintf(pt->t[pt->n - 1].where, 64, "%s", where);
				break;
			}
		}
	}
	free(conds);
}

/* The packet field byte a writer stored at record byte 'b', or -1. */
static int
stored_field(struct ctx *c, const struct sym_event *w, uint32_t b, int *fbyte)
{
	struct analysis_field f;
	int id;

	if (b >= w->n_stored)
		return -1;
	analysis_classify(c->a, w->stored[b], &f);
	if (f.kind != AF_PACKET || f.mask != 0xff || f.byte < 0)
		return -1;
	id = field_id(f.field);
	*fbyte = f.byte;
	return id;
}

/* Whether path 'pi' has an instance of 'obj' keyed by packet bytes; its first event index. */
static int
raw_event(struct ctx *c, uint32_t pi, uint32_t obj)
{
	const struct analysis_path *ap = &c->a->paths[pi];

	for (uint32_t ei = 0; ei < ap->p->n_events; ei++) {
		const struct sym_event *ev = &ap->p->events[ei];

		if (ev->obj == obj && raw_key(ap->keys[ei], ev->n_key))
			return (int)ei;
	}
	return -1;
}

static bool
tie_within(const struct ptie *x, const struct ptie *y)
{
	for (uint32_t i = 0; i < x->n; i++) {
		bool found = false;

		for (uint32_t j = 0; j < y->n && !found; j++) {
			found = x->t[i].rec == y->t[j].rec && x->t[i].byte == y->t[j].byte &&
				x->t[i].field == y->t[j].field && x->t[i].fbyte == y->t[j].fbyte;
		}
		if (!found)
			return false;
	}
	return true;
}

/* Paths whose check passes whole: their ties are not a part of another path's (a path that
** fails the check halfway, after the address matched, ties fewer bytes). */
static bool *
passing_paths(struct ctx *c, uint32_t obj, struct ptie *ties)
{
	struct analysis *a = c->a;
	bool *pass = xcalloc(a->n_paths + 1, sizeof *pass);

	for (uint32_t pi = 0; pi < a->n_paths; pi++) {
		if (raw_event(c, pi, obj) < 0)
			continue;
		if (!ties[pi].done)
			path_ties(c, pi, &ties[pi]);
		pass[pi] = ties[pi].n > 0;
	}
	for (uint32_t pi = 0; pi < a->n_paths; pi++) {
		for (uint32_t pj = 0; pj < a->n_paths && pass[pi]; pj++) {
			if (pj != pi && raw_event(c, pj, obj) >= 0 && ties[pj].n > ties[pi].n &&
			    tie_within(&ties[pi], &ties[pj]))
				pass[pi] = false;
		}
	}
	return pass;
}

/* A path writing the record a tie checks: with 'field', one that stores a packet field at the
** checked byte; else one that stores anything else there (not a field, nor what was there).
** Its index, or -1. */
static int
writer_of(struct ctx *c, const struct tie *tt, bool field)
{
	struct analysis *a = c->a;

	for (uint32_t wp = 0; wp < a->n_paths; wp++) {
		const struct sym_path *w = a->paths[wp].p;

		for (uint32_t we = 0; we < w->n_events; we++) {
			const struct sym_event *wev = &w->events[we];
			int fb;
			bool is_field, kept;

			if (wev->obj != tt->rec || tt->byte >= wev->n_stored)
				continue;
			is_field = stored_field(c, wev, tt->byte, &fb) >= 0;
			kept = tt->byte < wev->n_out && smt_id(c->smt, wev->stored[tt->byte]) ==
			       smt_id(c->smt, wev->out[tt->byte]);
			if (field ? is_field : !is_field && !kept)
				return (int)wp;
		}
	}
	return -1;
}

static void
settle_index(struct ctx *c, uint32_t obj, struct ptie *ties)
{
	bool *pass = passing_paths(c, obj, ties);
	struct analysis *a = c->a;
	struct sbuf raw = SBUF_INIT, made = SBUF_INIT, fields = SBUF_INIT;
	uint32_t raw_ports = 0, made_ports = 0, n_tied = 0, n_miss = 0;
	int miss_verdict = 0, bad_path = -1;
	uint32_t miss0 = 0;
	const struct sym_event *bad_ev = NULL;
	char bad_at[96] = "";
	const char *bad = NULL, *check = "";
	const struct tie *shown = NULL;

	for (uint32_t i = 0; i < c->n_cls; i++) {
		const struct cls *x = &c->cls[i];

		if (x->obj != obj)
			continue;
		if (x->d.kind == D_PACKET) {
			raw_ports |= x->ports;
			if (!raw.len)
				sites_text(c, x, false, &raw);
		} else if (x->d.kind == D_VIA || x->d.kind == D_FRESH) {
			made_ports |= x->ports;
			if (!made.len)
				sites_text(c, x, false, &made);
		}
	}
	/* Each path that names an index: either the check ties it to a writer's fields, or it
	** must end like a miss, whatever it found there. */
	for (uint32_t pi = 0; pi < a->n_paths && !bad; pi++) {
		const struct sym_path *p = a->paths[pi].p;
		int first = raw_event(c, pi, obj);
		bool tied = false;
		uint32_t last_after = 0;

		if (first < 0)
			continue;
		for (uint32_t t = 0; t < ties[pi].n && pass[pi]; t++) {
			const struct tie *tt = &ties[pi].t[t];

			if (tt->field < 0 || writer_of(c, tt, true) < 0)
				continue;
			tied = true;
			if (tt->after > last_after)
				last_after = tt->after;
			if (!shown)
				shown = tt;
		}
		if (tied) {
			n_tied++;
			check = shown ? shown->where : "";
			for (uint32_t ei = (uint32_t)first; ei < p->n_events && ei < last_after; ei++) {
				if (p->events[ei].op != SYM_READ && !maintenance(&p->events[ei])) {
					bad = "writes state before its check", bad_path = (int)pi;
					bad_ev = &p->events[ei];
				}
			}
			continue;
		}
		if (n_miss++ == 0) {
			miss_verdict = p->verdict;
			miss0 = pi;
		} else if (p->verdict != miss_verdict) {
			bad = "does not end like a miss (its verdict differs)", bad_path = (int)pi;
		} else if (a->paths[pi].n_writes != a->paths[miss0].n_writes) {
			bad = "rewrites the packet unlike a miss", bad_path = (int)pi;
		}
		for (uint32_t ei = (uint32_t)first; ei < p->n_events; ei++) {
			if (p->events[ei].op != SYM_READ && !maintenance(&p->events[ei])) {
				bad = "writes state though its lookup failed", bad_path = (int)pi;
				bad_ev = &p->events[ei];
			}
		}
	}
	/* Every writer of a checked record must leave packet fields (or what was there) in the
	** bytes the check compares: else a packet could pass the check on another core's entry. */
	for (uint32_t pi = 0; pi < a->n_paths && !bad; pi++) {
		for (uint32_t t = 0; pass[pi] && t < ties[pi].n && !bad; t++) {
			int wp = writer_of(c, &ties[pi].t[t], false);

			if (wp >= 0) {
				bad = "stores no packet field where the check compares";
				bad_path = wp;
			}
		}
	}
	ports_text(a, raw_ports, &fields);
	/* Reported here either way: the raw classes get no pairs of their own. */
	for (uint32_t i = 0; i < c->n_cls; i++) {
		if (c->cls[i].obj == obj && c->cls[i].d.kind == D_PACKET)
			c->cls[i].resolved = true;
	}
	if (n_tied == 0) {
		reason(c, true, "%s: %s packets name an index (%s) that other paths allocate (%s), "
		       "and no check ties the entry found there to packet fields", obj_name(c, obj),
		       sbuf_str(&fields), sbuf_str(&raw), sbuf_str(&made));
		goto out;
	}
	if (bad) {
		if (bad_ev) {
			char site[64];

			analysis_site(a, bad_ev->file, bad_ev->line, site, sizeof site);
			snprintf(bad_at, sizeof bad_at, " (%s %s)", bad_ev->call, site);
		}
		reason(c, true, "%s: %s packets name an index (%s) allocated elsewhere (%s); path %d "
		       "%s%s, so a lookup on the wrong core would not behave like a miss",
		       obj_name(c, obj), sbuf_str(&fields), sbuf_str(&raw), sbuf_str(&made),
		       bad_path, bad, bad_at);
		goto out;
	}
	/* Settled: the ties link the ports. */
	for (uint32_t pi = 0; pi < a->n_paths; pi++) {
		const struct sym_path *q = a->paths[pi].p;

		if (!pass[pi])
			continue;
		for (uint32_t wp = 0; wp < a->n_paths; wp++) {
			const struct sym_path *w = a->paths[wp].p;
			struct shard_pair pairs[32], ident[32];
			uint32_t n = 0;

			for (uint32_t we = 0; we < w->n_events; we++) {
				const struct sym_event *wev = &w->events[we];

				if (!wev->n_stored)
					continue;
				for (uint32_t t = 0; t < ties[pi].n && n < 32; t++) {
					const struct tie *tt = &ties[pi].t[t];
					int fb, f;

					if (tt->rec != wev->obj || tt->field < 0 ||
					    (f = stored_field(c, wev, tt->byte, &fb)) < 0)
						continue;
					pairs[n] = (struct shard_pair){ (uint8_t)tt->field,
						(uint8_t)tt->fbyte, (uint8_t)f, (uint8_t)fb, 0xff };
					ident[n] = (struct shard_pair){ (uint8_t)tt->field,
						(uint8_t)tt->fbyte, (uint8_t)tt->field,
						(uint8_t)tt->fbyte, 0xff };
					n++;
				}
			}
			if (!n)
				continue;
			char src[256], wwhere[64];

			analysis_site(a, w->file, w->line, wwhere, sizeof wwhere);
			snprintf(src, sizeof src, "%s: checked at %s against what %s stored", obj_name(c, obj),
				 check, obj_name(c, ties[pi].t[0].rec));
			for (unsigned pa = 0; pa < a->n_ports; pa++) {
				if (!(q->ports & 1u << pa))
					continue;
				add_raw(c, pa, pa, ident, n, src, true);
				for (unsigned pb = 0; pb < a->n_ports; pb++) {
					if (w->ports & 1u << pb)
						add_raw(c, pa, pb, pairs, n, src, true);
				}
			}
		}
	}
	reason(c, false, "%s: %s packets name an index (%s) allocated on %s (%s); %s checks the "
	       "entry's stored fields against the packet, and a lookup of another core's entry "
	       "ends like a miss (%s, nothing written): the check's fields link the ports",
	       obj_name(c, obj), sbuf_str(&fields), sbuf_str(&raw), made_ports ? "another path" : "-",
	       sbuf_str(&made), check, n_miss ? (miss_verdict == NF_DROP ? "drop" : "same verdict") :
	       "no miss path");
out:
	free(pass);
	sbuf_release(&raw);
	sbuf_release(&made);
	sbuf_release(&fields);
}

/* ---- after the pairs: duplicates, implied constraints, each port's fields ---- */

static bool
pairs_within(const struct shard_constraint *x, const struct shard_pair *y, uint32_t ny)
{
	/* every pair of x is in y with at least its mask */
	for (uint32_t i = 0; i < x->n_pairs; i++) {
		const struct shard_pair *p = &x->pairs[i];
		bool found = false;

		for (uint32_t j = 0; j < ny && !found; j++) {
			found = y[j].fa == p->fa && y[j].ba == p->ba && y[j].fb == p->fb &&
				y[j].bb == p->bb && (y[j].mask & p->mask) == p->mask;
		}
		if (!found)
			return false;
	}
	return true;
}

/* x implies y: the same ports, and x's equalities are a part of y's (fewer fields equal is
** already enough to share a core, so y asks nothing more). */
static bool
subsumes(const struct shard_constraint *x, const struct shard_constraint *y)
{
	bool r;

	if (x->port_a != y->port_a || x->port_b != y->port_b)
		return false;
	if (pairs_within(x, y->pairs, y->n_pairs))
		return true;
	if (x->port_a != x->port_b)
		return false;
	struct shard_pair *m = xmalloc((y->n_pairs + 1) * sizeof *m);

	memcpy(m, y->pairs, y->n_pairs * sizeof *m);
	pairs_mirror(m, y->n_pairs);
	r = pairs_within(x, m, y->n_pairs);
	free(m);
	return r;
}

static void
merge_sources(struct shard_constraint *into, struct shard_constraint *from)
{
	for (uint32_t i = 0; i < from->n_sources; i++) {
		bool dup = false;

		for (uint32_t k = 0; k < into->n_sources; k++)
			dup |= !strcmp(into->sources[k], from->sources[i]);
		if (dup || into->n_sources >= 4) {
			free(from->sources[i]);
			continue;
		}
		into->sources = xrealloc(into->sources, (into->n_sources + 1) * sizeof *into->sources);
		into->sources[into->n_sources++] = from->sources[i];
	}
	into->tie |= from->tie;
	free(from->sources);
	free(from->pairs);
	from->sources = NULL;
	from->pairs = NULL;
	from->n_sources = 0;
}

static void
reduce(struct ctx *c)
{
	struct shard *sh = c->sh;
	bool *gone = xcalloc(c->n_raw + 1, sizeof *gone);

	for (uint32_t i = 0; i < c->n_raw; i++) {
		for (uint32_t j = 0; j < i && !gone[i]; j++) {
			if (gone[j] || c->raw[i].port_a != c->raw[j].port_a ||
			    c->raw[i].port_b != c->raw[j].port_b ||
			    pairs_cmp(c->raw[i].pairs, c->raw[i].n_pairs, c->raw[j].pairs,
				      c->raw[j].n_pairs))
				continue;
			merge_sources(&c->raw[j], &c->raw[i]);
			gone[i] = true;
			sh->n_duplicates++;
		}
	}
	for (uint32_t i = 0; i < c->n_raw; i++) {
		for (uint32_t j = 0; j < c->n_raw && !gone[i]; j++) {
			if (i == j || gone[j] || !subsumes(&c->raw[j], &c->raw[i]))
				continue;
			merge_sources(&c->raw[j], &c->raw[i]);
			gone[i] = true;
			sh->n_implied++;
		}
	}
	for (uint32_t i = 0; i < c->n_raw; i++) {
		if (gone[i])
			continue;
		sh->constraints = xrealloc(sh->constraints, (sh->n_constraints + 1) *
					   sizeof *sh->constraints);
		sh->constraints[sh->n_constraints++] = c->raw[i];
	}
	free(gone);
	free(c->raw);
	c->raw = NULL;
	c->n_raw = 0;
}

/* The bits of port 'port' a constraint equates (both sides when it links the port to itself). */
static void
side_bits(const struct shard_constraint *k, unsigned port, uint8_t bits[SHARD_BYTES])
{
	memset(bits, 0, SHARD_BYTES);
	for (uint32_t i = 0; i < k->n_pairs; i++) {
		const struct shard_pair *p = &k->pairs[i];

		if (k->port_a == port)
			bits[foff[p->fa] + p->ba] |= p->mask;
		if (k->port_b == port)
			bits[foff[p->fb] + p->bb] |= p->mask;
	}
}

static bool
bits_zero(const uint8_t *b)
{
	for (unsigned i = 0; i < SHARD_BYTES; i++) {
		if (b[i])
			return false;
	}
	return true;
}

/* "ipv4.src/24, l4.dport" for a set of bits. */
static void
bits_text(const uint8_t *b, struct sbuf *out)
{
	bool first = true;

	for (int f = 0; f < SHARD_NFIELDS; f++) {
		unsigned len = f < SHARD_SPORT ? 4 : 2, ones = 0;
		uint64_t m = 0;
		bool any = false, prefix = true, seen_zero = false;

		for (unsigned i = 0; i < len; i++) {
			m = m << 8 | b[foff[f] + i];
			any |= b[foff[f] + i] != 0;
		}
		if (!any)
			continue;
		for (int bit = (int)len * 8 - 1; bit >= 0; bit--) {
			if (m >> bit & 1) {
				prefix &= !seen_zero;
				ones++;
			} else {
				seen_zero = true;
			}
		}
		sbuf_printf(out, "%s%s", first ? "" : ", ", fnames[f]);
		if (ones < len * 8) {
			if (prefix)
				sbuf_printf(out, "/%u", ones);
			else
				sbuf_printf(out, "&0x%0*llx", (int)len * 2, (unsigned long long)m);
		}
		first = false;
	}
}

static void
port_fields(struct ctx *c)
{
	struct analysis *a = c->a;
	struct shard *sh = c->sh;

	for (unsigned port = 0; port < a->n_ports; port++) {
		uint8_t *allow = sh->fields[port], bits[SHARD_BYTES];
		int first = -1;

		memset(allow, 0xff, SHARD_BYTES);
		for (uint32_t i = 0; i < sh->n_constraints; i++) {
			const struct shard_constraint *k = &sh->constraints[i];

			if (k->port_a != port && k->port_b != port)
				continue;
			side_bits(k, port, bits);
			sh->constrained[port] = true;
			for (unsigned b = 0; b < SHARD_BYTES; b++)
				allow[b] &= bits[b];
			if (first < 0)
				first = (int)i;
			if (!bits_zero(allow))
				continue;
			/* name two constraints that share no field */
			struct sbuf t1 = SBUF_INIT, t2 = SBUF_INIT;
			uint8_t b1[SHARD_BYTES];

			for (uint32_t j = 0; j < i; j++) {
				uint8_t both = 0;

				side_bits(&sh->constraints[j], port, b1);
				for (unsigned b = 0; b < SHARD_BYTES; b++)
					both |= b1[b] & bits[b];
				if (!both) {
					first = (int)j;
					break;
				}
			}
			side_bits(&sh->constraints[first], port, b1);
			bits_text(b1, &t1);
			bits_text(bits, &t2);
			reason(c, true, "port %s would need sharding by disjoint fields: %s (%s) and %s "
			       "(%s); RSS cannot keep both, every packet of %s would go to one core",
			       a->ports[port], sbuf_str(&t1), sh->constraints[first].sources[0],
			       sbuf_str(&t2), k->sources[0], a->ports[port]);
			sbuf_release(&t1);
			sbuf_release(&t2);
			break;
		}
	}
}

/* ---- the graph ---- */

static void
add_edge(struct shard *sh, const char *from, bool from_object, const struct analysis_access *x)
{
	for (uint32_t i = 0; i < sh->n_edges; i++) {
		struct shard_edge *e = &sh->edges[i];

		if (e->obj == x->obj && e->call == x->call && !strcmp(e->site, x->site) &&
		    !strcmp(e->from, from)) {
			e->ports |= x->ports;
			return;
		}
	}
	sh->edges = xrealloc(sh->edges, (sh->n_edges + 1) * sizeof *sh->edges);
	struct shard_edge *e = &sh->edges[sh->n_edges++];

	memset(e, 0, sizeof *e);
	snprintf(e->from, sizeof e->from, "%s", from);
	e->from_object = from_object;
	e->obj = x->obj;
	e->ports = x->ports;
	e->op = x->op;
	e->call = x->call;
	snprintf(e->site, sizeof e->site, "%s", x->site);
}

static void
build_graph(struct ctx *c)
{
	struct analysis *a = c->a;

	for (uint32_t i = 0; i < a->n_accesses; i++) {
		const struct analysis_access *x = &a->accesses[i];

		for (uint32_t k = 0; k < x->n_key; k++) {
			const struct analysis_field *f = &x->key[k];
			char from[32];
			bool obj = false;

			switch (f->kind) {
			case AF_PACKET:
				snprintf(from, sizeof from, "%s", f->field);
				break;
			case AF_CONST:
				snprintf(from, sizeof from, "const");
				break;
			case AF_STATE: {
				/* "state:flows.get.value": the object is the name before the call */
				const char *s = f->text + 6, *best = NULL;

				for (uint32_t o = 0; o < a->sym->n_objects; o++) {
					size_t n = strlen(a->sym->objects[o].name);
					if (!strncmp(s, a->sym->objects[o].name, n) && s[n] == '.' &&
					    (!best || n > strlen(best)))
						best = a->sym->objects[o].name;
				}
				snprintf(from, sizeof from, "%s", best ? best : "state");
				obj = best != NULL;
				break;
			}
			case AF_META:
				snprintf(from, sizeof from, "meta");
				break;
			default:
				snprintf(from, sizeof from, "derived");
				break;
			}
			add_edge(c->sh, from, obj, x);
		}
	}
}

/* ---- the run ---- */

struct shard *
shard_run(struct analysis *a)
{
	struct shard *sh = xcalloc(1, sizeof *sh);
	struct ctx c = { .a = a, .smt = a->smt, .sh = sh };
	struct ptie *ties = xcalloc(a->n_paths + 1, sizeof *ties);
	double t0 = clock_seconds();
	bool any_written = false, any_state = false;

	sh->n_objects = a->n_objects;
	sh->replicated = xcalloc(a->n_objects + 1, sizeof *sh->replicated);
	sh->n_ports = a->n_ports;
	sh->fields = xcalloc(a->n_ports + 1, sizeof *sh->fields);
	sh->constrained = xcalloc(a->n_ports + 1, sizeof *sh->constrained);
	c.bad = xcalloc(a->n_objects + 1, sizeof *c.bad);
	for (uint32_t o = 0; o < a->n_objects; o++) {
		c.bad[o].keys = (struct sbuf)SBUF_INIT;
		c.bad[o].fields = (struct sbuf)SBUF_INIT;
		c.bad[o].sites = (struct sbuf)SBUF_INIT;
		c.bad[o].from = (struct sbuf)SBUF_INIT;
		c.bad[o].at = (struct sbuf)SBUF_INIT;
	}
	collect(&c);
	for (uint32_t o = 0; o < a->n_objects; o++) {
		any_state = true;
		if (a->objects[o].written) {
			any_written = true;
			continue;
		}
		sh->replicated[o] = true;
		reason(&c, false, "%s: only read in nf_process (made at %s%s): replicated, each core "
		       "gets its own copy", a->sym->objects[o].name, a->objects[o].site,
		       a->objects[o].filled ? ", filled in nf_init" : "");
	}
	/* Indices the packet names into objects whose entries are allocated. */
	for (uint32_t o = 0; o < a->n_objects; o++) {
		bool raw = false, made = false;

		if (!a->objects[o].written)
			continue;
		for (uint32_t i = 0; i < c.n_cls; i++) {
			if (c.cls[i].obj != o)
				continue;
			raw |= c.cls[i].d.kind == D_PACKET;
			made |= c.cls[i].d.kind == D_VIA || c.cls[i].d.kind == D_FRESH;
		}
		if (raw && made && (a->sym->objects[o].kind == SYM_VECTOR ||
				    a->sym->objects[o].kind == SYM_DCHAIN))
			settle_index(&c, o, ties);
	}
	/* Every pair of classes of a written object. */
	for (uint32_t i = 0; i < c.n_cls; i++) {
		const struct cls *x = &c.cls[i];
		struct sbuf t = SBUF_INIT;

		if (!a->objects[x->obj].written)
			continue;
		if (x->d.kind == D_STATE) {
			struct bad *b = &c.bad[x->obj];
			char where[96];

			b->state = true;
			if (x->d.src) {
				char site[64];

				analysis_site(a, x->d.src->file, x->d.src->line, site, sizeof site);
				snprintf(where, sizeof where, "%s %s", x->d.src->call, site);
				add_word(&b->from, where);
			}
			sites_text(&c, x, false, &t);
			add_word(&b->at, sbuf_str(&t));
		} else if (x->d.kind == D_ALL) {
			struct sbuf w = SBUF_INIT;

			sites_text(&c, x, false, &t);
			for (uint32_t j = 0; j < c.n_cls; j++) {
				if (c.cls[j].obj == x->obj && c.cls[j].write && !w.len)
					sites_text(&c, &c.cls[j], true, &w);
			}
			reason(&c, true, "%s: read whole by %s while %s writes it: global state, every "
			       "packet there depends on every write", obj_name(&c, x->obj), sbuf_str(&t),
			       w.len ? sbuf_str(&w) : "nf_process");
			sbuf_release(&w);
		}
		sbuf_release(&t);
		for (uint32_t j = i; j < c.n_cls; j++) {
			const struct cls *y = &c.cls[j];

			if (y->obj != x->obj || x->resolved || y->resolved)
				continue;
			if (x->d.kind == D_FRESH && y->d.kind == D_FRESH)
				continue;	/* fresh entries nobody else can name */
			if (x->d.kind == D_STATE || y->d.kind == D_STATE || x->d.kind == D_ALL ||
			    y->d.kind == D_ALL)
				continue;	/* reported above */
			if (x->d.kind != y->d.kind || x->d.space != y->d.space) {
				struct sbuf s1 = SBUF_INIT, s2 = SBUF_INIT;

				if ((x->d.kind == D_FRESH || y->d.kind == D_FRESH) &&
				    (x->d.kind == D_VIA || y->d.kind == D_VIA))
					continue;	/* an index filed later on its own path */
				key_text(&c, x, &s1);
				key_text(&c, y, &s2);
				sbuf_adds(&s1, " at ");
				sites_text(&c, x, false, &s1);
				sbuf_adds(&s2, " at ");
				sites_text(&c, y, false, &s2);
				reason(&c, true, "%s: entries named by unrelated keys: %s, and %s",
				       obj_name(&c, x->obj), sbuf_str(&s1), sbuf_str(&s2));
				sbuf_release(&s1);
				sbuf_release(&s2);
				continue;
			}
			if (x->d.kind == D_PACKET || x->d.kind == D_VIA)
				pair_classes(&c, x, y);
		}
	}
	for (uint32_t o = 0; o < a->n_objects; o++) {
		struct bad *b = &c.bad[o];

		if (b->state)
			reason(&c, true, "%s: accessed at indices read from state (%s), not from the "
			       "packet (%s), while other packets write it: no field sends both to one "
			       "core", a->sym->objects[o].name, b->from.len ? sbuf_str(&b->from) : "?",
			       sbuf_str(&b->at));
		if (b->global)
			reason(&c, true, "%s: global state: a constant key (%s), so every packet touches "
			       "one entry (%s)", a->sym->objects[o].name, sbuf_str(&b->keys),
			       sbuf_str(&b->sites));
		else if (b->any)
			reason(&c, true, "%s: keyed by %s, which RSS cannot hash (%s) (%s)",
			       a->sym->objects[o].name, sbuf_str(&b->keys),
			       b->fields.len ? sbuf_str(&b->fields) : "no hashed field in it",
			       sbuf_str(&b->sites));
		sbuf_release(&b->keys);
		sbuf_release(&b->fields);
		sbuf_release(&b->sites);
		sbuf_release(&b->from);
		sbuf_release(&b->at);
	}
	free(c.bad);
	reduce(&c);
	port_fields(&c);
	if (c.n_nonhash) {
		struct sbuf t = SBUF_INIT;

		for (uint32_t i = 0; i < c.n_nonhash; i++)
			sbuf_printf(&t, "%s%s", i ? ", " : "", c.nonhash[i]);
		reason(&c, false, "left out of the constraints: %s (not hashed by RSS; an equality "
		       "left out asks more of the sharding, never less)", sbuf_str(&t));
		sbuf_release(&t);
	}
	if (!any_state)
		reason(&c, false, "no state: any spreading of packets is correct");
	else if (!any_written)
		reason(&c, false, "no state is written in nf_process: any spreading is correct");
	build_graph(&c);
	/* blocking reasons first */
	for (uint32_t i = 0, w = 0; i < sh->n_reasons; i++) {
		if (!sh->reasons[i].blocks)
			continue;
		struct shard_reason t = sh->reasons[i];

		memmove(&sh->reasons[w + 1], &sh->reasons[w], (i - w) * sizeof t);
		sh->reasons[w++] = t;
	}
	sh->shared_nothing = !(sh->n_reasons && sh->reasons[0].blocks);
	for (uint32_t i = 0; i < c.n_nonhash; i++)
		free(c.nonhash[i]);
	free(c.nonhash);
	free(c.cls);
	free(ties);
	sh->seconds = clock_seconds() - t0;
	return sh;
}

void
shard_free(struct shard *sh)
{
	if (!sh)
		return;
	for (uint32_t i = 0; i < sh->n_constraints; i++) {
		for (uint32_t k = 0; k < sh->constraints[i].n_sources; k++)
			free(sh->constraints[i].sources[k]);
		free(sh->constraints[i].sources);
		free(sh->constraints[i].pairs);
	}
	free(sh->constraints);
	for (uint32_t i = 0; i < sh->n_reasons; i++)
		free(sh->reasons[i].text);
	free(sh->reasons);
	free(sh->edges);
	free(sh->replicated);
	free(sh->fields);
	free(sh->constrained);
	free(sh);
}

/* ---- text ---- */

/* One side's field of a pair group: "ipv4.src", "ipv4.src/24", "ipv4.src[3]&0xf0". */
struct group {
	uint8_t fa, fb;
	uint8_t ma[4], mb[4];	/* masks by byte */
	int map[4];		/* byte of fa -> byte of fb; -1 none */
	bool straight;		/* byte i of fa pairs with byte i of fb, masks equal */
};

static uint32_t
groups_of(const struct shard_constraint *k, struct group *g, uint32_t max)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < k->n_pairs; i++) {
		const struct shard_pair *p = &k->pairs[i];
		uint32_t j;

		for (j = 0; j < n && (g[j].fa != p->fa || g[j].fb != p->fb); j++)
			;
		if (j == n) {
			if (n == max)
				continue;
			memset(&g[n], 0, sizeof g[n]);
			g[n].fa = p->fa;
			g[n].fb = p->fb;
			for (int b = 0; b < 4; b++)
				g[n].map[b] = -1;
			n++;
		}
		g[j].ma[p->ba & 3] |= p->mask;
		g[j].mb[p->bb & 3] |= p->mask;
		g[j].map[p->ba & 3] = p->bb;
	}
	for (uint32_t j = 0; j < n; j++) {
		unsigned len = g[j].fa < SHARD_SPORT ? 4 : 2, lb = g[j].fb < SHARD_SPORT ? 4 : 2;

		g[j].straight = len == lb;
		for (unsigned b = 0; b < len && g[j].straight; b++) {
			if (g[j].ma[b] && (g[j].map[b] != (int)b || g[j].ma[b] != g[j].mb[b]))
				g[j].straight = false;
		}
	}
	return n;
}

/* One field under its byte masks: "ipv4.src", "ipv4.src/24". */
static void
field_text(uint8_t f, const uint8_t *m, struct sbuf *out)
{
	uint8_t bits[SHARD_BYTES] = { 0 };
	unsigned len = f < SHARD_SPORT ? 4 : 2;

	for (unsigned b = 0; b < len; b++)
		bits[foff[f] + b] = m[b];
	bits_text(bits, out);
}

/* One side of a pair group: the field as a whole, or byte by byte when its bytes pair
** crosswise (side a only; side b then reads as a whole). */
static void
side_text(uint8_t f, const uint8_t *m, bool straight, bool b_side, struct sbuf *out)
{
	unsigned len = f < SHARD_SPORT ? 4 : 2;
	bool first = true;

	if (straight || b_side) {
		field_text(f, m, out);
		return;
	}
	for (unsigned b = 0; b < len; b++) {
		if (!m[b])
			continue;
		sbuf_printf(out, "%s%s[%u]", first ? "" : "+", fnames[f], b);
		if (m[b] != 0xff)
			sbuf_printf(out, "&0x%02x", m[b]);
		first = false;
	}
}

void
shard_constraint_text(const char *const *ports, const struct shard_constraint *k,
		      struct sbuf *out)
{
	struct group g[16];
	uint32_t n = groups_of(k, g, 16);
	bool ident = k->port_a == k->port_b;

	for (uint32_t j = 0; j < n && ident; j++)
		ident = g[j].fa == g[j].fb && g[j].straight;
	if (ident) {
		/* two packets of one port: these fields equal */
		sbuf_printf(out, "%s: same ", ports[k->port_a]);
		for (uint32_t j = 0; j < n; j++) {
			if (j)
				sbuf_adds(out, ", ");
			side_text(g[j].fa, g[j].ma, true, false, out);
		}
		return;
	}
	for (uint32_t j = 0; j < n; j++) {
		if (j)
			sbuf_adds(out, " ∧ ");
		sbuf_printf(out, "%s.", ports[k->port_a]);
		side_text(g[j].fa, g[j].ma, g[j].straight, false, out);
		sbuf_printf(out, " = %s.", ports[k->port_b]);
		side_text(g[j].fb, g[j].mb, g[j].straight, true, out);
	}
}

/* lan-wan pairs swapping source and destination both ways. */
static bool
symmetric(const struct shard_constraint *k)
{
	static const uint8_t swap[SHARD_NFIELDS] = { SHARD_DST, SHARD_SRC, SHARD_DPORT, SHARD_SPORT };
	bool src = false, dst = false;

	if (k->port_a == k->port_b)
		return false;
	for (uint32_t i = 0; i < k->n_pairs; i++) {
		if (k->pairs[i].fb != swap[k->pairs[i].fa] || k->pairs[i].ba != k->pairs[i].bb)
			return false;
		src |= k->pairs[i].fa == SHARD_SRC;
		dst |= k->pairs[i].fa == SHARD_DST;
	}
	return src && dst;
}

void
shard_format_constraints(const struct analysis *a, const struct shard *sh, struct sbuf *out)
{
	sbuf_printf(out, "%s: %u constraint%s (%u duplicates and %u implied by others left out)\n",
		    a->nf, sh->n_constraints, sh->n_constraints == 1 ? "" : "s", sh->n_duplicates,
		    sh->n_implied);
	for (uint32_t i = 0; i < sh->n_constraints; i++) {
		const struct shard_constraint *k = &sh->constraints[i];

		sbuf_printf(out, "  %u. ", i + 1);
		shard_constraint_text(a->ports, k, out);
		if (symmetric(k))
			sbuf_adds(out, "  (symmetric)");
		sbuf_adds(out, "\n");
		for (uint32_t s = 0; s < k->n_sources; s++)
			sbuf_printf(out, "       from %s\n", k->sources[s]);
	}
	for (unsigned p = 0; p < a->n_ports; p++) {
		sbuf_printf(out, "  %s may hash: ", a->ports[p]);
		if (!sh->constrained[p])
			sbuf_adds(out, "anything (no constraint)\n");
		else if (bits_zero(sh->fields[p]))
			sbuf_adds(out, "nothing (see show verdict)\n");
		else {
			bits_text(sh->fields[p], out);
			sbuf_adds(out, "\n");
		}
	}
}

void
shard_format_verdict(const struct analysis *a, const struct shard *sh, struct sbuf *out)
{
	sbuf_printf(out, "%s: %s\n", a->nf, sh->shared_nothing ? "shared-nothing" : "locks");
	for (uint32_t i = 0; i < sh->n_reasons; i++)
		sbuf_printf(out, "  %s %s\n", sh->reasons[i].blocks ? "✗" : "·", sh->reasons[i].text);
	if (!sh->shared_nothing)
		return;
	for (uint32_t i = 0; i < sh->n_constraints; i++) {
		const struct shard_constraint *k = &sh->constraints[i];

		sbuf_adds(out, "  · shard so that ");
		shard_constraint_text(a->ports, k, out);
		sbuf_printf(out, "%s (%s)\n", symmetric(k) ? ": symmetric" : "", k->sources[0]);
	}
}

static const char *
op_letter(enum sym_op op)
{
	return op == SYM_READ ? "r" : op == SYM_WRITE ? "w" : "u";
}

void
shard_format_graph(const struct analysis *a, const struct shard *sh, struct sbuf *out)
{
	sbuf_printf(out, "%s: %u edges (key -> object: ports, read/write/update, call, line)\n",
		    a->nf, sh->n_edges);
	for (uint32_t i = 0; i < sh->n_edges; i++) {
		const struct shard_edge *e = &sh->edges[i];

		sbuf_printf(out, "  %-12s -> %-14s ", e->from, a->sym->objects[e->obj].name);
		ports_text(a, e->ports, out);
		sbuf_printf(out, "  %s %s %s%s\n", op_letter(e->op), e->call, e->site,
			    sh->replicated[e->obj] ? "  (replicated)" : "");
	}
}

static void
dot_string(struct sbuf *out, const char *s)
{
	sbuf_addc(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sbuf_addc(out, '\\');
		sbuf_addc(out, *s);
	}
	sbuf_addc(out, '"');
}

void
shard_format_dot(const struct analysis *a, const struct shard *sh, struct sbuf *out)
{
	struct sbuf t = SBUF_INIT;

	sbuf_adds(out, "digraph ");
	dot_string(out, a->nf);
	sbuf_adds(out, " {\n\trankdir=LR;\n\tnode [fontname=\"Helvetica\"];\n"
		  "\tedge [fontname=\"Helvetica\", fontsize=10];\n\tlabel=");
	sbuf_printf(&t, "%s: %s", a->nf, sh->shared_nothing ? "shared-nothing" : "locks");
	dot_string(out, sbuf_str(&t));
	sbuf_adds(out, ";\n");
	for (uint32_t o = 0; o < a->sym->n_objects; o++) {
		const struct sym_object *so = &a->sym->objects[o];

		sbuf_reset(&t);
		sbuf_printf(&t, "o:%s", so->name);
		sbuf_addc(out, '\t');
		dot_string(out, sbuf_str(&t));
		sbuf_reset(&t);
		sbuf_printf(&t, "%s\\n%s %u%s", so->name, sym_kind_name(so->kind), so->capacity,
			    sh->replicated[o] ? "\\nreplicated" : "");
		sbuf_printf(out, " [shape=box, style=%s, label=\"%s\"];\n",
			    sh->replicated[o] ? "dashed" : "solid", sbuf_str(&t));
	}
	for (uint32_t i = 0; i < sh->n_edges; i++) {
		const struct shard_edge *e = &sh->edges[i];
		bool seen = false;

		for (uint32_t j = 0; j < i; j++)
			seen |= !strcmp(sh->edges[j].from, e->from) && !sh->edges[j].from_object;
		if (!e->from_object && !seen) {
			sbuf_reset(&t);
			sbuf_printf(&t, "f:%s", e->from);
			sbuf_addc(out, '\t');
			dot_string(out, sbuf_str(&t));
			sbuf_adds(out, " [shape=ellipse, label=");
			dot_string(out, e->from);
			sbuf_adds(out, "];\n");
		}
	}
	for (uint32_t i = 0; i < sh->n_edges; i++) {
		const struct shard_edge *e = &sh->edges[i];

		sbuf_reset(&t);
		sbuf_printf(&t, "%s:%s", e->from_object ? "o" : "f", e->from);
		sbuf_addc(out, '\t');
		dot_string(out, sbuf_str(&t));
		sbuf_adds(out, " -> ");
		sbuf_reset(&t);
		sbuf_printf(&t, "o:%s", a->sym->objects[e->obj].name);
		dot_string(out, sbuf_str(&t));
		sbuf_reset(&t);
		ports_text(a, e->ports, &t);
		sbuf_printf(&t, " %s %s %s", op_letter(e->op), e->call, e->site);
		sbuf_adds(out, " [label=");
		dot_string(out, sbuf_str(&t));
		sbuf_printf(out, "%s];\n", e->op == SYM_READ ? "" : ", color=\"firebrick\"");
	}
	sbuf_adds(out, "}\n");
	sbuf_release(&t);
}

/* ---- results ---- */

static void
side_str(uint8_t f, const uint8_t *m, char *buf, size_t size)
{
	struct sbuf t = SBUF_INIT;

	field_text(f, m, &t);
	snprintf(buf, size, "%s", sbuf_str(&t));
	sbuf_release(&t);
}

struct val *
shard_constraints_val(const struct analysis *a, const struct shard *sh)
{
	struct val *list = val_arr();

	for (uint32_t i = 0; i < sh->n_constraints; i++) {
		const struct shard_constraint *k = &sh->constraints[i];
		struct val *c = val_obj(), *ports = val_arr(), *pairs = val_arr(), *src = val_arr();
		struct group g[16];
		uint32_t n = groups_of(k, g, 16);

		val_push(ports, val_str(a->ports[k->port_a]));
		val_push(ports, val_str(a->ports[k->port_b]));
		for (uint32_t j = 0; j < n; j++) {
			struct val *p = val_arr();
			char sa[48], sb[48];

			if (g[j].straight) {
				side_str(g[j].fa, g[j].ma, sa, sizeof sa);
				side_str(g[j].fb, g[j].mb, sb, sizeof sb);
				val_push(p, val_str(sa));
				val_push(p, val_str(sb));
				val_push(pairs, p);
				continue;
			}
			val_free(p);
			/* byte by byte */
			for (uint32_t q = 0; q < k->n_pairs; q++) {
				const struct shard_pair *pp = &k->pairs[q];

				if (pp->fa != g[j].fa || pp->fb != g[j].fb)
					continue;
				p = val_arr();
				snprintf(sa, sizeof sa, "%s[%u]", fnames[pp->fa], pp->ba);
				snprintf(sb, sizeof sb, "%s[%u]", fnames[pp->fb], pp->bb);
				if (pp->mask != 0xff) {
					size_t l = strlen(sa), lb = strlen(sb);
					snprintf(sa + l, sizeof sa - l, "&0x%02x", pp->mask);
					snprintf(sb + lb, sizeof sb - lb, "&0x%02x", pp->mask);
				}
				val_push(p, val_str(sa));
				val_push(p, val_str(sb));
				val_push(pairs, p);
			}
		}
		for (uint32_t s = 0; s < k->n_sources; s++)
			val_push(src, val_str(k->sources[s]));
		val_set(c, "ports", ports);
		val_set(c, "pairs", pairs);
		val_set(c, "sources", src);
		val_set_bool(c, "tie", k->tie);
		val_set_bool(c, "symmetric", symmetric(k));
		val_push(list, c);
	}
	return list;
}

struct val *
shard_graph_val(const struct analysis *a, const struct shard *sh)
{
	struct val *list = val_arr();

	for (uint32_t i = 0; i < sh->n_edges; i++) {
		const struct shard_edge *e = &sh->edges[i];
		struct val *v = val_obj(), *ports = val_arr();

		val_set_str(v, "from", e->from);
		val_set_bool(v, "from_object", e->from_object);
		val_set_str(v, "to", a->sym->objects[e->obj].name);
		for (unsigned p = 0; p < a->n_ports; p++) {
			if (e->ports & 1u << p)
				val_push(ports, val_str(a->ports[p]));
		}
		val_set(v, "ports", ports);
		val_set_str(v, "op", sym_op_name(e->op));
		val_set_str(v, "call", e->call);
		val_set_str(v, "site", e->site);
		val_push(list, v);
	}
	return list;
}

void
shard_add_val(const struct analysis *a, const struct shard *sh, struct val *v)
{
	struct val *reasons = val_arr(), *rep = val_arr(), *fields = val_obj();
	const struct val *secs = val_get(v, "seconds");

	val_set(v, "constraints", shard_constraints_val(a, sh));
	val_set_str(v, "verdict", sh->shared_nothing ? "shared-nothing" : "locks");
	for (uint32_t i = 0; i < sh->n_reasons; i++)
		val_push(reasons, val_str(sh->reasons[i].text));
	val_set(v, "reasons", reasons);
	for (uint32_t o = 0; o < a->sym->n_objects; o++) {
		if (sh->replicated[o])
			val_push(rep, val_str(a->sym->objects[o].name));
	}
	val_set(v, "replicated", rep);
	for (unsigned p = 0; p < a->n_ports; p++) {
		struct val *f = val_arr();

		/* "any": no constraint names the port; empty: no field satisfies them all */
		if (!sh->constrained[p])
			val_push(f, val_str("any"));
		for (int fi = 0; fi < SHARD_NFIELDS && sh->constrained[p]; fi++) {
			unsigned len = fi < SHARD_SPORT ? 4 : 2;
			char buf[48];
			bool any = false;

			for (unsigned b = 0; b < len; b++)
				any |= sh->fields[p][foff[fi] + b] != 0;
			if (!any)
				continue;
			side_str((uint8_t)fi, &sh->fields[p][foff[fi]], buf, sizeof buf);
			val_push(f, val_str(buf));
		}
		val_set(fields, a->ports[p], f);
	}
	val_set(v, "shard_fields", fields);
	val_set(v, "graph", shard_graph_val(a, sh));
	if (secs && secs->kind == VAL_NUM)
		val_set_num(v, "seconds", secs->u.n + sh->seconds);
}
