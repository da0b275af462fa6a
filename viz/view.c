/*
** view: the loop around a view class. See view.h.
*/
#include "viz/view.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/xalloc.h"

static double
view_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The help box over the view: its lines, then how to leave it. */
static void
view_draw_help(const struct view_class *k, const struct crt *c)
{
	static const char *const common[] = {
		"", "F1 ?      this help (any key closes it)",
		"q F10     back to the shell", "Ctrl-L    redraw", NULL,
	};
	int n = 0, w = 0, y, x;

	for (const char *const *l = k->help; l && *l; l++, n++)
		if (widget_width(c, *l) > w)
			w = widget_width(c, *l);
	for (const char *const *l = common; *l; l++, n++)
		if (widget_width(c, *l) > w)
			w = widget_width(c, *l);
	w += 4;
	if (w > c->cols)
		w = c->cols;
	y = (c->rows - 1 - (n + 2)) / 2;
	x = (c->cols - w) / 2;
	if (y < 0)
		y = 0;
	for (int i = 0; i < n + 2 && y + i < c->rows - 1; i++) {
		move(y + i, x);
		attrset(crt_attr(c, CRT_SELECT));
		hline(' ', w);
		attrset(A_NORMAL);
	}
	widget_printf(c, y, x + 2, w - 2, crt_attr(c, CRT_SELECT) | A_BOLD, "view %s: keys",
		      k->name);
	n = 1;
	for (const char *const *l = k->help; l && *l; l++, n++)
		widget_text(c, y + n, x + 2, w - 4, crt_attr(c, CRT_SELECT), *l);
	for (const char *const *l = common; *l; l++, n++)
		widget_text(c, y + n, x + 2, w - 4, crt_attr(c, CRT_SELECT), *l);
}

static void
view_paint(const struct view_class *k, void *this, const struct crt *c, bool help,
	   const char *status)
{
	struct widget_fkey keys[VIEW_MAX_FKEYS + 2];
	int n = 0;

	erase();
	if (c->rows < VIEW_MIN_ROWS || c->cols < VIEW_MIN_COLS) {
		widget_printf(c, 0, 0, c->cols, A_BOLD, "terminal too small: %dx%d", c->cols,
			      c->rows);
		widget_printf(c, 1, 0, c->cols, A_NORMAL, "view %s needs %dx%d; q leaves",
			      k->name, VIEW_MIN_COLS, VIEW_MIN_ROWS);
		refresh();
		return;
	}
	k->draw(this, c);
	keys[n++] = (struct widget_fkey){"F1", "Help"};
	if (k->fkeys)
		n += k->fkeys(this, keys + n);
	keys[n++] = (struct widget_fkey){"F10", "Quit"};
	widget_fkeys(c, c->rows - 1, keys, (size_t)n);
	if (status && *status) {
		int w = widget_width(c, status) + 2;
		widget_printf(c, c->rows - 2, 0, w < c->cols ? w : c->cols,
			      crt_attr(c, CRT_BAD) | A_BOLD, " %s ", status);
	}
	if (help)
		view_draw_help(k, c);
	refresh();
}

int
view_run(const struct view_class *k, void *this, const volatile sig_atomic_t *stop,
	 struct err *e)
{
	struct crt c;
	struct err ue = ERR_INIT;
	bool help = false;
	double next = 0;
	int rc;

	rc = crt_open(&c, e);
	if (rc < 0)
		return rc;
	if (k->update)
		k->update(this, &ue);
	next = view_now() + k->period_ms / 1000.0;
	while (!(stop && *stop)) {
		int ms = -1, key, r = VIEW_IGNORED;

		view_paint(k, this, &c, help, ue.msg);
		if (k->period_ms > 0) {
			ms = (int)((next - view_now()) * 1000);
			if (ms < 0)
				ms = 0;
		}
		key = crt_key(&c, ms);
		if (key == ERR) {
			if (k->period_ms > 0 && view_now() >= next) {
				err_clear(&ue);
				k->update(this, &ue);
				next = view_now() + k->period_ms / 1000.0;
			}
			continue;
		}
		if (key == KEY_RESIZE) {
			/* Terminals reflow on resize (tmux pushes rows into its history):
			** what curses thinks is on the screen is not, so repaint it all. */
			clear();
			continue;
		}
		if (help) {
			help = false;
			continue;
		}
		if (key == 'q' || key == 'Q' || key == KEY_F(10))
			break;
		if (key == KEY_F(1) || key == '?') {
			help = true;
			continue;
		}
		if (key == 12) {	/* Ctrl-L */
			clear();
			continue;
		}
		if (k->key)
			r = k->key(this, &c, key);
		if (r & VIEW_QUIT)
			break;
		if ((r & VIEW_UPDATE) && k->update) {
			err_clear(&ue);
			k->update(this, &ue);
			next = view_now() + k->period_ms / 1000.0;
		}
	}
	crt_close(&c);
	return 0;
}

