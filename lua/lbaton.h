#ifndef LUA_LBATON_H
#define LUA_LBATON_H
/*
** The embedded Lua 5.4 state and the 'baton' module (preloaded, and global as 'baton').
** Runs chunks and script files for the shell. The shell lends it a few callbacks (run a shell
** line, list commands, write output) because lua/ must not include repl/.
*/

#include <stdbool.h>
#include <stddef.h>

#include "engine/err.h"
#include "engine/progress.h"
#include "engine/sbuf.h"
#include "engine/val.h"

struct lbaton;

struct lbaton_host {
	/* Runs one shell line with its output captured into 'out'; returns 0 or -1. */
	int (*run_line)(void *arg, const char *line, struct sbuf *out);
	/* The command tables as a list of {name, topic, usage, summary, sub}; caller frees. */
	struct val *(*commands)(void *arg);
	/* Writes text where the shell's output goes (Lua's print). */
	void (*write)(void *arg, const char *data, size_t n);
	/* Ctrl-C flag and progress line for engine loops started from Lua. */
	const struct progress *progress;
	void *arg;
};

/* A new state with the standard libraries and the baton module. 'host' must outlive it. */
struct lbaton *lbaton_new(const struct lbaton_host *host);
void lbaton_free(struct lbaton *lb);

/* Runs a chunk. When it is an expression ("1+2", "baton.commands()") its values are printed.
** Returns 0, or -1 with the message and traceback in 'e'. */
int lbaton_run_chunk(struct lbaton *lb, const char *chunk, struct err *e);

/* Runs a script file with 'arg' set as lua.c does (arg[0] = path, arg[1..] = args) and the
** arguments also passed as '...'. Returns 0, or -1 with the message and traceback in 'e'. */
int lbaton_run_file(struct lbaton *lb, const char *path, int argc, char **argv, struct err *e);

/* True when 'chunk' only fails to compile because it ends too early (an open 'do', 'function',
** string or bracket), so more lines should be read. */
bool lbaton_incomplete(struct lbaton *lb, const char *chunk);

/* Async-signal-safe: makes the running chunk stop with an "interrupted" error at its next
** instruction (lua.c's trick). Does nothing when no chunk runs. */
void lbaton_interrupt(struct lbaton *lb);

/* "Lua 5.4.4" */
const char *lbaton_version(void);

#endif
