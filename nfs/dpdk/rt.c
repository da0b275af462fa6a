/*
** The runtime: command line, EAL, the three modes, the workers' loop and the control lcore.
**
** Lcores: the main lcore only controls. It sleeps in steps of at most 10 ms between looks at
** the clock, the signal flag and the stats interval, because on a machine with as many lcores
** as CPUs a spinning main lcore would take a CPU from a worker. Workers are the next N lcores;
** the dispatcher, when a port needs one, is the lcore after them.
**
** Start: every worker (seq, sn) or the main lcore (locks) creates the NF state, then all meet
** at a barrier the main lcore opens only when every init succeeded, so no packet is handled
** before all state exists (Maestro had no barrier, maestro.md 3.2 item 6).
**
** Locks (maestro.md 3.1-3.2): one shared state built by the locked state library, which asks
** hooks.write before every write. A worker holds its reader token for a whole burst and runs
** each packet in read mode; the first write request longjmps back to the worker (its own
** jmp_buf: env->abort_to is shared by all cores, so it stays NULL), the packet's bytes are
** restored, the packet re-runs from scratch under the write lock and its verdict is the
** re-run's. Packets of a burst are handled strictly in order, so a later packet sees what an
** earlier one wrote.
**
** Mbufs: the pools' free counts are taken once setup is done (before any traffic), served live
** by /baton/cores, and taken again at the end once the workers are out, the ports stopped and
** the dispatch rings emptied, then once more with the ports closed; the totals say whether
** every mbuf came back (stats_mbufs_leaked).
*/

#include "rt.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_pause.h>
#include <rte_per_lcore.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "disp.h"
#include "port.h"
#include "rwlock.h"
#include "stats.h"
#include "synth.h"

#define RT_RING_SIZE	1024		/* dispatcher ring per (port, worker) */
#define RT_SCRATCH	65536		/* a first segment's bytes, saved for a re-run */
#define RT_SAVE_FAST	64		/* frames up to this are saved with one cache line copy */
#define RT_SLEEP_NS	10000000L	/* the main lcore's longest nap */

enum rt_mode { RT_SEQ, RT_SN, RT_LOCKS };

/* The options after "--". */
struct rt_opts {
	double stats_s;		/* --stats-json; 0: none */
	double duration_s;	/* --duration; 0: until a signal */
	int presharded;
	int ordered;		/* --ordered: merge a worker's queues by rx timestamp */
	unsigned synth;		/* --synth flows; 0: none */
	uint64_t idle[NF_MAX_PORTS];	/* --idle: bit q of port p: its rx queue q gets nothing */
};

/* What one burst sends to one port: the packets and which are flood copies (counted apart). */
struct rt_txq {
	struct rte_mbuf *m[RT_BURST];
	uint8_t copy[RT_BURST];
	unsigned n;
	unsigned n_copy;
};

/* A burst's counts, added to the worker's counters once per burst. */
struct rt_count {
	uint64_t tx, drops, floods, flood_tx, tx_fail, aborts, write_locks;
};

struct rt;

struct rt_worker {
	struct rt *rt;
	unsigned index;			/* 0 .. workers-1: queue, RETA value and hooks.core */
	unsigned lcore;
	void *state;			/* seq, sn: its own; locks: the shared one */
	struct nf_env env;		/* seq, sn: its own instance */
	int failed;			/* its nf_init failed (env.error says why) */
	struct rte_mempool *pool;	/* its rx queues' mbufs and its flood copies */
	struct stats_core *ctr;
	struct synth *synth;
	struct rte_ring *ring[NF_MAX_PORTS];	/* dispatched ports: read this, not the queue */
	uint8_t idle[NF_MAX_PORTS];		/* its queue of that port is never polled */
	struct rt_txq txq[NF_MAX_PORTS];
	/* locks mode */
	jmp_buf abort_to;		/* where a refused write jumps */
	int writing;			/* holds the write lock: writes are allowed */
	unsigned next;			/* the packet of the burst in read mode */
	uint8_t scratch[RT_SCRATCH];	/* its bytes before the read run */
} __rte_cache_aligned;

struct rt {
	const struct rt_config *cfg;
	enum rt_mode mode;
	unsigned workers;
	struct rt_opts opts;
	struct port_set ports;
	uint16_t port_id[NF_MAX_PORTS];
	struct rt_worker *w;
	struct stats *stats;
	struct rte_mempool **pools;	/* per worker */
	struct rte_mempool *disp_pool;
	struct disp *disp;
	unsigned disp_lcore;
	unsigned launched;		/* workers launched */
	int disp_launched;
	struct rwlock *lock;		/* locks */
	struct nf_env env;		/* locks: the shared instance */
	int env_used;
	void *state;			/* locks: the shared state */
	int ordered;			/* --ordered, and every port gives timestamps */
	int ts_off;			/* the rx timestamp's mbuf field, and its flag */
	uint64_t ts_flag;
	uint64_t tsc0;			/* the start barrier */
	uint64_t ns_mult;		/* ns = cycles * ns_mult >> 32 */
	/* The barrier: workers count themselves in, the main lcore opens (1) or gives up (-1). */
	uint32_t inited;
	uint32_t started;
	uint32_t finished;
	int32_t go;
	int ports_closed;		/* rt_settle closed them */
	/* Read by every worker on every loop, written once: a line of its own. */
	uint32_t stop __rte_cache_aligned;
};

/* Set by the SIGINT/SIGTERM handler, which can reach nothing else; the main lcore polls it. */
static volatile sig_atomic_t rt_signal;

/* The calling lcore's worker, for the locked library's hooks, which only get the shared
** hooks.arg. NULL on the main lcore, where nf_init may write freely. */
static RTE_DEFINE_PER_LCORE(struct rt_worker *, rt_self);

