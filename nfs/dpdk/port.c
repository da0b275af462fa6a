/*
** Ports: probing, the steering decision, pools, configuration and teardown.
*/

#include "port.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_mbuf.h>

#define PORT_DESC	1024	/* rx and tx descriptors per queue, as Maestro's boilerplate */
#define PORT_CACHE	256	/* mempool per-lcore cache */

static int
port_fail(char *err, size_t err_len, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
port_fail(char *err, size_t err_len, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return rc;
}

/* Whether the NIC can do the configured RSS itself: every hash flag, the key's length, a
** RETA the configured one tiles (the NIC indexes it with the hash's low bits, and hash mod R
** equals (hash mod D) mod R when R divides D), and a queue per worker. */
static int
rss_capable(const struct rte_eth_dev_info *info, const struct rt_port_config *pc,
    unsigned reta_size, unsigned workers)
{
	return (info->flow_type_rss_offloads & pc->rss_hf) == pc->rss_hf &&
	    info->hash_key_size == pc->key_len && info->reta_size > 0 &&
	    reta_size > 0 && info->reta_size % reta_size == 0 &&
	    info->max_rx_queues >= workers;
}

/* Decides one port's steering and says it. */
static void
decide(struct port *p, const struct rte_eth_dev_info *info, const struct rt_config *cfg,
    unsigned i, unsigned workers, int presharded)
{
	const struct rt_port_config *pc = &cfg->port[i];
	const char *fields = pc->fields && *pc->fields ? pc->fields : "?";

	printf("baton: port %u %s (%s): ", i, pc->name, p->dev);
	if (workers == 1) {
		p->steer = PORT_STEER_ONE;
		p->n_rxq = p->n_txq = 1;
		printf("one worker, no RSS needed (1 rx and 1 tx queue)\n");
	} else if (rss_capable(info, pc, cfg->reta_size, workers)) {
		p->steer = PORT_STEER_RSS;
		p->n_rxq = p->n_txq = (uint16_t)workers;
		p->dev_reta_size = info->reta_size;
		printf("RSS programmed (key %u bytes, hf 0x%" PRIx64 " %s, RETA %u", pc->key_len,
		    pc->rss_hf, fields, info->reta_size);
		if (info->reta_size != cfg->reta_size)
			printf(" = %u x %u", cfg->reta_size, info->reta_size / cfg->reta_size);
		printf("; %u queues)\n", workers);
	} else if (strcmp(p->driver, "net_null") == 0) {
		p->steer = PORT_STEER_NULL;
		p->n_rxq = p->n_txq = (uint16_t)workers;
		printf("net_null makes the packets of each queue itself, so there is nothing to "
		    "steer (%u queues used as they are)\n", workers);
	} else if (presharded && info->max_rx_queues >= workers) {
		p->steer = PORT_STEER_PRESHARDED;
		p->n_rxq = p->n_txq = (uint16_t)workers;
		printf("RSS emulated: queues read traffic pre-sharded by baton with the same "
		    "Toeplitz key and RETA (%u rx queues", workers);
		if (info->max_rx_queues > workers)
			printf("; %u more left unread", info->max_rx_queues - workers);
		printf(")\n");
	} else {
		p->steer = PORT_STEER_DISPATCH;
		p->n_rxq = 1;
		p->n_txq = (uint16_t)workers;
		printf("RSS emulated by a dispatcher lcore (%s has no %sRSS: offloads 0x%" PRIx64
		    ", RETA %u, key size %u; wanted hf 0x%" PRIx64 " %s, key %u bytes, RETA %u)\n",
		    p->dev, info->flow_type_rss_offloads ? "usable " : "",
		    info->flow_type_rss_offloads, info->reta_size, info->hash_key_size,
		    pc->rss_hf, fields, pc->key_len, cfg->reta_size);
	}
	/* DPDK cannot name every field set; the engine emits rss_hf 0 for those. */
	if (!pc->rss_hf && (p->steer == PORT_STEER_RSS || p->steer == PORT_STEER_DISPATCH))
		printf("baton: port %u %s: warning: no RTE_ETH_RSS_* flags for this field set, so "
		    "every packet hashes to 0 and goes to worker %u\n", i, pc->name, pc->reta[0]);
}

int
port_probe(struct port_set *ps, const struct rt_config *cfg, unsigned workers,
    int presharded, char *err, size_t err_len)
{
	struct rte_eth_dev_info info;
	unsigned avail = rte_eth_dev_count_avail(), i = 0;
	uint16_t id;
	struct port *p;
	int rc;

	memset(ps, 0, sizeof *ps);
	ps->workers = workers;
	if (avail != cfg->n_ports)
		return port_fail(err, err_len, -EINVAL, "%s has %u port%s but %u ethdev port%s "
		    "%s given: pass one --vdev (or device) per NF port, in the NF's port order",
		    cfg->nf, cfg->n_ports, cfg->n_ports == 1 ? "" : "s", avail,
		    avail == 1 ? "" : "s", avail == 1 ? "was" : "were");
	RTE_ETH_FOREACH_DEV(id) {
		if (i >= cfg->n_ports)
			break;
		p = &ps->port[i];
		p->id = id;
		rc = rte_eth_dev_info_get(id, &info);
		if (rc < 0)
			return port_fail(err, err_len, rc, "port %u: rte_eth_dev_info_get: %s", i,
			    rte_strerror(-rc));
		if (rte_eth_dev_get_name_by_port(id, p->dev) < 0)
			snprintf(p->dev, sizeof p->dev, "port%u", id);
		snprintf(p->driver, sizeof p->driver, "%s", info.driver_name);
		decide(p, &info, cfg, i, workers, presharded);
		if (info.max_rx_queues < p->n_rxq || info.max_rx_queues == 0)
			return port_fail(err, err_len, -EINVAL, "port %u %s (%s): %u rx queue%s "
			    "needed, the port has %u%s", i, cfg->port[i].name, p->dev, p->n_rxq,
			    p->n_rxq == 1 ? "" : "s", info.max_rx_queues,
			    strcmp(p->driver, "net_pcap") == 0 ? " (net_pcap: give rx_pcap=)" : "");
		if (info.max_tx_queues < p->n_txq)
			return port_fail(err, err_len, -EINVAL, "port %u %s (%s): %u worker%s need "
			    "%u tx queue%s, the port has %u%s", i, cfg->port[i].name, p->dev,
			    workers, workers == 1 ? "" : "s", p->n_txq, p->n_txq == 1 ? "" : "s",
			    info.max_tx_queues, strcmp(p->driver, "net_pcap") == 0
			    ? " (net_pcap: give one tx_pcap= per worker)" : "");
		p->nb_rxd = PORT_DESC;
		p->nb_txd = PORT_DESC;
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(id, &p->nb_rxd, &p->nb_txd);
		if (rc < 0)
			return port_fail(err, err_len, rc, "port %u (%s): descriptor limits: %s", i,
			    p->dev, rte_strerror(-rc));
		if (p->steer == PORT_STEER_DISPATCH)
			ps->n_dispatch++;
		i++;
	}
	ps->n = i;
	fflush(stdout);
	return 0;
}

unsigned
port_worker_mbufs(const struct port_set *ps)
{
	unsigned n = 0, i;

	for (i = 0; i < ps->n; i++) {
		if (ps->port[i].steer != PORT_STEER_DISPATCH)
			n += ps->port[i].nb_rxd;
		n += ps->port[i].nb_txd;
	}
	/* A burst in hand per port, its flood copies, and the caches of two lcores. */
	return n + RT_BURST * (2 * ps->n + 2) + 2 * PORT_CACHE;
}

unsigned
port_disp_mbufs(const struct port_set *ps, unsigned ring_size)
{
	unsigned n = 0, txd = 0, i;

	for (i = 0; i < ps->n; i++) {
		txd += ps->port[i].nb_txd;
		if (ps->port[i].steer == PORT_STEER_DISPATCH)
			n += ps->port[i].nb_rxd + ps->workers * ring_size;
	}
	/* Dispatched mbufs may sit in any worker's tx queues, and every lcore may cache some. */
	return n + ps->workers * txd + RT_BURST * (ps->workers + 2) * 2 +
	    (ps->workers + 2) * PORT_CACHE;
}

struct rte_mempool *
port_pool_new(const char *name, unsigned n, int socket, char *err, size_t err_len)
{
	struct rte_mempool *mp;

	mp = rte_pktmbuf_pool_create(name, n, PORT_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	if (!mp)
		port_fail(err, err_len, 0, "mbuf pool %s (%u mbufs of %u bytes): %s; give EAL "
		    "more memory (-m)", name, n, RTE_MBUF_DEFAULT_BUF_SIZE, rte_strerror(rte_errno));
	return mp;
}

/* Writes the configured RETA tiled over the NIC's, and reads it back. */
static int
program_reta(const struct port *p, unsigned i, const struct rt_config *cfg, char *err,
    size_t err_len)
{
	const uint16_t *reta = cfg->port[i].reta;
	unsigned size = p->dev_reta_size, groups, e;
	struct rte_eth_rss_reta_entry64 *conf;
	int rc;

	groups = (size + RTE_ETH_RETA_GROUP_SIZE - 1) / RTE_ETH_RETA_GROUP_SIZE;
	conf = calloc(groups, sizeof *conf);
	if (!conf)
		return port_fail(err, err_len, -ENOMEM, "out of memory");
	for (e = 0; e < size; e++) {
		conf[e / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ULL << (e % RTE_ETH_RETA_GROUP_SIZE);
		conf[e / RTE_ETH_RETA_GROUP_SIZE].reta[e % RTE_ETH_RETA_GROUP_SIZE] =
		    reta[e % cfg->reta_size];
	}
	rc = rte_eth_dev_rss_reta_update(p->id, conf, (uint16_t)size);
	if (rc < 0) {
		free(conf);
		return port_fail(err, err_len, rc, "port %u %s (%s): RETA update: %s", i,
		    cfg->port[i].name, p->dev, rte_strerror(-rc));
	}
	free(conf);
	return 0;
}

/* Configures, sets up and starts one port. */
static int
start_one(struct port *p, unsigned i, const struct rt_config *cfg,
    struct rte_mempool *const *pools, struct rte_mempool *disp_pool, char *err,
    size_t err_len)
{
	const struct rt_port_config *pc = &cfg->port[i];
	struct rte_eth_conf conf;
	uint8_t key[RT_KEY_MAX];
	int socket = rte_eth_dev_socket_id(p->id), rc;
	uint16_t q;

	memset(&conf, 0, sizeof conf);
	if (p->steer == PORT_STEER_RSS) {
		/* rss_key is not const in DPDK's struct. */
		memcpy(key, pc->key, sizeof key);
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = key;
		conf.rx_adv_conf.rss_conf.rss_key_len = (uint8_t)pc->key_len;
		conf.rx_adv_conf.rss_conf.rss_hf = pc->rss_hf;
	}
	if (p->timestamps) {
		struct rte_eth_dev_info info;
		/* net_pcap stamps without offering the offload; rt checks the stamps. */
		if (rte_eth_dev_info_get(p->id, &info) == 0 &&
		    (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP))
			conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
	}
	rc = rte_eth_dev_configure(p->id, p->n_rxq, p->n_txq, &conf);
	if (rc < 0)
		return port_fail(err, err_len, rc, "port %u %s (%s): configure %u rx / %u tx "
		    "queues: %s", i, pc->name, p->dev, p->n_rxq, p->n_txq, rte_strerror(-rc));
	p->configured = 1;
	if (socket < 0)
		socket = (int)SOCKET_ID_ANY;
	for (q = 0; q < p->n_rxq; q++) {
		rc = rte_eth_rx_queue_setup(p->id, q, p->nb_rxd, (unsigned)socket, NULL,
		    p->steer == PORT_STEER_DISPATCH ? disp_pool : pools[q]);
		if (rc < 0)
			return port_fail(err, err_len, rc, "port %u %s (%s): rx queue %u: %s", i,
			    pc->name, p->dev, q, rte_strerror(-rc));
	}
	for (q = 0; q < p->n_txq; q++) {
		rc = rte_eth_tx_queue_setup(p->id, q, p->nb_txd, (unsigned)socket, NULL);
		if (rc < 0)
			return port_fail(err, err_len, rc, "port %u %s (%s): tx queue %u: %s", i,
			    pc->name, p->dev, q, rte_strerror(-rc));
	}
	rc = rte_eth_dev_start(p->id);
	if (rc < 0)
		return port_fail(err, err_len, rc, "port %u %s (%s): start: %s", i, pc->name,
		    p->dev, rte_strerror(-rc));
	p->started = 1;
	if (p->steer == PORT_STEER_RSS) {
		rc = program_reta(p, i, cfg, err, err_len);
		if (rc < 0)
			return rc;
	}
	/* Virtual devices often have no such mode; that is no reason to stop. */
	rc = rte_eth_promiscuous_enable(p->id);
	if (rc < 0 && rc != -ENOTSUP)
		return port_fail(err, err_len, rc, "port %u %s (%s): promiscuous mode: %s", i,
		    pc->name, p->dev, rte_strerror(-rc));
	return 0;
}

int
port_start(struct port_set *ps, const struct rt_config *cfg,
    struct rte_mempool *const *pools, struct rte_mempool *disp_pool, char *err,
    size_t err_len)
{
	unsigned i;
	int rc;

	for (i = 0; i < ps->n; i++) {
		rc = start_one(&ps->port[i], i, cfg, pools, disp_pool, err, err_len);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void
port_close(struct port_set *ps)
{
	struct port *p;
	unsigned i;

	for (i = 0; i < ps->n; i++) {
		p = &ps->port[i];
		if (p->started)
			rte_eth_dev_stop(p->id);
		rte_eth_dev_close(p->id);
		p->started = p->configured = 0;
	}
}
