#ifndef REPL_SESSION_H
#define REPL_SESSION_H
/*
** The one shell session: what is loaded, how output is shown, and how many commands ran and
** failed (the exit status). Every later part (loaded NF, analysis, RSS config, running build)
** hangs off this struct.
*/

#include <signal.h>
#include <stdbool.h>

#include "engine/portmap.h"
#include "engine/progress.h"
#include "lua/lbaton.h"
#include "repl/out.h"

struct analysis;
struct shard;
struct nfload;
struct rss_config;
struct rss_cons;
struct emit_build;
struct launch_run;

struct session {
	struct out out;			/* where output goes; out.json set by --json */
	struct lbaton *lua;		/* the Lua state with the baton module */
	struct lbaton_host lua_host;	/* what the shell lends Lua (baton.cmd, print) */
	bool interactive;		/* reading a terminal through readline */
	bool bail;			/* a batch stops at its first failed command */
	bool quit;			/* 'quit' ran: read no more commands */
	bool interrupted;		/* Ctrl-C stopped a batch */
	int ncmd;			/* commands run */
	int nerr;			/* commands that failed */
	int source_depth;		/* nested 'source' and 'lua -f', to refuse loops */
	const char *where;		/* "FILE:LINE" of the running batch line, or NULL */
	const volatile sig_atomic_t *stop;	/* Ctrl-C flag, owned by repl.c */
	struct progress progress;	/* given to engine loops: the stop flag and progress line */
	double prog_start;		/* when the running command began (progress line pacing) */
	double prog_last;		/* when the progress line was last drawn */
	bool prog_drawn;		/* a progress line is on the terminal and must be erased */
	struct nfload *nf;		/* the loaded NF, or NULL */
	struct analysis *an;		/* the last analysis of 'nf' as configured now, or NULL:
					** loading another NF or a successful 'set' drops it */
	struct shard *sh;		/* its constraints and verdict (with 'an') */
	struct rss_config *rss;		/* the RSS configuration for 'nf's ports, or NULL */
	struct emit_build *build;	/* the last build emitted, or NULL */
	struct launch_run *run;		/* the build launched last (running or ended), or NULL */
	char *trace;			/* the trace used last (replay, check, launch), or NULL */
	struct portmap trace_pm;	/* its ports as that command split them */
	/* The tutorial (tour.c): steps done that leave no other trace, and its hints. */
	bool viewed_graph;		/* 'view graph' ran */
	bool viewed_cores;		/* 'view cores' ran */
	bool checked;			/* 'check' ran to the end */
	bool tour;			/* 'tutorial' ran: say what is next after each step */
	int tour_step;			/* the next step when that was last said */
};

/* Sets up output and the progress reporter; 'stop' is the Ctrl-C flag. No Lua yet. */
void session_init(struct session *s, const volatile sig_atomic_t *stop);
void session_release(struct session *s);

/* Drops the last analysis (it no longer matches the loaded NF or its configuration). */
void session_drop_analysis(struct session *s);

/* The RSS configuration of the loaded NF (s->nf must be set), made with the defaults (software
** profile, the Microsoft key on the 4-tuple) on first use. */
struct rss_config *session_rss(struct session *s);
/* What the loaded NF (s->nf must be set) needs of RSS: the last analysis's constraints, or none
** before an analysis. Release with rss_cons_release. */
void session_rss_cons(const struct session *s, struct rss_cons *out);

/* Remembers 'path' and its port split as the current trace ('view rss' loads it). */
void session_set_trace(struct session *s, const char *path, const struct portmap *pm);

/* Marks the start and end of one command, for progress-line pacing and clean-up. */
void session_begin_command(struct session *s);
void session_end_command(struct session *s);

#endif
