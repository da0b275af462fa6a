#ifndef ENGINE_REPLAY_H
#define ENGINE_REPLAY_H
/*
** Native replay: one sequential instance of a loaded NF runs over a trace, packet by packet,
** with time taken from the trace's timestamps. Counts what came in on each port and where it
** went (a port, drop, flood), how many packets the NF rewrote, and the rate achieved; optionally
** writes one pcap per output port. Never prints.
*/

#include <stdbool.h>
#include <stdint.h>

#include "engine/err.h"
#include "engine/nfload.h"
#include "engine/portmap.h"
#include "engine/progress.h"
#include "engine/sbuf.h"
#include "engine/val.h"

/* Output columns after the ports: drop, flood, invalid (a return value that is no port). */
#define REPLAY_DROP	NF_MAX_PORTS
#define REPLAY_FLOOD	(NF_MAX_PORTS + 1)
#define REPLAY_INVALID	(NF_MAX_PORTS + 2)
#define REPLAY_NCOLS	(NF_MAX_PORTS + 3)

struct replay_result {
	char pcap[4096];
	char nf[NF_NAME_MAX];
	unsigned nports;
	char ports[NF_MAX_PORTS][NF_NAME_MAX];
	struct portmap pm;
	uint64_t packets, bytes;
	uint64_t in[NF_MAX_PORTS];			/* packets in, per port */
	uint64_t out[NF_MAX_PORTS][REPLAY_NCOLS];	/* [in port][out port | drop | flood | invalid] */
	uint64_t rewritten;	/* packets whose bytes the NF changed */
	uint64_t non_ipv4;	/* --lan: packets without an IPv4 source (sent to wan) */
	uint64_t oversize;	/* frames over 65535 bytes, skipped (not counted in packets) */
	uint64_t first_invalid;	/* packet number of the first invalid return value, 0 if none */
	int invalid_value;
	uint64_t written[NF_MAX_PORTS];	/* -o: packets written per output port */
	char out_prefix[4000];
	double seconds;		/* replay wall time, reading the trace included */
	bool stopped;		/* Ctrl-C: the counts are what was seen so far */
	bool truncated;		/* the trace broke (message in the error) */
	bool crashed;		/* the NF crashed (message in the error) */
};

/* Replays 'pcap' through a new sequential instance of 'nf' (its current configuration), ports
** assigned by 'pm'; with 'out_prefix', writes PREFIX-PORT.pcap for every port. Returns 0;
** -EINTR when stopped (*r holds the counts so far); -EIO when the trace broke midway (*r too,
** 'e' says where); other negative codes with nothing replayed. */
int replay_run(struct nfload *nf, const char *pcap, const struct portmap *pm,
	       const char *out_prefix, const struct progress *p, struct replay_result *r,
	       struct err *e);

struct val *replay_to_val(const struct replay_result *r);
void replay_format(const struct replay_result *r, struct sbuf *out);

#endif
