/*
** view graph: the state-dependency graph. See view_graph.h.
**
** Layout (made once; the graph does not change while the view is open): key sources in the
** left column on even rows, objects in the right column. Edges with the same object and the
** same label (ports and r/w) form a bundle; each bundle has its own vertical lane and arrives
** at its object on an odd row, so source lines and arrival lines never share a row. Lines go
** into a grid of cells holding their directions; a line that crosses a lane it does not join
** hops over it (the lane is drawn broken), so every junction drawn is a real connection.
*/
#include "viz/view_graph.h"

#include <curses.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sbuf.h"
#include "engine/xalloc.h"
#include "viz/view.h"

enum { DIR_N = 1, DIR_S = 2, DIR_E = 4, DIR_W = 8 };
#define GRAPH_LABEL_MAX 40
#define GRAPH_LEFT_MAX 18	/* source names are cut past this */
#define GRAPH_RIGHT_MAX 24

struct graph_src {
	char name[40];		/* "ipv4.src", or an object's name (a value read from it) */
	int obj;		/* that object, or -1 for packet fields and the like */
	int row;		/* canvas row (even) */
};

struct graph_obj {
	int row;		/* first arrival row (odd) */
	int height;		/* rows it takes */
	bool blocking;		/* a reason for locks names it */
};

struct graph_bundle {
	int obj;
	char label[GRAPH_LABEL_MAX];	/* "lan rw · wan r" */
	bool writes;
	bool *has;		/* by source */
	int lane;		/* canvas column */
	int row;		/* arrival row */
};

struct graph_cell {
	uint8_t dirs;
	bool hop;		/* a horizontal crosses a lane it does not join */
	int16_t src;		/* the source whose line it is (horizontal), or -1 */
	int16_t bun;		/* the bundle whose lane or arrival it is, or -1 */
};

struct view_graph {
	const struct analysis *a;
	const struct shard *sh;
	int n_src;
	struct graph_src *src;
	struct graph_obj *obj;		/* by analysis object */
	int n_bun;
	struct graph_bundle *bun;
	/* The canvas. */
	int w, h;			/* columns and rows */
	int laid_cols;			/* the screen width it was laid out for */
	int left_w, right_x, label_w;
	struct graph_cell *cell;
	/* What the user looks at. */
	int col;			/* 0: sources, 1: objects */
	int sel[2];			/* selected row in each column */
	int top;			/* first canvas row shown */
	bool detail;			/* Enter: the node's accesses fill the screen */
	struct view_page page;		/* what it shows */
};

/*---- Building the graph ----*/

static const char *const graph_field_order[] = {
	"eth.dst", "eth.src", "eth.type", "vlan", "ipv4.src", "ipv4.dst", "ipv4.proto",
	"ipv4.tos", "ipv4.ttl", "ipv4.id", "l4.sport", "l4.dport", NULL,
};

/* Sort rank of a source: packet fields in header order, then the rest, then state values. */
static int
graph_src_rank(const struct graph_src *s)
{
	if (s->obj >= 0)
		return 1000 + s->obj;
	for (int i = 0; graph_field_order[i]; i++)
		if (!strcmp(s->name, graph_field_order[i]))
			return i;
	return 100;
}

static int
graph_src_cmp(const void *x, const void *y)
{
	const struct graph_src *a = x, *b = y;
	int ra = graph_src_rank(a), rb = graph_src_rank(b);

	return ra != rb ? ra - rb : strcmp(a->name, b->name);
}

static int
graph_find_src(const struct view_graph *g, const struct shard_edge *e)
{
	for (int i = 0; i < g->n_src; i++)
		if (!strcmp(g->src[i].name, e->from) && (g->src[i].obj >= 0) == e->from_object)
			return i;
	return -1;
}

static const char graph_op_letter[] = { [SYM_READ] = 'r', [SYM_WRITE] = 'w', [SYM_UPDATE] = 'u' };

