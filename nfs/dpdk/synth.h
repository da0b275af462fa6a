#ifndef NFS_DPDK_SYNTH_H
#define NFS_DPDK_SYNTH_H
/*
** synth: synthetic traffic for benchmarks on net_null, whose packets are all zero bytes.
** Before the NF sees a packet, its first 64 bytes become a valid Ethernet/IPv4/UDP frame of one
** of FLOWS flows, cycled through in order: on port 0 the flow as a client sends it, on every
** other port the reply (addresses and ports swapped). Each worker has its own flows (source
** 10.<worker>.x.y), so sharded NFs stay consistent whatever queue a packet came from, and
** after the first FLOWS packets stateful NFs such as fw see read-mostly traffic.
** Not a traffic generator: the frames are precomputed templates copied 64 bytes at a time.
*/

#include <stdint.h>

#include <rte_mbuf.h>

#define SYNTH_FRAME	64	/* bytes stamped: Ethernet + IPv4 + UDP + 22 bytes of payload */
#define SYNTH_MAX_FLOWS	65536

struct synth;

/* The templates of worker 'worker' (0..255) for 'flows' flows (1..SYNTH_MAX_FLOWS) on
** 'n_ports' ports; NULL when out of memory or out of range. */
struct synth *synth_new(unsigned worker, unsigned flows, unsigned n_ports);
/* Frees 's' (NULL is fine). */
void synth_free(struct synth *s);

/* Stamps the next flows' frames on 'n' packets received on 'port'. A first segment shorter
** than 64 bytes is grown to 64 when it has the room, else left alone. */
void synth_stamp(struct synth *s, unsigned port, struct rte_mbuf **bufs, unsigned n);

#endif
