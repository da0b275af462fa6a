#include "engine/trace.h"

#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/xalloc.h"

/* How a link type becomes Ethernet. */
enum trace_kind {
	TRACE_ETHER,	/* already Ethernet: handed out as libpcap returns it */
	TRACE_SLL,	/* Linux cooked v1, 16-byte header */
	TRACE_SLL2,	/* Linux cooked v2, 20-byte header */
	TRACE_RAW,	/* raw IP, version from the first nibble */
	TRACE_IPV4,	/* raw IPv4 only */
	TRACE_IPV6,	/* raw IPv6 only */
	TRACE_NULL,	/* BSD loopback, 4-byte family in the capturing host's byte order */
	TRACE_LOOP,	/* OpenBSD loopback, 4-byte family in network byte order */
};

/* Bytes of link-layer header each kind strips (indexed by enum trace_kind). */
static const uint32_t trace_hdr_len[] = {
	[TRACE_ETHER] = TRACE_ETH_HLEN, [TRACE_SLL] = 16, [TRACE_SLL2] = 20, [TRACE_RAW] = 0,
	[TRACE_IPV4] = 0, [TRACE_IPV6] = 0, [TRACE_NULL] = 4, [TRACE_LOOP] = 4,
};

struct trace {
	pcap_t *pc;
	char *path;
	const char *format;	/* "pcap" or "pcapng" */
	int dlt;
	enum trace_kind kind;
	uint64_t nread;		/* records read so far, skipped ones included */
	uint64_t short_link;	/* records shorter than their link-layer header */
	uint8_t *buf;		/* the normalised frame for every kind but TRACE_ETHER */
	size_t cap;
	char *iobuf;		/* the stream's buffer: freed after pcap_close */
};

#define TRACE_READ_BUF (64u << 10)
#define PCAPNG_MAGIC 0x0A0D0D0Au	/* a palindrome, so byte order does not matter */

/* Ethertypes this module writes into the made-up headers. */
#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86DD

/* Linux sll_pkttype value for broadcast (linux/if_packet.h PACKET_BROADCAST). */
#define SLL_BROADCAST 1

/* ------------------------------------------------------------------------------------------ */
/* Opening */

/* Picks the conversion for 'dlt'; false when the link type is not supported. DLT_RAW is 12 on
** most systems and 14 on some BSDs, and LINKTYPE_RAW (101) can leak through, so all three mean
** raw IP here; an if-chain because the macros may collide as case labels. */
static bool
trace_kind_of(int dlt, enum trace_kind *out)
{
	if (dlt == DLT_EN10MB)
		*out = TRACE_ETHER;
	else if (dlt == DLT_LINUX_SLL)
		*out = TRACE_SLL;
	else if (dlt == DLT_LINUX_SLL2)
		*out = TRACE_SLL2;
	else if (dlt == DLT_RAW || dlt == 12 || dlt == 14 || dlt == 101)
		*out = TRACE_RAW;
	else if (dlt == DLT_IPV4)
		*out = TRACE_IPV4;
	else if (dlt == DLT_IPV6)
		*out = TRACE_IPV6;
	else if (dlt == DLT_NULL)
		*out = TRACE_NULL;
	else if (dlt == DLT_LOOP)
		*out = TRACE_LOOP;
	else
		return false;
	return true;
}

static bool
trace_is_pcap_magic(uint32_t m)
{
	/* µs and ns pcap, either byte order (libpcap sf-pcap.c accepts these). */
	return m == 0xa1b2c3d4u || m == 0xd4c3b2a1u || m == 0xa1b23c4du || m == 0x4d3cb2a1u;
}