/* The label of the edges from source s to object o: per port, the operations ("lan rw"). */
static void
graph_label(const struct view_graph *g, int s, uint32_t o, char *out, size_t size, bool *writes)
{
	size_t len = 0;

	out[0] = '\0';
	*writes = false;
	for (unsigned p = 0; p < g->a->n_ports && p < 32; p++) {
		char ops[4] = "";
		int n = 0;

		for (int op = SYM_READ; op <= SYM_UPDATE; op++)
			for (uint32_t i = 0; i < g->sh->n_edges; i++) {
				const struct shard_edge *e = &g->sh->edges[i];

				if (e->obj == o && (e->ports >> p & 1) && (int)e->op == op &&
				    graph_find_src(g, e) == s && !strchr(ops, graph_op_letter[op])) {
					ops[n++] = graph_op_letter[op];
					ops[n] = '\0';
					*writes |= op != SYM_READ;
				}
			}
		if (n && len < size)
			len += (size_t)snprintf(out + len, size - len, "%s%s %s", len ? " · " : "",
						g->a->ports[p], ops);
	}
}

static void
graph_build(struct view_graph *g)
{
	const struct analysis *a = g->a;
	const struct shard *sh = g->sh;

	/* Sources. */
	for (uint32_t i = 0; i < sh->n_edges; i++) {
		const struct shard_edge *e = &sh->edges[i];
		struct graph_src *s;

		if (graph_find_src(g, e) >= 0)
			continue;
		g->src = xrealloc(g->src, (size_t)(g->n_src + 1) * sizeof *g->src);
		s = &g->src[g->n_src++];
		memset(s, 0, sizeof *s);
		snprintf(s->name, sizeof s->name, "%s", e->from);
		s->obj = e->from_object ? analysis_object(a, e->from) : -1;
		if (e->from_object && s->obj < 0)
			s->obj = 999;	/* unknown object: still a state value, sorted last */
	}
	qsort(g->src, (size_t)g->n_src, sizeof *g->src, graph_src_cmp);

	/* Objects, and whether a blocking reason names them ("backends.alive: read whole..."). */
	g->obj = xcalloc(a->n_objects ? a->n_objects : 1, sizeof *g->obj);
	for (uint32_t r = 0; r < sh->n_reasons; r++) {
		const char *t = sh->reasons[r].text, *colon = strchr(t, ':');

		if (!sh->reasons[r].blocks || !colon)
			continue;
		for (uint32_t o = 0; o < a->n_objects; o++)
			if (strlen(a->objects[o].o->name) == (size_t)(colon - t) &&
			    !strncmp(t, a->objects[o].o->name, (size_t)(colon - t)))
				g->obj[o].blocking = true;
	}

	/* Bundles: one per object and label, holding the sources with that label. */
	for (uint32_t o = 0; o < a->n_objects; o++)
		for (int s = 0; s < g->n_src; s++) {
			char label[GRAPH_LABEL_MAX];
			bool writes;
			int b;

			graph_label(g, s, o, label, sizeof label, &writes);
			if (!label[0])
				continue;
			for (b = 0; b < g->n_bun; b++)
				if (g->bun[b].obj == (int)o && !strcmp(g->bun[b].label, label))
					break;
			if (b == g->n_bun) {
				g->bun = xrealloc(g->bun, (size_t)(g->n_bun + 1) * sizeof *g->bun);
				memset(&g->bun[b], 0, sizeof g->bun[b]);
				g->bun[b].obj = (int)o;
				memcpy(g->bun[b].label, label, sizeof label);
				g->bun[b].has = xcalloc((size_t)g->n_src, sizeof(bool));
				g->n_bun++;
			}
			g->bun[b].has[s] = true;
			g->bun[b].writes |= writes;
		}
}

