/*
** view cores: the launched build live. See view_cores.h.
**
** update() reads /baton/cores once a second (launch_counters), turns it into a frame of plain
** numbers per core and appends each core's rx rate to its history; draw() paints a frame and
** nothing else. Paused, the view shows a frozen copy of the frame while update() goes on
** reading into the live one, so the history has no hole and resuming shows the true last minute.
*/
#include "viz/view_cores.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/val.h"
#include "engine/xalloc.h"
#include "viz/view.h"

#define VIEW_CORES_HIST 60	/* samples kept, one a second: the last minute */
#define VIEW_CORES_TOP 5	/* rows above the first core: three header lines, a gap, titles */

/*---- Frames: what update() read, as numbers ----*/

struct view_cores_row {
	int core;		/* -1: the total row */
	int lcore;
	double rx_pps, tx_pps, drop_pps, busy;
	double cpp;		/* busy cycles per received packet over the last sample */
	double abort_ps, wlock_ps, flood_ps;	/* NAN until two samples give a difference */
	int64_t rx, tx, drops, floods, tx_fail, aborts, write_locks, busy_cycles;
	double hist[VIEW_CORES_HIST];	/* rx_pps, oldest first */
};

struct view_cores_frame {
	unsigned n;			/* cores */
	struct view_cores_row *row;	/* n cores, then the total */
	unsigned nhist;			/* samples in each hist, up to VIEW_CORES_HIST */
	unsigned samples;		/* snapshots read */
	double seconds;			/* the build's uptime at the sample */
	double imbalance;		/* max/mean of the cores' rx_pps; 0 without traffic */
};

enum view_cores_sort {
	CORES_SORT_CORE, CORES_SORT_RX, CORES_SORT_DROPS, CORES_SORT_CPP, CORES_SORT_N
};

static const char *const view_cores_sort_name[CORES_SORT_N] = {
	"core", "rx/s", "drop/s", "cyc/pkt"
};

struct view_cores {
	struct launch_run *run;
	char nf[64], mode[16];
	bool locks;			/* a locks build: aborts and write locks have columns */
	struct view_cores_frame live;	/* what update() last read */
	struct view_cores_frame frozen;	/* what the screen shows while paused */
	bool paused;
	bool ended;			/* the build has exited: the figures are its last */
	int status;			/* its exit status, once ended */
	bool stalled;			/* it runs but its telemetry did not answer */
	enum view_cores_sort sort;
	bool invert;
	int sel_core;			/* follows its core through sorts */
	int top;			/* first visible row */
};

static double
view_cores_num(const struct val *v, const char *key)
{
	const struct val *x = v ? val_get(v, key) : NULL;

	if (!x)
		return 0;
	return x->kind == VAL_INT ? (double)x->u.i : x->kind == VAL_NUM ? x->u.n : 0;
}

/* One row from a core's (or the total's) counters; 'had' says whether r still holds the
** previous sample, which the differences (cycles per packet, abort rates) need. */
static void
view_cores_fill(struct view_cores_row *r, const struct val *c, bool had, double dt)
{
	int64_t rx = (int64_t)view_cores_num(c, "rx");
	int64_t busy = (int64_t)view_cores_num(c, "busy_cycles");
	int64_t aborts = (int64_t)view_cores_num(c, "aborts");
	int64_t wlocks = (int64_t)view_cores_num(c, "write_locks");
	int64_t floods = (int64_t)view_cores_num(c, "floods");

	/* The runtime's own cycles_per_packet is since the start; a live view wants the last
	** second, as rx/s is. Without a previous sample, since the start is all there is. */
	if (had && rx > r->rx)
		r->cpp = (double)(busy - r->busy_cycles) / (double)(rx - r->rx);
	else if (had)
		r->cpp = NAN;
	else
		r->cpp = view_cores_num(c, "cycles_per_packet");
	r->abort_ps = had && dt > 0 ? (double)(aborts - r->aborts) / dt : NAN;
	r->wlock_ps = had && dt > 0 ? (double)(wlocks - r->write_locks) / dt : NAN;
	r->flood_ps = had && dt > 0 ? (double)(floods - r->floods) / dt : NAN;
	r->lcore = val_get(c, "lcore") ? (int)view_cores_num(c, "lcore") : -1;
	r->rx_pps = view_cores_num(c, "rx_pps");
	r->tx_pps = view_cores_num(c, "tx_pps");
	r->drop_pps = view_cores_num(c, "drop_pps");
	r->busy = view_cores_num(c, "busy");
	r->rx = rx;
	r->tx = (int64_t)view_cores_num(c, "tx");
	r->drops = (int64_t)view_cores_num(c, "drops");
	r->floods = floods;
	r->tx_fail = (int64_t)view_cores_num(c, "tx_fail");
	r->aborts = aborts;
	r->write_locks = wlocks;
	r->busy_cycles = busy;
}

