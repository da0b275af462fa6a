/*
** tour: the tutorial's steps. See tour.h.
*/
#include "repl/tour.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/launch.h"
#include "engine/nfload.h"
#include "engine/rss.h"
#include "repl/session.h"

struct tour_step {
	const char *cmd;	/* what to type; %s: the bundled trace's path */
	const char *what;	/* a line for the overview */
	const char *more;	/* what happens and what to look at */
	bool (*done)(const struct session *s);
};

static bool done_load(const struct session *s) { return s->nf != NULL; }
static bool done_analyze(const struct session *s) { return s->an != NULL; }
static bool done_graph(const struct session *s) { return s->viewed_graph; }
static bool done_solve(const struct session *s) { return s->rss != NULL && s->an != NULL; }
static bool done_check(const struct session *s) { return s->checked; }
static bool done_emit(const struct session *s) { return s->build != NULL; }
static bool done_launch(const struct session *s) { return s->run != NULL; }
static bool done_cores(const struct session *s) { return s->viewed_cores; }
static bool done_stop(const struct session *s)
{
	return s->viewed_cores && s->run && !launch_running(s->run);
}

static const struct tour_step tour_steps[TOUR_STEPS] = {
	{ "load fw", "load the firewall NF (nfs/fw.c)",
	  "Compiles nfs/fw.c natively and to LLVM IR and shows its ports (lan, wan) and\n"
	  "configuration. Any bundled NF works the same way: load nat, load lb, ...",
	  done_load },
	{ "analyze", "every path a packet can take, every state access",
	  "Runs the NF symbolically: each path, the state objects nf_init made, each\n"
	  "access with its key in packet fields, then the verdict: shared-nothing (RSS\n"
	  "can keep all packets that share state on one core) or locks. 'show verdict'\n"
	  "gives the reasons with source lines.",
	  done_analyze },
	{ "view graph", "see which packet fields key which state",
	  "Full screen: packet fields on the left, state objects on the right, edges\n"
	  "saying on which port each is read (r) or written (w). Move with the arrows,\n"
	  "Enter on a node shows its accesses and the constraints they make. F1 help,\n"
	  "q comes back here.",
	  done_graph },
	{ "rss solve --cores 2", "Toeplitz keys that keep the constraints",
	  "Solves RSS keys exactly (GF(2) linear algebra) so that packets sharing state\n"
	  "hash to the same core, here for 2 cores, and reports the key's quality\n"
	  "honestly. 'view rss' shows the keys, the RETA and the load per core.",
	  done_solve },
	{ "check %s --lan 192.168.0.0/16", "prove it on a real trace",
	  "Replays the trace through the sequential NF and through one instance per\n"
	  "core fed by the RSS keys: no state entry may be touched by two cores, and\n"
	  "every packet must come out the same. --lan says which packets enter on lan.",
	  done_check },
	{ "emit sn --cores 2", "write and build the 2-core DPDK program",
	  "Generates build/fw-sn-2/ (the RSS keys and RETA in config.c, a Makefile on\n"
	  "libdpdk) and compiles it: a shared-nothing build, one NF instance per core.\n"
	  "The first build takes a few seconds.",
	  done_emit },
	{ "launch --pcap %s --lan 192.168.0.0/16 --loop", "run it on DPDK virtual ports",
	  "Starts the build on two net_pcap ports replaying the trace forever; each\n"
	  "queue gets the packets RSS would give its core. The shell stays usable:\n"
	  "'counters' prints per-core rates.",
	  done_launch },
	{ "view cores", "watch the 2 cores live",
	  "Per-core rx/tx packets per second, drops, cycles per packet and a sparkline\n"
	  "of the last minute, refreshed every second; the imbalance is max/mean.\n"
	  "F5 pauses, F6 sorts, q comes back here.",
	  done_cores },
	{ "stop", "stop the build and read its totals",
	  "Stops the build and checks every packet is accounted for: rx = tx + drops\n"
	  "+ floods. That is the tour; 'help' lists everything else, and the Lua\n"
	  "scripts in lua/examples/ are what-if analyses to run or copy:\n"
	  "baton lua/examples/fieldsets.lua fw",
	  done_stop },
};

