#include "repl/cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sbuf.h"
#include "engine/xalloc.h"
#include "lua/lbaton.h"
#include "repl/session.h"
#include "repl/tour.h"

struct topic {
	const char *name;
	const struct cmd *cmds;
};

/* The root: every topic's table, in the order help lists them. */
static const struct topic topics[] = {
	{ "shell", cmd_shell_table },
	{ "lua", cmd_lua_table },
	{ "trace", cmd_pcap_table },
	{ "nf", cmd_nf_table },
	{ "rss", cmd_rss_table },
	{ "check", cmd_check_table },
	{ "run", cmd_run_table },
	{ "view", cmd_viz_table },
};
#define NTOPICS (sizeof topics / sizeof topics[0])

/*---- Lookup ----*/

/* Finds 'word' among the tables: an exact name wins, else a unique prefix of a visible
** command. 'where' names the level for messages ("command", "pcap subcommand"). */
static const struct cmd *
find(const struct cmd *const *tables, size_t ntables, const char *word, const char *where,
     struct err *e)
{
	const struct cmd *hit = NULL;
	struct sbuf cands = SBUF_INIT;
	int n = 0;
	size_t len = strlen(word);

	for (size_t t = 0; t < ntables; t++)
		for (const struct cmd *c = tables[t]; c->name; c++)
			if (strcmp(c->name, word) == 0)
				return c;
	for (size_t t = 0; t < ntables; t++) {
		for (const struct cmd *c = tables[t]; c->name; c++) {
			if ((c->flags & CMD_F_HIDDEN) || strncmp(c->name, word, len) != 0)
				continue;
			sbuf_printf(&cands, "%s%s", n ? ", " : "", c->name);
			hit = c;
			n++;
		}
	}
	if (n == 1) {
		sbuf_release(&cands);
		return hit;
	}
	if (n == 0)
		err_set(e, -ENOENT, "unknown %s '%s' (try 'help')", where, word);
	else
		err_set(e, -EINVAL, "ambiguous %s '%s': %s", where, word, sbuf_str(&cands));
	sbuf_release(&cands);
	return NULL;
}

static const struct cmd *
find_top(const char *word, struct err *e)
{
	const struct cmd *tables[NTOPICS];

	for (size_t t = 0; t < NTOPICS; t++)
		tables[t] = topics[t].cmds;
	return find(tables, NTOPICS, word, "command", e);
}

const struct cmd *
cmd_find(const struct cmd *table, const char *word, const char *where, struct err *e)
{
	return find(&table, 1, word, where, e);
}

static const struct cmd *
find_sub(const struct cmd *parent, const char *word, struct err *e)
{
	char where[64];

	snprintf(where, sizeof where, "%s subcommand", parent->name);
	return cmd_find(parent->sub, word, where, e);
}

/* "info|gen", the subcommand names for a usage line. */
static void
sub_names(const struct cmd *parent, struct sbuf *out)
{
	for (const struct cmd *c = parent->sub; c->name; c++)
		if (!(c->flags & CMD_F_HIDDEN))
			sbuf_printf(out, "%s%s", c == parent->sub ? "" : "|", c->name);
}

/*---- Dispatch ----*/

static bool
arity_ok(const struct cmd *c, int argc)
{
	return c->arity >= 0 ? argc == c->arity : argc >= -c->arity;
}

