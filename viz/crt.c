/*
** crt: curses start and end, colours, keys. See crt.h.
*/
#include "viz/crt.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "engine/xalloc.h"

/* Foreground and background of each role with colours; -1 is the terminal's own. */
static const short crt_pairs[CRT_NROLES][2] = {
	[CRT_NORMAL] = {-1, -1},
	[CRT_TITLE] = {COLOR_BLACK, COLOR_GREEN},
	[CRT_FKEY] = {-1, -1},
	[CRT_FLABEL] = {COLOR_BLACK, COLOR_CYAN},
	[CRT_SELECT] = {COLOR_BLACK, COLOR_CYAN},
	[CRT_DIM] = {COLOR_BLUE, -1},
	[CRT_LINE] = {COLOR_BLUE, -1},
	[CRT_READ] = {COLOR_GREEN, -1},
	[CRT_WRITE] = {COLOR_YELLOW, -1},
	[CRT_BLOCK] = {COLOR_RED, -1},
	[CRT_FIELD] = {COLOR_CYAN, -1},
	[CRT_GOOD] = {COLOR_GREEN, -1},
	[CRT_WARN] = {COLOR_YELLOW, -1},
	[CRT_BAD] = {COLOR_RED, -1},
	[CRT_CORE0 + 0] = {COLOR_GREEN, -1},
	[CRT_CORE0 + 1] = {COLOR_CYAN, -1},
	[CRT_CORE0 + 2] = {COLOR_YELLOW, -1},
	[CRT_CORE0 + 3] = {COLOR_MAGENTA, -1},
	[CRT_CORE0 + 4] = {COLOR_BLUE, -1},
	[CRT_CORE0 + 5] = {COLOR_RED, -1},
	[CRT_CORE0 + 6] = {COLOR_WHITE, -1},
	[CRT_CORE0 + 7] = {COLOR_BLACK, COLOR_WHITE},
};

/* Without colours: what still tells roles apart. */
static int
crt_mono(enum crt_role r)
{
	switch (r) {
	case CRT_TITLE:
	case CRT_FLABEL:
	case CRT_SELECT:
		return A_REVERSE;
	case CRT_FKEY:
	case CRT_WRITE:
	case CRT_WARN:
	case CRT_BAD:
		return A_BOLD;
	case CRT_BLOCK:
		return A_BOLD | A_UNDERLINE;
	case CRT_DIM:
		return A_DIM;
	default:
		return A_NORMAL;
	}
}

/* SIGWINCH glue. The shell's readline owns SIGWINCH at its prompt and ncurses only takes a
** signal nobody handles, once per process; so while a view is open crt catches it itself and
** resizes curses from the kernel's window size. */
static volatile sig_atomic_t crt_winch;

static void
crt_on_winch(int sig)
{
	(void)sig;
	crt_winch = 1;
}

/* NO_COLOR (no-color.org): present and not empty turns colours off. */
static bool
crt_no_color(void)
{
	const char *v = getenv("NO_COLOR");
	return v && *v;
}

int
crt_open(struct crt *c, struct err *e)
{
	const char *loc;
	SCREEN *scr;

	memset(c, 0, sizeof(*c));
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return err_set(e, -ENOTTY, "views need a terminal (stdin and stdout are not one); "
			       "the 'show' commands print the same in text");
	/* Wide characters need the user's charset; the shell itself runs in the C locale. */
	loc = setlocale(LC_CTYPE, NULL);
	c->saved_locale = xstrdup(loc ? loc : "C");
	setlocale(LC_CTYPE, "");
	c->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	/* newterm, not initscr: it returns NULL instead of exiting on an unknown terminal. */
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		setlocale(LC_CTYPE, c->saved_locale);
		free(c->saved_locale);
		c->saved_locale = NULL;
		return err_set(e, -ENOTTY, "curses cannot drive this terminal (TERM=%s)",
			       getenv("TERM") ? getenv("TERM") : "unset");
	}
	c->screen = scr;
	c->open = true;
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof sa);
		sa.sa_handler = crt_on_winch;
		sigemptyset(&sa.sa_mask);
		/* No SA_RESTART: a blocked getch returns, and crt_key sees the flag. */
		sigaction(SIGWINCH, &sa, &c->saved_winch);
		crt_winch = 0;
	}
	set_term(scr);
	cbreak();		/* not raw: Ctrl-C still stops the command */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	/* Home and End as tmux and the Linux console send them, which xterm's entry lacks. */
	define_key("\033[1~", KEY_HOME);
	define_key("\033[4~", KEY_END);
	curs_set(0);
	if (!crt_no_color() && has_colors()) {
		start_color();
		use_default_colors();
		if (COLOR_PAIRS > CRT_NROLES) {
			c->color = true;
			for (int r = 1; r < CRT_NROLES; r++)
				init_pair((short)r, crt_pairs[r][0], crt_pairs[r][1]);
		}
	}
	getmaxyx(stdscr, c->rows, c->cols);
	return 0;
}

void
crt_close(struct crt *c)
{
	if (!c->open)
		return;
	curs_set(1);
	endwin();
	sigaction(SIGWINCH, &c->saved_winch, NULL);
	delscreen(c->screen);
	c->screen = NULL;
	c->open = false;
	setlocale(LC_CTYPE, c->saved_locale);
	free(c->saved_locale);
	c->saved_locale = NULL;
}

int
crt_attr(const struct crt *c, enum crt_role role)
{
	if ((unsigned)role >= CRT_NROLES)
		role = CRT_NORMAL;
	if (!c->color)
		return crt_mono(role);
	if (role == CRT_NORMAL)
		return A_NORMAL;
	return (int)COLOR_PAIR(role) | (role == CRT_BLOCK || role == CRT_FKEY ? A_BOLD : 0);
}

enum crt_role
crt_core_role(unsigned k)
{
	return (enum crt_role)(CRT_CORE0 + k % CRT_NCORE_COLORS);
}

int
crt_key(struct crt *c, int ms)
{
	int k;

	timeout(ms);
	k = getch();
	if (crt_winch) {
		struct winsize ws;

		crt_winch = 0;
		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
			resizeterm(ws.ws_row, ws.ws_col);
		if (k != ERR)
			ungetch(k);
		k = KEY_RESIZE;
	}
	if (k == KEY_RESIZE)
		getmaxyx(stdscr, c->rows, c->cols);
	return k;
}
