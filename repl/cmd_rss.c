/* RSS: 'rss nics|fieldsets|solve|set|show|check|hash|quality|reta' (DESIGN.md section 5). */
#include "repl/cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/analysis.h"
#include "engine/nfload.h"
#include "engine/portmap.h"
#include "engine/rss.h"
#include "engine/shard.h"
#include "repl/session.h"

static void
put_val(struct session *s, struct val *v)
{
	out_json(&s->out, v);
	val_free(v);
}

static void
put_sb(struct session *s, struct sbuf *sb)
{
	out_printf(&s->out, "%s", sbuf_str(sb));
	sbuf_release(sb);
}

/* What the NF needs: the last analysis's constraints, or none (with a note) before one. */
static int
cons_of(struct session *s, struct rss_cons *c, bool need_an, struct err *e)
{
	if (!s->nf)
		return err_set(e, -EINVAL, "no NF loaded (load one first: load fw)");
	if (need_an && !(s->an && s->sh))
		return err_set(e, -EINVAL, "no analysis yet (run analyze first: the constraints "
			       "come from it)");
	session_rss_cons(s, c);
	return 0;
}

/* The session's configuration, made with the defaults on first use. */
static struct rss_config *
config_of(struct session *s, struct err *e)
{
	if (!s->nf) {
		err_set(e, -EINVAL, "no NF loaded (load one first: load fw)");
		return NULL;
	}
	return session_rss(s);
}

static int
parse_count(const char *opt, const char *v, unsigned max, unsigned *out, struct err *e)
{
	unsigned long n;

	if (!args_uint(v, max, &n) || n == 0)
		return err_set(e, -EINVAL, "%s wants a whole number in 1..%u, not '%s'", opt, max, v);
	*out = (unsigned)n;
	return 0;
}

/* Options shared by solve and fieldsets; 'fields' only for solve. */
static int
parse_solve(struct session *s, int argc, char **argv, bool fields, struct rss_solve_opts *o,
	    const struct rss_cons *c, struct err *e)
{
	memset(o, 0, sizeof *o);
	if (s->rss) {	/* keep what the user chose before, unless told otherwise */
		o->nic = s->rss->nic;
		o->cores = s->rss->cores;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		unsigned n = 0;

		if (strcmp(a, "--cores") && strcmp(a, "--nic") && strcmp(a, "--reta-size") &&
		    strcmp(a, "--seed") && (!fields || strcmp(a, "--fields")))
			return err_set(e, -EINVAL, "unknown argument '%s' (--cores N, --nic P, "
				       "--reta-size N, --seed N%s)", a, fields ? ", --fields SET" : "");
		if (++i == argc)
			return err_set(e, -EINVAL, "%s needs a value", a);
		v = argv[i];
		if (!strcmp(a, "--cores")) {
			if (parse_count(a, v, RSS_MAX_CORES, &o->cores, e) < 0)
				return -EINVAL;
		} else if (!strcmp(a, "--nic")) {
			if (!(o->nic = nic_find(v, e)))
				return -EINVAL;
		} else if (!strcmp(a, "--reta-size")) {
			if (parse_count(a, v, 65536, &o->reta_size, e) < 0)
				return -EINVAL;
		} else if (!strcmp(a, "--seed")) {
			if (parse_count(a, v, 0xffffffffu, &n, e) < 0)
				return -EINVAL;
			o->seed = n;
		} else {
			/* SET for every port, or PORT=SET */
			const char *eq = strchr(v, '=');
			struct fieldset fs;

			if (eq) {
				char name[64];
				int p;

				snprintf(name, sizeof name, "%.*s", (int)(eq - v), v);
				for (p = 0; p < (int)c->n_ports && strcmp(c->ports[p], name); p++)
					;
				if (p == (int)c->n_ports)
					return err_set(e, -EINVAL, "--fields %s: unknown port '%s'", v, name);
				if (fieldset_parse(eq + 1, &fs, e) < 0)
					return -EINVAL;
				if (!o->fields_given)
					for (unsigned q = 0; q < c->n_ports; q++)
						o->fs[q] = FIELDSET_DEFAULT;
				o->fs[p] = fs;
			} else {
				if (fieldset_parse(v, &fs, e) < 0)
					return -EINVAL;
				for (unsigned q = 0; q < c->n_ports; q++)
					o->fs[q] = fs;
			}
			o->fields_given = true;
		}
	}
	return 0;
}