static void
view_cores_push(struct view_cores_frame *f)
{
	for (unsigned k = 0; k <= f->n; k++) {
		struct view_cores_row *r = &f->row[k];

		if (f->nhist == VIEW_CORES_HIST)
			memmove(r->hist, r->hist + 1, (VIEW_CORES_HIST - 1) * sizeof r->hist[0]);
		r->hist[f->nhist < VIEW_CORES_HIST ? f->nhist : VIEW_CORES_HIST - 1] = r->rx_pps;
	}
	if (f->nhist < VIEW_CORES_HIST)
		f->nhist++;
}

static void
view_cores_copy(struct view_cores_frame *to, const struct view_cores_frame *from)
{
	struct view_cores_row *row = to->row;

	*to = *from;
	to->row = row;
	memcpy(to->row, from->row, (from->n + 1) * sizeof *row);
}

static const struct view_cores_frame *
view_cores_shown(const struct view_cores *v)
{
	return v->paused ? &v->frozen : &v->live;
}

/*---- update ----*/

static void
view_cores_ended(struct view_cores *v)
{
	struct val *st = launch_status(v->run);

	v->ended = true;
	v->stalled = false;
	v->status = (int)val_get_int(st, "status", -1);
	val_free(st);
}

static void
view_cores_update(void *this, struct err *e)
{
	struct view_cores *v = this;
	struct view_cores_frame *f = &v->live;
	const struct val *cores;
	struct val *snap;
	double dt;

	if (v->ended)
		return;
	if (!launch_running(v->run)) {
		view_cores_ended(v);
		return;
	}
	snap = launch_counters(v->run, e);
	if (!snap) {
		/* It may have ended between the two calls; else the telemetry is slow or gone,
		** and e says which in the status line. */
		if (!launch_running(v->run)) {
			err_clear(e);
			view_cores_ended(v);
		} else {
			v->stalled = true;
		}
		return;
	}
	v->stalled = false;
	cores = val_get(snap, "cores");
	dt = view_cores_num(snap, "interval");
	for (unsigned k = 0; k < f->n; k++) {
		const struct val *c = cores && cores->kind == VAL_ARR && k < cores->u.c.n ?
				      cores->u.c.items[k] : NULL;

		view_cores_fill(&f->row[k], c, f->samples > 0, dt);
	}
	view_cores_fill(&f->row[f->n], val_get(snap, "total"), f->samples > 0, dt);
	f->seconds = view_cores_num(snap, "seconds");
	f->imbalance = view_cores_num(snap, "imbalance");
	/* The first snapshot's rates run from whoever read the counters last (or the start) to
	** now: shown, but kept out of the history, which is a second a column. */
	if (f->samples++ > 0)
		view_cores_push(f);
	val_free(snap);
}

/*---- Sorting and layout ----*/

/* The value sorted on; larger comes first (before inverting). */
static double
view_cores_key_of(const struct view_cores *v, const struct view_cores_row *r)
{
	switch (v->sort) {
	case CORES_SORT_RX:
		return r->rx_pps;
	case CORES_SORT_DROPS:
		return r->drop_pps;
	case CORES_SORT_CPP:
		return isnan(r->cpp) ? -1 : r->cpp;
	default:
		return -r->core;
	}
}

/* The cores in screen order into out[0 .. f->n). An insertion sort: a few dozen cores, and
** it is stable, so ties stay in core order. */
static void
view_cores_order(const struct view_cores *v, const struct view_cores_frame *f, int *out)
{
	for (unsigned i = 0; i < f->n; i++) {
		double ki = view_cores_key_of(v, &f->row[i]);
		unsigned j = i;

		for (; j > 0; j--) {
			double kj = view_cores_key_of(v, &f->row[out[j - 1]]);

			if (v->invert ? kj <= ki : kj >= ki)
				break;
			out[j] = out[j - 1];
		}
		out[j] = (int)i;
	}
}