struct trace *
trace_open(const char *path, struct err *e)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct trace *t;
	struct stat st;
	uint8_t m[4];
	uint32_t magic;
	size_t got;
	pcap_t *pc;
	FILE *fp;
	char *iobuf;

	fp = fopen(path, "rb");
	if (!fp) {
		err_set(e, -errno, "%s: %s", path, strerror(errno));
		return NULL;
	}
	/* libpcap reads a record at a time, and the default 4 KiB buffer costs a read(2) per 50
	** small packets; glibc takes a size only with the buffer itself. */
	iobuf = xmalloc(TRACE_READ_BUF);
	setvbuf(fp, iobuf, _IOFBF, TRACE_READ_BUF);
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(fp);
		free(iobuf);
		err_set(e, -EISDIR, "%s: is a directory, not a pcap or pcapng file", path);
		return NULL;
	}
	got = fread(m, 1, sizeof m, fp);
	if (got == 0) {
		fclose(fp);
		free(iobuf);
		err_set(e, -EINVAL, "%s: empty file, not a pcap or pcapng file", path);
		return NULL;
	}
	if (got < sizeof m) {
		fclose(fp);
		free(iobuf);
		err_set(e, -EINVAL, "%s: not a pcap or pcapng file (only %zu bytes)", path, got);
		return NULL;
	}
	magic = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
	rewind(fp);

	/* Nanosecond precision reads µs files too (libpcap scales their stamps up). */
	ebuf[0] = '\0';
	pc = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!pc) {
		/* On failure libpcap leaves the stream to us. */
		fclose(fp);
		free(iobuf);
		if (magic == PCAPNG_MAGIC || trace_is_pcap_magic(magic))
			err_set(e, -EINVAL, "%s: bad %s file header (libpcap: %s)", path,
				magic == PCAPNG_MAGIC ? "pcapng" : "pcap", ebuf);
		else
			err_set(e, -EINVAL, "%s: not a pcap or pcapng file (libpcap: %s)", path, ebuf);
		return NULL;
	}

	t = xcalloc(1, sizeof *t);
	t->pc = pc;
	t->iobuf = iobuf;
	t->path = xstrdup(path);
	t->format = magic == PCAPNG_MAGIC ? "pcapng" : "pcap";
	t->dlt = pcap_datalink(pc);
	if (!trace_kind_of(t->dlt, &t->kind)) {
		const char *name = pcap_datalink_val_to_name(t->dlt);

		err_set(e, -EINVAL, "%s: link type %s (%d) is not supported "
			"(Ethernet, Linux cooked SLL/SLL2 and raw IP are)",
			path, name ? name : "unknown", t->dlt);
		trace_close(t);
		return NULL;
	}
	if (t->kind != TRACE_ETHER) {
		t->cap = TRACE_ETH_HLEN + 65535;
		t->buf = xmalloc(t->cap);
	}
	return t;
}

void
trace_close(struct trace *t)
{
	if (!t)
		return;
	if (t->pc)
		pcap_close(t->pc);
	free(t->iobuf);
	free(t->path);
	free(t->buf);
	free(t);
}

/* ------------------------------------------------------------------------------------------ */
/* Reading */

static uint16_t
trace_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
trace_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Ethertype for a raw IP payload, from its version nibble; 0 (not IP) when there is none. */
static uint16_t
trace_ip_ethertype(const uint8_t *ip, uint32_t n)
{
	if (n == 0)
		return 0;
	switch (ip[0] >> 4) {
	case 4:
		return ETH_IPV4;
	case 6:
		return ETH_IPV6;
	default:
		return 0;
	}
}

/* Ethertype for a BSD loopback header. AF_INET is 2 everywhere; AF_INET6 differs by system
** (Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30, as in libpcap's pcap-common.c notes). */
static uint16_t
trace_null_ethertype(enum trace_kind kind, const uint8_t *hdr, const uint8_t *ip, uint32_t n)
{
	uint32_t af = trace_be32(hdr);

	/* DLT_NULL is in the capturing host's order: a family fits in 16 bits, so a value with
	** only high bits set was written little-endian. */
	if (kind == TRACE_NULL && (af & 0xffff) == 0)
		af = __builtin_bswap32(af);
	switch (af) {
	case 2:
		return ETH_IPV4;
	case 10: case 24: case 28: case 30:
		return ETH_IPV6;
	default:
		return trace_ip_ethertype(ip, n);
	}
}

