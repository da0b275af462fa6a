#include "repl/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/analysis.h"
#include "engine/shard.h"
#include "engine/clock.h"
#include "engine/emit.h"
#include "engine/launch.h"
#include "engine/nfload.h"
#include "engine/rss.h"
#include "engine/xalloc.h"
#include "lua/lbaton.h"

static void
human(char *buf, size_t n, uint64_t v)
{
	if (v >= 1000000)
		snprintf(buf, n, "%.1fM", (double)v / 1e6);
	else if (v >= 10000)
		snprintf(buf, n, "%.1fk", (double)v / 1e3);
	else
		snprintf(buf, n, "%llu", (unsigned long long)v);
}

/* Draws "what: done/total (pct), rate/s" on stderr: redrawn in place on a terminal every half
** second after the first second, or a plain line every five seconds in logs. */
static void
report(void *arg, const char *what, uint64_t done, uint64_t total)
{
	struct session *s = arg;
	double now = clock_seconds(), el = now - s->prog_start;
	bool tty = isatty(STDERR_FILENO);
	char d[32], t[32], r[32];

	if (el < 1.0 || now - s->prog_last < (tty ? 0.5 : 5.0))
		return;
	s->prog_last = now;
	human(d, sizeof d, done);
	human(r, sizeof r, (uint64_t)((double)done / el));
	fflush(stdout);
	fprintf(stderr, "%s%s: %s", tty ? "\r" : "", what, d);
	if (total) {
		human(t, sizeof t, total);
		fprintf(stderr, "/%s (%.0f%%)", t, 100.0 * (double)done / (double)total);
	}
	fprintf(stderr, ", %s/s, %.1f s%s", r, el, tty ? "\033[K" : "\n");
	fflush(stderr);
	s->prog_drawn = tty;
}

void
session_init(struct session *s, const volatile sig_atomic_t *stop)
{
	memset(s, 0, sizeof *s);
	/* A Lua script runs outside any command: its progress counts from the start. */
	s->prog_start = s->prog_last = clock_seconds();
	s->stop = stop;
	s->progress.stop = stop;
	s->progress.report = report;
	s->progress.arg = s;
}

struct rss_config *
session_rss(struct session *s)
{
	if (!s->rss)
		s->rss = rss_config_new(NULL, 0, 0, nfload_nports(s->nf), nfload_desc(s->nf)->ports);
	return s->rss;
}

void
session_rss_cons(const struct session *s, struct rss_cons *out)
{
	if (s->an && s->sh)
		rss_cons_from_shard(s->an, s->sh, out);
	else
		rss_cons_none(out, nfload_nports(s->nf), nfload_desc(s->nf)->ports);
}

void
session_set_trace(struct session *s, const char *path, const struct portmap *pm)
{
	char *p = xstrdup(path);

	free(s->trace);
	s->trace = p;
	s->trace_pm = *pm;
}

void
session_release(struct session *s)
{
	lbaton_free(s->lua);
	s->lua = NULL;
	/* No build outlives the shell. */
	launch_free(s->run);
	s->run = NULL;
	emit_free(s->build);
	s->build = NULL;
	/* The analysis borrows from the NF (its name, its ports): it goes first. */
	session_drop_analysis(s);
	rss_config_free(s->rss);
	s->rss = NULL;
	free(s->trace);
	s->trace = NULL;
	nfload_close(s->nf);
	s->nf = NULL;
}

void
session_drop_analysis(struct session *s)
{
	/* The verdict reads the analysis: it goes first. */
	shard_free(s->sh);
	s->sh = NULL;
	analysis_free(s->an);
	s->an = NULL;
}

void
session_begin_command(struct session *s)
{
	s->prog_start = s->prog_last = clock_seconds();
}

void
session_end_command(struct session *s)
{
	if (s->prog_drawn) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
		s->prog_drawn = false;
	}
}