static int
view_cores_index(const struct view_cores_frame *f, const int *order, int core)
{
	for (unsigned i = 0; i < f->n; i++)
		if (order[i] == core)
			return (int)i;
	return 0;
}

enum {
	CORES_COL_CORE, CORES_COL_RX, CORES_COL_TX, CORES_COL_DROP, CORES_COL_ABORT,
	CORES_COL_WLOCK, CORES_COL_CPP, CORES_COL_BUSY, CORES_COL_BAR,
	CORES_COL_SPARK, CORES_COL_N
};

struct view_cores_layout {
	int x[CORES_COL_N], w[CORES_COL_N];	/* w 0: the column is left out */
	int visible;			/* core rows shown */
	bool detail;			/* room for the selected core's lines under the total */
};

/* Columns first: the figures always, then the sparkline up to 30 s, the busy bar, the
** sparkline up to the whole minute, a longer bar. Then rows: every core when they fit with the
** details, else the details keep their rows as long as 4 cores still show. */
static void
view_cores_layout(const struct view_cores *v, const struct crt *c, unsigned n,
		  struct view_cores_layout *l)
{
	static const int fixed[CORES_COL_N] = {5, 7, 7, 7, 7, 7, 7, 4, 0, 0};
	int x = 0, rest, avail, grow, need;

	memset(l, 0, sizeof *l);
	for (int i = 0; i < CORES_COL_BAR; i++) {
		if (!v->locks && (i == CORES_COL_ABORT || i == CORES_COL_WLOCK))
			continue;
		l->w[i] = fixed[i];
		x += (i ? 1 : 0) + fixed[i];
	}
	rest = c->cols - x;
	l->w[CORES_COL_SPARK] = rest - 1 < 30 ? rest - 1 : 30;
	if (l->w[CORES_COL_SPARK] < 8)
		l->w[CORES_COL_SPARK] = 0;
	rest -= l->w[CORES_COL_SPARK] ? l->w[CORES_COL_SPARK] + 1 : 0;
	l->w[CORES_COL_BAR] = rest >= 9 ? (rest - 1 < 12 ? rest - 1 : 12) : 0;
	rest -= l->w[CORES_COL_BAR] ? l->w[CORES_COL_BAR] + 1 : 0;
	if (l->w[CORES_COL_SPARK]) {
		grow = VIEW_CORES_HIST - l->w[CORES_COL_SPARK];
		grow = rest < grow ? rest : grow;
		l->w[CORES_COL_SPARK] += grow;
		rest -= grow;
	}
	if (l->w[CORES_COL_BAR]) {
		grow = rest < 22 - l->w[CORES_COL_BAR] ? rest : 22 - l->w[CORES_COL_BAR];
		l->w[CORES_COL_BAR] += grow;
	}
	x = 0;
	for (int i = 0; i < CORES_COL_N; i++) {
		if (!l->w[i])
			continue;
		l->x[i] = x;
		x += l->w[i] + 1;
	}
	/* Rows VIEW_CORES_TOP .. rows-2: the cores, the total, then a gap and the detail lines
	** (two, three for locks builds). */
	avail = c->rows - 1 - VIEW_CORES_TOP;
	need = 1 + (v->locks ? 3 : 2);
	if (avail >= (int)n + 1 + need) {
		l->visible = (int)n;
		l->detail = true;
	} else if (avail - 1 - need >= 4) {
		l->visible = avail - 1 - need;
		l->detail = true;
	} else {
		l->visible = avail - 1 > 1 ? avail - 1 : 1;
	}
}

/*---- draw ----*/

