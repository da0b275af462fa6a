#include "engine/json.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/sbuf.h"
#include "engine/xalloc.h"

/* Parser state: 'p' only moves forward, and every read of *p is checked against 'end' first. */
struct jp {
	const char *text, *p, *end;
	const char *name;	/* prefixes messages; NULL: "line L, column C" */
	struct err *e;
	int depth;		/* containers open around 'p' */
	struct sbuf str;	/* the string or key just decoded */
};

static struct val *parse_value(struct jp *j);

/* Records the error found at 'where' and returns NULL, so callers can 'return fail(...)'. Lines and
** columns are counted only now, as errors are rare; columns count characters, not bytes. */
static void *
fail(struct jp *j, const char *where, const char *fmt, ...)
{
	char msg[ERR_MSG_LEN];
	size_t line = 1, col = 1;
	va_list ap;

	for (const char *q = j->text; q < where; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)*q & 0xc0) != 0x80) {
			col++;
		}
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (j->name)
		err_set(j->e, -EINVAL, "%s:%zu:%zu: %s", j->name, line, col, msg);
	else
		err_set(j->e, -EINVAL, "line %zu, column %zu: %s", line, col, msg);
	return NULL;
}

/* "expected WHAT" at 'p', saying so when the text ended early. */
static void *
expected(struct jp *j, const char *what)
{
	return fail(j, j->p, "expected %s%s", what, j->p == j->end ? ", found end of input" : "");
}

static bool
at(const struct jp *j, char c)
{
	return j->p < j->end && *j->p == c;
}

static bool
at_digit(const struct jp *j)
{
	return j->p < j->end && *j->p >= '0' && *j->p <= '9';
}

static void
skip_ws(struct jp *j)
{
	while (at(j, ' ') || at(j, '\t') || at(j, '\n') || at(j, '\r'))
		j->p++;
}

