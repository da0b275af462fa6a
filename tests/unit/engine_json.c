/* Unit tests for engine/json: known answers for every construct and every error with its line and
** column, the round trip through val_json, files, and seeded random and mutated input. */
#include "engine/json.h"

#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>

#include "engine/rng.h"
#include "tests/test.h"

/* Parses exactly 'n' bytes from a heap copy, so ASan sees any read past the end. */
static struct val *
parse_n(const char *text, size_t n, const char *name, struct err *e)
{
	char *copy = malloc(n ? n : 1);
	struct val *v;

	memcpy(copy, text, n);
	v = json_parse(copy, n, name, e);
	free(copy);
	return v;
}

static char *
to_json(const struct val *v)
{
	struct sbuf sb = SBUF_INIT;

	val_json(v, &sb);
	return sbuf_detach(&sb);
}

/* 'text' parses, and val_json prints it as 'want'. */
static void
ok_is(const char *text, const char *want, int line)
{
	struct err e = ERR_INIT;
	struct val *v = parse_n(text, strlen(text), NULL, &e);
	char *got;

	if (!v) {
		FAIL("line %d: %s: %s", line, text, e.msg);
		return;
	}
	got = to_json(v);
	if (strcmp(got, want) != 0)
		FAIL("line %d: %s parsed as %s, want %s", line, text, got, want);
	CHECK_EQ_INT(e.code, 0);
	free(got);
	val_free(v);
}
#define OK_IS(text, want) ok_is((text), (want), __LINE__)

/* The first 'n' bytes of 'text' fail with exactly 'want'. */
static void
err_is_n(const char *text, size_t n, const char *want, int line)
{
	struct err e = ERR_INIT;
	struct val *v = parse_n(text, n, NULL, &e);

	if (v) {
		char *got = to_json(v);
		FAIL("line %d: %s parsed as %s, want error %s", line, text, got, want);
		free(got);
		val_free(v);
		return;
	}
	CHECK_EQ_INT(e.code, -EINVAL);
	if (strcmp(e.msg, want) != 0)
		FAIL("line %d: %s: error \"%s\", want \"%s\"", line, text, e.msg, want);
}
#define ERR_IS(text, want) err_is_n((text), strlen(text), (want), __LINE__)
#define ERR_IS_N(text, n, want) err_is_n((text), (n), (want), __LINE__)

static void
test_json__literals_and_ints(void)
{
	OK_IS("null", "null");
	OK_IS("true", "true");
	OK_IS("false", "false");
	OK_IS(" \t\r\n true \n\r\t ", "true");
	OK_IS("0", "0");
	OK_IS("-1", "-1");
	OK_IS("1234567890123", "1234567890123");
	OK_IS("9223372036854775807", "9223372036854775807");
	OK_IS("-9223372036854775808", "-9223372036854775808");

	struct err e = ERR_INIT;
	struct val *v = json_parse("-9223372036854775808", 20, NULL, &e);
	CHECK(v && v->kind == VAL_INT && v->u.i == INT64_MIN);
	val_free(v);
	v = json_parse("42", 2, NULL, &e);
	CHECK(v && v->kind == VAL_INT && v->u.i == 42);
	val_free(v);
	/* Just past int64: doubles. */
	v = json_parse("9223372036854775808", 19, NULL, &e);
	CHECK(v && v->kind == VAL_NUM && v->u.n == 9223372036854775808.0);
	val_free(v);
	v = json_parse("-9223372036854775809", 20, NULL, &e);
	CHECK(v && v->kind == VAL_NUM && v->u.n == -9223372036854775808.0);
	val_free(v);
	OK_IS("18446744073709551616", "1.8446744073709552e+19");
	OK_IS("123456789012345678901234567890", "1.2345678901234568e+29");
}