static void
view_cores_header(const struct view_cores *v, const struct view_cores_frame *f,
		  const struct crt *c, const struct view_cores_layout *l, int top)
{
	const struct view_cores_row *t = &f->row[f->n];
	unsigned s = (unsigned)f->seconds;
	char state[64], rx[16], tx[16], dr[16], drops[16];
	int attr, x;
	double im = f->imbalance;

	/* The title bar, with the state at its right end as htop puts its clock. */
	widget_fill(c, 0, 0, crt_attr(c, CRT_TITLE));
	widget_printf(c, 0, 0, c->cols, crt_attr(c, CRT_TITLE),
		      " %s %s on %u core%s, up %02u:%02u:%02u",
		      v->nf, v->mode, f->n, f->n == 1 ? "" : "s", s / 3600, s / 60 % 60, s % 60);
	if (v->ended) {
		snprintf(state, sizeof state, " ended: status %d ", v->status);
		attr = crt_attr(c, CRT_BAD) | A_REVERSE | A_BOLD;
	} else if (v->stalled) {
		snprintf(state, sizeof state, " no answer ");
		attr = crt_attr(c, CRT_WARN) | A_REVERSE | A_BOLD;
	} else if (v->paused) {
		snprintf(state, sizeof state, " paused ");
		attr = crt_attr(c, CRT_WARN) | A_REVERSE | A_BOLD;
	} else {
		snprintf(state, sizeof state, " live ");
		attr = crt_attr(c, CRT_TITLE) | A_BOLD;
	}
	x = c->cols - widget_width(c, state);
	widget_text(c, 0, x > 0 ? x : 0, c->cols, attr, state);

	widget_si(t->rx_pps, rx, sizeof rx);
	widget_si(t->tx_pps, tx, sizeof tx);
	widget_si((double)t->drops, drops, sizeof drops);
	x = widget_text(c, 1, 0, c->cols, A_NORMAL, " Rx ");
	x += widget_printf(c, 1, x, c->cols, A_BOLD, "%s/s", rx);
	x += widget_text(c, 1, x, c->cols, A_NORMAL, "  Tx ");
	x += widget_printf(c, 1, x, c->cols, A_BOLD, "%s/s", tx);
	/* Floods are neither tx nor drops (a bridge that has not learnt yet): say so. */
	if (t->floods > 0) {
		widget_si(isnan(t->flood_ps) ? 0 : t->flood_ps, dr, sizeof dr);
		x += widget_text(c, 1, x, c->cols, A_NORMAL, "  Floods ");
		x += widget_printf(c, 1, x, c->cols, A_BOLD, "%s/s", dr);
	}
	widget_si(t->drop_pps, dr, sizeof dr);
	x += widget_text(c, 1, x, c->cols, A_NORMAL, "  Drops ");
	x += widget_printf(c, 1, x, c->cols, t->drop_pps > 0 ? crt_attr(c, CRT_WARN) : (int)A_BOLD,
			   "%s/s", dr);
	x += widget_printf(c, 1, x, c->cols, A_NORMAL, " (%s in all)", drops);
	x += widget_text(c, 1, x, c->cols, A_NORMAL, "  Busy ");
	widget_printf(c, 1, x, c->cols, A_BOLD, "%.0f%%", t->busy * 100);

	x = widget_text(c, 2, 0, c->cols, A_NORMAL, " Imbalance ");
	/* In words too: NO_COLOR leaves only bold to tell good from bad. */
	if (im <= 0)
		x += widget_text(c, 2, x, c->cols, crt_attr(c, CRT_DIM), "- (no traffic)");
	else if (im < 1.1)
		x += widget_printf(c, 2, x, c->cols, crt_attr(c, CRT_GOOD) | A_BOLD, "%.2f even",
				   im);
	else if (im < 1.5)
		x += widget_printf(c, 2, x, c->cols, crt_attr(c, CRT_WARN) | A_BOLD, "%.2f uneven",
				   im);
	else
		x += widget_printf(c, 2, x, c->cols, crt_attr(c, CRT_BAD) | A_BOLD, "%.2f skewed",
				   im);
	x += widget_text(c, 2, x, c->cols, A_NORMAL, " (max/mean rx/s)   Sort ");
	x += widget_printf(c, 2, x, c->cols, A_BOLD, "%s", view_cores_sort_name[v->sort]);
	widget_printf(c, 2, x, c->cols, A_NORMAL, ", %s",
		      (v->sort == CORES_SORT_CORE) != v->invert ? "ascending" : "descending");
	/* Where the window is, on the gap line: row 2 is full at 60 columns. */
	if ((int)f->n > l->visible) {
		char where[48];

		snprintf(where, sizeof where, "cores %d-%d of %u ", top + 1, top + l->visible,
			 f->n);
		x = c->cols - widget_width(c, where);
		widget_text(c, 3, x > 0 ? x : 0, c->cols, crt_attr(c, CRT_DIM), where);
	}
}

