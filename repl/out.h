#ifndef REPL_OUT_H
#define REPL_OUT_H
/*
** Where command output goes: stdout and stderr normally, or a buffer while Lua's baton.cmd()
** captures a command's output (captures nest). Under --json, results print as one JSON line
** and errors as {"error": "..."} on stdout, as bpftool -j does.
*/

#include <stdbool.h>
#include <stdio.h>

#include "engine/sbuf.h"
#include "engine/val.h"

#define OUT_MAX_CAPTURE 16

struct out {
	struct sbuf *capture[OUT_MAX_CAPTURE];	/* innermost last; NULL-free below depth */
	int depth;				/* active captures */
	bool json;				/* results and errors as JSON */
};

#define OUT_INIT { { NULL }, 0, false }

void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void out_write(struct out *o, const char *data, size_t n);

/* Prints "error: MSG" (stderr, or the capture), or {"error":"MSG"} under JSON. */
void out_err(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints a note on stderr that is not a result ("skipped 3 packets"); captured too. */
void out_note(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints 'v' as one line of JSON. */
void out_json(struct out *o, const struct val *v);

/* Starts sending output into 'sb' until the matching out_pop. Returns -1 when nested too deep. */
int out_push(struct out *o, struct sbuf *sb);
void out_pop(struct out *o);

#endif