static void
test_json__doubles(void)
{
	struct err e = ERR_INIT;
	struct val *v;

	OK_IS("1.5", "1.5");
	OK_IS("-2.25", "-2.25");
	OK_IS("0.1", "0.1");
	OK_IS("1e2", "100");
	OK_IS("1E2", "100");
	OK_IS("1e+2", "100");
	OK_IS("25e-1", "2.5");
	OK_IS("0e0", "0");
	OK_IS("0.0", "0");
	OK_IS("1e300", "1e+300");
	OK_IS("-1.7976931348623157e308", "-1.7976931348623157e+308");
	OK_IS("4.9406564584124654e-324", "4.94065645841247e-324");
	OK_IS("1e-400", "0");	/* underflow is no error */
	OK_IS("0.33333333333333331", "0.33333333333333331");
	/* Fractions and exponents are VAL_NUM even when whole. */
	v = json_parse("3.0", 3, NULL, &e);
	CHECK(v && v->kind == VAL_NUM && v->u.n == 3.0);
	val_free(v);
	v = json_parse("1e2", 3, NULL, &e);
	CHECK(v && v->kind == VAL_NUM && v->u.n == 100.0);
	val_free(v);
	/* "-0" stays a negative zero, so it prints back as "-0". */
	v = json_parse("-0", 2, NULL, &e);
	CHECK(v && v->kind == VAL_NUM && v->u.n == 0.0 && signbit(v->u.n));
	val_free(v);
	OK_IS("-0", "-0");
	OK_IS("-0.0", "-0");
	/* A number longer than any stack buffer. */
	char big[400];
	memset(big, '7', sizeof big - 1);
	big[1] = '.';
	big[sizeof big - 1] = 0;
	v = json_parse(big, strlen(big), NULL, &e);
	CHECK(v && v->kind == VAL_NUM && fabs(v->u.n - 7.7777777777777777) < 1e-15);
	val_free(v);
	big[1] = '7';	/* 399 digits: beyond double's range */
	CHECK(json_parse(big, strlen(big), NULL, &e) == NULL);
	CHECK_STR(e.msg, "line 1, column 1: number out of range");
	big[100] = 0;	/* 100 digits: a double */
	v = json_parse(big, strlen(big), NULL, &e);
	CHECK(v && v->kind == VAL_NUM && v->u.n > 7.7e99 && v->u.n < 7.8e99);
	val_free(v);
}

static void
test_json__strings(void)
{
	OK_IS("\"\"", "\"\"");
	OK_IS("\"abc\"", "\"abc\"");
	OK_IS("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", "\"\\\" \\\\ / \\u0008 \\u000c \\n \\r \\t\"");
	OK_IS("\"\\u0041\\u00e9\\u00E9\\u20ac\"", "\"A\xc3\xa9\xc3\xa9\xe2\x82\xac\"");
	OK_IS("\"\\u0001\\u001F\"", "\"\\u0001\\u001f\"");
	OK_IS("\"\\u007f\\u0080\\u07ff\\u0800\\uffff\"",
	      "\"\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\"");
	/* Surrogate pairs: the lowest, an emoji and the highest code point. */
	OK_IS("\"\\ud800\\udc00\"", "\"\xf0\x90\x80\x80\"");
	OK_IS("\"\\uD83D\\uDE00\"", "\"\xf0\x9f\x98\x80\"");
	OK_IS("\"\\udbff\\udfff\"", "\"\xf4\x8f\xbf\xbf\"");
	/* Raw UTF-8 and DEL pass through. */
	OK_IS("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \x7f\"", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \x7f\"");
	OK_IS("\"\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80\"", "\"\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80\"");
	/* Brackets and commas inside strings are text. */
	OK_IS("[\"],[{\"]", "[\"],[{\"]");
}

static void
test_json__containers(void)
{
	OK_IS("[]", "[]");
	OK_IS("{}", "{}");
	OK_IS(" [ ] ", "[]");
	OK_IS("{ \n}", "{}");
	OK_IS("[1,\"a\",true,null,[],{},-0.5]", "[1,\"a\",true,null,[],{},-0.5]");
	OK_IS(" [ 1 , [ 2 , [ 3 ] ] ] ", "[1,[2,[3]]]");
	OK_IS("{\"b\":1,\"a\":{\"c\":[{}]},\"\":\"\"}", "{\"b\":1,\"a\":{\"c\":[{}]},\"\":\"\"}");
	OK_IS("{ \"k\" : \"v\" , \"n\" : null }", "{\"k\":\"v\",\"n\":null}");
	/* A repeated key: the last value wins, in the first one's place. */
	OK_IS("{\"a\":1,\"b\":2,\"a\":[3]}", "{\"a\":[3],\"b\":2}");
	/* Keys are decoded like strings. */
	OK_IS("{\"\\u0041\\n\":1}", "{\"A\\n\":1}");

	struct err e = ERR_INIT;
	const char *doc = "{\"x\": [10, 20], \"y\": \"s\"}";
	struct val *v = json_parse(doc, strlen(doc), NULL, &e);
	CHECK(v && v->kind == VAL_OBJ && v->u.c.n == 2);
	CHECK_EQ_INT(val_get(v, "x")->u.c.n, 2);
	CHECK_EQ_INT(val_get(v, "x")->u.c.items[1]->u.i, 20);
	CHECK_STR(val_get_str(v, "y"), "s");
	val_free(v);
}