/* Builds the normalised frame for one record in t->buf; false when the record is shorter than
** its link-layer header. */
static bool
trace_normalise(struct trace *t, const struct pcap_pkthdr *h, const uint8_t *data,
		struct trace_pkt *out)
{
	uint32_t hl = trace_hdr_len[t->kind], caplen = h->caplen, n;
	uint64_t wire;
	const uint8_t *payload;
	uint16_t ethertype = 0;
	uint8_t *eth;

	if (caplen < hl)
		return false;
	if (t->kind == TRACE_ETHER) {
		out->data = data;
		out->len = caplen;
		out->wire_len = h->len < caplen ? caplen : h->len;
		return true;
	}

	payload = data + hl;
	n = caplen - hl;
	if ((size_t)n + TRACE_ETH_HLEN > t->cap) {
		t->cap = (size_t)n + TRACE_ETH_HLEN;
		t->buf = xrealloc(t->buf, t->cap);
	}
	eth = t->buf;
	memset(eth, 0, 12);
	switch (t->kind) {
	case TRACE_SLL:
		/* pkttype(2) hatype(2) halen(2) addr(8) protocol(2) */
		if (trace_be16(data) == SLL_BROADCAST)
			memset(eth, 0xff, 6);
		if (trace_be16(data + 4) == 6)
			memcpy(eth + 6, data + 6, 6);
		ethertype = trace_be16(data + 14);
		break;
	case TRACE_SLL2:
		/* protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8) */
		if (data[10] == SLL_BROADCAST)
			memset(eth, 0xff, 6);
		if (data[11] == 6)
			memcpy(eth + 6, data + 12, 6);
		ethertype = trace_be16(data);
		break;
	case TRACE_RAW:
		ethertype = trace_ip_ethertype(payload, n);
		break;
	case TRACE_IPV4:
		ethertype = ETH_IPV4;
		break;
	case TRACE_IPV6:
		ethertype = ETH_IPV6;
		break;
	case TRACE_NULL:
	case TRACE_LOOP:
		ethertype = trace_null_ethertype(t->kind, data, payload, n);
		break;
	case TRACE_ETHER:
		break;
	}
	eth[12] = (uint8_t)(ethertype >> 8);
	eth[13] = (uint8_t)ethertype;
	memcpy(eth + TRACE_ETH_HLEN, payload, n);

	out->data = eth;
	out->len = n + TRACE_ETH_HLEN;
	/* In 64 bits: a length near 4 GiB (a bogus record) saturates instead of wrapping. */
	wire = h->len >= hl ? (uint64_t)h->len - hl + TRACE_ETH_HLEN : out->len;
	if (wire > UINT32_MAX)
		wire = UINT32_MAX;
	out->wire_len = wire < out->len ? out->len : (uint32_t)wire;
	return true;
}

int
trace_next(struct trace *t, struct trace_pkt *out, struct err *e)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	for (;;) {
		rc = pcap_next_ex(t->pc, &h, &data);
		if (rc == PCAP_ERROR_BREAK)
			return 0;
		if (rc != 1)
			return err_set(e, -EIO, "%s: packet %" PRIu64 ": %s", t->path, t->nread + 1,
				       rc == PCAP_ERROR ? pcap_geterr(t->pc) : "unexpected read result");
		t->nread++;
		if (trace_normalise(t, h, data, out))
			break;
		t->short_link++;
	}
	/* With nanosecond precision, tv_usec holds nanoseconds. */
	out->ts_ns = h->ts.tv_sec < 0 ? 0 :
		(uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
	out->index = t->nread;
	return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* What the file is */

const char *
trace_format(const struct trace *t)
{
	return t->format;
}

const char *
trace_link_name(const struct trace *t)
{
	const char *name;

	if (t->kind == TRACE_RAW)
		return "RAW";
	name = pcap_datalink_val_to_name(t->dlt);
	return name ? name : "UNKNOWN";
}

int
trace_link_type(const struct trace *t)
{
	return t->dlt;
}

uint32_t
trace_snaplen(const struct trace *t)
{
	int s = pcap_snapshot(t->pc);

	return s < 0 ? 0 : (uint32_t)s;
}

uint64_t
trace_short_link(const struct trace *t)
{
	return t->short_link;
}

const char *
trace_path(const struct trace *t)
{
	return t->path;
}
