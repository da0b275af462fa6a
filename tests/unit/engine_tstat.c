/*
** Unit tests of engine/tstat: counts on a fixture of known composition, a truncated file, a
** stop request, the val and text forms, and the shared gnutella trace when it is there.
*/
#include "engine/tstat.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include "tests/test.h"

/* ------------------------------------------------------------------------------------------ */
/* Fixture */

struct rec {
	uint8_t data[128];
	uint32_t len, wire;
	uint32_t ts_sec;
};

static void
eth_head(uint8_t *f, uint16_t et)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

	memcpy(f, macs, 12);
	f[12] = (uint8_t)(et >> 8);
	f[13] = (uint8_t)et;
}

/* Ethernet + IPv4 10.0.0.s -> 10.0.0.d + 8 bytes of L4 with the given ports. */
static void
rec_ip4(struct rec *r, uint8_t proto, uint8_t s, uint8_t d, uint16_t sp, uint16_t dp,
	uint16_t frag, uint32_t ts)
{
	uint8_t *ip = r->data + 14;

	memset(r, 0, sizeof *r);
	eth_head(r->data, 0x0800);
	ip[0] = 0x45;
	ip[3] = 28;
	ip[6] = (uint8_t)(frag >> 8);
	ip[7] = (uint8_t)frag;
	ip[8] = 64;
	ip[9] = proto;
	ip[12] = 10;
	ip[15] = s;
	ip[16] = 10;
	ip[19] = d;
	ip[20] = (uint8_t)(sp >> 8);
	ip[21] = (uint8_t)sp;
	ip[22] = (uint8_t)(dp >> 8);
	ip[23] = (uint8_t)dp;
	r->len = r->wire = 14 + 28;
	r->ts_sec = ts;
}

static void
rec_ip6_tcp(struct rec *r, uint32_t ts)
{
	uint8_t *ip = r->data + 14;

	memset(r, 0, sizeof *r);
	eth_head(r->data, 0x86DD);
	ip[0] = 0x60;
	ip[5] = 20;
	ip[6] = 6;
	ip[7] = 64;
	ip[8] = 0x20, ip[9] = 0x01, ip[23] = 1;
	ip[24] = 0x20, ip[25] = 0x01, ip[39] = 2;
	ip[40] = 0x9c, ip[41] = 0x40, ip[42] = 0x01, ip[43] = 0xbb;
	ip[52] = 0x50;
	r->len = r->wire = 14 + 60;
	r->ts_sec = ts;
}

static bool
write_recs(const char *path, const struct rec *r, int n)
{
	pcap_t *pd = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = pd ? pcap_dump_open(pd, path) : NULL;
	int i;

	if (!d) {
		if (pd)
			pcap_close(pd);
		return false;
	}
	for (i = 0; i < n; i++) {
		struct pcap_pkthdr h;

		memset(&h, 0, sizeof h);
		h.ts.tv_sec = r[i].ts_sec;
		h.caplen = r[i].len;
		h.len = r[i].wire;
		pcap_dump((u_char *)d, &h, r[i].data);
	}
	pcap_dump_close(d);
	pcap_close(pd);
	return true;
}

/* The known mix: 11 packets, see the checks in test_tstat__counts for what each adds up to. */
#define MIX_N 11

static int
make_mix(struct rec *r)
{
	int n = 0;

	rec_ip4(&r[n++], 17, 1, 2, 1000, 53, 0, 10);		/* a UDP conversation, */
	rec_ip4(&r[n++], 17, 1, 2, 1000, 53, 0, 11);
	rec_ip4(&r[n++], 17, 2, 1, 53, 1000, 0, 12);		/* with replies */
	rec_ip4(&r[n++], 17, 1, 2, 1000, 53, 0, 13);
	rec_ip4(&r[n++], 17, 2, 1, 53, 1000, 0, 14);
	rec_ip6_tcp(&r[n], 15);					/* one-way IPv6 TCP, snapped */
	r[n++].wire += 100;
	rec_ip4(&r[n++], 1, 1, 3, 0x0800, 0, 0, 16);		/* ICMP: no ports */
	memset(&r[n], 0, sizeof r[n]);				/* ARP, the earliest stamp */
	eth_head(r[n].data, 0x0806);
	r[n].len = r[n].wire = 42;
	r[n++].ts_sec = 9;
	rec_ip4(&r[n], 17, 1, 2, 1, 2, 0, 17);			/* IPv4 header cut: ihl 15 */
	r[n++].data[14] = 0x4f;
	rec_ip4(&r[n++], 17, 4, 5, 7, 8, 0x2000, 18);		/* first fragment (MF) */
	rec_ip4(&r[n++], 17, 4, 5, 0xdead, 0xbeef, 185, 20);	/* last fragment, the latest */
	return n;
}