/* Columns 's' takes (UTF-8 counted as one per character, which the labels are). */
static int
graph_cols(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The cell at (y, x); outside the canvas, a spare cell past its end that is never drawn. */
static struct graph_cell *
graph_at(struct view_graph *g, int y, int x)
{
	if (y < 0 || y >= g->h || x < 0 || x >= g->w)
		return &g->cell[g->w * g->h];
	return &g->cell[y * g->w + x];
}

/* Lays the graph out for a screen 'cols' wide. */
static void
graph_layout(struct view_graph *g, int cols)
{
	const struct analysis *a = g->a;
	int right_w = 0, lanes_x, row, label_w = 0, spacing;

	g->laid_cols = cols;
	g->left_w = 4;
	for (int s = 0; s < g->n_src; s++) {
		int w = graph_cols(g->src[s].name);
		if (w > g->left_w)
			g->left_w = w;
	}
	if (g->left_w > GRAPH_LEFT_MAX)
		g->left_w = GRAPH_LEFT_MAX;
	for (uint32_t o = 0; o < a->n_objects; o++) {
		int w = graph_cols(a->objects[o].o->name) + 2;
		if (w > right_w)
			right_w = w;
	}
	if (right_w < 20)
		right_w = 20;	/* room for the kind and capacity line below the name */
	if (right_w > GRAPH_RIGHT_MAX)
		right_w = GRAPH_RIGHT_MAX;
	for (int b = 0; b < g->n_bun; b++)
		if (graph_cols(g->bun[b].label) > label_w)
			label_w = graph_cols(g->bun[b].label);
	label_w += 4;
	/* Lanes two columns apart when they fit, else one; labels give way first. */
	spacing = 2;
	if (1 + g->left_w + 2 + 2 * g->n_bun + label_w + right_w > cols)
		spacing = 1;
	if (1 + g->left_w + 2 + spacing * g->n_bun + label_w + right_w > cols) {
		label_w = cols - (1 + g->left_w + 2 + g->n_bun + right_w);
		if (label_w < 6)
			label_w = 6;
	}
	g->label_w = label_w;
	g->w = 1 + g->left_w + 2 + spacing * g->n_bun + label_w + right_w;
	if (g->w < cols)
		g->w = cols;
	g->right_x = g->w - right_w;
	lanes_x = 1 + g->left_w + 2;

	/* Rows: sources on even rows; objects in blocks of two rows per arriving bundle,
	** ordered by where their sources sit, so lines run mostly level. */
	for (int s = 0; s < g->n_src; s++)
		g->src[s].row = 2 * s;
	{
		uint32_t n = a->n_objects;
		double *bary = xcalloc(n ? n : 1, sizeof *bary);
		uint32_t *order = xcalloc(n ? n : 1, sizeof *order);

		for (uint32_t o = 0; o < n; o++) {
			int cnt = 0;
			double sum = 0;

			for (int b = 0; b < g->n_bun; b++)
				for (int s = 0; s < g->n_src; s++)
					if (g->bun[b].obj == (int)o && g->bun[b].has[s])
						sum += g->src[s].row, cnt++;
			bary[o] = cnt ? sum / cnt : 1e9 + o;
			order[o] = o;
		}
		for (uint32_t i = 1; i < n; i++)	/* insertion sort: a handful of objects */
			for (uint32_t j = i; j > 0 && bary[order[j]] < bary[order[j - 1]]; j--) {
				uint32_t t = order[j];
				order[j] = order[j - 1];
				order[j - 1] = t;
			}
		row = 1;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t o = order[i];
			int k = 0;

			/* Not above its sources' middle when there is room below. */
			if (bary[o] < 1e9 && row < (int)bary[o] - 1)
				row = ((int)bary[o] - 1) | 1;
			g->obj[o].row = row;
			for (int b = 0; b < g->n_bun; b++)
				if (g->bun[b].obj == (int)o)
					g->bun[b].row = row + 2 * k++;
			g->obj[o].height = k > 1 ? 2 * k : 2;
			row += g->obj[o].height;
		}
		free(bary);
		free(order);
	}
	g->h = row > 2 * g->n_src ? row : 2 * g->n_src;
	if (g->h < 1)
		g->h = 1;
	/* Lanes left to right in the order bundles arrive, top first. */
	{
		int *ord = xcalloc((size_t)(g->n_bun ? g->n_bun : 1), sizeof *ord);

		for (int b = 0; b < g->n_bun; b++)
			ord[b] = b;
		for (int i = 1; i < g->n_bun; i++)
			for (int j = i; j > 0 && g->bun[ord[j]].row < g->bun[ord[j - 1]].row; j--) {
				int t = ord[j];
				ord[j] = ord[j - 1];
				ord[j - 1] = t;
			}
		for (int i = 0; i < g->n_bun; i++)
			g->bun[ord[i]].lane = lanes_x + spacing * i;
		free(ord);
	}

	/* Lines into cells. */
	free(g->cell);
	g->cell = xcalloc((size_t)g->w * (size_t)g->h + 1, sizeof *g->cell);
	for (int i = 0; i <= g->w * g->h; i++)
		g->cell[i].src = g->cell[i].bun = -1;
	for (int b = 0; b < g->n_bun; b++) {
		struct graph_bundle *bu = &g->bun[b];
		int lo = bu->row, hi = bu->row;

		for (int s = 0; s < g->n_src; s++) {
			if (!bu->has[s])
				continue;
			if (g->src[s].row < lo)
				lo = g->src[s].row;
			if (g->src[s].row > hi)
				hi = g->src[s].row;
		}
		for (int y = lo; y <= hi; y++) {
			struct graph_cell *c = graph_at(g, y, bu->lane);
			if (y > lo)
				c->dirs |= DIR_N;
			if (y < hi)
				c->dirs |= DIR_S;
			c->bun = (int16_t)b;
		}
		/* The arrival: from the lane to the object's arrow. */
		for (int x = bu->lane; x < g->right_x - 1; x++) {
			struct graph_cell *c = graph_at(g, bu->row, x);

			if (x > bu->lane)
				c->dirs |= DIR_W;
			c->dirs |= DIR_E;
			if (x > bu->lane && (c->dirs & (DIR_N | DIR_S)))
				c->hop = true;
			if (x > bu->lane || c->bun < 0)
				c->bun = (int16_t)b;
		}
	}
	for (int s = 0; s < g->n_src; s++) {
		int end = -1, y = g->src[s].row;

		for (int b = 0; b < g->n_bun; b++)
			if (g->bun[b].has[s] && g->bun[b].lane > end)
				end = g->bun[b].lane;
		for (int x = 1 + g->left_w + 1; x <= end; x++) {
			struct graph_cell *c = graph_at(g, y, x);
			bool joins = false;

			for (int b = 0; b < g->n_bun; b++)
				joins |= g->bun[b].lane == x && g->bun[b].has[s];
			if (c->dirs & (DIR_N | DIR_S) && !joins)
				c->hop = true;
			c->dirs |= (x < end ? DIR_E : 0) | DIR_W;
			c->src = (int16_t)s;
		}
	}
}