static int
do_nics(struct session *s, int argc, char **argv, struct err *e)
{
	struct sbuf sb = SBUF_INIT;

	(void)argc, (void)argv, (void)e;
	if (s->out.json) {
		put_val(s, rss_nics_val());
		return 0;
	}
	rss_format_nics(&sb);
	put_sb(s, &sb);
	return 0;
}

static int
do_fieldsets(struct session *s, int argc, char **argv, struct err *e)
{
	struct rss_cons c;
	struct rss_solve_opts o;
	struct rss_fieldsets f;
	struct sbuf sb = SBUF_INIT;

	if (cons_of(s, &c, true, e) < 0)
		return -EINVAL;
	if (parse_solve(s, argc, argv, false, &o, &c, e) < 0 ||
	    rss_fieldsets_run(&c, &o, &f, e) < 0) {
		rss_cons_release(&c);
		return -EINVAL;
	}
	if (s->out.json) {
		put_val(s, rss_fieldsets_val(&f));
	} else {
		rss_format_fieldsets(&c, &f, &sb);
		if (f.recommended >= 0 && f.recommended != f.plain) {
			/* "lan=SET wan=SET" becomes one --fields per port */
			char buf[sizeof f.c[0].name], *save = NULL;

			snprintf(buf, sizeof buf, "%s", f.c[f.recommended].name);
			sbuf_adds(&sb, "use it: rss solve");
			for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
				sbuf_printf(&sb, " --fields %s", w);
			sbuf_addc(&sb, '\n');
		}
		put_sb(s, &sb);
	}
	rss_fieldsets_release(&f);
	rss_cons_release(&c);
	return 0;
}

static int
do_solve(struct session *s, int argc, char **argv, struct err *e)
{
	struct rss_cons c;
	struct rss_solve_opts o;
	struct rss_solution sol;
	struct rss_check chk;
	struct sbuf sb = SBUF_INIT;

	if (cons_of(s, &c, true, e) < 0)
		return -EINVAL;
	if (parse_solve(s, argc, argv, true, &o, &c, e) < 0 || rss_solve(&c, &o, &sol, e) < 0) {
		rss_cons_release(&c);
		return -EINVAL;
	}
	rss_check_run(sol.cfg, &c, &chk);
	if (s->out.json) {
		struct val *v = rss_solution_val(&sol);

		val_set_bool(v, "satisfied", chk.satisfied && sol.satisfiable);
		val_set(v, "check", rss_check_val(sol.cfg, &c, &chk));
		put_val(s, v);
	} else {
		sbuf_printf(&sb, "solved %u constraint%s%s in %.1f ms: %u equations on %u key bits, "
			    "rank %u, %u free; best of %u sampled keys\n", c.n, c.n == 1 ? "" : "s",
			    c.locks ? " (verdict locks: none to keep)" : "", sol.seconds * 1e3,
			    sol.n_equations, sol.n_vars, sol.rank, sol.free_bits, sol.samples);
		if (!sol.satisfiable)
			sbuf_printf(&sb, "unsatisfiable: %s\n", sol.why_not);
		rss_format_config(sol.cfg, &sb);
		rss_format_quality(sol.cfg, &sol.q, &sb);
		if (!sol.q.full && sol.satisfiable)
			sbuf_adds(&sb, "(rss fieldsets compares every field set and says which does "
				  "better)\n");
		rss_format_check(sol.cfg, &c, &chk, &sb);
		put_sb(s, &sb);
	}
	/* The solution becomes the configuration, even an unsatisfiable one: it is the best. */
	rss_config_free(s->rss);
	s->rss = sol.cfg;
	sol.cfg = NULL;
	rss_check_release(&chk);
	rss_solution_release(&sol);
	rss_cons_release(&c);
	return 0;
}

