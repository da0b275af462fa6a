/*
** view paths: the call-path tree, folding. See view_paths.h.
**
** The tree is flattened once into preorder rows (depth, parent, fold flag); update() makes the
** list of visible rows and the text of the selected path, draw() paints them. Enter on a leaf
** shows its path in full (show path N) over the whole screen.
*/
#include "viz/view_paths.h"

#include <curses.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sbuf.h"
#include "engine/xalloc.h"
#include "viz/view.h"

struct paths_row {
	const struct analysis_node *n;
	int depth;
	int parent;		/* row index, -1 at the top */
	int end;		/* one past the last row of its subtree */
	bool folded;
	uint32_t paths;		/* leaves below (itself, for a leaf) */
	uint32_t drops;		/* of them, drop verdicts */
};

struct view_paths {
	const struct analysis *a;
	struct paths_row *rows;
	int n_rows;
	/* The snapshot update() makes. */
	int *vis;		/* visible rows, in order */
	int n_vis;
	int sel, top;		/* in vis */
	struct view_page detail;	/* the selected row's text */
	bool full;		/* the selected path fills the screen */
};

static void
paths_flatten(struct view_paths *v, const struct analysis_node *n, int depth, int parent)
{
	for (uint32_t i = 0; i < n->n_children; i++) {
		const struct analysis_node *c = n->children[i];
		int me = v->n_rows++;
		struct paths_row *r;

		v->rows = xrealloc(v->rows, (size_t)v->n_rows * sizeof *v->rows);
		r = &v->rows[me];
		memset(r, 0, sizeof *r);
		r->n = c;
		r->depth = depth;
		r->parent = parent;
		paths_flatten(v, c, depth + 1, me);
		r = &v->rows[me];	/* the array may have moved */
		r->end = v->n_rows;
		if (c->path >= 0) {
			r->paths = 1;
			r->drops = !strcmp(v->a->paths[c->path].verdict, "drop");
		}
		for (int k = me + 1; k < r->end; k++)
			if (v->rows[k].n->path >= 0) {
				r->paths++;
				r->drops += !strcmp(v->a->paths[v->rows[k].n->path].verdict, "drop");
			}
	}
}

static void
paths_update(void *this, struct err *e)
{
	struct view_paths *v = this;
	int keep = v->n_vis ? v->vis[v->sel] : 0;
	struct sbuf sb = SBUF_INIT;

	v->n_vis = 0;
	for (int i = 0; i < v->n_rows;) {
		if (keep >= i && keep < v->rows[i].end && v->rows[i].folded && keep != i)
			keep = i;	/* the selection folded away: its branch takes it */
		v->vis[v->n_vis++] = i;
		i = v->rows[i].folded ? v->rows[i].end : i + 1;
	}
	v->sel = 0;
	for (int k = 0; k < v->n_vis; k++)
		if (v->vis[k] == keep)
			v->sel = k;
	if (v->n_vis) {
		const struct paths_row *r = &v->rows[v->vis[v->sel]];

		if (r->n->path >= 0) {
			analysis_format_path(v->a, (uint32_t)r->n->path, &sb, e);
		} else {
			sbuf_printf(&sb, "%s\n  %u path%s below (%u drop), depth %d\n", r->n->label,
				    r->paths, r->paths == 1 ? "" : "s", r->drops, r->depth + 1);
		}
	}
	view_page_set(&v->detail, sbuf_str(&sb));
	sbuf_release(&sb);
}

static enum crt_role
paths_verdict_role(const char *verdict)
{
	if (!strcmp(verdict, "drop"))
		return CRT_BAD;
	if (!strcmp(verdict, "flood"))
		return CRT_WARN;
	return CRT_GOOD;
}

static void
paths_draw_full(struct view_paths *v, const struct crt *c)
{
	widget_fill(c, 0, 0, crt_attr(c, CRT_TITLE));
	widget_printf(c, 0, 0, c->cols, crt_attr(c, CRT_TITLE), " %s: path %d  (Enter or Left: "
		      "back to the tree)", v->a->nf, v->rows[v->vis[v->sel]].n->path);
	view_page_draw(&v->detail, c, 1, c->rows - 2);
}

