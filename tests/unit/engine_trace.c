/*
** Unit tests of engine/trace: pcap and pcapng reading, link-type normalisation, malformed files.
** Fixtures are written into a fresh directory under /tmp.
*/
#include "engine/trace.h"
#include "engine/flow.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "tests/pkts.h"
#include "tests/test.h"

/* ------------------------------------------------------------------------------------------ */
/* Fixture packets */

static const struct { const uint8_t *ip; uint32_t len; uint16_t ethertype; } ip_pkts[] = {
	{ ip4_udp, sizeof ip4_udp, 0x0800 },
	{ ip6_tcp, sizeof ip6_tcp, 0x86DD },
};

/* Wraps an IP packet in the link-layer header of 'dlt'; returns the record length. */
static uint32_t
wrap(int dlt, const uint8_t *ip, uint32_t n, uint16_t et, uint8_t *out)
{
	uint32_t hl = 0;

	switch (dlt) {
	case DLT_EN10MB:
		memcpy(out, mac_dst, 6);
		memcpy(out + 6, mac_src, 6);
		out[12] = (uint8_t)(et >> 8);
		out[13] = (uint8_t)et;
		hl = 14;
		break;
	case DLT_LINUX_SLL:
		memset(out, 0, 16);
		out[3] = 1;			/* hatype ARPHRD_ETHER */
		out[5] = 6;			/* halen */
		memcpy(out + 6, mac_src, 6);
		out[14] = (uint8_t)(et >> 8);
		out[15] = (uint8_t)et;
		hl = 16;
		break;
	case DLT_LINUX_SLL2:
		memset(out, 0, 20);
		out[0] = (uint8_t)(et >> 8);
		out[1] = (uint8_t)et;
		out[7] = 1;			/* ifindex */
		out[9] = 1;			/* hatype */
		out[11] = 6;			/* halen */
		memcpy(out + 12, mac_src, 6);
		hl = 20;
		break;
	case DLT_NULL:
		/* host byte order, as the capturing machine wrote it */
		{
			uint32_t af = et == 0x0800 ? 2 : 24;

			memcpy(out, &af, 4);
		}
		hl = 4;
		break;
	case DLT_LOOP:
		memset(out, 0, 4);
		out[3] = et == 0x0800 ? 2 : 30;
		hl = 4;
		break;
	default:		/* raw IP */
		break;
	}
	memcpy(out + hl, ip, n);
	return hl + n;
}

static void
fixture_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", test_dir, name);
}