static void
view_cores_titles(const struct view_cores *v, const struct crt *c,
		  const struct view_cores_layout *l, double max, unsigned nhist)
{
	static const char *const name[CORES_COL_N] = {
		"core", "rx/s", "tx/s", "drop/s", "abrt/s", "wlock/s", "cyc/pkt", "busy", "", ""
	};
	static const int sorted[CORES_SORT_N] = {
		CORES_COL_CORE, CORES_COL_RX, CORES_COL_DROP, CORES_COL_CPP
	};
	int y = VIEW_CORES_TOP - 1;
	char m[16];

	widget_fill(c, y, 0, crt_attr(c, CRT_TITLE));
	for (int i = 0; i < CORES_COL_SPARK; i++) {
		int attr = crt_attr(c, i == sorted[v->sort] ? CRT_SELECT : CRT_TITLE);

		if (!l->w[i] || !*name[i])
			continue;
		widget_printf(c, y, l->x[i], l->w[i], attr | (i == sorted[v->sort] ? A_BOLD : 0),
			      "%*s", l->w[i], name[i]);
	}
	if (l->w[CORES_COL_SPARK]) {
		int w = l->w[CORES_COL_SPARK];
		unsigned secs = nhist < (unsigned)w ? nhist : (unsigned)w;
		char t[64];

		/* The longest title that fits: the scale matters more than the words. */
		widget_si(max, m, sizeof m);
		snprintf(t, sizeof t, "rx/s, last %u s, top %s", secs, m);
		if (secs == 0)
			snprintf(t, sizeof t, "rx/s, a column a second");
		if ((int)strlen(t) > w)
			snprintf(t, sizeof t, "rx/s %u s, top %s", secs, m);
		if ((int)strlen(t) > w)
			snprintf(t, sizeof t, "rx/s, top %s", m);
		widget_text(c, y, l->x[CORES_COL_SPARK], w, crt_attr(c, CRT_TITLE), t);
	}
}

/* 's' right-aligned in column 'col', when the layout has it. */
static void
view_cores_put(const struct crt *c, int y, const struct view_cores_layout *l, int col, int attr,
	       const char *s)
{
	if (l->w[col])
		widget_printf(c, y, l->x[col], l->w[col], attr, "%*s", l->w[col], s);
}

/* A figure: "-" when unknown (NAN), "12.3M" style with 'si', else whole. */
static void
view_cores_cell(const struct crt *c, int y, const struct view_cores_layout *l, int col,
		int attr, double v, bool si)
{
	char buf[16];

	if (isnan(v))
		snprintf(buf, sizeof buf, "-");
	else if (si)
		widget_si(v, buf, sizeof buf);
	else
		snprintf(buf, sizeof buf, "%.0f", v);
	view_cores_put(c, y, l, col, attr, buf);
}

static void
view_cores_row(const struct view_cores_frame *f, const struct crt *c,
	       const struct view_cores_layout *l, int y, const struct view_cores_row *r,
	       bool selected, double max)
{
	int plain = selected ? crt_attr(c, CRT_SELECT) : r->core < 0 ? (int)A_BOLD : (int)A_NORMAL;
	int own = r->core < 0 ? (int)A_BOLD : crt_attr(c, crt_core_role((unsigned)r->core));
	char buf[16];

	if (selected)
		widget_fill(c, y, 0, plain);
	if (r->core < 0)
		snprintf(buf, sizeof buf, "total");
	else
		snprintf(buf, sizeof buf, "%d", r->core);
	view_cores_put(c, y, l, CORES_COL_CORE, selected ? plain : own | (int)A_BOLD, buf);
	view_cores_cell(c, y, l, CORES_COL_RX, plain, r->rx_pps, true);
	view_cores_cell(c, y, l, CORES_COL_TX, plain, r->tx_pps, true);
	view_cores_cell(c, y, l, CORES_COL_DROP,
			!selected && r->drop_pps > 0 ? crt_attr(c, CRT_WARN) : plain, r->drop_pps,
			true);
	view_cores_cell(c, y, l, CORES_COL_ABORT, plain, r->abort_ps, true);
	view_cores_cell(c, y, l, CORES_COL_WLOCK, plain, r->wlock_ps, true);
	view_cores_cell(c, y, l, CORES_COL_CPP, plain, r->cpp, r->cpp >= 1e5);
	snprintf(buf, sizeof buf, "%.0f%%", r->busy * 100);
	view_cores_put(c, y, l, CORES_COL_BUSY, plain, buf);
	if (l->w[CORES_COL_BAR])
		widget_bar(c, y, l->x[CORES_COL_BAR], l->w[CORES_COL_BAR],
			   selected ? plain : crt_attr(c, CRT_GOOD), r->busy);
	/* The total is several cores' worth: on the cores' scale it would be a flat top. */
	if (l->w[CORES_COL_SPARK])
		widget_spark(c, y, l->x[CORES_COL_SPARK], l->w[CORES_COL_SPARK],
			     selected ? plain : own, r->hist, f->nhist, r->core < 0 ? 0 : max);
}

