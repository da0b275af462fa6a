/* Unit tests for engine/val: constructors, containers, lookups and the exact JSON text. */
#include "engine/val.h"

#include <math.h>

#include "engine/rng.h"
#include "tests/test.h"

/* The JSON of 'v' (then frees 'v'), compared with 'want'. */
static void
json_is(struct val *v, const char *want, int line)
{
	struct sbuf sb = SBUF_INIT;

	val_json(v, &sb);
	if (strcmp(sbuf_str(&sb), want) != 0)
		FAIL("line %d: json %s, want %s", line, sbuf_str(&sb), want);
	CHECK_EQ_INT(sb.len, strlen(sbuf_str(&sb)));
	sbuf_release(&sb);
	val_free(v);
}
#define JSON_IS(v, want) json_is((v), (want), __LINE__)

static void
str_is(const char *s, const char *want, int line)
{
	struct sbuf sb = SBUF_INIT;

	val_json_string(&sb, s);
	if (strcmp(sbuf_str(&sb), want) != 0)
		FAIL("line %d: json string %s, want %s", line, sbuf_str(&sb), want);
	sbuf_release(&sb);
}
#define STR_IS(s, want) str_is((s), (want), __LINE__)

static void
test_val__scalars(void)
{
	JSON_IS(val_null(), "null");
	JSON_IS(val_bool(true), "true");
	JSON_IS(val_bool(false), "false");
	JSON_IS(val_str(""), "\"\"");
	JSON_IS(val_str(NULL), "\"\"");
	JSON_IS(val_str("abc"), "\"abc\"");
	JSON_IS(val_arr(), "[]");
	JSON_IS(val_obj(), "{}");

	struct val *v = val_int(5);
	CHECK_EQ_INT(v->kind, VAL_INT);
	CHECK_EQ_INT(v->u.i, 5);
	val_free(v);
	v = val_str("xyz");
	CHECK_EQ_INT(v->kind, VAL_STR);
	CHECK_STR(v->u.s, "xyz");
	val_free(v);
	val_free(NULL);
}

static void
test_val__ints(void)
{
	JSON_IS(val_int(0), "0");
	JSON_IS(val_int(1), "1");
	JSON_IS(val_int(-1), "-1");
	JSON_IS(val_int(1234567890123LL), "1234567890123");
	JSON_IS(val_int(INT64_MAX), "9223372036854775807");
	JSON_IS(val_int(INT64_MIN), "-9223372036854775808");
	JSON_IS(val_int(INT32_MAX + 1LL), "2147483648");
	JSON_IS(val_int((int64_t)UINT32_MAX), "4294967295");
}

static void
test_val__doubles(void)
{
	JSON_IS(val_num(0.0), "0");
	JSON_IS(val_num(0.1), "0.1");
	JSON_IS(val_num(-2.5), "-2.5");
	JSON_IS(val_num(3.0), "3");
	JSON_IS(val_num(1e300), "1e+300");
	JSON_IS(val_num(-1e300), "-1e+300");
	JSON_IS(val_num(1e-300), "1e-300");
	JSON_IS(val_num(123456.789), "123456.789");
	JSON_IS(val_num(1.0 / 3.0), "0.33333333333333331");	/* %.17g: reads back exactly */
	JSON_IS(val_num(NAN), "null");
	JSON_IS(val_num(-NAN), "null");
	JSON_IS(val_num(INFINITY), "null");
	JSON_IS(val_num(-INFINITY), "null");
	JSON_IS(val_num(HUGE_VAL), "null");

	/* Non-finite numbers inside containers are null too, and the commas stay right. */
	struct val *a = val_arr();
	val_push(a, val_num(NAN));
	val_push(a, val_num(1.5));
	val_push(a, val_num(INFINITY));
	JSON_IS(a, "[null,1.5,null]");
}

