/*
** view rss: one configuration to look at and change. See view_rss.h.
**
** The view owns a copy of the configuration (cur). Keys only note what the user asked for
** (pending); update() carries it out with the engine, then measures cur into the snapshot
** (quality, check, load per core); draw() paints cur and the snapshot and computes nothing
** but the layout.
*/
#include "viz/view_rss.h"

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/check.h"
#include "engine/progress.h"
#include "engine/rng.h"
#include "engine/xalloc.h"
#include "viz/view.h"

/* Random TCP tuples hashed per port for "uniform traffic": the noise is about
** sqrt(cores / 65536) of a core's share (under 1% up to 6 cores), in about a millisecond. */
#define UNIFORM_TUPLES 65536
#define LABEL 10	/* the detail rows' label column: " key      " */
#define MAX_WARN 3	/* warning rows under the quality */
#define WARN_LEN 256	/* a warning row */
#define WHY_LEN 512
#define HIST_COLW 30	/* the narrowest column of the load, with its gap */

enum pending { P_NONE, P_NEXT, P_PREV, P_SOLVE, P_RESET, P_LOAD };

struct rss_view {
	const struct view_rss_args *a;
	const volatile sig_atomic_t *stop;
	struct rss_config *cur;		/* what is shown; handed back on leaving */
	unsigned gen;			/* bumped whenever cur changes */
	uint64_t seed;			/* the last seed solved with; F4 takes the next */
	enum pending pending;		/* what the last key asked update() for */
	bool uniform;			/* the load of uniform tuples, not of the trace */
	int sel;			/* the selected port */
	unsigned reta_first;		/* the first RETA entry shown (an entry, not a row: the
					** entries a row change with the width) */
	struct rss_fieldsets fsets;	/* every set the NIC accepts, solved on first use */
	bool fsets_done;
	char *why_not;			/* why the last solution sends a port to one core */
	char note[512];			/* what the last key did */

	/* The snapshot: update() writes it, draw() paints it. */
	struct rss_quality q;
	struct rss_check chk;
	unsigned broken, first_broken;	/* constraints that fail, and the first (1-based) */
	int fset;			/* cur's field sets among fsets (-1: none, or not run) */
	char why[RSS_MAX_PORTS][WHY_LEN];	/* each port's part of why_not, shortened */
	bool load_trace;		/* the load is the trace's */
	uint64_t *per_core;		/* packets per core, n_cores of them */
	unsigned n_cores;
	uint64_t total, port_packets[RSS_MAX_PORTS];
	double imbalance;		/* max / mean per core; 0 without packets */

	/* The trace's packets per RETA index: they change with keys and field sets only. */
	uint64_t *loads[RSS_MAX_PORTS];
	unsigned loads_gen;
	bool loads_ok;
};

/*---- Small helpers ----*/

