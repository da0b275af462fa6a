/* Checking a sharding on traces: 'check PCAP' and 'rss balance PCAP' (DESIGN.md section 6). */
#include "repl/cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/check.h"
#include "engine/json.h"
#include "engine/nfload.h"
#include "engine/portmap.h"
#include "engine/rss.h"
#include "engine/shard.h"
#include "engine/xalloc.h"
#include "repl/session.h"

/* What check and rss balance read: a trace, ports, cores and a configuration. */
struct trace_args {
	const char *pcap, *gen, *lan, *port, *config, *out;
	unsigned cores;
	struct portmap pm;
	struct rss_config *cfg;		/* owned */
	char source[160];		/* where cfg came from, for the notes */
};

static int
parse_trace_args(struct session *s, int argc, char **argv, struct trace_args *t, struct err *e)
{
	unsigned long n;
	int rc;

	memset(t, 0, sizeof *t);
	if (!s->nf)
		return err_set(e, -EINVAL, "no NF loaded (load one first: load fw)");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], **dst = NULL;

		if (!strcmp(a, "--lan"))
			dst = &t->lan;
		else if (!strcmp(a, "--port"))
			dst = &t->port;
		else if (!strcmp(a, "--config"))
			dst = &t->config;
		else if (!strcmp(a, "--gen"))
			dst = &t->gen;
		else if (!strcmp(a, "--out") && !strcmp(argv[0], "check"))
			dst = &t->out;
		else if (!strcmp(a, "--cores")) {
			if (++i == argc)
				return err_set(e, -EINVAL, "--cores needs a value");
			if (!args_uint(argv[i], RSS_MAX_CORES, &n) || !n)
				return err_set(e, -EINVAL, "--cores wants a whole number in 1..%d, not "
					       "'%s'", RSS_MAX_CORES, argv[i]);
			t->cores = (unsigned)n;
			continue;
		} else if (a[0] == '-' && a[1])
			return err_set(e, -EINVAL, "unknown option '%s' (--lan CIDR, --port N, --cores "
				       "N, --config CURRENT|FILE, --gen SPEC)", a);
		else if (t->pcap)
			return err_set(e, -EINVAL, "one trace at a time ('%s' and '%s')", t->pcap, a);
		else
			t->pcap = a;
		if (dst) {
			if (++i == argc)
				return err_set(e, -EINVAL, "%s needs a value", a);
			*dst = argv[i];
		}
	}
	if (!t->pcap == !t->gen)
		return err_set(e, -EINVAL, t->pcap ? "a trace or --gen, not both" :
			       "which trace? give a pcap, or --gen bidir,flows=10000");
	if (t->lan && t->port)
		return err_set(e, -EINVAL, "--lan and --port exclude each other");
	rc = t->lan ? portmap_lan(&t->pm, s->nf, t->lan, e) :
		      portmap_one(&t->pm, s->nf, t->port ? t->port : "0", e);
	if (rc < 0)
		return rc;

	/* The configuration: a file, the session's, or the defaults. */
	if (t->config && strcmp(t->config, "CURRENT") && strcmp(t->config, "current")) {
		struct val *v = json_read_file(t->config, e), *inner;
		if (!v)
			return e->code ? e->code : -EINVAL;
		/* 'check --json' and 'rss solve --json' hold the configuration under a key. */
		inner = (struct val *)val_get(v, "config");
		t->cfg = rss_config_from_val(inner ? inner : v, e);
		val_free(v);
		if (!t->cfg) {
			err_prefix(e, "%s", t->config);
			return -EINVAL;
		}
		snprintf(t->source, sizeof t->source, "%s", t->config);
	} else if (s->rss) {
		t->cfg = rss_config_copy(s->rss);
		snprintf(t->source, sizeof t->source, "the current configuration");
	} else if (t->config) {
		return err_set(e, -EINVAL, "--config CURRENT: there is none yet (rss solve makes "
			       "one)");
	} else {
		t->cfg = rss_config_new(NULL, t->cores, 0, nfload_nports(s->nf),
					nfload_desc(s->nf)->ports);
		snprintf(t->source, sizeof t->source, "no RSS configuration yet (rss solve makes "
			 "one): the defaults, the Microsoft key on the 4-tuple");
	}
	if (t->cores && t->cores != t->cfg->cores) {
		if (check_config_cores(t->cfg, t->cores, e) < 0) {
			err_prefix(e, "--cores");
			return e->code;
		}
		snprintf(t->source + strlen(t->source), sizeof t->source - strlen(t->source),
			 ", RETA round robin over %u cores", t->cores);
	}
	return 0;
}

static void
trace_args_release(struct trace_args *t)
{
	rss_config_free(t->cfg);
	t->cfg = NULL;
}