/*---- Detail page ----*/

/* Whether a constraint's text or sources mention 'name' as a whole word. */
static bool
graph_mentions(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = strstr(text, name); p; p = strstr(p + 1, name)) {
		char before = p == text ? ' ' : p[-1], after = p[n];

		if ((before == ' ' || before == '.' || before == '(' || before == '=') &&
		    (after == '\0' || after == ' ' || after == ':' || after == '[' ||
		     after == '/' || after == ')' || after == ','))
			return true;
	}
	return false;
}

static void
graph_constraints(const struct view_graph *g, const char *name, bool by_object, struct sbuf *out)
{
	int n = 0;

	for (uint32_t i = 0; i < g->sh->n_constraints; i++) {
		const struct shard_constraint *k = &g->sh->constraints[i];
		struct sbuf t = SBUF_INIT;
		bool hit = false;

		shard_constraint_text(g->a->ports, k, &t);
		if (by_object) {
			for (uint32_t j = 0; j < k->n_sources; j++)
				hit |= !strncmp(k->sources[j], name, strlen(name)) &&
				       k->sources[j][strlen(name)] == ':';
		} else {
			hit = graph_mentions(sbuf_str(&t), name);
		}
		if (hit) {
			sbuf_printf(out, "  %s\n", sbuf_str(&t));
			for (uint32_t j = 0; j < k->n_sources; j++)
				sbuf_printf(out, "      from %s\n", k->sources[j]);
			n++;
		}
		sbuf_release(&t);
	}
	if (!n)
		sbuf_printf(out, "  none%s\n", g->sh->shared_nothing ? "" :
			    " (the verdict is locks: see the reasons)");
}