/* Builds argv for 'line': the raw rest for chunk commands, else split words with the command
** path resolved and "--json" taken out. Returns the command, or NULL with 'e' set. */
static const struct cmd *
parse(const char *line, struct args *a, bool *out_json, struct err *e)
{
	size_t ws, wl, rest = args_first_word(line, &ws, &wl);
	char *word = xstrndup(line + ws, wl);
	const struct cmd *c = find_top(word, e);

	free(word);
	*out_json = false;
	if (!c)
		return NULL;
	if (c->flags & CMD_F_RAW) {
		const char *r = line + rest;
		size_t n = strlen(r);
		while (*r == ' ' || *r == '\t')
			r++, n--;
		while (n && (r[n - 1] == ' ' || r[n - 1] == '\t' || r[n - 1] == '\n'))
			n--;
		args_release(a);
		args_push(a, c->name);
		if (n) {
			char *chunk = xstrndup(r, n);
			args_push(a, chunk);
			free(chunk);
		}
		return c;
	}
	if (args_split(a, line, e) < 0)
		return NULL;
	while (c->sub) {
		struct sbuf names = SBUF_INIT;
		if (a->argc < 2) {
			sub_names(c, &names);
			err_set(e, -EINVAL, "usage: %s %s ... (try 'help %s')", c->name,
				sbuf_str(&names), c->name);
			sbuf_release(&names);
			return NULL;
		}
		c = find_sub(c, a->argv[1], e);
		if (!c)
			return NULL;
		args_remove(a, 0);
	}
	free(a->argv[0]);
	a->argv[0] = xstrdup(c->name);
	if (c->flags & CMD_F_JSON) {
		for (int i = 1; i < a->argc;) {
			if (strcmp(a->argv[i], "--json") == 0) {
				args_remove(a, i);
				*out_json = true;
			} else {
				i++;
			}
		}
	}
	return c;
}

int
cmd_dispatch(struct session *s, const char *line)
{
	struct err e = ERR_INIT;
	struct args a = ARGS_INIT;
	size_t ws, wl;
	bool json, saved_json = s->out.json;
	const struct cmd *c;
	int rc;

	args_first_word(line, &ws, &wl);
	if (!wl || line[ws] == '#')
		return 0;
	s->ncmd++;
	c = parse(line, &a, &json, &e);
	if (json)
		s->out.json = true;
	if (!c) {
		rc = -1;
	} else if (!arity_ok(c, a.argc)) {
		rc = err_set(&e, -EINVAL, "usage: %s", c->usage);
	} else {
		session_begin_command(s);
		rc = c->fn(s, a.argc, a.argv, &e);
		session_end_command(s);
	}
	if (rc < 0) {
		if (!e.msg[0])
			err_set(&e, rc, "%s failed (%s)", c ? c->name : "command", strerror(-rc));
		if (s->where)
			out_err(&s->out, "%s: %s", s->where, e.msg);
		else
			out_err(&s->out, "%s", e.msg);
		s->nerr++;
		rc = -1;
	}
	s->out.json = saved_json;
	args_release(&a);
	if (rc == 0 && !s->out.json) {
		struct sbuf hint = SBUF_INIT;

		tour_after(s, &hint);
		if (sbuf_str(&hint)[0])
			out_note(&s->out, "%s", sbuf_str(&hint));
		sbuf_release(&hint);
	}
	return rc;
}

bool
cmd_incomplete(struct session *s, const char *text)
{
	size_t ws, wl, rest = args_first_word(text, &ws, &wl);
	char *word = xstrndup(text + ws, wl);
	const struct cmd *c = find_top(word, NULL);
	const char *chunk = text + rest;

	free(word);
	if (!c || !(c->flags & CMD_F_CHUNK) || !s->lua)
		return false;
	while (*chunk == ' ' || *chunk == '\t')
		chunk++;
	/* 'lua -f FILE' is a one-line command, not a chunk. */
	if (strncmp(chunk, "-f", 2) == 0 && (chunk[2] == ' ' || chunk[2] == '\0'))
		return false;
	return *chunk && lbaton_incomplete(s->lua, chunk);
}

/*---- Help ----*/

static void
help_line(struct session *s, const char *usage, const char *summary)
{
	size_t n = strlen(usage);

	out_printf(&s->out, "  %s%*s  %s\n", usage, n < 34 ? (int)(34 - n) : 0, "", summary);
}

static void
help_all(struct session *s)
{
	out_printf(&s->out, "baton %s: commands (unique prefixes work; 'help CMD' for more)\n",
		   BATON_VERSION);
	for (size_t t = 0; t < NTOPICS; t++) {
		out_printf(&s->out, "\n%s\n", topics[t].name);
		for (const struct cmd *c = topics[t].cmds; c->name; c++) {
			if (c->flags & CMD_F_HIDDEN)
				continue;
			if (!c->sub) {
				help_line(s, c->usage, c->summary);
				continue;
			}
			for (const struct cmd *sc = c->sub; sc->name; sc++)
				if (!(sc->flags & CMD_F_HIDDEN))
					help_line(s, sc->usage, sc->summary);
		}
	}
}