static int
do_check(struct session *s, int argc, char **argv, struct err *e)
{
	struct trace_args t;
	struct check_opts o = { 0 };
	struct check_result *r;
	int rc;

	rc = parse_trace_args(s, argc, argv, &t, e);
	if (rc < 0) {
		trace_args_release(&t);
		return rc;
	}
	o.pm = &t.pm;
	o.rss = t.cfg;
	o.gen = t.gen;
	o.out_prefix = t.out;
	o.analyzed = s->sh != NULL;
	if (s->sh && !s->sh->shared_nothing) {
		o.locks = true;
		o.locks_why = s->sh->n_reasons ? s->sh->reasons[0].text : NULL;
	}
	if (!s->out.json)
		out_note(&s->out, "rss: %s\n", t.source);
	r = xcalloc(1, sizeof *r);
	rc = check_run(s->nf, t.pcap, &o, &s->progress, r, e);
	if (rc == 0 && t.pcap)
		session_set_trace(s, t.pcap, &t.pm);
	if (rc == 0)
		s->checked = true;
	/* Stopped or cut short: show what was seen, then fail. */
	if (rc == 0 || rc == -EINTR || rc == -EIO) {
		if (s->out.json) {
			struct val *v = check_to_val(r);
			out_json(&s->out, v);
			val_free(v);
		} else {
			struct sbuf sb = SBUF_INIT;
			check_format(r, &sb);
			out_printf(&s->out, "%s", sbuf_str(&sb));
			sbuf_release(&sb);
		}
	}
	check_release(r);
	free(r);
	trace_args_release(&t);
	return rc;
}

/* rss balance PCAP: the session's RETA rebalanced for the trace (cmd_rss.c's table). */
int
cmd_rss_balance(struct session *s, int argc, char **argv, struct err *e)
{
	struct trace_args t;
	struct rss_cons k;
	struct rss_rebalance rb;
	uint64_t *loads[RSS_MAX_PORTS];
	const uint64_t *cl[RSS_MAX_PORTS];
	int64_t n;
	int rc;

	rc = parse_trace_args(s, argc, argv, &t, e);
	if (rc < 0) {
		trace_args_release(&t);
		return rc;
	}
	n = check_loads(t.pcap, t.gen, &t.pm, t.cfg, nfload_nports(s->nf),
			nfload_desc(s->nf)->ports, &s->progress, loads, e);
	if (n < 0) {
		trace_args_release(&t);
		return (int)n;
	}
	if (t.pcap)
		session_set_trace(s, t.pcap, &t.pm);
	if (s->an && s->sh)
		rss_cons_from_shard(s->an, s->sh, &k);
	else
		rss_cons_none(&k, t.cfg->n_ports, (const char *const *)t.cfg->ports);
	for (unsigned i = 0; i < RSS_MAX_PORTS; i++)
		cl[i] = loads[i];
	rc = rss_rebalance(t.cfg, s->an && s->sh ? &k : NULL, cl, &rb, e);
	for (unsigned i = 0; i < RSS_MAX_PORTS; i++)
		free(loads[i]);
	if (rc == 0) {
		if (s->out.json) {
			struct val *v = rss_rebalance_val(t.cfg, &rb);
			val_set(v, "config", rss_config_val(t.cfg));
			out_json(&s->out, v);
			val_free(v);
		} else {
			struct sbuf sb = SBUF_INIT;
			out_note(&s->out, "rss: %s; %lld packets\n", t.source, (long long)n);
			rss_format_rebalance(t.cfg, &rb, &sb);
			out_printf(&s->out, "%s", sbuf_str(&sb));
			sbuf_release(&sb);
		}
		/* The new RETA becomes the session's configuration. */
		rss_config_free(s->rss);
		s->rss = t.cfg;
		t.cfg = NULL;
		rss_rebalance_release(&rb);
	}
	rss_cons_release(&k);
	trace_args_release(&t);
	return rc;
}

const struct cmd cmd_check_table[] = {
	{ .name = "check", .fn = do_check, .arity = -1, .flags = CMD_F_JSON | CMD_F_FILES,
	  .usage = "check PCAP|--gen SPEC [--lan CIDR | --port N] [--cores N] "
		   "[--config CURRENT|FILE] [--out PREFIX] [--json]",
	  .summary = "replay a trace sequentially and sharded: consistency, balance, semantics",
	  .detail = "Every packet gets its port (--lan: IPv4 sources in CIDR on lan, the rest on\n"
		    "wan; --port: all on one; default port 0) and its RSS core as the NIC computes\n"
		    "it (key, field set, RETA of the current configuration, or FILE as 'rss show\n"
		    "--json' writes it). The traced NF then runs as one sequential instance and as\n"
		    "one instance per core (capacity 1/N) fed only that core's packets.\n"
		    "consistency: each state entry, from its creation to its removal or expiry,\n"
		    "must be touched from one core only (wrong-core lookups that come out the same\n"
		    "as in the sequential run are not counted). balance: packets and flows per\n"
		    "core, max/mean, flows too big for any core. semantics: verdicts and bytes,\n"
		    "sharded vs sequential; differences on cores whose tables filled are apart.\n"
		    "--gen SPEC checks a generated trace without a file: pcap gen's kind and\n"
		    "options as KIND,KEY=VALUE,... (--gen bidir,flows=10000). --cores N makes the\n"
		    "RETA round robin over N cores. --out PREFIX writes PREFIX-coreK-PORT.pcap,\n"
		    "what core K's instance sent to PORT: what a parallel build's queue K of\n"
		    "PORT should send. Ctrl-C shows what was seen so far.\n",
	  .words = "--out --lan --port --cores --config --gen CURRENT uniform zipf bidir churn" },
	{ .name = NULL },
};
