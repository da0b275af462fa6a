#ifndef VIZ_CRT_H
#define VIZ_CRT_H
/*
** crt: the terminal while a view is open (htop's CRT). The only file that starts and ends
** curses, and the owner of the colour table: views ask for a role (CRT_WRITE, CRT_CORE0 + k)
** and get a colour pair, or a plain attribute (bold, reverse, underline) when NO_COLOR is set
** or the terminal has no colours. Closing always gives the terminal back as it was.
*/

#include <signal.h>
#include <stdbool.h>

#include "engine/err.h"

/* What text is, not how it looks: the looks depend on the terminal. */
enum crt_role {
	CRT_NORMAL,
	CRT_TITLE,	/* the header line */
	CRT_FKEY,	/* "F1" in the function-key bar */
	CRT_FLABEL,	/* "Help" beside it */
	CRT_SELECT,	/* the selected line or node */
	CRT_DIM,	/* secondary text */
	CRT_LINE,	/* graph edges and frames */
	CRT_READ,	/* read-only state */
	CRT_WRITE,	/* written state */
	CRT_BLOCK,	/* state that forces locks */
	CRT_FIELD,	/* packet fields */
	CRT_GOOD,	/* a constraint holds, a rate is fine */
	CRT_WARN,
	CRT_BAD,
	CRT_CORE0,	/* CRT_CORE0 + k: core k (mod CRT_NCORE_COLORS) */
	CRT_NROLES = CRT_CORE0 + 8
};
#define CRT_NCORE_COLORS 8

struct crt {
	bool open;
	bool color;		/* colour pairs in use */
	bool utf8;		/* the locale's charset is UTF-8: block and braille glyphs work */
	int rows, cols;		/* the screen now (updated on resize) */
	char *saved_locale;	/* LC_CTYPE before opening */
	void *screen;		/* curses SCREEN */
	struct sigaction saved_winch;	/* SIGWINCH's handler before opening */
};

/* Takes over the terminal. Fails, changing nothing, when stdin or stdout is not a terminal or
** curses cannot start on it (TERM unknown). */
int crt_open(struct crt *c, struct err *e);
/* Gives the terminal back (cursor, echo, colours, the screen before). Safe to call twice. */
void crt_close(struct crt *c);

/* The attribute to draw 'role' with. */
int crt_attr(const struct crt *c, enum crt_role role);
/* The role of core k. */
enum crt_role crt_core_role(unsigned k);

/* The next key, waiting at most 'ms' milliseconds (negative: until one comes). ERR (-1) on
** timeout or a signal; KEY_RESIZE after the terminal changed size (rows and cols updated). */
int crt_key(struct crt *c, int ms);

#endif