/* Writes records (data[i], caplen[i], wire[i]) with stamps 1 s + i µs apart; false on error. */
static bool
write_pcap(const char *path, int dlt, int nrec, const uint8_t *const *data, const uint32_t *caplen,
	   const uint32_t *wire, bool nano)
{
	pcap_t *pd = pcap_open_dead_with_tstamp_precision(dlt, 65535,
		nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
	pcap_dumper_t *d;
	int i;

	if (!pd)
		return false;
	d = pcap_dump_open(pd, path);
	if (!d) {
		printf("#   pcap_dump_open: %s\n", pcap_geterr(pd));
		pcap_close(pd);
		return false;
	}
	for (i = 0; i < nrec; i++) {
		struct pcap_pkthdr h;

		memset(&h, 0, sizeof h);
		h.ts.tv_sec = 1000 + i;
		h.ts.tv_usec = nano ? 123456789 : 123456;
		h.caplen = caplen[i];
		h.len = wire ? wire[i] : caplen[i];
		pcap_dump((u_char *)d, &h, data[i]);
	}
	pcap_dump_close(d);
	pcap_close(pd);
	return true;
}

static void
write_bytes(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return;
	if (n)
		fwrite(data, 1, n, f);
	fclose(f);
}

static long
file_size(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	return n;
}

/* ------------------------------------------------------------------------------------------ */
/* Link types */

/* Reads both fixture packets back from a file of link type 'dlt' and checks that the frames are
** the Ethernet ones, and that flow keys agree. */
static void
check_link(int dlt, const char *name, const char *want_link, int first, int last)
{
	uint8_t rec[2][256];
	const uint8_t *data[2];
	uint32_t len[2];
	char path[128];
	struct trace *t;
	struct err e = ERR_INIT;
	struct trace_pkt pkt;
	int i, n = 0;

	for (i = first; i <= last; i++) {
		len[n] = wrap(dlt, ip_pkts[i].ip, ip_pkts[i].len, ip_pkts[i].ethertype, rec[n]);
		data[n] = rec[n];
		n++;
	}
	fixture_path(path, sizeof path, name);
	if (!write_pcap(path, dlt, n, data, len, NULL, true)) {
		FAIL("cannot write %s", path);
		return;
	}
	t = trace_open(path, &e);
	if (!t) {
		FAIL("trace_open: %s", e.msg);
		return;
	}
	CHECK_STR(trace_format(t), "pcap");
	CHECK_STR(trace_link_name(t), want_link);
	CHECK_EQ_INT(trace_snaplen(t), 65535);
	for (i = first; i <= last; i++) {
		struct flow_info fi, ref;
		uint8_t eth[256];
		uint32_t elen;

		if (trace_next(t, &pkt, &e) != 1) {
			FAIL("%s: packet %d missing: %s", name, i, e.msg);
			break;
		}
		CHECK_EQ_INT(pkt.index, i - first + 1);
		CHECK_EQ_INT(pkt.len, ip_pkts[i].len + 14);
		CHECK_EQ_INT(pkt.wire_len, pkt.len);
		CHECK_EQ_INT(pkt.ts_ns, (uint64_t)(1000 + i - first) * 1000000000u + 123456789u);
		CHECK_EQ_INT(pkt.data[12] << 8 | pkt.data[13], ip_pkts[i].ethertype);
		CHECK(memcmp(pkt.data + 14, ip_pkts[i].ip, ip_pkts[i].len) == 0);
		if (dlt == DLT_EN10MB || dlt == DLT_LINUX_SLL || dlt == DLT_LINUX_SLL2)
			CHECK(memcmp(pkt.data + 6, mac_src, 6) == 0);

		elen = wrap(DLT_EN10MB, ip_pkts[i].ip, ip_pkts[i].len, ip_pkts[i].ethertype, eth);
		CHECK_EQ_INT(flow_parse(eth, elen, &ref), 1);
		CHECK_EQ_INT(flow_parse(pkt.data, pkt.len, &fi), 1);
		CHECK(memcmp(&fi.key, &ref.key, sizeof fi.key) == 0);
		CHECK_EQ_INT(fi.l4, ref.l4);
	}
	CHECK_EQ_INT(trace_next(t, &pkt, &e), 0);
	CHECK_EQ_INT(trace_next(t, &pkt, &e), 0);
	CHECK_EQ_INT(trace_short_link(t), 0);
	trace_close(t);
}

static void
test_trace__en10mb(void)
{
	check_link(DLT_EN10MB, "en10mb.pcap", "EN10MB", 0, 1);
}

static void
test_trace__linux_sll(void)
{
	check_link(DLT_LINUX_SLL, "sll.pcap", "LINUX_SLL", 0, 1);
}

static void
test_trace__linux_sll2(void)
{
	check_link(DLT_LINUX_SLL2, "sll2.pcap", "LINUX_SLL2", 0, 1);
}

static void
test_trace__raw(void)
{
	check_link(DLT_RAW, "raw.pcap", "RAW", 0, 1);
}

static void
test_trace__ipv4(void)
{
	check_link(DLT_IPV4, "ipv4.pcap", "IPV4", 0, 0);
}

static void
test_trace__ipv6(void)
{
	check_link(DLT_IPV6, "ipv6.pcap", "IPV6", 1, 1);
}

static void
test_trace__null_and_loop(void)
{
	check_link(DLT_NULL, "null.pcap", "NULL", 0, 1);
	check_link(DLT_LOOP, "loop.pcap", "LOOP", 0, 1);
}

/* µs files read with stamps scaled to ns; snapped packets keep their wire length, adjusted for
** the header change. */
static void
test_trace__micro_and_snapped(void)
{
	uint8_t rec[256];
	const uint8_t *data[1] = { rec };
	uint32_t len[1], wire[1];
	char path[128];
	struct err e = ERR_INIT;
	struct trace_pkt pkt;
	struct trace *t;

	len[0] = wrap(DLT_LINUX_SLL, ip4_udp, 24, 0x0800, rec);	/* IP header + ports only */
	wire[0] = 16 + sizeof ip4_udp;
	fixture_path(path, sizeof path, "micro.pcap");
	CHECK(write_pcap(path, DLT_LINUX_SLL, 1, data, len, wire, false));
	t = trace_open(path, &e);
	if (!t) {
		FAIL("trace_open: %s", e.msg);
		return;
	}
	CHECK_EQ_INT(trace_next(t, &pkt, &e), 1);
	CHECK_EQ_INT(pkt.ts_ns, 1000 * 1000000000ull + 123456000u);
	CHECK_EQ_INT(pkt.len, 14 + 24);
	CHECK_EQ_INT(pkt.wire_len, 14 + sizeof ip4_udp);
	trace_close(t);
}

/* A wire length near 4 GiB on a link with a shorter header than Ethernet's (found by fuzzing):
** adjusted by +14 it wrapped to a few bytes, then read as the captured length; it saturates. */
static void
test_trace__huge_wire_len(void)
{
	const uint8_t *data[2] = { ip4_udp, ip4_udp };
	uint32_t len[2] = { sizeof ip4_udp, sizeof ip4_udp };
	uint32_t wire[2] = { UINT32_MAX, UINT32_MAX - 20 };
	char path[128];
	struct err e = ERR_INIT;
	struct trace_pkt pkt;
	struct trace *t;

	fixture_path(path, sizeof path, "huge-wire.pcap");
	CHECK(write_pcap(path, DLT_RAW, 2, data, len, wire, false));
	t = trace_open(path, &e);
	if (!t) {
		FAIL("trace_open: %s", e.msg);
		return;
	}
	CHECK_EQ_INT(trace_next(t, &pkt, &e), 1);
	CHECK_EQ_INT(pkt.len, 14 + sizeof ip4_udp);
	CHECK_EQ_INT(pkt.wire_len, UINT32_MAX);
	CHECK_EQ_INT(trace_next(t, &pkt, &e), 1);
	CHECK_EQ_INT(pkt.wire_len, UINT32_MAX - 20 + 14);
	trace_close(t);
}

/* ------------------------------------------------------------------------------------------ */
/* pcapng, written by hand since libpcap cannot */

static size_t
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);	/* host order: the byte-order magic says which */
	return 4;
}