static void
test_val__string_escapes(void)
{
	STR_IS("", "\"\"");
	STR_IS("a\"b", "\"a\\\"b\"");
	STR_IS("\"", "\"\\\"\"");
	STR_IS("a\\b", "\"a\\\\b\"");
	STR_IS("\\\"", "\"\\\\\\\"\"");
	STR_IS("l1\nl2", "\"l1\\nl2\"");
	STR_IS("\r\t", "\"\\r\\t\"");
	STR_IS("\x01", "\"\\u0001\"");
	STR_IS("\b\f", "\"\\u0008\\u000c\"");
	STR_IS("\x1f", "\"\\u001f\"");
	STR_IS("\x1b[0m", "\"\\u001b[0m\"");
	STR_IS(" ~\x7f", "\" ~\x7f\"");
	STR_IS("/", "\"/\"");
	/* UTF-8 bytes pass through untouched. */
	STR_IS("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");

	/* Every control byte becomes a 6-byte \u escape unless it has a short form. */
	for (int c = 1; c < 0x20; c++) {
		char in[2] = { (char)c, 0 }, want[16];
		if (c == '\n')
			strcpy(want, "\"\\n\"");
		else if (c == '\r')
			strcpy(want, "\"\\r\"");
		else if (c == '\t')
			strcpy(want, "\"\\t\"");
		else
			snprintf(want, sizeof want, "\"\\u%04x\"", c);
		STR_IS(in, want);
	}
	/* Every byte >= 0x20 other than the two escaped ones passes through. */
	for (int c = 0x20; c < 0x100; c++) {
		char in[2] = { (char)c, 0 }, want[8];
		if (c == '"' || c == '\\')
			continue;
		snprintf(want, sizeof want, "\"%c\"", c);
		STR_IS(in, want);
	}

	/* Appends: text already in the buffer stays. */
	struct sbuf sb = SBUF_INIT;
	sbuf_adds(&sb, "x=");
	val_json_string(&sb, "q\"");
	CHECK_STR(sbuf_str(&sb), "x=\"q\\\"\"");
	sbuf_release(&sb);

	/* Keys are escaped like values; the same in val_json of a VAL_STR. */
	struct val *o = val_obj();
	val_set_str(o, "k\"\n\\", "v\x02");
	JSON_IS(o, "{\"k\\\"\\n\\\\\":\"v\\u0002\"}");
}

static void
test_val__long_string(void)
{
	size_t n = 100000;
	char *s = malloc(n + 1), *want = malloc(2 * n + 3);
	size_t w = 0;

	want[w++] = '"';
	for (size_t i = 0; i < n; i++) {
		s[i] = (char)("ab\"\\\ncd"[i % 7]);
		if (s[i] == '"' || s[i] == '\\') {
			want[w++] = '\\';
			want[w++] = s[i];
		} else if (s[i] == '\n') {
			want[w++] = '\\';
			want[w++] = 'n';
		} else {
			want[w++] = s[i];
		}
	}
	s[n] = 0;
	want[w++] = '"';
	want[w] = 0;
	JSON_IS(val_str(s), want);
	free(s);
	free(want);
}

static void
test_val__nesting(void)
{
	struct val *root = val_obj();
	struct val *a = val_set(root, "a", val_arr());
	val_push(a, val_int(1));
	val_push(a, val_str("two"));
	struct val *inner = val_push(a, val_obj());
	val_set_bool(inner, "t", true);
	val_set(inner, "n", val_null());
	val_push(a, val_arr());
	val_set_num(root, "x", 0.5);
	val_set(root, "e", val_obj());
	JSON_IS(root, "{\"a\":[1,\"two\",{\"t\":true,\"n\":null},[]],\"x\":0.5,\"e\":{}}");

	/* Deep nesting: 200 arrays inside one another. */
	struct val *top = val_arr(), *cur = top;
	char want[512];
	size_t w = 0;
	for (int i = 0; i < 200; i++) {
		cur = val_push(cur, val_arr());
		want[w++] = '[';
	}
	val_push(cur, val_int(7));
	memmove(want + 1, want, w);
	want[0] = '[';
	w++;
	want[w++] = '7';
	for (int i = 0; i < 201; i++)
		want[w++] = ']';
	want[w] = 0;
	JSON_IS(top, want);

	/* Deep objects. */
	struct val *o = val_obj();
	cur = o;
	for (int i = 0; i < 50; i++)
		cur = val_set(cur, "k", val_obj());
	struct sbuf sb = SBUF_INIT;
	val_json(o, &sb);
	CHECK_EQ_INT(sb.len, 50 * strlen("{\"k\":") + 2 + 50);
	CHECK(strncmp(sbuf_str(&sb), "{\"k\":{\"k\":", 10) == 0);
	CHECK(strncmp(sbuf_str(&sb) + sb.len - 53, ":{}}}}", 6) == 0);
	CHECK(strspn(sbuf_str(&sb) + sb.len - 50, "}") == 50);
	sbuf_release(&sb);
	val_free(o);
}

