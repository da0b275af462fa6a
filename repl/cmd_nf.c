/* NFs: 'load', 'set', 'replay', 'analyze' and 'show' (nf, and the analysis: paths, path,
** objects, accesses). */
#include "repl/cmd.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "engine/analysis.h"
#include "engine/shard.h"
#include "engine/nfload.h"
#include "engine/portmap.h"
#include "engine/replay.h"
#include "engine/rss.h"
#include "engine/xalloc.h"
#include "repl/session.h"

/* The bundled NFs, for completion (a unit test keeps this equal to the .c files of nfs/). */
#define NF_WORDS "bridge cl fw hhh lb nat nop pol psd sbridge"

/*---- Loading and configuring ----*/

static int
need_nf(struct session *s, struct err *e)
{
	if (s->nf)
		return 0;
	return err_set(e, -EINVAL, "no NF loaded (load one first: load fw)");
}

/* Prints 'v' as JSON and frees it. */
static void
put_json(struct session *s, struct val *v)
{
	out_json(&s->out, v);
	val_free(v);
}

/* Prints 'sb' and releases it. */
static void
put_text(struct session *s, struct sbuf *sb)
{
	out_printf(&s->out, "%s", sbuf_str(sb));
	sbuf_release(sb);
}

static void
show_nf(struct session *s)
{
	if (s->out.json) {
		put_json(s, nfload_to_val(s->nf));
	} else {
		struct sbuf sb = SBUF_INIT;
		nfload_format(s->nf, &sb);
		put_text(s, &sb);
	}
}

static int
do_load(struct session *s, int argc, char **argv, struct err *e)
{
	struct sbuf warn = SBUF_INIT;
	struct nfload *nf = nfload_open(argv[1], &s->progress, &warn, e);

	/* A failed load keeps the NF that was loaded before. */
	if (!nf) {
		sbuf_release(&warn);
		if (s->nf)
			err_prefix(e, "%s stays loaded; ", nfload_desc(s->nf)->name);
		return e->code ? e->code : -EINVAL;
	}
	if (sbuf_str(&warn)[0])
		out_note(&s->out, "%s", sbuf_str(&warn));
	sbuf_release(&warn);
	/* The analysis borrows from the NF it was made of, so it goes before the NF. */
	session_drop_analysis(s);
	/* RSS keys belong to the old NF's ports. */
	rss_config_free(s->rss);
	s->rss = NULL;
	nfload_close(s->nf);
	s->nf = nf;
	if (!s->out.json && nfload_compiled(nf))
		out_printf(&s->out, "compiled %s in %.2f s\n", nfload_source(nf),
			   nfload_compile_seconds(nf));
	show_nf(s);
	return 0;
}

/* One nfload_set; a value that took drops the analysis, which described the old configuration. */
static int
set_one(struct session *s, const char *key, const char *value, struct err *e)
{
	if (nfload_set(s->nf, key, value, e) < 0)
		return e->code ? e->code : -EINVAL;
	session_drop_analysis(s);
	return 0;
}

