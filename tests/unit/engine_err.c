/* Unit tests for engine/err: err_set, cutting long messages, err_prefix, err_clear. */
#include "engine/err.h"

#include <errno.h>
#include <stdbool.h>

#include "tests/test.h"

/* The message buffer is a proper C string of at most ERR_MSG_LEN - 1 bytes. */
static bool
msg_ok(const struct err *e)
{
	return memchr(e->msg, '\0', sizeof e->msg) != NULL;
}

static int
vset_helper(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = err_vset(e, code, fmt, ap);
	va_end(ap);
	return r;
}

static void
test_err__set(void)
{
	struct err e = ERR_INIT;

	CHECK_EQ_INT(e.code, 0);
	CHECK_STR(e.msg, "");
	CHECK_EQ_INT(err_set(&e, -EINVAL, "bad field %s at line %d", "len", 12), -EINVAL);
	CHECK_EQ_INT(e.code, -EINVAL);
	CHECK_STR(e.msg, "bad field len at line 12");
	/* A second set replaces the first entirely. */
	CHECK_EQ_INT(err_set(&e, -ENOENT, "x"), -ENOENT);
	CHECK_EQ_INT(e.code, -ENOENT);
	CHECK_STR(e.msg, "x");
	CHECK_EQ_INT(err_set(&e, -EIO, "%s", ""), -EIO);
	CHECK_STR(e.msg, "");
	CHECK_EQ_INT(err_set(&e, -ENOMEM, "100%% %5.2f %c", 1.5, '!'), -ENOMEM);
	CHECK_STR(e.msg, "100%  1.50 !");
	/* The va_list form behaves the same. */
	CHECK_EQ_INT(vset_helper(&e, -E2BIG, "n=%d s=%s", 3, "q"), -E2BIG);
	CHECK_EQ_INT(e.code, -E2BIG);
	CHECK_STR(e.msg, "n=3 s=q");
}

static int
fails(struct err *e)
{
	return err_set(e, -EPERM, "not allowed: %s", "write");
}

static void
test_err__null_ignored(void)
{
	/* NULL: nothing recorded, the code still returned, no crash. */
	CHECK_EQ_INT(err_set(NULL, -EINVAL, "ignored %s", "x"), -EINVAL);
	CHECK_EQ_INT(err_set(NULL, 0, "zero"), 0);
	CHECK_EQ_INT(vset_helper(NULL, -EIO, "v %d", 1), -EIO);
	CHECK_EQ_INT(fails(NULL), -EPERM);
	err_prefix(NULL, "head %d", 1);
	err_clear(NULL);

	struct err e = ERR_INIT;
	CHECK_EQ_INT(fails(&e), -EPERM);
	CHECK_STR(e.msg, "not allowed: write");
}

static void
test_err__long_message(void)
{
	struct err e = ERR_INIT;
	size_t n = 3 * ERR_MSG_LEN;
	char *big = malloc(n + 1);

	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	big[n] = 0;

	CHECK_EQ_INT(err_set(&e, -EINVAL, "%s", big), -EINVAL);
	CHECK_EQ_INT(e.code, -EINVAL);
	CHECK(msg_ok(&e));
	CHECK_EQ_INT(strlen(e.msg), ERR_MSG_LEN - 1);
	CHECK_EQ_INT(e.msg[ERR_MSG_LEN - 1], '\0');
	CHECK(memcmp(e.msg, big, ERR_MSG_LEN - 1) == 0);

	/* At the edges: exactly fitting, one byte over. */
	for (size_t len = ERR_MSG_LEN - 3; len <= ERR_MSG_LEN + 1; len++) {
		memset(&e, 'X', sizeof e);
		err_set(&e, -EIO, "%.*s", (int)len, big);
		size_t want = len < ERR_MSG_LEN ? len : ERR_MSG_LEN - 1;
		if (strnlen(e.msg, sizeof e.msg) != want || memcmp(e.msg, big, want) != 0)
			FAIL("message of %zu bytes: kept %zu", len, strnlen(e.msg, sizeof e.msg));
	}
	/* With a prefix in the format too. */
	err_set(&e, -EIO, "file %s: %s", "a.pcap", big);
	CHECK(msg_ok(&e));
	CHECK_EQ_INT(strlen(e.msg), ERR_MSG_LEN - 1);
	CHECK(strncmp(e.msg, "file a.pcap: abc", 16) == 0);
	free(big);
}

static void
test_err__prefix(void)
{
	struct err e = ERR_INIT;

	err_set(&e, -ENOENT, "no such file");
	err_prefix(&e, "open %s", "x.pcap");
	CHECK_STR(e.msg, "open x.pcap: no such file");
	CHECK_EQ_INT(e.code, -ENOENT);	/* the code is untouched */
	err_prefix(&e, "pcap info");
	CHECK_STR(e.msg, "pcap info: open x.pcap: no such file");
	err_prefix(&e, "%d", 3);
	CHECK_STR(e.msg, "3: pcap info: open x.pcap: no such file");
	/* An empty head still adds the separator. */
	err_prefix(&e, "%s", "");
	CHECK_STR(e.msg, ": 3: pcap info: open x.pcap: no such file");

	/* On an empty message. */
	err_clear(&e);
	err_prefix(&e, "head");
	CHECK_STR(e.msg, "head: ");

	/* The head may quote the message itself (it is formatted before the move). */
	err_set(&e, -EIO, "abc");
	err_prefix(&e, "[%s]", e.msg);
	CHECK_STR(e.msg, "[abc]: abc");
}

