/* engine/pathcheck: every bundled NF, analyzed, against its traced native build on a generated
** trace plus hand-made odd packets: every packet must take exactly one path, with that path's
** verdict and writes. Then the check is shown to fail when a path is wrong. */
#include "engine/pathcheck.h"

#include "engine/clock.h"
#include "engine/rng.h"
#include "engine/smt.h"
#include "engine/trace.h"
#include "engine/tracegen.h"

#include "tests/nfpkt.h"
#include "tests/test.h"

#define SEC 1000000000ull
#define LAN_CIDR "192.168.0.0/16"	/* tracegen's default bidir lan */

static char pcap_path[256];
static uint64_t trace_end_ns;		/* the last time stamp of the trace */

/* Settings that make the NFs' interesting paths happen within a short trace: small tables
** (full), short expiry (the trace spans 20 s), low rates (drops). */
static const struct {
	const char *nf;
	const char *config[12];	/* key, value, ..., NULL */
} configs[] = {
	{ "bridge", { "capacity", "64", "expiry", "2", NULL } },
	{ "cl", { "capacity", "64", "sketch_capacity", "64", "max_conns", "3", "window", "2",
	    NULL } },
	{ "fw", { "capacity", "64", "expiry", "2", NULL } },
	{ "hhh", { "capacity", "32", "burst", "3000", "rate", "20000", "expiry", "2", NULL } },
	{ "lb", { "capacity", "64", "backends", "8", "cht_height", "13", "expiry", "2", NULL } },
	{ "nat", { "capacity", "64", "expiry", "2", NULL } },
	{ "pol", { "capacity", "32", "burst", "3000", "rate", "10000", "expiry", "1", NULL } },
	{ "psd", { "capacity", "32", "port_capacity", "64", "max_ports", "4", "expiry", "2",
	    NULL } },
};

/* bidir: lan clients and wan servers, TCP and UDP, new flows and repeats, IMIX sizes, 200
** packets a second so the 4000 packets span 20 s and entries expire. */
static int
make_trace(void)
{
	static const char *const opts[][2] = {
		{ "kind", "bidir" }, { "flows", "300" }, { "packets", "4000" }, { "seed", "7" },
		{ "size", "imix" }, { "proto", "mix" }, { "pps", "200" }, { "reply", "0.4" },
	};
	struct tracegen_opts o;
	struct tracegen_result r;
	struct err e = ERR_INIT;

	tracegen_opts_init(&o);
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		if (tracegen_opts_set(&o, opts[i][0], opts[i][1], &e) < 0) {
			printf("not ok - tracegen --%s: %s\n", opts[i][0], e.msg);
			return -1;
		}
	}
	snprintf(pcap_path, sizeof pcap_path, "%s/bidir.pcap", test_dir);
	if (tracegen_write(&o, pcap_path, NULL, &r, &e) < 0) {
		printf("not ok - tracegen: %s\n", e.msg);
		return -1;
	}
	return 0;
}

/* sbridge's table from the trace's first destination MACs, alternately lan and wan, so it
** forwards some packets, filters some and drops the rest. */
static int
sbridge_table(char *out, size_t n, struct err *e)
{
	struct trace *t = trace_open(pcap_path, e);
	struct trace_pkt pk;
	size_t used = 0;
	int k = 0;

	if (!t)
		return -1;
	out[0] = 0;
	while (k < 12 && trace_next(t, &pk, e) > 0) {
		const uint8_t *m = pk.data;
		char mac[24];

		snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
			 m[4], m[5]);
		if (strstr(out, mac) || used + 32 >= n)
			continue;
		used += (size_t)snprintf(out + used, n - used, "%s%s=%s", k ? "," : "", mac,
					 k % 2 ? "wan" : "lan");
		k++;
	}
	trace_close(t);
	return 0;
}

static int
configure(struct nfload *nf, const char *name, struct err *e)
{
	char table[1024];

	if (!strcmp(name, "sbridge")) {
		if (sbridge_table(table, sizeof table, e) < 0)
			return -1;
		return nfload_set(nf, "table", table, e);
	}
	for (size_t i = 0; i < sizeof configs / sizeof configs[0]; i++) {
		if (strcmp(configs[i].nf, name))
			continue;
		for (const char *const *kv = configs[i].config; *kv; kv += 2) {
			if (nfload_set(nf, kv[0], kv[1], e) < 0)
				return -1;
		}
	}
	return 0;
}

/*---- Odd packets, after the trace ----*/

