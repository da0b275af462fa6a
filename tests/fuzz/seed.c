/*
** Writes the seed corpora of every fuzz target into DIR/seeds-TARGET:
**   nf, packet  from the bundled traces: runs of 1 to 8 consecutive packets on alternating
**               ports (fuzz_nf's format); new addresses and ports, then one packet (fuzz_packet's);
**   pcap        the head of each trace (bundled, and --more ones: cut at a record boundary
**               within 64 KiB), and small made-up files: every supported link type and some
**               that are not, µs and ns magic in both byte orders, odd snaplens, records cut
**               short, pcapng;
**   cmdline     command lines from --text files ("-e '...'" arguments and "baton> " lines),
**               and batch files with comments, continuations, quotes and CRLF;
**   key         keys, field sets, RETAs, prefixes, profile names, JSON and trace generator
**               options in fuzz_key's format;
**   nfslib      instance sizes and call sequences in fuzz_nfslib's format.
** Usage: seed DIR TRACE.pcap... [--more TRACE.pcap...] [--text FILE...]
*/

#include <errno.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*---- Writing ----*/

static int
write_seed(const char *dir, const char *target, const char *name, unsigned n, const void *b,
	   size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/seeds-%s/%s-%u", dir, target, name, n);
	f = fopen(path, "wb");
	if (!f || fwrite(b, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* A growing byte buffer for the made-up inputs. */
struct buf {
	unsigned char *b;
	size_t n, cap;
};

static void
put(struct buf *o, const void *p, size_t n)
{
	if (o->n + n > o->cap) {
		o->cap = (o->n + n) * 2 + 64;
		o->b = realloc(o->b, o->cap);
		if (!o->b) {
			perror("seed");
			exit(1);
		}
	}
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

static void
put32(struct buf *o, uint32_t v, int swap)
{
	unsigned char b[4];

	if (swap)
		v = __builtin_bswap32(v);
	memcpy(b, &v, 4);
	put(o, b, 4);
}

static void
put16(struct buf *o, uint16_t v, int swap)
{
	unsigned char b[2];

	if (swap)
		v = __builtin_bswap16(v);
	memcpy(b, &v, 2);
	put(o, b, 2);
}

/*---- nf and packet, from the bundled traces ----*/

static int
seed_nf_packet(const char *dir, const char *trace)
{
	static unsigned char nf[1 << 17], pk[70000];
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(trace, errbuf);
	const char *base = base_name(trace);
	struct pcap_pkthdr *h;
	const unsigned char *d;
	unsigned i = 0, run = 0, nseeds = 0;
	size_t used = 0;

	if (!pc) {
		fprintf(stderr, "seed: %s\n", errbuf);
		return -1;
	}
	/* A few dozen seeds per trace: enough variety, quick to load. */
	while (pcap_next_ex(pc, &h, &d) == 1 && nseeds < 48) {
		uint32_t len = h->caplen > 2048 ? 2048 : h->caplen;
		if (used == 0)
			nf[used++] = (unsigned char)(i & 3);
		nf[used++] = (unsigned char)(i & 1);
		nf[used++] = (unsigned char)(len & 0xff);
		nf[used++] = (unsigned char)(len >> 8);
		nf[used++] = (unsigned char)(i % 7);
		nf[used++] = 0;
		memcpy(nf + used, d, len);
		used += len;
		if (++run == 1 + nseeds % 8) {
			if (write_seed(dir, "nf", base, nseeds, nf, used) < 0)
				goto fail;
			memset(pk, 0, 12);
			pk[0] = 10; pk[3] = (unsigned char)i; pk[4] = 192; pk[5] = 168;
			pk[8] = (unsigned char)(i >> 8); pk[9] = (unsigned char)i;
			memcpy(pk + 12, d, len);
			if (write_seed(dir, "packet", base, nseeds, pk, 12 + len) < 0)
				goto fail;
			nseeds++;
			used = 0;
			run = 0;
		}
		i++;
	}
	pcap_close(pc);
	return 0;
fail:
	pcap_close(pc);
	return -1;
}

/*---- pcap ----*/

#define HEAD_MAX (64u << 10)

/* The first bytes of a trace up to a record boundary within HEAD_MAX (pcap; pcapng and
** anything else is cut at HEAD_MAX), and its first three records alone. */
static int
seed_pcap_head(const char *dir, const char *trace)
{
	static unsigned char b[HEAD_MAX];
	FILE *f = fopen(trace, "rb");
	size_t n, off = 24, cut = 0, first3 = 0;
	unsigned recs = 0;
	uint32_t magic;
	int swap;

	if (!f) {
		perror(trace);
		return -1;
	}
	n = fread(b, 1, sizeof b, f);
	fclose(f);
	memcpy(&magic, b, 4);
	swap = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u;
	if (n >= 24 && (swap || magic == 0xa1b2c3d4u || magic == 0xa1b23c4du)) {
		while (off + 16 <= n) {
			uint32_t caplen;

			memcpy(&caplen, b + off + 8, 4);
			if (swap)
				caplen = __builtin_bswap32(caplen);
			if (caplen > n - off - 16)
				break;
			off += 16 + caplen;
			cut = off;
			if (++recs == 3)
				first3 = off;
		}
	} else {
		cut = n;
	}
	if (write_seed(dir, "pcap", base_name(trace), 0, b, cut ? cut : n) < 0)
		return -1;
	if (first3 && write_seed(dir, "pcap", base_name(trace), 1, b, first3) < 0)
		return -1;
	return 0;
}

/* An Ethernet + IPv4 + TCP or UDP frame (proto 6 or 17), 'payload' bytes after the ports. */
static void
frame_ipv4(struct buf *o, int eth, uint8_t proto, uint16_t payload, int vlan)
{
	static const unsigned char macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
	uint16_t l4 = proto == 6 ? 20 : 8, total = (uint16_t)(20 + l4 + payload);
	unsigned char ip[20] = { 0x45, 0, (unsigned char)(total >> 8), (unsigned char)total, 0, 1,
				 0x40, 0, 64, proto, 0, 0, 10, 0, 0, 1, 192, 168, 1, 2 };
	unsigned char l4h[20] = { 0x30, 0x39, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff,
				  0xff };

	if (eth) {
		put(o, macs, 12);
		if (vlan)
			put(o, "\x81\x00\x00\x05", 4);
		put(o, "\x08\x00", 2);
	}
	put(o, ip, 20);
	if (proto == 17) {
		l4h[4] = (unsigned char)((8 + payload) >> 8);
		l4h[5] = (unsigned char)(8 + payload);
	}
	put(o, l4h, l4);
	for (uint16_t i = 0; i < payload; i++)
		put(o, "x", 1);
}

/* An IPv6 + UDP packet (no link header). */
static void
frame_ipv6(struct buf *o)
{
	unsigned char ip6[40] = { 0x60, 0, 0, 0, 0, 8, 17, 64 };

	ip6[8] = 0x20; ip6[9] = 0x01; ip6[23] = 1;
	ip6[24] = 0x20; ip6[25] = 0x01; ip6[39] = 2;
	put(o, ip6, 40);
	put(o, "\x00\x35\x14\xe9\x00\x08\x00\x00", 8);
}

/* The link header for 'dlt' (LINKTYPE_* numbering, as in files) in front of an IP packet. */
static void
link_header(struct buf *o, uint32_t dlt, int v6)
{
	switch (dlt) {
	case 113:	/* LINUX_SLL: pkttype, hatype, halen, addr[8], protocol */
		put(o, "\x00\x04\x00\x01\x00\x06\x02\x00\x00\x00\x00\x01\x00\x00", 14);
		put(o, v6 ? "\x86\xdd" : "\x08\x00", 2);
		break;
	case 276:	/* LINUX_SLL2: protocol, reserved, ifindex, hatype, pkttype, halen, addr */
		put(o, v6 ? "\x86\xdd" : "\x08\x00", 2);
		put(o, "\x00\x00\x00\x00\x00\x02\x00\x01\x01\x06\x02\x00\x00\x00\x00\x01\x00\x00",
		    18);
		break;
	case 0:		/* NULL: the family in the writer's byte order */
		put32(o, v6 ? 10 : 2, 0);
		break;
	case 108:	/* LOOP: network order */
		put32(o, v6 ? 24 : 2, 1);
		break;
	default:
		break;
	}
}

struct pcap_opts {
	uint32_t magic;
	int swap;
	uint32_t snaplen, dlt;
};

static void
pcap_header(struct buf *o, const struct pcap_opts *p)
{
	put32(o, p->magic, p->swap);
	put16(o, 2, p->swap);
	put16(o, 4, p->swap);
	put32(o, 0, p->swap);
	put32(o, 0, p->swap);
	put32(o, p->snaplen, p->swap);
	put32(o, p->dlt, p->swap);
}

static void
pcap_record(struct buf *o, const struct pcap_opts *p, uint32_t sec, uint32_t frac,
	    const struct buf *pkt, uint32_t caplen, uint32_t len)
{
	put32(o, sec, p->swap);
	put32(o, frac, p->swap);
	put32(o, caplen, p->swap);
	put32(o, len, p->swap);
	put(o, pkt->b, caplen < pkt->n ? caplen : pkt->n);
}

/* One packet of each kind for the link type: TCP, UDP with a payload, IPv6 (on links that
** carry it), a VLAN tag on Ethernet, and a record shorter than the link header. */
static void
pcap_packets(struct buf *o, const struct pcap_opts *p)
{
	int eth = p->dlt == 1;
	struct buf pkt = { 0 };

	for (int k = 0; k < 5; k++) {
		pkt.n = 0;
		link_header(&pkt, p->dlt, k == 2);
		if (k == 2 && !eth && p->dlt != 228)
			frame_ipv6(&pkt);
		else
			frame_ipv4(&pkt, eth, k == 1 ? 17 : 6, (uint16_t)(k * 30), eth && k == 3);
		if (k == 4) {
			/* Shorter than any link header; and snapped. */
			pcap_record(o, p, 100, 999, &pkt, 2, 60);
			pcap_record(o, p, 101, 5, &pkt, (uint32_t)pkt.n / 2, (uint32_t)pkt.n);
		} else {
			pcap_record(o, p, 100 + (uint32_t)k, 1000u * (uint32_t)k, &pkt,
				    (uint32_t)pkt.n, (uint32_t)pkt.n);
		}
	}
	free(pkt.b);
}

static int
seed_pcap_made(const char *dir)
{
	static const uint32_t dlts[] = { 1, 113, 276, 101, 228, 229, 0, 108, 12, 14, 105, 147,
					 9999 };
	static const uint32_t snaps[] = { 65535, 0, 64, 262144, 0xffffffffu };
	struct buf o = { 0 };
	unsigned n = 0;

	for (size_t d = 0; d < sizeof dlts / sizeof dlts[0]; d++) {
		for (int v = 0; v < 4; v++) {
			struct pcap_opts p = { v & 1 ? 0xa1b23c4du : 0xa1b2c3d4u, v >> 1,
					       snaps[(d + (size_t)v) % 5], dlts[d] };

			if (v && p.snaplen == 64)
				p.snaplen = 65535;
			o.n = 0;
			pcap_header(&o, &p);
			pcap_packets(&o, &p);
			if (write_seed(dir, "pcap", "made", n++, o.b, o.n) < 0)
				return -1;
			/* The same cut inside the last record's data, and inside its header. */
			if (v == 0 && write_seed(dir, "pcap", "made", n++, o.b, o.n - 7) < 0)
				return -1;
			if (v == 0 && write_seed(dir, "pcap", "made", n++, o.b, 24 + 9) < 0)
				return -1;
		}
	}
	/* A header alone, a bad version, a short file, not a pcap at all. */
	{
		struct pcap_opts p = { 0xa1b2c3d4u, 0, 65535, 1 };

		o.n = 0;
		pcap_header(&o, &p);
		if (write_seed(dir, "pcap", "made", n++, o.b, o.n) < 0 ||
		    write_seed(dir, "pcap", "made", n++, o.b, 10) < 0)
			return -1;
		o.b[4] = 9;
		if (write_seed(dir, "pcap", "made", n++, o.b, o.n) < 0 ||
		    write_seed(dir, "pcap", "made", n++, "hello, world\n", 13) < 0)
			return -1;
	}
	/* pcapng: a section header, an Ethernet interface, two enhanced packets. */
	{
		struct buf pkt = { 0 };

		o.n = 0;
		put32(&o, 0x0a0d0d0au, 0);
		put32(&o, 28, 0);
		put32(&o, 0x1a2b3c4du, 0);
		put16(&o, 1, 0);
		put16(&o, 0, 0);
		put32(&o, 0xffffffffu, 0);
		put32(&o, 0xffffffffu, 0);
		put32(&o, 28, 0);
		put32(&o, 1, 0);
		put32(&o, 20, 0);
		put16(&o, 1, 0);
		put16(&o, 0, 0);
		put32(&o, 65535, 0);
		put32(&o, 20, 0);
		for (int k = 0; k < 2; k++) {
			uint32_t pad;

			pkt.n = 0;
			frame_ipv4(&pkt, 1, k ? 17 : 6, 3, 0);
			pad = (uint32_t)((4 - pkt.n % 4) % 4);
			put32(&o, 6, 0);
			put32(&o, 32 + (uint32_t)pkt.n + pad, 0);
			put32(&o, 0, 0);
			put32(&o, 0x5000, 0);
			put32(&o, 0x1000u * (uint32_t)k, 0);
			put32(&o, (uint32_t)pkt.n, 0);
			put32(&o, (uint32_t)pkt.n, 0);
			put(&o, pkt.b, pkt.n);
			put(&o, "\0\0\0", pad);
			put32(&o, 32 + (uint32_t)pkt.n + pad, 0);
		}
		free(pkt.b);
		if (write_seed(dir, "pcap", "made", n++, o.b, o.n) < 0 ||
		    write_seed(dir, "pcap", "made", n++, o.b, o.n - 5) < 0)
			return -1;
	}
	free(o.b);
	return 0;
}

/*---- cmdline ----*/

/* Every "-e '...'" / "-e \"...\"" argument and every "baton> " line of a text file. */
static int
seed_cmdline_text(const char *dir, const char *path, unsigned *n)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (!f) {
		perror(path);
		return -1;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *p = line, *q;

		if ((q = strstr(line, "baton> "))) {
			q += 7;
			if (write_seed(dir, "cmdline", base_name(path), (*n)++, q,
				       strcspn(q, "\n")) < 0)
				goto fail;
		}
		while ((p = strstr(p, "-e ")) && (p[3] == '\'' || p[3] == '"')) {
			char quote = p[3];

			p += 4;
			q = strchr(p, quote);
			if (!q)
				break;
			if (write_seed(dir, "cmdline", base_name(path), (*n)++, p,
				       (size_t)(q - p)) < 0)
				goto fail;
			p = q + 1;
		}
	}
	free(line);
	fclose(f);
	return 0;
fail:
	free(line);
	fclose(f);
	return -1;
}

static int
seed_cmdline_made(const char *dir, unsigned *n)
{
	static const char *const made[] = {
		"# a comment\nload fw\n\nset expiry=30   # trailing comment\nanalyze --json\n",
		"rss solve --cores 8 \\\n  --nic i40e \\\n  --fields lan=sdfn\n",
		"echo 'single quoted # not a comment' \"double \\\"escaped\\\" \\\\\" a\\ b\r\n"
		"quit\r\n",
		"lua for i = 1, 3 do\n  print(i)\nend\n",
		"pc i x.pcap --json\nsh ver\nr s --cores 4\nv g\n",
		"echo 'unterminated\necho \"also\n\\",
		"help rss set\nrss set all key 6d:5a:56:da\nrss set lan reta 0,1,2,3\n",
		"check --gen zipf,flows=200 --lan 10.0.0.0/8 --cores 4 --config CURRENT\n",
		"   \t  \n#\n\\\n\\\n\n",
	};
	char big[4096];

	for (size_t i = 0; i < sizeof made / sizeof made[0]; i++)
		if (write_seed(dir, "cmdline", "made", (*n)++, made[i], strlen(made[i])) < 0)
			return -1;
	/* A long line of many words, and one long continued line. */
	for (size_t i = 0; i + 8 < sizeof big; i += 8)
		memcpy(big + i, i % 64 ? "a'b c' \\" : "echo \"\\\\", 8);
	big[sizeof big - 1] = '\n';
	return write_seed(dir, "cmdline", "made", (*n)++, big, sizeof big);
}

/*---- key ----*/

static int
seed_key(const char *dir)
{
	static const struct {
		unsigned char mode, param;
		const char *text;
	} made[] = {
		{ 0, 0x08, "6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:ae:7b:"
		  "30:b4:77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa:01:02:03:04:05:06:"
		  "07:08:09:0a:0b:0c" },
		{ 0, 0x08, "0x6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c"
		  "6a42b73bbeac01fa" },
		{ 0, 0x01, "6d-5a-56-da-25-5b-0e-c2-41-67-25-3d-43-a3-8f-b0" },
		{ 0, 0x18, "6d 5a 56 da 25 5b 0e c2 41 67 25 3d 43 a3 8f b0 d0 ca 2b cb" },
		{ 0, 0x30, "6d5a:56da" },
		{ 0, 0x09, "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c"
		  "6a42b73bbeac01fa6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2d"
		  "a38030f20c6a" },
		{ 1, 0x00, "ipv4-tcp,ipv4-udp" },
		{ 1, 0x03, "ipv4-tcp ipv4-udp l3-src-only" },
		{ 1, 0x05, "ipv4+l3-dst-only" },
		{ 1, 0x00, "sdfn" },
		{ 1, 0x00, "fn" },
		{ 1, 0x05, "IPV4-TCP,l4-dst-only,l4-src-only" },
		{ 1, 0x00, "sdm" },
		{ 2, 0x40, "0,1,2,3" },
		{ 2, 0xc8, " default" },
		{ 2, 0x40, "0 1\t1,,0" },
		{ 2, 0x05, "+1,0,99999999999999999999" },
		{ 3, 0, "192.168.0.0/16" },
		{ 3, 0, "10.0.0.1" },
		{ 3, 0, "0.0.0.0/0" },
		{ 3, 0, "10.1.0.0/8" },
		{ 3, 0, "001.2.3.4/032" },
		{ 4, 0, "i40e" },
		{ 4, 1, "512" },
		{ 4, 52, "mlx5" },
		{ 4, 2, "ipv4-tcp,l3-src-only" },
		{ 5, 0x10, "wan" },
		{ 5, 0x30, "3" },
		{ 6, 0, "{\"nic\":\"i40e\",\"cores\":4,\"key_len\":52,\"reta_size\":128,"
		  "\"reta\":[0,1,2,3],\"ports\":{\"lan\":{\"key\":\"6d5a56da255b0ec24167253d"
		  "43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa6d5a56da255b0ec2"
		  "4167253d\",\"fields\":\"ipv4-tcp,ipv4-udp\",\"letters\":\"sdfn\"},"
		  "\"wan\":{\"fields\":\"ipv4,l3-dst-only\",\"reta\":[1,0]}},"
		  "\"port_order\":[\"lan\",\"wan\"],\"seed\":7}" },
		{ 6, 0, "{\"config\":{\"nic\":\"software\",\"cores\":2,\"reta_size\":4,"
		  "\"ports\":{\"p\":[]}}}" },
		{ 6, 0, "{\"nic\":\"mlx5\",\"cores\":3,\"reta_size\":8,"
		  "\"ports\":{\"a\":{\"fields\":\"sd\"},\"b\":{}},\"port_order\":[\"b\",\"a\"],"
		  "\"seed\":-1}" },
		{ 6, 0, "{\"ports\":{\"a\":{},\"b\":{}},\"port_order\":[\"a\",\"a\"]}" },
		{ 7, 0, "{\"ports\":[\"lan\",\"wan\"],\"constraints\":[{\"ports\":[\"wan\","
		  "\"lan\"],\"pairs\":[[\"ipv4.src\",\"ipv4.dst\"],[\"l4.sport\",\"l4.dport\"]]},"
		  "{\"ports\":[\"lan\",\"lan\"],\"pairs\":[[\"ipv4.src/24\","
		  "\"ipv4.src&0xffffff00\"],[\"l4.dport[1]&0x0f\",\"l4.sport[0]\"]]}]}" },
		{ 7, 0, "{\"ports\":[\"a\"],\"verdict\":\"locks\"}" },
		{ 9, 0, "flows=10k" },
		{ 9, 0, "--packets=1e6" },
		{ 9, 2, "18446744073709551615" },
		{ 9, 3, "1514" },
		{ 9, 0, "zipf=1.5" },
		{ 9, 0, "lan=10.1.2.3/8" },
		{ 9, 0, "duration=500ms" },
		{ 9, 0, "pps=2.5M" },
		{ 9, 0, "kind=churn" },
		{ 9, 0, "reply=0.25" },
		{ 8, 0, "[1,-0,2.5e300,\"\\u00e9\\ud83d\\ude00\",{\"a\":null,\"a\":[true,false]},"
		  "9223372036854775807,-9223372036854775808,18446744073709551616]" },
	};

	for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
		char b[1024];
		size_t n = strlen(made[i].text);

		b[0] = (char)made[i].mode;
		b[1] = (char)made[i].param;
		memcpy(b + 2, made[i].text, n);
		if (write_seed(dir, "key", "made", (unsigned)i, b, n + 2) < 0)
			return -1;
	}
	return 0;
}

/*---- nfslib ----*/

/* Sizes (the first 16 bytes: share, map, vector, dchain, flow table, sketch, cht, lpm), then
** calls: each seed leans on one group of operations (fuzz_nfslib's op numbers, mod 27), with
** time moving on between them. */
static int
seed_nfslib(const char *dir)
{
	static const unsigned char groups[][4] = {
		{ 0, 1, 2, 22 }, { 3, 4, 5, 22 }, { 6, 7, 9, 10 }, { 12, 13, 23, 12 },
		{ 14, 15, 16, 22 }, { 17, 18, 19, 19 }, { 20, 21, 20, 21 }, { 24, 25, 26, 8 },
	};
	uint64_t s = 0x5eed;
	unsigned char b[600];

	for (unsigned g = 0; g < 2 * sizeof groups / sizeof groups[0]; g++) {
		size_t n = 0;

		for (int i = 0; i < 16; i++)
			b[n++] = (unsigned char)(g * 7 + (unsigned)i * 3);
		while (n + 8 < sizeof b) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			b[n++] = groups[g % 8][(s >> 33) % 4];
			for (int i = 0; i < 5; i++)
				b[n++] = (unsigned char)(s >> (8 * i + 8));
		}
		if (write_seed(dir, "nfslib", "made", g, b, n) < 0)
			return -1;
	}
	return 0;
}

static int
make_dir(const char *dir, const char *target)
{
	char path[4096];

	snprintf(path, sizeof path, "%s/seeds-%s", dir, target);
	if (mkdir(path, 0777) < 0 && errno != EEXIST) {
		perror(path);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *const targets[] = { "nf", "packet", "pcap", "cmdline", "key", "nfslib" };
	enum { TRACES, MORE, TEXT } kind = TRACES;
	unsigned ncmd = 0;
	const char *dir;

	if (argc < 2) {
		fprintf(stderr, "usage: seed DIR TRACE.pcap... [--more TRACE.pcap...] "
			"[--text FILE...]\n");
		return 2;
	}
	dir = argv[1];
	for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++)
		if (make_dir(dir, targets[t]) < 0)
			return 1;
	for (int i = 2; i < argc; i++) {
		int rc = 0;

		if (!strcmp(argv[i], "--more")) {
			kind = MORE;
			continue;
		}
		if (!strcmp(argv[i], "--text")) {
			kind = TEXT;
			continue;
		}
		if (kind == TRACES)
			rc = seed_nf_packet(dir, argv[i]);
		if (kind == TEXT)
			rc = seed_cmdline_text(dir, argv[i], &ncmd);
		else if (rc == 0)
			rc = seed_pcap_head(dir, argv[i]);
		if (rc < 0)
			return 1;
	}
	if (seed_pcap_made(dir) < 0 || seed_cmdline_made(dir, &ncmd) < 0 || seed_key(dir) < 0 ||
	    seed_nfslib(dir) < 0)
		return 1;
	return 0;
}
