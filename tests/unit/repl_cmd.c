/* Dispatch, prefixes, arity, --json, help and completion, on the real command tables. */
#include "repl/cmd.h"

#include "engine/nfload.h"
#include "engine/tracegen.h"
#include "repl/repl.h"
#include "repl/session.h"
#include "tests/test.h"

static struct session s;

/* Runs 'line' with its output captured; returns the dispatcher's status. */
static int
run(const char *line, struct sbuf *out)
{
	int rc;

	sbuf_reset(out);
	out_push(&s.out, out);
	rc = cmd_dispatch(&s, line);
	out_pop(&s.out);
	return rc;
}

static void
test_cmd__exact_and_prefix(void)
{
	struct sbuf out = SBUF_INIT;

	CHECK_EQ_INT(run("echo hello world", &out), 0);
	CHECK_STR(sbuf_str(&out), "hello world\n");
	CHECK_EQ_INT(run("ec 'two words'", &out), 0);
	CHECK_STR(sbuf_str(&out), "two words\n");
	CHECK_EQ_INT(run("  # a comment", &out), 0);
	CHECK_STR(sbuf_str(&out), "");
	CHECK_EQ_INT(run("", &out), 0);
	sbuf_release(&out);
}

static void
test_cmd__unknown(void)
{
	struct sbuf out = SBUF_INIT;
	int nerr = s.nerr;

	CHECK_EQ_INT(run("frobnicate now", &out), -1);
	CHECK(strstr(sbuf_str(&out), "error: unknown command 'frobnicate'") != NULL);
	CHECK_EQ_INT(s.nerr, nerr + 1);
	CHECK_EQ_INT(run("pcap frob x", &out), -1);
	CHECK(strstr(sbuf_str(&out), "unknown pcap subcommand 'frob'") != NULL);
	sbuf_release(&out);
}

static int
nop(struct session *ss, int argc, char **argv, struct err *e)
{
	return 0;
}

static void
test_cmd__ambiguous_prefix(void)
{
	static const struct cmd table[] = {
		{ .name = "show", .fn = nop, .arity = 1, .usage = "show", .summary = "" },
		{ .name = "shutdown", .fn = nop, .arity = 1, .usage = "shutdown", .summary = "" },
		{ .name = "set", .fn = nop, .arity = 1, .usage = "set", .summary = "" },
		{ .name = "secret", .fn = nop, .arity = 1, .flags = CMD_F_HIDDEN, .usage = "",
		  .summary = "" },
		{ .name = NULL },
	};
	struct err e = ERR_INIT;

	CHECK(cmd_find(table, "s", "command", &e) == NULL);
	CHECK_STR(e.msg, "ambiguous command 's': show, shutdown, set");
	CHECK(cmd_find(table, "sh", "command", &e) == NULL);
	CHECK_STR(e.msg, "ambiguous command 'sh': show, shutdown");
	CHECK(cmd_find(table, "shu", "command", NULL) == &table[1]);
	CHECK(cmd_find(table, "show", "command", NULL) == &table[0]);
	/* Hidden commands answer to their full name only. */
	CHECK(cmd_find(table, "secret", "command", NULL) == &table[3]);
	CHECK(cmd_find(table, "sec", "command", &e) == NULL);
	CHECK_STR(e.msg, "unknown command 'sec' (try 'help')");
}

static void
test_cmd__arity(void)
{
	struct sbuf out = SBUF_INIT;

	CHECK_EQ_INT(run("pcap info", &out), -1);
	CHECK(strstr(sbuf_str(&out), "usage: pcap info FILE") != NULL);
	CHECK_EQ_INT(run("pcap info a b", &out), -1);
	CHECK_EQ_INT(run("quit now", &out), -1);
	CHECK(strstr(sbuf_str(&out), "usage: quit") != NULL);
	CHECK(!s.quit);
	CHECK_EQ_INT(run("pcap", &out), -1);
	CHECK(strstr(sbuf_str(&out), "usage: pcap info|gen") != NULL);
	sbuf_release(&out);
}

static void
test_cmd__json_flag(void)
{
	struct sbuf out = SBUF_INIT;

	CHECK_EQ_INT(run("version --json", &out), 0);
	CHECK(strncmp(sbuf_str(&out), "{\"baton\":", 9) == 0);
	CHECK(!s.out.json);	/* only for that command */
	CHECK_EQ_INT(run("version", &out), 0);
	CHECK(strncmp(sbuf_str(&out), "baton ", 6) == 0);
	/* Commands without the flag keep --json as a word. */
	CHECK_EQ_INT(run("echo --json", &out), 0);
	CHECK_STR(sbuf_str(&out), "--json\n");
	/* Errors under JSON are JSON. */
	CHECK_EQ_INT(run("pcap info /nonexistent/x.pcap --json", &out), -1);
	CHECK(strncmp(sbuf_str(&out), "{\"error\":\"", 10) == 0);
	sbuf_release(&out);
}