static void
test_val__order_kept(void)
{
	/* Many items: growth of the item and key arrays keeps insertion order, no sorting. */
	struct val *o = val_obj(), *a = val_arr();
	struct sbuf want = SBUF_INIT, wa = SBUF_INIT;
	char key[32];

	sbuf_addc(&want, '{');
	sbuf_addc(&wa, '[');
	for (int i = 0; i < 1000; i++) {
		int k = (i * 7919) % 1000; /* a permutation of 0..999 */
		snprintf(key, sizeof key, "k%d", k);
		val_set_int(o, key, -k);
		val_push(a, val_int(k));
		sbuf_printf(&want, "%s\"k%d\":%d", i ? "," : "", k, -k);
		sbuf_printf(&wa, "%s%d", i ? "," : "", k);
	}
	sbuf_addc(&want, '}');
	sbuf_addc(&wa, ']');
	CHECK_EQ_INT(o->u.c.n, 1000);
	CHECK_EQ_INT(a->u.c.n, 1000);
	for (int k = 0; k < 1000; k += 37) {
		snprintf(key, sizeof key, "k%d", k);
		CHECK_EQ_INT(val_get_int(o, key, 1), -k);
	}
	JSON_IS(o, sbuf_str(&want));
	JSON_IS(a, sbuf_str(&wa));
	sbuf_release(&want);
	sbuf_release(&wa);

	o = val_obj();
	val_set_int(o, "z", 1);
	val_set_int(o, "a", 2);
	val_set_int(o, "m", 3);
	JSON_IS(o, "{\"z\":1,\"a\":2,\"m\":3}");
}

static void
test_val__set_replaces(void)
{
	struct val *o = val_obj();

	val_set_int(o, "a", 1);
	val_set_str(o, "b", "x");
	val_set_int(o, "c", 3);
	/* Replacing keeps the key's place and frees the old value (valgrind checks). */
	val_set_str(o, "a", "now a string");
	struct val *arr = val_set(o, "b", val_arr());
	val_push(arr, val_str("deep"));
	val_set(o, "b", val_obj());	/* frees the array and what it holds */
	val_set_num(o, "c", 2.5);
	val_set_bool(o, "c", false);
	CHECK_EQ_INT(o->u.c.n, 3);
	CHECK_STR(val_get_str(o, "a"), "now a string");
	JSON_IS(o, "{\"a\":\"now a string\",\"b\":{},\"c\":false}");

	/* val_set returns the value it stored. */
	o = val_obj();
	struct val *v = val_int(9);
	CHECK(val_set(o, "k", v) == v);
	CHECK(val_get(o, "k") == v);
	struct val *w = val_int(10);
	CHECK(val_set(o, "k", w) == w);
	CHECK(val_get(o, "k") == w);
	struct val *p = val_arr(), *q = val_null();
	CHECK(val_push(p, q) == q);
	val_free(p);
	/* The key is copied. */
	char key[8] = "dyn";
	val_set_int(o, key, 4);
	strcpy(key, "zzz");
	CHECK_EQ_INT(val_get_int(o, "dyn", 0), 4);
	CHECK(val_get(o, "zzz") == NULL);
	/* Keys are compared exactly: prefixes and case differ. */
	val_set_int(o, "dy", 5);
	val_set_int(o, "DYN", 6);
	CHECK_EQ_INT(o->u.c.n, 4);
	CHECK_EQ_INT(val_get_int(o, "dyn", 0), 4);
	CHECK_EQ_INT(val_get_int(o, "dy", 0), 5);
	val_set_int(o, "", 7);
	CHECK_EQ_INT(val_get_int(o, "", 0), 7);
	JSON_IS(o, "{\"k\":10,\"dyn\":4,\"dy\":5,\"DYN\":6,\"\":7}");
}

