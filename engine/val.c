#include "engine/val.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"

static struct val *
mk(enum val_kind kind)
{
	struct val *v = xcalloc(1, sizeof *v);

	v->kind = kind;
	return v;
}

struct val *val_null(void) { return mk(VAL_NULL); }
struct val *val_arr(void) { return mk(VAL_ARR); }
struct val *val_obj(void) { return mk(VAL_OBJ); }

struct val *
val_bool(bool b)
{
	struct val *v = mk(VAL_BOOL);

	v->u.b = b;
	return v;
}

struct val *
val_int(int64_t i)
{
	struct val *v = mk(VAL_INT);

	v->u.i = i;
	return v;
}

struct val *
val_num(double n)
{
	struct val *v = mk(VAL_NUM);

	v->u.n = n;
	return v;
}

struct val *
val_str(const char *s)
{
	struct val *v = mk(VAL_STR);

	v->u.s = xstrdup(s ? s : "");
	return v;
}

static void
append(struct val *c, char *key, struct val *v)
{
	if (c->u.c.n == c->u.c.cap) {
		c->u.c.cap = c->u.c.cap ? 2 * c->u.c.cap : 8;
		c->u.c.items = xrealloc(c->u.c.items, c->u.c.cap * sizeof *c->u.c.items);
		if (c->kind == VAL_OBJ)
			c->u.c.keys = xrealloc(c->u.c.keys, c->u.c.cap * sizeof *c->u.c.keys);
	}
	if (c->kind == VAL_OBJ)
		c->u.c.keys[c->u.c.n] = key;
	c->u.c.items[c->u.c.n++] = v;
}

struct val *
val_push(struct val *arr, struct val *v)
{
	append(arr, NULL, v);
	return v;
}

struct val *
val_set(struct val *obj, const char *key, struct val *v)
{
	for (size_t i = 0; i < obj->u.c.n; i++) {
		if (strcmp(obj->u.c.keys[i], key) == 0) {
			val_free(obj->u.c.items[i]);
			obj->u.c.items[i] = v;
			return v;
		}
	}
	append(obj, xstrdup(key), v);
	return v;
}

void val_set_int(struct val *o, const char *k, int64_t i) { val_set(o, k, val_int(i)); }
void val_set_num(struct val *o, const char *k, double n) { val_set(o, k, val_num(n)); }
void val_set_str(struct val *o, const char *k, const char *s) { val_set(o, k, val_str(s)); }
void val_set_bool(struct val *o, const char *k, bool b) { val_set(o, k, val_bool(b)); }

const struct val *
val_get(const struct val *obj, const char *key)
{
	if (!obj || obj->kind != VAL_OBJ)
		return NULL;
	for (size_t i = 0; i < obj->u.c.n; i++)
		if (strcmp(obj->u.c.keys[i], key) == 0)
			return obj->u.c.items[i];
	return NULL;
}

int64_t
val_get_int(const struct val *obj, const char *key, int64_t dflt)
{
	const struct val *v = val_get(obj, key);

	if (v && v->kind == VAL_INT)
		return v->u.i;
	/* Casting a double outside int64's range is undefined: those get the default. */
	if (v && v->kind == VAL_NUM && v->u.n >= -9223372036854775808.0 &&
	    v->u.n < 9223372036854775808.0)
		return (int64_t)v->u.n;
	return dflt;
}

const char *
val_get_str(const struct val *obj, const char *key)
{
	const struct val *v = val_get(obj, key);

	return v && v->kind == VAL_STR ? v->u.s : NULL;
}

void
val_json_string(struct sbuf *out, const char *s)
{
	sbuf_addc(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': sbuf_adds(out, "\\\""); break;
		case '\\': sbuf_adds(out, "\\\\"); break;
		case '\n': sbuf_adds(out, "\\n"); break;
		case '\r': sbuf_adds(out, "\\r"); break;
		case '\t': sbuf_adds(out, "\\t"); break;
		default:
			if (*p < 0x20)
				sbuf_printf(out, "\\u%04x", *p);
			else
				sbuf_addc(out, (char)*p);
		}
	}
	sbuf_addc(out, '"');
}

/* The shortest of %.15g and %.17g that reads back as the same double: 0.1 stays 0.1, and
** nothing is lost. */
static void
json_number(struct sbuf *out, double n)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%.15g", n);
	if (strtod(buf, NULL) != n)
		snprintf(buf, sizeof buf, "%.17g", n);
	sbuf_adds(out, buf);
}

void
val_json(const struct val *v, struct sbuf *out)
{
	switch (v->kind) {
	case VAL_NULL: sbuf_adds(out, "null"); break;
	case VAL_BOOL: sbuf_adds(out, v->u.b ? "true" : "false"); break;
	case VAL_INT: sbuf_printf(out, "%" PRId64, v->u.i); break;
	case VAL_NUM:
		if (isfinite(v->u.n))
			json_number(out, v->u.n);
		else
			sbuf_adds(out, "null");
		break;
	case VAL_STR: val_json_string(out, v->u.s); break;
	case VAL_ARR:
	case VAL_OBJ:
		sbuf_addc(out, v->kind == VAL_ARR ? '[' : '{');
		for (size_t i = 0; i < v->u.c.n; i++) {
			if (i)
				sbuf_addc(out, ',');
			if (v->kind == VAL_OBJ) {
				val_json_string(out, v->u.c.keys[i]);
				sbuf_addc(out, ':');
			}
			val_json(v->u.c.items[i], out);
		}
		sbuf_addc(out, v->kind == VAL_ARR ? ']' : '}');
		break;
	}
}

void
val_free(struct val *v)
{
	if (!v)
		return;
	if (v->kind == VAL_STR)
		free(v->u.s);
	if (v->kind == VAL_ARR || v->kind == VAL_OBJ) {
		for (size_t i = 0; i < v->u.c.n; i++) {
			val_free(v->u.c.items[i]);
			if (v->kind == VAL_OBJ)
				free(v->u.c.keys[i]);
		}
		free(v->u.c.items);
		free(v->u.c.keys);
	}
	free(v);
}
