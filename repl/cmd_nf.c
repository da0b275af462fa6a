/* NFs: 'load', 'set', 'show nf' and 'replay'. */
#include "repl/cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/nfload.h"
#include "engine/portmap.h"
#include "engine/replay.h"
#include "engine/xalloc.h"
#include "repl/session.h"

/* The bundled NFs, for completion (a unit test keeps this equal to the .c files of nfs/). */
#define NF_WORDS "bridge cl fw hhh lb nat nop pol psd sbridge"

static int
need_nf(struct session *s, struct err *e)
{
	if (s->nf)
		return 0;
	return err_set(e, -EINVAL, "no NF loaded (load one first: load fw)");
}

static void
show_nf(struct session *s)
{
	if (s->out.json) {
		struct val *v = nfload_to_val(s->nf);
		out_json(&s->out, v);
		val_free(v);
	} else {
		struct sbuf sb = SBUF_INIT;
		nfload_format(s->nf, &sb);
		out_printf(&s->out, "%s", sbuf_str(&sb));
		sbuf_release(&sb);
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
	nfload_close(s->nf);
	s->nf = nf;
	if (!s->out.json && nfload_compiled(nf))
		out_printf(&s->out, "compiled %s in %.2f s\n", nfload_source(nf),
			   nfload_compile_seconds(nf));
	show_nf(s);
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
	if (argc == 3 && !strchr(argv[1], '=')) {
		if (nfload_set(s->nf, argv[1], argv[2], e) < 0)
			return e->code;
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		char key[256];
		const char *eq = strchr(argv[i], '=');
		if (!eq || eq == argv[i] || (size_t)(eq - argv[i]) >= sizeof key)
			return err_set(e, -EINVAL, "'%s' is not KEY=VALUE", argv[i]);
		memcpy(key, argv[i], (size_t)(eq - argv[i]));
		key[eq - argv[i]] = '\0';
		if (nfload_set(s->nf, key, eq + 1, e) < 0)
			return e->code;
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

static const struct cmd show_sub[] = {
	{ .name = "nf", .fn = do_show_nf, .arity = 1, .flags = CMD_F_JSON, .usage = "show nf [--json]",
	  .summary = "the loaded NF: summary, source, ports and configuration" },
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
		    "changes nothing and says why.\n" },
	{ .name = "show", .arity = -2, .usage = "show nf", .summary = "show what is loaded",
	  .sub = show_sub },
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
