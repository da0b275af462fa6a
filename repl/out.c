#include "repl/out.h"

#include <stdarg.h>

static struct sbuf *
cap(const struct out *o)
{
	return o->depth ? o->capture[o->depth - 1] : NULL;
}

/* Sends finished text to the capture, or to 'f' keeping stdout and stderr in order. */
static void
emit(struct out *o, FILE *f, const char *text, size_t n)
{
	struct sbuf *sb = cap(o);

	if (sb) {
		sbuf_add(sb, text, n);
		return;
	}
	if (f == stderr)
		fflush(stdout);
	fwrite(text, 1, n, f);
	if (f == stderr)
		fflush(stderr);
}

static void
vput(struct out *o, FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	struct sbuf line = SBUF_INIT;

	sbuf_adds(&line, prefix);
	sbuf_vprintf(&line, fmt, ap);
	emit(o, f, sbuf_str(&line), line.len);
	sbuf_release(&line);
}

void
out_write(struct out *o, const char *data, size_t n)
{
	emit(o, stdout, data, n);
}

void
out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vput(o, stdout, "", fmt, ap);
	va_end(ap);
}

void
out_err(struct out *o, const char *fmt, ...)
{
	struct sbuf msg = SBUF_INIT, line = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (msg.len && msg.buf[msg.len - 1] == '\n')
		msg.buf[--msg.len] = '\0';
	if (o->json) {
		sbuf_adds(&line, "{\"error\":");
		val_json_string(&line, sbuf_str(&msg));
		sbuf_adds(&line, "}\n");
		emit(o, stdout, line.buf, line.len);
	} else {
		sbuf_printf(&line, "error: %s\n", sbuf_str(&msg));
		emit(o, stderr, line.buf, line.len);
	}
	sbuf_release(&msg);
	sbuf_release(&line);
}

void
out_note(struct out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vput(o, stderr, "", fmt, ap);
	va_end(ap);
}

void
out_json(struct out *o, const struct val *v)
{
	struct sbuf js = SBUF_INIT;

	val_json(v, &js);
	sbuf_addc(&js, '\n');
	emit(o, stdout, js.buf, js.len);
	sbuf_release(&js);
}

int
out_push(struct out *o, struct sbuf *sb)
{
	if (o->depth == OUT_MAX_CAPTURE)
		return -1;
	o->capture[o->depth++] = sb;
	return 0;
}

void
out_pop(struct out *o)
{
	if (o->depth)
		o->depth--;
}
