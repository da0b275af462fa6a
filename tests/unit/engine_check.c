/*
** engine/check: RSS per packet as the NIC computes it, and exact counts of violations and
** differences on small hand-made traces through the real fw.
*/
#include "engine/check.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/nfpkt.h"
#include "tests/test.h"

static char dir[] = "/tmp/engine_check.XXXXXX";

/* Writes 'n' frames to a pcap at 'path', one microsecond apart. */
static void
write_pcap(const char *path, uint8_t frames[][TPKT_MAX], const uint16_t *lens, unsigned n)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = pcap_dump_open(dead, path);

	for (unsigned i = 0; i < n; i++) {
		struct pcap_pkthdr h = { .ts = { 1000, (suseconds_t)i }, .caplen = lens[i],
					 .len = lens[i] };
		pcap_dump((u_char *)d, &h, frames[i]);
	}
	pcap_dump_close(d);
	pcap_close(dead);
}

static struct flow_info
parse(const uint8_t *b, uint16_t len)
{
	struct flow_info fi;

	flow_parse(b, len, &fi);
	return fi;
}

static void
test_check__rss_core(void)
{
	const char *ports[] = { "lan", "wan" };
	struct rss_config *c = rss_config_new(NULL, 4, 128, 2, ports);
	uint8_t b[TPKT_MAX];
	struct flow_info fi;
	struct err e = ERR_INIT;
	unsigned idx, core;
	bool hashed;
	uint16_t len;

	/* TCP on the 4-tuple: what rss_hash says for the same tuple. */
	len = tpkt_build(b, "10.1.2.3", 1234, "192.168.0.9", 80, 6, 0x02, 0);
	fi = parse(b, len);
	core = check_rss_core(c, 0, &fi, &idx, &hashed);
	struct rss_hit h = rss_hash(c, 0, 0x0a010203, 0xc0a80009, 1234, 80);
	CHECK(hashed);
	CHECK_EQ_INT(idx, h.index);
	CHECK_EQ_INT(core, h.core);

	/* ICMP and fragments are not hashed by a TCP/UDP set: RETA entry 0. */
	len = tpkt_build(b, "10.1.2.3", 0, "192.168.0.9", 0, 1, 0, 8);
	fi = parse(b, len);
	core = check_rss_core(c, 0, &fi, &idx, &hashed);
	CHECK(!hashed);
	CHECK_EQ_INT(idx, 0);
	CHECK_EQ_INT(core, c->port[0].reta[0]);
	len = tpkt_build(b, "10.1.2.3", 1234, "192.168.0.9", 80, 17, 0, 8);
	b[14 + 6] = 0x20;	/* MF: a first fragment, ports present */
	fi = parse(b, len);
	check_rss_core(c, 0, &fi, &idx, &hashed);
	CHECK(!hashed);

	/* "ipv4,l3-src-only" hashes every IPv4 packet on its source: ICMP and UDP of one source
	** land together. */
	CHECK(rss_set_fields(c, 1, "s", &e) == 0);
	len = tpkt_build(b, "10.9.8.7", 0, "192.168.0.9", 0, 1, 0, 8);
	fi = parse(b, len);
	core = check_rss_core(c, 1, &fi, &idx, &hashed);
	CHECK(hashed);
	len = tpkt_build(b, "10.9.8.7", 5000, "192.168.3.3", 53, 17, 0, 8);
	fi = parse(b, len);
	CHECK_EQ_INT(check_rss_core(c, 1, &fi, &idx, &hashed), core);
	CHECK(hashed);

	/* Not IPv4: not hashed. */
	memcpy(b, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x06", 14);
	memset(b + 14, 0, 28);
	fi = parse(b, 42);
	check_rss_core(c, 0, &fi, &idx, &hashed);
	CHECK(!hashed);
	CHECK_EQ_INT(idx, 0);

	/* --cores: the RETA becomes round robin over the new count. */
	CHECK(check_config_cores(c, 3, &e) == 0);
	CHECK_EQ_INT(c->cores, 3);
	CHECK_EQ_INT(c->port[0].reta[5], 2);
	CHECK(check_config_cores(c, 200, &e) < 0);
	CHECK_EQ_INT(c->cores, 3);
	rss_config_free(c);
}

/* K flows: a lan packet opens each, its wan reply follows. */
#define K 20

static int
make_trace(const char *path)
{
	static uint8_t frames[2 * K][TPKT_MAX];
	uint16_t lens[2 * K];
	char a[32];

	for (unsigned i = 0; i < K; i++) {
		snprintf(a, sizeof a, "192.168.1.%u", i + 1);
		lens[2 * i] = tpkt_build(frames[2 * i], a, (uint16_t)(1000 + i), "8.8.8.8", 443, 6,
					 0x02, 0);
		lens[2 * i + 1] = tpkt_build(frames[2 * i + 1], "8.8.8.8", 443, a,
					     (uint16_t)(1000 + i), 6, 0x12, 0);
	}
	write_pcap(path, frames, lens, 2 * K);
	return 2 * K;
}

static void
test_check__fw_counts(void)
{
	struct err e = ERR_INIT;
	struct nfload *nf = nfload_open("fw", NULL, NULL, &e);
	const char *ports[] = { "lan", "wan" };
	struct rss_config *c;
	struct portmap pm;
	struct check_opts o = { 0 };
	struct check_result *r = calloc(1, sizeof *r);
	char path[256];

	if (!nf) {
		FAIL("cannot load fw: %s", e.msg);
		free(r);
		return;
	}
	snprintf(path, sizeof path, "%s/flows.pcap", dir);
	make_trace(path);
	CHECK(portmap_lan(&pm, nf, "192.168.0.0/16", &e) == 0);
	o.pm = &pm;

	/* Every packet on core 0: nothing can break. */
	c = rss_config_new(NULL, 2, 128, 2, ports);
	CHECK(rss_set_reta(c, -1, "0", &e) == 0);
	o.rss = c;
	CHECK_EQ_INT(check_run(nf, path, &o, NULL, r, &e), 0);
	CHECK_EQ_INT(r->packets, 2 * K);
	CHECK_EQ_INT(r->violations, 0);
	CHECK_EQ_INT(r->verdict_diffs, 0);
	CHECK_EQ_INT(r->core_packets[0], 2 * K);
	CHECK_EQ_INT(r->core_packets[1], 0);
	CHECK_EQ_INT(r->flows, 2 * K);
	CHECK(r->imbalance == 2.0);
	check_release(r);

	/* lan on core 0, wan on core 1: every reply reads its flow (flows) and refreshes it
	** (ages) from the other core, and is dropped there. */
	CHECK(rss_set_reta(c, 1, "1", &e) == 0);
	CHECK_EQ_INT(check_run(nf, path, &o, NULL, r, &e), 0);
	CHECK_EQ_INT(r->violations, 2 * K);
	CHECK_EQ_INT(r->violating_packets, K);
	CHECK_EQ_INT(r->verdict_diffs, K);
	CHECK_EQ_INT(r->capacity_diffs, 0);
	CHECK_EQ_INT(r->n_vex, CHECK_EXAMPLES);
	/* The refresh counts at once; the read once the verdicts are compared. */
	CHECK_STR(r->vex[0].object, "ages");
	CHECK_EQ_INT(r->vex[0].op, NF_OP_UPDATE);
	CHECK_EQ_INT(r->vex[0].owner.index, 1);
	CHECK(r->vex[0].owner.known);
	CHECK_EQ_INT(r->vex[0].owner.core, 0);
	CHECK_EQ_INT(r->vex[0].other.index, 2);
	CHECK_EQ_INT(r->vex[0].other.core, 1);
	CHECK_EQ_INT(r->vex[0].other.key.sport, 443);
	CHECK_STR(r->vex[1].object, "flows");
	CHECK_EQ_INT(r->vex[1].op, NF_OP_READ);
	CHECK_EQ_INT(r->dex[0].pkt.index, 2);
	CHECK_EQ_INT(r->dex[0].seq, 0);		/* to lan */
	CHECK_EQ_INT(r->dex[0].sharded, NF_DROP);
	CHECK_EQ_INT(r->objects[0].lifetimes, K);
	CHECK(r->objects[0].written);
	check_release(r);

	/* Capacity: with 2 flows of room shared by 2 cores, a core fills; the differences are
	** counted apart, and the sequential run (room for 2) agrees on the first two only. */
	CHECK(nfload_set(nf, "capacity", "2", &e) == 0);
	CHECK(rss_set_reta(c, -1, "0", &e) == 0);
	CHECK_EQ_INT(check_run(nf, path, &o, NULL, r, &e), 0);
	CHECK_EQ_INT(r->violations, 0);
	CHECK(r->core_refused[0] > 0);
	CHECK(r->capacity_diffs > 0);
	CHECK_EQ_INT(r->verdict_diffs, 0);
	check_release(r);

	rss_config_free(c);
	free(r);
	nfload_close(nf);
}

static void
test_check__errors(void)
{
	struct err e = ERR_INIT;
	struct nfload *nf = nfload_open("nop", NULL, NULL, &e);
	const char *bad_ports[] = { "a", "b" };
	struct rss_config *c = rss_config_new(NULL, 2, 128, 2, bad_ports);
	struct portmap pm;
	struct check_opts o = { .pm = &pm, .rss = c };
	struct check_result *r = calloc(1, sizeof *r);
	char *path = NULL;

	if (!nf) {
		FAIL("cannot load nop: %s", e.msg);
		free(r);
		rss_config_free(c);
		return;
	}
	CHECK(portmap_one(&pm, nf, "lan", &e) == 0);
	CHECK(check_run(nf, "/nonexistent", &o, NULL, r, &e) == -EINVAL);
	CHECK(strstr(e.msg, "no port 'lan'") != NULL);
	check_release(r);
	CHECK(check_gen_file("bidir,flows", NULL, &path, &e) == -EINVAL);
	CHECK(check_gen_file("flows=10", NULL, &path, &e) == -EINVAL);
	CHECK(path == NULL);
	CHECK(check_gen_file("uniform,flows=10,packets=100", NULL, &path, &e) == 0);
	CHECK(path && access(path, R_OK) == 0);
	if (path) {
		unlink(path);
		free(path);
	}
	free(r);
	rss_config_free(c);
	nfload_close(nf);
}

int
main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_check__rss_core);
	RUN(test_check__fw_counts);
	RUN(test_check__errors);
	{
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", dir);
	}
	return TEST_DONE();
}
