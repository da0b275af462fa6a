/*
** libFuzzer target for the shell's input side (repl/args.c, the lookup and completion of
** repl/cmd.c) under ASan and UBSan. Every input is read twice: as one '-e' line, and as a batch
** file, its physical lines joined into logical ones as repl.c's reader does (args_chomp,
** args_continues). Each line goes through what cmd_dispatch does before it runs anything: the
** first word and the comment check, args_split, and the command lookup by exact name or unique
** prefix (checked against a linear model); completion gets a prefix of the line. Quoting the
** split words back (three ways: '...', "...", backslashes) and splitting again must give the
** same words. Nothing is run: the handlers are never called.
**
** cmd.c's root table names the topic tables of every cmd_<topic>.c, whose handlers need the
** whole shell (Lua, the engine, Z3, LLVM). This file defines tables of the same shape and
** names instead, with no handlers, and stubs for the output and session calls that cmd_dispatch
** and the help would make: they trap, since this target never dispatches.
*/

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sbuf.h"
#include "lua/lbaton.h"
#include "repl/args.h"
#include "repl/cmd.h"
#include "repl/out.h"
#include "repl/session.h"
#include "repl/tour.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*---- Tables shaped like the shell's (names, arity, flags, subcommands, words) ----*/

#define C(n, a, f) { .name = (n), .arity = (a), .flags = (f), .usage = (n), .summary = (n) }
#define S(n, t) { .name = (n), .arity = -2, .usage = (n), .summary = (n), .sub = (t) }
#define W(n, a, f, w) { .name = (n), .arity = (a), .flags = (f), .usage = (n), .summary = (n), \
			.words = (w) }
#define END { .name = NULL }

const struct cmd cmd_shell_table[] = {
	C("help", -1, 0), C("quit", 1, 0), C("exit", 1, CMD_F_HIDDEN), C("echo", -1, 0),
	C("source", 2, CMD_F_FILES), C("tutorial", -1, 0), C("version", 1, CMD_F_JSON), END,
};
const struct cmd cmd_lua_table[] = {
	W("lua", 2, CMD_F_RAW | CMD_F_CHUNK | CMD_F_FILES, "-f"), END,
};
static const struct cmd pcap_sub[] = {
	C("info", 2, CMD_F_JSON | CMD_F_FILES),
	W("gen", -2, CMD_F_JSON | CMD_F_FILES, "uniform zipf bidir churn --flows -o"), END,
};
const struct cmd cmd_pcap_table[] = { S("pcap", pcap_sub), END };
static const struct cmd show_sub[] = {
	C("nf", 1, CMD_F_JSON), W("paths", -1, CMD_F_JSON, "--tree"), C("path", 2, CMD_F_JSON),
	C("objects", 1, CMD_F_JSON), C("accesses", -1, CMD_F_JSON), C("verdict", 1, CMD_F_JSON),
	C("constraints", 1, CMD_F_JSON), C("graph", 1, CMD_F_JSON), END,
};
static const struct cmd export_sub[] = { C("graph", 2, CMD_F_FILES), END };
const struct cmd cmd_nf_table[] = {
	C("load", 2, CMD_F_JSON | CMD_F_FILES), W("set", -1, 0, "expiry= capacity="),
	W("analyze", -1, CMD_F_JSON, "--len --max-paths"), S("show", show_sub),
	S("export", export_sub), W("replay", -2, CMD_F_JSON | CMD_F_FILES, "--lan --port -o"),
	END,
};
static const struct cmd rss_sub[] = {
	W("nics", 1, CMD_F_JSON, NULL), C("fieldsets", -1, CMD_F_JSON),
	W("solve", -1, CMD_F_JSON, "--cores --nic --fields software i40e 'a b' \"c\\\"d\""),
	W("set", -4, 0, "all key fields reta default"), C("show", 1, CMD_F_JSON),
	C("check", 1, CMD_F_JSON), C("hash", 6, CMD_F_JSON), C("quality", 1, CMD_F_JSON),
	C("reta", 1, CMD_F_JSON), C("balance", -1, CMD_F_JSON | CMD_F_FILES),
	C("secret", 1, CMD_F_HIDDEN), END,
};
const struct cmd cmd_rss_table[] = { S("rss", rss_sub), END };
const struct cmd cmd_check_table[] = {
	W("check", -1, CMD_F_JSON | CMD_F_FILES, "--out --lan --port --cores --config --gen"),
	END,
};
const struct cmd cmd_run_table[] = {
	C("emit", -2, CMD_F_JSON), C("launch", -1, CMD_F_JSON | CMD_F_FILES),
	C("status", 1, CMD_F_JSON), C("counters", 1, CMD_F_JSON), C("stop", 1, CMD_F_JSON), END,
};
static const struct cmd view_sub[] = {
	C("graph", 1, 0), C("paths", 1, 0), C("rss", 1, 0), C("cores", 1, 0), END,
};
const struct cmd cmd_viz_table[] = { S("view", view_sub), END };