void
view_scroll(int n, int rows, int *ref_sel, int *ref_top)
{
	if (*ref_sel >= n)
		*ref_sel = n - 1;
	if (*ref_sel < 0)
		*ref_sel = 0;
	if (rows < 1)
		rows = 1;
	if (*ref_top > *ref_sel)
		*ref_top = *ref_sel;
	if (*ref_sel >= *ref_top + rows)
		*ref_top = *ref_sel - rows + 1;
	if (*ref_top > n - rows)
		*ref_top = n - rows;
	if (*ref_top < 0)
		*ref_top = 0;
}

bool
view_move(int key, int n, int page, int *ref_sel)
{
	switch (key) {
	case KEY_UP:
	case 'k':
		(*ref_sel)--;
		break;
	case KEY_DOWN:
	case 'j':
		(*ref_sel)++;
		break;
	case KEY_PPAGE:
		*ref_sel -= page > 1 ? page : 1;
		break;
	case KEY_NPAGE:
		*ref_sel += page > 1 ? page : 1;
		break;
	case KEY_HOME:
	case 'g':
		*ref_sel = 0;
		break;
	case KEY_END:
	case 'G':
		*ref_sel = n - 1;
		break;
	default:
		return false;
	}
	if (*ref_sel >= n)
		*ref_sel = n - 1;
	if (*ref_sel < 0)
		*ref_sel = 0;
	return true;
}

/*---- Pages ----*/

static void
view_page_clear(struct view_page *p)
{
	for (int i = 0; i < p->n_lines; i++)
		free(p->lines[i]);
	free(p->lines);
	p->lines = NULL;
	p->n_lines = 0;
	p->width = 0;
}

static void
view_page_add(struct view_page *p, const char *s, size_t len, int indent)
{
	char *l = xmalloc(len + (size_t)indent + 1);

	memset(l, ' ', (size_t)indent);
	memcpy(l + indent, s, len);
	l[len + (size_t)indent] = '\0';
	p->lines = xrealloc(p->lines, (size_t)(p->n_lines + 1) * sizeof *p->lines);
	p->lines[p->n_lines++] = l;
}

/* Wraps at blanks; each UTF-8 character counts one column (the engine's symbols do). */
static void
view_page_wrap(struct view_page *p, int width)
{
	const char *s = p->text;

	view_page_clear(p);
	p->width = width;
	while (s && *s) {
		const char *nl = strchr(s, '\n'), *end = nl ? nl : s + strlen(s);
		int lead = 0, indent = 0;

		while (s + lead < end && s[lead] == ' ')
			lead++;
		for (;;) {
			const char *q = s, *cut = NULL;
			int cols = indent;

			while (q < end && cols < width) {
				if (*q == ' ' && q > s)
					cut = q;
				q++;
				while (q < end && ((unsigned char)*q & 0xc0) == 0x80)
					q++;
				cols++;
			}
			if (q >= end) {
				view_page_add(p, s, (size_t)(end - s), indent);
				break;
			}
			if (!cut || cut - s < 8)
				cut = q;
			view_page_add(p, s, (size_t)(cut - s), indent);
			s = cut;
			while (s < end && *s == ' ')
				s++;
			indent = lead + 4 < width / 2 ? lead + 4 : 0;
			if (s >= end)
				break;
		}
		s = nl ? nl + 1 : end;
	}
}

void
view_page_set(struct view_page *p, const char *text)
{
	view_page_clear(p);
	free(p->text);
	p->text = xstrdup(text);
	p->top = 0;
}

void
view_page_draw(struct view_page *p, const struct crt *c, int y, int rows)
{
	if (p->width != c->cols - 2)
		view_page_wrap(p, c->cols - 2);
	if (p->top > p->n_lines - rows)
		p->top = p->n_lines - rows;
	if (p->top < 0)
		p->top = 0;
	for (int i = 0; i < rows && p->top + i < p->n_lines; i++)
		widget_text(c, y + i, 1, c->cols - 2, A_NORMAL, p->lines[p->top + i]);
}

bool
view_page_key(struct view_page *p, const struct crt *c, int rows, int key)
{
	int top = p->top, last = p->n_lines - rows;

	if (key == KEY_UP || key == 'k')
		top--;
	else if (key == KEY_DOWN || key == 'j')
		top++;
	else if (key == KEY_PPAGE)
		top -= rows - 1;
	else if (key == KEY_NPAGE || key == ' ')
		top += rows - 1;
	else if (key == KEY_HOME || key == 'g')
		top = 0;
	else if (key == KEY_END || key == 'G')
		top = last;
	else
		return false;
	p->top = top > last ? last : top;
	if (p->top < 0)
		p->top = 0;
	return true;
}

void
view_page_release(struct view_page *p)
{
	view_page_clear(p);
	free(p->text);
	p->text = NULL;
}