/* Min, mean and max of the selected core's rx rate over the history, and its totals. */
static void
view_cores_detail(const struct view_cores *v, const struct view_cores_frame *f,
		  const struct crt *c, int y, const struct view_cores_row *r)
{
	double lo = INFINITY, hi = 0, sum = 0;
	char a[16], b[16], d[16], e[16], g[16];
	int x;

	for (unsigned i = 0; i < f->nhist; i++) {
		lo = r->hist[i] < lo ? r->hist[i] : lo;
		hi = r->hist[i] > hi ? r->hist[i] : hi;
		sum += r->hist[i];
	}
	widget_si(f->nhist ? lo : 0, a, sizeof a);
	widget_si(f->nhist ? sum / f->nhist : 0, b, sizeof b);
	widget_si(hi, d, sizeof d);
	x = widget_printf(c, y, 0, c->cols, crt_attr(c, crt_core_role((unsigned)r->core)) | A_BOLD,
			  " core %d", r->core);
	if (r->lcore >= 0)
		x += widget_printf(c, y, x, c->cols, A_NORMAL, " (lcore %d)", r->lcore);
	if (f->nhist)
		widget_printf(c, y, x, c->cols, A_NORMAL, ", rx/s over %u s: min %s  avg %s  "
			      "max %s", f->nhist, a, b, d);
	else
		widget_text(c, y, x, c->cols, A_NORMAL, ", rx/s: the history starts in a second");
	widget_si((double)r->rx, a, sizeof a);
	widget_si((double)r->tx, b, sizeof b);
	widget_si((double)r->drops, d, sizeof d);
	widget_si((double)r->floods, e, sizeof e);
	widget_si((double)r->tx_fail, g, sizeof g);
	widget_printf(c, y + 1, 0, c->cols, crt_attr(c, CRT_DIM),
		      " totals: rx %s  tx %s  drops %s  floods %s  tx_fail %s", a, b, d, e, g);
	if (v->locks) {
		widget_si((double)r->aborts, a, sizeof a);
		widget_si((double)r->write_locks, b, sizeof b);
		widget_printf(c, y + 2, 0, c->cols, crt_attr(c, CRT_DIM),
			      " locks: %s reader runs aborted, %s write locks taken", a, b);
	}
}

static void
view_cores_draw(void *this, const struct crt *c)
{
	struct view_cores *v = this;
	const struct view_cores_frame *f = view_cores_shown(v);
	struct view_cores_layout l;
	int *order = xcalloc(f->n ? f->n : 1, sizeof *order);
	int sel_i, top = v->top, y = VIEW_CORES_TOP;
	unsigned first;
	double max = 0;

	view_cores_layout(v, c, f->n, &l);
	view_cores_order(v, f, order);
	sel_i = view_cores_index(f, order, v->sel_core);
	/* A local top: the terminal may have grown since the last key. */
	view_scroll((int)f->n, l.visible, &sel_i, &top);
	/* One scale for every core over the columns shown, so heights compare across rows. */
	first = f->nhist > (unsigned)l.w[CORES_COL_SPARK] ?
		f->nhist - (unsigned)l.w[CORES_COL_SPARK] : 0;
	for (unsigned k = 0; k < f->n; k++)
		for (unsigned i = first; i < f->nhist; i++)
			max = f->row[k].hist[i] > max ? f->row[k].hist[i] : max;

	view_cores_header(v, f, c, &l, top);
	view_cores_titles(v, c, &l, max, f->nhist);
	for (int i = top; i < (int)f->n && i < top + l.visible; i++, y++)
		view_cores_row(f, c, &l, y, &f->row[order[i]], i == sel_i, max);
	view_cores_row(f, c, &l, y, &f->row[f->n], false, max);
	if (l.detail && f->n)
		view_cores_detail(v, f, c, y + 2, &f->row[order[sel_i]]);
	free(order);
}

