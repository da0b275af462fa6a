/* Emitting and running parallel builds: emit, launch, status, counters, stop (DESIGN.md
** section 7). */
#include "repl/cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/emit.h"
#include "engine/launch.h"
#include "engine/nfload.h"
#include "engine/portmap.h"
#include "engine/rss.h"
#include "engine/shard.h"
#include "repl/session.h"

static int
parse_seconds(const char *opt, const char *s, double *out, struct err *e)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v > 0) || v > 1e6)
		return err_set(e, -EINVAL, "%s wants seconds > 0, not '%s'", opt, s);
	*out = v;
	return 0;
}

static int
do_emit(struct session *s, int argc, char **argv, struct err *e)
{
	struct emit_opts o = { 0 };
	struct emit_build *b = NULL;
	struct rss_cons k;
	unsigned long n;
	int rc;

	if (!s->nf)
		return err_set(e, -EINVAL, "no NF loaded (load one first: load fw)");
	if ((rc = emit_mode_parse(argv[1], &o.mode, e)) < 0)
		return rc;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--force")) {
			o.force = true;
		} else if (!strcmp(argv[i], "--cores")) {
			if (++i == argc || !args_uint(argv[i], EMIT_MAX_CORES, &n) || !n)
				return err_set(e, -EINVAL, "--cores wants a whole number in 1..%d",
					       EMIT_MAX_CORES);
			o.cores = (unsigned)n;
		} else {
			return err_set(e, -EINVAL, "unknown option '%s' (--cores N, --force)", argv[i]);
		}
	}
	o.rss = s->rss;
	if (s->an && s->sh) {
		rss_cons_from_shard(s->an, s->sh, &k);
		o.cons = &k;
		if (!s->sh->shared_nothing && s->sh->n_reasons)
			o.locks_why = s->sh->reasons[0].text;
	}
	rc = emit_run(s->nf, &o, &s->progress, &b, e);
	if (o.cons)
		rss_cons_release(&k);
	if (rc < 0)
		return rc;
	if (s->out.json) {
		struct val *v = emit_to_val(b);
		out_json(&s->out, v);
		val_free(v);
	} else {
		struct sbuf sb = SBUF_INIT;
		emit_format(b, &sb);
		out_printf(&s->out, "%s", sbuf_str(&sb));
		sbuf_release(&sb);
	}
	emit_free(s->build);
	s->build = b;
	return 0;
}

static int
do_launch(struct session *s, int argc, char **argv, struct err *e)
{
	struct launch_opts o = { 0 };
	struct portmap pm;
	const char *lan = NULL, *port = NULL;
	struct launch_run *r;
	unsigned long n;
	char *msgs;
	int rc;

	if (!s->build)
		return err_set(e, -EINVAL, "nothing to launch: emit a build first (emit sn --cores 2)");
	if (s->run && launch_running(s->run))
		return err_set(e, -EBUSY, "%s is running: stop it first", s->build->nf);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;
		if (!strcmp(a, "--")) {
			o.n_eal = argc - i - 1;
			o.eal = argv + i + 1;
			break;
		} else if (!strcmp(a, "--loop")) {
			o.loop = true;
		} else if (!strcmp(a, "--null")) {
			o.null = true;
		} else if (!strcmp(a, "--pcap") && more) {
			o.pcap = argv[++i];
		} else if (!strcmp(a, "--lan") && more) {
			lan = argv[++i];
		} else if (!strcmp(a, "--port") && more) {
			port = argv[++i];
		} else if (!strcmp(a, "--flows") && more) {
			if (!args_uint(argv[++i], 1u << 24, &n) || !n)
				return err_set(e, -EINVAL, "--flows wants a whole number in 1..%u",
					       1u << 24);
			o.flows = (unsigned)n;
		} else if (!strcmp(a, "--duration") && more) {
			if ((rc = parse_seconds(a, argv[++i], &o.duration, e)) < 0)
				return rc;
		} else if (!strcmp(a, "--stats") && more) {
			if ((rc = parse_seconds(a, argv[++i], &o.stats, e)) < 0)
				return rc;
		} else {
			return err_set(e, -EINVAL, "%s '%s' (see help launch)", a[0] == '-' &&
				       !more ? "a value is missing after" : "unknown option", a);
		}
	}
	if ((lan || port || o.loop) && !o.pcap)
		return err_set(e, -EINVAL, "--lan, --port and --loop go with --pcap FILE");
	if (o.flows && !o.null)
		return err_set(e, -EINVAL, "--flows goes with --null");
	if (lan && port)
		return err_set(e, -EINVAL, "--lan and --port exclude each other");
	if (o.pcap) {
		if (!s->nf || strcmp(nfload_desc(s->nf)->name, s->build->nf))
			return err_set(e, -EINVAL, "--pcap needs %s loaded, for its ports",
				       s->build->nf);
		rc = lan ? portmap_lan(&pm, s->nf, lan, e) : portmap_one(&pm, s->nf,
									 port ? port : "0", e);
		if (rc < 0)
			return rc;
		o.pm = &pm;
	}
	launch_free(s->run);
	s->run = NULL;
	r = launch_start(s->build, &o, &s->progress, e);
	if (!r)
		return e->code ? e->code : -EINVAL;
	s->run = r;
	if (o.pcap)
		session_set_trace(s, o.pcap, &pm);
	msgs = launch_messages(r);
	if (s->out.json) {
		struct val *v = launch_status(r);
		val_set_str(v, "messages", msgs);
		out_json(&s->out, v);
		val_free(v);
	} else {
		struct sbuf sb = SBUF_INIT;
		struct val *v = launch_status(r);
		out_printf(&s->out, "%s", msgs);
		launch_format_status(v, &sb);
		out_printf(&s->out, "%s  counters, status, stop (or view cores) while it runs\n",
			   sbuf_str(&sb));
		val_free(v);
		sbuf_release(&sb);
	}
	free(msgs);
	return 0;
}