static void
test_val__lookups(void)
{
	struct val *o = val_obj();

	val_set_int(o, "i", -42);
	val_set_num(o, "n", 7.9);
	val_set_num(o, "neg", -7.9);
	val_set_str(o, "s", "str");
	val_set_bool(o, "b", true);
	val_set(o, "z", val_null());
	val_set(o, "a", val_arr());
	val_set(o, "int_max", val_int(INT64_MAX));

	/* val_get: any kind, NULL when absent or not an object. */
	CHECK(val_get(o, "i") != NULL && val_get(o, "i")->kind == VAL_INT);
	CHECK(val_get(o, "z") != NULL && val_get(o, "z")->kind == VAL_NULL);
	CHECK(val_get(o, "a") != NULL && val_get(o, "a")->kind == VAL_ARR);
	CHECK(val_get(o, "missing") == NULL);
	CHECK(val_get(o, "I") == NULL);
	CHECK(val_get(NULL, "i") == NULL);
	CHECK(val_get(val_get(o, "a"), "i") == NULL);
	CHECK(val_get(val_get(o, "s"), "i") == NULL);
	CHECK(val_get(val_get(o, "i"), "i") == NULL);

	/* val_get_int: ints, numbers truncated, the default otherwise. */
	CHECK_EQ_INT(val_get_int(o, "i", 0), -42);
	CHECK_EQ_INT(val_get_int(o, "n", 0), 7);
	CHECK_EQ_INT(val_get_int(o, "neg", 0), -7);
	CHECK_EQ_INT(val_get_int(o, "int_max", 0), INT64_MAX);
	CHECK_EQ_INT(val_get_int(o, "missing", 99), 99);
	CHECK_EQ_INT(val_get_int(o, "s", 99), 99);
	CHECK_EQ_INT(val_get_int(o, "b", 99), 99);
	CHECK_EQ_INT(val_get_int(o, "z", 99), 99);
	CHECK_EQ_INT(val_get_int(o, "a", 99), 99);
	CHECK_EQ_INT(val_get_int(NULL, "i", -5), -5);
	CHECK_EQ_INT(val_get_int(val_get(o, "a"), "i", -6), -6);
	CHECK_EQ_INT(val_get_int(o, "missing", INT64_MIN), INT64_MIN);

	/* val_get_str: strings only, borrowed from the tree. */
	CHECK_STR(val_get_str(o, "s"), "str");
	CHECK(val_get_str(o, "s") == val_get(o, "s")->u.s);
	CHECK(val_get_str(o, "missing") == NULL);
	CHECK(val_get_str(o, "i") == NULL);
	CHECK(val_get_str(o, "z") == NULL);
	CHECK(val_get_str(o, "a") == NULL);
	CHECK(val_get_str(NULL, "s") == NULL);
	CHECK(val_get_str(val_get(o, "s"), "s") == NULL);
	val_free(o);
}

/* Builds a random tree and, beside it, the JSON it should print (string keys and values are
** plain letters, numbers are ints or halves, so the expected text is easy to write). */
static struct val *
rand_tree(struct rng *s, int depth, struct sbuf *want, size_t *nodes)
{
	int kind = (int)(rng_u64(s) % (depth > 4 ? 5 : 7));

	(*nodes)++;
	switch (kind) {
	case 0: sbuf_adds(want, "null"); return val_null();
	case 1: {
		bool b = rng_u64(s) & 1;
		sbuf_adds(want, b ? "true" : "false");
		return val_bool(b);
	}
	case 2: {
		int64_t i = (int64_t)rng_u64(s);
		sbuf_printf(want, "%" PRId64, i);
		return val_int(i);
	}
	case 3: {
		int k = (int)(rng_u64(s) % 2001) - 1000;
		sbuf_printf(want, "%s%d%s", k < 0 && k / 2 == 0 ? "-" : "", k / 2, k % 2 ? ".5" : "");
		return val_num(k / 2.0);
	}
	case 4: {
		char str[16];
		int n = (int)(rng_u64(s) % 10);
		for (int i = 0; i < n; i++)
			str[i] = (char)('a' + rng_u64(s) % 26);
		str[n] = 0;
		sbuf_printf(want, "\"%s\"", str);
		return val_str(str);
	}
	case 5: {
		struct val *a = val_arr();
		int n = (int)(rng_u64(s) % 6);
		sbuf_addc(want, '[');
		for (int i = 0; i < n; i++) {
			if (i)
				sbuf_addc(want, ',');
			val_push(a, rand_tree(s, depth + 1, want, nodes));
		}
		sbuf_addc(want, ']');
		return a;
	}
	default: {
		struct val *o = val_obj();
		int n = (int)(rng_u64(s) % 6);
		char key[16];
		sbuf_addc(want, '{');
		for (int i = 0; i < n; i++) {
			snprintf(key, sizeof key, "k%d_%d", depth, i);	/* distinct within one object */
			sbuf_printf(want, "%s\"%s\":", i ? "," : "", key);
			val_set(o, key, rand_tree(s, depth + 1, want, nodes));
		}
		sbuf_addc(want, '}');
		return o;
	}
	}
}

/* Structural checks on JSON text: balanced brackets outside strings, strings closed, no raw
** control bytes. */
static bool
json_balanced(const char *p)
{
	char stack[256];
	int top = 0;
	bool in_str = false;

	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20)
			return false;
		if (in_str) {
			if (c == '\\') {
				if (!p[1])
					return false;
				p++;
			} else if (c == '"') {
				in_str = false;
			}
			continue;
		}
		if (c == '"')
			in_str = true;
		else if (c == '[' || c == '{') {
			if (top == (int)sizeof stack)
				return false;
			stack[top++] = (char)c;
		} else if (c == ']' || c == '}') {
			if (!top || stack[--top] != (c == ']' ? '[' : '{'))
				return false;
		}
	}
	return !in_str && top == 0;
}

