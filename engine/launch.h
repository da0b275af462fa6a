#ifndef ENGINE_LAUNCH_H
#define ENGINE_LAUNCH_H
/*
** Running an emitted build (DESIGN.md section 7): fork and exec it with EAL arguments that work
** on a machine without NICs or hugepages (--no-pci --no-huge -m 512, a file prefix of its own,
** --lcores mapped onto the CPUs baton may use, net_pcap or net_null vdevs), or the user's own
** where given. A trace given with --pcap is first split per port (--lan) and, for more than one
** core, per queue with the build's own Toeplitz keys and RETA, so each worker's rx queue holds
** exactly the packets the NIC would give it. While it runs, its counters come from its
** telemetry socket (/baton/cores); stopping it sends SIGINT and reads the totals it prints.
** Never prints.
*/

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/emit.h"
#include "engine/err.h"
#include "engine/portmap.h"
#include "engine/progress.h"
#include "engine/sbuf.h"
#include "engine/val.h"

struct launch_opts {
	const char *pcap;		/* a trace to feed it, or NULL */
	const struct portmap *pm;	/* with pcap: each packet's port */
	bool loop;			/* with pcap: replay it forever (outputs are not written) */
	bool null;			/* net_null ports: 64-byte packets made on every queue */
	unsigned flows;			/* with null: N flows per core stamped on port 0's packets,
					** no packets on the other ports (read-mostly traffic) */
	double duration;		/* > 0: the build stops itself after that many seconds */
	double stats;			/* > 0: --stats-json interval (lines in its log) */
	int n_eal;			/* the user's EAL arguments: each replaces the defaults */
	char *const *eal;		/* of its kind (--vdev, --lcores/-l, -m, --file-prefix...) */
};

struct launch_run;

/* Splits the trace, starts the build and waits until it says it is ready. First removes what
** killed runs left: DPDK runtime dirs of baton shells that are gone and that no process holds,
** and an unheld one of the prefix about to be used. NULL with 'e' set when it cannot start:
** the EAL's or the runtime's own messages are in 'e'; -EBUSY when another process runs this
** build (its run dir is locked) or holds the file prefix. */
struct launch_run *launch_start(const struct emit_build *b, const struct launch_opts *o,
				const struct progress *p, struct err *e);

/* Whether it still runs (reaps it when it has ended). */
bool launch_running(struct launch_run *r);

/* One snapshot from /baton/cores: per core and in total the counters, plus rates over the time
** since the previous snapshot (or the start): rx_pps, tx_pps, drop_pps, busy (0..1); and
** "mbufs": {size, initial, free}, the pools' free mbufs now and before any traffic. NULL with
** 'e' set when it no longer runs (-ESRCH, saying how it ended: "was killed by signal 9
** (SIGKILL)") or does not answer. */
struct val *launch_counters(struct launch_run *r, struct err *e);

/* What runs: nf, mode, cores, pid, running, seconds; once ended "status" (a signal shows as
** 128 + its number), "signal" when killed by one and "ended" in words ("was killed by signal 9
** (SIGKILL)"); the command line, the run directory, the telemetry socket, the per-queue input
** packets. */
struct val *launch_status(struct launch_run *r);

/* What the build has said for people so far (its "baton: " lines: the RSS decision per port,
** warnings), malloc'ed; "" when nothing. */
char *launch_messages(struct launch_run *r);

/* SIGINT, then waits for it to print its totals and end (SIGKILL after 'grace' seconds).
** Returns the totals as the build printed them plus "status", "outputs" (the pcaps it wrote,
** with their packet counts), "accounted" (rx = tx + drops + floods + tx_fail), and with
** "mbufs" ({size, initial, final, closed}: the pools' free mbufs before traffic, after the
** stop, with the ports closed) "leaked": the mbufs that did not come back. NULL with 'e' set
** when it printed no totals (killed, or a crash; its last output is in 'e'). Either way its
** runtime dir is removed, and a killed run's queue pcaps. The run stays valid for
** launch_status until freed. */
struct val *launch_stop(struct launch_run *r, double grace, struct err *e);

/* Ends it if it still runs (SIGTERM, then SIGKILL), removes its runtime dir (and a killed
** run's queue pcaps) and frees everything. NULL is fine. */
void launch_free(struct launch_run *r);

/* Text for the shell. */
void launch_format_counters(const struct val *c, struct sbuf *out);
void launch_format_totals(const struct val *t, struct sbuf *out);
void launch_format_status(const struct val *s, struct sbuf *out);

#endif
