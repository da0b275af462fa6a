#ifndef NFS_DPDK_RT_H
#define NFS_DPDK_RT_H
/*
** rt: the DPDK runtime every emitted parallel build links (DESIGN.md section 7): main, the
** command line, the three modes (seq, sn, locks), the worker loops and the totals. The
** build's generated config.c includes this header and defines rt_config; the NF itself is
** linked in through nf.h (nf_init, nf_process, nf_descriptor).
**
** Command line: BUILD [EAL args] -- [--stats-json S] [--duration S] [--presharded]
** [--synth FLOWS] [--help]. Human lines on stdout start with "baton: ", machine lines are one
** JSON object each starting with {"event":; errors go to stderr as "baton: error: ...".
*/

#include <stdint.h>

#include "nf.h"

#define RT_KEY_MAX	52	/* the longest Toeplitz key of a NIC profile (i40e, ice) */
#define RT_BURST	32	/* packets per rx_burst, as DPDK's examples and Maestro */

/* One NF port as the engine configured it. */
struct rt_port_config {
	const char *name;		/* the NF's port name, "lan" */
	uint8_t key[RT_KEY_MAX];	/* Toeplitz key */
	unsigned key_len;		/* 40 or 52 */
	uint64_t rss_hf;		/* RTE_ETH_RSS_* flags of the field set */
	const char *fields;		/* the field set as testpmd spells it, for messages */
	const uint16_t *reta;		/* reta_size worker numbers 0..cores-1 */
};

/* What the engine's emit step decided; generated into config.c. */
struct rt_config {
	const char *nf;			/* "fw" */
	const char *mode;		/* "seq", "sn" or "locks" */
	unsigned cores;			/* worker lcores */
	int forced;			/* sn emitted against a locks verdict (--force) */
	unsigned reta_size;		/* entries in each port's reta */
	unsigned n_ports;		/* = the NF's descriptor port count */
	struct rt_port_config port[NF_MAX_PORTS];
	unsigned n_config;		/* NF configuration, key=value */
	const char *const *config_keys;
	const char *const *config_values;
};

extern const struct rt_config rt_config;

#endif
