/*
** Counters out: JSON lines, the human summary and the /baton/cores telemetry command; and the
** mbuf pools' free counts, watched for leaks.
*/

#include "stats.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_telemetry.h>

/* The run /baton/cores answers about. A global because DPDK 22.11's telemetry callbacks get
** no user argument; set once by stats_telemetry, cleared by stats_free. */
static struct stats *stats_served;

struct stats *
stats_new(const char *nf, const char *mode, unsigned workers, const unsigned *lcores)
{
	struct stats *s = calloc(1, sizeof *s);
	size_t core_bytes = (size_t)workers * sizeof(struct stats_core);

	if (!s)
		return NULL;
	s->nf = nf;
	s->mode = mode;
	s->workers = workers;
	s->hz = rte_get_tsc_hz();
	s->lcore = calloc(workers ? workers : 1, sizeof *s->lcore);
	/* aligned_alloc wants a multiple of the alignment, which the struct's size is. */
	s->core = aligned_alloc(RTE_CACHE_LINE_SIZE, core_bytes ? core_bytes : RTE_CACHE_LINE_SIZE);
	if (!s->lcore || !s->core) {
		stats_free(s);
		return NULL;
	}
	memset(s->core, 0, core_bytes);
	memcpy(s->lcore, lcores, workers * sizeof *s->lcore);
	rte_spinlock_init(&s->pools_lock);
	return s;
}

void
stats_free(struct stats *s)
{
	if (!s)
		return;
	if (stats_served == s)
		__atomic_store_n(&stats_served, NULL, __ATOMIC_RELEASE);
	free(s->pools);
	free(s->lcore);
	free(s->core);
	free(s);
}

void
stats_start(struct stats *s, uint64_t tsc0)
{
	__atomic_store_n(&s->tsc0, tsc0, __ATOMIC_RELEASE);
}

void
stats_end(struct stats *s)
{
	__atomic_store_n(&s->tsc_end, rte_rdtsc(), __ATOMIC_RELEASE);
}

double
stats_seconds(const struct stats *s)
{
	uint64_t t0 = __atomic_load_n(&s->tsc0, __ATOMIC_ACQUIRE);
	uint64_t t1 = __atomic_load_n(&s->tsc_end, __ATOMIC_ACQUIRE);

	if (!t0)
		return 0;
	if (!t1)
		t1 = rte_rdtsc();
	return t1 > t0 ? (double)(t1 - t0) / (double)s->hz : 0;
}

#define LOAD(p)	__atomic_load_n(&(p), __ATOMIC_RELAXED)

/*---- mbufs ----*/

/* The pools' free mbufs now; the caller holds pools_lock or is the only user of the pools. */
static uint64_t
pools_free(const struct stats *s)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < s->n_pools; i++)
		n += rte_mempool_avail_count(s->pools[i]);
	return n;
}

int
stats_mbufs_watch(struct stats *s, struct rte_mempool *const *pools, unsigned n)
{
	unsigned i;

	s->pools = calloc(n ? n : 1, sizeof *s->pools);
	if (!s->pools)
		return -ENOMEM;
	s->n_pools = 0;
	s->mbufs_size = 0;
	for (i = 0; i < n; i++) {
		if (!pools[i])
			continue;
		s->pools[s->n_pools++] = pools[i];
		s->mbufs_size += pools[i]->size;
	}
	s->mbufs_initial = pools_free(s);
	rte_spinlock_lock(&s->pools_lock);
	s->mbufs_phase = STATS_MBUFS_LIVE;
	rte_spinlock_unlock(&s->pools_lock);
	return 0;
}

void
stats_mbufs_stopped(struct stats *s)
{
	if (s->mbufs_phase != STATS_MBUFS_LIVE)
		return;
	rte_spinlock_lock(&s->pools_lock);
	s->mbufs_final = pools_free(s);
	s->mbufs_phase = STATS_MBUFS_STOPPED;
	rte_spinlock_unlock(&s->pools_lock);
}

void
stats_mbufs_closed(struct stats *s)
{
	if (s->mbufs_phase != STATS_MBUFS_STOPPED)
		return;
	/* Under the lock: once it is released no reader touches the pools again. */
	rte_spinlock_lock(&s->pools_lock);
	s->mbufs_closed = pools_free(s);
	s->mbufs_phase = STATS_MBUFS_CLOSED;
	rte_spinlock_unlock(&s->pools_lock);
}