static unsigned
digits(unsigned v)
{
	unsigned n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* "ipv4.src" -> "src": the rows are narrow. */
static const char *
field_short(int f)
{
	const char *n = shard_field_name((enum shard_field)f), *dot = strrchr(n, '.');

	return dot ? dot + 1 : n;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static bool
config_same(const struct rss_config *x, const struct rss_config *y)
{
	if (x->nic != y->nic || x->cores != y->cores || x->key_len != y->key_len ||
	    x->reta_size != y->reta_size || x->n_ports != y->n_ports)
		return false;
	for (unsigned p = 0; p < x->n_ports; p++) {
		const struct rss_port *a = &x->port[p], *b = &y->port[p];

		if (memcmp(a->key, b->key, x->key_len) || !fieldset_eq(&a->fs, &b->fs) ||
		    memcmp(a->reta, b->reta, x->reta_size * sizeof *a->reta))
			return false;
	}
	return true;
}

static bool
reta_shared(const struct rss_config *c)
{
	for (unsigned p = 1; p < c->n_ports; p++)
		if (memcmp(c->port[p].reta, c->port[0].reta, c->reta_size * sizeof(uint16_t)))
			return false;
	return true;
}

static void
set_cur(struct rss_view *v, struct rss_config *c, const char *why_not)
{
	rss_config_free(v->cur);
	v->cur = c;
	free(v->why_not);
	v->why_not = why_not ? xstrdup(why_not) : NULL;
	v->gen++;
	if (v->sel >= (int)c->n_ports)
		v->sel = 0;
}

static void
solve_opts(const struct rss_view *v, struct rss_solve_opts *o)
{
	memset(o, 0, sizeof *o);
	o->nic = v->cur->nic;
	o->cores = v->cur->cores;
	o->reta_size = v->cur->reta_size;
	o->seed = v->seed;
}

/*---- update: the keys' requests, then the snapshot ----*/

/* The candidate whose field sets are cur's on every port, or -1. */
static int
fset_of(const struct rss_view *v)
{
	for (uint32_t i = 0; v->fsets_done && i < v->fsets.n; i++) {
		unsigned p;

		for (p = 0; p < v->cur->n_ports; p++)
			if (!fieldset_eq(&v->fsets.c[i].fs[p], &v->cur->port[p].fs))
				break;
		if (p == v->cur->n_ports)
			return (int)i;
	}
	return -1;
}

static int
do_fieldset(struct rss_view *v, int step, struct err *e)
{
	const struct rss_candidate *cd;
	int i, n;

	if (!v->fsets_done) {
		struct rss_solve_opts o;

		/* Solved with cur's seed: the 4-tuple gives the key 'rss solve' gave. */
		solve_opts(v, &o);
		if (rss_fieldsets_run(v->a->cons, &o, &v->fsets, e) < 0)
			return -EINVAL;
		v->fsets_done = true;
	}
	n = (int)v->fsets.n;
	if (n == 0)
		return err_set(e, -EINVAL, "the NIC profile %s accepts no field set",
			       v->cur->nic->name);
	i = fset_of(v);
	i = i < 0 ? (step > 0 ? 0 : n - 1) : (i + step + n) % n;
	cd = &v->fsets.c[i];
	set_cur(v, rss_config_copy(cd->sol.cfg), cd->sol.satisfiable ? NULL : cd->sol.why_not);
	snprintf(v->note, sizeof v->note, "field set %d/%d: %s%s%s", i + 1, n, cd->letters,
		 i == v->fsets.recommended ? ", recommended" : "",
		 cd->sol.satisfiable ? "" : ": no key spreads it (one core)");
	return 0;
}

static int
do_solve(struct rss_view *v, struct err *e)
{
	struct rss_solve_opts o;
	struct rss_solution sol;

	v->seed++;
	solve_opts(v, &o);
	o.fields_given = true;
	for (unsigned p = 0; p < v->cur->n_ports && p < RSS_MAX_PORTS; p++)
		o.fs[p] = v->cur->port[p].fs;
	if (rss_solve(v->a->cons, &o, &sol, e) < 0)
		return -EINVAL;
	snprintf(v->note, sizeof v->note, "solved with seed %llu in %.1f ms: best of %u keys, "
		 "%u free bits%s", (unsigned long long)v->seed, sol.seconds * 1e3, sol.samples,
		 sol.free_bits, v->a->analyzed ? "" : " (no constraints)");
	set_cur(v, sol.cfg, sol.satisfiable ? NULL : sol.why_not);
	sol.cfg = NULL;
	rss_solution_release(&sol);
	return 0;
}

/* The trace's packets per RETA index, read again only when keys or field sets changed. */
static int
trace_loads(struct rss_view *v, struct err *e)
{
	const struct rss_cons *k = v->a->cons;
	struct progress pr = { .stop = v->stop };
	int64_t n;

	if (v->loads_ok && v->loads_gen == v->gen)
		return 0;
	for (unsigned p = 0; p < RSS_MAX_PORTS; p++) {
		free(v->loads[p]);
		v->loads[p] = NULL;
	}
	v->loads_ok = false;
	/* cons names the NF's ports in the NF's order: the portmap's numbering. */
	n = check_loads(v->a->trace, NULL, v->a->pm, v->cur, k->n_ports,
			(const char *const *)k->ports, &pr, v->loads, e);
	if (n < 0)
		return (int)n;
	v->loads_ok = true;
	v->loads_gen = v->gen;
	return 0;
}

static void
load_of_trace(struct rss_view *v)
{
	const struct rss_config *c = v->cur;

	for (unsigned p = 0; p < c->n_ports; p++) {
		for (unsigned i = 0; v->loads[p] && i < c->reta_size; i++) {
			unsigned core = c->port[p].reta[i];

			if (core < v->n_cores)
				v->per_core[core] += v->loads[p][i];
			v->port_packets[p] += v->loads[p][i];
		}
	}
}

static void
load_of_uniform(struct rss_view *v)
{
	const struct rss_config *c = v->cur;

	for (unsigned p = 0; p < c->n_ports; p++) {
		struct rng g;

		/* A fixed seed: the same tuples on every update, so only the key moves the bars. */
		rng_init(&g, 0x0f1a7 + p);
		for (unsigned i = 0; i < UNIFORM_TUPLES; i++) {
			uint64_t x = rng_u64(&g), y = rng_u64(&g);
			struct rss_hit h = rss_hash(c, p, (uint32_t)x, (uint32_t)(x >> 32),
						    (uint16_t)y, (uint16_t)(y >> 16));

			if (h.core < v->n_cores)
				v->per_core[h.core]++;
		}
		v->port_packets[p] = UNIFORM_TUPLES;
	}
}

/* Port p's part of the solver's reason ("lan: ...; wan: ..."), without the constraints' text
** in parentheses: the header line names the broken one, and rows are short. */
static void
why_of_port(const struct rss_view *v, unsigned p, char *buf, size_t size)
{
	const struct rss_cons *k = v->a->cons;
	const char *s = v->why_not, *end;
	char want[1024];
	size_t n;

	buf[0] = '\0';
	snprintf(want, sizeof want, "%s: ", v->cur->ports[p]);
	while (s && strncmp(s, want, strlen(want))) {
		s = strstr(s, "; ");
		s = s ? s + 2 : NULL;
	}
	if (!s)
		return;
	s += strlen(want);
	/* The next port's part begins with "; NAME: ". */
	for (end = strstr(s, "; "); end; end = strstr(end + 2, "; ")) {
		unsigned q;

		for (q = 0; q < v->cur->n_ports; q++) {
			size_t l = strlen(v->cur->ports[q]);

			if (!strncmp(end + 2, v->cur->ports[q], l) && end[2 + l] == ':')
				break;
		}
		if (q < v->cur->n_ports)
			break;
	}
	n = end ? (size_t)(end - s) : strlen(s);
	snprintf(buf, size, "%.*s", (int)n, s);
	for (uint32_t i = 0; i <= k->n; i++) {
		char *at;

		if (i < k->n) {
			snprintf(want, sizeof want, " (%s)", k->text[i]);
		} else {	/* the field set: the section header names it */
			char name[96], letters[8];

			fieldset_name(&v->cur->port[p].fs, name, sizeof name);
			fieldset_letters(&v->cur->port[p].fs, letters, sizeof letters);
			snprintf(want, sizeof want, " under field set %s (%s)", name, letters);
		}
		while ((at = strstr(buf, want)))
			memmove(at, at + strlen(want), strlen(at + strlen(want)) + 1);
	}
}

static void
measure(struct rss_view *v, struct err *e)
{
	const struct rss_config *c = v->cur;
	const struct rss_cons *k = v->a->cons;
	uint64_t max = 0;

	rss_quality(c, k, &v->q);
	rss_check_release(&v->chk);
	rss_check_run(c, k, &v->chk);
	v->broken = v->first_broken = 0;
	for (uint32_t i = 0; i < v->chk.n; i++) {
		/* rss_check_run skips constraints on ports the configuration lacks. */
		if (k->k[i].port_a >= c->n_ports || k->k[i].port_b >= c->n_ports ||
		    v->chk.v[i].holds)
			continue;
		if (!v->broken++)
			v->first_broken = i + 1;
	}
	v->fset = fset_of(v);
	for (unsigned p = 0; p < c->n_ports; p++)
		why_of_port(v, p, v->why[p], sizeof v->why[p]);

	free(v->per_core);
	v->n_cores = c->cores;
	v->per_core = xcalloc(c->cores ? c->cores : 1, sizeof *v->per_core);
	memset(v->port_packets, 0, sizeof v->port_packets);
	v->load_trace = false;
	if (v->a->trace && v->a->pm && !v->uniform) {
		if (trace_loads(v, e) == 0) {
			v->load_trace = true;
			load_of_trace(v);
		} else {
			/* Shown in the status line; uniform traffic stands in. */
			v->uniform = true;
		}
	}
	if (!v->load_trace)
		load_of_uniform(v);
	v->total = 0;
	for (unsigned i = 0; i < v->n_cores; i++) {
		v->total += v->per_core[i];
		if (v->per_core[i] > max)
			max = v->per_core[i];
	}
	v->imbalance = v->total ? (double)max * v->n_cores / (double)v->total : 0;
}

static void
rss_update(void *this, struct err *e)
{
	struct rss_view *v = this;
	enum pending p = v->pending;

	v->pending = P_NONE;
	v->note[0] = '\0';
	switch (p) {
	case P_NEXT:
	case P_PREV:
		do_fieldset(v, p == P_NEXT ? 1 : -1, e);
		break;
	case P_SOLVE:
		do_solve(v, e);
		break;
	case P_RESET:
		set_cur(v, rss_config_copy(v->a->cfg), NULL);
		snprintf(v->note, sizeof v->note, "back to the configuration the view opened with");
		break;
	case P_LOAD:
		if (!v->a->trace || !v->a->pm) {
			snprintf(v->note, sizeof v->note, "no current trace (replay or check one "
				 "first): uniform traffic only");
			break;
		}
		v->uniform = !v->uniform;
		break;
	case P_NONE:
		break;
	}
	measure(v, e);
}

/*---- draw ----*/

/* Where everything goes on this screen. Views paint rows 0 .. rows-2; the last of those is the
** note line, so sections end above it. */
struct layout {
	int bottom;			/* the note line */
	int ports_y, ports_n;
	bool sep, fields;		/* the port's header and field set rows are shown */
	int sep_y, fields_y;
	int key_y, key_rows, key_per_row;
	int qual_y, qual_rows, n_warn;
	int reta_y, reta_x, reta_w, reta_rows, per_row, cell;	/* reta_rows: grid rows */
	int hist_y, hist_x, hist_w, hist_rows, hist_cols;
	int spark_w;			/* > 0: too many cores for bars: sparklines this wide */
};

/* Word-wraps 's' into at most 'max' lines of 'width' columns; returns the lines used. The
** last one ends in an ellipsis when the text goes on. */
static int
wrap(const struct crt *c, const char *s, int width, char out[][WARN_LEN], int max)
{
	int n = 0;

	while (*s == ' ')
		s++;
	while (*s && n < max) {
		char line[WARN_LEN - 4];
		size_t fit = 0, next = 0;

		/* The most whole words that fit. */
		for (;;) {
			while (s[next] == ' ')
				next++;
			while (s[next] && s[next] != ' ')
				next++;
			if (next >= sizeof line)
				break;
			snprintf(line, sizeof line, "%.*s", (int)next, s);
			if (widget_width(c, line) > width)
				break;
			fit = next;
			if (!s[next])
				break;
		}
		if (!fit)	/* a word longer than the row: widget_text cuts it */
			fit = next < sizeof line ? next : sizeof line - 1;
		snprintf(line, sizeof line, "%.*s", (int)fit, s);
		s += fit;
		while (*s == ' ')
			s++;
		if (n == max - 1 && *s) {
			size_t l = strlen(line);

			/* Room for the ellipsis, cutting whole UTF-8 characters. */
			while (l > 0 && (widget_width(c, line) + 1 > width || line[l - 1] == ' ')) {
				l--;
				while (l > 0 && (line[l] & 0xc0) == 0x80)
					l--;
				line[l] = '\0';
			}
			snprintf(out[n++], WARN_LEN, "%s\u2026", line);
			break;
		}
		snprintf(out[n++], WARN_LEN, "%s", line);
	}
	return n;
}

/* The warning rows under the quality of port p, weightiest first; returns how many. */
static int
warnings(const struct rss_view *v, const struct crt *c, unsigned p, char out[][WARN_LEN],
	 int *roles)
{
	const struct rss_port_quality *pq = &v->q.port[p];
	int width = c->cols - LABEL, n = 0;

	if (width < 20)
		return 0;
	if (v->why[p][0]) {
		n = wrap(c, v->why[p], width, out, MAX_WARN - 1);
		for (int i = 0; i < n; i++)
			roles[i] = CRT_BAD;
	}
	if (pq->zero_key) {
		snprintf(out[n], WARN_LEN, "warning: the key is zero where it matters: every "
			 "packet hashes to 0, core %u", v->cur->port[p].reta[0]);
		roles[n++] = CRT_BAD;
	} else if (pq->period) {
		snprintf(out[n], WARN_LEN, "warning: the key repeats every %u bits: the hash sees "
			 "only the XOR of %u-bit words", pq->period, pq->period);
		roles[n++] = CRT_WARN;
	}
	return n;
}

/* The load's rows and columns: one column of bars while the cores fit in 'avail' rows, else
** as many columns of at least HIST_COLW as fit, with balanced rows; when even those cannot
** show every core, sparkline rows (a column a core) and a line on the extremes. */
static void
hist_fit(struct layout *L, unsigned cores, int avail)
{
	int n = cores ? (int)cores : 1, max_cols = (L->hist_w + 2) / HIST_COLW;
	int lw = 2 * (int)digits((unsigned)n - 1) + 2;	/* "960-1023 " */

	if (avail < 1)
		avail = 1;
	if (max_cols < 1)
		max_cols = 1;
	L->spark_w = 0;
	L->hist_cols = (n + avail - 1) / avail;
	if (L->hist_cols > max_cols)
		L->hist_cols = max_cols;
	L->hist_rows = (n + L->hist_cols - 1) / L->hist_cols;
	if (L->hist_rows <= avail)
		return;
	L->hist_cols = 1;
	L->spark_w = L->hist_w - lw > 8 ? L->hist_w - lw : 8;
	L->hist_rows = (n + L->spark_w - 1) / L->spark_w + 1;
	if (L->hist_rows > avail)
		L->hist_rows = avail;
}

static void
layout_of(const struct rss_view *v, const struct crt *c, struct layout *L)
{
	const struct rss_config *cf = v->cur;
	char w[MAX_WARN][WARN_LEN];
	int roles[MAX_WARN], rest, y, reta_total, min_reta;
	unsigned d = digits(cf->cores ? cf->cores - 1 : 0);
	int pw = (int)digits(cf->reta_size - 1) + 3;	/* " 511: " */

	memset(L, 0, sizeof *L);
	L->bottom = c->rows - 2;
	L->ports_y = 2;
	L->ports_n = (int)cf->n_ports;
	if (L->ports_n > (c->rows - 20 > 2 ? c->rows - 20 : 2))
		L->ports_n = c->rows - 20 > 2 ? c->rows - 20 : 2;
	/* ethtool's rows of 20 bytes when they fit: 20 * 3 - 1 columns */
	L->key_per_row = LABEL + 59 <= c->cols ? 20 : LABEL + 47 <= c->cols ? 16 : 8;
	L->key_rows = ((int)cf->key_len + L->key_per_row - 1) / L->key_per_row;
	L->n_warn = warnings(v, c, (unsigned)v->sel, w, roles);
	L->qual_rows = 3 + L->n_warn;
	L->sep = L->fields = true;
	/* Short terminals give up, in turn, what the RETA and the load matter more than: the
	** quality's detail, the field set's row (the summary has its letters), the other ports'
	** summaries, the port's header. */
	for (int step = 0;; step++) {
		L->sep_y = L->ports_y + L->ports_n;
		L->fields_y = L->sep_y + L->sep;
		L->key_y = L->fields_y + L->fields;
		L->qual_y = L->key_y + L->key_rows;
		rest = L->bottom - (L->qual_y + L->qual_rows);
		/* 8: a RETA header and two rows, a load header and four cores */
		if (rest >= 8 || step == 4)
			break;
		if (step == 0) {
			L->qual_rows = 1;
			L->n_warn = 0;
		} else if (step == 1) {
			L->fields = false;
		} else if (step == 2) {
			L->ports_n = 1;
		} else {
			L->sep = false;
		}
	}
	y = L->qual_y + L->qual_rows;

	/* The RETA: 32 entries a row when they fit, else 16 (ethtool prints 8). */
	L->cell = (int)d + 1;
	L->per_row = 1 + pw + 32 * L->cell <= c->cols ? 32 : 1 + pw + 16 * L->cell <= c->cols ?
		     16 : 8;
	L->reta_w = pw + L->per_row * L->cell;
	reta_total = ((int)cf->reta_size + L->per_row - 1) / L->per_row;
	min_reta = reta_total < 2 ? reta_total : 2;
	L->reta_y = y;
	L->reta_x = 0;

	/* Wide terminals: the load beside the RETA; else under it. */
	if (c->cols >= L->reta_w + 2 + 44) {
		L->reta_rows = rest - 1;
		L->hist_y = y;
		L->hist_x = L->reta_w + 2;
		L->hist_w = c->cols - L->hist_x;
		hist_fit(L, cf->cores, rest - 1);
	} else {
		L->hist_x = 0;
		L->hist_w = c->cols;
		hist_fit(L, cf->cores, rest - 2 - min_reta);	/* two section headers */
		L->reta_rows = rest - 2 - L->hist_rows;
		if (L->reta_rows > reta_total)
			L->reta_rows = reta_total;
		L->hist_y = y + 1 + (L->reta_rows > 0 ? L->reta_rows : 0);
	}
	if (L->reta_rows > reta_total)
		L->reta_rows = reta_total;
	if (L->reta_rows < 0)
		L->reta_rows = 0;
}

/* A section header: "── text ──────" over the width. */
static void
rule(const struct crt *c, int y, int x, int w, const char *text)
{
	char buf[4096];
	int n = snprintf(buf, sizeof buf, "\u2500\u2500 %s ", text);

	while (n >= 0 && n + 3 < (int)sizeof buf && n < w * 3)
		n += snprintf(buf + n, sizeof buf - (size_t)n, "\u2500");
	widget_text(c, y, x, w, crt_attr(c, CRT_LINE), buf);
	/* The words themselves stand out from the line. */
	widget_text(c, y, x + 3, w - 3, crt_attr(c, CRT_NORMAL) | A_BOLD, text);
}

/* Writes 's' at *x only when it fits whole: the summary drops what has no room. */
static void
part(const struct crt *c, int y, int *x, int attr, const char *s)
{
	int w = widget_width(c, s);

	if (*x + w <= c->cols)
		*x += widget_text(c, y, *x, w, attr, s);
	else
		*x = c->cols;
}

static void
draw_header(const struct rss_view *v, const struct crt *c)
{
	const struct rss_config *cf = v->cur;
	const struct rss_cons *k = v->a->cons;
	int title = crt_attr(c, CRT_TITLE), x;

	char buf[512];
	int n;

	widget_fill(c, 0, 0, title);
	x = widget_text(c, 0, 0, c->cols, title | A_BOLD, " RSS ");
	snprintf(buf, sizeof buf, " NIC %s", cf->nic ? cf->nic->name : "software");
	part(c, 0, &x, title, buf);
	snprintf(buf, sizeof buf, " \u00b7 %u core%s", cf->cores, cf->cores == 1 ? "" : "s");
	part(c, 0, &x, title, buf);
	snprintf(buf, sizeof buf, " \u00b7 RETA %u", cf->reta_size);
	part(c, 0, &x, title, buf);
	snprintf(buf, sizeof buf, " \u00b7 %u-byte key", cf->key_len);
	part(c, 0, &x, title, buf);
	n = snprintf(buf, sizeof buf, " \u00b7 port%s", cf->n_ports == 1 ? "" : "s");
	for (unsigned p = 0; p < cf->n_ports && n < (int)sizeof buf; p++)
		n += snprintf(buf + n, sizeof buf - (size_t)n, " %s", cf->ports[p]);
	part(c, 0, &x, title, buf);

	if (!v->a->analyzed) {
		widget_text(c, 1, 0, c->cols, crt_attr(c, CRT_WARN),
			    "no analysis: no constraints (analyze first)");
	} else if (k->locks) {
		widget_text(c, 1, 0, c->cols, crt_attr(c, CRT_WARN),
			    "verdict locks: no constraint to keep (any key only spreads load)");
	} else if (!v->chk.n) {
		widget_text(c, 1, 0, c->cols, crt_attr(c, CRT_GOOD),
			    "\u2713 no constraint: every configuration keeps the NF correct");
	} else if (!v->broken) {
		if (v->chk.n == 1)
			x = widget_text(c, 1, 0, c->cols, crt_attr(c, CRT_GOOD) | A_BOLD,
					"\u2713 the constraint holds (exact)");
		else
			x = widget_printf(c, 1, 0, c->cols, crt_attr(c, CRT_GOOD) | A_BOLD,
					  "\u2713 all %u constraints hold (exact)", v->chk.n);
		/* Holding because everything lands on one core is no sharding at all. */
		if (v->why_not)
			widget_text(c, 1, x, c->cols - x, crt_attr(c, CRT_WARN),
				    ", trivially: a port's packets all on one core");
	} else {
		x = widget_printf(c, 1, 0, c->cols, crt_attr(c, CRT_BAD) | A_BOLD,
				  "\u2717 %u of %u constraint%s broken", v->broken, v->chk.n,
				  v->chk.n == 1 ? "" : "s");
		widget_printf(c, 1, x, c->cols - x, crt_attr(c, CRT_BAD), ": %u. %s",
			      v->first_broken, k->text[v->first_broken - 1]);
	}
}

static void
draw_ports(const struct rss_view *v, const struct crt *c, const struct layout *L)
{
	const struct rss_config *cf = v->cur;
	int top = v->sel - L->ports_n + 1 > 0 ? v->sel - L->ports_n + 1 : 0, nw = 0;

	for (unsigned p = 0; p < cf->n_ports; p++)
		if ((int)strlen(cf->ports[p]) > nw)
			nw = (int)strlen(cf->ports[p]);
	for (int i = 0; i < L->ports_n && top + i < (int)cf->n_ports; i++) {
		unsigned p = (unsigned)(top + i);
		const struct rss_port_quality *pq = &v->q.port[p];
		bool sel = (int)p == v->sel;
		int attr = crt_attr(c, sel ? CRT_SELECT : CRT_NORMAL), y = L->ports_y + i, x = 0;
		int qrole = pq->full ? CRT_GOOD : pq->rank ? CRT_WARN : CRT_BAD;
		char letters[8], buf[160];
		int n = 0;

		fieldset_letters(&cf->port[p].fs, letters, sizeof letters);
		if (sel)
			widget_fill(c, y, 0, attr);
		snprintf(buf, sizeof buf, "%s %-*s %-4s", sel ? "\u25b8" : " ", nw, cf->ports[p],
			 letters);
		part(c, y, &x, attr, buf);
		for (unsigned b = 0; b < 6 && b < cf->key_len; b++)
			n += snprintf(buf + n, sizeof buf - (size_t)n, "%s%02x", b ? ":" : " ",
				      cf->port[p].key[b]);
		snprintf(buf + n, sizeof buf - (size_t)n, "\u2026");
		part(c, y, &x, attr, buf);
		snprintf(buf, sizeof buf, "  rank %u/%u", pq->rank, v->q.reta_bits);
		part(c, y, &x, attr, buf);
		snprintf(buf, sizeof buf, "  %-7s",
			 pq->full ? "full" : pq->rank ? "partial" : "none");
		part(c, y, &x, sel ? attr : crt_attr(c, (enum crt_role)qrole), buf);
		snprintf(buf, sizeof buf, " max/mean %.2f", pq->imbalance_uniform);
		part(c, y, &x, attr, buf);
		if (v->load_trace) {
			snprintf(buf, sizeof buf, "  %llu packets",
				 (unsigned long long)v->port_packets[p]);
			part(c, y, &x, attr, buf);
		}
	}
}

/* "src 32/32 dst 32/32 ...": fields the constraints do not need are dim. */
static int
draw_fields(const struct crt *c, int y, int x, const struct rss_port_quality *pq, bool low)
{
	int x0 = x, n = 0;

	for (int f = 0; f < SHARD_NFIELDS; f++) {
		const struct rss_field_quality *fq = &pq->f[f];
		int attr = crt_attr(c, fq->needed ? CRT_NORMAL : CRT_DIM);

		if (!fq->hashed || (low && !fq->needed))
			continue;
		x += widget_printf(c, y, x, c->cols - x, attr, "%s%s %u/%u", n++ ? " " : "",
				   field_short(f), low ? fq->low_rank : fq->reaching,
				   low ? fq->low_want : fq->bits);
	}
	if (!n)
		x += widget_text(c, y, x, c->cols - x, crt_attr(c, CRT_WARN),
				 low ? "no needed field hashed" : "none hashed");
	return x - x0;
}

/* The field set as rss show prints it; DPDK's flags only when they fit whole. */
static void
draw_fieldset(const struct crt *c, int y, const struct fieldset *fs)
{
	char name[96], letters[8], rte[192];
	int x;

	fieldset_name(fs, name, sizeof name);
	fieldset_letters(fs, letters, sizeof letters);
	fieldset_rte_text(fs, rte, sizeof rte);
	widget_text(c, y, 1, LABEL - 1, crt_attr(c, CRT_DIM), "fields");
	x = LABEL + widget_printf(c, y, LABEL, c->cols - LABEL, crt_attr(c, CRT_FIELD), "%s (%s",
				  name, letters);
	if (rte[0] && x + 2 + widget_width(c, rte) + 1 <= c->cols)
		x += widget_printf(c, y, x, c->cols - x, crt_attr(c, CRT_DIM), "; %s", rte);
	widget_text(c, y, x, c->cols - x, crt_attr(c, CRT_FIELD), ")");
}

static void
draw_detail(const struct rss_view *v, const struct crt *c, const struct layout *L)
{
	const struct rss_config *cf = v->cur;
	unsigned p = (unsigned)v->sel;
	const struct rss_port_quality *pq = &v->q.port[p];
	char head[256], w[MAX_WARN][WARN_LEN];
	int roles[MAX_WARN], normal = crt_attr(c, CRT_NORMAL), y, x;

	if (v->fset >= 0)
		snprintf(head, sizeof head, "%s \u2500\u2500 field set %d/%u%s%s", cf->ports[p],
			 v->fset + 1, v->fsets.n,
			 v->fset == v->fsets.recommended ? ", recommended" : "",
			 v->fsets.c[v->fset].sol.satisfiable ? "" : ", one core");
	else
		snprintf(head, sizeof head, "%s \u2500\u2500 %s", cf->ports[p], v->fsets_done ?
			 "field set not among the candidates" : "F3: the other field sets");
	if (L->sep)
		rule(c, L->sep_y, 0, c->cols, head);

	if (L->fields)
		draw_fieldset(c, L->fields_y, &cf->port[p].fs);

	/* The key as ethtool -x prints it, 20 bytes a row. */
	for (int r = 0; r < L->key_rows; r++) {
		char hex[256];
		int n = 0;

		for (int b = r * L->key_per_row; b < (r + 1) * L->key_per_row &&
		     b < (int)cf->key_len; b++)
			n += snprintf(hex + n, sizeof hex - (size_t)n, "%s%02x",
				      b % L->key_per_row ? ":" : "", cf->port[p].key[b]);
		widget_text(c, L->key_y + r, 1, LABEL - 1, crt_attr(c, CRT_DIM), r ? "" : "key");
		widget_text(c, L->key_y + r, LABEL, c->cols - LABEL, crt_attr(c, CRT_FIELD), hex);
	}

	/* Quality as rss quality words it: the rank of the map to the RETA index, the bits of
	** each field that reach it, the low-order bits alone, the balance measured. */
	y = L->qual_y;
	widget_text(c, y, 1, LABEL - 1, crt_attr(c, CRT_DIM), "quality");
	x = LABEL + widget_printf(c, y, LABEL, c->cols - LABEL,
				  crt_attr(c, pq->rank < v->q.reta_bits ? CRT_WARN : CRT_NORMAL),
				  "rank %u/%u", pq->rank, v->q.reta_bits);
	x += widget_text(c, y, x, c->cols - x, normal, "  to RETA: ");
	draw_fields(c, y, x, pq, false);
	if (L->qual_rows < 2)
		return;
	y++;
	x = LABEL + widget_text(c, y, LABEL, c->cols - LABEL, normal, "low-order bits: ");
	x += draw_fields(c, y, x, pq, true);
	widget_text(c, y, x, c->cols - x, crt_attr(c, pq->full ? CRT_GOOD : CRT_WARN),
		    pq->full ? "  full \u2713" : "  not full \u2717");
	y++;
	widget_text(c, y, 1, LABEL - 1, crt_attr(c, CRT_DIM), "balance");
	widget_printf(c, y, LABEL, c->cols - LABEL, normal, "max/mean %.2f uniform, %.2f on two "
		      "/24s (%u/%u cores get any)", pq->imbalance_uniform, pq->imbalance_subnet,
		      pq->cores_hit_subnet, cf->cores);
	warnings(v, c, p, w, roles);
	for (int i = 0; i < L->n_warn; i++)
		widget_text(c, ++y, LABEL, c->cols - LABEL, crt_attr(c, (enum crt_role)roles[i]),
			    w[i]);
}

static void
draw_reta(const struct rss_view *v, const struct crt *c, const struct layout *L)
{
	const struct rss_config *cf = v->cur;
	const uint16_t *reta = cf->port[v->sel].reta;
	int total = ((int)cf->reta_size + L->per_row - 1) / L->per_row;
	int top = (int)v->reta_first / L->per_row, pw = (int)digits(cf->reta_size - 1);
	char head[192];
	unsigned first, last;

	if (L->reta_rows <= 0)
		return;
	if (top > total - L->reta_rows)
		top = total - L->reta_rows;
	if (top < 0)
		top = 0;
	first = (unsigned)(top * L->per_row);
	last = (unsigned)((top + L->reta_rows) * L->per_row);
	if (last > cf->reta_size)
		last = cf->reta_size;
	snprintf(head, sizeof head, "RETA of %s, %u entries", reta_shared(cf) && cf->n_ports > 1 ?
		 "every port" : cf->ports[v->sel], cf->reta_size);
	/* A RETA taller than its rows scrolls; the header says which entries are shown. */
	if (L->reta_rows < total)
		snprintf(head + strlen(head), sizeof head - strlen(head),
			 " \u2500\u2500 %u-%u shown, PgUp/PgDn", first, last - 1);
	rule(c, L->reta_y, L->reta_x, L->hist_x > 0 ? L->reta_w : c->cols - L->reta_x, head);
	for (int r = 0; r < L->reta_rows; r++) {
		int y = L->reta_y + 1 + r, x = L->reta_x;
		unsigned i0 = (unsigned)((top + r) * L->per_row);

		x += widget_printf(c, y, x, c->cols - x, crt_attr(c, CRT_DIM), " %*u: ", pw, i0);
		/* ethtool -x's rows, each cell in its core's colour (reversed: a block). */
		for (unsigned i = i0; i < i0 + (unsigned)L->per_row && i < cf->reta_size; i++) {
			int attr = crt_attr(c, crt_core_role(reta[i])) | A_REVERSE;

			widget_printf(c, y, x, c->cols - x, attr, "%*u", L->cell - 1, reta[i]);
			x += L->cell;
		}
	}
}

/* Many cores: a column each, eight heights scaled to the busiest, then the extremes. */
static void
draw_spark(const struct rss_view *v, const struct crt *c, const struct layout *L)
{
	unsigned n = v->n_cores, dw = digits(n ? n - 1 : 0), busy = 0, idle_core = 0, idle = 0;
	int lw = 2 * (int)dw + 2, rows = L->hist_rows - 1;
	double *vals = xcalloc(n ? n : 1, sizeof *vals), t = v->total ? (double)v->total : 1;

	for (unsigned k = 0; k < n; k++) {
		vals[k] = (double)v->per_core[k];
		if (v->per_core[k] > v->per_core[busy])
			busy = k;
		if (v->per_core[k] < v->per_core[idle_core])
			idle_core = k;
		idle += !v->per_core[k];
	}
	for (int r = 0; r < rows; r++) {
		unsigned first = (unsigned)(r * L->spark_w), cnt;
		int y = L->hist_y + 1 + r;

		if (first >= n || y >= L->bottom)
			break;
		cnt = n - first < (unsigned)L->spark_w ? n - first : (unsigned)L->spark_w;
		widget_printf(c, y, L->hist_x, lw, crt_attr(c, CRT_DIM), "%*u-%-*u", (int)dw, first,
			      (int)dw, first + cnt - 1);
		widget_spark(c, y, L->hist_x + lw, (int)cnt, crt_attr(c, CRT_FIELD), vals + first,
			     cnt, 0);
	}
	if (L->hist_y + L->hist_rows < L->bottom)
		widget_printf(c, L->hist_y + L->hist_rows, L->hist_x, L->hist_w,
			      crt_attr(c, CRT_NORMAL), "busiest core %u %.1f%%, least busy core %u "
			      "%.1f%%, %u idle", busy, 100.0 * (double)v->per_core[busy] / t,
			      idle_core, 100.0 * (double)v->per_core[idle_core] / t, idle);
	free(vals);
}

static void
draw_load(const struct rss_view *v, const struct crt *c, const struct layout *L)
{
	const struct rss_config *cf = v->cur;
	unsigned d = digits(cf->cores ? cf->cores - 1 : 0), shown;
	int colw = (L->hist_w + 2) / L->hist_cols, hy = L->hist_y;
	uint64_t max = 0;
	char head[512];
	int n;

	for (unsigned i = 0; i < v->n_cores; i++)
		if (v->per_core[i] > max)
			max = v->per_core[i];
	if (v->load_trace)
		n = snprintf(head, sizeof head, "load per core: %s, %llu packets",
			     base_name(v->a->trace), (unsigned long long)v->total);
	else
		n = snprintf(head, sizeof head, "load per core: uniform, %u random tuples per port",
			     UNIFORM_TUPLES);
	n += snprintf(head + n, sizeof head - (size_t)n, " \u2500\u2500 max/mean %.2f",
		      v->imbalance);
	shown = (unsigned)(L->hist_rows * L->hist_cols);
	if (L->spark_w > 0)
		shown = (unsigned)((L->hist_rows - 1) * L->spark_w);
	if (shown > cf->cores)
		shown = cf->cores;
	if (shown < cf->cores)
		snprintf(head + n, sizeof head - (size_t)n, " \u2500\u2500 cores 0-%u of %u shown",
			 shown - 1, cf->cores);
	rule(c, hy, L->hist_x, L->hist_w, head);
	if (L->spark_w > 0) {
		draw_spark(v, c, L);
		return;
	}
	for (unsigned k = 0; k < cf->cores && k < shown; k++) {
		int y = hy + 1 + (int)k % L->hist_rows;
		int x = L->hist_x + (int)k / L->hist_rows * colw;
		int role = crt_attr(c, crt_core_role(k));
		double share = v->total ? (double)v->per_core[k] / (double)v->total : 0;
		int cw = colw - 2, label = 5 + (int)d + 1, tail = 15, bar;	/* a gap of 2 */
		char si[16];

		if (y >= L->bottom)
			continue;
		widget_printf(c, y, x, cw, role | A_BOLD, "core %*u", (int)d, k);
		bar = cw - label - tail;
		/* Scaled to the busiest core, as rss balance's histogram: differences show. */
		if (bar >= 4)
			widget_bar(c, y, x + label, bar, role,
				   max ? (double)v->per_core[k] / (double)max : 0);
		else
			bar = 0;
		widget_si((double)v->per_core[k], si, sizeof si);
		widget_printf(c, y, x + label + bar, cw - label - bar, crt_attr(c, CRT_NORMAL),
			      " %5.1f%% %7s", share * 100, si);
	}
}

static void
rss_draw(void *this, const struct crt *c)
{
	const struct rss_view *v = this;
	struct layout L;

	layout_of(v, c, &L);
	draw_header(v, c);
	draw_ports(v, c, &L);
	draw_detail(v, c, &L);
	draw_reta(v, c, &L);
	draw_load(v, c, &L);
	if (v->note[0]) {
		widget_text(c, L.bottom, 0, c->cols, crt_attr(c, CRT_GOOD), v->note);
	} else {
		static const char *const hints[] = { "Tab port", "  f field set", "  s solve",
			"  t trace/uniform", "  r reset", "  PgUp/PgDn RETA", "  ? help" };
		int x = 0;

		for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
			part(c, L.bottom, &x, crt_attr(c, CRT_DIM), hints[i]);
	}
}

/*---- keys ----*/

static int
rss_key(void *this, const struct crt *c, int key)
{
	struct rss_view *v = this;
	int n = (int)v->cur->n_ports, total, max, top;
	struct layout L;

	switch (key) {
	case '\t':
	case KEY_RIGHT:
	case KEY_F(2):
		v->sel = (v->sel + 1) % n;
		return VIEW_HANDLED;
	case KEY_BTAB:
	case KEY_LEFT:
		v->sel = (v->sel + n - 1) % n;
		return VIEW_HANDLED;
	case 'f':
	case KEY_F(3):
		v->pending = P_NEXT;
		return VIEW_HANDLED | VIEW_UPDATE;
	case 'F':
		v->pending = P_PREV;
		return VIEW_HANDLED | VIEW_UPDATE;
	case 's':
	case 'S':
	case KEY_F(4):
		v->pending = P_SOLVE;
		return VIEW_HANDLED | VIEW_UPDATE;
	case 't':
	case 'T':
	case KEY_F(5):
		v->pending = P_LOAD;
		return VIEW_HANDLED | VIEW_UPDATE;
	case 'r':
	case 'R':
	case KEY_F(6):
		v->pending = P_RESET;
		return VIEW_HANDLED | VIEW_UPDATE;
	}
	/* The rest scroll the RETA, its first row shown moving like a selection. */
	layout_of(v, c, &L);
	total = ((int)v->cur->reta_size + L.per_row - 1) / L.per_row;
	max = total - L.reta_rows > 0 ? total - L.reta_rows : 0;
	top = (int)v->reta_first / L.per_row < max ? (int)v->reta_first / L.per_row : max;
	if (!view_move(key, total, L.reta_rows, &top))
		return VIEW_IGNORED;
	v->reta_first = (unsigned)((top < max ? top : max) * L.per_row);
	return VIEW_HANDLED;
}

static int
rss_fkeys(void *this, struct widget_fkey *out)
{
	(void)this;
	out[0] = (struct widget_fkey){ "F2", "Port" };
	out[1] = (struct widget_fkey){ "F3", "Fields" };
	out[2] = (struct widget_fkey){ "F4", "Solve" };
	out[3] = (struct widget_fkey){ "F5", "Load" };
	out[4] = (struct widget_fkey){ "F6", "Reset" };
	return 5;
}

static const char *const rss_help[] = {
	"Tab Right F2   next port (Left, Shift-Tab: the previous)",
	"f F3           next field set the NIC accepts (F: the previous);",
	"               each comes solved: key, quality, check at once",
	"s F4           solve again with this field set (a new seed: a new key)",
	"t F5           load per core: the current trace / uniform tuples",
	"r F6           back to the configuration the view opened with",
	"Up Down PgUp PgDn Home End   scroll the RETA",
	"",
	"RETA cells are coloured by core; bars are packets per core,",
	"scaled to the busiest. What is shown when you leave becomes",
	"the session's configuration (rss show prints it).",
	NULL,
};

static const struct view_class rss_class = {
	.name = "rss",
	.period_ms = 0,
	.help = rss_help,
	.update = rss_update,
	.draw = rss_draw,
	.key = rss_key,
	.fkeys = rss_fkeys,
};

/*---- Entry ----*/

int
view_rss_run(const struct view_rss_args *a, const volatile sig_atomic_t *stop,
	     struct rss_config **out_cfg, struct err *e)
{
	struct rss_view v;
	int rc;

	*out_cfg = NULL;
	if (!a->cfg->n_ports)
		return err_set(e, -EINVAL, "the RSS configuration has no port");
	memset(&v, 0, sizeof v);
	v.a = a;
	v.stop = stop;
	v.cur = rss_config_copy(a->cfg);
	v.seed = a->cfg->seed;
	v.uniform = !a->trace || !a->pm;
	v.fset = -1;
	rc = view_run(&rss_class, &v, stop, e);
	if (rc == 0 && !config_same(v.cur, a->cfg)) {
		*out_cfg = v.cur;
		v.cur = NULL;
	}
	rss_config_free(v.cur);
	if (v.fsets_done)
		rss_fieldsets_release(&v.fsets);
	rss_check_release(&v.chk);
	free(v.why_not);
	free(v.per_core);
	for (unsigned p = 0; p < RSS_MAX_PORTS; p++)
		free(v.loads[p]);
	return rc;
}
