#ifndef ENGINE_TRACE_H
#define ENGINE_TRACE_H
/*
** Reading packet traces (pcap with µs or ns stamps, and pcapng) through libpcap, one packet at a
** time, every link type normalised to an Ethernet frame: Ethernet as is, Linux cooked SLL/SLL2,
** raw IP and BSD loopback behind a made-up 14-byte Ethernet header. Other link types are refused
** by name at open. Not a parser of what is inside the frame (see flow.h), not a writer.
*/

#include <stdint.h>

#include "engine/err.h"

struct trace;

/* One packet, as trace_next returns it. */
struct trace_pkt {
	const uint8_t *data;	/* Ethernet frame; borrowed until the next trace_next/trace_close */
	uint32_t len;		/* bytes in data (captured bytes, header change included) */
	uint32_t wire_len;	/* original length on the wire, adjusted like len */
	uint64_t ts_ns;		/* time stamp, nanoseconds since the epoch */
	uint64_t index;		/* 1-based packet number in the file (skipped ones count) */
};

/* Largest normalised frame when the link header is replaced: payload plus the 14 added bytes. */
#define TRACE_ETH_HLEN 14

/* --- Opening and closing --- */

/* Opens the pcap or pcapng file at 'path'. Returns the trace (free it with trace_close) or NULL
** with 'e' set: -ENOENT and friends when the file cannot be opened, -EINVAL for an empty file, a
** file that is neither pcap nor pcapng (libpcap's reason included) and a link type that is not
** supported (named, e.g. "IEEE802_11 (105)"). Messages start with the path. */
struct trace *trace_open(const char *path, struct err *e);

/* Closes the file and frees everything; NULL is fine. */
void trace_close(struct trace *t);

/* --- Reading --- */

/* Reads the next packet into *out. Returns 1 for a packet, 0 at the end of the file, or -EIO
** with 'e' naming the file and the packet number where the file broke (a truncated record
** header or packet data); packets returned before stay valid results. Packets shorter than their
** link-layer header are skipped and counted (trace_short_link), never returned. */
int trace_next(struct trace *t, struct trace_pkt *out, struct err *e);

/* --- What the file is --- */

/* "pcap" or "pcapng", from the file's magic number. Static string. */
const char *trace_format(const struct trace *t);

/* libpcap's short name of the link type ("EN10MB", "LINUX_SLL2", "RAW"). Static string. */
const char *trace_link_name(const struct trace *t);

/* The link type as a DLT_* value (libpcap's numbering, not LINKTYPE_*). */
int trace_link_type(const struct trace *t);

/* The snapshot length the file declares (pcapng: the first interface's). */
uint32_t trace_snaplen(const struct trace *t);

/* Packets skipped so far because they were shorter than their link-layer header. */
uint64_t trace_short_link(const struct trace *t);

/* The path given to trace_open; borrowed until trace_close. */
const char *trace_path(const struct trace *t);

#endif