static void
rt_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
rt_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("baton: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*---- command line ----*/

static void
rt_usage(FILE *f, const char *prog)
{
	const struct rt_config *c = &rt_config;
	unsigned i;

	fprintf(f, "usage: %s [EAL args] -- [--stats-json SECONDS] [--duration SECONDS] "
	    "[--presharded] [--ordered] [--idle P:Q,...] [--synth FLOWS] [--help]\n"
	    "  --stats-json S  every S seconds, print one {\"event\":\"stats\",...} line\n"
	    "  --duration S    stop after S seconds (default: at SIGINT or SIGTERM)\n"
	    "  --presharded    the rx queues of ports without RSS hold traffic that baton already\n"
	    "                  split with the ports' Toeplitz key and RETA (net_pcap: one rx_pcap=\n"
	    "                  per worker per port)\n"
	    "  --ordered       a worker takes its queues' packets in the order of their rx\n"
	    "                  timestamps (net_pcap: the files' stamps), not port by port\n"
	    "  --idle P:Q,...  rx queue Q of port P gets nothing: never polled (net_pcap's\n"
	    "                  infinite_rx takes mbufs it does not give back from an empty file)\n"
	    "  --synth FLOWS   stamp received packets with FLOWS UDP flows per worker (1..%u), for\n"
	    "                  benchmarks on net_null, whose packets are all zeros\n"
	    "  --help          this text\n"
	    "this build: %s, mode %s, %u worker%s, ports", prog, SYNTH_MAX_FLOWS, c->nf, c->mode,
	    c->cores, c->cores == 1 ? "" : "s");
	for (i = 0; i < c->n_ports; i++)
		fprintf(f, " %u:%s", i, c->port[i].name);
	fputc('\n', f);
}

/* The value of option 'name' at argv[*i] ("--name V" or "--name=V"); NULL when argv[*i] is
** another option, and *missing set when the value is absent. */
static const char *
rt_opt_value(int argc, char **argv, int *i, const char *name, int *missing)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}

static int
rt_seconds(const char *name, const char *v, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(d) || d <= 0 || d > 1e9) {
		rt_error("%s: '%s' is not a positive number of seconds", name, v);
		return -1;
	}
	*out = d;
	return 0;
}

/* Parses the options after "--". 0, 1 after --help, -1 after an error (usage printed). */
/* "0:1,1:0": port:queue pairs. */
static int
rt_idle_parse(const char *v, uint64_t *idle)
{
	const char *p = v;

	while (*p) {
		char *end;
		unsigned long port, q;

		errno = 0;
		port = strtoul(p, &end, 10);
		if (errno || end == p || *end != ':' || port >= NF_MAX_PORTS)
			break;
		p = end + 1;
		q = strtoul(p, &end, 10);
		if (errno || end == p || q >= 64 || (*end && *end != ','))
			break;
		idle[port] |= 1ULL << q;
		p = *end ? end + 1 : end;
		if (!*p)
			return 0;
	}
	rt_error("--idle: '%s' is not a list of PORT:QUEUE pairs (ports < %d, queues < 64)", v,
	    NF_MAX_PORTS);
	return -1;
}

static int
rt_parse(int argc, char **argv, struct rt_opts *o)
{
	const char *v;
	unsigned long n;
	char *end;
	int i, start = argc, missing = 0;

	memset(o, 0, sizeof *o);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			start = i + 1;
			break;
		}
	}
	for (i = start; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			rt_usage(stdout, argv[0]);
			return 1;
		} else if (strcmp(argv[i], "--presharded") == 0) {
			o->presharded = 1;
		} else if (strcmp(argv[i], "--ordered") == 0) {
			o->ordered = 1;
		} else if ((v = rt_opt_value(argc, argv, &i, "--stats-json", &missing))) {
			if (rt_seconds("--stats-json", v, &o->stats_s) < 0)
				goto usage;
		} else if ((v = rt_opt_value(argc, argv, &i, "--duration", &missing))) {
			if (rt_seconds("--duration", v, &o->duration_s) < 0)
				goto usage;
		} else if ((v = rt_opt_value(argc, argv, &i, "--idle", &missing))) {
			if (rt_idle_parse(v, o->idle) < 0)
				goto usage;
		} else if ((v = rt_opt_value(argc, argv, &i, "--synth", &missing))) {
			errno = 0;
			n = strtoul(v, &end, 10);
			if (errno || end == v || *end || n < 1 || n > SYNTH_MAX_FLOWS) {
				rt_error("--synth: '%s' is not a flow count in 1..%u", v,
				    SYNTH_MAX_FLOWS);
				goto usage;
			}
			o->synth = (unsigned)n;
		} else if (missing) {
			rt_error("%s needs a value", argv[i]);
			goto usage;
		} else {
			rt_error("unknown option '%s'", argv[i]);
			goto usage;
		}
	}
	return 0;
usage:
	rt_usage(stderr, argv[0]);
	return -1;
}

/*---- configuration ----*/

