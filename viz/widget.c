/*
** widget: clipped text, the function-key bar, sparklines, meters. See widget.h.
*/
#include "viz/widget.h"

#include <curses.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

/* The UTF-8 symbols the engine's text uses, spelled for terminals without UTF-8. */
static const struct {
	uint32_t cp;
	const char *ascii;
} widget_ascii[] = {
	{0x2227, "&"}, {0x2228, "|"}, {0x2260, "!="}, {0x00ac, "!"}, {0x2192, "->"},
	{0x2190, "<-"}, {0x2264, "<="}, {0x2265, ">="}, {0x2717, "x"}, {0x2713, "v"},
	{0x00b7, "."}, {0x2026, "..."}, {0x25b8, ">"}, {0x25be, "v"}, {0x2014, "-"},
	{0x2013, "-"}, {0x00d7, "x"}, {0x2248, "~"}, {0x2500, "-"}, {0x2502, "|"},
};

/* Decodes one UTF-8 character at s (n bytes left): its length, *cp the code point; a bad byte
** is one character U+FFFD. */
static size_t
widget_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 :
		     (s[0] & 0xf8) == 0xf0 ? 4 : 0;

	if (len == 0 || len > n) {
		*cp = 0xfffd;
		return 1;
	}
	*cp = len == 1 ? s[0] : (uint32_t)(s[0] & (0x7f >> len));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	return len;
}

/* Walks 's' as it would be drawn: calls put for each piece (bytes and their columns) until
** 'width' columns are used; returns the columns. */
static int
widget_walk(const struct crt *c, const char *s, int width, bool draw)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	int used = 0;

	while (n > 0) {
		uint32_t cp;
		size_t len = widget_utf8(p, n, &cp);
		const char *out = (const char *)p;
		size_t out_len = len;
		int w = 1;

		if (cp == '\t' || cp == '\n')
			out = " ", out_len = 1;
		else if (cp < 0x20 || cp == 0x7f)
			out = "?", out_len = 1;
		else if (cp >= 0x80 && c->utf8) {
			w = wcwidth((wchar_t)cp);
			if (w < 0)
				w = 1, out = "?", out_len = 1;
		} else if (cp >= 0x80) {
			out = "?";
			for (size_t i = 0; i < sizeof(widget_ascii) / sizeof(widget_ascii[0]); i++)
				if (widget_ascii[i].cp == cp)
					out = widget_ascii[i].ascii;
			out_len = strlen(out);
			w = (int)out_len;
		}
		if (used + w > width)
			break;
		if (draw)
			addnstr(out, (int)out_len);
		used += w;
		p += len;
		n -= len;
	}
	return used;
}

int
widget_text(const struct crt *c, int y, int x, int width, int attr, const char *s)
{
	int used;

	if (width > c->cols - x)
		width = c->cols - x;
	if (y < 0 || y >= c->rows || x < 0 || width <= 0)
		return 0;
	move(y, x);
	attrset(attr);
	used = widget_walk(c, s, width, true);
	attrset(A_NORMAL);
	return used;
}

int
widget_printf(const struct crt *c, int y, int x, int width, int attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return widget_text(c, y, x, width, attr, buf);
}

int
widget_width(const struct crt *c, const char *s)
{
	return widget_walk(c, s, 1 << 30, false);
}

void
widget_fill(const struct crt *c, int y, int x, int attr)
{
	if (y < 0 || y >= c->rows || x >= c->cols)
		return;
	attrset(attr);
	mvhline(y, x, ' ', c->cols - x);
	attrset(A_NORMAL);
}

void
widget_hline(const struct crt *c, int y, int x, int n, int attr)
{
	if (y < 0 || y >= c->rows)
		return;
	attrset(attr);
	for (int i = 0; i < n && x + i < c->cols; i++)
		if (x + i >= 0)
			mvaddstr(y, x + i, c->utf8 ? "\u2500" : "-");
	attrset(A_NORMAL);
}

void
widget_vline(const struct crt *c, int y, int x, int n, int attr)
{
	if (x < 0 || x >= c->cols)
		return;
	attrset(attr);
	for (int i = 0; i < n && y + i < c->rows; i++)
		if (y + i >= 0)
			mvaddstr(y + i, x, c->utf8 ? "\u2502" : "|");
	attrset(A_NORMAL);
}

void
widget_fkeys(const struct crt *c, int y, const struct widget_fkey *keys, size_t n)
{
	int x = 0;

	widget_fill(c, y, 0, crt_attr(c, CRT_FLABEL));
	for (size_t i = 0; i < n && x < c->cols; i++) {
		x += widget_text(c, y, x, c->cols - x, crt_attr(c, CRT_FKEY), keys[i].key);
		/* htop's six-column labels; a longer one keeps a blank after it. */
		int w = (int)strlen(keys[i].label) + 1;

		x += widget_printf(c, y, x, c->cols - x, crt_attr(c, CRT_FLABEL), "%-*s",
				   w > 6 ? w : 6, keys[i].label);
	}
}

void
widget_spark(const struct crt *c, int y, int x, int width, int attr, const double *vals,
	     size_t n, double max)
{
	static const char *const blocks[8] = {"\u2581", "\u2582", "\u2583", "\u2584",
					      "\u2585", "\u2586", "\u2587", "\u2588"};
	static const char ascii[] = " .:-=+*#";
	size_t first = n > (size_t)width ? n - (size_t)width : 0;

	if (width <= 0 || y < 0 || y >= c->rows || x + width > c->cols)
		return;
	if (max <= 0)
		for (size_t i = first; i < n; i++)
			if (vals[i] > max)
				max = vals[i];
	attrset(attr);
	/* Right-aligned: the newest sample is always in the last column. */
	mvhline(y, x, ' ', width);
	move(y, x + width - (int)(n - first));
	for (size_t i = first; i < n; i++) {
		double f = max > 0 ? vals[i] / max : 0;
		int level = f <= 0 ? -1 : (int)(f * 7.999);

		if (level > 7)
			level = 7;
		if (c->utf8)
			addstr(level < 0 ? " " : blocks[level]);
		else
			addch((chtype)(level < 0 ? ' ' : ascii[level]));
	}
	attrset(A_NORMAL);
}

void
widget_bar(const struct crt *c, int y, int x, int width, int attr, double frac)
{
	int inner = width - 2, fill;

	if (inner <= 0 || y < 0 || y >= c->rows || x + width > c->cols)
		return;
	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	fill = (int)(frac * inner + 0.5);
	mvaddch(y, x, '[');
	attrset(attr);
	for (int i = 0; i < inner; i++)
		addch(i < fill ? '|' : ' ');
	attrset(A_NORMAL);
	addch(']');
}

void
widget_si(double v, char *buf, size_t size)
{
	if (v >= 999.5e6)
		snprintf(buf, size, "%.2fG", v / 1e9);
	else if (v >= 999.5e3)
		snprintf(buf, size, "%.2fM", v / 1e6);
	else if (v >= 9999.5)
		snprintf(buf, size, "%.1fk", v / 1e3);
	else
		snprintf(buf, size, "%.0f", v);
}
