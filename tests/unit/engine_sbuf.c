/* Unit tests for engine/sbuf: growth across sizes, printf, reset, detach, release. */
#include "engine/sbuf.h"

#include <stdbool.h>

#include "engine/rng.h"
#include "tests/test.h"

/* The invariants every buffer keeps: NUL after len, room for it, contents equal 'want'. */
static bool
sbuf_is(const struct sbuf *sb, const void *want, size_t n)
{
	if (sb->len != n)
		return false;
	if (n == 0)
		return sbuf_str(sb)[0] == '\0';
	return sb->buf && sb->cap >= n + 1 && sb->buf[n] == '\0' && memcmp(sb->buf, want, n) == 0 &&
	       sbuf_str(sb) == sb->buf;
}

static void
test_sbuf__fresh(void)
{
	struct sbuf sb = SBUF_INIT;

	CHECK(sb.buf == NULL);
	CHECK_EQ_INT(sb.len, 0);
	CHECK_EQ_INT(sb.cap, 0);
	CHECK_STR(sbuf_str(&sb), "");
	sbuf_reset(&sb);	/* nothing to reset */
	CHECK_STR(sbuf_str(&sb), "");
	CHECK(sb.buf == NULL);
	sbuf_release(&sb);	/* nothing to free */
	CHECK(sb.buf == NULL);

	/* Adding nothing still gives a valid, empty string. */
	sbuf_add(&sb, "x", 0);
	CHECK_EQ_INT(sb.len, 0);
	CHECK_STR(sbuf_str(&sb), "");
	sbuf_adds(&sb, "");
	CHECK_EQ_INT(sb.len, 0);
	CHECK_STR(sbuf_str(&sb), "");
	sbuf_release(&sb);
	CHECK(sb.buf == NULL && sb.len == 0 && sb.cap == 0);
}

static void
test_sbuf__add_sizes(void)
{
	size_t max = 100000;
	unsigned char *src = malloc(max);
	struct rng s;
	rng_init(&s, 1);

	for (size_t i = 0; i < max; i++)
		src[i] = (unsigned char)rng_u64(&s);	/* binary, NULs included */

	/* One add of n bytes into a fresh buffer: every n in 1..1100, each power of two up to 64 Ki
	** and its neighbours, then ever larger steps up to 100000. */
	size_t sizes[2000], ns = 0;
	for (size_t n = 1; n <= 1100; n++)
		sizes[ns++] = n;
	for (size_t p = 2048; p <= 65536; p *= 2) {
		sizes[ns++] = p - 1;
		sizes[ns++] = p;
		sizes[ns++] = p + 1;
	}
	for (size_t n = 1100; n <= max; n += n / 7 + 1)
		sizes[ns++] = n;
	sizes[ns++] = max;
	for (size_t i = 0; i < ns; i++) {
		struct sbuf one = SBUF_INIT;
		sbuf_add(&one, src, sizes[i]);
		if (!sbuf_is(&one, src, sizes[i]))
			FAIL("one add of %zu bytes: len %zu cap %zu", sizes[i], one.len, one.cap);
		sbuf_release(&one);
	}
	struct sbuf sb = SBUF_INIT;
	sbuf_add(&sb, src, max);
	CHECK(sbuf_is(&sb, src, max));
	sbuf_release(&sb);

	/* Many adds of random sizes, then one of each size: contents stay in order. */
	size_t total = 0;
	rng_init(&s, 7);
	while (total < max) {
		size_t n = (size_t)(rng_u64(&s) % 3000);
		if (n > max - total)
			n = max - total;
		sbuf_add(&sb, src + total, n);
		total += n;
		if (!sbuf_is(&sb, src, total)) {
			FAIL("random adds: wrong at %zu bytes", total);
			break;
		}
	}
	sbuf_release(&sb);
	total = 0;
	for (size_t n = 1; total + n <= max; n++) {
		sbuf_add(&sb, src + total, n);
		total += n;
		if (!sbuf_is(&sb, src, total)) {
			FAIL("growing adds: wrong at %zu bytes", total);
			break;
		}
	}
	sbuf_release(&sb);
	free(src);
}