static void
graph_detail(struct view_graph *g)
{
	const struct analysis *a = g->a;
	struct sbuf sb = SBUF_INIT;
	struct err e = ERR_INIT;

	if (g->col == 1) {
		const struct analysis_object *o = &a->objects[g->sel[1]];
		const char *name = o->o->name;

		sbuf_printf(&sb, "%s: %s, capacity %u, made at %s; %s%s%s\n", name,
			    sym_kind_name(o->o->kind), o->o->capacity, o->site,
			    o->written ? "read and written" : "only read",
			    g->sh->replicated && g->sh->replicated[g->sel[1]] ?
			    " (replicated: each core gets a copy)" : "",
			    g->obj[g->sel[1]].blocking ? "; forces locks" : "");
		sbuf_adds(&sb, "\naccesses (call, r/w, key fields, ports, source line):\n");
		if (analysis_format_accesses(a, name, &sb, &e) < 0)
			sbuf_printf(&sb, "  %s\n", e.msg);
		sbuf_adds(&sb, "\nconstraints it produces:\n");
		graph_constraints(g, name, true, &sb);
		for (uint32_t r = 0; r < g->sh->n_reasons; r++)
			if (graph_mentions(g->sh->reasons[r].text, name))
				sbuf_printf(&sb, "%s%s %s\n", r == 0 ? "\nreasons:\n" : "",
					    g->sh->reasons[r].blocks ? "  ✗" : "  ·",
					    g->sh->reasons[r].text);
	} else {
		const struct graph_src *s = &g->src[g->sel[0]];

		sbuf_printf(&sb, "%s%s: the edges it keys\n", s->name,
			    s->obj >= 0 ? " (a value read from state)" : "");
		for (uint32_t i = 0; i < g->sh->n_edges; i++) {
			const struct shard_edge *ed = &g->sh->edges[i];

			if (graph_find_src(g, ed) != g->sel[0])
				continue;
			sbuf_printf(&sb, "  -> %-14s %c %-18s %s on", a->objects[ed->obj].o->name,
				    graph_op_letter[ed->op], ed->call, ed->site);
			for (unsigned p = 0; p < a->n_ports && p < 32; p++)
				if (ed->ports >> p & 1)
					sbuf_printf(&sb, " %s", a->ports[p]);
			sbuf_addc(&sb, '\n');
		}
		if (s->obj < 0) {
			sbuf_adds(&sb, "\nconstraints naming it:\n");
			graph_constraints(g, s->name, false, &sb);
		}
	}
	view_page_set(&g->page, sbuf_str(&sb));
	sbuf_release(&sb);
}

/*---- Drawing ----*/

static const char *
graph_glyph(const struct crt *c, const struct graph_cell *cell)
{
	static const char *const utf8[16] = {
		[DIR_N | DIR_S] = "│", [DIR_E | DIR_W] = "─", [DIR_E] = "─", [DIR_W] = "─",
		[DIR_N] = "│", [DIR_S] = "│", [DIR_S | DIR_E] = "┌", [DIR_S | DIR_W] = "┐",
		[DIR_N | DIR_E] = "└", [DIR_N | DIR_W] = "┘", [DIR_N | DIR_S | DIR_E] = "├",
		[DIR_N | DIR_S | DIR_W] = "┤", [DIR_E | DIR_W | DIR_S] = "┬",
		[DIR_E | DIR_W | DIR_N] = "┴", [DIR_N | DIR_S | DIR_E | DIR_W] = "┼",
	};
	uint8_t d = cell->dirs;

	if (cell->hop)
		return c->utf8 ? "─" : "-";
	if (c->utf8)
		return utf8[d] ? utf8[d] : " ";
	if ((d & (DIR_N | DIR_S)) && (d & (DIR_E | DIR_W)))
		return "+";
	return d & (DIR_N | DIR_S) ? "|" : "-";
}

/* Whether source s keys object o (some bundle to o holds it). */
static bool
graph_src_to_obj(const struct view_graph *g, int s, int o)
{
	for (int b = 0; b < g->n_bun; b++)
		if (g->bun[b].obj == o && g->bun[b].has[s])
			return true;
	return false;
}

/* Whether a line cell belongs to the selected node's edges. A hop shows only its horizontal:
** a source's line on even rows, a bundle's arrival on odd ones. */
static bool
graph_hot(const struct view_graph *g, const struct graph_cell *cell)
{
	if (g->col == 0) {
		int s = g->sel[0];

		if (cell->hop)
			return cell->src >= 0 ? cell->src == s : g->bun[cell->bun].has[s];
		return cell->src == s || (cell->bun >= 0 && g->bun[cell->bun].has[s]);
	}
	if (cell->hop)
		return cell->src >= 0 ? graph_src_to_obj(g, cell->src, g->sel[1]) :
		       g->bun[cell->bun].obj == g->sel[1];
	return (cell->bun >= 0 && g->bun[cell->bun].obj == g->sel[1]) ||
	       (cell->src >= 0 && graph_src_to_obj(g, cell->src, g->sel[1]));
}