/* set KEY=VALUE ... (or KEY VALUE); with no argument, shows the configuration. */
static int
do_set(struct session *s, int argc, char **argv, struct err *e)
{
	if (need_nf(s, e) < 0)
		return -EINVAL;
	if (argc == 1) {
		show_nf(s);
		return 0;
	}
	if (argc == 3 && !strchr(argv[1], '='))
		return set_one(s, argv[1], argv[2], e);
	for (int i = 1; i < argc; i++) {
		char key[256];
		const char *eq = strchr(argv[i], '=');
		int rc;
		if (!eq || eq == argv[i] || (size_t)(eq - argv[i]) >= sizeof key)
			return err_set(e, -EINVAL, "'%s' is not KEY=VALUE", argv[i]);
		memcpy(key, argv[i], (size_t)(eq - argv[i]));
		key[eq - argv[i]] = '\0';
		rc = set_one(s, key, eq + 1, e);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
do_show_nf(struct session *s, int argc, char **argv, struct err *e)
{
	if (need_nf(s, e) < 0)
		return -EINVAL;
	show_nf(s);
	return 0;
}

static int
do_replay(struct session *s, int argc, char **argv, struct err *e)
{
	const char *pcap = NULL, *lan = NULL, *port = NULL, *prefix = NULL;
	struct portmap pm;
	struct replay_result *r;
	int rc;

	if (need_nf(s, e) < 0)
		return -EINVAL;
	for (int i = 1; i < argc; i++) {
		const char **dst = NULL;
		if (strcmp(argv[i], "--lan") == 0)
			dst = &lan;
		else if (strcmp(argv[i], "--port") == 0)
			dst = &port;
		else if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--out") == 0)
			dst = &prefix;
		else if (argv[i][0] == '-' && argv[i][1])
			return err_set(e, -EINVAL, "unknown option '%s' (--lan CIDR, --port N, -o PREFIX)",
				       argv[i]);
		else if (pcap)
			return err_set(e, -EINVAL, "one trace at a time ('%s' and '%s')", pcap, argv[i]);
		else
			pcap = argv[i];
		if (dst) {
			if (++i == argc)
				return err_set(e, -EINVAL, "%s needs a value", argv[i - 1]);
			*dst = argv[i];
		}
	}
	if (!pcap)
		return err_set(e, -EINVAL, "usage: replay PCAP [--lan CIDR | --port N] [-o PREFIX]");
	if (lan && port)
		return err_set(e, -EINVAL, "--lan and --port exclude each other");
	if (lan)
		rc = portmap_lan(&pm, s->nf, lan, e);
	else
		rc = portmap_one(&pm, s->nf, port ? port : "0", e);
	if (rc < 0)
		return rc;
	r = xcalloc(1, sizeof *r);
	rc = replay_run(s->nf, pcap, &pm, prefix, &s->progress, r, e);
	if (rc == 0)
		session_set_trace(s, pcap, &pm);
	/* Stopped or cut short: show what was replayed, then fail. */
	if (rc == 0 || rc == -EINTR || rc == -EIO) {
		if (s->out.json) {
			struct val *v = replay_to_val(r);
			out_json(&s->out, v);
			val_free(v);
		} else {
			struct sbuf sb = SBUF_INIT;
			replay_format(r, &sb);
			out_printf(&s->out, "%s", sbuf_str(&sb));
			sbuf_release(&sb);
		}
	}
	free(r);
	return rc;
}

/*---- Analysis ----*/

static int
need_analysis(struct session *s, struct err *e)
{
	if (s->an)
		return 0;
	return err_set(e, -EINVAL, "no analysis yet (run analyze first)");
}

/* --len MIN-MAX, or --len N for one length. The engine takes 0 as "the default", so the
** shortest length one can ask for is 1. */
static int
parse_len(const char *arg, struct analysis_opts *o, struct err *e)
{
	char buf[32];
	const char *dash = strchr(arg, '-');
	unsigned long lo, hi;

	if (strlen(arg) >= sizeof buf)
		goto bad;
	strcpy(buf, arg);
	if (dash) {
		buf[dash - arg] = '\0';
		if (!args_uint(buf, UINT16_MAX, &lo) || !args_uint(buf + (dash - arg) + 1,
								      UINT16_MAX, &hi))
			goto bad;
	} else {
		if (!args_uint(buf, UINT16_MAX, &lo))
			goto bad;
		hi = lo;
	}
	if (lo == 0 || lo > hi)
		return err_set(e, -EINVAL, "--len %s: want 1 <= MIN <= MAX <= 65535", arg);
	o->len_min = (unsigned)lo;
	o->len_max = (unsigned)hi;
	return 0;
bad:
	return err_set(e, -EINVAL, "--len wants MIN-MAX or N (bytes, up to 65535), not '%s'", arg);
}

/* The option that raises the limit behind a failed analysis, by the engine's code for it. */
static const char *
limit_option(int code)
{
	switch (code) {
	case -E2BIG: return "--max-paths N";
	case -EOVERFLOW: return "--max-steps N";
	case -ETIMEDOUT: return "--max-seconds S";
	case -ENOMEM: return "--max-memory MIB";
	default: return NULL;
	}
}

/* The value of a --max-* option: a whole number in 1..max, or seconds for --max-seconds. */
static int
parse_limit(const char *opt, const char *arg, struct analysis_opts *o, struct err *e)
{
	unsigned long n;
	char *end;

	if (!strcmp(opt, "--max-seconds")) {
		double v = strtod(arg, &end);

		if (end == arg || *end || !(v > 0) || v > 1e6)
			return err_set(e, -EINVAL, "--max-seconds wants seconds > 0, not '%s'",
				       arg);
		o->max_seconds = v;
		return 0;
	}
	if (!args_uint(arg, !strcmp(opt, "--max-paths") ? UINT_MAX : ULONG_MAX >> 20, &n) || n == 0)
		return err_set(e, -EINVAL, "%s wants a number of 1 or more, not '%s'", opt, arg);
	if (!strcmp(opt, "--max-paths"))
		o->max_paths = (unsigned)n;
	else if (!strcmp(opt, "--max-steps"))
		o->max_steps = n;
	else
		o->max_memory = (uint64_t)n << 20;
	return 0;
}

/* analyze [--len MIN-MAX] [--max-paths N] [--max-steps N] [--max-seconds S] [--max-memory MIB]:
** a failure keeps the previous analysis; one at a limit says which option raises it. */
static int
do_analyze(struct session *s, int argc, char **argv, struct err *e)
{
	static const char *const opts[] = { "--len", "--max-paths", "--max-steps", "--max-seconds",
					     "--max-memory" };
	struct analysis_opts o = { .progress = &s->progress };
	struct analysis *a;
	struct shard *sh;
	const char *raise;

	if (need_nf(s, e) < 0)
		return -EINVAL;
	for (int i = 1; i < argc; i++) {
		size_t k = 0;

		while (k < sizeof opts / sizeof opts[0] && strcmp(argv[i], opts[k]) != 0)
			k++;
		if (k == sizeof opts / sizeof opts[0])
			return err_set(e, -EINVAL, "unknown argument '%s' (--len MIN-MAX, "
				       "--max-paths N, --max-steps N, --max-seconds S, "
				       "--max-memory MIB)", argv[i]);
		if (++i == argc)
			return err_set(e, -EINVAL, "%s needs a value", argv[i - 1]);
		if (k == 0 ? parse_len(argv[i], &o, e) < 0 :
			     parse_limit(opts[k], argv[i], &o, e) < 0)
			return -EINVAL;
	}
	a = analysis_run(s->nf, &o, e);
	if (!a) {
		/* A stop can surface as some other failure (a canceled solver call): say what it was. */
		if (e->code == -EINTR || progress_stopped(o.progress))
			return err_set(e, -EINTR, "analysis stopped (Ctrl-C)%s",
				       s->an ? "; the previous analysis stays" : "");
		if (!e->msg[0])
			err_set(e, -EINVAL, "the analysis failed");
		raise = limit_option(e->code);
		if (raise || s->an) {
			size_t n = strlen(e->msg);

			snprintf(e->msg + n, sizeof e->msg - n, "%s%s%s%s",
				 raise ? "; analyze " : "", raise ? raise : "",
				 raise ? " raises it" : "",
				 s->an ? "; the previous analysis stays" : "");
		}
		return e->code ? e->code : -EINVAL;
	}
	sh = shard_run(a);
	session_drop_analysis(s);
	s->an = a;
	s->sh = sh;
	if (s->out.json) {
		struct val *v = analysis_to_val(a);

		shard_add_val(a, sh, v);
		put_json(s, v);
	} else {
		struct sbuf sb = SBUF_INIT;

		analysis_format_summary(a, &sb);
		sbuf_printf(&sb, "verdict: %s (%u constraint%s; show verdict for the reasons)\n",
			    sh->shared_nothing ? "shared-nothing" : "locks", sh->n_constraints,
			    sh->n_constraints == 1 ? "" : "s");
		put_text(s, &sb);
	}
	return 0;
}

/* show verdict | constraints | graph: the decision, the pairs behind it, the graph. */
static int
do_show_verdict(struct session *s, int argc, char **argv, struct err *e)
{
	struct sbuf sb = SBUF_INIT;

	(void)argc;
	if (need_analysis(s, e) < 0)
		return -EINVAL;
	if (s->out.json) {
		struct val *v = val_obj(), *r = val_arr();

		val_set_str(v, "verdict", s->sh->shared_nothing ? "shared-nothing" : "locks");
		for (uint32_t i = 0; i < s->sh->n_reasons; i++)
			val_push(r, val_str(s->sh->reasons[i].text));
		val_set(v, "reasons", r);
		val_set(v, "constraints", shard_constraints_val(s->an, s->sh));
		put_json(s, v);
		return 0;
	}
	if (!strcmp(argv[0], "verdict"))
		shard_format_verdict(s->an, s->sh, &sb);
	else
		shard_format_constraints(s->an, s->sh, &sb);
	put_text(s, &sb);
	return 0;
}

static int
do_show_graph(struct session *s, int argc, char **argv, struct err *e)
{
	struct sbuf sb = SBUF_INIT;

	(void)argc;
	(void)argv;
	if (need_analysis(s, e) < 0)
		return -EINVAL;
	if (s->out.json) {
		put_json(s, shard_graph_val(s->an, s->sh));
		return 0;
	}
	shard_format_graph(s->an, s->sh, &sb);
	put_text(s, &sb);
	return 0;
}

/* export graph FILE.dot: Graphviz, written whole or not at all. */
static int
do_export_graph(struct session *s, int argc, char **argv, struct err *e)
{
	struct sbuf sb = SBUF_INIT;
	char tmp[4096];
	FILE *f;
	int rc = 0;

	(void)argc;
	if (need_analysis(s, e) < 0)
		return -EINVAL;
	shard_format_dot(s->an, s->sh, &sb);
	if (snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]) >= (int)sizeof tmp) {
		sbuf_release(&sb);
		return err_set(e, -ENAMETOOLONG, "%s: name too long", argv[1]);
	}
	f = fopen(tmp, "w");
	if (!f) {
		rc = err_set(e, -errno, "%s: %s", argv[1], strerror(errno));
	} else {
		bool ok = fwrite(sbuf_str(&sb), 1, sb.len, f) == sb.len;

		ok &= fclose(f) == 0;
		if (!ok || rename(tmp, argv[1]) != 0) {
			rc = err_set(e, -EIO, "%s: %s", argv[1], strerror(errno));
			remove(tmp);
		}
	}
	if (!rc && !s->out.json)
		out_printf(&s->out, "wrote %s (%u edges; render it with dot -Tsvg %s -o graph.svg)\n",
			   argv[1], s->sh->n_edges, argv[1]);
	sbuf_release(&sb);
	return rc;
}