static void
test_err__prefix_cut(void)
{
	struct err e = ERR_INIT;
	char *body = malloc(ERR_MSG_LEN + 1);

	for (size_t i = 0; i < ERR_MSG_LEN; i++)
		body[i] = (char)('0' + i % 10);
	body[ERR_MSG_LEN] = 0;

	/* For every message length near the limit, the head stays whole, the message is cut at
	** the end, and a NUL follows (the buffer's last byte once it is full). */
	for (size_t len = ERR_MSG_LEN - 40; len < ERR_MSG_LEN; len++) {
		memset(e.msg, 'X', sizeof e.msg);
		err_set(&e, -EINVAL, "%.*s", (int)len, body);
		err_prefix(&e, "head");
		size_t total = 6 + len, want = total < ERR_MSG_LEN ? total : ERR_MSG_LEN - 1;
		if (e.msg[want] != '\0' || strnlen(e.msg, sizeof e.msg) != want ||
		    strncmp(e.msg, "head: ", 6) != 0 || memcmp(e.msg + 6, body, want - 6) != 0) {
			FAIL("message of %zu bytes: prefixed to %zu, want %zu, starts \"%.10s\"", len,
			     strnlen(e.msg, sizeof e.msg), want, e.msg);
			break;
		}
	}
	CHECK_EQ_INT(e.code, -EINVAL);

	/* Repeated prefixes on a full message: each head whole, always cut cleanly. */
	err_set(&e, -EINVAL, "%s", body);
	for (int i = 0; i < 100; i++) {
		err_prefix(&e, "h%d", i);
		if (e.msg[ERR_MSG_LEN - 1] != '\0' || strlen(e.msg) != ERR_MSG_LEN - 1) {
			FAIL("prefix %d: length %zu", i, strnlen(e.msg, sizeof e.msg));
			break;
		}
	}
	CHECK(strncmp(e.msg, "h99: h98: h97: ", 15) == 0);

	/* A head as long as the buffer: cut, ends in ": ", nothing of the old message left, NUL
	** last. */
	err_set(&e, -EIO, "old message");
	err_prefix(&e, "%s%s", body, body);
	CHECK_EQ_INT(e.msg[ERR_MSG_LEN - 1], '\0');
	CHECK_EQ_INT(strlen(e.msg), ERR_MSG_LEN - 1);
	CHECK(memcmp(e.msg, body, ERR_MSG_LEN - 3) == 0);
	CHECK(strcmp(e.msg + ERR_MSG_LEN - 3, ": ") == 0);
	CHECK(strstr(e.msg, "old") == NULL);

	/* Heads of every length near the limit on a short message. */
	for (size_t hl = ERR_MSG_LEN - 20; hl <= ERR_MSG_LEN + 2; hl++) {
		err_set(&e, -EIO, "tail");
		err_prefix(&e, "%.*s", (int)hl, body);
		size_t l = strnlen(e.msg, sizeof e.msg);
		if (l >= ERR_MSG_LEN) {
			FAIL("head of %zu bytes: not terminated", hl);
			break;
		}
		/* The head (maybe cut), then ": ", then as much of "tail" as fits. */
		size_t kept_head = hl < ERR_MSG_LEN - 3 ? hl : ERR_MSG_LEN - 3;
		if (memcmp(e.msg, body, kept_head) != 0 || strncmp(e.msg + kept_head, ": ", 2) != 0 ||
		    strncmp(e.msg + kept_head + 2, "tail", l - kept_head - 2) != 0) {
			FAIL("head of %zu bytes: got %zu bytes", hl, l);
			break;
		}
		size_t want = kept_head + 2 + 4 < ERR_MSG_LEN ? kept_head + 6 : ERR_MSG_LEN - 1;
		if (l != want)
			FAIL("head of %zu bytes: length %zu, want %zu", hl, l, want);
	}
	free(body);
}

static void
test_err__clear(void)
{
	struct err e = ERR_INIT;

	err_set(&e, -EINVAL, "something");
	err_clear(&e);
	CHECK_EQ_INT(e.code, 0);
	CHECK_STR(e.msg, "");
	err_clear(&e);	/* twice */
	CHECK_EQ_INT(e.code, 0);
	CHECK_STR(e.msg, "");
	/* Usable again. */
	CHECK_EQ_INT(err_set(&e, -EIO, "again"), -EIO);
	CHECK_STR(e.msg, "again");
}

int
main(void)
{
	RUN(test_err__set);
	RUN(test_err__null_ignored);
	RUN(test_err__long_message);
	RUN(test_err__prefix);
	RUN(test_err__prefix_cut);
	RUN(test_err__clear);
	return TEST_DONE();
}
