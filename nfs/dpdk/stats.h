#ifndef NFS_DPDK_STATS_H
#define NFS_DPDK_STATS_H
/*
** stats: the per-worker counters of a run and the three ways they leave the process: JSON
** lines on stdout ("stats" and "totals" events), a human summary with the accounting check,
** and the telemetry command /baton/cores. Not for counting itself: workers add to their own
** struct stats_core with the inline helpers below.
**
** Each worker writes only its own counters, one cache line each, with relaxed atomic stores
** (plain moves on x86); every other thread reads them with relaxed atomic loads, so a reader
** sees each counter whole, never torn, and never slows the worker down.
*/

#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>

/* One worker's counters. For every received packet exactly one of tx, drops, floods, tx_fail
** grows, so rx = tx + drops + floods + tx_fail. */
struct stats_core {
	uint64_t rx;
	uint64_t tx;		/* sent to its one output port and accepted by tx_burst */
	uint64_t drops;		/* NF_DROP, or an output port out of range */
	uint64_t floods;	/* NF_FLOOD */
	uint64_t flood_tx;	/* flood copies accepted by tx_burst (outside the equation) */
	uint64_t tx_fail;	/* refused by tx_burst and freed */
	uint64_t aborts;	/* locks: read runs that met a write */
	uint64_t write_locks;	/* locks: runs under the write lock */
	uint64_t busy_cycles;	/* TSC cycles spent on non-empty bursts */
	uint64_t cycles;	/* TSC cycles since the start barrier */
} __rte_cache_aligned;

/* The dispatcher lcore's counters (software RSS, disp.h). */
struct stats_disp {
	uint64_t rx;		/* read from the ports */
	uint64_t dispatched;	/* handed to a worker's ring */
	uint64_t drops;		/* refused by a full ring and freed: never seen by a worker */
} __rte_cache_aligned;

struct stats {
	const char *nf;
	const char *mode;
	unsigned workers;
	unsigned *lcore;		/* per worker */
	struct stats_core *core;	/* per worker, cache aligned */
	int has_disp;
	unsigned disp_lcore;
	struct stats_disp disp;
	uint64_t hz;			/* TSC */
	uint64_t tsc0;			/* the start barrier; 0 before it */
	uint64_t tsc_end;		/* when the workers had stopped; 0 while running */
};

/* Adds to a counter its worker owns. */
static inline void
stats_add(uint64_t *ref_counter, uint64_t n)
{
	__atomic_store_n(ref_counter, *ref_counter + n, __ATOMIC_RELAXED);
}

/* Sets a counter its worker owns. */
static inline void
stats_set(uint64_t *ref_counter, uint64_t v)
{
	__atomic_store_n(ref_counter, v, __ATOMIC_RELAXED);
}

/* ---- life ---- */

/* Counters for 'workers' workers on 'lcores' (copied), all zero; NULL when out of memory.
** 'nf' and 'mode' are borrowed for the life of the result. */
struct stats *stats_new(const char *nf, const char *mode, unsigned workers,
    const unsigned *lcores);
/* Frees 's' (NULL is fine); the telemetry command stops seeing it first. */
void stats_free(struct stats *s);

/* Marks the start barrier (at TSC 'tsc0') and the end of the run (now); seconds count
** between. */
void stats_start(struct stats *s, uint64_t tsc0);
void stats_end(struct stats *s);

/* ---- reading ---- */

/* Seconds since the start barrier, up to the end once marked. */
double stats_seconds(const struct stats *s);
/* A consistent-enough copy: out[0 .. workers-1] per worker, out[workers] their total. */
void stats_snapshot(const struct stats *s, struct stats_core *out);

/* ---- output ---- */

/* One line {"event":EVENT,"nf":..,"mode":..,"workers":N,"seconds":S,"core0":{..},..,
** "total":{..}} and a flush. */
void stats_print_json(const struct stats *s, const char *event, FILE *f);
/* The human table (per core and total, "baton: " lines) and the accounting line; returns 0
** when rx = tx + drops + floods + tx_fail holds, -1 when it does not (a runtime bug). */
int stats_print_summary(const struct stats *s, FILE *f);
/* Writes 'str' as a JSON string, quotes included. */
void stats_json_string(FILE *f, const char *str);
/* Registers /baton/cores with DPDK telemetry, answering from 's' until stats_free. 0, or a
** negative errno from rte_telemetry_register_cmd. */
int stats_telemetry(struct stats *s);

#endif
