/* The shell's word splitter: quotes, escapes, comments, errors. */
#include "repl/args.h"

#include "tests/test.h"

static void
split_ok(const char *line, int argc, const char *const *want)
{
	struct args a = ARGS_INIT;
	struct err e = ERR_INIT;

	CHECK_EQ_INT(args_split(&a, line, &e), 0);
	CHECK_EQ_INT(a.argc, argc);
	for (int i = 0; i < argc && i < a.argc; i++)
		CHECK_STR(a.argv[i], want[i]);
	if (a.argc == argc)
		CHECK(a.argv == NULL || a.argv[argc] == NULL);
	args_release(&a);
}

static void
test_args__blanks(void)
{
	const char *w[] = { "pcap", "info", "x.pcap" };

	split_ok("  pcap\tinfo   x.pcap  ", 3, w);
	split_ok("", 0, NULL);
	split_ok("   \t ", 0, NULL);
}

static void
test_args__quotes(void)
{
	const char *w1[] = { "echo", "a b", "c'd", "e\"f" };
	const char *w2[] = { "x", "" , "y" };
	const char *w3[] = { "ab c" };

	split_ok("echo 'a b' \"c'd\" 'e\"f'", 4, w1);
	split_ok("x '' y", 3, w2);
	split_ok("a'b 'c", 1, w3);
}

static void
test_args__escapes(void)
{
	const char *w1[] = { "a b", "c\"d", "e\\f" };

	split_ok("a\\ b \"c\\\"d\" 'e\\f'", 3, w1);
}

static void
test_args__comments(void)
{
	const char *w1[] = { "echo", "a#b" };

	split_ok("echo a#b # a comment", 2, w1);
	split_ok("# only a comment", 0, NULL);
	split_ok("echo '#' x", 3, (const char *const[]){ "echo", "#", "x" });
}

static void
test_args__unterminated(void)
{
	struct args a = ARGS_INIT;
	struct err e = ERR_INIT;

	CHECK(args_split(&a, "echo 'abc", &e) < 0);
	CHECK(strstr(e.msg, "column 6") != NULL);
	CHECK_EQ_INT(a.argc, 0);
	CHECK(args_split(&a, "x \"a\\\"", &e) < 0);
	CHECK(strstr(e.msg, "unterminated \"") != NULL);
	args_release(&a);
}

static void
test_args__first_word(void)
{
	size_t start, len, rest = args_first_word("  lua  print('x y')", &start, &len);

	CHECK_EQ_INT(start, 2);
	CHECK_EQ_INT(len, 3);
	CHECK_EQ_INT(rest, 5);
	args_first_word("", &start, &len);
	CHECK_EQ_INT(len, 0);
}

static void
test_args__push_remove(void)
{
	struct args a = ARGS_INIT;

	args_push(&a, "a");
	args_push(&a, "b");
	args_push(&a, "c");
	args_remove(&a, 1);
	CHECK_EQ_INT(a.argc, 2);
	CHECK_STR(a.argv[1], "c");
	CHECK(a.argv[2] == NULL);
	args_remove(&a, 5);
	CHECK_EQ_INT(a.argc, 2);
	args_release(&a);
}

/* Batch input: line ends dropped as getline leaves them, a trailing backslash continues. */
static void
test_args__batch_lines(void)
{
	char a[] = "load fw\r\n", b[] = "rss solve \\", c[] = "x\\\\", d[] = "", e[] = "\r";

	CHECK_EQ_INT(args_chomp(a, strlen(a)), 7);
	CHECK_STR(a, "load fw");
	CHECK_EQ_INT(args_chomp(d, 0), 0);
	CHECK_EQ_INT(args_chomp(e, 1), 0);
	CHECK(args_continues(b));
	CHECK_STR(b, "rss solve ");
	CHECK(!args_continues(b));
	CHECK(args_continues(c));	/* an escaped backslash at the end still continues */
	CHECK_STR(c, "x\\");
	CHECK(!args_continues(d));
}

int
main(void)
{
	RUN(test_args__blanks);
	RUN(test_args__quotes);
	RUN(test_args__escapes);
	RUN(test_args__comments);
	RUN(test_args__unterminated);
	RUN(test_args__first_word);
	RUN(test_args__push_remove);
	RUN(test_args__batch_lines);
	return TEST_DONE();
}