static size_t
put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
	return 2;
}

static size_t
pcapng_epb(uint8_t *p, const uint8_t *data, uint32_t n, uint64_t ts_us)
{
	uint32_t padded = (n + 3) & ~3u, total = 32 + padded;
	size_t o = 0;

	o += put32(p + o, 6);
	o += put32(p + o, total);
	o += put32(p + o, 0);				/* interface 0 */
	o += put32(p + o, (uint32_t)(ts_us >> 32));
	o += put32(p + o, (uint32_t)ts_us);
	o += put32(p + o, n);
	o += put32(p + o, n);
	memset(p + o, 0, padded);
	memcpy(p + o, data, n);
	o += padded;
	o += put32(p + o, total);
	return o;
}

static void
test_trace__pcapng(void)
{
	uint8_t file[1024], frame[256];
	char path[128];
	struct err e = ERR_INIT;
	struct trace_pkt pkt;
	struct trace *t;
	size_t o = 0;
	int i;

	/* Section header block: type, length, byte-order magic, version 1.0, unknown length. */
	o += put32(file + o, 0x0A0D0D0A);
	o += put32(file + o, 28);
	o += put32(file + o, 0x1A2B3C4D);
	o += put16(file + o, 1);
	o += put16(file + o, 0);
	o += put32(file + o, 0xffffffff);
	o += put32(file + o, 0xffffffff);
	o += put32(file + o, 28);
	/* Interface description block: Ethernet, snaplen 65535, no options (µs stamps). */
	o += put32(file + o, 1);
	o += put32(file + o, 20);
	o += put16(file + o, 1);
	o += put16(file + o, 0);
	o += put32(file + o, 65535);
	o += put32(file + o, 20);
	for (i = 0; i < 2; i++) {
		uint32_t n = wrap(DLT_EN10MB, ip_pkts[i].ip, ip_pkts[i].len, ip_pkts[i].ethertype,
				  frame);

		o += pcapng_epb(file + o, frame, n, 5000000ull + (uint64_t)i);
	}
	fixture_path(path, sizeof path, "two.pcapng");
	write_bytes(path, file, o);

	t = trace_open(path, &e);
	if (!t) {
		FAIL("trace_open: %s", e.msg);
		return;
	}
	CHECK_STR(trace_format(t), "pcapng");
	CHECK_STR(trace_link_name(t), "EN10MB");
	for (i = 0; i < 2; i++) {
		uint32_t n = wrap(DLT_EN10MB, ip_pkts[i].ip, ip_pkts[i].len, ip_pkts[i].ethertype,
				  frame);

		CHECK_EQ_INT(trace_next(t, &pkt, &e), 1);
		CHECK_EQ_INT(pkt.len, n);
		CHECK(memcmp(pkt.data, frame, n) == 0);
		CHECK_EQ_INT(pkt.ts_ns, (5000000ull + (uint64_t)i) * 1000);
		CHECK_EQ_INT(pkt.index, i + 1);
	}
	CHECK_EQ_INT(trace_next(t, &pkt, &e), 0);
	trace_close(t);
}