static void
paths_draw(void *this, const struct crt *c)
{
	struct view_paths *v = this;
	int dh = c->rows >= 30 ? 8 : 6;		/* the detail pane */
	int th = c->rows - 3 - dh;		/* tree rows */
	int y;

	if (v->full) {
		paths_draw_full(v, c);
		return;
	}
	widget_fill(c, 0, 0, crt_attr(c, CRT_TITLE));
	widget_printf(c, 0, 0, c->cols, crt_attr(c, CRT_TITLE),
		      " %s: call-path tree, %u paths   row %d/%d", v->a->nf, v->a->n_paths,
		      v->sel + 1, v->n_vis);
	view_scroll(v->n_vis, th, &v->sel, &v->top);
	for (int k = 0; k < th && v->top + k < v->n_vis; k++) {
		const struct paths_row *r = &v->rows[v->vis[v->top + k]];
		bool sel = v->top + k == v->sel;
		int x = 1 + 2 * r->depth, attr = sel ? crt_attr(c, CRT_SELECT) : (int)A_NORMAL;

		y = 1 + k;
		if (sel)
			widget_fill(c, y, 0, attr);
		/* Deep trees slide left so the labels stay readable at 80 columns. */
		if (x > c->cols / 2)
			x = c->cols / 2;
		if (r->n->path >= 0) {
			const struct analysis_path *p = &v->a->paths[r->n->path];

			x += widget_text(c, y, x, c->cols - x,
					 sel ? attr : crt_attr(c, paths_verdict_role(p->verdict)),
					 r->n->label);
		} else {
			x += widget_text(c, y, x, 2, sel ? attr : crt_attr(c, CRT_LINE),
					 r->folded ? (c->utf8 ? "▸ " : "+ ") : (c->utf8 ? "▾ " : "- "));
			x += widget_text(c, y, x, c->cols - x, attr, r->n->label);
			if (r->folded)
				widget_printf(c, y, x, c->cols - x, sel ? attr : crt_attr(c, CRT_DIM),
					      "  [%u path%s]", r->paths, r->paths == 1 ? "" : "s");
		}
	}
	y = c->rows - 2 - dh;
	widget_hline(c, y, 0, c->cols, crt_attr(c, CRT_LINE));
	widget_text(c, y, 2, c->cols - 4, crt_attr(c, CRT_DIM), " selected (Enter on a path: in full) ");
	v->detail.top = 0;
	view_page_draw(&v->detail, c, y + 1, dh);
}

static void
paths_fold_all(struct view_paths *v, bool fold)
{
	for (int i = 0; i < v->n_rows; i++)
		v->rows[i].folded = fold && v->rows[i].n->path < 0;
}

static int
paths_key(void *this, const struct crt *c, int key)
{
	struct view_paths *v = this;
	struct paths_row *r = v->n_vis ? &v->rows[v->vis[v->sel]] : NULL;
	int page = c->rows - 10;

	if (v->full) {
		if (key == '\r' || key == '\n' || key == KEY_ENTER || key == KEY_LEFT) {
			v->full = false;
			return VIEW_HANDLED;
		}
		return view_page_key(&v->detail, c, c->rows - 2, key) ? VIEW_HANDLED : VIEW_IGNORED;
	}
	if (!r)
		return VIEW_IGNORED;
	if (view_move(key, v->n_vis, page, &v->sel))
		return VIEW_UPDATE;
	switch (key) {
	case '\r':
	case '\n':
	case KEY_ENTER:
	case ' ':
	case KEY_F(5):
		if (r->n->path >= 0) {
			v->full = key != ' ' && key != KEY_F(5);
			v->detail.top = 0;
			return VIEW_HANDLED;
		}
		r->folded = !r->folded;
		return VIEW_UPDATE;
	case KEY_LEFT:
		if (r->n->path < 0 && !r->folded) {
			r->folded = true;
		} else if (r->parent >= 0) {
			for (int k = 0; k < v->n_vis; k++)
				if (v->vis[k] == r->parent)
					v->sel = k;
		}
		return VIEW_UPDATE;
	case KEY_RIGHT:
		if (r->n->path < 0 && r->folded)
			r->folded = false;
		else if (r->n->path < 0 && v->sel + 1 < v->n_vis)
			v->sel++;
		return VIEW_UPDATE;
	case '+':
	case KEY_F(8):
		paths_fold_all(v, false);
		return VIEW_UPDATE;
	case '-':
	case KEY_F(7):
		paths_fold_all(v, true);
		return VIEW_UPDATE;
	default:
		return VIEW_IGNORED;
	}
}

static int
paths_fkeys(void *this, struct widget_fkey *out)
{
	struct view_paths *v = this;

	out[0] = (struct widget_fkey){"F5", v->full ? "Back" : "Fold"};
	out[1] = (struct widget_fkey){"F7", "Less"};
	out[2] = (struct widget_fkey){"F8", "More"};
	return 3;
}

static const char *const paths_help[] = {
	"Up Down PgUp PgDn Home End   move",
	"Enter Space F5   fold or unfold a branch",
	"Enter on a path  the path in full (Enter again: back)",
	"Left Right       fold, go to the parent; unfold",
	"- F7  + F8       fold everything; unfold everything",
	"Leaves: green forwards, red drops, yellow floods.",
	NULL,
};

static const struct view_class view_paths_class = {
	.name = "paths",
	.help = paths_help,
	.update = paths_update,
	.draw = paths_draw,
	.key = paths_key,
	.fkeys = paths_fkeys,
};

int
view_paths_run(const struct analysis *a, const volatile sig_atomic_t *stop, struct err *e)
{
	struct view_paths v = { .a = a };
	int rc;

	paths_flatten(&v, a->tree, 0, -1);
	if (v.n_rows == 0) {
		free(v.rows);
		return err_set(e, -ENOENT, "%s has no paths to show", a->nf);
	}
	v.vis = xcalloc((size_t)v.n_rows, sizeof *v.vis);
	rc = view_run(&view_paths_class, &v, stop, e);
	view_page_release(&v.detail);
	free(v.vis);
	free(v.rows);
	return rc;
}