static int
rt_check_config(struct rt *rt)
{
	const struct rt_config *c = rt->cfg;
	unsigned n = 0, i, e;

	if (strcmp(c->mode, "seq") == 0)
		rt->mode = RT_SEQ;
	else if (strcmp(c->mode, "sn") == 0)
		rt->mode = RT_SN;
	else if (strcmp(c->mode, "locks") == 0)
		rt->mode = RT_LOCKS;
	else {
		rt_error("config: mode '%s' is not seq, sn or locks", c->mode);
		return -1;
	}
	if (c->cores < 1 || c->cores >= RTE_MAX_LCORE) {
		rt_error("config: %u cores", c->cores);
		return -1;
	}
	if (rt->mode == RT_SEQ && c->cores != 1) {
		rt_error("config: mode seq runs on 1 core, not %u", c->cores);
		return -1;
	}
#ifndef NF_BUILD_LOCKED
	if (rt->mode == RT_LOCKS) {
		rt_error("mode locks needs the locked state library: compile everything with "
		    "-DNF_BUILD_LOCKED");
		return -1;
	}
#endif
	while (n < NF_MAX_PORTS && nf_descriptor.ports[n])
		n++;
	if (c->n_ports < 1 || c->n_ports > NF_MAX_PORTS || c->n_ports != n) {
		rt_error("config: %u ports, but %s declares %u", c->n_ports, nf_descriptor.name, n);
		return -1;
	}
	if (c->cores > 1 && c->reta_size < 1) {
		rt_error("config: a RETA of %u entries", c->reta_size);
		return -1;
	}
	for (i = 0; i < c->n_ports; i++) {
		if (c->port[i].key_len > RT_KEY_MAX || (c->reta_size && !c->port[i].reta)) {
			rt_error("config: port %u: key of %u bytes or no RETA", i,
			    c->port[i].key_len);
			return -1;
		}
		for (e = 0; e < c->reta_size; e++) {
			if (c->port[i].reta[e] >= c->cores) {
				rt_error("config: port %u: RETA entry %u is worker %u of %u", i, e,
				    c->port[i].reta[e], c->cores);
				return -1;
			}
		}
	}
	if (c->n_config && (!c->config_keys || !c->config_values)) {
		rt_error("config: %u NF settings without keys or values", c->n_config);
		return -1;
	}
	return 0;
}

/*---- locks mode hooks ----*/

/* hooks.write: refuses every write of a read run by jumping back to the worker. */
static int
rt_write_hook(void *arg, const char *object)
{
	struct rt_worker *w = RTE_PER_LCORE(rt_self);

	(void)arg;
	(void)object;
	if (!w || w->writing)
		return 0;
	longjmp(w->abort_to, 1);
}

/* hooks.core: the worker's index, whose dchain timestamps it keeps. */
static unsigned
rt_core_hook(void *arg)
{
	struct rt_worker *w = RTE_PER_LCORE(rt_self);

	(void)arg;
	return w ? w->index : 0;
}

/* An NF instance in 'env' with capacity share 1/share_den; the state or NULL. */
static void *
rt_instance(const struct rt *rt, struct nf_env *env, unsigned share_den)
{
	void *state;

	nf_env_setup(env, &nf_descriptor);
	env->keys = rt->cfg->config_keys;
	env->values = rt->cfg->config_values;
	env->n_config = rt->cfg->n_config;
	env->share_num = 1;
	env->share_den = share_den;
	if (rt->mode == RT_LOCKS) {
		/* The hooks find the worker through rt_self; abort_to stays NULL (see the top). */
		env->n_cores = rt->workers;
		env->hooks.write = rt_write_hook;
		env->hooks.core = rt_core_hook;
		env->hooks.arg = NULL;
	}
	state = nf_init(env);
	if (!state && !env->error[0])
		snprintf(env->error, sizeof env->error, "nf_init returned NULL without a reason");
	return state;
}

/* --ordered: every port must stamp what it receives (net_pcap stamps with the file's times). */
static void
rt_order_setup(struct rt *rt)
{
	int bit = rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME, NULL);

	/* Registered by a port that stamps; packets without the flag count as stamp 0. */
	rt->ts_off = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, NULL);
	if (rt->ts_off < 0 || bit < 0 || rt->ports.n_dispatch) {
		printf("baton: --ordered: %s, so each worker takes its ports in turn\n",
		    rt->ports.n_dispatch ? "a dispatcher feeds some ports" :
		    "a port gives no rx timestamps");
		return;
	}
	rt->ts_flag = 1ULL << bit;
	rt->ordered = 1;
	printf("baton: --ordered: each worker takes its packets in the order of their rx "
	    "timestamps across ports\n");
}

/*---- the data path ----*/

static inline uint64_t
rt_ns(const struct rt *rt, uint64_t tsc)
{
	return (uint64_t)(((unsigned __int128)(tsc - rt->tsc0) * rt->ns_mult) >> 32);
}

static inline unsigned
rt_rx(struct rt_worker *w, unsigned port, struct rte_mbuf **bufs)
{
	if (w->ring[port])
		return rte_ring_dequeue_burst(w->ring[port], (void **)bufs, RT_BURST, NULL);
	if (w->idle[port])
		return 0;
	return rte_eth_rx_burst(w->rt->port_id[port], (uint16_t)w->index, bufs, RT_BURST);
}

static inline void
rt_txq_add(struct rt_txq *t, struct rte_mbuf *m, uint8_t copy)
{
	t->m[t->n] = m;
	t->copy[t->n++] = copy;
	t->n_copy += copy;
}

/* Copies to every port but the input; the original goes to the last one. */
static void
rt_flood(struct rt_worker *w, unsigned in, struct rte_mbuf *m)
{
	unsigned n = w->rt->cfg->n_ports, last, q;
	struct rte_mbuf *c;

	if (n < 2) {
		rte_pktmbuf_free(m);
		return;
	}
	last = in == n - 1 ? n - 2 : n - 1;
	for (q = 0; q < last; q++) {
		if (q == in)
			continue;
		/* No mbuf for a copy: that copy is not sent, as if tx refused it. */
		c = rte_pktmbuf_copy(m, w->pool, 0, UINT32_MAX);
		if (c)
			rt_txq_add(&w->txq[q], c, 1);
	}
	rt_txq_add(&w->txq[last], m, 1);
}