static int
need_run(struct session *s, struct err *e)
{
	if (!s->run)
		return err_set(e, -EINVAL, "nothing launched (emit, then launch)");
	return 0;
}

static int
do_status(struct session *s, int argc, char **argv, struct err *e)
{
	struct val *v;
	int rc;

	if ((rc = need_run(s, e)) < 0)
		return rc;
	v = launch_status(s->run);
	if (s->out.json) {
		out_json(&s->out, v);
	} else {
		struct sbuf sb = SBUF_INIT;
		launch_format_status(v, &sb);
		out_printf(&s->out, "%s", sbuf_str(&sb));
		sbuf_release(&sb);
	}
	val_free(v);
	return 0;
}

static int
do_counters(struct session *s, int argc, char **argv, struct err *e)
{
	struct val *v;
	int rc;

	if ((rc = need_run(s, e)) < 0)
		return rc;
	if (!(v = launch_counters(s->run, e)))
		return e->code;
	if (s->out.json) {
		out_json(&s->out, v);
	} else {
		struct sbuf sb = SBUF_INIT;
		launch_format_counters(v, &sb);
		out_printf(&s->out, "%s", sbuf_str(&sb));
		sbuf_release(&sb);
	}
	val_free(v);
	return 0;
}

static int
do_stop(struct session *s, int argc, char **argv, struct err *e)
{
	struct val *v;
	int rc;

	if ((rc = need_run(s, e)) < 0)
		return rc;
	if (!(v = launch_stop(s->run, 5.0, e)))
		return e->code;
	if (s->out.json) {
		out_json(&s->out, v);
	} else {
		struct sbuf sb = SBUF_INIT;
		launch_format_totals(v, &sb);
		out_printf(&s->out, "%s", sbuf_str(&sb));
		sbuf_release(&sb);
	}
	if (!(val_get(v, "accounted") && val_get(v, "accounted")->u.b))
		rc = err_set(e, -EIO, "packets unaccounted for: rx != tx + drops + floods + tx "
			     "failures");
	else if (val_get_int(v, "leaked", 0) > 0)
		rc = err_set(e, -EIO, "%lld mbufs leaked: the pools had %lld free before traffic "
			     "and %lld after the stop", (long long)val_get_int(v, "leaked", 0),
			     (long long)val_get_int(val_get(v, "mbufs"), "initial", 0),
			     (long long)val_get_int(val_get(v, "mbufs"), "final", 0));
	val_free(v);
	return rc;
}