static const struct cmd *const all_tables[] = {
	cmd_shell_table, cmd_lua_table, cmd_pcap_table, cmd_nf_table, cmd_rss_table,
	cmd_check_table, cmd_run_table, cmd_viz_table,
};
#define NTABLES (sizeof all_tables / sizeof all_tables[0])

/* What cmd.c calls only from dispatch and help, which this target never reaches. */
void
session_begin_command(struct session *s)
{
	(void)s;
	__builtin_trap();
}

void
session_end_command(struct session *s)
{
	(void)s;
	__builtin_trap();
}

void
tour_after(struct session *s, struct sbuf *out)
{
	(void)s;
	(void)out;
	__builtin_trap();
}

void
out_printf(struct out *o, const char *fmt, ...)
{
	(void)o;
	(void)fmt;
	__builtin_trap();
}

void
out_err(struct out *o, const char *fmt, ...)
{
	(void)o;
	(void)fmt;
	__builtin_trap();
}

void
out_note(struct out *o, const char *fmt, ...)
{
	(void)o;
	(void)fmt;
	__builtin_trap();
}

bool
lbaton_incomplete(struct lbaton *l, const char *chunk)
{
	(void)l;
	(void)chunk;
	__builtin_trap();
}

/*---- The model of cmd_find ----*/

/* An exact name anywhere wins; else the one visible command the word is a prefix of. */
static const struct cmd *
model_find(const struct cmd *const *tables, size_t n, const char *word)
{
	const struct cmd *hit = NULL;
	int hits = 0;

	for (size_t t = 0; t < n; t++)
		for (const struct cmd *c = tables[t]; c->name; c++)
			if (!strcmp(c->name, word))
				return c;
	for (size_t t = 0; t < n; t++)
		for (const struct cmd *c = tables[t]; c->name; c++)
			if (!(c->flags & CMD_F_HIDDEN) && !strncmp(c->name, word, strlen(word)))
				hit = c, hits++;
	return hits == 1 ? hit : NULL;
}

static void
check_find(const struct cmd *table, const char *word)
{
	struct err e = ERR_INIT;
	const struct cmd *got = cmd_find(table, word, "command", &e);

	if (got != model_find(&table, 1, word))
		__builtin_trap();
	if (!got && ((e.code != -ENOENT && e.code != -EINVAL) || !e.msg[0]))
		__builtin_trap();
}

/*---- Splitting ----*/

static void
quote_single(struct sbuf *out, const char *w)
{
	sbuf_addc(out, '\'');
	for (; *w; w++) {
		if (*w == '\'')
			sbuf_adds(out, "'\\''");
		else
			sbuf_addc(out, *w);
	}
	sbuf_addc(out, '\'');
}

static void
quote_double(struct sbuf *out, const char *w)
{
	sbuf_addc(out, '"');
	for (; *w; w++) {
		if (*w == '"' || *w == '\\')
			sbuf_addc(out, '\\');
		sbuf_addc(out, *w);
	}
	sbuf_addc(out, '"');
}

static void
quote_backslash(struct sbuf *out, const char *w)
{
	if (!*w)
		sbuf_adds(out, "''");
	for (; *w; w++) {
		sbuf_addc(out, '\\');
		sbuf_addc(out, *w);
	}
}

/* The words quoted back one way and split again are the same words. */
static void
check_requote(const struct args *a, void (*quote)(struct sbuf *, const char *))
{
	struct sbuf line = SBUF_INIT;
	struct args b = ARGS_INIT;
	struct err e = ERR_INIT;

	for (int i = 0; i < a->argc; i++) {
		if (i)
			sbuf_adds(&line, i & 1 ? " " : " \t ");
		quote(&line, a->argv[i]);
	}
	if (args_split(&b, sbuf_str(&line), &e) != 0 || b.argc != a->argc)
		__builtin_trap();
	for (int i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], b.argv[i]))
			__builtin_trap();
	args_release(&b);
	sbuf_release(&line);
}

