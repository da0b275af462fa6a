#ifndef ENGINE_TRACEGEN_H
#define ENGINE_TRACEGEN_H
/*
** Synthetic pcap traces for checking and benchmarking (`pcap gen`, baton.pcap.gen): uniform,
** Zipf-skewed, bidirectional lan/wan with replies, and flow churn; seeded and byte-for-byte
** reproducible. One option parser serves the shell and Lua. Not a pcap reader or replayer.
*/

#include <limits.h>
#include <stdint.h>

#include "engine/err.h"
#include "engine/progress.h"
#include "engine/val.h"

enum tracegen_kind {
	TRACEGEN_UNIFORM,	/* every flow equally likely */
	TRACEGEN_ZIPF,		/* flow sizes follow Zipf(s) over ranks */
	TRACEGEN_BIDIR,		/* lan clients to wan servers, with replies */
	TRACEGEN_CHURN,		/* a fixed number of active flows, replaced at a rate */
};

enum tracegen_proto { TRACEGEN_MIX, TRACEGEN_TCP, TRACEGEN_UDP };

/* One bit per option in tracegen_opts.set, in the order of tracegen_option_names(). */
enum tracegen_opt {
	TRACEGEN_OPT_KIND, TRACEGEN_OPT_FLOWS, TRACEGEN_OPT_PACKETS, TRACEGEN_OPT_SEED,
	TRACEGEN_OPT_SIZE, TRACEGEN_OPT_PROTO, TRACEGEN_OPT_ZIPF, TRACEGEN_OPT_LAN,
	TRACEGEN_OPT_CLIENTS, TRACEGEN_OPT_SERVERS, TRACEGEN_OPT_REPLY, TRACEGEN_OPT_RATE,
	TRACEGEN_OPT_DURATION, TRACEGEN_OPT_PPS,
	TRACEGEN_OPT_COUNT
};

#define TRACEGEN_FLOWS_MAX 10000000u	/* distinct flows kept in memory at once */
#define TRACEGEN_SIZE_IMIX 0u		/* 'size' value meaning 64/576/1514 at 7:4:1 */

/* What to generate. Fill with tracegen_opts_init, then tracegen_opts_set; fields left at their
** defaults (see tracegen_option_help) may depend on the kind, resolved by tracegen_write. */
struct tracegen_opts {
	enum tracegen_kind kind;	/* default uniform */
	uint64_t flows;			/* distinct (churn: active) flows; default 1000 */
	uint64_t packets;		/* default 10000; churn: pps * duration */
	uint64_t seed;			/* default 1 */
	unsigned size;			/* frame bytes without FCS, 60..1514, or TRACEGEN_SIZE_IMIX */
	enum tracegen_proto proto;	/* default mix */
	double zipf;			/* Zipf exponent s > 0; default 1.0 */
	uint32_t lan_addr;		/* bidir lan network, host order; default 192.168.0.0 */
	unsigned lan_len;		/* its prefix length; default 16 */
	uint64_t clients;		/* bidir lan hosts; default min(flows, 256) */
	uint64_t servers;		/* bidir wan hosts; default min(flows, 64) */
	double reply;			/* bidir P(packet is a reply); default 0.5 */
	double rate;			/* churn new flows per second; default 1000 */
	double duration;		/* churn seconds; default 1 */
	double pps;			/* timestamp spacing; default 1e6 (churn: 1e5) */
	uint32_t set;			/* bit (1u << TRACEGEN_OPT_x): set explicitly */
};

/* What tracegen_write produced. */
struct tracegen_result {
	char path[PATH_MAX];	/* the file written */
	const char *kind;	/* "uniform", ...: static */
	uint64_t seed;
	uint64_t packets;
	uint64_t bytes;		/* frame bytes (sum of lengths) */
	uint64_t file_bytes;	/* pcap file size */
	uint64_t flows;		/* distinct flows that appear (bidir: a reply joins its request) */
	double duration_s;	/* trace time span: packets / pps */
	double seconds;		/* wall time generating */
	double gen_pps;		/* packets generated per second of wall time */
};

/* ---- Options ---- */

/* Sets every field to its default and clears 'set'. */
void tracegen_opts_init(struct tracegen_opts *o);

/* Parses 'value' for option 'key' (a name from tracegen_option_names, without "--") and marks it
** set. Numbers accept 1000, 1e6, 10k, 2M, 1G. Returns 0, or -EINVAL with a message naming
** "--key" and what was expected (unknown key, bad syntax, out of range: the range is given);
** 'o' is unchanged on error. Whether the option applies to the kind is checked by tracegen_write
** (so options may come before the kind). */
int tracegen_opts_set(struct tracegen_opts *o, const char *key, const char *value, struct err *e);

/* Option names, NULL-terminated, static (for help and completion). */
const char *const *tracegen_option_names(void);

/* One-line help for option 'name' ("N  distinct flows (default 1000)"), or NULL. Static. */
const char *tracegen_option_help(const char *name);

/* Kind names ("uniform", "zipf", "bidir", "churn"), NULL-terminated, static. */
const char *const *tracegen_kind_names(void);

/* ---- Generation ---- */

/* Checks the options (an option set that does not apply to o->kind is -EINVAL naming it, as are
** impossible combinations such as packets < flows), then writes a classic microsecond Ethernet
** pcap to "path.tmp" and renames it to 'path'. On any failure or interruption the temporary file
** is removed and 'path' is left untouched. 'p' (may be NULL) is polled about every 2^20 packets
** and gets reports ("writing", done, total). 'out' (may be NULL) receives the summary.
** Returns 0, -EINVAL (options), -EINTR (stopped through 'p'), or -errno from the file system
** with a message naming the file. */
int tracegen_write(const struct tracegen_opts *o, const char *path, const struct progress *p,
		   struct tracegen_result *out, struct err *e);

/* The result as a val object (fields as in struct tracegen_result); the caller owns it. */
struct val *tracegen_result_to_val(const struct tracegen_result *r);

#endif