static unsigned odd_sent;	/* packets odd() sent since odd_packets began */

static void
odd(struct pathcheck *pc, uint16_t port, uint8_t *b, uint16_t len, uint64_t *now)
{
	*now += SEC / 100;
	odd_sent++;
	pathcheck_packet(pc, port, b, len, *now);
}

/* What tracegen does not make: non-IPv4, options, fragments, other protocols, headers cut
** short, broadcast, VLAN tags, random bytes; a few shorter than 60 (skipped). Returns how
** many it sent, *too_short how many of them are shorter than 60 bytes. */
static unsigned
odd_packets(struct pathcheck *pc, uint16_t lan, uint16_t wan, unsigned *too_short)
{
	uint8_t b[TPKT_MAX];
	uint64_t now = trace_end_ns;
	struct rng r;
	uint16_t len;

	odd_sent = 0;
	for (int side = 0; side < 2; side++) {
		uint16_t port = side ? wan : lan;
		const char *src = side ? "198.51.100.7" : "192.168.3.4";
		const char *dst = side ? "192.168.3.4" : "198.51.100.7";

		/* plain TCP and UDP, twice (a new flow, then a known one) */
		for (int k = 0; k < 2; k++) {
			len = tpkt_build(b, src, 4000, dst, 80, 6, 0x02, 20);
			odd(pc, port, b, len, &now);
			len = tpkt_build(b, src, 4001, dst, 53, 17, 0, 30);
			odd(pc, port, b, len, &now);
		}
		/* ARP, IPv6 */
		len = tpkt_build(b, src, 1, dst, 2, 17, 0, 40);
		b[12] = 0x08;
		b[13] = 0x06;
		odd(pc, port, b, len, &now);
		b[12] = 0x86;
		b[13] = 0xdd;
		odd(pc, port, b, len, &now);
		/* ICMP, and an unknown protocol */
		len = tpkt_build(b, src, 0, dst, 0, 1, 0, 40);
		odd(pc, port, b, len, &now);
		b[23] = 200;
		odd(pc, port, b, len, &now);
		/* IPv4 options: ihl 6, TCP after them */
		len = tpkt_build(b, src, 4002, dst, 443, 6, 0x10, 30);
		memmove(b + 38, b + 34, len - 34);
		memset(b + 34, 1, 4);	/* NOPs */
		b[14] = 0x46;
		len += 4;
		tpkt_fix(b, len);
		odd(pc, port, b, len, &now);
		/* fragments: first (MF), then a later one */
		len = tpkt_build(b, src, 4003, dst, 53, 17, 0, 40);
		b[20] = 0x20;
		odd(pc, port, b, len, &now);
		b[20] = 0x00;
		b[21] = 0x10;
		odd(pc, port, b, len, &now);
		/* ihl 15 in a 60-byte frame: the L4 header is past the end; ihl 4; version 6 */
		len = tpkt_build(b, src, 4004, dst, 80, 6, 0x02, 6);
		b[14] = 0x4f;
		odd(pc, port, b, len, &now);
		b[14] = 0x44;
		odd(pc, port, b, len, &now);
		b[14] = 0x65;
		odd(pc, port, b, len, &now);
		/* broadcast destination, and a VLAN tag */
		len = tpkt_build(b, src, 4005, dst, 80, 17, 0, 20);
		memset(b, 0xff, 6);
		odd(pc, port, b, len, &now);
		memmove(b + 16, b + 12, len - 12);
		b[12] = 0x81;
		b[13] = 0x00;
		b[14] = 0;
		b[15] = 7;
		odd(pc, port, b, len + 4, &now);
	}
	/* random bytes, mostly IPv4-looking */
	rng_init(&r, 99);
	for (int k = 0; k < 200; k++) {
		len = (uint16_t)(60 + rng_below(&r, 140));
		for (uint16_t i = 0; i < len; i++)
			b[i] = (uint8_t)rng_u64(&r);
		if (k % 4) {
			b[12] = 0x08;
			b[13] = 0x00;
			b[14] = (uint8_t)(0x45 + (k % 8 == 1));
			b[23] = k % 3 ? 6 : 17;
			b[20] &= k % 5 ? 0x00 : 0xff;
			b[21] &= k % 5 ? 0x00 : 0xff;
		}
		odd(pc, (uint16_t)(k & 1 ? wan : lan), b, len, &now);
	}
	/* too short for the analysis: skipped */
	len = tpkt_build(b, "192.168.3.4", 1, "198.51.100.7", 2, 17, 0, 0);
	odd(pc, lan, b, 42, &now);
	odd(pc, wan, b, 14, &now);
	*too_short = 2;
	return odd_sent;
}