/* Sorts a burst by verdict onto the tx queues, freeing the drops. */
static void
rt_route(struct rt_worker *w, unsigned port, struct rte_mbuf **bufs, const int *verdict,
    unsigned n, struct rt_count *c)
{
	unsigned n_ports = w->rt->cfg->n_ports, nd = 0, i;
	struct rte_mbuf *drop[RT_BURST];
	int v;

	for (i = 0; i < n; i++) {
		v = verdict[i];
		if (v >= 0 && (unsigned)v < n_ports) {
			rt_txq_add(&w->txq[v], bufs[i], 0);
		} else if (v == NF_FLOOD) {
			c->floods++;
			rt_flood(w, port, bufs[i]);
		} else {
			/* NF_DROP, or a port the NF does not have: a drop either way. */
			drop[nd++] = bufs[i];
		}
	}
	if (nd) {
		rte_pktmbuf_free_bulk(drop, nd);
		c->drops += nd;
	}
}

/* Sends what the burst routed, each port on the worker's own tx queue. */
static void
rt_flush(struct rt_worker *w, struct rt_count *c)
{
	unsigned n_ports = w->rt->cfg->n_ports, q, i, sent;
	struct rt_txq *t;

	for (q = 0; q < n_ports; q++) {
		t = &w->txq[q];
		if (!t->n)
			continue;
		sent = rte_eth_tx_burst(w->rt->port_id[q], (uint16_t)w->index, t->m,
		    (uint16_t)t->n);
		if (!t->n_copy) {
			c->tx += sent;
			c->tx_fail += t->n - sent;
		} else {
			for (i = 0; i < t->n; i++) {
				if (i < sent)
					*(t->copy[i] ? &c->flood_tx : &c->tx) += 1;
				else if (!t->copy[i])
					c->tx_fail++;
			}
		}
		if (sent < t->n)
			rte_pktmbuf_free_bulk(t->m + sent, t->n - sent);
		t->n = t->n_copy = 0;
	}
}

/* seq and sn: every packet straight through the worker's own instance. */
static inline void
rt_run_plain(struct rt_worker *w, unsigned port, struct rte_mbuf **bufs, unsigned n,
    uint64_t now, int *verdict)
{
	struct rte_mbuf *m;
	unsigned i;

	for (i = 0; i < n; i++) {
		m = bufs[i];
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(bufs[i + 1], void *));
		verdict[i] = nf_process(w->state, (uint16_t)port, rte_pktmbuf_mtod(m, uint8_t *),
		    m->data_len, now);
	}
}

/* Saves the bytes a read run may rewrite. Most frames are small, and a fixed-size copy is a
** few vector moves where a variable one is a call; bytes past the frame come along, which is
** harmless while they are inside the mbuf's buffer. */
static inline void
rt_save(struct rt_worker *w, const struct rte_mbuf *m, const uint8_t *data)
{
	if (m->data_len <= RT_SAVE_FAST && rte_pktmbuf_tailroom(m) >= RT_SAVE_FAST - m->data_len)
		memcpy(w->scratch, data, RT_SAVE_FAST);
	else
		memcpy(w->scratch, data, m->data_len);
}

/* Runs packets w->next .. n-1 in read mode. Returns n, or the packet whose run met a write.
** Kept apart and never inlined so that setjmp's frame holds nothing that changes before the
** longjmp: the position lives in w->next, memory the jump leaves as it was. */
static __attribute__((noinline)) unsigned
rt_read_pass(struct rt_worker *w, unsigned port, struct rte_mbuf **bufs, unsigned n,
    uint64_t now, int *verdict)
{
	struct rte_mbuf *m;
	uint8_t *data;
	unsigned i;

	if (setjmp(w->abort_to))
		return __atomic_load_n(&w->next, __ATOMIC_RELAXED);
	for (i = __atomic_load_n(&w->next, __ATOMIC_RELAXED); i < n; i++) {
		__atomic_store_n(&w->next, i, __ATOMIC_RELAXED);
		m = bufs[i];
		data = rte_pktmbuf_mtod(m, uint8_t *);
		rt_save(w, m, data);
		verdict[i] = nf_process(w->state, (uint16_t)port, data, m->data_len, now);
	}
	return n;
}

/* locks: the burst under the worker's reader token; a packet that wants to write re-runs
** from scratch under the write lock. */
static void
rt_run_locked(struct rt_worker *w, unsigned port, struct rte_mbuf **bufs, unsigned n,
    uint64_t now, int *verdict, struct rt_count *c)
{
	struct rwlock *l = w->rt->lock;
	struct rte_mbuf *m;
	uint8_t *data;
	unsigned i;

	rwlock_read_lock(l, w->index);
	w->next = 0;
	while ((i = rt_read_pass(w, port, bufs, n, now, verdict)) < n) {
		m = bufs[i];
		data = rte_pktmbuf_mtod(m, uint8_t *);
		/* The read run may have rewritten headers before its first write. */
		memcpy(data, w->scratch, m->data_len);
		c->aborts++;
		rwlock_read_unlock(l, w->index);
		rwlock_write_lock(l);
		w->writing = 1;
		/* This verdict is the packet's: Maestro forwarded by the aborted run's. */
		verdict[i] = nf_process(w->state, (uint16_t)port, data, m->data_len, now);
		w->writing = 0;
		rwlock_write_unlock(l);
		c->write_locks++;
		rwlock_read_lock(l, w->index);
		w->next = i + 1;
	}
	rwlock_read_unlock(l, w->index);
}

