#ifndef ENGINE_CHECK_H
#define ENGINE_CHECK_H
/*
** Checking a sharding on a trace (DESIGN.md section 6): every packet gets its port (portmap.h)
** and its RSS core exactly as the NIC computes it (key, field set, RETA), then runs through two
** instances of the traced build of the NF: one sequential, and the instance of its core (one
** per core, capacity share 1/N). From what the sequential instance's state library reports,
** every state entry's lifetime (creation to removal or expiry) must be touched from one core
** only; the two runs' verdicts and output bytes are compared packet by packet; packets and
** flows are counted per core. Never prints.
**
** RSS as the NIC does it: IPv4 TCP and UDP packets that are not fragments are hashed on the
** port's field set when it names their class; other IPv4 packets (ICMP, fragments) on the
** set's addresses when it hashes every IPv4 packet ("ipv4"); everything else (IPv6, ARP, a
** class the set leaves out) is not hashed: hash 0, so RETA entry 0's core, as Intel NICs do.
*/

#include <stdbool.h>
#include <stdint.h>

#include "engine/err.h"
#include "engine/flow.h"
#include "engine/nfload.h"
#include "engine/portmap.h"
#include "engine/progress.h"
#include "engine/rss.h"
#include "engine/sbuf.h"
#include "engine/val.h"

#define CHECK_EXAMPLES	5	/* examples kept of each kind */
#define CHECK_HEAVY	8	/* largest flows kept */
#define CHECK_KEY_MAX	22	/* key bytes kept of a state entry (longer: a prefix and a hash) */

/* Packet fields a byte difference can fall in (check_diff.fields). */
enum check_field {
	CHECK_F_ETH_DST, CHECK_F_ETH_SRC, CHECK_F_ETH_TYPE, CHECK_F_IP_SRC, CHECK_F_IP_DST,
	CHECK_F_IP_CSUM, CHECK_F_IP_OTHER, CHECK_F_SPORT, CHECK_F_DPORT, CHECK_F_L4_CSUM,
	CHECK_F_L4_OTHER, CHECK_F_PAYLOAD, CHECK_F_COUNT
};

struct check_opts {
	const struct portmap *pm;
	const struct rss_config *rss;	/* ports named as the NF's; cores from it */
	bool analyzed;			/* an analysis gave the verdict below */
	bool locks;			/* it says locks: report what a naive sharding breaks */
	const char *locks_why;		/* its first blocking reason (may be NULL) */
	const char *gen;		/* "bidir,flows=10000": check a generated trace, no file */
	const char *out_prefix;		/* writes PREFIX-coreK-PORT.pcap: what each core's
					** instance sent to each port (floods to every port but
					** the input), as a parallel build's queues would */
};

/* One packet of an example. */
struct check_pkt {
	uint64_t index;		/* 1-based packet number in the trace */
	uint16_t port, core;
	struct flow_key key;	/* as it arrived */
	bool known;		/* filled (the owner packet of a violation is looked up after) */
};

/* A state entry touched from a second core during one lifetime. */
struct check_violation {
	char object[NF_NAME_MAX];
	uint8_t key[CHECK_KEY_MAX];
	uint8_t key_len;		/* bytes in key (a longer key is cut) */
	bool key_cut;
	enum nf_op op;			/* what the second core did */
	struct check_pkt owner;		/* the packet that began the lifetime */
	struct check_pkt other;		/* the packet from the other core */
};

/* A packet that came out differently. */
struct check_diff {
	struct check_pkt pkt;
	int seq, sharded;	/* verdicts: a port, NF_DROP or NF_FLOOD */
	uint32_t fields;	/* byte differences: 1 << enum check_field for each field */
	bool rewritten;		/* both runs rewrote every differing byte (allocated values) */
};

struct check_object {
	char name[NF_NAME_MAX];
	bool written;		/* written while packets ran (else replicated, not judged) */
	uint64_t lifetimes;	/* entries created (lifetimes begun) */
	uint64_t violations;	/* of them, touched from a second core */
};

struct check_flow {
	struct flow_key key;
	uint16_t port, core;
	uint64_t packets;
};