/*---- The check of every bundled NF ----*/

static void
report(const char *name, const struct analysis *a, struct pathcheck *pc, double seconds)
{
	const struct pathcheck_stats *s = pathcheck_stats(pc);
	const char *p;

	printf("# %-8s %5" PRIu64 " packets (%" PRIu64 " skipped), %" PRIu64 " matched, paths "
	       "%u/%u taken; analysis %.2f s, check %.3f s (%.0f packets/s)\n", name, s->packets,
	       s->skipped, s->matched, s->paths_hit, a->sym->n_paths, seconds, s->seconds,
	       s->seconds > 0 ? s->packets / s->seconds : 0);
	for (unsigned i = 0; (p = pathcheck_problem(pc, i)) != NULL; i++)
		printf("#   %s\n", p);
}

/* Loads, configures (unless 'defaults') and analyzes 'name'; NULL (after FAIL) when any step
** fails. */
static struct analysis *
load(const char *name, bool defaults, struct nfload **out_nf)
{
	struct err e = ERR_INIT;
	struct nfload *nf = nfload_open(name, NULL, NULL, &e);
	struct analysis *a;

	*out_nf = NULL;
	if (!nf) {
		FAIL("%s: load: %s", name, e.msg);
		return NULL;
	}
	if (!defaults && configure(nf, name, &e) < 0) {
		FAIL("%s: config: %s", name, e.msg);
		nfload_close(nf);
		return NULL;
	}
	a = analysis_run(nf, NULL, &e);
	if (!a) {
		FAIL("%s: analysis: %s", name, e.msg);
		nfload_close(nf);
		return NULL;
	}
	*out_nf = nf;
	return a;
}

/* Checks the trace and the odd packets against 'a'; NULL (after FAIL) when it cannot run.
** *n_odd says how many odd packets it sent, *too_short how many of them are too short. */
static struct pathcheck *
check(struct nfload *nf, const struct analysis *a, unsigned *n_odd, unsigned *too_short)
{
	struct err e = ERR_INIT;
	struct portmap pm;
	struct pathcheck *pc;
	const char *name = nfload_desc(nf)->name;

	if (portmap_lan(&pm, nf, LAN_CIDR, &e) < 0) {
		FAIL("%s: --lan %s: %s", name, LAN_CIDR, e.msg);
		return NULL;
	}
	pc = pathcheck_new(nf, a, NULL, &e);
	if (!pc) {
		FAIL("%s: pathcheck_new: %s", name, e.msg);
		return NULL;
	}
	if (pathcheck_trace(pc, pcap_path, &pm, NULL, &e) < 0) {
		FAIL("%s: pathcheck_trace: %s", name, e.msg);
		pathcheck_free(pc);
		return NULL;
	}
	*n_odd = odd_packets(pc, pm.lan, pm.wan, too_short);
	return pc;
}

/* Every bundled NF: the trace and the odd packets each take exactly one path. */
static void
check_all(bool defaults)
{
	char **names = nfload_bundled();

	for (char **n = names; *n; n++) {
		struct nfload *nf;
		struct analysis *a;
		struct pathcheck *pc;
		const struct pathcheck_stats *s;
		unsigned n_odd, too_short;
		double t0 = clock_seconds(), ta;

		a = load(*n, defaults, &nf);
		if (!a)
			continue;
		ta = clock_seconds() - t0;
		pc = check(nf, a, &n_odd, &too_short);
		if (pc) {
			s = pathcheck_stats(pc);
			report(*n, a, pc, ta);
			CHECK_EQ_INT(s->packets, 4000 + n_odd);
			CHECK_EQ_INT(s->skipped, too_short);
			CHECK_EQ_INT(s->matched, s->packets - s->skipped);
			CHECK_EQ_INT(s->no_path, 0);
			CHECK_EQ_INT(s->ambiguous, 0);
			CHECK_EQ_INT(s->verdict_diffs, 0);
			CHECK_EQ_INT(s->byte_diffs, 0);
			CHECK_EQ_INT(s->eval_errors, 0);
			pathcheck_free(pc);
		}
		analysis_free(a);
		nfload_close(nf);
	}
	nfload_names_free(names);
}

/* Small tables, short expiry, low rates: full tables, expiry and drops happen. */
static void
test_pathcheck__bundled(void)
{
	check_all(false);
}