static void
test_json__errors(void)
{
	/* Values and the end of input. */
	ERR_IS("", "line 1, column 1: expected a value, found end of input");
	ERR_IS("  \n ", "line 2, column 2: expected a value, found end of input");
	ERR_IS("x", "line 1, column 1: expected a value");
	ERR_IS("tru", "line 1, column 1: expected a value");
	ERR_IS("True", "line 1, column 1: expected a value");
	ERR_IS("nulll", "line 1, column 5: expected end of input after the value");
	ERR_IS("1 2", "line 1, column 3: expected end of input after the value");
	ERR_IS("{} x", "line 1, column 4: expected end of input after the value");
	ERR_IS("\xef\xbb\xbf{}", "line 1, column 1: expected a value");
	ERR_IS("'a'", "line 1, column 1: expected a value");
	/* Numbers. */
	ERR_IS("01", "line 1, column 1: leading zero in a number");
	ERR_IS("-01", "line 1, column 1: leading zero in a number");
	ERR_IS("00", "line 1, column 1: leading zero in a number");
	ERR_IS("+1", "line 1, column 1: expected a value");
	ERR_IS(".5", "line 1, column 1: expected a value");
	ERR_IS("1.", "line 1, column 3: expected a digit after '.', found end of input");
	ERR_IS("1.e5", "line 1, column 3: expected a digit after '.'");
	ERR_IS("1e", "line 1, column 3: expected a digit in the exponent, found end of input");
	ERR_IS("1e+", "line 1, column 4: expected a digit in the exponent, found end of input");
	ERR_IS("1e+x", "line 1, column 4: expected a digit in the exponent");
	ERR_IS("-", "line 1, column 2: expected a digit after '-', found end of input");
	ERR_IS("- 1", "line 1, column 2: expected a digit after '-'");
	ERR_IS("NaN", "line 1, column 1: expected a value");
	ERR_IS("Infinity", "line 1, column 1: expected a value");
	ERR_IS("-Infinity", "line 1, column 2: expected a digit after '-'");
	ERR_IS("0x10", "line 1, column 2: expected end of input after the value");
	ERR_IS("1e400", "line 1, column 1: number out of range");
	ERR_IS("[-1e400]", "line 1, column 2: number out of range");
	/* Arrays and objects. */
	ERR_IS("[", "line 1, column 2: expected a value, found end of input");
	ERR_IS("[1", "line 1, column 3: expected ',' or ']' after an element, found end of input");
	ERR_IS("[1,]", "line 1, column 4: expected a value");
	ERR_IS("[,1]", "line 1, column 2: expected a value");
	ERR_IS("[1 2]", "line 1, column 4: expected ',' or ']' after an element");
	ERR_IS("[1}", "line 1, column 3: expected ',' or ']' after an element");
	ERR_IS("{", "line 1, column 2: expected a string key or '}', found end of input");
	ERR_IS("{,}", "line 1, column 2: expected a string key or '}'");
	ERR_IS("{1:2}", "line 1, column 2: expected a string key or '}'");
	ERR_IS("{\"a\":1,}", "line 1, column 8: expected a string key");
	ERR_IS("{\"a\" 1}", "line 1, column 6: expected ':' after a key");
	ERR_IS("{\"a\"", "line 1, column 5: expected ':' after a key, found end of input");
	ERR_IS("{\"a\":}", "line 1, column 6: expected a value");
	ERR_IS("{\"a\":1 \"b\":2}", "line 1, column 8: expected ',' or '}' after a member");
	ERR_IS("{\"a\":1]", "line 1, column 7: expected ',' or '}' after a member");
	/* Strings. */
	ERR_IS("\"abc", "line 1, column 1: unterminated string");
	ERR_IS("[\"abc\\", "line 1, column 2: unterminated string");
	ERR_IS("\"\\\"", "line 1, column 1: unterminated string");
	ERR_IS("\"a\x01\"", "line 1, column 3: control character in a string (write it as an escape)");
	ERR_IS("\"a\nb\"", "line 1, column 3: control character in a string (write it as an escape)");
	ERR_IS("\"\x1f\"", "line 1, column 2: control character in a string (write it as an escape)");
	ERR_IS_N("\"a\0b\"", 5, "line 1, column 3: NUL byte in a string");
	ERR_IS("\"\\u0000\"", "line 1, column 2: \\u0000 in a string (NUL is not supported)");
	ERR_IS("\"\\x\"", "line 1, column 2: expected one of \"\\/bfnrtu after '\\' in a string");
	ERR_IS("\"\\U0041\"", "line 1, column 2: expected one of \"\\/bfnrtu after '\\' in a string");
	ERR_IS("\"\\u12\"", "line 1, column 2: expected 4 hex digits after '\\u'");
	ERR_IS("\"\\u12G4\"", "line 1, column 2: expected 4 hex digits after '\\u'");
	ERR_IS("\"\\u\x11" "234\"", "line 1, column 2: expected 4 hex digits after '\\u'");
	ERR_IS("\"ab\\ud800\"", "line 1, column 4: high surrogate \\uD800 without a low one after it");
	ERR_IS("\"\\udbff\\u0041\"", "line 1, column 2: high surrogate \\uDBFF without a low one after it");
	ERR_IS("\"\\ud800\\ud800\"", "line 1, column 2: high surrogate \\uD800 without a low one after it");
	ERR_IS("\"\\ud800\\n\"", "line 1, column 2: high surrogate \\uD800 without a low one after it");
	ERR_IS("\"\\udc00\"", "line 1, column 2: low surrogate \\uDC00 without a high one before it");
	ERR_IS("\"\\udfff\\ud800\"", "line 1, column 2: low surrogate \\uDFFF without a high one before it");
	/* Invalid UTF-8: stray continuation, overlong, encoded surrogate, past U+10FFFF, cut short. */
	ERR_IS("\"\x80\"", "line 1, column 2: invalid UTF-8 in a string");
	ERR_IS("\"\xff\"", "line 1, column 2: invalid UTF-8 in a string");
	ERR_IS("\"\xc0\xaf\"", "line 1, column 2: invalid UTF-8 in a string");
	ERR_IS("\"\xc1\xbf\"", "line 1, column 2: invalid UTF-8 in a string");
	ERR_IS("\"\xe0\x80\xaf\"", "line 1, column 2: invalid UTF-8 in a string");
	ERR_IS("\"\xf0\x80\x80\xaf\"", "line 1, column 2: invalid UTF-8 in a string");
	ERR_IS("\"\xed\xa0\x80\"", "line 1, column 2: invalid UTF-8 in a string");
	ERR_IS("\"\xf4\x90\x80\x80\"", "line 1, column 2: invalid UTF-8 in a string");
	ERR_IS("\"\xf5\x80\x80\x80\"", "line 1, column 2: invalid UTF-8 in a string");
	ERR_IS("\"ab\xe2\x82\"", "line 1, column 4: invalid UTF-8 in a string");
	ERR_IS("\"\xe2\x82", "line 1, column 2: invalid UTF-8 in a string");
	ERR_IS("\"\xc3\"", "line 1, column 2: invalid UTF-8 in a string");
	/* Lines and columns: columns count characters, not bytes. */
	ERR_IS("[\"\xc3\xa9\xe2\x82\xac\", x]", "line 1, column 8: expected a value");
	ERR_IS("{\n  \"a\": 1,\n  \"b\": 2\n  \"c\": 3\n}",
	       "line 4, column 3: expected ',' or '}' after a member");
	ERR_IS("[1,\r\n2,\r\n\t\t@]", "line 3, column 3: expected a value");
	ERR_IS("{\n\n  \"cores\": [1, 2, 3 4]\n}", "line 3, column 21: expected ',' or ']' after an element");
}

