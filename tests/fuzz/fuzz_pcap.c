/*
** libFuzzer target for the trace reader (engine/trace.c) and the statistics over a trace
** (engine/tstat.c, with flow.c and htab.c under it), built with ASan and UBSan: every input is a
** pcap or pcapng file, handed over as a memfd path (/proc/self/fd/N) because trace_open takes
** a path. A malformed file must give an error with a message, never a crash, a leak or UB.
** libpcap itself, read in step on the same file, is the model of what trace_next returns: the
** same records, minus those shorter than their link header, the link header replaced by a
** 14-byte Ethernet one (lengths adjusted, payload unchanged), nanosecond stamps. tstat must
** count what trace_next returned.
*/

#include <errno.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/flow.h"
#include "engine/sbuf.h"
#include "engine/trace.h"
#include "engine/tstat.h"
#include "engine/val.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failure must say so with a negative code and a message. */
static void
check_err(const struct err *e)
{
	if (e->code >= 0 || !e->msg[0])
		__builtin_trap();
}

/* The link header trace.h replaces, by libpcap's link type; -1 when it refuses the type. */
static int
link_header_len(int dlt)
{
	switch (dlt) {
	case 1: return 14;			/* EN10MB */
	case 113: return 16;			/* LINUX_SLL */
	case 276: return 20;			/* LINUX_SLL2 */
	case 12: case 14: case 101: case 228: case 229: return 0;	/* raw IP */
	case 0: case 108: return 4;		/* NULL, LOOP */
	default: return -1;
	}
}

/* The next record libpcap returns that trace.h hands out (not shorter than the link header);
** 1, or libpcap's end (PCAP_ERROR_BREAK) or error. Counts the skipped ones in *ref_short. */
static int
model_next(pcap_t *pc, uint32_t hl, struct pcap_pkthdr **h, const u_char **d,
	   uint64_t *ref_short)
{
	int rc;

	while ((rc = pcap_next_ex(pc, h, d)) == 1 && (*h)->caplen < hl)
		(*ref_short)++;
	return rc;
}

/* What trace_next returned is libpcap's record with the link header replaced. */
static void
check_record(const struct trace_pkt *pkt, const struct pcap_pkthdr *h, const u_char *d,
	     uint32_t hl)
{
	uint64_t wire = h->len >= hl ? (uint64_t)h->len - hl + TRACE_ETH_HLEN : 0;

	if (pkt->len != h->caplen - hl + TRACE_ETH_HLEN ||
	    memcmp(pkt->data + TRACE_ETH_HLEN, d + hl, h->caplen - hl))
		__builtin_trap();
	if (hl == TRACE_ETH_HLEN && memcmp(pkt->data, d, TRACE_ETH_HLEN))
		__builtin_trap();
	/* On the wire: adjusted like len, never below it, saturated rather than wrapped. */
	if (wire < pkt->len)
		wire = pkt->len;
	if (pkt->wire_len != (wire > UINT32_MAX ? UINT32_MAX : wire))
		__builtin_trap();
	if (pkt->ts_ns != (h->ts.tv_sec < 0 ? 0 : (uint64_t)h->ts.tv_sec * 1000000000u +
			   (uint64_t)h->ts.tv_usec))
		__builtin_trap();
}

/* Reads the whole trace, libpcap in step; returns the frames returned (*out_short: skipped
** ones, *out_rc: how it ended). check_record compares every byte of each frame, so ASan sees a
** frame shorter than claimed. */
static uint64_t
read_all(const char *path, uint64_t *out_short, int *out_rc)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct err e = ERR_INIT;
	struct trace_pkt pkt;
	struct trace *t = trace_open(path, &e);
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO,
							     ebuf);
	uint64_t n = 0, skipped = 0;
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc, hl = pc ? link_header_len(pcap_datalink(pc)) : -1, mrc;

	*out_short = 0;
	/* Open exactly when libpcap opens it and the link type is one trace.h takes. */
	if (!t != (hl < 0))
		__builtin_trap();
	if (!t) {
		check_err(&e);
		*out_rc = e.code;
		if (pc)
			pcap_close(pc);
		return 0;
	}
	if (strcmp(trace_format(t), "pcap") && strcmp(trace_format(t), "pcapng"))
		__builtin_trap();
	if (!trace_link_name(t)[0] || strcmp(trace_path(t), path))
		__builtin_trap();
	(void)trace_snaplen(t);
	(void)trace_link_type(t);
	while ((rc = trace_next(t, &pkt, &e)) == 1) {
		struct flow_info fi;
		char text[FLOW_KEY_STRLEN];

		/* Every link type becomes Ethernet: at least the 14-byte header. */
		if (pkt.len < TRACE_ETH_HLEN || pkt.wire_len < pkt.len || !pkt.data)
			__builtin_trap();
		/* Numbered from 1 in file order, skipped records counted. */
		mrc = model_next(pc, (uint32_t)hl, &h, &d, &skipped);
		if (mrc != 1 || pkt.index != n + 1 + skipped || skipped != trace_short_link(t))
			__builtin_trap();
		check_record(&pkt, h, d, (uint32_t)hl);
		flow_parse(pkt.data, pkt.len, &fi);
		if (fi.l4 != FLOW_L4_NONE && fi.l4_off > pkt.len)
			__builtin_trap();
		if ((size_t)flow_key_format(&fi.key, text, sizeof text) >= sizeof text)
			__builtin_trap();
		n++;
	}
	/* The end, or a broken record, where libpcap sees it. */
	mrc = model_next(pc, (uint32_t)hl, &h, &d, &skipped);
	if (rc < 0) {
		/* Only a broken record is an error once the file is open. */
		if (rc != -EIO || mrc != PCAP_ERROR)
			__builtin_trap();
		check_err(&e);
	} else if (rc != 0 || mrc != PCAP_ERROR_BREAK || skipped != trace_short_link(t)) {
		__builtin_trap();
	}
	*out_short = trace_short_link(t);
	*out_rc = rc;
	pcap_close(pc);
	trace_close(t);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	struct tstat st;
	struct err e = ERR_INIT;
	struct sbuf sb = SBUF_INIT;
	uint64_t frames, skipped;
	int fd, rc, read_rc;

	fd = memfd_create("fuzz.pcap", 0);
	if (fd < 0)
		abort();
	for (size_t off = 0; off < size;) {
		ssize_t w = write(fd, data + off, size - off);
		if (w <= 0)
			abort();
		off += (size_t)w;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

	frames = read_all(path, &skipped, &read_rc);

	/* tstat reads the file again and must agree with what the reader returned. */
	rc = tstat_file(path, NULL, &st, &e);
	if (rc < 0)
		check_err(&e);
	if (read_rc < 0 && read_rc != -EIO) {
		if (rc != read_rc)
			__builtin_trap();
	} else {
		if ((rc == -EIO) != (read_rc == -EIO) || (rc < 0 && rc != -EIO))
			__builtin_trap();
		if (st.packets != frames + skipped || st.short_link != skipped ||
		    st.truncated_file != (rc == -EIO))
			__builtin_trap();
		if (st.ipv4 + st.ipv6 + st.other_l3 + st.short_link != st.packets ||
		    st.tcp + st.udp + st.other_l4 > st.ipv4 + st.ipv6 || st.snapped > frames ||
		    st.conversations > st.five_tuples ||
		    st.bidir_conversations > st.conversations || st.bytes > st.wire_bytes ||
		    (frames && st.first_ns > st.last_ns))
			__builtin_trap();
		tstat_format(&st, &sb);
		val_free(tstat_to_val(&st));
	}
	sbuf_release(&sb);
	close(fd);
	return 0;
}
