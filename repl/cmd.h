#ifndef REPL_CMD_H
#define REPL_CMD_H
/*
** Command tables and dispatch. Each topic (shell, lua, pcap, ...) declares one table in its
** cmd_<topic>.c; this module finds commands by exact name or unique prefix, checks arity and
** options centrally, prints errors, and generates help, completion and baton.commands() from
** the same tables, so nothing is documented twice.
*/

#include <stdbool.h>

#include "engine/err.h"
#include "engine/sbuf.h"
#include "engine/val.h"
#include "repl/args.h"

struct session;

/* A handler: argv[0] is the command's own name (the subcommand's, for "pcap info").
** Returns 0, or a negative code with the message in 'e' (the dispatcher prints it). */
typedef int cmd_fn(struct session *s, int argc, char **argv, struct err *e);

enum {
	CMD_F_RAW = 1 << 0,	/* gets the rest of the line unsplit as argv[1] (Lua code) */
	CMD_F_CHUNK = 1 << 1,	/* raw text that may go on over several lines (a Lua chunk) */
	CMD_F_JSON = 1 << 2,	/* accepts --json anywhere on its line */
	CMD_F_FILES = 1 << 3,	/* completes file names for its arguments */
	CMD_F_HIDDEN = 1 << 4,	/* not listed, not matched by prefix */
};

struct cmd {
	const char *name;	/* "info"; its full path is "pcap info" */
	cmd_fn *fn;		/* NULL when 'sub' is set */
	int arity;		/* N: exactly N words, -N: at least N (argv[0] counts) */
	unsigned flags;		/* CMD_F_* */
	const char *usage;	/* "pcap info FILE [--json]" */
	const char *summary;	/* one line, for help and completion */
	const char *detail;	/* more lines for 'help CMD', or NULL */
	const struct cmd *sub;	/* subcommand table, or NULL */
	const char *words;	/* extra words to complete ("uniform zipf --flows"), or NULL */
	void (*more_help)(struct sbuf *out);	/* appends generated help (option lists), or NULL */
};

/* The topic tables, each ended by an entry with a NULL name. */
extern const struct cmd cmd_shell_table[];
extern const struct cmd cmd_lua_table[];
extern const struct cmd cmd_pcap_table[];
extern const struct cmd cmd_nf_table[];
extern const struct cmd cmd_rss_table[];
extern const struct cmd cmd_check_table[];
extern const struct cmd cmd_run_table[];
extern const struct cmd cmd_viz_table[];

/* 'rss balance', in cmd_check.c with the other trace commands. */
cmd_fn cmd_rss_balance;

/* Finds 'word' in one table: an exact name, else a unique prefix of a visible command.
** NULL with 'e' set when unknown or ambiguous (the message lists the candidates); 'where'
** names the level in messages ("command"). */
const struct cmd *cmd_find(const struct cmd *table, const char *word, const char *where,
			   struct err *e);

/* Runs one logical line (blank and '#' lines do nothing). Counts the command in s->ncmd and a
** failure in s->nerr, and prints the failure. Returns 0 or -1. */
int cmd_dispatch(struct session *s, const char *line);

/* True when 'text' is a chunk command (lua ...) whose chunk is not finished yet, so the reader
** should append the next line. */
bool cmd_incomplete(struct session *s, const char *text);

/* Prints the list of commands, or the usage and detail of the command named by argv. */
int cmd_help(struct session *s, int argc, char **argv, struct err *e);

/* Completion: the candidates for 'word' when the line before it is 'before'. Sets *out_files
** when file names fit too. Candidates go into 'out' (released first). */
void cmd_complete(const char *before, const char *word, struct args *out, bool *out_files);

/* Every command as a list of {name, usage, summary, topic} (subcommands under "sub"). */
struct val *cmd_describe(void);

#endif