static int
do_set(struct session *s, int argc, char **argv, struct err *e)
{
	struct rss_config *c = config_of(s, e), *t;
	struct sbuf rest = SBUF_INIT;
	int port = -1, rc;

	if (!c)
		return -EINVAL;
	if (strcmp(argv[1], "all") && (port = rss_port_find(c, argv[1], e)) < 0)
		return -EINVAL;
	for (int i = 3; i < argc; i++)
		sbuf_printf(&rest, "%s%s", i > 3 ? " " : "", argv[i]);
	/* Work on a copy: an error changes nothing. */
	t = rss_config_copy(c);
	if (!strcmp(argv[2], "key"))
		rc = rss_set_key(t, port, sbuf_str(&rest), e);
	else if (!strcmp(argv[2], "fields"))
		rc = rss_set_fields(t, port, sbuf_str(&rest), e);
	else if (!strcmp(argv[2], "reta"))
		rc = rss_set_reta(t, port, sbuf_str(&rest), e);
	else
		rc = err_set(e, -EINVAL, "rss set %s %s: key, fields or reta", argv[1], argv[2]);
	sbuf_release(&rest);
	if (rc < 0) {
		rss_config_free(t);
		return rc;
	}
	rss_config_free(s->rss);
	s->rss = t;
	if (!s->out.json)
		out_printf(&s->out, "%s of %s set (rss check tests it against the constraints)\n",
			   argv[2], port < 0 ? "every port" : t->ports[port]);
	return 0;
}

static int
do_show(struct session *s, int argc, char **argv, struct err *e)
{
	bool fresh = !s->rss;
	struct rss_config *c = config_of(s, e);
	struct sbuf sb = SBUF_INIT;

	(void)argc, (void)argv;
	if (!c)
		return -EINVAL;
	if (s->out.json) {
		put_val(s, rss_config_val(c));
		return 0;
	}
	if (fresh)
		sbuf_adds(&sb, "(the default configuration: rss solve finds one for the NF's "
			  "constraints)\n");
	rss_format_config(c, &sb);
	put_sb(s, &sb);
	return 0;
}

static int
do_check(struct session *s, int argc, char **argv, struct err *e)
{
	struct rss_config *c = config_of(s, e);
	struct rss_cons k;
	struct rss_check r;
	struct sbuf sb = SBUF_INIT;
	int rc = 0;

	(void)argc, (void)argv;
	if (!c || cons_of(s, &k, true, e) < 0)
		return -EINVAL;
	rss_check_run(c, &k, &r);
	if (s->out.json) {
		put_val(s, rss_check_val(c, &k, &r));
	} else {
		rss_format_check(c, &k, &r, &sb);
		put_sb(s, &sb);
	}
	/* A failed check is a failed command, so scripts and exit codes see it. */
	if (!r.satisfied)
		rc = err_set(e, -EINVAL, "the RSS configuration breaks %s's constraints",
			     nfload_desc(s->nf)->name);
	rss_check_release(&r);
	rss_cons_release(&k);
	return rc;
}

static int
parse_ip(const char *v, uint32_t *out, struct err *e)
{
	uint32_t mask;

	if (strchr(v, '/') || portmap_parse_cidr(v, out, &mask, NULL) < 0)
		return err_set(e, -EINVAL, "'%s' is not an IPv4 address", v);
	return 0;
}

static int
parse_l4(const char *v, uint16_t *out, struct err *e)
{
	unsigned long n;

	if (!args_uint(v, 65535, &n))
		return err_set(e, -EINVAL, "'%s' is not a port number (0..65535)", v);
	*out = (uint16_t)n;
	return 0;
}