/* Free mbufs now or at the last phase recorded, and that phase, read together. */
static uint64_t
mbufs_now(struct stats *s, enum stats_mbufs_phase *out_phase)
{
	uint64_t n;

	rte_spinlock_lock(&s->pools_lock);
	*out_phase = s->mbufs_phase;
	switch (s->mbufs_phase) {
	case STATS_MBUFS_LIVE:
		n = pools_free(s);
		break;
	case STATS_MBUFS_STOPPED:
		n = s->mbufs_final;
		break;
	case STATS_MBUFS_CLOSED:
		n = s->mbufs_closed;
		break;
	default:
		n = 0;
	}
	rte_spinlock_unlock(&s->pools_lock);
	return n;
}

uint64_t
stats_mbufs_free(struct stats *s)
{
	enum stats_mbufs_phase phase;

	return mbufs_now(s, &phase);
}

uint64_t
stats_mbufs_leaked(const struct stats *s)
{
	uint64_t stopped = 0, closed = 0;

	if (s->mbufs_phase < STATS_MBUFS_STOPPED)
		return 0;
	/* A PMD holds the same mbufs at the stop as at the start (net_pcap's looped trace), so
	** the two counts compare; a NIC that frees its rx ring at the stop gives more back, and
	** then the closed ports' count against the pools' size is the check. */
	if (s->mbufs_initial > s->mbufs_final)
		stopped = s->mbufs_initial - s->mbufs_final;
	if (s->mbufs_phase == STATS_MBUFS_CLOSED && s->mbufs_size > s->mbufs_closed)
		closed = s->mbufs_size - s->mbufs_closed;
	return stopped > closed ? stopped : closed;
}

void
stats_snapshot(const struct stats *s, struct stats_core *out)
{
	struct stats_core *t = &out[s->workers];
	unsigned k;

	memset(t, 0, sizeof *t);
	for (k = 0; k < s->workers; k++) {
		const struct stats_core *c = &s->core[k];
		struct stats_core *o = &out[k];

		o->rx = LOAD(c->rx);
		o->tx = LOAD(c->tx);
		o->drops = LOAD(c->drops);
		o->floods = LOAD(c->floods);
		o->flood_tx = LOAD(c->flood_tx);
		o->tx_fail = LOAD(c->tx_fail);
		o->aborts = LOAD(c->aborts);
		o->write_locks = LOAD(c->write_locks);
		o->busy_cycles = LOAD(c->busy_cycles);
		o->cycles = LOAD(c->cycles);
		t->rx += o->rx;
		t->tx += o->tx;
		t->drops += o->drops;
		t->floods += o->floods;
		t->flood_tx += o->flood_tx;
		t->tx_fail += o->tx_fail;
		t->aborts += o->aborts;
		t->write_locks += o->write_locks;
		t->busy_cycles += o->busy_cycles;
		t->cycles += o->cycles;
	}
}

static double
per_packet(const struct stats_core *c)
{
	return c->rx ? (double)c->busy_cycles / (double)c->rx : 0;
}