/* show paths [--tree] */
static int
do_show_paths(struct session *s, int argc, char **argv, struct err *e)
{
	bool tree = false;
	struct sbuf sb = SBUF_INIT;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--tree") != 0)
			return err_set(e, -EINVAL, "usage: show paths [--tree] [--json]");
		tree = true;
	}
	if (need_analysis(s, e) < 0)
		return -EINVAL;
	if (s->out.json) {
		if (tree)
			return err_set(e, -EINVAL, "the tree has no JSON form ('show paths --json' "
				       "gives each path's summary and events)");
		put_json(s, analysis_paths_val(s->an));
		return 0;
	}
	if (tree)
		analysis_format_tree(s->an, &sb);
	else
		analysis_format_paths(s->an, &sb);
	put_text(s, &sb);
	return 0;
}

/* show path N: N counts from 0, as 'show paths' numbers them. */
static int
do_show_path(struct session *s, int argc, char **argv, struct err *e)
{
	struct sbuf sb = SBUF_INIT;
	unsigned long n;
	int rc;

	if (need_analysis(s, e) < 0)
		return -EINVAL;
	if (!args_uint(argv[1], UINT32_MAX, &n))
		return err_set(e, -EINVAL, "'%s' is not a path number (0..%u)", argv[1],
			       s->an->n_paths ? s->an->n_paths - 1 : 0);
	if (s->out.json) {
		struct val *v = analysis_path_val(s->an, (uint32_t)n);
		if (v) {
			put_json(s, v);
			return 0;
		}
	}
	/* Text, or the engine's words for a path that does not exist. */
	rc = analysis_format_path(s->an, (uint32_t)n, &sb, e);
	if (rc < 0) {
		sbuf_release(&sb);
		return rc;
	}
	if (s->out.json) {	/* the JSON form refused a path the text form shows */
		sbuf_release(&sb);
		return err_set(e, -EINVAL, "path %lu has no JSON form", n);
	}
	put_text(s, &sb);
	return 0;
}