static void
test_cmd__help(void)
{
	struct sbuf out = SBUF_INIT;

	CHECK_EQ_INT(run("help", &out), 0);
	CHECK(strstr(sbuf_str(&out), "pcap info FILE") != NULL);
	CHECK(strstr(sbuf_str(&out), "lua CHUNK") != NULL);
	CHECK(strstr(sbuf_str(&out), "exit") == NULL);	/* hidden */
	CHECK_EQ_INT(run("help pc g", &out), 0);
	CHECK(strstr(sbuf_str(&out), "usage: pcap gen KIND") != NULL);
	CHECK(strstr(sbuf_str(&out), "--flows") != NULL);
	CHECK_EQ_INT(run("help pcap", &out), 0);
	CHECK(strstr(sbuf_str(&out), "subcommands:") != NULL);
	CHECK_EQ_INT(run("help nosuch", &out), -1);
	CHECK_EQ_INT(run("help echo more", &out), -1);
	CHECK(strstr(sbuf_str(&out), "'echo' has no subcommand 'more'") != NULL);
	sbuf_release(&out);
}

static int
has(const struct args *a, const char *w)
{
	for (int i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], w) == 0)
			return 1;
	return 0;
}

static void
test_cmd__complete(void)
{
	struct args a = ARGS_INIT;
	bool files;

	cmd_complete("", "p", &a, &files);
	CHECK_EQ_INT(a.argc, 1);
	CHECK(has(&a, "pcap"));
	cmd_complete("", "e", &a, &files);
	CHECK(has(&a, "echo") && !has(&a, "exit"));
	cmd_complete("pcap ", "", &a, &files);
	CHECK(has(&a, "info") && has(&a, "gen"));
	cmd_complete("pc ", "i", &a, &files);
	CHECK_EQ_INT(a.argc, 1);
	CHECK(has(&a, "info"));
	cmd_complete("pcap info ", "--j", &a, &files);
	CHECK(has(&a, "--json") && files);
	cmd_complete("pcap info ", "x", &a, &files);
	CHECK_EQ_INT(a.argc, 0);
	CHECK(files);
	/* Every kind and option of the generator completes (the words are kept by hand). */
	for (const char *const *k = tracegen_kind_names(); *k; k++) {
		cmd_complete("pcap gen ", *k, &a, &files);
		if (!has(&a, *k))
			FAIL("kind %s does not complete", *k);
	}
	for (const char *const *o = tracegen_option_names(); *o; o++) {
		char opt[64];
		if (strcmp(*o, "kind") == 0)
			continue;
		snprintf(opt, sizeof opt, "--%s", *o);
		cmd_complete("pcap gen uniform ", opt, &a, &files);
		if (!has(&a, opt))
			FAIL("option %s does not complete", opt);
	}
	/* Every bundled NF completes after 'load', and nothing else does. */
	{
		char **names = nfload_bundled();
		size_t n = 0;
		for (char **p = names; *p; p++, n++) {
			cmd_complete("load ", *p, &a, &files);
			if (!has(&a, *p))
				FAIL("NF %s does not complete after 'load'", *p);
		}
		cmd_complete("load ", "", &a, &files);
		for (int i = 0; i < a.argc; i++)
			n -= a.argv[i][0] != '-';
		CHECK_EQ_INT(n, 0);
		nfload_names_free(names);
	}
	args_release(&a);
}

static void
test_cmd__describe(void)
{
	struct val *v = cmd_describe();
	int found = 0;

	CHECK(v->kind == VAL_ARR);
	for (size_t i = 0; i < v->u.c.n; i++) {
		const struct val *c = v->u.c.items[i];
		if (strcmp(val_get_str(c, "name"), "pcap") == 0) {
			const struct val *sub = val_get(c, "sub");
			CHECK(sub && sub->kind == VAL_ARR && sub->u.c.n == 2);
			found = 1;
		}
	}
	CHECK(found);
	val_free(v);
}

int
main(void)
{
	if (repl_init(&s) < 0)
		return 1;
	RUN(test_cmd__exact_and_prefix);
	RUN(test_cmd__unknown);
	RUN(test_cmd__ambiguous_prefix);
	RUN(test_cmd__arity);
	RUN(test_cmd__json_flag);
	RUN(test_cmd__help);
	RUN(test_cmd__complete);
	RUN(test_cmd__describe);
	repl_release(&s);
	return TEST_DONE();
}