/* A JSON string; the names come from the generated config, but a quote must not break the
** line baton parses. */
void
stats_json_string(FILE *f, const char *str)
{
	const unsigned char *p = (const unsigned char *)(str ? str : "");

	fputc('"', f);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void
json_core(FILE *f, const struct stats_core *c, int lcore)
{
	fputc('{', f);
	if (lcore >= 0)
		fprintf(f, "\"lcore\":%d,", lcore);
	fprintf(f, "\"rx\":%" PRIu64 ",\"tx\":%" PRIu64 ",\"drops\":%" PRIu64
	    ",\"floods\":%" PRIu64 ",\"flood_tx\":%" PRIu64 ",\"tx_fail\":%" PRIu64
	    ",\"aborts\":%" PRIu64 ",\"write_locks\":%" PRIu64 ",\"busy_cycles\":%" PRIu64
	    ",\"cycles\":%" PRIu64 ",\"cycles_per_packet\":%.2f}",
	    c->rx, c->tx, c->drops, c->floods, c->flood_tx, c->tx_fail, c->aborts,
	    c->write_locks, c->busy_cycles, c->cycles, per_packet(c));
}

static void
json_mbufs(FILE *f, struct stats *s)
{
	if (s->mbufs_phase == STATS_MBUFS_NONE)
		return;
	fprintf(f, ",\"mbufs\":{\"pools\":%u,\"size\":%" PRIu64 ",\"initial\":%" PRIu64
	    ",\"free\":%" PRIu64, s->n_pools, s->mbufs_size, s->mbufs_initial,
	    stats_mbufs_free(s));
	if (s->mbufs_phase >= STATS_MBUFS_STOPPED)
		fprintf(f, ",\"final\":%" PRIu64, s->mbufs_final);
	if (s->mbufs_phase == STATS_MBUFS_CLOSED)
		fprintf(f, ",\"closed\":%" PRIu64, s->mbufs_closed);
	if (s->mbufs_phase >= STATS_MBUFS_STOPPED)
		fprintf(f, ",\"leaked\":%" PRIu64, stats_mbufs_leaked(s));
	fputc('}', f);
}

void
stats_print_json(struct stats *s, const char *event, FILE *f)
{
	struct stats_core snap[s->workers + 1];
	unsigned k;

	stats_snapshot(s, snap);
	fputs("{\"event\":", f);
	stats_json_string(f, event);
	fputs(",\"nf\":", f);
	stats_json_string(f, s->nf);
	fputs(",\"mode\":", f);
	stats_json_string(f, s->mode);
	fprintf(f, ",\"workers\":%u,\"seconds\":%.3f", s->workers, stats_seconds(s));
	for (k = 0; k < s->workers; k++) {
		fprintf(f, ",\"core%u\":", k);
		json_core(f, &snap[k], (int)s->lcore[k]);
	}
	fputs(",\"total\":", f);
	json_core(f, &snap[s->workers], -1);
	if (s->has_disp)
		fprintf(f, ",\"dispatcher\":{\"lcore\":%u,\"rx\":%" PRIu64 ",\"dispatched\":%"
		    PRIu64 ",\"dispatch_drops\":%" PRIu64 "}", s->disp_lcore, LOAD(s->disp.rx),
		    LOAD(s->disp.dispatched), LOAD(s->disp.drops));
	json_mbufs(f, s);
	fputs("}\n", f);
	fflush(f);
}

static void
summary_row(FILE *f, const char *label, const char *lcore, const struct stats_core *c,
    double seconds)
{
	fprintf(f, "baton: %5s %5s %12" PRIu64 " %12" PRIu64 " %10" PRIu64 " %10" PRIu64
	    " %10" PRIu64 " %9" PRIu64 " %9" PRIu64 " %11" PRIu64 " %9.1f %8.2f\n",
	    label, lcore, c->rx, c->tx, c->drops, c->floods, c->flood_tx, c->tx_fail, c->aborts,
	    c->write_locks, per_packet(c), seconds > 0 ? (double)c->rx / seconds / 1e6 : 0.0);
}

int
stats_print_summary(struct stats *s, FILE *f)
{
	struct stats_core snap[s->workers + 1];
	const struct stats_core *t = &snap[s->workers];
	double seconds = stats_seconds(s);
	char label[16], lcore[16];
	unsigned k;
	int ok;

	stats_snapshot(s, snap);
	fprintf(f, "baton: %s (%s, %u worker%s) ran %.3f s\n", s->nf, s->mode, s->workers,
	    s->workers == 1 ? "" : "s", seconds);
	fprintf(f, "baton: %5s %5s %12s %12s %10s %10s %10s %9s %9s %11s %9s %8s\n", "core",
	    "lcore", "rx", "tx", "drops", "floods", "flood_tx", "tx_fail", "aborts",
	    "write_locks", "cyc/pkt", "Mpps");
	for (k = 0; k < s->workers; k++) {
		snprintf(label, sizeof label, "%u", k);
		snprintf(lcore, sizeof lcore, "%u", s->lcore[k]);
		summary_row(f, label, lcore, &snap[k], seconds);
	}
	summary_row(f, "total", "", t, seconds);
	if (s->has_disp)
		fprintf(f, "baton: dispatcher lcore %u: rx %" PRIu64 ", dispatched %" PRIu64
		    ", dispatch_drops %" PRIu64 " (ring full: freed, never seen by a worker)\n",
		    s->disp_lcore, LOAD(s->disp.rx), LOAD(s->disp.dispatched),
		    LOAD(s->disp.drops));
	ok = t->rx == t->tx + t->drops + t->floods + t->tx_fail;
	fprintf(f, "baton: %s: rx %" PRIu64 " = tx %" PRIu64 " + drops %" PRIu64 " + floods %"
	    PRIu64 " + tx failures %" PRIu64 "\n", ok ? "accounted" : "UNACCOUNTED", t->rx, t->tx,
	    t->drops, t->floods, t->tx_fail);
	if (s->mbufs_phase >= STATS_MBUFS_STOPPED) {
		uint64_t leaked = stats_mbufs_leaked(s);

		fprintf(f, "baton: mbufs %s: %" PRIu64 " free at the start, %" PRIu64 " at the stop",
		    leaked ? "LEAKED" : "all back", s->mbufs_initial, s->mbufs_final);
		if (s->mbufs_phase == STATS_MBUFS_CLOSED)
			fprintf(f, ", %" PRIu64 " of %" PRIu64 " with the ports closed",
			    s->mbufs_closed, s->mbufs_size);
		if (leaked)
			fprintf(f, ": %" PRIu64 " missing", leaked);
		fputc('\n', f);
		ok = ok && !leaked;
	}
	fflush(f);
	return ok ? 0 : -1;
}

/*---- telemetry ----*/

/* One counter dict for a container; NULL when telemetry is out of memory. */
static struct rte_tel_data *
tel_core(const struct stats_core *c, int lcore)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	if (!d)
		return NULL;
	rte_tel_data_start_dict(d);
	if (lcore >= 0)
		rte_tel_data_add_dict_u64(d, "lcore", (uint64_t)lcore);
	rte_tel_data_add_dict_u64(d, "rx", c->rx);
	rte_tel_data_add_dict_u64(d, "tx", c->tx);
	rte_tel_data_add_dict_u64(d, "drops", c->drops);
	rte_tel_data_add_dict_u64(d, "floods", c->floods);
	rte_tel_data_add_dict_u64(d, "flood_tx", c->flood_tx);
	rte_tel_data_add_dict_u64(d, "tx_fail", c->tx_fail);
	rte_tel_data_add_dict_u64(d, "aborts", c->aborts);
	rte_tel_data_add_dict_u64(d, "write_locks", c->write_locks);
	rte_tel_data_add_dict_u64(d, "busy_cycles", c->busy_cycles);
	rte_tel_data_add_dict_u64(d, "cycles", c->cycles);
	/* No floats in 22.11 telemetry: rounded. */
	rte_tel_data_add_dict_u64(d, "cycles_per_packet", (uint64_t)(per_packet(c) + 0.5));
	return d;
}

