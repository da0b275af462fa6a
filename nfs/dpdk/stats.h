#ifndef NFS_DPDK_STATS_H
#define NFS_DPDK_STATS_H
/*
** stats: the per-worker counters of a run and the three ways they leave the process: JSON
** lines on stdout ("stats" and "totals" events), a human summary with the accounting check,
** and the telemetry command /baton/cores; plus the free mbufs of the run's pools, watched for
** leaks. Not for counting itself: workers add to their own struct stats_core with the inline
** helpers below.
**
** Each worker writes only its own counters, one cache line each, with relaxed atomic stores
** (plain moves on x86); every other thread reads them with relaxed atomic loads, so a reader
** sees each counter whole, never torn, and never slows the worker down.
*/

#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_mempool.h>
#include <rte_spinlock.h>

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

/* Where the watched pools are in the run's life (stats_mbufs_*). */
enum stats_mbufs_phase {
	STATS_MBUFS_NONE,	/* not watched yet: nothing to say */
	STATS_MBUFS_LIVE,	/* running: free counts are read from the pools */
	STATS_MBUFS_STOPPED,	/* stopped: 'final' is known, the pools still exist */
	STATS_MBUFS_CLOSED,	/* ports closed: 'closed' is known, the pools may be gone */
};

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
	/* The mbuf pools (borrowed until stats_mbufs_closed) and their free mbufs. Free counts
	** are rte_mempool_avail_count, per-lcore caches included. */
	struct rte_mempool **pools;
	unsigned n_pools;
	enum stats_mbufs_phase mbufs_phase;
	rte_spinlock_t pools_lock;	/* the telemetry thread reads the pools under it */
	uint64_t mbufs_size;		/* mbufs in all the pools */
	uint64_t mbufs_initial;		/* free once setup was done, before any traffic */
	uint64_t mbufs_final;		/* free after the stop: workers out, ports stopped,
					** every mbuf the runtime held freed */
	uint64_t mbufs_closed;		/* free after the ports were closed (PMDs let go) */
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

/* ---- mbufs ---- */

/* Starts watching 'n' pools (NULL entries skipped; the array is copied, the pools borrowed):
** their free mbufs now are the initial count. Call once setup is done, before traffic.
** 0, or -ENOMEM. */
int stats_mbufs_watch(struct stats *s, struct rte_mempool *const *pools, unsigned n);
/* Records the final count: call after the workers stopped, the ports were stopped and the
** runtime freed every mbuf it held (dispatch rings, bursts in hand). */
void stats_mbufs_stopped(struct stats *s);
/* Records the count after the ports were closed and stops reading the pools, which may be
** freed from then on. */
void stats_mbufs_closed(struct stats *s);
/* Free mbufs now (live) or at the last phase recorded; 0 when not watched. */
uint64_t stats_mbufs_free(struct stats *s);
/* Mbufs that did not come back: initial - final, or what the closed ports left missing from
** the pools' size, whichever is more; 0 before the stop. */
uint64_t stats_mbufs_leaked(const struct stats *s);

/* ---- reading ---- */

/* Seconds since the start barrier, up to the end once marked. */
double stats_seconds(const struct stats *s);
/* A consistent-enough copy: out[0 .. workers-1] per worker, out[workers] their total. */
void stats_snapshot(const struct stats *s, struct stats_core *out);

/* ---- output ---- */

/* One line {"event":EVENT,"nf":..,"mode":..,"workers":N,"seconds":S,"core0":{..},..,
** "total":{..},"mbufs":{"pools":..,"size":..,"initial":..,"free":..[,"final":..
** [,"closed":..],"leaked":..]}} and a flush ("mbufs" once watched, "final" once stopped). */
void stats_print_json(struct stats *s, const char *event, FILE *f);
/* The human table (per core and total, "baton: " lines), the accounting line and the mbufs
** line; returns 0 when rx = tx + drops + floods + tx_fail holds and no mbuf leaked, -1 when
** not (a bug of the runtime, or of a PMD for a leak). */
int stats_print_summary(struct stats *s, FILE *f);
/* Writes 'str' as a JSON string, quotes included. */
void stats_json_string(FILE *f, const char *str);
/* Registers /baton/cores with DPDK telemetry, answering from 's' until stats_free (the
** counters, and "mbufs": {"size","initial","free"} once watched). 0, or a
** negative errno from rte_telemetry_register_cmd. */
int stats_telemetry(struct stats *s);

#endif