struct check_result {
	char pcap[4096];
	char gen[256];
	char nf[NF_NAME_MAX];
	unsigned nports;
	char ports[NF_MAX_PORTS][NF_NAME_MAX];
	struct portmap pm;
	struct rss_config *rss;		/* a copy of the configuration used */
	unsigned cores;
	bool analyzed, locks;
	char locks_why[512];

	uint64_t packets, bytes;
	uint64_t oversize;		/* frames over 65535 bytes, skipped */
	uint64_t non_ipv4;		/* --lan: no IPv4 source, on the other port */
	uint64_t not_hashed;		/* RSS hash 0: RETA entry 0 */
	uint64_t *core_packets, *core_flows, *core_refused;	/* by core */
	uint64_t seq_refused;		/* allocations the sequential instance refused (full) */
	uint64_t *buckets[RSS_MAX_PORTS];	/* by config port: packets per RETA index */
	uint64_t flows;
	double imbalance, flow_imbalance;	/* max / mean per core */
	unsigned n_heavy;
	struct check_flow heavy[CHECK_HEAVY];	/* largest flows, largest first */
	uint64_t heavy_over;		/* flows above a core's fair share */

	unsigned n_objects;
	struct check_object objects[64];
	uint64_t violations;		/* entry lifetimes touched from two cores */
	uint64_t violating_packets;
	uint64_t benign;		/* wrong-core lookups that came out the same (a miss-like hit) */
	unsigned n_vex;
	struct check_violation vex[CHECK_EXAMPLES];

	uint64_t verdict_diffs, capacity_diffs, byte_diffs, rewrite_diffs;
	uint32_t diff_fields;		/* every field some byte difference fell in */
	unsigned n_dex, n_cex, n_bex;
	struct check_diff dex[CHECK_EXAMPLES], cex[CHECK_EXAMPLES], bex[CHECK_EXAMPLES];

	double seconds;
	bool stopped, truncated, crashed;
};

/* Checks the trace at 'pcap' (or o->gen, a generated one) for 'nf' (its current configuration)
** with o->rss. Returns 0; -EINTR when stopped (*r holds what was seen), -EIO when the trace
** broke midway (*r too), other negative codes with nothing checked. Free *r with
** check_release whatever the result. */
int check_run(struct nfload *nf, const char *pcap, const struct check_opts *o,
	      const struct progress *p, struct check_result *r, struct err *e);
void check_release(struct check_result *r);

/* Packets per RETA index of each port for a trace, RSS only (rss balance): loads[p] gets
** c->reta_size counts (malloc'ed; free each). Returns the packets read, or a negative code. */
int64_t check_loads(const char *pcap, const char *gen, const struct portmap *pm,
		    const struct rss_config *c, unsigned nports, const char *const *ports,
		    const struct progress *p, uint64_t *loads[RSS_MAX_PORTS], struct err *e);

/* Where a generated trace goes: "bidir,flows=10000,seed=2" parsed as pcap gen's options into a
** temporary file; *path is malloc'ed, the caller unlinks and frees it. */
int check_gen_file(const char *spec, const struct progress *p, char **path, struct err *e);

/* RSS exactly as the NIC: the core of a frame arriving on config port 'cp'; *index gets the
** RETA index, *hashed whether the field set hashed it. 'fi' is flow_parse's result. */
unsigned check_rss_core(const struct rss_config *c, unsigned cp, const struct flow_info *fi,
			unsigned *index, bool *hashed);

/* Makes 'c' a configuration for 'cores' cores: its RETA becomes round robin over them (key and
** field sets kept). Nothing changes when it has that many already, or on error (a RETA
** smaller than 'cores'). */
int check_config_cores(struct rss_config *c, unsigned cores, struct err *e);

const char *check_field_name(enum check_field f);

/* DESIGN.md section 9: packets, cores, per_core {packets, flows}, imbalance, violations
** {count, examples}, verdict_diffs, byte_diffs, seconds, and the rest. */
struct val *check_to_val(const struct check_result *r);
void check_format(const struct check_result *r, struct sbuf *out);

#endif