/* As shipped (long expiry, big tables: mostly the common paths, with other constants). */
static void
test_pathcheck__defaults(void)
{
	check_all(true);
}

/*---- The check can fail ----*/

/* The most taken path that writes bytes (or the most taken one when 'writes' is false). */
static uint32_t
busiest(const struct pathcheck *pc, const struct analysis *a, bool writes)
{
	uint32_t best = 0;
	uint64_t most = 0;

	for (uint32_t i = 0; i < a->sym->n_paths; i++) {
		if (writes && !a->sym->paths[i].n_writes)
			continue;
		if (pathcheck_path_hits(pc, i) > most) {
			most = pathcheck_path_hits(pc, i);
			best = i;
		}
	}
	return best;
}

/* nat: a wrong verdict on its busiest path, a wrong byte in one of its writes, and a path
** missing, each seen by the check on exactly the packets that take that path. */
static void
test_pathcheck__tampered(void)
{
	struct nfload *nf;
	struct analysis *a = load("nat", false, &nf);
	struct pathcheck *pc;
	struct sym_path *p, saved;
	unsigned n_odd, too_short;
	uint32_t i, j;
	uint64_t hits, hits_w;

	if (!a)
		return;
	pc = check(nf, a, &n_odd, &too_short);
	if (!pc)
		goto out;
	i = busiest(pc, a, false);
	j = busiest(pc, a, true);
	hits = pathcheck_path_hits(pc, i);
	hits_w = pathcheck_path_hits(pc, j);
	CHECK(hits > 0 && hits_w > 0);
	CHECK(a->sym->paths[j].n_writes > 0);
	pathcheck_free(pc);

	p = &a->sym->paths[i];
	saved = *p;
	p->verdict = p->verdict == NF_DROP ? 0 : NF_DROP;
	pc = check(nf, a, &n_odd, &too_short);
	*p = saved;
	if (pc) {
		CHECK_EQ_INT(pathcheck_stats(pc)->verdict_diffs, hits);
		CHECK_EQ_INT(pathcheck_stats(pc)->byte_diffs, 0);
		CHECK(pathcheck_problem(pc, 0) && strstr(pathcheck_problem(pc, 0), "says"));
		pathcheck_free(pc);
	}

	/* One write's value off by one: every packet on that path differs in that byte. */
	p = &a->sym->paths[j];
	saved = *p;
	p->writes = calloc(p->n_writes, sizeof *p->writes);
	memcpy(p->writes, saved.writes, p->n_writes * sizeof *p->writes);
	p->writes[0].value = smt_binop(a->smt, SMT_ADD, p->writes[0].value,
				       smt_num(a->smt, 1, 8));
	pc = check(nf, a, &n_odd, &too_short);
	free(p->writes);
	*p = saved;
	if (pc) {
		CHECK_EQ_INT(pathcheck_stats(pc)->byte_diffs, hits_w);
		CHECK_EQ_INT(pathcheck_stats(pc)->verdict_diffs, 0);
		CHECK(pathcheck_problem(pc, 0) && strstr(pathcheck_problem(pc, 0), "byte"));
		pathcheck_free(pc);
	}

	/* The busiest path gone (swapped to the end, then cut): its packets take no path. */
	p = &a->sym->paths[i];
	saved = *p;
	*p = a->sym->paths[a->sym->n_paths - 1];
	a->sym->paths[a->sym->n_paths - 1] = saved;
	a->sym->n_paths--;
	pc = check(nf, a, &n_odd, &too_short);
	a->sym->n_paths++;
	a->sym->paths[a->sym->n_paths - 1] = *p;
	*p = saved;
	if (pc) {
		CHECK_EQ_INT(pathcheck_stats(pc)->no_path, hits);
		CHECK(pathcheck_problem(pc, 0) && strstr(pathcheck_problem(pc, 0), "no path"));
		pathcheck_free(pc);
	}
out:
	analysis_free(a);
	nfload_close(nf);
}

int
main(void)
{
	if (test_dir_make("pathcheck") < 0 || make_trace() < 0)
		return 1;
	{
		struct err e = ERR_INIT;
		struct trace *t = trace_open(pcap_path, &e);
		struct trace_pkt pk;

		while (t && trace_next(t, &pk, &e) > 0)
			trace_end_ns = pk.ts_ns;
		trace_close(t);
	}
	RUN(test_pathcheck__bundled);
	RUN(test_pathcheck__defaults);
	RUN(test_pathcheck__tampered);
	test_dir_done();
	return TEST_DONE();
}