static void
test_json__name_and_no_err(void)
{
	struct err e = ERR_INIT;
	const char *doc = "{\n  \"a\": 1,\n  \"port\": [1 2]\n}";

	CHECK(json_parse(doc, strlen(doc), "cfg.json", &e) == NULL);
	CHECK_STR(e.msg, "cfg.json:3:14: expected ',' or ']' after an element");
	CHECK_EQ_INT(e.code, -EINVAL);
	CHECK(json_parse(doc, strlen(doc), NULL, NULL) == NULL);	/* no err: still fine */
	CHECK(json_parse(NULL, 0, NULL, &e) == NULL);
	CHECK_STR(e.msg, "line 1, column 1: expected a value, found end of input");
	/* Success leaves 'e' alone. */
	struct err e2 = ERR_INIT;
	struct val *v = json_parse("[]", 2, "x", &e2);
	CHECK(v && e2.code == 0 && e2.msg[0] == 0);
	val_free(v);
}

/* Only the first 'n' bytes count: the rest of the buffer is never read. */
static void
test_json__bounds(void)
{
	struct err e = ERR_INIT;
	struct val *v = parse_n("123456", 3, NULL, &e);

	CHECK(v && v->kind == VAL_INT && v->u.i == 123);
	val_free(v);
	v = parse_n("1.5e10", 3, NULL, &e);
	CHECK(v && v->kind == VAL_NUM && v->u.n == 1.5);
	val_free(v);
	v = parse_n("truex", 4, NULL, &e);
	CHECK(v && v->kind == VAL_BOOL && v->u.b);
	val_free(v);
	ERR_IS_N("true", 3, "line 1, column 1: expected a value");
	ERR_IS_N("null", 2, "line 1, column 1: expected a value");
	ERR_IS_N("\"abc\"", 4, "line 1, column 1: unterminated string");
	ERR_IS_N("\"\\u0041\"", 5, "line 1, column 2: expected 4 hex digits after '\\u'");
	ERR_IS_N("\"\\ud83d\\ude00\"", 12, "line 1, column 2: high surrogate \\uD83D without a low one after it");
	ERR_IS_N("\"\xe2\x82\xac\"", 3, "line 1, column 2: invalid UTF-8 in a string");
	ERR_IS_N("[1]", 2, "line 1, column 3: expected ',' or ']' after an element, found end of input");
	ERR_IS_N("1e5", 2, "line 1, column 3: expected a digit in the exponent, found end of input");
	ERR_IS_N("-1", 1, "line 1, column 2: expected a digit after '-', found end of input");
	ERR_IS_N("[1, 2]", 0, "line 1, column 1: expected a value, found end of input");
}

