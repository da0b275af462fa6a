#ifndef VIZ_VIEW_H
#define VIZ_VIEW_H
/*
** view: the loop every screen runs in (htop's ScreenManager). A view is a class: update
** refreshes its data (a snapshot; never draws), draw paints the snapshot (never changes it),
** key handles one key and returns what happened. The loop owns the rest: the terminal (crt),
** resizing, the function-key bar, F1/? help, q/F10 to leave, Ctrl-C, and the timer of
** live views. Views draw in rows 0 .. rows-2; the last row is the bar.
*/

#include <signal.h>
#include <stdbool.h>

#include "engine/err.h"
#include "viz/crt.h"
#include "viz/widget.h"

/* What key() did (a bitmask). */
enum {
	VIEW_IGNORED = 0,	/* not its key: the loop may use it */
	VIEW_HANDLED = 1 << 0,	/* used; redraw */
	VIEW_UPDATE = 1 << 1,	/* update now (data changed underneath) */
	VIEW_QUIT = 1 << 2,	/* leave the view */
};

#define VIEW_MAX_FKEYS 10
#define VIEW_MIN_ROWS 16	/* smaller terminals get a "too small" note, not a mess */
#define VIEW_MIN_COLS 60

struct view_class {
	const char *name;	/* "graph": the command is "view graph" */
	int period_ms;		/* > 0: update() runs that often (live views); 0: on demand */
	const char *const *help;	/* lines F1 shows, NULL-ended */
	/* Refreshes the data; may set 'e' (shown in the status line, the view stays open). */
	void (*update)(void *this, struct err *e);
	/* Paints rows 0 .. c->rows-2. */
	void (*draw)(void *this, const struct crt *c);
	/* One key; 'c' tells the screen size (page moves). */
	int (*key)(void *this, const struct crt *c, int key);
	/* The bar: fills at most VIEW_MAX_FKEYS entries, returns how many. Labels may change
	** with state ("Pause" / "Resume"). F1 Help and F10 Quit are the loop's. */
	int (*fkeys)(void *this, struct widget_fkey *out);
};

/* Runs 'k' on 'this' until the user leaves or *stop is set (Ctrl-C). The terminal is given
** back in every case. Fails only when no terminal can be opened. */
int view_run(const struct view_class *k, void *this, const volatile sig_atomic_t *stop,
	     struct err *e);

/* Keeps *ref_sel within [0, n) and *ref_top so that it is on one of 'rows' visible lines. */
void view_scroll(int n, int rows, int *ref_sel, int *ref_top);
/* Arrow, page, home and end keys move *ref_sel over n lines ('page' lines a page); true when
** the key was one of them. */
bool view_move(int key, int n, int page, int *ref_sel);

/* A page of text (a node's accesses, a path in full): wrapped to the screen's width at draw
** time, so it rewraps on resize; continuation lines are indented under their first. */
struct view_page {
	char *text;
	char **lines;		/* wrapped */
	int n_lines;
	int width;		/* what 'lines' were wrapped for */
	int top;		/* first line shown */
};
/* Replaces the text (copied) and scrolls to the top. */
void view_page_set(struct view_page *p, const char *text);
/* Draws 'rows' lines from row y, column 1. */
void view_page_draw(struct view_page *p, const struct crt *c, int y, int rows);
/* Scroll keys (arrows, pages, home, end); true when used. */
bool view_page_key(struct view_page *p, const struct crt *c, int rows, int key);
void view_page_release(struct view_page *p);

#endif