/* What cmd_dispatch does with a line before running it, and completion on its first 'cut'
** bytes. */
static void
check_line(const char *line, size_t cut)
{
	struct args a = ARGS_INIT;
	struct err e = ERR_INIT;
	size_t len = strlen(line), ws, wl, rest;
	int rc;

	rest = args_first_word(line, &ws, &wl);
	if (rest != ws + wl || rest > len)
		__builtin_trap();
	for (size_t i = 0; i < ws; i++)
		if (!strchr(" \t\r\n", line[i]))
			__builtin_trap();
	for (size_t i = ws; i < rest; i++)
		if (strchr(" \t\r\n", line[i]))
			__builtin_trap();

	rc = args_split(&a, line, &e);
	if (rc != 0) {
		if (rc != -EINVAL || e.code != -EINVAL || !strstr(e.msg, "unterminated") ||
		    a.argc != 0 || a.argv)
			__builtin_trap();
	} else {
		/* A blank line or a comment is no command: cmd_dispatch skips it unsplit. */
		if ((!wl || line[ws] == '#') && a.argc != 0)
			__builtin_trap();
		if (a.argc < 0 || (a.argc && a.argv[a.argc]))
			__builtin_trap();
		for (int i = 0; i < a.argc; i++)
			if (strlen(a.argv[i]) > len)
				__builtin_trap();
		check_requote(&a, quote_single);
		check_requote(&a, quote_double);
		check_requote(&a, quote_backslash);
	}

	/* The lookup, as parse() walks it: the top tables, then subcommand tables. */
	if (a.argc > 0) {
		const struct cmd *c = model_find(all_tables, NTABLES, a.argv[0]);

		for (size_t t = 0; t < NTABLES; t++)
			check_find(all_tables[t], a.argv[0]);
		for (int i = 1; c && c->sub && i < a.argc; i++) {
			check_find(c->sub, a.argv[i]);
			c = model_find(&c->sub, 1, a.argv[i]);
		}
	}

	/* cmd_incomplete looks the first word up; with no Lua state nothing is a chunk. */
	{
		struct session s;

		memset(&s, 0, sizeof s);
		if (cmd_incomplete(&s, line))
			__builtin_trap();
	}

	/* Completion of the word that starts at 'cut'. */
	if (len) {
		char *before = strndup(line, cut % (len + 1)), *word;
		struct args cands = ARGS_INIT;
		bool files;
		size_t wlen;

		if (!before)
			abort();
		word = (char *)line + strlen(before);
		wlen = strcspn(word, " \t");
		word = strndup(word, wlen);
		if (!word)
			abort();
		cmd_complete(before, word, &cands, &files);
		for (int i = 0; i < cands.argc; i++)
			if (strncmp(cands.argv[i], word, wlen))
				__builtin_trap();
		args_release(&cands);
		free(before);
		free(word);
	}

	/* Removing words keeps the rest in order and the list NULL-ended. */
	if (rc == 0 && a.argc > 0) {
		int i = (int)(len % (size_t)a.argc), n = a.argc;
		char *next = i + 1 < n ? strdup(a.argv[i + 1]) : NULL;

		args_remove(&a, i);
		args_remove(&a, n + 5);	/* out of range: nothing */
		if (a.argc != n - 1 || a.argv[a.argc] || (next && strcmp(a.argv[i], next)))
			__builtin_trap();
		args_push(&a, line);
		if (a.argc != n || strcmp(a.argv[n - 1], line) || a.argv[n])
			__builtin_trap();
		free(next);
	}
	for (int i = 0; i < a.argc; i++) {
		unsigned long v;

		if (args_uint(a.argv[i], 65535, &v) &&
		    (v > 65535 || a.argv[i][strspn(a.argv[i], "0123456789")] ||
		     strtoul(a.argv[i], NULL, 10) != v))
			__builtin_trap();
	}
	args_release(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *line = NULL, *logical;
	size_t cap = 0, cut;
	ssize_t n;
	FILE *f;

	if (size == 0 || size > (1u << 20))
		return 0;
	cut = data[0];
	text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';

	/* As '-e LINE': one line, newlines and all (up to a NUL). */
	check_line(text, cut);

	/* As a batch file: physical lines (NULs and all) joined into logical ones. */
	f = fmemopen(text, size, "r");
	if (!f)
		abort();
	while ((n = getline(&line, &cap, f)) >= 0) {
		size_t len = args_chomp(line, (size_t)n);

		if (len > (size_t)n || line[len] != '\0')
			__builtin_trap();
		logical = strdup(line);
		if (!logical)
			abort();
		while (args_continues(logical) && (n = getline(&line, &cap, f)) >= 0) {
			size_t have = strlen(logical);

			args_chomp(line, (size_t)n);
			logical = realloc(logical, have + strlen(line) + 1);
			if (!logical)
				abort();
			strcpy(logical + have, line);
		}
		check_line(logical, cut++);
		free(logical);
	}
	free(line);
	fclose(f);
	free(text);
	return 0;
}