static void
test_json__depth(void)
{
	size_t n = 100000;
	char *s = malloc(2 * n);
	struct err e = ERR_INIT;
	struct val *v;

	/* JSON_MAX_DEPTH arrays parse; one more is an error at the extra '['. */
	memset(s, '[', JSON_MAX_DEPTH);
	memset(s + JSON_MAX_DEPTH, ']', JSON_MAX_DEPTH);
	v = json_parse(s, 2 * JSON_MAX_DEPTH, NULL, &e);
	CHECK(v != NULL);
	val_free(v);
	memset(s, '[', JSON_MAX_DEPTH + 1);
	memset(s + JSON_MAX_DEPTH + 1, ']', JSON_MAX_DEPTH + 1);
	CHECK(json_parse(s, 2 * JSON_MAX_DEPTH + 2, NULL, &e) == NULL);
	CHECK_STR(e.msg, "line 1, column 257: nesting deeper than 256 arrays and objects");
	/* Objects count too, mixed with arrays. */
	struct sbuf sb = SBUF_INIT;
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		sbuf_adds(&sb, i % 2 ? "[" : "{\"k\":");
	sbuf_adds(&sb, "1");
	for (int i = JSON_MAX_DEPTH - 1; i >= 0; i--)
		sbuf_adds(&sb, i % 2 ? "]" : "}");
	v = json_parse(sb.buf, sb.len, NULL, &e);
	CHECK(v != NULL);
	val_free(v);
	sbuf_release(&sb);
	/* Far deeper input: an error, not a stack overflow. */
	memset(s, '[', n);
	memset(s + n, ']', n);
	CHECK(json_parse(s, 2 * n, NULL, &e) == NULL);
	CHECK_STR(e.msg, "line 1, column 257: nesting deeper than 256 arrays and objects");
	memset(s, '{', n);
	CHECK(json_parse(s, n, NULL, &e) == NULL);
	CHECK_STR(e.msg, "line 1, column 2: expected a string key or '}'");
	free(s);
}