/*---- Keys ----*/

static int
view_cores_key(void *this, const struct crt *c, int key)
{
	struct view_cores *v = this;
	const struct view_cores_frame *f = view_cores_shown(v);
	struct view_cores_layout l;
	int *order, i;

	switch (key) {
	case KEY_F(5):
	case 'Z':
	case 'z':
	case 'p':
		if (!v->paused)
			view_cores_copy(&v->frozen, &v->live);
		v->paused = !v->paused;
		return VIEW_HANDLED;
	case KEY_F(6):
	case '>':
	case '.':
		v->sort = (v->sort + 1) % CORES_SORT_N;
		return VIEW_HANDLED;
	case '<':
	case ',':
		v->sort = (v->sort + CORES_SORT_N - 1) % CORES_SORT_N;
		return VIEW_HANDLED;
	case 'I':
		v->invert = !v->invert;
		return VIEW_HANDLED;
	}
	if (f->n == 0)
		return VIEW_IGNORED;
	view_cores_layout(v, c, f->n, &l);
	order = xcalloc(f->n, sizeof *order);
	view_cores_order(v, f, order);
	i = view_cores_index(f, order, v->sel_core);
	if (!view_move(key, (int)f->n, l.visible, &i)) {
		free(order);
		return VIEW_IGNORED;
	}
	view_scroll((int)f->n, l.visible, &i, &v->top);
	v->sel_core = order[i];
	free(order);
	return VIEW_HANDLED;
}

static int
view_cores_fkeys(void *this, struct widget_fkey *out)
{
	struct view_cores *v = this;

	out[0] = (struct widget_fkey){"F5", v->paused ? "Resume" : "Pause"};
	out[1] = (struct widget_fkey){"F6", "SortBy"};
	return 2;
}

static const char *const view_cores_help[] = {
	"F5 Z        pause: the figures freeze; telemetry is still read, so",
	"            on resuming the sparklines show the whole last minute",
	"F6 > <      sort by core, rx/s, drop/s, cyc/pkt; I inverts",
	"Up Down PgUp PgDn Home End   select a core (details under the total)",
	"",
	"rx/s tx/s drop/s  packets a second over the last sample (1 s)",
	"abrt/s wlock/s    locks builds: reader runs aborted, write locks taken",
	"cyc/pkt           busy TSC cycles per received packet, last sample",
	"busy              share of the core's cycles spent on bursts",
	"sparkline         rx/s a column a second; cores share one scale (top),",
	"                  the total row has its own",
	"imbalance         max/mean of the cores' rx/s: < 1.1 even, < 1.5 uneven",
	"When the build ends the header says so and the last figures stay.",
	NULL,
};

static const struct view_class view_cores_class = {
	.name = "cores",
	.period_ms = 1000,
	.help = view_cores_help,
	.update = view_cores_update,
	.draw = view_cores_draw,
	.key = view_cores_key,
	.fkeys = view_cores_fkeys,
};

int
view_cores_run(struct launch_run *run, const volatile sig_atomic_t *stop, struct err *e)
{
	struct view_cores v = { .run = run };
	struct val *st = launch_status(run);
	int64_t n = val_get_int(st, "cores", 1);
	int rc;

	snprintf(v.nf, sizeof v.nf, "%s", val_get_str(st, "nf") ? val_get_str(st, "nf") : "?");
	snprintf(v.mode, sizeof v.mode, "%s",
		 val_get_str(st, "mode") ? val_get_str(st, "mode") : "?");
	val_free(st);
	v.locks = strcmp(v.mode, "locks") == 0;
	v.live.n = v.frozen.n = n > 0 ? (unsigned)n : 1;
	v.live.row = xcalloc(v.live.n + 1, sizeof *v.live.row);
	v.frozen.row = xcalloc(v.live.n + 1, sizeof *v.frozen.row);
	for (unsigned k = 0; k <= v.live.n; k++)
		v.live.row[k].core = k < v.live.n ? (int)k : -1;
	view_cores_copy(&v.frozen, &v.live);
	rc = view_run(&view_cores_class, &v, stop, e);
	free(v.live.row);
	free(v.frozen.row);
	return rc;
}
