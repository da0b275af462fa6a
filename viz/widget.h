#ifndef VIZ_WIDGET_H
#define VIZ_WIDGET_H
/*
** widget: the small pieces every view draws with (htop's meters and bars): clipped text that
** counts columns, not bytes, and spells UTF-8 symbols in ASCII when the terminal's charset is
** not UTF-8; the function-key bar; sparklines; bar meters; rate formatting. Draws on the
** screen crt opened; never reads keys.
*/

#include <stddef.h>

#include "viz/crt.h"

/* One entry of the function-key bar: "F1" "Help". */
struct widget_fkey {
	const char *key;
	const char *label;
};

/* Writes 's' at (y, x) in at most 'width' columns with 'attr'; returns the columns used. */
int widget_text(const struct crt *c, int y, int x, int width, int attr, const char *s);
/* printf into widget_text. */
int widget_printf(const struct crt *c, int y, int x, int width, int attr, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Columns 's' takes on this terminal (as widget_text writes it). */
int widget_width(const struct crt *c, const char *s);
/* Fills a row from x to the right edge with blanks in 'attr'. */
void widget_fill(const struct crt *c, int y, int x, int attr);

/* A horizontal or vertical line of 'n' cells from (y, x): box-drawing characters in UTF-8,
** '-' and '|' otherwise (curses' line characters do not survive every terminal multiplexer). */
void widget_hline(const struct crt *c, int y, int x, int n, int attr);
void widget_vline(const struct crt *c, int y, int x, int n, int attr);

/* The function-key bar on row y, as htop draws it: the key, then its label on a coloured
** field; the rest of the row coloured like the labels. */
void widget_fkeys(const struct crt *c, int y, const struct widget_fkey *keys, size_t n);

/* A sparkline of the last 'width' of the 'n' values (oldest first) scaled to 'max' (<= 0: the
** largest of them): eight block heights in UTF-8, " .:-=+*#" otherwise. */
void widget_spark(const struct crt *c, int y, int x, int width, int attr, const double *vals,
		  size_t n, double max);
/* A bar meter "[|||||     ]" 'width' columns wide, filled to 'frac' (0..1). */
void widget_bar(const struct crt *c, int y, int x, int width, int attr, double frac);

/* "12.3M", "950k", "17": a rate or count in at most 6 characters. */
void widget_si(double v, char *buf, size_t size);

#endif