/* 'got' (parsed back) holds what 'want' held, as far as JSON text can: non-finite numbers come
** back as null, whole doubles printed without a point as ints. */
static bool
same_tree(const struct val *want, const struct val *got)
{
	if (want->kind == VAL_NUM && !isfinite(want->u.n))
		return got->kind == VAL_NULL;
	if (want->kind == VAL_NUM && got->kind == VAL_INT)
		return want->u.n == (double)got->u.i;
	if (want->kind != got->kind)
		return false;
	switch (want->kind) {
	case VAL_NULL: return true;
	case VAL_BOOL: return want->u.b == got->u.b;
	case VAL_INT: return want->u.i == got->u.i;
	case VAL_NUM: return want->u.n == got->u.n && signbit(want->u.n) == signbit(got->u.n);
	case VAL_STR: return strcmp(want->u.s, got->u.s) == 0;
	case VAL_ARR:
	case VAL_OBJ:
		if (want->u.c.n != got->u.c.n)
			return false;
		for (size_t i = 0; i < want->u.c.n; i++)
			if ((want->kind == VAL_OBJ && strcmp(want->u.c.keys[i], got->u.c.keys[i]) != 0) ||
			    !same_tree(want->u.c.items[i], got->u.c.items[i]))
				return false;
		return true;
	}
	return false;
}

/* val_json(json_parse(val_json(t))) is val_json(t) byte for byte, and the trees agree. */
static void
round_trip(const struct val *t, const char *what)
{
	struct err e = ERR_INIT;
	char *text = to_json(t), *again;
	struct val *v = parse_n(text, strlen(text), NULL, &e);

	if (!v) {
		FAIL("%s: %s does not parse: %s", what, text, e.msg);
		free(text);
		return;
	}
	again = to_json(v);
	if (strcmp(text, again) != 0)
		FAIL("%s: %s came back as %s", what, text, again);
	if (!same_tree(t, v))
		FAIL("%s: %s parsed into another tree", what, text);
	free(text);
	free(again);
	val_free(v);
}

static void
test_json__round_trip(void)
{
	struct val *t = val_obj(), *a, *o;

	val_set_int(t, "min", INT64_MIN);
	val_set_int(t, "max", INT64_MAX);
	val_set_int(t, "zero", 0);
	a = val_set(t, "doubles", val_arr());
	double ds[] = { 0.1, 0.1 + 0.2, 1.0 / 3.0, -2.5, 3.0, 1e15, 1e16, 1e17, 1e300, -1e-300,
			5e-324, 1.7976931348623157e308, -0.0, 123456.789, 9007199254740993.0, NAN,
			INFINITY, -INFINITY };
	for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++)
		val_push(a, val_num(ds[i]));
	val_set_str(t, "ctl", "\x01\x02\b\f\n\r\t\x1f\x7f end");
	val_set_str(t, "quotes", "\"\\/ '");
	val_set_str(t, "utf8", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf");
	val_set_str(t, "", "");
	o = val_set(t, "k\"\n\\\x01\xc3\xa9", val_obj());
	val_set_bool(o, "t", true);
	val_set_bool(o, "f", false);
	val_set(o, "n", val_null());
	val_push(val_set(o, "nested", val_arr()), val_arr());
	round_trip(t, "mixed tree");
	val_free(t);

	/* An array 200 deep and a long string. */
	t = val_arr();
	a = t;
	for (int i = 0; i < 200; i++)
		a = val_push(a, val_arr());
	val_push(a, val_str("deep"));
	round_trip(t, "deep tree");
	val_free(t);
	char *s = malloc(70001);
	for (int i = 0; i < 70000; i++)
		s[i] = "a\"\\\n\x01\xc3\xa9"[i % 7];
	s[70000] = 0;
	t = val_str(s);
	round_trip(t, "long string");
	val_free(t);
	free(s);
}