/* One received burst, start to end; t0 is when the poll began. */
static inline void
rt_burst(struct rt_worker *w, unsigned port, struct rte_mbuf **bufs, unsigned n, uint64_t t0,
    const int locked)
{
	struct stats_core *ctr = w->ctr;
	struct rt_count c = { 0 };
	int verdict[RT_BURST];
	uint64_t now = rt_ns(w->rt, t0);

	if (w->synth)
		synth_stamp(w->synth, port, bufs, n);
	if (locked)
		rt_run_locked(w, port, bufs, n, now, verdict, &c);
	else
		rt_run_plain(w, port, bufs, n, now, verdict);
	rt_route(w, port, bufs, verdict, n, &c);
	rt_flush(w, &c);
	stats_add(&ctr->rx, n);
	stats_add(&ctr->tx, c.tx);
	if (c.drops)
		stats_add(&ctr->drops, c.drops);
	if (c.floods) {
		stats_add(&ctr->floods, c.floods);
		stats_add(&ctr->flood_tx, c.flood_tx);
	}
	if (c.tx_fail)
		stats_add(&ctr->tx_fail, c.tx_fail);
	if (c.aborts) {
		stats_add(&ctr->aborts, c.aborts);
		stats_add(&ctr->write_locks, c.write_locks);
	}
	stats_add(&ctr->busy_cycles, rte_rdtsc() - t0);
}

/* Polls every port until the stop flag. 'locked' is a constant in each caller, so the sn loop
** carries no trace of the locks code. */
static inline void
rt_loop(struct rt_worker *w, const int locked)
{
	struct rt *rt = w->rt;
	unsigned n_ports = rt->cfg->n_ports, p, n;
	struct rte_mbuf *bufs[RT_BURST];
	uint64_t t0 = rt->tsc0;

	while (!__atomic_load_n(&rt->stop, __ATOMIC_RELAXED)) {
		for (p = 0; p < n_ports; p++) {
			t0 = rte_rdtsc();
			n = rt_rx(w, p, bufs);
			if (n)
				rt_burst(w, p, bufs, n, t0, locked);
		}
		stats_set(&w->ctr->cycles, t0 - rt->tsc0);
	}
}

/* Packets received and not handled yet, one port's. */
struct rt_pending {
	struct rte_mbuf *m[RT_BURST];
	unsigned n, pos;
};

static inline uint64_t
rt_stamp(const struct rt *rt, const struct rte_mbuf *m)
{
	if (!(m->ol_flags & rt->ts_flag))
		return 0;
	return *RTE_MBUF_DYNFIELD(m, rt->ts_off, const uint64_t *);
}

/* --ordered: the worker's queues hold parts of one trace, stamped in its order; they are
** merged back by stamp, so every worker sees its packets in the trace's order across ports
** (as one NIC would deliver them) and a run can be compared packet for packet with 'check'.
** Each port's run of packets older than every other port's next one goes as one burst. A
** pcap queue that gives nothing is at its end, so waiting for it would never end. */
static void
rt_loop_ordered(struct rt_worker *w, const int locked)
{
	struct rt *rt = w->rt;
	unsigned n_ports = rt->cfg->n_ports, p, best, k;
	struct rt_pending pend[NF_MAX_PORTS];
	uint64_t t0, lo, next, ts;
	int stopping = 0;

	memset(pend, 0, sizeof pend);
	for (;;) {
		if (__atomic_load_n(&rt->stop, __ATOMIC_RELAXED))
			stopping = 1;
		t0 = rte_rdtsc();
		for (p = 0; p < n_ports && !stopping; p++) {
			if (pend[p].pos == pend[p].n) {
				pend[p].n = rt_rx(w, p, pend[p].m);
				pend[p].pos = 0;
			}
		}
		best = n_ports;
		lo = next = UINT64_MAX;
		for (p = 0; p < n_ports; p++) {
			if (pend[p].pos == pend[p].n)
				continue;
			ts = rt_stamp(rt, pend[p].m[pend[p].pos]);
			if (best == n_ports || ts < lo) {
				next = lo;
				lo = ts;
				best = p;
			} else if (ts < next) {
				next = ts;
			}
		}
		stats_set(&w->ctr->cycles, t0 - rt->tsc0);
		if (best == n_ports) {
			/* Received packets are always handled, even after the stop. */
			if (stopping)
				break;
			continue;
		}
		k = pend[best].pos + 1;
		while (k < pend[best].n && rt_stamp(rt, pend[best].m[k]) < next)
			k++;
		rt_burst(w, best, pend[best].m + pend[best].pos, k - pend[best].pos, t0, locked);
		pend[best].pos = k;
	}
}

/* After the stop: the dispatcher has stopped filling the rings, so what is in them is handled,
** and every packet the dispatcher counted reaches a worker. */
static void
rt_drain(struct rt_worker *w, const int locked)
{
	unsigned n_ports = w->rt->cfg->n_ports, p, n, got;
	struct rte_mbuf *bufs[RT_BURST];
	uint64_t t0;

	/* Pairs with the main lcore's release of 'stop': disp_launched was set before it. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (!w->rt->disp || !w->rt->disp_launched)
		return;
	while (!disp_done(w->rt->disp))
		rte_pause();
	do {
		got = 0;
		for (p = 0; p < n_ports; p++) {
			if (!w->ring[p])
				continue;
			t0 = rte_rdtsc();
			n = rt_rx(w, p, bufs);
			if (n)
				rt_burst(w, p, bufs, n, t0, locked);
			got += n;
		}
	} while (got);
}

static int
rt_worker_main(void *arg)
{
	struct rt_worker *w = arg;
	struct rt *rt = w->rt;
	int32_t go;

	RTE_PER_LCORE(rt_self) = w;
	if (rt->mode != RT_LOCKS) {
		/* On its own lcore, so the state's pages come from this core's memory. */
		w->state = rt_instance(rt, &w->env, rt->workers);
		w->failed = !w->state;
	}
	__atomic_fetch_add(&rt->inited, 1, __ATOMIC_RELEASE);
	while ((go = __atomic_load_n(&rt->go, __ATOMIC_ACQUIRE)) == 0)
		rte_pause();
	if (go > 0) {
		__atomic_fetch_add(&rt->started, 1, __ATOMIC_RELEASE);
		if (rt->ordered) {
			rt_loop_ordered(w, rt->mode == RT_LOCKS);
		} else if (rt->mode == RT_LOCKS) {
			rt_loop(w, 1);
			rt_drain(w, 1);
		} else {
			rt_loop(w, 0);
			rt_drain(w, 0);
		}
		stats_set(&w->ctr->cycles, rte_rdtsc() - rt->tsc0);
	}
	__atomic_fetch_add(&rt->finished, 1, __ATOMIC_RELEASE);
	return 0;
}