static int
do_show_objects(struct session *s, int argc, char **argv, struct err *e)
{
	struct sbuf sb = SBUF_INIT;

	if (need_analysis(s, e) < 0)
		return -EINVAL;
	if (s->out.json) {
		put_json(s, analysis_objects_val(s->an));
		return 0;
	}
	analysis_format_objects(s->an, &sb);
	put_text(s, &sb);
	return 0;
}

/* show accesses [OBJECT] */
static int
do_show_accesses(struct session *s, int argc, char **argv, struct err *e)
{
	const char *object = argc > 1 ? argv[1] : NULL;
	struct sbuf sb = SBUF_INIT;
	int rc;

	if (argc > 2)
		return err_set(e, -EINVAL, "usage: show accesses [OBJECT] [--json]");
	if (need_analysis(s, e) < 0)
		return -EINVAL;
	if (s->out.json) {
		struct val *v = analysis_accesses_val(s->an, object);
		if (v) {
			put_json(s, v);
			return 0;
		}
	}
	/* Text, or the engine's words for an object that does not exist. */
	rc = analysis_format_accesses(s->an, object, &sb, e);
	if (rc < 0) {
		sbuf_release(&sb);
		return rc;
	}
	if (s->out.json) {	/* the JSON form refused an object the text form shows */
		sbuf_release(&sb);
		return err_set(e, -EINVAL, "no JSON form for these accesses");
	}
	put_text(s, &sb);
	return 0;
}