/* The bundled trace, relative when baton runs in its source tree. */
static void
tour_cmd(const struct tour_step *st, struct sbuf *out)
{
	char path[4096];

	if (access("pcaps/bidir.pcap", R_OK) == 0)
		snprintf(path, sizeof path, "pcaps/bidir.pcap");
	else
		snprintf(path, sizeof path, "%s/pcaps/bidir.pcap", nfload_root());
	/* Each command has at most one %s: the trace. */
	for (const char *p = st->cmd; *p; p++) {
		if (p[0] == '%' && p[1] == 's') {
			sbuf_adds(out, path);
			p++;
		} else {
			sbuf_addc(out, *p);
		}
	}
}

int
tour_next(const struct session *s)
{
	for (int i = 0; i < TOUR_STEPS; i++)
		if (!tour_steps[i].done(s))
			return i;
	return TOUR_STEPS;
}

void
tour_format_step(const struct session *s, int n, struct sbuf *out)
{
	const struct tour_step *st = &tour_steps[n];

	sbuf_printf(out, "step %d of %d: %s%s\n", n + 1, TOUR_STEPS, st->what,
		    st->done(s) ? " (done)" : "");
	sbuf_adds(out, "  type:  ");
	tour_cmd(st, out);
	sbuf_adds(out, "\n");
	for (const char *p = st->more; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		sbuf_adds(out, "  ");
		sbuf_add(out, p, len);
		sbuf_addc(out, '\n');
		p += len + (nl ? 1 : 0);
	}
}

void
tour_format(const struct session *s, struct sbuf *out)
{
	int next = tour_next(s);

	sbuf_printf(out, "baton tutorial: from a sequential NF to a live 2-core build in %d steps\n",
		    TOUR_STEPS);
	for (int i = 0; i < TOUR_STEPS; i++) {
		struct sbuf c = SBUF_INIT;

		tour_cmd(&tour_steps[i], &c);
		/* The command in full (it is what to type); the aim when it fits 80 columns. */
		sbuf_printf(out, "  %s %d  %-22s%s%s\n", tour_steps[i].done(s) ? "✓" :
			    i == next ? ">" : " ", i + 1, sbuf_str(&c),
			    strlen(sbuf_str(&c)) <= 22 ? "  " : "",
			    strlen(sbuf_str(&c)) <= 22 ? tour_steps[i].what : "");
		sbuf_release(&c);
	}
	if (next == TOUR_STEPS) {
		sbuf_adds(out, "\nevery step is done. 'help' lists every command by topic; "
			  "'tutorial N' shows step N again.\n");
		return;
	}
	sbuf_adds(out, "\n");
	tour_format_step(s, next, out);
	sbuf_adds(out, "(each step you finish prints the next; 'tutorial N' shows step N)\n");
}

void
tour_suggest(const struct session *s, struct sbuf *out)
{
	int next = tour_next(s), n = 0;

	sbuf_adds(out, "try next:\n");
	for (int i = next; i < TOUR_STEPS && n < 2; i++, n++) {
		struct sbuf c = SBUF_INIT;

		tour_cmd(&tour_steps[i], &c);
		sbuf_printf(out, "  %-24s %s\n", sbuf_str(&c), tour_steps[i].what);
		sbuf_release(&c);
	}
	sbuf_printf(out, "  %-24s %s\n", "tutorial", "a guided tour, step by step, to a live build");
}

void
tour_after(struct session *s, struct sbuf *out)
{
	int next;

	if (!s->tour)
		return;
	next = tour_next(s);
	if (next == s->tour_step)
		return;
	s->tour_step = next;
	if (next == TOUR_STEPS) {
		sbuf_adds(out, "tutorial: done, every step. 'help' lists the rest.\n");
		return;
	}
	sbuf_printf(out, "tutorial: next, step %d of %d: ", next + 1, TOUR_STEPS);
	tour_cmd(&tour_steps[next], out);
	sbuf_printf(out, "   (%s; 'tutorial' for more)\n", tour_steps[next].what);
}