/*---- control ----*/

static void
rt_on_signal(int sig)
{
	rt_signal = sig;
}

static void
rt_nap(long ns)
{
	struct timespec ts = { ns / 1000000000L, ns % 1000000000L };

	/* A signal ends the nap early, which is what the caller wants. */
	nanosleep(&ts, NULL);
}

/* Sleeps until *counter reaches 'n'. */
static void
rt_wait_count(const uint32_t *counter, unsigned n)
{
	while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) < n)
		rt_nap(1000000L);
}

static void
rt_print_ready(const struct rt *rt)
{
	unsigned k;

	fputs("{\"event\":\"ready\",\"nf\":", stdout);
	stats_json_string(stdout, rt->cfg->nf);
	fputs(",\"mode\":", stdout);
	stats_json_string(stdout, rt->cfg->mode);
	printf(",\"workers\":%u,\"lcores\":[", rt->workers);
	for (k = 0; k < rt->workers; k++)
		printf("%s%u", k ? "," : "", rt->w[k].lcore);
	printf("]");
	if (rt->disp)
		printf(",\"dispatcher_lcore\":%u", rt->disp_lcore);
	printf(",\"pid\":%d}\n", (int)getpid());
	fflush(stdout);
}

/* Picks the worker and dispatcher lcores, or says how many are missing. */
static int
rt_lcores(struct rt *rt, unsigned *lcores)
{
	unsigned need = 1 + rt->workers + (rt->ports.n_dispatch ? 1 : 0), got = rte_lcore_count();
	unsigned k = 0, l;

	if (got < need) {
		rt_error("%s with %u worker%s needs %u lcores (main + %u worker%s%s); got %u: pass "
		    "--lcores (e.g. --lcores='(0-%u)@(0-1)' puts %u lcores on CPUs 0 and 1)",
		    rt->cfg->mode, rt->workers, rt->workers == 1 ? "" : "s", need, rt->workers,
		    rt->workers == 1 ? "" : "s", rt->ports.n_dispatch ? " + dispatcher" : "", got,
		    need - 1, need);
		return -1;
	}
	RTE_LCORE_FOREACH_WORKER(l) {
		if (k < rt->workers)
			lcores[k] = l;
		else if (k == rt->workers)
			rt->disp_lcore = l;
		k++;
	}
	return 0;
}

/* The dispatcher feeds workers through rings: on a CPU it shares with one, both crawl. */
static void
rt_warn_shared_cpu(const struct rt *rt)
{
	rte_cpuset_t d = rte_lcore_cpuset(rt->disp_lcore), w, both;
	unsigned k;

	for (k = 0; k < rt->workers; k++) {
		w = rte_lcore_cpuset(rt->w[k].lcore);
		CPU_AND(&both, &d, &w);
		if (CPU_COUNT(&both)) {
			printf("baton: warning: the dispatcher (lcore %u) shares a CPU with worker "
			    "lcore %u: a pipeline on shared CPUs runs at scheduler speed\n",
			    rt->disp_lcore, rt->w[k].lcore);
			return;
		}
	}
}

