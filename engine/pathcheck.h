#ifndef ENGINE_PATHCHECK_H
#define ENGINE_PATHCHECK_H
/*
** pathcheck: checks an analysis against the NF itself. Packets run through one instance of the
** traced native build (its state lives on from packet to packet); the library's call hook says
** which state calls each packet made and what they returned. Exactly one path of the analysis
** must then match: the same calls on the same objects in the same order, the same outcomes, and
** every branch condition true under the packet's bytes, length, port and time and the values
** the calls returned. That path's verdict and packet writes must be what the NF did. Any
** disagreement points at the executor (or its models of the library), not at the NF. Not a
** replay benchmark (replay.h) and not a checker of the NF's own correctness. Never prints.
*/

#include <stdbool.h>
#include <stdint.h>

#include "engine/analysis.h"
#include "engine/err.h"
#include "engine/nfload.h"
#include "engine/portmap.h"
#include "engine/progress.h"
#include "engine/sbuf.h"
#include "engine/val.h"

struct pathcheck;

struct pathcheck_opts {
	unsigned len_min, len_max;	/* packet lengths to check; 0: the bounds the analysis ran
					** with (analysis_opts: 60 and 1514 by default) */
	unsigned max_problems;		/* problems kept as text; 0: 8 */
};

/* What one packet came to (pathcheck_packet). */
enum pathcheck_outcome {
	PATHCHECK_MATCH,	/* one path, same verdict, same bytes */
	PATHCHECK_SKIPPED,	/* its length is outside len_min..len_max: no path covers it
				** (not run through the NF either) */
	PATHCHECK_NO_PATH,
	PATHCHECK_AMBIGUOUS,	/* more than one path */
	PATHCHECK_VERDICT,	/* one path, but its verdict is not what the NF returned */
	PATHCHECK_BYTES,	/* one path and its verdict, but the packet's bytes differ */
};

struct pathcheck_stats {
	uint64_t packets;	/* checked, skipped ones included */
	uint64_t skipped;
	uint64_t matched;	/* exactly one path (verdict and bytes checked apart) */
	uint64_t no_path;
	uint64_t ambiguous;
	uint64_t verdict_diffs;	/* matched, but another verdict */
	uint64_t byte_diffs;	/* matched, same verdict, but other bytes */
	uint64_t eval_errors;	/* packets where a path's condition or write could not be
				** evaluated (it names a variable no call returned): counted, and
				** that path does not match */
	uint32_t paths_hit;	/* distinct paths matched at least once */
	double seconds;		/* in pathcheck_packet and pathcheck_trace */
};

/* ---- Setting up ---- */

/* A checker of 'a' (an analysis of 'nf' as configured now) against a new traced instance of
** 'nf' with that configuration. Borrows 'nf' and 'a' until pathcheck_free (reads a->sym
** each packet, so a caller may alter a path to see the check fail). 'o' may be NULL. NULL with
** 'e' set when the instance cannot be made (nfload_instance's reasons) or 'a' does not fit the
** NF (port count). */
struct pathcheck *pathcheck_new(struct nfload *nf, const struct analysis *a,
				const struct pathcheck_opts *o, struct err *e);
/* Frees the checker and its instance; NULL is fine. */
void pathcheck_free(struct pathcheck *pc);

/* ---- Checking ---- */

/* Runs one packet of 'len' bytes arriving on 'port' at 'now_ns' through the NF (on a copy:
** 'pkt' is not changed), counts and returns what it came to. Packets are numbered from 1 in
** the order given, for the problem texts. Not guarded: an NF that crashes takes the process
** down (pathcheck_trace runs under the progress guard). */
enum pathcheck_outcome pathcheck_packet(struct pathcheck *pc, uint16_t port, const uint8_t *pkt,
					uint16_t len, uint64_t now_ns);

/* Checks every packet of the trace at 'pcap', each on the port 'pm' assigns, at its time stamp
** (as replay does). Frames over 65535 bytes are skipped without being counted. Returns 0;
** -EINTR when stopped through 'p' (the counts are what was seen); -EIO when the trace broke
** midway; -EFAULT when the NF crashed (the packet is named); other negative codes (with
** nothing checked) when the trace cannot be opened. 'e' says why. */
int pathcheck_trace(struct pathcheck *pc, const char *pcap, const struct portmap *pm,
		    const struct progress *p, struct err *e);

/* ---- Results ---- */

/* The counts so far; borrowed until the next check. */
const struct pathcheck_stats *pathcheck_stats(const struct pathcheck *pc);
/* Packets that matched path 'path' (an index into a->sym->paths); 0 out of range. */
uint64_t pathcheck_path_hits(const struct pathcheck *pc, uint32_t path);
/* The first problems (up to max_problems), oldest first, as one line each: "packet 17 (lan,
** 74 bytes): no path matches; calls: map_get(flows)=0 ...". NULL past the last; borrowed. */
const char *pathcheck_problem(const struct pathcheck *pc, unsigned i);

/* Counts and problems as text for the shell, and as a value: packets, skipped, matched,
** no_path, ambiguous, verdict_diffs, byte_diffs, eval_errors, paths, paths_hit, seconds,
** problems (list of strings). */
void pathcheck_format(const struct pathcheck *pc, struct sbuf *out);
struct val *pathcheck_to_val(const struct pathcheck *pc);

#endif