static int
do_hash(struct session *s, int argc, char **argv, struct err *e)
{
	struct rss_config *c = config_of(s, e);
	uint32_t src, dst;
	uint16_t sp = 0, dp = 0;
	int port;
	struct rss_hit h;

	(void)argc;
	if (!c || (port = rss_port_find(c, argv[1], e)) < 0 || parse_ip(argv[2], &src, e) < 0 ||
	    parse_ip(argv[3], &dst, e) < 0 || parse_l4(argv[4], &sp, e) < 0 ||
	    parse_l4(argv[5], &dp, e) < 0)
		return -EINVAL;
	h = rss_hash(c, (unsigned)port, src, dst, sp, dp);
	if (s->out.json) {
		struct val *v = val_obj();

		val_set_int(v, "hash", h.hash);
		val_set_int(v, "index", h.index);
		val_set_int(v, "core", h.core);
		put_val(s, v);
	} else {
		char letters[8];

		fieldset_letters(&c->port[port].fs, letters, sizeof letters);
		out_printf(&s->out, "hash 0x%08x (fields %s), RETA index %u of %u, core %u\n", h.hash,
			   letters, h.index, c->reta_size, h.core);
	}
	return 0;
}

static int
do_quality(struct session *s, int argc, char **argv, struct err *e)
{
	struct rss_config *c = config_of(s, e);
	struct rss_cons k;
	struct rss_quality q;
	struct sbuf sb = SBUF_INIT;

	(void)argc, (void)argv;
	if (!c || cons_of(s, &k, false, e) < 0)
		return -EINVAL;
	rss_quality(c, &k, &q);
	if (s->out.json) {
		put_val(s, rss_quality_val(c, &q));
	} else {
		if (!s->an)
			sbuf_adds(&sb, "(no analysis: every hashed field counts as needed)\n");
		rss_format_quality(c, &q, &sb);
		put_sb(s, &sb);
	}
	rss_cons_release(&k);
	return 0;
}

static int
do_reta(struct session *s, int argc, char **argv, struct err *e)
{
	struct rss_config *c = config_of(s, e);
	struct sbuf sb = SBUF_INIT;

	(void)argc, (void)argv;
	if (!c)
		return -EINVAL;
	if (s->out.json) {
		struct val *v = rss_config_val(c);

		put_val(s, v);
		return 0;
	}
	rss_format_reta(c, &sb);
	put_sb(s, &sb);
	return 0;
}