static void
test_sbuf__adds_addc(void)
{
	struct sbuf sb = SBUF_INIT;
	char *want = malloc(100001);

	/* addc, one byte at a time, across every growth. */
	for (size_t i = 0; i < 100000; i++) {
		want[i] = (char)('a' + i % 26);
		sbuf_addc(&sb, want[i]);
		if (sb.len != i + 1 || sb.buf[i + 1] != '\0' || sb.cap < i + 2) {
			FAIL("addc: wrong after %zu bytes", i + 1);
			break;
		}
	}
	want[100000] = 0;
	CHECK(sbuf_is(&sb, want, 100000));
	CHECK(strcmp(sbuf_str(&sb), want) == 0);
	sbuf_release(&sb);

	/* adds of strings of every length 0..400. */
	size_t total = 0;
	for (size_t n = 0; n <= 400; n++) {
		char tmp[401];
		memcpy(tmp, want + total % 26, n);
		tmp[n] = 0;
		sbuf_adds(&sb, tmp);
		total += n;
	}
	CHECK_EQ_INT(sb.len, 400 * 401 / 2);
	CHECK_EQ_INT(strlen(sbuf_str(&sb)), sb.len);
	sbuf_release(&sb);

	sbuf_adds(&sb, "ab");
	sbuf_addc(&sb, 'c');
	sbuf_add(&sb, "def", 2);
	sbuf_adds(&sb, "");
	CHECK_STR(sbuf_str(&sb), "abcde");
	CHECK_EQ_INT(sb.len, 5);
	/* A NUL byte is stored and counted; the C string view stops there. */
	sbuf_addc(&sb, '\0');
	sbuf_addc(&sb, 'z');
	CHECK_EQ_INT(sb.len, 7);
	CHECK_STR(sbuf_str(&sb), "abcde");
	CHECK(memcmp(sb.buf, "abcde\0z", 8) == 0);
	/* High bytes are kept as they are. */
	sbuf_addc(&sb, (char)0xff);
	CHECK_EQ_INT((unsigned char)sb.buf[7], 0xff);
	CHECK_EQ_INT(sb.buf[8], 0);
	sbuf_release(&sb);
	free(want);
}

static void
test_sbuf__printf(void)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_printf(&sb, "%d-%s-%05.1f-%c-%x-%%", -12, "ab", 3.14159, 'q', 255u);
	CHECK_STR(sbuf_str(&sb), "-12-ab-003.1-q-ff-%");
	CHECK_EQ_INT(sb.len, strlen("-12-ab-003.1-q-ff-%"));
	sbuf_printf(&sb, " %" PRIu64, UINT64_MAX);
	CHECK_STR(sbuf_str(&sb), "-12-ab-003.1-q-ff-% 18446744073709551615");
	sbuf_release(&sb);

	/* An empty result on a fresh buffer: still "", len 0. */
	sbuf_printf(&sb, "%s", "");
	CHECK_EQ_INT(sb.len, 0);
	CHECK_STR(sbuf_str(&sb), "");
	sbuf_release(&sb);

	/* printf after adds of every length, with results of every length: the exact-fit edges of
	** each capacity (the NUL needs the last byte). */
	char pad[300], arg[300], want[600];
	memset(pad, 'p', sizeof pad);
	memset(arg, 'a', sizeof arg);
	for (size_t pre = 0; pre < 200; pre++)
		for (size_t n = 0; n < 140; n++) {
			sbuf_add(&sb, pad, pre);
			sbuf_printf(&sb, "%.*s", (int)n, arg);
			memcpy(want, pad, pre);
			memcpy(want + pre, arg, n);
			if (!sbuf_is(&sb, want, pre + n)) {
				FAIL("add %zu then printf %zu: len %zu cap %zu", pre, n, sb.len, sb.cap);
				pre = 200;
				break;
			}
			sbuf_release(&sb);
		}
	sbuf_release(&sb);
}

static void
test_sbuf__printf_long(void)
{
	size_t n = 70000;	/* > 64 KB in one conversion */
	char *big = malloc(n + 1), *want = malloc(3 * n + 64);
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < n; i++)
		big[i] = (char)('A' + i % 23);
	big[n] = 0;

	sbuf_printf(&sb, "%s", big);
	CHECK(sbuf_is(&sb, big, n));

	sbuf_printf(&sb, "<%s|%d>", big, 42);
	memcpy(want, big, n);
	want[n] = '<';
	memcpy(want + n + 1, big, n);
	memcpy(want + 2 * n + 1, "|42>", 4);
	CHECK(sbuf_is(&sb, want, 2 * n + 5));
	sbuf_release(&sb);

	/* Field width alone makes a long result. */
	sbuf_adds(&sb, "x");
	sbuf_printf(&sb, "%100000d", 7);
	CHECK_EQ_INT(sb.len, 100001);
	CHECK_EQ_INT(sb.buf[100000], '7');
	CHECK_EQ_INT(sb.buf[1], ' ');
	CHECK_EQ_INT(sb.buf[100001], 0);
	CHECK_EQ_INT(strspn(sb.buf + 1, " "), 99999);
	sbuf_release(&sb);

	/* Many printfs in a row, past 1 MB. */
	size_t total = 0;
	for (int i = 0; i < 20; i++) {
		sbuf_printf(&sb, "%d:%s;", i, big);
		total += (size_t)snprintf(NULL, 0, "%d:", i) + n + 1;
		if (sb.len != total || sb.buf[sb.len] != '\0') {
			FAIL("printf %d: len %zu want %zu", i, sb.len, total);
			break;
		}
	}
	CHECK(strncmp(sb.buf, "0:ABC", 5) == 0);
	CHECK(strncmp(sb.buf + sb.len - n - 5, ";19:", 4) == 0);
	CHECK(memcmp(sb.buf + sb.len - n - 1, big, n) == 0);
	CHECK_EQ_INT(sb.buf[sb.len - 1], ';');
	sbuf_release(&sb);
	free(big);
	free(want);
}

