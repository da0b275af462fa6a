#ifndef REPL_REPL_H
#define REPL_REPL_H
/*
** Reading commands: the interactive loop on GNU Readline (prompt, history in
** ~/.baton_history, completion from the command tables, Ctrl-C) and batch files. Both join
** lines ending in '\' and Lua chunks that are not finished yet. Owns the SIGINT glue.
*/

#include <stdio.h>

#include "repl/session.h"

/* Sets up the session, its Lua state and the SIGINT handler. Returns 0 or -1 (message printed). */
int repl_init(struct session *s);
void repl_release(struct session *s);

/* Runs one logical line with Ctrl-C armed. Returns 0 or -1. */
int repl_line(struct session *s, const char *line, const char *where);

/* Reads and runs commands from the terminal until EOF or 'quit'. */
int repl_interactive(struct session *s);

/* Reads and runs commands from 'f' ('name' for messages) until EOF, 'quit', Ctrl-C, or the
** first failure under --bail. Returns 0 when every command succeeded, else -1. */
int repl_batch(struct session *s, FILE *f, const char *name);

/* Runs the batch file at 'path' (the 'source' command). */
int repl_source(struct session *s, const char *path, struct err *e);

#endif
