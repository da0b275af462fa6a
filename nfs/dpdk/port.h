#ifndef NFS_DPDK_PORT_H
#define NFS_DPDK_PORT_H
/*
** port: the ethdev ports of a run. Finds exactly one DPDK port per NF port (in rte_eth order),
** decides how each one's traffic reaches the workers (the NIC's RSS programmed with the
** configured key and RETA, queues used as they are, or a software dispatcher), says so on
** stdout, sizes the mbuf pools, then configures, starts and at the end closes the ports.
** Not for the data path: workers call rte_eth_rx_burst/tx_burst themselves.
*/

#include <stddef.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "nf.h"
#include "rt.h"

/* How a port's traffic is split among the workers. */
enum port_steer {
	PORT_STEER_ONE,		/* one worker: one rx and one tx queue, nothing to split */
	PORT_STEER_RSS,		/* the NIC hashes: RSS programmed with the key and RETA */
	PORT_STEER_NULL,	/* net_null: each queue makes its own packets */
	PORT_STEER_PRESHARDED,	/* each rx queue holds traffic baton split beforehand */
	PORT_STEER_DISPATCH,	/* one rx queue read by a dispatcher lcore (disp.h) */
};

struct port {
	uint16_t id;			/* the ethdev port */
	char dev[RTE_ETH_NAME_MAX_LEN];	/* "net_pcap0" */
	char driver[32];		/* "net_pcap" */
	enum port_steer steer;
	uint16_t n_rxq, n_txq;		/* queues configured */
	uint16_t nb_rxd, nb_txd;	/* descriptors per queue */
	uint16_t dev_reta_size;		/* the NIC's RETA (PORT_STEER_RSS) */
	int timestamps;			/* rx timestamps wanted (rt checks they come) */
	int configured, started;
};

struct port_set {
	unsigned n;			/* = rt_config.n_ports */
	unsigned workers;
	unsigned n_dispatch;		/* ports with PORT_STEER_DISPATCH */
	struct port port[NF_MAX_PORTS];
};

/* Finds and queries the ports for 'workers' workers and decides their steering (RSS when the
** port can do what 'cfg' asks, net_null as it is, pre-sharded queues when 'presharded', else
** the dispatcher), printing one "baton: port ..." line each. 0, or -EINVAL with the reason in
** 'err' (a wrong number of ports, too few queues). */
int port_probe(struct port_set *ps, const struct rt_config *cfg, unsigned workers,
    int presharded, char *err, size_t err_len);

/* Mbufs a worker's pool needs (its rx queues, its tx queue on every port, bursts in flight,
** flood copies), and the dispatcher's pool with 'ring_size' entries per (port, worker) ring. */
unsigned port_worker_mbufs(const struct port_set *ps);
unsigned port_disp_mbufs(const struct port_set *ps, unsigned ring_size);

/* An mbuf pool of 'n' mbufs on 'socket'; NULL with the reason in 'err'. */
struct rte_mempool *port_pool_new(const char *name, unsigned n, int socket, char *err,
    size_t err_len);

/* Configures every port (RSS when chosen), sets up rx queue q with pools[q] (the dispatched
** ports' one queue with 'disp_pool'), tx queues, starts the ports, programs the RETAs (the
** configured one tiled over the NIC's) and enables promiscuous mode where it exists. 0, or a
** negative errno with the reason in 'err'. */
int port_start(struct port_set *ps, const struct rt_config *cfg,
    struct rte_mempool *const *pools, struct rte_mempool *disp_pool, char *err,
    size_t err_len);

/* Stops and closes every port configured (net_pcap writes its tx files out only then). */
void port_close(struct port_set *ps);

#endif
