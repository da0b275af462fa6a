#ifndef ENGINE_ERR_H
#define ENGINE_ERR_H
/*
** Error reports from the engine: a code (a negative errno value) and a message naming the file,
** line or field at fault. The engine never prints; callers pass a struct err and the shell shows it.
** Not for warnings or progress (see progress.h).
*/

#include <stdarg.h>

#define ERR_MSG_LEN 2048	/* room for a Lua traceback */

struct err {
	int code;		/* 0, or a negative errno value */
	char msg[ERR_MSG_LEN];	/* "" when code is 0 */
};

#define ERR_INIT { 0, "" }

/* Records code and a printf-style message in 'e' (NULL: ignored); returns code, so a caller can
** write 'return err_set(e, -EINVAL, "...")'. */
int err_set(struct err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int err_vset(struct err *e, int code, const char *fmt, va_list ap);

/* Puts "prefix: " in front of the message already in 'e' (file names, command names). */
void err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Forgets any recorded error. */
void err_clear(struct err *e);

#endif