/* A random tree of every kind: any int64, any finite or non-finite double bit pattern, strings
** of valid UTF-8 with control characters, quotes and backslashes. */
static struct val *
rand_tree(struct rng *r, int depth)
{
	static const char *const pieces[] = { "a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\x01",
		"\x1f", "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xed\x9f\xbf", "{", "]" };
	char str[64], key[48];
	size_t n = 0;

	switch (rng_below(r, depth > 5 ? 6 : 8)) {
	case 0: return val_null();
	case 1: return val_bool(rng_u64(r) & 1);
	case 2: return val_int((int64_t)rng_u64(r) >> rng_below(r, 64));
	case 3: {
		uint64_t bits = rng_u64(r);
		double d;
		memcpy(&d, &bits, sizeof d);
		return val_num(d);
	}
	case 4: return val_num((double)((int64_t)rng_u64(r) >> rng_below(r, 64)) / 16.0);
	case 5:
		for (size_t k = rng_below(r, 12); k > 0; k--) {
			const char *p = pieces[rng_below(r, sizeof pieces / sizeof pieces[0])];
			memcpy(str + n, p, strlen(p));
			n += strlen(p);
		}
		str[n] = 0;
		return val_str(str);
	case 6: {
		struct val *a = val_arr();
		for (size_t k = rng_below(r, 5); k > 0; k--)
			val_push(a, rand_tree(r, depth + 1));
		return a;
	}
	default: {
		struct val *o = val_obj();
		for (size_t k = rng_below(r, 5); k > 0; k--) {
			snprintf(key, sizeof key, "k%d\"%zu", depth, k);
			val_set(o, key, rand_tree(r, depth + 1));
		}
		return o;
	}
	}
}

static void
test_json__round_trip_random(void)
{
	struct rng r;
	char what[32];

	rng_init(&r, 20240601);
	for (int i = 0; i < 2000; i++) {
		struct val *t = rand_tree(&r, 0);
		snprintf(what, sizeof what, "random tree %d", i);
		round_trip(t, what);
		val_free(t);
	}
}

static void
test_json__read_file(void)
{
	char path[256], dir_path[256];
	struct err e = ERR_INIT;
	struct val *v;
	FILE *f;
	int fd;

	snprintf(path, sizeof path, "%s/good.json", test_dir);
	f = fopen(path, "w");
	fputs("{\"name\": \"fw\", \"cores\": [1, 2]}\n", f);
	fclose(f);
	v = json_read_file(path, &e);
	CHECK(v != NULL);
	CHECK_STR(val_get_str(v, "name"), "fw");
	val_free(v);

	snprintf(path, sizeof path, "%s/bad.json", test_dir);
	f = fopen(path, "w");
	fputs("{\n  \"a\": tru\n}\n", f);
	fclose(f);
	CHECK(json_read_file(path, &e) == NULL);
	char want[512];
	snprintf(want, sizeof want, "%s:2:8: expected a value", path);
	CHECK_STR(e.msg, want);
	CHECK_EQ_INT(e.code, -EINVAL);

	snprintf(path, sizeof path, "%s/empty.json", test_dir);
	fclose(fopen(path, "w"));
	CHECK(json_read_file(path, &e) == NULL);
	snprintf(want, sizeof want, "%s:1:1: expected a value, found end of input", path);
	CHECK_STR(e.msg, want);

	snprintf(path, sizeof path, "%s/missing.json", test_dir);
	CHECK(json_read_file(path, &e) == NULL);
	snprintf(want, sizeof want, "%s: No such file or directory", path);
	CHECK_STR(e.msg, want);
	CHECK_EQ_INT(e.code, -ENOENT);

	snprintf(dir_path, sizeof dir_path, "%s/sub", test_dir);
	mkdir(dir_path, 0700);
	CHECK(json_read_file(dir_path, &e) == NULL);
	CHECK_EQ_INT(e.code, -EISDIR);
	rmdir(dir_path);

	/* One byte past the limit (a sparse file, so this is quick). */
	snprintf(path, sizeof path, "%s/big.json", test_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && ftruncate(fd, JSON_MAX_FILE + 1) == 0);
	close(fd);
	CHECK(json_read_file(path, &e) == NULL);
	snprintf(want, sizeof want, "%s: larger than 64 MiB", path);
	CHECK_STR(e.msg, want);
	CHECK_EQ_INT(e.code, -EFBIG);

	/* A pipe-like file with no size: /dev/null reads as empty. */
	CHECK(json_read_file("/dev/null", &e) == NULL);
	CHECK_STR(e.msg, "/dev/null:1:1: expected a value, found end of input");
}

