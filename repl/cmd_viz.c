/* The ncurses views: view graph, view paths, view rss, view cores (DESIGN.md section 8). Each
** needs a terminal; the 'show' commands print the same facts as text. */
#include "repl/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/launch.h"
#include "engine/portmap.h"
#include "engine/rss.h"
#include "repl/session.h"
#include "viz/view_cores.h"
#include "viz/view_graph.h"
#include "viz/view_paths.h"
#include "viz/view_rss.h"

static int
need_analysis(struct session *s, struct err *e)
{
	if (!s->nf)
		return err_set(e, -EINVAL, "no NF loaded (load one first: load fw)");
	if (!s->an || !s->sh)
		return err_set(e, -EINVAL, "no analysis yet (run analyze first)");
	return 0;
}

/* The shell's own output must be on the terminal before curses takes it over. */
static void
flush_out(struct session *s)
{
	fflush(stdout);
	fflush(stderr);
}

static int
do_graph(struct session *s, int argc, char **argv, struct err *e)
{
	int rc;

	if (need_analysis(s, e) < 0)
		return -EINVAL;
	flush_out(s);
	rc = view_graph_run(s->an, s->sh, s->stop, e);
	if (rc == 0)
		s->viewed_graph = true;
	return rc;
}

static int
do_paths(struct session *s, int argc, char **argv, struct err *e)
{
	if (need_analysis(s, e) < 0)
		return -EINVAL;
	flush_out(s);
	return view_paths_run(s->an, s->stop, e);
}

static int
do_rss(struct session *s, int argc, char **argv, struct err *e)
{
	struct view_rss_args a = { 0 };
	struct rss_cons k;
	struct rss_config *out = NULL;
	struct portmap pm;
	int rc;

	if (!s->nf)
		return err_set(e, -EINVAL, "no NF loaded (load one first: load fw)");
	session_rss_cons(s, &k);
	a.cfg = session_rss(s);
	a.cons = &k;
	a.analyzed = s->an && s->sh;
	/* The trace's split is redone for the NF loaded now (its ports may differ). */
	if (s->trace) {
		rc = s->trace_pm.by_lan ? portmap_lan(&pm, s->nf, s->trace_pm.cidr, NULL) : -1;
		if (rc < 0) {
			char port[16];

			snprintf(port, sizeof port, "%u", s->trace_pm.by_lan ? 0 : s->trace_pm.port);
			rc = portmap_one(&pm, s->nf, port, NULL);
		}
		if (rc == 0) {
			a.trace = s->trace;
			a.pm = &pm;
		}
	}
	flush_out(s);
	rc = view_rss_run(&a, s->stop, &out, e);
	rss_cons_release(&k);
	if (rc == 0 && out) {
		rss_config_free(s->rss);
		s->rss = out;
		out_note(&s->out, "view rss: the configuration you ended on is now the session's "
			 "(rss show prints it)\n");
	}
	return rc;
}

static int
do_cores(struct session *s, int argc, char **argv, struct err *e)
{
	if (!s->run || !launch_running(s->run))
		return err_set(e, -EINVAL, "no build is running (emit sn --cores 2, then launch "
			       "--pcap FILE --loop)");
	flush_out(s);
	if (view_cores_run(s->run, s->stop, e) < 0)
		return e->code;
	s->viewed_cores = true;
	return 0;
}

static const struct cmd view_sub[] = {
	{ .name = "graph", .fn = do_graph, .arity = 1, .usage = "view graph",
	  .summary = "the state-dependency graph: key fields -> objects, r/w per port",
	  .detail = "Left: what keys are made of (packet fields, values read from state);\n"
		    "right: the state objects, green read-only, yellow written, red forcing\n"
		    "locks. Edges say on which ports and r (read), w (write), u (update).\n"
		    "Arrows move between nodes, Enter shows the node's accesses with their\n"
		    "source lines and the constraints it produces. F1 help, q back.\n" },
	{ .name = "paths", .fn = do_paths, .arity = 1, .usage = "view paths",
	  .summary = "the call-path tree, folding; each leaf's verdict and path condition",
	  .detail = "Enter or Space folds and unfolds a branch; Left folds, Right unfolds;\n"
		    "+ and - unfold or fold everything. The selected path's condition, writes\n"
		    "and state calls show below the tree.\n" },
	{ .name = "rss", .fn = do_rss, .arity = 1, .usage = "view rss",
	  .summary = "keys, field sets, RETA by core, load per core; switch sets, re-solve",
	  .detail = "Per port the key, field set, constraint status and quality; the RETA as a\n"
		    "grid coloured by core; packets per core for the current trace (the last\n"
		    "one replay, check or launch read) or uniform traffic. Keys switch the field\n"
		    "set and re-solve, showing the result at once; what you end on becomes the\n"
		    "session's configuration.\n" },
	{ .name = "cores", .fn = do_cores, .arity = 1, .usage = "view cores",
	  .summary = "the launched build live: per-core rates, sparklines, imbalance",
	  .detail = "Refreshed every second from the build's telemetry: per core rx/tx packets\n"
		    "per second and drops with a sparkline of the last minute, cycles per\n"
		    "packet, busy share, aborts and write locks (locks builds), and the\n"
		    "imbalance (max/mean rx). F5 pauses, F6 changes the sort.\n" },
	{ .name = NULL },
};

const struct cmd cmd_viz_table[] = {
	{ .name = "view", .arity = -2, .usage = "view graph|paths|rss|cores",
	  .summary = "full-screen views (ncurses); q comes back to the shell", .sub = view_sub },
	{ .name = NULL },
};