static int
graph_obj_attr(const struct view_graph *g, const struct crt *c, int o)
{
	if (g->obj[o].blocking)
		return crt_attr(c, CRT_BLOCK);
	return crt_attr(c, g->a->objects[o].written ? CRT_WRITE : CRT_READ);
}

static void
graph_draw_detail(struct view_graph *g, const struct crt *c)
{
	widget_fill(c, 0, 0, crt_attr(c, CRT_TITLE));
	widget_printf(c, 0, 0, c->cols, crt_attr(c, CRT_TITLE), " %s: %s  (Enter or Left: back "
		      "to the graph)", g->a->nf, g->col == 1 ? g->a->objects[g->sel[1]].o->name :
		      g->src[g->sel[0]].name);
	view_page_draw(&g->page, c, 1, c->rows - 2);
}

static void
graph_draw(void *this, const struct crt *c)
{
	struct view_graph *g = this;
	const struct analysis *a = g->a;
	int y0 = 2, vh = c->rows - 5;	/* title, column heads; info line, bar */
	int sel_row, line = crt_attr(c, CRT_LINE), hot = crt_attr(c, CRT_FIELD) | A_BOLD;

	if (g->detail) {
		graph_draw_detail(g, c);
		return;
	}
	if (g->laid_cols != c->cols)
		graph_layout(g, c->cols);
	widget_fill(c, 0, 0, crt_attr(c, CRT_TITLE));
	widget_printf(c, 0, 0, c->cols, crt_attr(c, CRT_TITLE),
		      " %s: state-dependency graph, %d key sources, %u objects; %s", a->nf, g->n_src, a->n_objects,
		      g->sh->shared_nothing ? "shared-nothing" : "locks");
	widget_text(c, 1, 1, g->left_w + 8, crt_attr(c, CRT_DIM), "keys made of");
	widget_text(c, 1, g->right_x, c->cols - g->right_x, crt_attr(c, CRT_DIM), "state objects");
	widget_text(c, 1, g->left_w + 4, g->right_x - g->left_w - 5, crt_attr(c, CRT_DIM),
		    "r read · w write · u update");

	/* Keep the selected node on screen. */
	sel_row = g->col == 0 ? (g->n_src ? g->src[g->sel[0]].row : 0) : g->obj[g->sel[1]].row;
	if (sel_row < g->top)
		g->top = sel_row > 0 ? sel_row - 1 : 0;
	if (sel_row + 1 >= g->top + vh)
		g->top = sel_row + 2 - vh;
	if (g->top > g->h - vh)
		g->top = g->h - vh;
	if (g->top < 0)
		g->top = 0;

	for (int r = 0; r < vh && g->top + r < g->h; r++) {
		int y = y0 + r, cy = g->top + r;

		for (int x = 0; x < g->w && x < c->cols; x++) {
			const struct graph_cell *cell = &g->cell[cy * g->w + x];

			if (!cell->dirs)
				continue;
			widget_text(c, y, x, 1, graph_hot(g, cell) ? hot : line,
				    graph_glyph(c, cell));
		}
	}
	/* Labels on the arrivals, arrows, then the nodes over everything. */
	for (int b = 0; b < g->n_bun; b++) {
		const struct graph_bundle *bu = &g->bun[b];
		int y = y0 + bu->row - g->top, lw = graph_cols(bu->label) + 2, x;
		bool selected = (g->col == 1 && bu->obj == g->sel[1]) ||
				(g->col == 0 && g->n_src && bu->has[g->sel[0]]);

		if (y < y0 || y >= y0 + vh)
			continue;
		if (lw > g->label_w - 2)
			lw = g->label_w - 2;
		x = g->right_x - 2 - lw;
		if (x <= bu->lane)
			x = bu->lane + 1;
		widget_printf(c, y, x, g->right_x - 2 - x,
			      crt_attr(c, bu->writes ? CRT_WRITE : CRT_READ) |
			      (selected ? (int)A_BOLD : 0), " %s ", bu->label);
		/* An object's later arrivals join its first arrow from below. */
		if (bu->row == g->obj[bu->obj].row) {
			widget_text(c, y, g->right_x - 2, 2, selected ? hot : line,
				    c->utf8 ? "─▶" : "->");
		} else {
			widget_text(c, y, g->right_x - 2, 2, selected ? hot : line,
				    c->utf8 ? "─┘" : "-+");
			for (int k = y - 1; k > y - 2 && k >= y0; k--)
				widget_text(c, k, g->right_x - 1, 1, selected ? hot : line,
					    c->utf8 ? "│" : "|");
		}
	}
	for (int s = 0; s < g->n_src; s++) {
		int y = y0 + g->src[s].row - g->top;
		bool sel = g->col == 0 && g->sel[0] == s;
		int attr = crt_attr(c, CRT_FIELD);

		if (sel)
			attr = crt_attr(c, CRT_SELECT);
		else if (g->src[s].obj >= 0 && g->src[s].obj < (int)a->n_objects)
			attr = graph_obj_attr(g, c, g->src[s].obj);

		if (y < y0 || y >= y0 + vh)
			continue;
		/* A name cut short ends in '~' so it is not mistaken for another. */
		if (graph_cols(g->src[s].name) > g->left_w) {
			widget_text(c, y, 1, g->left_w - 1, attr, g->src[s].name);
			widget_text(c, y, g->left_w, 1, attr, "~");
		} else {
			widget_text(c, y, 1, g->left_w, attr, g->src[s].name);
		}
	}
	for (uint32_t o = 0; o < a->n_objects; o++) {
		const struct analysis_object *ob = &a->objects[o];
		int y = y0 + g->obj[o].row - g->top;
		bool sel = g->col == 1 && g->sel[1] == (int)o;

		if (y >= y0 && y < y0 + vh)
			widget_printf(c, y, g->right_x, c->cols - g->right_x,
				      sel ? crt_attr(c, CRT_SELECT) : graph_obj_attr(g, c, (int)o) | (int)A_BOLD,
				      "%s", ob->o->name);
		if (y + 1 >= y0 && y + 1 < y0 + vh)
			widget_printf(c, y + 1, g->right_x, c->cols - g->right_x, crt_attr(c, CRT_DIM),
				      "%s %u %s%s", sym_kind_name(ob->o->kind), ob->o->capacity,
				      ob->written ? "rw" : "r",
				      g->obj[o].blocking ? " locks" :
				      g->sh->replicated && g->sh->replicated[o] ? " copy" : "");
	}

	/* The info line: the selected node in a sentence. */
	{
		int y = c->rows - 3;

		widget_hline(c, y, 0, c->cols, line);
		if (g->col == 1) {
			const struct analysis_object *ob = &a->objects[g->sel[1]];
			int n = 0;

			for (uint32_t i = 0; i < a->n_accesses; i++)
				n += a->accesses[i].obj == (uint32_t)g->sel[1];
			widget_printf(c, y + 1, 1, c->cols - 1, A_NORMAL,
				      "%s: %s %s, %d access%s, made at %s%s.  Enter: accesses and "
				      "constraints", ob->o->name, ob->written ? "written" : "read-only",
				      sym_kind_name(ob->o->kind), n, n == 1 ? "" : "es", ob->site,
				      g->obj[g->sel[1]].blocking ? ", forces locks" : "");
		} else if (g->n_src) {
			int n = 0;

			for (uint32_t o = 0; o < a->n_objects; o++)
				n += graph_src_to_obj(g, g->sel[0], (int)o);
			widget_printf(c, y + 1, 1, c->cols - 1, A_NORMAL,
				      "%s%s keys %d object%s.  Enter: its accesses and "
				      "constraints", g->src[g->sel[0]].name,
				      g->src[g->sel[0]].obj >= 0 ? " (a value read from it)" : "",
				      n, n == 1 ? "" : "s");
		}
	}
}