static const struct cmd rss_sub[] = {
	{ .name = "nics", .fn = do_nics, .arity = 1, .flags = CMD_F_JSON,
	  .usage = "rss nics [--json]",
	  .summary = "NIC profiles: key size, RETA sizes, field sets they accept" },
	{ .name = "fieldsets", .fn = do_fieldsets, .arity = -1, .flags = CMD_F_JSON,
	  .usage = "rss fieldsets [--nic P] [--cores N] [--reta-size N] [--json]",
	  .summary = "every field set the NIC accepts: solvable?, free key bits, quality; the best",
	  .detail = "Solves the NF's constraints under every candidate field set (the same on\n"
		    "every port, and each port hashing exactly what it needs) and measures each\n"
		    "best key: free key bits, how many low RETA bits the needed fields' low-order\n"
		    "bits reach, max/mean load per core on uniform tuples and on two /24s. Says\n"
		    "which to use and why (a prefix or one field often does better with a field\n"
		    "set than with a key).\n",
	  .words = "--nic --cores --reta-size software generic ixgbe i40e ice mlx5" },
	{ .name = "solve", .fn = do_solve, .arity = -1, .flags = CMD_F_JSON,
	  .usage = "rss solve [--cores N] [--nic P] [--fields [PORT=]SET] [--reta-size N] "
		   "[--seed N] [--json]",
	  .summary = "keys that provably keep the NF's constraints, the best of many by quality",
	  .detail = "Turns every constraint into linear equations over GF(2) on the key bits of\n"
		    "the ports it links (equal key windows for equated bits, zero windows for\n"
		    "bits it leaves free) and solves them exactly, for the RETA index bits (linked\n"
		    "ports share one RETA, round robin over the cores). Samples keys from the\n"
		    "solution space and keeps the best by quality; then checks it. The result\n"
		    "becomes the configuration ('rss show'). SET: testpmd names (ipv4-tcp,\n"
		    "ipv4-udp, ipv4, l3-src-only, ...; joined by commas) or ethtool letters\n"
		    "(sdfn); PORT=SET for one port (repeat the option). Default: the 4-tuple,\n"
		    "software profile, 4 cores.\n",
	  .words = "--cores --nic --fields --reta-size --seed software generic ixgbe i40e ice "
		   "mlx5" },
	{ .name = "set", .fn = do_set, .arity = -4,
	  .usage = "rss set PORT|all key HEX | fields SET | reta LIST",
	  .summary = "change one port's key, field set or RETA (checked against the NIC profile)",
	  .detail = "HEX: the key with or without colons; it must have the profile's size.\n"
		    "SET: testpmd names or ethtool letters. LIST: core numbers (commas or blanks),\n"
		    "as many as the RETA has entries or a pattern that repeats; 'default' is\n"
		    "round robin. Then 'rss check' says whether the NF stays correct.\n",
	  .words = "all key fields reta default" },
	{ .name = "show", .fn = do_show, .arity = 1, .flags = CMD_F_JSON,
	  .usage = "rss show [--json]", .summary = "the RSS configuration: keys, field sets, RETA" },
	{ .name = "check", .fn = do_check, .arity = 1, .flags = CMD_F_JSON,
	  .usage = "rss check [--json]",
	  .summary = "does the configuration keep every constraint? exact; a counterexample if not",
	  .detail = "For each constraint, enumerates the pairs of RETA indices that linked packets\n"
		    "can get and compares their cores. When one breaks, shows two concrete packets\n"
		    "that share state but land on different cores. Fails when any breaks.\n" },
	{ .name = "hash", .fn = do_hash, .arity = 6, .flags = CMD_F_JSON,
	  .usage = "rss hash PORT SRC DST SPORT DPORT [--json]",
	  .summary = "the Toeplitz hash of one TCP/UDP packet, its RETA index and core" },
	{ .name = "quality", .fn = do_quality, .arity = 1, .flags = CMD_F_JSON,
	  .usage = "rss quality [--json]",
	  .summary = "which fields reach the RETA, ranks, key period, measured balance",
	  .detail = "Per port: the rank of the map from hashed bits to RETA index bits, how many\n"
		    "bits of each field reach it, how many low RETA bits each needed field's\n"
		    "low-order bits reach (8 bits of an address, a whole port: what real traffic\n"
		    "varies), a warning for keys with a short period, and max/mean packets per\n"
		    "core on uniform random tuples and on 10.0.0.0/24 <-> 192.168.0.0/24.\n" },
	{ .name = "reta", .fn = do_reta, .arity = 1, .flags = CMD_F_JSON,
	  .usage = "rss reta [--json]",
	  .summary = "the redirection table, eight entries a row (as ethtool -x)" },
	{ .name = "balance", .fn = cmd_rss_balance, .arity = -1, .flags = CMD_F_JSON | CMD_F_FILES,
	  .usage = "rss balance PCAP|--gen SPEC [--lan CIDR | --port N] [--cores N] "
		   "[--config CURRENT|FILE] [--json]",
	  .summary = "rebalance the RETA for a trace: whole buckets move, linked ports alike",
	  .detail = "Counts the trace's packets per RETA entry (ports as in 'check'), then places\n"
		    "the entries heaviest first on the least loaded core. An entry is never split,\n"
		    "and ports that a constraint links get the same new RETA, so every constraint\n"
		    "still holds. Shows packets per core before and after; the result becomes the\n"
		    "configuration. An entry heavier than a core's share is named: no RETA helps.\n",
	  .words = "--lan --port --cores --config --gen CURRENT" },
	{ .name = NULL },
};

const struct cmd cmd_rss_table[] = {
	{ .name = "rss", .arity = -2, .usage = "rss nics|fieldsets|solve|set|show|check|hash|quality|reta|balance ...",
	  .summary = "RSS: solve keys for the NF's constraints, check them, measure quality",
	  .sub = rss_sub },
	{ .name = NULL },
};