const struct cmd cmd_run_table[] = {
	{ .name = "emit", .fn = do_emit, .arity = -2, .flags = CMD_F_JSON,
	  .usage = "emit seq|sn|locks [--cores N] [--force] [--json]",
	  .summary = "write and build the parallel DPDK build of the loaded NF",
	  .detail = "Writes build/NF-MODE-N/: config.c (Toeplitz keys, field sets as\n"
		    "RTE_ETH_RSS_* flags, RETA, mode, cores, the NF's configuration) and a\n"
		    "Makefile on pkg-config libdpdk linking the NF, nfs/lib (locked for locks) and\n"
		    "the runtime nfs/dpdk, then runs make. seq: one core. sn: one NF instance per\n"
		    "core with 1/N of each table, fed by RSS; needs the analysis to say\n"
		    "shared-nothing and the RSS configuration (rss solve) to meet its constraints.\n"
		    "locks: one shared state under per-core reader flags and a writer lock; a\n"
		    "packet whose read-only run wants to write re-runs under the write lock.\n"
		    "--cores N makes the RETA round robin over N cores (key kept). --force builds\n"
		    "sn anyway and says what that breaks.\n",
	  .words = "seq sn locks --cores --force" },
	{ .name = "launch", .fn = do_launch, .arity = -1, .flags = CMD_F_JSON | CMD_F_FILES,
	  .usage = "launch [--pcap FILE [--lan CIDR | --port N] [--loop]] [--null [--flows N]] "
		   "[--duration S] [--stats S] [-- EAL ARGS...]",
	  .summary = "run the emitted build on DPDK virtual ports; the shell stays usable",
	  .detail = "Starts the build (no shell in between) with EAL arguments that work without\n"
		    "NICs or hugepages: --no-pci --no-huge -m 512 --file-prefix baton-PID-N,\n"
		    "--lcores over the CPUs baton may use (lcore 0 sleeps, one per worker).\n"
		    "--pcap FILE: one net_pcap port per NF port; the trace is split per port\n"
		    "(--lan CIDR: IPv4 sources in CIDR on lan; --port N: all on one; default port\n"
		    "0) and per queue with the build's Toeplitz keys and RETA, so queue K holds\n"
		    "what RSS gives core K. Each queue's output goes to run/out-PORT-qK.pcap.\n"
		    "--loop replays it forever (nothing written). --null: net_null ports making\n"
		    "64-byte packets on every queue; --flows N stamps port 0's packets with N\n"
		    "flows per core and makes the other ports receive nothing (read-mostly\n"
		    "traffic). --duration S stops it after S seconds, --stats S makes it log a\n"
		    "JSON line every S seconds. Arguments after -- go to the EAL and replace the\n"
		    "defaults of their kind (--vdev, --lcores/-l, -m, --file-prefix, ...).\n",
	  .words = "--pcap --lan --port --loop --null --flows --duration --stats --" },
	{ .name = "status", .fn = do_status, .arity = 1, .flags = CMD_F_JSON,
	  .usage = "status [--json]",
	  .summary = "whether the launched build runs, its command line and queues" },
	{ .name = "counters", .fn = do_counters, .arity = 1, .flags = CMD_F_JSON,
	  .usage = "counters [--json]",
	  .summary = "per-core counters of the running build, rates since the last call",
	  .detail = "Reads /baton/cores from the build's DPDK telemetry socket: per core rx, tx,\n"
		    "drops, floods, tx failures, aborted reader runs and write locks (locks),\n"
		    "cycles per packet, and rates and busy share since the previous call; and\n"
		    "the free mbufs of its pools against their count before traffic.\n" },
	{ .name = "stop", .fn = do_stop, .arity = 1, .flags = CMD_F_JSON,
	  .usage = "stop [--json]",
	  .summary = "stop the launched build: totals, and the pcaps it wrote",
	  .detail = "Sends SIGINT, waits for the totals the build prints (rx = tx + drops +\n"
		    "floods + tx failures: it fails when a packet is unaccounted for, or when\n"
		    "the mbuf pools have fewer free mbufs after the stop than before traffic)\n"
		    "and lists the output pcaps with their packet counts. A build that was\n"
		    "killed has no totals: stop says how it ended and removes its runtime files.\n" },
	{ .name = NULL },
};