/*---- Keys ----*/

/* The node of the other column nearest to canvas row 'row'. */
static int
graph_nearest(const struct view_graph *g, int col, int row)
{
	int best = 0, bd = 1 << 30;

	if (col == 0) {
		for (int s = 0; s < g->n_src; s++)
			if (abs(g->src[s].row - row) < bd)
				bd = abs(g->src[s].row - row), best = s;
	} else {
		for (uint32_t o = 0; o < g->a->n_objects; o++)
			if (abs(g->obj[o].row - row) < bd)
				bd = abs(g->obj[o].row - row), best = (int)o;
	}
	return best;
}

/* Objects in the order they are drawn (top to bottom). */
static int
graph_obj_step(const struct view_graph *g, int o, int dir)
{
	int best = -1;

	for (uint32_t i = 0; i < g->a->n_objects; i++) {
		int r = g->obj[i].row, cur = g->obj[o].row;

		if ((dir > 0 && r > cur && (best < 0 || r < g->obj[best].row)) ||
		    (dir < 0 && r < cur && (best < 0 || r > g->obj[best].row)))
			best = (int)i;
	}
	return best < 0 ? o : best;
}

static int
graph_key(void *this, const struct crt *c, int key)
{
	struct view_graph *g = this;

	if (g->detail) {
		if (key == '\r' || key == '\n' || key == KEY_ENTER || key == KEY_LEFT ||
		    key == KEY_BACKSPACE) {
			g->detail = false;
			return VIEW_HANDLED;
		}
		return view_page_key(&g->page, c, c->rows - 2, key) ? VIEW_HANDLED : VIEW_IGNORED;
	}
	switch (key) {
	case KEY_UP:
	case 'k':
	case KEY_DOWN:
	case 'j': {
		int dir = key == KEY_UP || key == 'k' ? -1 : 1;

		if (g->col == 0) {
			g->sel[0] += dir;
			if (g->sel[0] < 0)
				g->sel[0] = 0;
			if (g->sel[0] >= g->n_src)
				g->sel[0] = g->n_src - 1;
		} else {
			g->sel[1] = graph_obj_step(g, g->sel[1], dir);
		}
		return VIEW_HANDLED;
	}
	case KEY_LEFT:
	case KEY_RIGHT:
	case '\t':
	case 'l':
	case KEY_BTAB: {
		int to = key == KEY_LEFT ? 0 : key == KEY_RIGHT || key == 'l' ? 1 : !g->col;
		int row = g->col == 0 ? g->src[g->sel[0]].row : g->obj[g->sel[1]].row;

		if (to == g->col || (to == 0 && !g->n_src))
			return VIEW_HANDLED;
		g->sel[to] = graph_nearest(g, to, row);
		g->col = to;
		return VIEW_HANDLED;
	}
	case '\r':
	case '\n':
	case KEY_ENTER:
	case KEY_F(5):
		graph_detail(g);
		g->detail = true;
		return VIEW_HANDLED;
	default:
		return VIEW_IGNORED;
	}
}