static void
fixture_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", test_dir, name);
}

/* ------------------------------------------------------------------------------------------ */
/* Cases */

static void
test_tstat__counts(void)
{
	struct rec r[MIX_N];
	struct tstat s;
	struct err e = ERR_INIT;
	char path[128];
	uint64_t bytes = 0, wire = 0;
	int i, n = make_mix(r);

	CHECK_EQ_INT(n, MIX_N);
	for (i = 0; i < n; i++) {
		bytes += r[i].len;
		wire += r[i].wire;
	}
	fixture_path(path, sizeof path, "mix.pcap");
	CHECK(write_recs(path, r, n));
	CHECK_EQ_INT(tstat_file(path, NULL, &s, &e), 0);
	CHECK_STR(s.file, path);
	CHECK_STR(s.format, "pcap");
	CHECK_STR(s.link_type, "EN10MB");
	CHECK_EQ_INT(s.snaplen, 65535);
	CHECK_EQ_INT(s.packets, 11);
	CHECK_EQ_INT(s.bytes, bytes);
	CHECK_EQ_INT(s.wire_bytes, wire);
	CHECK_EQ_INT(s.first_ns, 9000000000ull);
	CHECK_EQ_INT(s.last_ns, 20000000000ull);
	CHECK(s.duration_s == 11.0);
	CHECK(s.pps == 1.0);
	CHECK(s.bps == (double)bytes * 8 / 11.0);
	CHECK(s.avg_size == (double)bytes / 11.0);
	CHECK_EQ_INT(s.ipv4, 9);
	CHECK_EQ_INT(s.ipv6, 1);
	CHECK_EQ_INT(s.other_l3, 1);
	CHECK_EQ_INT(s.tcp, 1);
	CHECK_EQ_INT(s.udp, 6);		/* 5 + the first fragment */
	CHECK_EQ_INT(s.other_l4, 1);	/* ICMP; the last fragment has no L4 */
	CHECK_EQ_INT(s.fragments, 2);
	CHECK_EQ_INT(s.truncated, 1);
	CHECK_EQ_INT(s.short_link, 0);
	CHECK_EQ_INT(s.snapped, 1);
	/* udp 1->2, udp 2->1, tcp6, icmp, first fragment (ports), last fragment (ports 0) */
	CHECK_EQ_INT(s.five_tuples, 6);
	CHECK_EQ_INT(s.conversations, 5);
	CHECK_EQ_INT(s.bidir_conversations, 1);
	CHECK(s.bidir_share == 0.2);
	/* {1,2}, {v6 1,2}, {1,3}, {4,5}; the cut IPv4 header has no readable addresses */
	CHECK_EQ_INT(s.ip_pairs, 4);
	CHECK(!s.truncated_file);
}

static void
test_tstat__val_and_text(void)
{
	struct rec r[MIX_N];
	struct tstat s;
	struct sbuf sb = SBUF_INIT;
	struct val *v;
	char path[128];
	int n = make_mix(r);

	fixture_path(path, sizeof path, "mix2.pcap");
	CHECK(write_recs(path, r, n));
	CHECK_EQ_INT(tstat_file(path, NULL, &s, NULL), 0);
	v = tstat_to_val(&s);
	CHECK_STR(val_get_str(v, "file"), path);
	CHECK_STR(val_get_str(v, "link_type"), "EN10MB");
	CHECK_EQ_INT(val_get_int(v, "packets", -1), 11);
	CHECK_EQ_INT(val_get_int(v, "five_tuples", -1), 6);
	CHECK_EQ_INT(val_get_int(v, "ip_pairs", -1), 4);
	CHECK(val_get(v, "bidir_share") && val_get(v, "bidir_share")->kind == VAL_NUM);
	CHECK(val_get(v, "first_ts") && val_get(v, "first_ts")->u.n == 9.0);
	CHECK(val_get(v, "truncated_file") && val_get(v, "truncated_file")->kind == VAL_BOOL);
	val_json(v, &sb);
	CHECK(strstr(sbuf_str(&sb), "\"packets\":11,") != NULL);
	val_free(v);
	sbuf_reset(&sb);
	tstat_format(&s, &sb);
	CHECK(strstr(sbuf_str(&sb), "IPv4:                9 (81.8%)\n") != NULL);
	CHECK(strstr(sbuf_str(&sb), "Packets:             11\n") != NULL);
	CHECK(strstr(sbuf_str(&sb), "1970-01-01 00:00:09.000000000 UTC") != NULL);
	if (test_case_failed)
		printf("%s", sbuf_str(&sb));
	sbuf_release(&sb);
}

