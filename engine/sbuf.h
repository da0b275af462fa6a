#ifndef ENGINE_SBUF_H
#define ENGINE_SBUF_H
/*
** A growable, always NUL-terminated byte string. Used for command output captured for Lua,
** JSON text and messages built piece by piece.
*/

#include <stdarg.h>
#include <stddef.h>

struct sbuf {
	char *buf;	/* NUL-terminated; NULL until the first append */
	size_t len;	/* bytes before the NUL */
	size_t cap;	/* bytes allocated */
};

#define SBUF_INIT { NULL, 0, 0 }

void sbuf_add(struct sbuf *sb, const void *data, size_t n);
void sbuf_adds(struct sbuf *sb, const char *s);
void sbuf_addc(struct sbuf *sb, char c);
void sbuf_printf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_vprintf(struct sbuf *sb, const char *fmt, va_list ap);

/* The text so far ("" when empty); borrowed until the next change. */
const char *sbuf_str(const struct sbuf *sb);

/* Empties the string, keeping its memory. */
void sbuf_reset(struct sbuf *sb);

/* Hands the string to the caller (who frees it) and leaves 'sb' empty. Never NULL. */
char *sbuf_detach(struct sbuf *sb);

void sbuf_release(struct sbuf *sb);

#endif