/* The length of the well-formed UTF-8 sequence at 's' (RFC 3629: no overlong forms, no
** surrogates, nothing past U+10FFFF), or 0. */
static size_t
utf8_len(const unsigned char *s, const unsigned char *end)
{
	unsigned lo = 0x80, hi = 0xbf;	/* the second byte's range depends on the first */
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, lo = s[0] == 0xe0 ? 0xa0 : lo, hi = s[0] == 0xed ? 0x9f : hi;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, lo = s[0] == 0xf0 ? 0x90 : lo, hi = s[0] == 0xf4 ? 0x8f : hi;
	else
		return 0;
	if ((size_t)(end - s) < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static void
put_utf8(struct sbuf *sb, uint32_t c)
{
	static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };
	size_t n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
	char b[4];

	for (size_t i = n - 1; i > 0; i--, c >>= 6)
		b[i] = (char)(0x80 | (c & 0x3f));
	b[0] = (char)(lead[n] | c);
	sbuf_add(sb, b, n);
}

/* The 4 hex digits at 'p' as a number, or -1. */
static long
hex4(const char *p, const char *end)
{
	char h[5] = "";

	for (int i = 0; i < 4; i++)
		if (end - p <= i || !isxdigit((unsigned char)(h[i] = p[i])))
			return -1;
	return strtol(h, NULL, 16);
}

/* Decodes the string at '"' into j->str; returns its text, or NULL on error. */
static const char *
parse_string(struct jp *j)
{
	static const char simple[] = "\"\\/bfnrt";	/* escapes of one character */
	const char *open = j->p++, *esc, *q;
	long u, lo;

	sbuf_reset(&j->str);
	for (;;) {
		const char *run = j->p;
		size_t n;

		while (j->p < j->end && *j->p != '"' && *j->p != '\\' && (unsigned char)*j->p >= 0x20) {
			n = utf8_len((const unsigned char *)j->p, (const unsigned char *)j->end);
			if (!n)
				return fail(j, j->p, "invalid UTF-8 in a string");
			j->p += n;
		}
		sbuf_add(&j->str, run, (size_t)(j->p - run));
		if (j->p == j->end || (at(j, '\\') && j->p + 1 == j->end))
			return fail(j, open, "unterminated string");
		if (*j->p == '"') {
			j->p++;
			return sbuf_str(&j->str);
		}
		if (*j->p != '\\')
			return fail(j, j->p, *j->p ? "control character in a string (write it as an escape)"
				: "NUL byte in a string");
		esc = j->p++;
		if ((q = memchr(simple, *j->p, sizeof simple - 1)) != NULL) {
			sbuf_addc(&j->str, "\"\\/\b\f\n\r\t"[q - simple]);
			j->p++;
			continue;
		}
		if (*j->p++ != 'u')
			return fail(j, esc, "expected one of \"\\/bfnrtu after '\\' in a string");
		if ((u = hex4(j->p, j->end)) < 0)
			return fail(j, esc, "expected 4 hex digits after '\\u'");
		j->p += 4;
		if (u >= 0xdc00 && u <= 0xdfff)
			return fail(j, esc, "low surrogate \\u%04lX without a high one before it", u);
		if (u >= 0xd800 && u <= 0xdbff) {
			lo = j->end - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u'
				? hex4(j->p + 2, j->end) : -1;
			if (lo < 0xdc00 || lo > 0xdfff)
				return fail(j, esc, "high surrogate \\u%04lX without a low one after it", u);
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			j->p += 6;
		}
		if (u == 0)	/* val strings are C strings */
			return fail(j, esc, "\\u0000 in a string (NUL is not supported)");
		put_utf8(&j->str, (uint32_t)u);
	}
}

/* Checks the RFC grammar by hand. A plain integer that fits becomes VAL_INT; anything else
** goes through strtod on a NUL-terminated copy, as the text need not be terminated. "-0" is
** VAL_NUM -0.0, so that val_json prints it back as "-0". */
static struct val *
parse_number(struct jp *j)
{
	const char *start = j->p;
	bool neg = at(j, '-'), integral = true, fits = true;
	uint64_t mag = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX;
	char buf[64], *copy = buf;
	size_t len;
	double d;

	j->p += neg;
	if (!at_digit(j))
		return expected(j, "a digit after '-'");
	if (at(j, '0')) {
		j->p++;
		if (at_digit(j))
			return fail(j, start, "leading zero in a number");
	}
	for (; at_digit(j); j->p++) {
		unsigned dig = (unsigned)(*j->p - '0');

		fits = fits && mag <= (limit - dig) / 10;
		mag = mag * 10 + dig;
	}
	if (at(j, '.')) {
		integral = false;
		j->p++;
		if (!at_digit(j))
			return expected(j, "a digit after '.'");
		while (at_digit(j))
			j->p++;
	}
	if (at(j, 'e') || at(j, 'E')) {
		integral = false;
		j->p++;
		if (at(j, '+') || at(j, '-'))
			j->p++;
		if (!at_digit(j))
			return expected(j, "a digit in the exponent");
		while (at_digit(j))
			j->p++;
	}
	if (integral && fits && !(neg && mag == 0))
		return val_int(neg ? -(int64_t)(mag - 1) - 1 : (int64_t)mag);
	len = (size_t)(j->p - start);
	if (len >= sizeof buf)
		copy = xmalloc(len + 1);
	memcpy(copy, start, len);
	copy[len] = '\0';
	d = strtod(copy, NULL);
	if (copy != buf)
		free(copy);
	if (isinf(d))	/* val_json would print it as null */
		return fail(j, start, "number out of range");
	return val_num(d);
}

static bool
literal(struct jp *j, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
		return false;
	j->p += n;
	return true;
}

/* An array or object at '[' or '{'. The depth bound makes deep input an error rather than a
** stack overflow. */
static struct val *
parse_container(struct jp *j)
{
	bool obj = at(j, '{');
	char close = obj ? '}' : ']';
	struct val *c = obj ? val_obj() : val_arr(), *v;
	char *key = NULL;

	if (++j->depth > JSON_MAX_DEPTH) {
		fail(j, j->p, "nesting deeper than %d arrays and objects", JSON_MAX_DEPTH);
		goto bad;
	}
	j->p++;
	skip_ws(j);
	if (at(j, close))
		goto done;
	for (;;) {
		if (obj) {
			skip_ws(j);
			if (!at(j, '"')) {
				expected(j, c->u.c.n ? "a string key" : "a string key or '}'");
				goto bad;
			}
			if (!parse_string(j))
				goto bad;
			key = xstrdup(sbuf_str(&j->str));
			skip_ws(j);
			if (!at(j, ':')) {
				expected(j, "':' after a key");
				goto bad;
			}
			j->p++;
		}
		if (!(v = parse_value(j)))
			goto bad;
		if (obj)
			val_set(c, key, v);	/* a repeated key: the last value wins */
		else
			val_push(c, v);
		free(key);
		key = NULL;
		skip_ws(j);
		if (!at(j, ','))
			break;
		j->p++;
	}
	if (!at(j, close)) {
		expected(j, obj ? "',' or '}' after a member" : "',' or ']' after an element");
		goto bad;
	}
done:
	j->p++;
	j->depth--;
	return c;
bad:
	free(key);
	val_free(c);
	return NULL;
}

static struct val *
parse_value(struct jp *j)
{
	skip_ws(j);
	if (j->p < j->end) {
		switch (*j->p) {
		case '{':
		case '[':
			return parse_container(j);
		case '"':
			return parse_string(j) ? val_str(sbuf_str(&j->str)) : NULL;
		case '-':
		case '0': case '1': case '2': case '3': case '4':
		case '5': case '6': case '7': case '8': case '9':
			return parse_number(j);
		default:
			if (literal(j, "true"))
				return val_bool(true);
			if (literal(j, "false"))
				return val_bool(false);
			if (literal(j, "null"))
				return val_null();
		}
	}
	return expected(j, "a value");
}

struct val *
json_parse(const char *text, size_t n, const char *name, struct err *e)
{
	struct jp j = { .text = text ? text : "", .name = name, .e = e, .str = SBUF_INIT };
	struct val *v;

	j.p = j.text;
	j.end = j.text + (text ? n : 0);
	v = parse_value(&j);
	skip_ws(&j);
	if (v && j.p != j.end) {
		expected(&j, "end of input after the value");
		val_free(v);
		v = NULL;
	}
	sbuf_release(&j.str);
	return v;
}

struct val *
json_read_file(const char *path, struct err *e)
{
	size_t len = 0, cap = 4096;
	struct val *v = NULL;
	char *buf;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		err_set(e, -errno, "%s: %s", path, strerror(errno));
		return NULL;
	}
	/* Read to the end rather than trust st_size (pipes and /proc files report 0); one byte past
	** the limit is enough to notice a file too large. */
	buf = xmalloc(cap);
	while (len <= JSON_MAX_FILE && (r = read(fd, buf + len, cap - len)) != 0) {
		if (r < 0 && errno != EINTR) {
			err_set(e, -errno, "%s: %s", path, strerror(errno));
			goto out;
		}
		len += r > 0 ? (size_t)r : 0;
		if (len == cap && cap <= JSON_MAX_FILE) {
			cap = cap > JSON_MAX_FILE / 2 ? JSON_MAX_FILE + 1 : 2 * cap;
			buf = xrealloc(buf, cap);
		}
	}
	if (len > JSON_MAX_FILE)
		err_set(e, -EFBIG, "%s: larger than %u MiB", path, JSON_MAX_FILE >> 20);
	else
		v = json_parse(buf, len, path, e);
out:
	close(fd);
	free(buf);
	return v;
}