static void
test_tstat__truncated_file(void)
{
	struct rec r[MIX_N];
	struct tstat s;
	struct err e = ERR_INIT;
	char path[128];
	long size = 24;
	int i, n = make_mix(r);

	fixture_path(path, sizeof path, "cut.pcap");
	CHECK(write_recs(path, r, n));
	for (i = 0; i < n - 1; i++)
		size += 16 + r[i].len;
	if (truncate(path, size + 16 + 3) != 0) {	/* into the last packet's data */
		FAIL("truncate: %s", strerror(errno));
		return;
	}
	CHECK_EQ_INT(tstat_file(path, NULL, &s, &e), -EIO);
	CHECK(strstr(e.msg, "packet 11") != NULL);
	CHECK(s.truncated_file);
	CHECK_EQ_INT(s.packets, 10);
	CHECK_EQ_INT(s.fragments, 1);
	CHECK_EQ_INT(s.last_ns, 18000000000ull);
	CHECK_STR(s.link_type, "EN10MB");
}

static void
count_reports(void *arg, const char *what, uint64_t done, uint64_t total)
{
	(*(int *)arg)++;
}

static void
test_tstat__stop(void)
{
	enum { N = 70000 };
	static volatile sig_atomic_t stop = 1;
	struct rec *r = malloc(N * sizeof *r);
	struct progress p;
	struct tstat s;
	struct err e = ERR_INIT;
	char path[128];
	int i, reports = 0;

	for (i = 0; i < N; i++)
		rec_ip4(&r[i], 17, 1, 2, (uint16_t)i, 80, 0, 100);
	fixture_path(path, sizeof path, "long.pcap");
	CHECK(write_recs(path, r, N));
	free(r);
	p.stop = &stop;
	p.report = count_reports;
	p.arg = &reports;
	CHECK_EQ_INT(tstat_file(path, &p, &s, &e), -EINTR);
	CHECK(strstr(e.msg, "stopped after 65536 packets") != NULL);
	CHECK_EQ_INT(s.packets, 65536);
	CHECK_EQ_INT(reports, 1);
	stop = 0;
	CHECK_EQ_INT(tstat_file(path, &p, &s, &e), 0);
	CHECK_EQ_INT(s.packets, N);
	CHECK_EQ_INT(s.five_tuples, 65536);	/* the source port wraps */
}

static void
test_tstat__open_error(void)
{
	struct tstat s;
	struct err e = ERR_INIT;
	char path[128];

	fixture_path(path, sizeof path, "absent.pcap");
	CHECK_EQ_INT(tstat_file(path, NULL, &s, &e), -ENOENT);
	CHECK_STR(s.file, path);
	CHECK_EQ_INT(s.packets, 0);
	CHECK(strstr(e.msg, "absent.pcap") != NULL);
}

/* The shared real trace: numbers checked against tshark (tests/e2e/pcap_tshark.sh does the same
** for every shared trace). PROVENANCE.md's 509 IP pairs are IPv4 only (tshark -z conv,ip);
** tstat adds the 8 IPv6 pairs. Its first record is 4 bytes long: skipped as short_link. */
static void
test_tstat__gnutella(void)
{
	const char *path = "../shared/pcaps/gnutella.pcap";
	struct tstat s;
	struct err e = ERR_INIT;

	if (access(path, R_OK) != 0)
		SKIP("../shared/pcaps/gnutella.pcap is absent (the shared traces are not here)");
	CHECK_EQ_INT(tstat_file(path, NULL, &s, &e), 0);
	CHECK_EQ_INT(s.packets, 3905);
	CHECK_EQ_INT(s.short_link, 1);
	CHECK_EQ_INT(s.ipv4, 3814);
	CHECK_EQ_INT(s.ipv6, 68);
	CHECK_EQ_INT(s.tcp, 2149);
	CHECK_EQ_INT(s.udp, 1692);
	CHECK_EQ_INT(s.ip_pairs, 517);
	CHECK_EQ_INT(s.five_tuples, 937);
	CHECK_EQ_INT(s.conversations, 760);
	CHECK_EQ_INT(s.bidir_conversations, 177);
	CHECK_EQ_INT(s.fragments, 0);
	CHECK_EQ_INT(s.truncated, 0);
}

int
main(void)
{
	if (test_dir_make("tstat") < 0)
		return 1;
	RUN(test_tstat__counts);
	RUN(test_tstat__val_and_text);
	RUN(test_tstat__truncated_file);
	RUN(test_tstat__stop);
	RUN(test_tstat__open_error);
	RUN(test_tstat__gnutella);
	test_dir_done();
	return TEST_DONE();
}