/* Everything up to the launch: ports, lcores, counters, pools, rings, state. */
static int
rt_setup(struct rt *rt)
{
	unsigned lcores[RTE_MAX_LCORE], k, p, n;
	int dispatched[NF_MAX_PORTS];
	char err[512], name[RTE_MEMPOOL_NAMESIZE];
	struct rt_worker *w;

	if (rt_check_config(rt) < 0)
		return -1;
	rt->workers = rt->cfg->cores;
	if (rt->opts.synth && rt->workers > 256) {
		rt_error("--synth numbers flows by worker, up to 256 workers");
		return -1;
	}
	if (rt->cfg->forced)
		printf("baton: %s was emitted shared-nothing against a locks verdict (--force): "
		    "cores may disagree on state shared across shards\n", rt->cfg->nf);
	if (port_probe(&rt->ports, rt->cfg, rt->workers, rt->opts.presharded, err,
	    sizeof err) < 0) {
		rt_error("%s", err);
		return -1;
	}
	for (p = 0; p < rt->ports.n; p++) {
		rt->port_id[p] = rt->ports.port[p].id;
		dispatched[p] = rt->ports.port[p].steer == PORT_STEER_DISPATCH;
	}
	if (rt_lcores(rt, lcores) < 0)
		return -1;
	rt->stats = stats_new(rt->cfg->nf, rt->cfg->mode, rt->workers, lcores);
	rt->w = aligned_alloc(RTE_CACHE_LINE_SIZE, rt->workers * sizeof *rt->w);
	rt->pools = calloc(rt->workers, sizeof *rt->pools);
	if (!rt->stats || !rt->w || !rt->pools) {
		rt_error("out of memory");
		return -1;
	}
	memset(rt->w, 0, rt->workers * sizeof *rt->w);
	if (rt->ports.n_dispatch) {
		rt->stats->has_disp = 1;
		rt->stats->disp_lcore = rt->disp_lcore;
	}
	if (stats_telemetry(rt->stats) < 0)
		printf("baton: telemetry: /baton/cores could not be registered\n");

	n = port_worker_mbufs(&rt->ports);
	for (k = 0; k < rt->workers; k++) {
		w = &rt->w[k];
		w->rt = rt;
		w->index = k;
		w->lcore = lcores[k];
		w->ctr = &rt->stats->core[k];
		for (p = 0; p < rt->cfg->n_ports && p < NF_MAX_PORTS; p++)
			w->idle[p] = k < 64 && (rt->opts.idle[p] >> k & 1);
		snprintf(name, sizeof name, "baton_w%u", k);
		rt->pools[k] = port_pool_new(name, n, (int)rte_lcore_to_socket_id(w->lcore), err,
		    sizeof err);
		if (!rt->pools[k]) {
			rt_error("%s", err);
			return -1;
		}
		w->pool = rt->pools[k];
		if (rt->opts.synth) {
			w->synth = synth_new(k, rt->opts.synth, rt->cfg->n_ports);
			if (!w->synth) {
				rt_error("--synth %u: out of memory", rt->opts.synth);
				return -1;
			}
		}
	}
	if (rt->ports.n_dispatch) {
		rt->disp_pool = port_pool_new("baton_disp", port_disp_mbufs(&rt->ports,
		    RT_RING_SIZE), (int)rte_lcore_to_socket_id(rt->disp_lcore), err, sizeof err);
		if (!rt->disp_pool) {
			rt_error("%s", err);
			return -1;
		}
		rt->disp = disp_new(rt->cfg, rt->port_id, dispatched, rt->workers, RT_RING_SIZE,
		    &rt->stats->disp, err, sizeof err);
		if (!rt->disp) {
			rt_error("%s", err);
			return -1;
		}
		for (k = 0; k < rt->workers; k++)
			for (p = 0; p < rt->cfg->n_ports; p++)
				rt->w[k].ring[p] = disp_ring(rt->disp, p, k);
		rt_warn_shared_cpu(rt);
	}
	for (k = 0; k < rt->cfg->n_ports; k++)
		rt->ports.port[k].timestamps = rt->opts.ordered;
	if (port_start(&rt->ports, rt->cfg, rt->pools, rt->disp_pool, err, sizeof err) < 0) {
		rt_error("%s", err);
		return -1;
	}
	if (rt->opts.ordered)
		rt_order_setup(rt);
	if (rt->mode == RT_LOCKS) {
		rt->lock = rwlock_new(rt->workers);
		if (!rt->lock) {
			rt_error("out of memory");
			return -1;
		}
		/* One state for all, built before any worker runs. */
		rt->env_used = 1;
		rt->state = rt_instance(rt, &rt->env, 1);
		if (!rt->state) {
			rt_error("nf_init: %s", rt->env.error);
			return -1;
		}
		for (k = 0; k < rt->workers; k++)
			rt->w[k].state = rt->state;
	}
	return 0;
}

/* The workers' pools and the dispatcher's. */
static int
rt_watch_pools(struct rt *rt)
{
	struct rte_mempool *all[rt->workers + 1];

	memcpy(all, rt->pools, rt->workers * sizeof *all);
	all[rt->workers] = rt->disp_pool;
	return stats_mbufs_watch(rt->stats, all, rt->workers + 1);
}

/* Launches the workers and opens the barrier once every init succeeded. */
static int
rt_launch(struct rt *rt)
{
	unsigned k;
	int rc;

	for (k = 0; k < rt->workers; k++) {
		rc = rte_eal_remote_launch(rt_worker_main, &rt->w[k], rt->w[k].lcore);
		if (rc < 0) {
			rt_error("launching worker %u on lcore %u: %s", k, rt->w[k].lcore,
			    rte_strerror(-rc));
			break;
		}
		rt->launched++;
	}
	rt_wait_count(&rt->inited, rt->launched);
	rc = rt->launched == rt->workers ? 0 : -1;
	for (k = 0; k < rt->launched; k++) {
		if (rt->w[k].failed) {
			rt_error("nf_init on worker %u (lcore %u): %s", k, rt->w[k].lcore,
			    rt->w[k].env.error);
			rc = -1;
		}
	}
	if (rc < 0) {
		__atomic_store_n(&rt->go, -1, __ATOMIC_RELEASE);
		return -1;
	}
	/* Everything is set up and no packet has moved: the pools' baseline. */
	if (rt_watch_pools(rt) < 0)
		printf("baton: warning: out of memory: mbufs are not watched for leaks\n");
	rt->tsc0 = rte_rdtsc();
	rt->ns_mult = (uint64_t)(((unsigned __int128)1000000000u << 32) / rte_get_tsc_hz());
	stats_start(rt->stats, rt->tsc0);
	__atomic_store_n(&rt->go, 1, __ATOMIC_RELEASE);
	if (rt->disp) {
		rc = rte_eal_remote_launch(disp_main, rt->disp, rt->disp_lcore);
		if (rc < 0) {
			rt_error("launching the dispatcher on lcore %u: %s", rt->disp_lcore,
			    rte_strerror(-rc));
			/* disp_launched stays 0, so the workers do not wait for its rings. */
			return -1;
		}
		rt->disp_launched = 1;
	}
	rt_wait_count(&rt->started, rt->workers);
	rt_print_ready(rt);
	return 0;
}