/* ------------------------------------------------------------------------------------------ */
/* Malformed files */

static void
test_trace__missing_file(void)
{
	struct err e = ERR_INIT;
	char path[128];

	fixture_path(path, sizeof path, "no-such.pcap");
	CHECK(trace_open(path, &e) == NULL);
	CHECK_EQ_INT(e.code, -ENOENT);
	CHECK(strstr(e.msg, "no-such.pcap") != NULL);
}

static void
test_trace__empty_file(void)
{
	struct err e = ERR_INIT;
	char path[128];

	fixture_path(path, sizeof path, "empty.pcap");
	write_bytes(path, "", 0);
	CHECK(trace_open(path, &e) == NULL);
	CHECK_EQ_INT(e.code, -EINVAL);
	CHECK(strstr(e.msg, "empty.pcap: empty file") != NULL);
}

static void
test_trace__bad_magic(void)
{
	static const char text[] = "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n";
	struct err e = ERR_INIT;
	char path[128];

	fixture_path(path, sizeof path, "text.pcap");
	write_bytes(path, text, sizeof text - 1);
	CHECK(trace_open(path, &e) == NULL);
	CHECK_EQ_INT(e.code, -EINVAL);
	CHECK(strstr(e.msg, "text.pcap: not a pcap or pcapng file (libpcap: ") != NULL);
	/* A pcap magic with nothing after it: libpcap's reason is kept. */
	fixture_path(path, sizeof path, "magic-only.pcap");
	write_bytes(path, "\xd4\xc3\xb2\xa1\x02\x00", 6);
	CHECK(trace_open(path, &e) == NULL);
	CHECK(strstr(e.msg, "magic-only.pcap: bad pcap file header (libpcap: ") != NULL);
}

static void
test_trace__unsupported_link(void)
{
	uint8_t rec[64] = { 0 };
	const uint8_t *data[1] = { rec };
	uint32_t len[1] = { 24 };
	struct err e = ERR_INIT;
	char path[128];

	fixture_path(path, sizeof path, "wifi.pcap");
	CHECK(write_pcap(path, DLT_IEEE802_11, 1, data, len, NULL, false));
	CHECK(trace_open(path, &e) == NULL);
	CHECK_EQ_INT(e.code, -EINVAL);
	CHECK(strstr(e.msg, "wifi.pcap: link type IEEE802_11 (105) is not supported") != NULL);
}