static int
graph_fkeys(void *this, struct widget_fkey *out)
{
	struct view_graph *g = this;

	out[0] = (struct widget_fkey){"F5", g->detail ? "Graph" : "Access"};
	out[1] = (struct widget_fkey){"Tab", g->col ? "Keys" : "Objects"};
	return 2;
}

static const char *const graph_help[] = {
	"Up Down          move within a column",
	"Left Right Tab   between key sources and objects",
	"Enter F5         the node's accesses, source lines, constraints",
	"Edge labels: port, then r read, w write, u update.",
	"Objects: green read-only, yellow written, red force locks.",
	"A line crossing a lane it does not join hops over it.",
	NULL,
};

static const struct view_class view_graph_class = {
	.name = "graph",
	.help = graph_help,
	.draw = graph_draw,
	.key = graph_key,
	.fkeys = graph_fkeys,
};

int
view_graph_run(const struct analysis *a, const struct shard *sh,
	       const volatile sig_atomic_t *stop, struct err *e)
{
	struct view_graph g = { .a = a, .sh = sh };
	int rc;

	if (!a->n_objects)
		return err_set(e, -ENOENT, "%s keeps no state: there is no graph to draw", a->nf);
	graph_build(&g);
	g.col = g.n_src ? 0 : 1;
	graph_layout(&g, 80);
	rc = view_run(&view_graph_class, &g, stop, e);
	for (int b = 0; b < g.n_bun; b++)
		free(g.bun[b].has);
	free(g.bun);
	free(g.src);
	free(g.obj);
	free(g.cell);
	view_page_release(&g.page);
	return rc;
}