static void
test_sbuf__reset(void)
{
	struct sbuf sb = SBUF_INIT;

	for (int i = 0; i < 1000; i++)
		sbuf_printf(&sb, "%04d", i);
	CHECK_EQ_INT(sb.len, 4000);
	char *mem = sb.buf;
	size_t cap = sb.cap;

	sbuf_reset(&sb);
	CHECK_EQ_INT(sb.len, 0);
	CHECK_STR(sbuf_str(&sb), "");
	CHECK(sb.buf == mem);
	CHECK_EQ_INT(sb.cap, cap);
	/* Refilling up to the old size reuses the same memory. */
	for (int i = 0; i < 999; i++)
		sbuf_adds(&sb, "abcd");
	CHECK(sb.buf == mem);
	CHECK_EQ_INT(sb.cap, cap);
	CHECK_EQ_INT(sb.len, 3996);
	CHECK(strncmp(sbuf_str(&sb), "abcdabcd", 8) == 0);
	sbuf_reset(&sb);
	sbuf_addc(&sb, 'z');
	CHECK_STR(sbuf_str(&sb), "z");
	sbuf_release(&sb);
}

static void
test_sbuf__detach(void)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_printf(&sb, "hello %s", "world");
	char *mem = sb.buf;
	char *s = sbuf_detach(&sb);
	CHECK(s == mem);
	CHECK_STR(s, "hello world");
	CHECK(sb.buf == NULL);
	CHECK_EQ_INT(sb.len, 0);
	CHECK_EQ_INT(sb.cap, 0);
	CHECK_STR(sbuf_str(&sb), "");
	/* The buffer is usable again, and independent of what was handed out. */
	sbuf_adds(&sb, "again");
	CHECK_STR(sbuf_str(&sb), "again");
	CHECK_STR(s, "hello world");
	free(s);
	sbuf_release(&sb);

	/* An empty buffer hands out "", never NULL, and it must be freed (valgrind checks). */
	s = sbuf_detach(&sb);
	CHECK(s != NULL);
	CHECK_STR(s, "");
	CHECK(sb.buf == NULL && sb.len == 0 && sb.cap == 0);
	free(s);

	/* Twice in a row: two distinct "" strings. */
	char *a = sbuf_detach(&sb), *b = sbuf_detach(&sb);
	CHECK(a && b && a != b && !*a && !*b);
	free(a);
	free(b);

	/* After a reset: "" too. */
	sbuf_adds(&sb, "gone");
	sbuf_reset(&sb);
	s = sbuf_detach(&sb);
	CHECK_STR(s, "");
	CHECK(sb.buf == NULL && sb.len == 0 && sb.cap == 0);
	free(s);

	/* A long string with NULs inside comes out whole. */
	for (int i = 0; i < 50000; i++)
		sbuf_addc(&sb, (char)(i % 7));
	s = sbuf_detach(&sb);
	int bad = 0;
	for (int i = 0; i < 50000; i++)
		bad += s[i] != (char)(i % 7);
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(s[50000], 0);
	free(s);
}

static void
test_sbuf__release(void)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_adds(&sb, "some text");
	sbuf_release(&sb);
	CHECK(sb.buf == NULL && sb.len == 0 && sb.cap == 0);
	CHECK_STR(sbuf_str(&sb), "");
	sbuf_release(&sb);	/* twice is fine */
	sbuf_adds(&sb, "more");
	CHECK_STR(sbuf_str(&sb), "more");
	sbuf_release(&sb);
}

int
main(void)
{
	RUN(test_sbuf__fresh);
	RUN(test_sbuf__add_sizes);
	RUN(test_sbuf__adds_addc);
	RUN(test_sbuf__printf);
	RUN(test_sbuf__printf_long);
	RUN(test_sbuf__reset);
	RUN(test_sbuf__detach);
	RUN(test_sbuf__release);
	return TEST_DONE();
}
