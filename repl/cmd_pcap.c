/* Traces: 'pcap info FILE' and 'pcap gen KIND ... -o FILE'. */
#include "repl/cmd.h"

#include <errno.h>
#include <string.h>

#include "engine/tracegen.h"
#include "engine/tstat.h"
#include "repl/session.h"

static int
do_info(struct session *s, int argc, char **argv, struct err *e)
{
	struct tstat st;
	int rc = tstat_file(argv[1], &s->progress, &st, e);

	/* A truncated or interrupted file still shows what was read before the break. */
	if (rc == 0 || rc == -EIO || rc == -EINTR) {
		if (s->out.json) {
			struct val *v = tstat_to_val(&st);
			out_json(&s->out, v);
			val_free(v);
		} else {
			struct sbuf sb = SBUF_INIT;
			tstat_format(&st, &sb);
			out_printf(&s->out, "%s", sbuf_str(&sb));
			sbuf_release(&sb);
		}
	}
	return rc;
}

static void
gen_help(struct sbuf *out)
{
	const char *const *k = tracegen_kind_names();

	sbuf_adds(out, "kinds:");
	for (; *k; k++)
		sbuf_printf(out, " %s", *k);
	sbuf_adds(out, "\noptions (--NAME VALUE or --NAME=VALUE; numbers take k, M, G):\n");
	for (const char *const *o = tracegen_option_names(); *o; o++) {
		if (strcmp(*o, "kind") == 0)
			continue;
		sbuf_printf(out, "  --%-10s %s\n", *o, tracegen_option_help(*o));
	}
	sbuf_adds(out, "  -o FILE      the pcap to write (required; written whole or not at all)\n");
}

/* KIND, then --NAME VALUE / --NAME=VALUE pairs and -o FILE in any order. */
static int
parse_gen(int argc, char **argv, struct tracegen_opts *o, const char **out_path, struct err *e)
{
	tracegen_opts_init(o);
	*out_path = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-o") == 0 || strcmp(a, "--out") == 0) {
			if (++i == argc)
				return err_set(e, -EINVAL, "%s needs a file name", a);
			*out_path = argv[i];
		} else if (strncmp(a, "--", 2) == 0) {
			char key[64];
			const char *eq = strchr(a, '='), *value;
			size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			if (n >= sizeof key)
				return err_set(e, -EINVAL, "unknown option '%s'", a);
			memcpy(key, a + 2, n);
			key[n] = '\0';
			if (eq) {
				value = eq + 1;
			} else if (i + 1 < argc) {
				value = argv[++i];
			} else {
				return err_set(e, -EINVAL, "%s needs a value", a);
			}
			if (tracegen_opts_set(o, key, value, e) < 0)
				return -EINVAL;
		} else if (i == 1) {
			if (tracegen_opts_set(o, "kind", a, e) < 0)
				return -EINVAL;
		} else {
			return err_set(e, -EINVAL, "unexpected '%s' (options are --NAME VALUE)", a);
		}
	}
	if (!(o->set & (1u << TRACEGEN_OPT_KIND)))
		return err_set(e, -EINVAL, "usage: pcap gen KIND [OPTIONS] -o FILE (KIND first)");
	if (!*out_path)
		return err_set(e, -EINVAL, "pcap gen: -o FILE is required");
	return 0;
}

static int
do_gen(struct session *s, int argc, char **argv, struct err *e)
{
	struct tracegen_opts o;
	struct tracegen_result r;
	const char *path;
	int rc;

	if (parse_gen(argc, argv, &o, &path, e) < 0)
		return -EINVAL;
	rc = tracegen_write(&o, path, &s->progress, &r, e);
	if (rc < 0)
		return rc;
	if (s->out.json) {
		struct val *v = tracegen_result_to_val(&r);
		out_json(&s->out, v);
		val_free(v);
	} else {
		out_printf(&s->out,
			   "wrote %s: %llu packets, %llu flows, %llu-byte file (%s, seed %llu), "
			   "%.3f s of traffic; %.2f Mpps generated in %.2f s\n",
			   r.path, (unsigned long long)r.packets, (unsigned long long)r.flows,
			   (unsigned long long)r.file_bytes, r.kind, (unsigned long long)r.seed,
			   r.duration_s, r.gen_pps / 1e6, r.seconds);
	}
	return 0;
}

/* Completion words: the kinds and options of engine/tracegen (a unit test keeps them equal). */
#define GEN_WORDS "uniform zipf bidir churn --flows --packets --seed --size --proto --zipf " \
	"--lan --clients --servers --reply --rate --duration --pps -o imix tcp udp mix"

static const struct cmd pcap_sub[] = {
	{ .name = "info", .fn = do_info, .arity = 2, .flags = CMD_F_JSON | CMD_F_FILES,
	  .usage = "pcap info FILE [--json]",
	  .summary = "packets, bytes, protocols and flows of a pcap or pcapng trace",
	  .detail = "Reads pcap and pcapng; Ethernet, Linux cooked (SLL, SLL2) and raw IP link\n"
		    "types become Ethernet frames, others are refused by name. A truncated file\n"
		    "shows what came before the break, and fails. 5-tuples are directional;\n"
		    "conversations count a 5-tuple and its reverse once; IP pairs are unordered.\n" },
	{ .name = "gen", .fn = do_gen, .arity = -2, .flags = CMD_F_JSON | CMD_F_FILES,
	  .usage = "pcap gen KIND [OPTIONS] -o FILE [--json]",
	  .summary = "write a synthetic, reproducible trace (uniform, zipf, bidir, churn)",
	  .detail = "uniform: N random flows, each seen at least once; zipf: flow sizes follow\n"
		    "Zipf(s); bidir: lan clients (--lan CIDR) to wan servers, with replies; churn:\n"
		    "--flows active flows replaced at --rate new flows per second for --duration\n"
		    "seconds. The same options and seed always give the same bytes.\n",
	  .words = GEN_WORDS, .more_help = gen_help },
	{ .name = NULL },
};

const struct cmd cmd_pcap_table[] = {
	{ .name = "pcap", .arity = -2, .usage = "pcap info|gen ...",
	  .summary = "read and write packet traces", .sub = pcap_sub },
	{ .name = NULL },
};
