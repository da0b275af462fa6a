#ifndef ENGINE_JSON_H
#define ENGINE_JSON_H
/*
** A strict RFC 8259 JSON reader producing val trees (val.h writes them back). Integers that fit
** int64 become VAL_INT, other numbers VAL_NUM ("-0" too, so it prints back as "-0"); object keys
** keep their first place and the last value wins, as with val_set. Rejects what val strings
** cannot hold (NUL) and what RFC 8259 forbids: invalid UTF-8, lone surrogates, raw control
** characters, trailing commas, leading zeros, NaN, numbers beyond double's range, text after the
** value, and nesting deeper than JSON_MAX_DEPTH. Not a streaming or JSON5 parser.
*/

#include <stddef.h>

#include "engine/err.h"
#include "engine/val.h"

#define JSON_MAX_DEPTH 256		/* arrays and objects inside one another */
#define JSON_MAX_FILE (64u << 20)	/* bytes json_read_file accepts */

/* Parses 'n' bytes of JSON text at 'text' (need not be NUL-terminated) into a new val tree the
** caller owns (val_free). NULL with 'e' set (-EINVAL) on any error; the message names line and
** column (1-based, columns in characters) and what was expected, e.g. "line 3, column 14:
** expected ',' or '}' after a member". 'name' (may be NULL) prefixes the message
** ("cfg.json:3:14: ..."). */
struct val *json_parse(const char *text, size_t n, const char *name, struct err *e);

/* Reads the file at 'path' (at most JSON_MAX_FILE bytes) and parses it; errors name the file
** (open and read errors with strerror and -errno, too large: -EFBIG). */
struct val *json_read_file(const char *path, struct err *e);

#endif