static size_t
count_nodes(const struct val *v)
{
	size_t n = 1;

	if (v->kind == VAL_ARR || v->kind == VAL_OBJ)
		for (size_t i = 0; i < v->u.c.n; i++)
			n += count_nodes(v->u.c.items[i]);
	return n;
}

static void
test_val__random_trees(void)
{
	for (uint64_t seed = 1; seed <= 300; seed++) {
		struct rng s;
	rng_init(&s, seed);
		struct sbuf want = SBUF_INIT, got = SBUF_INIT;
		size_t nodes = 0;
		struct val *v = rand_tree(&s, 0, &want, &nodes);

		val_json(v, &got);
		if (strcmp(sbuf_str(&got), sbuf_str(&want)) != 0)
			FAIL("seed %llu: json %s, want %s", (unsigned long long)seed, sbuf_str(&got),
			     sbuf_str(&want));
		if (!json_balanced(sbuf_str(&got)))
			FAIL("seed %llu: unbalanced json %s", (unsigned long long)seed, sbuf_str(&got));
		if (count_nodes(v) != nodes)
			FAIL("seed %llu: %zu nodes, built %zu", (unsigned long long)seed, count_nodes(v),
			     nodes);
		/* Printing twice appends the same text again. */
		size_t len = got.len;
		val_json(v, &got);
		CHECK_EQ_INT(got.len, 2 * len);
		CHECK(memcmp(got.buf, got.buf + len, len) == 0);
		sbuf_release(&want);
		sbuf_release(&got);
		val_free(v);
	}
}

static void
test_val__json_balanced_escapes(void)
{
	/* Brackets and quotes inside strings do not unbalance the output. */
	struct val *o = val_obj();
	val_set_str(o, "}{", "][\"\\");
	struct val *a = val_set(o, "[", val_arr());
	val_push(a, val_str("\"}"));
	struct sbuf sb = SBUF_INIT;
	val_json(o, &sb);
	CHECK(json_balanced(sbuf_str(&sb)));
	CHECK_STR(sbuf_str(&sb), "{\"}{\":\"][\\\"\\\\\",\"[\":[\"\\\"}\"]}");
	sbuf_release(&sb);
	val_free(o);
}

/* Numbers that no int64 can hold give the default instead of undefined behaviour. */
static void
test_val__get_int_out_of_range(void)
{
	struct val *o = val_obj();

	val_set_num(o, "nan", NAN);
	val_set_num(o, "inf", INFINITY);
	val_set_num(o, "big", 1e19);
	val_set_num(o, "low", -1e19);
	val_set_num(o, "edge", -9223372036854775808.0);
	CHECK_EQ_INT(val_get_int(o, "nan", 7), 7);
	CHECK_EQ_INT(val_get_int(o, "inf", 7), 7);
	CHECK_EQ_INT(val_get_int(o, "big", 7), 7);
	CHECK_EQ_INT(val_get_int(o, "low", 7), 7);
	CHECK(val_get_int(o, "edge", 7) == INT64_MIN);
	val_free(o);
}

/* Doubles print as the shorter of %.15g and %.17g that reads back exactly. */
static void
test_val__doubles_round_trip(void)
{
	double xs[] = { 0.1, 0.1 + 0.2, 1.0 / 3.0, 123456789.123456789, 5e-324, 1.7976931348623157e308 };
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
		struct val *v = val_num(xs[i]);
		sbuf_reset(&sb);
		val_json(v, &sb);
		if (strtod(sbuf_str(&sb), NULL) != xs[i])
			FAIL("%.17g printed as %s", xs[i], sbuf_str(&sb));
		val_free(v);
	}
	sbuf_release(&sb);
}

int
main(void)
{
	RUN(test_val__scalars);
	RUN(test_val__ints);
	RUN(test_val__doubles);
	RUN(test_val__string_escapes);
	RUN(test_val__long_string);
	RUN(test_val__nesting);
	RUN(test_val__order_kept);
	RUN(test_val__set_replaces);
	RUN(test_val__lookups);
	RUN(test_val__get_int_out_of_range);
	RUN(test_val__doubles_round_trip);
	RUN(test_val__random_trees);
	RUN(test_val__json_balanced_escapes);
	return TEST_DONE();
}