/*---- Tables ----*/

static const struct cmd show_sub[] = {
	{ .name = "nf", .fn = do_show_nf, .arity = 1, .flags = CMD_F_JSON, .usage = "show nf [--json]",
	  .summary = "the loaded NF: summary, source, ports and configuration" },
	{ .name = "paths", .fn = do_show_paths, .arity = -1, .flags = CMD_F_JSON,
	  .usage = "show paths [--tree] [--json]",
	  .summary = "every path of the analysis: ports, condition, verdict, fields written",
	  .detail = "One line per path, numbered from 0: the input ports that can take it, its\n"
		    "condition in packet terms (port=lan, eth.type=0x0800, flows.get=miss ...), its\n"
		    "verdict (a port, drop or flood) and the packet fields it rewrites.\n"
		    "--tree shows the same paths as a call-path tree instead: each node a decision\n"
		    "(a branch or a state call's outcome, with its source line), each leaf a path.\n"
		    "With --json: the list of {id, ports, summary, verdict, writes, events}.\n",
	  .words = "--tree" },
	{ .name = "path", .fn = do_show_path, .arity = 2, .flags = CMD_F_JSON,
	  .usage = "show path N [--json]",
	  .summary = "one path in full: its conditions, state calls and writes, with source lines",
	  .detail = "N counts from 0, as 'show paths' numbers the paths.\n" },
	{ .name = "objects", .fn = do_show_objects, .arity = 1, .flags = CMD_F_JSON,
	  .usage = "show objects [--json]",
	  .summary = "the state objects nf_init made: kind, capacity, read or written, where",
	  .detail = "With --json: an object keyed by name, each with kind, capacity, access\n"
		    "(r or rw), site and keys (as 'show accesses --json').\n" },
	{ .name = "accesses", .fn = do_show_accesses, .arity = -1, .flags = CMD_F_JSON,
	  .usage = "show accesses [OBJECT] [--json]",
	  .summary = "every state access: object, call, read/write, key fields, ports, source line",
	  .detail = "Each access is one call on one object at one source line with one key, on any\n"
		    "number of paths. Each key byte is named: a packet field byte (ipv4.src[0],\n"
		    "masks kept: ipv4.src[3]&0xf0), a constant, a value read from state, the port\n"
		    "or length, or a derived expression (a hash, a mix of bytes). OBJECT limits\n"
		    "the list to one object.\n" },
	{ .name = "verdict", .fn = do_show_verdict, .arity = 1, .flags = CMD_F_JSON,
	  .usage = "show verdict [--json]",
	  .summary = "shared-nothing or locks, then every reason with its source lines",
	  .detail = "Shared-nothing when RSS can send all packets that share state to one core;\n"
		    "else locks. The reasons name the accesses: keys RSS cannot hash (MAC\n"
		    "addresses, non-linear functions, values read from state), written state with\n"
		    "a constant key (global), a port that would need disjoint fields. Objects only\n"
		    "read are replicated. Reasons marked with a cross force locks.\n" },
	{ .name = "constraints", .fn = do_show_verdict, .arity = 1, .flags = CMD_F_JSON,
	  .usage = "show constraints [--json]",
	  .summary = "which packets must share a core: field equalities between two ports",
	  .detail = "For every pair of accesses to a written object (same path or not, same port\n"
		    "or not), packets whose keys are equal must reach the same core: the fields\n"
		    "key equality makes equal, masks kept (ipv4.src/24). Duplicates and constraints\n"
		    "implied by one with fewer fields are left out. Each names the accesses it\n"
		    "comes from; the last lines say which fields each port may hash.\n" },
	{ .name = "graph", .fn = do_show_graph, .arity = 1, .flags = CMD_F_JSON,
	  .usage = "show graph [--json]",
	  .summary = "the state-dependency graph: key fields -> objects, one line per edge",
	  .detail = "Each edge: what a key is made of (a packet field, a constant, a value read\n"
		    "from another object) -> the object, with the ports, r/w/u (read, write,\n"
		    "update), the call and its source line. 'export graph FILE.dot' writes it\n"
		    "for Graphviz.\n" },
	{ .name = NULL },
};