/* Writes three Ethernet records and cuts the file 'cut' bytes into the third record. */
static void
check_truncated(const char *name, long cut)
{
	uint8_t rec[256];
	const uint8_t *data[3] = { rec, rec, rec };
	uint32_t len[3];
	char path[128];
	struct err e = ERR_INIT;
	struct trace_pkt pkt;
	struct trace *t;
	long third;

	len[0] = len[1] = len[2] = wrap(DLT_EN10MB, ip4_udp, sizeof ip4_udp, 0x0800, rec);
	fixture_path(path, sizeof path, name);
	CHECK(write_pcap(path, DLT_EN10MB, 3, data, len, NULL, false));
	third = 24 + 2 * (16 + (long)len[0]);
	CHECK_EQ_INT(file_size(path), third + 16 + len[0]);
	if (truncate(path, third + cut) != 0) {
		FAIL("truncate: %s", strerror(errno));
		return;
	}
	t = trace_open(path, &e);
	if (!t) {
		FAIL("trace_open: %s", e.msg);
		return;
	}
	CHECK_EQ_INT(trace_next(t, &pkt, &e), 1);
	CHECK_EQ_INT(pkt.index, 1);
	CHECK_EQ_INT(trace_next(t, &pkt, &e), 1);
	CHECK_EQ_INT(pkt.index, 2);
	CHECK_EQ_INT(trace_next(t, &pkt, &e), -EIO);
	CHECK(strstr(e.msg, name) != NULL);
	CHECK(strstr(e.msg, ": packet 3: ") != NULL);
	CHECK(strstr(e.msg, "truncated") != NULL);
	trace_close(t);
}

static void
test_trace__truncated_record_header(void)
{
	check_truncated("cut-header.pcap", 8);
}

static void
test_trace__truncated_packet_data(void)
{
	check_truncated("cut-data.pcap", 16 + 5);
}

static void
test_trace__short_sll(void)
{
	uint8_t full[256], tiny[10] = { 0 };
	const uint8_t *data[3] = { full, tiny, full };
	uint32_t len[3];
	char path[128];
	struct err e = ERR_INIT;
	struct trace_pkt pkt;
	struct trace *t;

	len[0] = len[2] = wrap(DLT_LINUX_SLL, ip4_udp, sizeof ip4_udp, 0x0800, full);
	len[1] = sizeof tiny;
	fixture_path(path, sizeof path, "short-sll.pcap");
	CHECK(write_pcap(path, DLT_LINUX_SLL, 3, data, len, NULL, false));
	t = trace_open(path, &e);
	if (!t) {
		FAIL("trace_open: %s", e.msg);
		return;
	}
	CHECK_EQ_INT(trace_next(t, &pkt, &e), 1);
	CHECK_EQ_INT(pkt.index, 1);
	CHECK_EQ_INT(trace_next(t, &pkt, &e), 1);
	CHECK_EQ_INT(pkt.index, 3);
	CHECK_EQ_INT(trace_next(t, &pkt, &e), 0);
	CHECK_EQ_INT(trace_short_link(t), 1);
	trace_close(t);
}

int
main(void)
{
	if (test_dir_make("trace") < 0)
		return 1;
	RUN(test_trace__en10mb);
	RUN(test_trace__linux_sll);
	RUN(test_trace__linux_sll2);
	RUN(test_trace__raw);
	RUN(test_trace__ipv4);
	RUN(test_trace__ipv6);
	RUN(test_trace__null_and_loop);
	RUN(test_trace__micro_and_snapped);
	RUN(test_trace__huge_wire_len);
	RUN(test_trace__pcapng);
	RUN(test_trace__missing_file);
	RUN(test_trace__empty_file);
	RUN(test_trace__bad_magic);
	RUN(test_trace__unsupported_link);
	RUN(test_trace__truncated_record_header);
	RUN(test_trace__truncated_packet_data);
	RUN(test_trace__short_sll);
	test_dir_done();
	return TEST_DONE();
}