/* Parses 'n' bytes: either a tree that prints as JSON which parses back to the same text, or
** NULL with a located message. True when it parsed. */
static bool
must_behave(const char *buf, size_t n, unsigned long long seed, int i)
{
	struct err e = ERR_INIT;
	struct val *v = parse_n(buf, n, NULL, &e);

	if (!v) {
		if (e.code != -EINVAL || strncmp(e.msg, "line ", 5) != 0 || !strstr(e.msg, ", column "))
			FAIL("seed %llu input %d: error %d \"%s\"", seed, i, e.code, e.msg);
		return false;
	}
	CHECK_EQ_INT(e.code, 0);
	round_trip(v, "fuzzed");
	val_free(v);
	return true;
}

static void
test_json__random_input(void)
{
	static const char alphabet[] = "{}[]\":,-+.0123456789eEtruefalsnl \n\t\\u/bfdDaA\x01\x80\xc3\xa9\xed";
	static const char *const docs[] = {
		"{\"a\": [1, -2.5e3, true, false, null], \"b\": {\"c\": \"\\u00e9\\ud83d\\ude00\"}}",
		"[0, -0, 1e-5, 9223372036854775807, -9223372036854775808, \"x\\ny\", {}, []]",
		"{\"nf\": \"fw\", \"ports\": [{\"id\": 0, \"lan\": \"192.168.0.0/16\"}, {\"id\": 1}]}",
		"  [[[[\"caf\xc3\xa9\", 0.5], {\"k\": \"\\\\ \\/ \\\"\"}]]]  ",
	};
	unsigned long long seed = 7;
	int parsed[2] = { 0, 0 };	/* random bytes, mutated documents */
	char buf[256];
	struct rng r;

	rng_init(&r, seed);
	for (int i = 0; i < 20000; i++) {
		size_t n;

		if (i % 2 == 0) {
			/* Random bytes: half from the whole byte range, half from JSON's alphabet. */
			n = rng_below(&r, 64);
			for (size_t k = 0; k < n; k++)
				buf[k] = i % 4 ? alphabet[rng_below(&r, sizeof alphabet - 1)]
					: (char)rng_u64(&r);
		} else {
			/* A valid document with a few bytes replaced, inserted, deleted, or cut. */
			const char *d = docs[rng_below(&r, sizeof docs / sizeof docs[0])];
			n = strlen(d);
			memcpy(buf, d, n);
			for (size_t m = 1 + rng_below(&r, 3); m > 0; m--) {
				size_t at = rng_below(&r, n + 1);
				char c = rng_below(&r, 2) ? alphabet[rng_below(&r, sizeof alphabet - 1)]
					: (char)rng_u64(&r);
				switch (rng_below(&r, 4)) {
				case 0: if (at < n) buf[at] = c; break;
				case 1: memmove(buf + at + 1, buf + at, n - at); buf[at] = c; n++; break;
				case 2: if (at < n) { memmove(buf + at, buf + at + 1, n - at - 1); n--; } break;
				default: n = at; break;
				}
			}
		}
		parsed[i % 2] += must_behave(buf, n, seed, i);
	}
	/* Both outcomes get exercised (the counts are fixed by the seed). */
	printf("# seed %llu: %d of 10000 random and %d of 10000 mutated inputs parsed\n", seed,
	       parsed[0], parsed[1]);
	CHECK(parsed[0] > 0 && parsed[1] > 500 && parsed[1] < 9000);
}

int
main(void)
{
	if (test_dir_make("json") < 0)
		return 1;
	RUN(test_json__literals_and_ints);
	RUN(test_json__doubles);
	RUN(test_json__strings);
	RUN(test_json__containers);
	RUN(test_json__errors);
	RUN(test_json__name_and_no_err);
	RUN(test_json__bounds);
	RUN(test_json__depth);
	RUN(test_json__round_trip);
	RUN(test_json__round_trip_random);
	RUN(test_json__read_file);
	RUN(test_json__random_input);
	test_dir_done();
	return TEST_DONE();
}
