#ifndef NFS_DPDK_DISP_H
#define NFS_DPDK_DISP_H
/*
** disp: software RSS for ports whose NIC cannot hash (DESIGN.md section 7). One dispatcher
** lcore reads the single rx queue of every such port, computes the Toeplitz hash each packet
** would get from a NIC programmed with the port's key and field set, looks the worker up in
** the port's RETA and enqueues the packet on that worker's ring for the port (single producer,
** single consumer). Workers dequeue from their rings instead of calling rx_burst. A packet a
** full ring refuses is freed and counted as a dispatch drop: no worker ever received it.
*/

#include <stddef.h>
#include <stdint.h>

#include <rte_ring.h>

#include "nf.h"
#include "rt.h"
#include "stats.h"

struct disp;

/* A dispatcher for the NF ports i with dispatched[i] set, on ethdev ports port_id[i], for
** 'workers' workers with rings of 'ring_size' entries; it counts into 'ctr' (borrowed).
** NULL with the reason in 'err'. */
struct disp *disp_new(const struct rt_config *cfg, const uint16_t *port_id,
    const int *dispatched, unsigned workers, unsigned ring_size, struct stats_disp *ctr,
    char *err, size_t err_len);
/* Frees the rings, and the packets still in them (NULL is fine). Run after disp_main ended. */
void disp_free(struct disp *d);

/* Worker 'worker's ring for NF port 'port', or NULL when the port is not dispatched. */
struct rte_ring *disp_ring(const struct disp *d, unsigned port, unsigned worker);

/* The lcore function (rte_eal_remote_launch with the struct disp): dispatches until
** disp_stop, then marks itself done. */
int disp_main(void *arg);
void disp_stop(struct disp *d);
/* Nonzero once disp_main has returned from its loop: its rings get nothing more. */
int disp_done(const struct disp *d);

/* The Toeplitz hash a NIC with port configuration 'pc' gives this frame: IPv4 TCP and UDP
** (not fragments) on the field set's addresses and ports, other IPv4 on the addresses when
** rss_hf hashes such packets, anything else 0. Up to two VLAN tags are skipped. */
uint32_t disp_hash(const struct rt_port_config *pc, const uint8_t *frame, uint32_t len);

#endif