/* "mbufs": the pools' free count now against the start. */
static int
tel_mbufs(struct stats *s, struct rte_tel_data *d)
{
	enum stats_mbufs_phase phase;
	uint64_t n = mbufs_now(s, &phase);
	struct rte_tel_data *m;

	/* size and initial were written before the phase left NONE, under the lock. */
	if (phase == STATS_MBUFS_NONE)
		return 0;
	m = rte_tel_data_alloc();
	if (!m)
		return -ENOMEM;
	rte_tel_data_start_dict(m);
	rte_tel_data_add_dict_u64(m, "size", s->mbufs_size);
	rte_tel_data_add_dict_u64(m, "initial", s->mbufs_initial);
	rte_tel_data_add_dict_u64(m, "free", n);
	if (rte_tel_data_add_dict_container(d, "mbufs", m, 0) < 0) {
		rte_tel_data_free(m);
		return -ENOSPC;
	}
	return 0;
}

/* The answer for one run, once tel_cores has found it. */
static int
tel_fill(struct stats *s, struct rte_tel_data *d)
{
	struct stats_core snap[s->workers + 1];
	struct rte_tel_data *c;
	double seconds = stats_seconds(s);
	char name[32];
	unsigned k;

	stats_snapshot(s, snap);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "nf", s->nf);
	rte_tel_data_add_dict_string(d, "mode", s->mode);
	rte_tel_data_add_dict_u64(d, "workers", s->workers);
	/* 22.11 telemetry has no floats: whole seconds, and milliseconds for rates. */
	rte_tel_data_add_dict_u64(d, "seconds", (uint64_t)seconds);
	rte_tel_data_add_dict_u64(d, "ms", (uint64_t)(seconds * 1000 + 0.5));
	for (k = 0; k <= s->workers; k++) {
		c = tel_core(&snap[k], k < s->workers ? (int)s->lcore[k] : -1);
		if (!c)
			return -ENOMEM;
		if (k < s->workers)
			snprintf(name, sizeof name, "core%u", k);
		else
			snprintf(name, sizeof name, "total");
		/* keep 0: telemetry frees the container after answering. */
		if (rte_tel_data_add_dict_container(d, name, c, 0) < 0) {
			rte_tel_data_free(c);
			return -ENOSPC;
		}
	}
	if (s->has_disp) {
		rte_tel_data_add_dict_u64(d, "dispatch_rx", LOAD(s->disp.rx));
		rte_tel_data_add_dict_u64(d, "dispatch_drops", LOAD(s->disp.drops));
	}
	return tel_mbufs(s, d);
}

/* /baton/cores: runs on DPDK's telemetry thread while the workers poll. */
static int
tel_cores(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct stats *s = __atomic_load_n(&stats_served, __ATOMIC_ACQUIRE);

	(void)cmd;
	(void)params;
	return s ? tel_fill(s, d) : -ENODEV;
}

int
stats_telemetry(struct stats *s)
{
	__atomic_store_n(&stats_served, s, __ATOMIC_RELEASE);
	return rte_telemetry_register_cmd("/baton/cores", tel_cores,
	    "Per-worker counters of this baton build: rx, tx, drops, floods, aborts, ...");
}