/* Sleeps between looks at the clock until the duration or a signal. */
static void
rt_control(struct rt *rt)
{
	uint64_t hz = rte_get_tsc_hz(), now, wake, interval = 0, next = UINT64_MAX;
	uint64_t end = UINT64_MAX;
	long ns;

	if (rt->opts.stats_s > 0) {
		interval = (uint64_t)(rt->opts.stats_s * (double)hz);
		if (!interval)
			interval = 1;
		next = rt->tsc0 + interval;
	}
	if (rt->opts.duration_s > 0)
		end = rt->tsc0 + (uint64_t)(rt->opts.duration_s * (double)hz);
	for (;;) {
		now = rte_rdtsc();
		if (rt_signal || now >= end)
			break;
		if (now >= next) {
			stats_print_json(rt->stats, "stats", stdout);
			next += interval;
			if (next <= now)
				next = now + interval;
		}
		wake = RTE_MIN(next, end);
		ns = wake - now >= hz ? RT_SLEEP_NS
		    : (long)((double)(wake - now) * 1e9 / (double)hz) + 1;
		rt_nap(RTE_MIN(ns, RT_SLEEP_NS));
	}
	if (rt_signal)
		printf("baton: %s: stopping\n", rt_signal == SIGINT ? "SIGINT" : "SIGTERM");
}

/* Stops everything launched and waits for it, sleeping. */
static void
rt_stop(struct rt *rt)
{
	__atomic_store_n(&rt->stop, 1, __ATOMIC_RELEASE);
	disp_stop(rt->disp);
	rt_wait_count(&rt->finished, rt->launched);
	if (rt->disp_launched)
		while (!disp_done(rt->disp))
			rt_nap(1000000L);
	/* Everyone has left its loop, so this wait is short. */
	rte_eal_mp_wait_lcore();
	if (rt->stats && rt->stats->tsc0)
		stats_end(rt->stats);
}

/* After rt_stop: stops the ports, frees what the runtime still holds (the dispatch rings'
** packets; bursts in hand were all sent or freed by the workers) and counts the free mbufs,
** then closes the ports (a PMD may keep mbufs until then: net_pcap's looped trace) and counts
** again. */
static void
rt_settle(struct rt *rt)
{
	unsigned i;
	int rc;

	for (i = 0; i < rt->ports.n; i++) {
		struct port *p = &rt->ports.port[i];

		if (!p->started)
			continue;
		rc = rte_eth_dev_stop(p->id);
		if (rc < 0)
			printf("baton: warning: port %u (%s): stop: %s\n", i, p->dev,
			    rte_strerror(-rc));
		p->started = 0;
	}
	disp_free(rt->disp);
	rt->disp = NULL;
	stats_mbufs_stopped(rt->stats);
	port_close(&rt->ports);
	rt->ports_closed = 1;
	stats_mbufs_closed(rt->stats);
}

static void
rt_release(struct rt *rt)
{
	unsigned k;

	if (!rt->ports_closed)
		port_close(&rt->ports);
	disp_free(rt->disp);
	rt->disp = NULL;
	for (k = 0; rt->w && k < rt->workers; k++) {
		synth_free(rt->w[k].synth);
		if (rt->mode != RT_LOCKS)
			nf_env_release(&rt->w[k].env);
	}
	for (k = 0; rt->pools && k < rt->workers; k++)
		rte_mempool_free(rt->pools[k]);
	rte_mempool_free(rt->disp_pool);
	if (rt->env_used)
		nf_env_release(&rt->env);
	rwlock_free(rt->lock);
	free(rt->pools);
	free(rt->w);
}

/* From the start of main: a stop asked for during EAL init or setup is seen once the workers
** run, so even an early Ctrl-C ends with totals and closed ports (and flushed tx pcaps). A
** background process a shell started has SIGINT ignored; this undoes that too. */
static void
rt_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = rt_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A reader that went away must not kill the run before it closes its ports. */
	signal(SIGPIPE, SIG_IGN);
}

static int
rt_run(struct rt *rt)
{
	int rc = 0;

	if (rt_setup(rt) < 0)
		return -1;
	printf("baton: %s %s: %u worker%s on lcore%s", rt->cfg->nf, rt->cfg->mode, rt->workers,
	    rt->workers == 1 ? "" : "s", rt->workers == 1 ? "" : "s");
	for (unsigned k = 0; k < rt->workers; k++)
		printf("%s%u", k ? "," : " ", rt->w[k].lcore);
	if (rt->disp)
		printf(", dispatcher on lcore %u", rt->disp_lcore);
	printf("; main lcore %u controls\n", rte_get_main_lcore());
	if (rt_launch(rt) < 0) {
		rt_stop(rt);
		/* The pools may be watched already (a dispatcher that did not launch). */
		rt_settle(rt);
		return -1;
	}
	rt_control(rt);
	rt_stop(rt);
	rt_settle(rt);
	stats_print_json(rt->stats, "totals", stdout);
	if (stats_print_summary(rt->stats, stdout) < 0) {
		if (stats_mbufs_leaked(rt->stats))
			rt_error("%" PRIu64 " mbufs did not come back to their pools: a leak",
			    stats_mbufs_leaked(rt->stats));
		else
			rt_error("the counters do not add up: a runtime bug");
		rc = -1;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	struct rt_opts opts;
	struct rt *rt;
	int rc;

	/* baton reads these lines through a pipe as they come. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Before EAL, so --help and mistakes cost no EAL start. */
	rc = rt_parse(argc, argv, &opts);
	if (rc)
		return rc > 0 ? 0 : 2;
	rt = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sizeof *rt, RTE_CACHE_LINE_SIZE));
	if (!rt) {
		rt_error("out of memory");
		return 1;
	}
	memset(rt, 0, sizeof *rt);
	rt->cfg = &rt_config;
	rt->opts = opts;
	rt_catch_signals();
	if (rte_eal_init(argc, argv) < 0) {
		rt_error("EAL init failed: %s", rte_strerror(rte_errno));
		free(rt);
		return 1;
	}
	rc = rt_run(rt);
	rt_release(rt);
	rte_eal_cleanup();
	stats_free(rt->stats);
	free(rt);
	return rc < 0 ? 1 : 0;
}
