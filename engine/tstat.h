#ifndef ENGINE_TSTAT_H
#define ENGINE_TSTAT_H
/*
** Statistics of a whole trace, as `pcap info FILE` shows them: sizes, times, rates, the L3/L4
** mix, malformed packets and distinct flows (5-tuples, conversations, IP pairs). Reads the file
** once through trace.h and flow.h. Not for per-flow tables or sharding (see the RSS and check
** modules).
*/

#include <stdbool.h>
#include <stdint.h>

#include "engine/err.h"
#include "engine/progress.h"
#include "engine/sbuf.h"
#include "engine/val.h"

#define TSTAT_PATH_MAX 4096

/*
** Definitions:
** - packets: every record in the file, as capinfos and tshark count them, short_link ones
**   included; bytes, wire_bytes, the stamps and every other count cover only the frames
**   trace.h returned (packets - short_link), as the skipped records' sizes are never seen;
** - ipv4/ipv6/other_l3 by the ethertype after up to two VLAN tags; with short_link they sum
**   to packets;
** - tcp/udp: IP packets whose TCP/UDP ports are present (not a non-first fragment, not cut
**   before the ports); other_l4: IP packets with another protocol; non-first fragments and IP
**   packets cut before L4 are in neither;
** - truncated: a header the frame announces is cut short or malformed (flow.h);
** - five_tuples: distinct directional (proto, src, dst, sport, dport) over IP packets with a
**   readable flow key that are not truncated; ports are 0 unless TCP/UDP, so non-first
**   fragments count as their own (proto, src, dst, 0, 0) tuple, as a NIC's RSS would see them;
** - conversations: those 5-tuples with each one and its reverse counted once;
**   bidir_conversations: conversations seen in both directions; bidir_share their fraction;
** - ip_pairs: distinct unordered {src, dst} over IP packets with readable addresses;
** - first_ns/last_ns: earliest and latest stamp (not first and last in file order).
*/
struct tstat {
	char file[TSTAT_PATH_MAX];
	char format[8];		/* "pcap" or "pcapng" */
	char link_type[32];	/* libpcap's name, "EN10MB" */
	uint32_t snaplen;
	uint64_t packets, bytes, wire_bytes;	/* bytes: captured, after link normalisation */
	uint64_t first_ns, last_ns;	/* 0 when there are no packets */
	double duration_s, avg_size, pps, bps;	/* rates over duration_s; 0 when it is 0 */
	uint64_t ipv4, ipv6, other_l3;
	uint64_t tcp, udp, other_l4;
	uint64_t fragments, truncated, short_link, snapped;	/* snapped: len < wire_len */
	uint64_t five_tuples, conversations, bidir_conversations, ip_pairs;
	double bidir_share;	/* bidir_conversations / conversations, 0 when none */
	bool truncated_file;	/* the file broke midway; the counts cover what came before */
};

/* Reads the whole trace at 'path' into *out (fully overwritten). 'p' (may be NULL) is polled
** every 64K packets and gets progress_report(p, "reading", packets, 0). Returns 0, or:
** - the error of trace_open (*out then holds only the file name);
** - -EIO when the file is truncated midway: *out holds the statistics of the packets before
**   the break and truncated_file is set, so callers can show both;
** - -EINTR when 'p' asked to stop: 'e' says how many packets were read; *out holds them. */
int tstat_file(const char *path, const struct progress *p, struct tstat *out, struct err *e);

/* The statistics as an object with the fields file, format, link_type, snaplen, packets, bytes,
** wire_bytes, first_ts, last_ts (seconds since the epoch, fractional), duration_s, avg_size,
** pps, bps, ipv4, ipv6, other_l3, tcp, udp, other_l4, fragments, truncated, short_link, snapped,
** five_tuples, conversations, bidir_conversations, ip_pairs, bidir_share, truncated_file.
** The caller owns the result (val_free). */
struct val *tstat_to_val(const struct tstat *s);

/* Appends a readable, capinfos-like block of aligned "label: value" lines to 'out'. */
void tstat_format(const struct tstat *s, struct sbuf *out);

#endif