static const struct cmd export_sub[] = {
	{ .name = "graph", .fn = do_export_graph, .arity = 2, .flags = CMD_F_FILES,
	  .usage = "export graph FILE.dot",
	  .summary = "write the state-dependency graph for Graphviz (dot -Tsvg renders it)",
	  .detail = "Packet fields are ellipses, state objects boxes (dashed: replicated);\n"
		    "edges are labelled with the ports, r/w/u, the call and its source line,\n"
		    "writes in red. The file is replaced whole or not at all.\n" },
	{ .name = NULL },
};

const struct cmd cmd_nf_table[] = {
	{ .name = "load", .fn = do_load, .arity = 2, .flags = CMD_F_JSON | CMD_F_FILES,
	  .usage = "load NF|FILE.c [--json]",
	  .summary = "compile and load an NF (a bundled name or a C file)",
	  .detail = "Compiles the NF with the state library into a shared object (cached under\n"
		    "build/nfs/so by content: an edit to the NF or to nfs/lib rebuilds it), loads it\n"
		    "and shows its descriptor. Compiler errors are shown as the compiler printed\n"
		    "them, and the NF loaded before stays loaded.\n",
	  .words = NF_WORDS },
	{ .name = "set", .fn = do_set, .arity = -1, .usage = "set [KEY=VALUE ...]",
	  .summary = "change the loaded NF's configuration (no argument: show it)",
	  .detail = "Each value is tried on a fresh instance first; a value the NF refuses\n"
		    "changes nothing and says why. A value that takes drops the analysis (it\n"
		    "described the old configuration): run analyze again.\n" },
	{ .name = "analyze", .fn = do_analyze, .arity = -1, .flags = CMD_F_JSON,
	  .usage = "analyze [--len MIN-MAX] [--max-paths N] [--max-seconds S] [--max-steps N] "
		   "[--max-memory MIB] [--json]",
	  .summary = "symbolic execution of the loaded NF: paths, state objects, accesses",
	  .detail = "Runs the loaded NF as configured now: nf_init concretely, then nf_process on\n"
		    "every packet at once (any port, any bytes, any length in MIN..MAX bytes,\n"
		    "default 60-1514; --len N for one length), one path per way through it. The\n"
		    "NF is compiled to LLVM bitcode first (cached like 'load'). Shows the counts\n"
		    "and the time taken; 'show paths', 'show path N', 'show objects' and 'show\n"
		    "accesses' show what it found, in packet terms.\n"
		    "The analysis stays until another NF is loaded or a 'set' changes the\n"
		    "configuration. Something the executor cannot model, a read past the packet,\n"
		    "or a limit hit fails with its source line, and the previous analysis stays.\n"
		    "Limits (each failure names the limit and the loop or branch that forked\n"
		    "most): --max-paths N gives up past N paths (default 10000), --max-steps N\n"
		    "past N instructions over all paths (default 20000000), --max-seconds S\n"
		    "after S seconds, compiling included (default 60; a slow solver call is cut\n"
		    "short too), --max-memory MIB when baton has grown by MIB MiB (default 4096\n"
		    "or half the machine's memory). Ctrl-C stops it.\n"
		    "Then decides: shared-nothing or locks ('show verdict', 'show constraints').\n"
		    "With --json: nf, ports, paths, seconds, objects (by name), path_list,\n"
		    "constraints, verdict, reasons, replicated, shard_fields and graph.\n",
	  .words = "--len --max-paths --max-steps --max-seconds --max-memory" },
	{ .name = "show", .arity = -2,
	  .usage = "show nf|paths|path|objects|accesses|verdict|constraints|graph ...",
	  .summary = "show what is loaded and what the analysis found", .sub = show_sub },
	{ .name = "export", .arity = -2, .usage = "export graph FILE.dot",
	  .summary = "write results to files", .sub = export_sub },
	{ .name = "replay", .fn = do_replay, .arity = -2, .flags = CMD_F_JSON | CMD_F_FILES,
	  .usage = "replay PCAP [--lan CIDR | --port N] [-o PREFIX] [--json]",
	  .summary = "run the sequential NF over a trace: verdicts per port, rewrites, rate",
	  .detail = "Time comes from the trace's timestamps. --lan CIDR: packets whose IPv4 source\n"
		    "is inside CIDR arrive on lan, all others (IPv6 and ARP too) on the other\n"
		    "port; --port N (name or number): all on one port; default: port 0.\n"
		    "-o PREFIX writes PREFIX-PORT.pcap for every port (floods go to every port\n"
		    "but the input). Ctrl-C stops it and shows the counts so far.\n",
	  .words = "--lan --port -o" },
	{ .name = NULL },
};
