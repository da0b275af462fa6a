#include "engine/err.h"

#include <stdio.h>
#include <string.h>

int
err_vset(struct err *e, int code, const char *fmt, va_list ap)
{
	if (e) {
		e->code = code;
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	}
	return code;
}

int
err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(e, code, fmt, ap);
	va_end(ap);
	return code;
}

void
err_prefix(struct err *e, const char *fmt, ...)
{
	char head[ERR_MSG_LEN];
	size_t h, m;
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head - 2, fmt, ap);
	va_end(ap);
	strcat(head, ": ");
	h = strlen(head);
	if (h >= sizeof e->msg)
		h = sizeof e->msg - 1;
	/* Shift the old message right (cut at the end if it no longer fits), then put the head. */
	m = strnlen(e->msg, sizeof e->msg - 1);
	if (h + m >= sizeof e->msg)
		m = sizeof e->msg - 1 - h;
	memmove(e->msg + h, e->msg, m);
	memcpy(e->msg, head, h);
	e->msg[h + m] = '\0';
}

void
err_clear(struct err *e)
{
	if (e) {
		e->code = 0;
		e->msg[0] = '\0';
	}
}
