#ifndef REPL_ARGS_H
#define REPL_ARGS_H
/*
** Splits a command line into words the way a shell user expects: blanks separate words,
** '...' quotes literally, "..." quotes with backslash escapes, a backslash escapes the next
** character, and an unquoted # at the start of a word begins a comment. Not for Lua chunks,
** which reach their command raw.
*/

#include <stdbool.h>
#include <stddef.h>

#include "engine/err.h"

struct args {
	int argc;
	char **argv;	/* argc words, then NULL; owned */
};

#define ARGS_INIT { 0, NULL }

/* Splits 'line' into 'out' (released first). Returns 0, or -EINVAL with the column of an
** unterminated quote in 'e'. */
int args_split(struct args *out, const char *line, struct err *e);

/* Appends a copy of 'word'. */
void args_push(struct args *a, const char *word);

/* Removes word i, shifting the rest down. */
void args_remove(struct args *a, int i);

void args_release(struct args *a);

/* A whole decimal number in 0..max, without sign or spaces, in *out; false when it is not. */
bool args_uint(const char *str, unsigned long max, unsigned long *out);

/* The first word of 'line' (after blanks, no quoting): its start and length. Returns the
** offset just past it, where the rest of the line begins. */
size_t args_first_word(const char *line, size_t *out_start, size_t *out_len);

/* --- Batch input: how the shell turns physical lines into logical ones --- */

/* Drops the line end getline leaves on 'line' of n bytes ("\n", "\r\n", or "\r" at the end of
** input), in place. Returns the new length. */
size_t args_chomp(char *line, size_t n);

/* Whether 'line' (without its line end) goes on in the next physical line: it ends in a
** backslash, which is dropped (in place). */
bool args_continues(char *line);

#endif