static void
help_one(struct session *s, const struct cmd *c)
{
	out_printf(&s->out, "usage: %s\n  %s\n", c->usage, c->summary);
	if (c->detail)
		out_printf(&s->out, "\n%s%s", c->detail,
			   c->detail[strlen(c->detail) - 1] == '\n' ? "" : "\n");
	if (c->more_help) {
		struct sbuf sb = SBUF_INIT;
		c->more_help(&sb);
		out_printf(&s->out, "\n%s", sbuf_str(&sb));
		sbuf_release(&sb);
	}
	if (c->sub) {
		out_printf(&s->out, "\nsubcommands:\n");
		for (const struct cmd *sc = c->sub; sc->name; sc++)
			if (!(sc->flags & CMD_F_HIDDEN))
				help_line(s, sc->usage, sc->summary);
	}
}

int
cmd_help(struct session *s, int argc, char **argv, struct err *e)
{
	const struct cmd *c;

	if (argc < 2) {
		help_all(s);
		return 0;
	}
	c = find_top(argv[1], e);
	for (int i = 2; c && i < argc; i++) {
		if (!c->sub)
			return err_set(e, -EINVAL, "'%s' has no subcommand '%s'", c->name, argv[i]);
		c = find_sub(c, argv[i], e);
	}
	if (!c)
		return e->code;
	help_one(s, c);
	return 0;
}

/*---- Completion ----*/

static void
add_matching(struct args *out, const char *word, const char *cand)
{
	if (strncmp(cand, word, strlen(word)) == 0)
		args_push(out, cand);
}

static void
add_words(struct args *out, const char *word, const char *words)
{
	struct args w = ARGS_INIT;

	if (!words || args_split(&w, words, NULL) < 0)
		return;
	for (int i = 0; i < w.argc; i++)
		add_matching(out, word, w.argv[i]);
	args_release(&w);
}

void
cmd_complete(const char *before, const char *word, struct args *out, bool *out_files)
{
	struct args a = ARGS_INIT;
	const struct cmd *c = NULL;

	args_release(out);
	*out_files = false;
	if (args_split(&a, before, NULL) < 0)
		return;
	if (a.argc == 0) {
		for (size_t t = 0; t < NTOPICS; t++)
			for (const struct cmd *tc = topics[t].cmds; tc->name; tc++)
				if (!(tc->flags & CMD_F_HIDDEN))
					add_matching(out, word, tc->name);
		args_release(&a);
		return;
	}
	c = find_top(a.argv[0], NULL);
	for (int i = 1; c && c->sub && i < a.argc; i++)
		c = find_sub(c, a.argv[i], NULL);
	if (c && c->sub) {
		for (const struct cmd *sc = c->sub; sc->name; sc++)
			if (!(sc->flags & CMD_F_HIDDEN))
				add_matching(out, word, sc->name);
	} else if (c) {
		add_words(out, word, c->words);
		if (c->flags & CMD_F_JSON)
			add_matching(out, word, "--json");
		*out_files = (c->flags & CMD_F_FILES) != 0;
	}
	args_release(&a);
}

/*---- Description for Lua ----*/

static struct val *
describe(const struct cmd *c, const char *topic)
{
	struct val *v = val_obj();

	val_set_str(v, "name", c->name);
	val_set_str(v, "topic", topic);
	val_set_str(v, "usage", c->usage);
	val_set_str(v, "summary", c->summary);
	if (c->sub) {
		struct val *sub = val_set(v, "sub", val_arr());
		for (const struct cmd *sc = c->sub; sc->name; sc++)
			if (!(sc->flags & CMD_F_HIDDEN))
				val_push(sub, describe(sc, topic));
	}
	return v;
}

struct val *
cmd_describe(void)
{
	struct val *list = val_arr();

	for (size_t t = 0; t < NTOPICS; t++)
		for (const struct cmd *c = topics[t].cmds; c->name; c++)
			if (!(c->flags & CMD_F_HIDDEN))
				val_push(list, describe(c, topics[t].name));
	return list;
}
