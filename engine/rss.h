#ifndef ENGINE_RSS_H
#define ENGINE_RSS_H
/*
** RSS configurations for a sharded NF (DESIGN.md section 5): per port a Toeplitz key, a field
** set and a redirection table (RETA) of core numbers, on a NIC profile. Solves keys exactly:
** Toeplitz is linear over GF(2) in the key, so "packets p, q that the NF's constraint links
** reach the same RETA entry" is a set of linear equations on key bits (equal key windows for
** equated input bits, zero windows for bits the constraint leaves free), solved for all linked
** ports at once by Gaussian elimination. Only the RETA index bits (the hash's low log2(RETA)
** bits) must agree, and linked ports share one RETA. Keys are sampled from the solution space
** and the best by quality is kept.
**
** Quality is measured, never assumed: which fields' bits reach the RETA index and the rank of
** that map, the rank from each needed field's low-order bits alone (what real traffic, whose
** addresses share prefixes, varies), short key periods, and the load per core on uniform
** random tuples and on tuples from two /24 subnets. Checking a configuration is exact per
** constraint; a failure comes with a pair of concrete packets that share state but land on
** different cores. Never prints.
*/

#include <stdbool.h>
#include <stdint.h>

#include "engine/err.h"
#include "engine/fieldset.h"
#include "engine/nic.h"
#include "engine/sbuf.h"
#include "engine/shard.h"
#include "engine/toeplitz.h"
#include "engine/val.h"

#define RSS_MAX_PORTS 16
#define RSS_MAX_CORES 1024

/*---- What the NF needs: its ports and constraints ----*/

struct rss_cons {
	unsigned n_ports;
	char **ports;			/* names */
	uint32_t n;
	struct shard_constraint *k;	/* owned copies (pairs only; no sources) */
	char **text;			/* by constraint: as 'show constraints' writes it */
	bool locks;			/* the verdict is locks: nothing to satisfy */
};

/* From an analysis and its verdict (with a locks verdict: no constraint, 'locks' set). */
void rss_cons_from_shard(const struct analysis *a, const struct shard *sh, struct rss_cons *c);

/* From DESIGN.md section 9's fields, as nf:analyze() returns them or written by hand: ports
** (names) and constraints = {{ports = {a, b}, pairs = {{field_a, field_b}, ...}}, ...}; fields
** as 'show constraints --json' writes them ("ipv4.src", "ipv4.src/24", "l4.sport[1]&0x0f"). */
int rss_cons_from_val(const struct val *v, struct rss_cons *c, struct err *e);

/* No constraint, for 'n' ports (no NF analyzed). */
void rss_cons_none(struct rss_cons *c, unsigned n, const char *const *ports);

void rss_cons_release(struct rss_cons *c);

/*---- A configuration ----*/

struct rss_port {
	uint8_t key[TOEPLITZ_KEY_MAX];
	struct fieldset fs;
	uint16_t *reta;			/* reta_size core numbers */
	struct toeplitz_tab *tab;	/* for 'key' and fs's input length */
};

struct rss_config {
	const struct nic *nic;
	unsigned cores;
	unsigned key_len;
	unsigned reta_size;
	unsigned n_ports;
	char **ports;			/* names */
	struct rss_port port[RSS_MAX_PORTS];
	uint64_t seed;			/* the solver's */
};

/* A configuration for 'n' ports on 'nic' (NULL: software) with 'cores' cores (0: 4): the
** profile's default key size, a round-robin RETA of reta_size entries (0: the profile's
** default; the caller checks it against the profile), the Microsoft verification key (Intel's
** default; zero past its 40 bytes), the 4-tuple. */
struct rss_config *rss_config_new(const struct nic *nic, unsigned cores, unsigned reta_size,
				  unsigned n, const char *const *ports);
struct rss_config *rss_config_copy(const struct rss_config *c);
void rss_config_free(struct rss_config *c);

/* The port named (or numbered) 'name'; -1 with 'e' set when unknown. */
int rss_port_find(const struct rss_config *c, const char *name, struct err *e);

/* Changes of one port (port -1: every port). Each validates against the profile first and
** changes nothing on error. Keys: hex, colons allowed ("6d:5a:56:..." or "6d5a56..."); the
** length must be the profile's. RETA: core numbers separated by commas or blanks, either
** reta_size of them or a pattern repeated to fill it; "default" is round robin. */
int rss_set_key(struct rss_config *c, int port, const char *hex, struct err *e);
int rss_set_fields(struct rss_config *c, int port, const char *set, struct err *e);
int rss_set_reta(struct rss_config *c, int port, const char *list, struct err *e);

/* The hash of a TCP/UDP packet with this tuple arriving on 'port', its RETA index and core. */
struct rss_hit {
	uint32_t hash;
	unsigned index, core;
};
struct rss_hit rss_hash(const struct rss_config *c, unsigned port, uint32_t src, uint32_t dst,
			uint16_t sport, uint16_t dport);

/*---- Quality ----*/

struct rss_field_quality {
	bool hashed, needed;	/* needed: a constraint names it (any field when none does) */
	unsigned bits;		/* bits hashed (the field's width when hashed) */
	unsigned reaching;	/* of them, bits that reach the RETA index */
	unsigned low_rank;	/* rank of the RETA index over the field's 8 low-order bits
				** (addresses; within its needed bits) or 16 bits (ports) */
	unsigned low_want;	/* the most it can be: the lowest RETA bits it is measured on */
};

struct rss_port_quality {
	unsigned rank;		/* of the map from input bits to RETA index bits */
	struct rss_field_quality f[SHARD_NFIELDS];
	unsigned period;	/* the key repeats every 'period' bits over the bits used; 0: no
				** period up to 32 */
	bool zero_key;		/* every used key bit is 0: every packet hashes to 0 */
	bool full;		/* every needed field's low bits alone reach every RETA bit */
	double imbalance_uniform;	/* max / mean packets per core, uniform random tuples */
	double imbalance_subnet;	/* the same for 10.0.0.0/24 <-> 192.168.0.0/24 */
	unsigned cores_hit_subnet;	/* cores that get any of those */
};

struct rss_quality {
	unsigned reta_bits;
	struct rss_port_quality port[RSS_MAX_PORTS];
	bool full;			/* every port full */
	double imbalance_uniform, imbalance_subnet;	/* the worst port's */
};

/* Measures 'c' for the NF's needs 'k' (may be NULL: every hashed field needed). */
void rss_quality(const struct rss_config *c, const struct rss_cons *k, struct rss_quality *q);

/*---- Checking ----*/

struct rss_packet {
	unsigned port;
	uint32_t src, dst;
	uint16_t sport, dport;
	unsigned core;
};

struct rss_verdict {
	bool same_index;	/* every linked pair gets the same RETA index (needs no RETA) */
	bool holds;		/* every linked pair gets the same core */
	bool has_example;
	struct rss_packet p, q;	/* when !holds: linked, different cores */
};

struct rss_check {
	bool satisfied;
	uint32_t n;
	struct rss_verdict *v;	/* by constraint */
};

/* Exact for RETAs of up to 4096 entries: enumerates the pairs of RETA indices linked packets
** can take. Past that (the software profile only) it samples 2^24 of them. */
void rss_check_run(const struct rss_config *c, const struct rss_cons *k, struct rss_check *out);
void rss_check_release(struct rss_check *out);

/*---- Solving ----*/

struct rss_solve_opts {
	const struct nic *nic;		/* NULL: software */
	unsigned cores;			/* 0: 4 */
	unsigned reta_size;		/* 0: the profile's default */
	bool fields_given;
	struct fieldset fs[RSS_MAX_PORTS];	/* by port, when fields_given */
	uint64_t seed;			/* 0: 1 */
	unsigned samples;		/* 0: 256 */
};

struct rss_solution {
	struct rss_config *cfg;		/* the best key found (NULL only on error) */
	struct rss_quality q;
	bool satisfiable;		/* some key spreads every port's packets over the RETA */
	char *why_not;			/* when not: which constraint forces a constant index */
	unsigned n_vars, n_equations, rank, free_bits;	/* free key bits that matter */
	unsigned samples;
	double seconds;
};

int rss_solve(const struct rss_cons *k, const struct rss_solve_opts *o, struct rss_solution *out,
	      struct err *e);
void rss_solution_release(struct rss_solution *s);

/* Every candidate field set the profile accepts (the same set on every port, and each port
** hashing exactly the fields it needs), solved and measured; the recommended one first
** explained. */
struct rss_candidate {
	char name[160];			/* "ipv4,l3-dst-only" or "lan=...; wan=..." */
	char letters[48];		/* "d" or "lan=dn wan=sf" */
	struct fieldset fs[RSS_MAX_PORTS];
	struct rss_solution sol;
};

struct rss_fieldsets {
	uint32_t n;
	struct rss_candidate *c;
	int recommended;		/* index, or -1 */
	int plain;			/* the 4-tuple's index, or -1 */
	char *why;			/* the recommendation explained */
};

int rss_fieldsets_run(const struct rss_cons *k, const struct rss_solve_opts *o,
		      struct rss_fieldsets *out, struct err *e);
void rss_fieldsets_release(struct rss_fieldsets *f);

/*---- Text and values ----*/

void rss_format_config(const struct rss_config *c, struct sbuf *out);
void rss_format_quality(const struct rss_config *c, const struct rss_quality *q,
			struct sbuf *out);
void rss_format_check(const struct rss_config *c, const struct rss_cons *k,
		      const struct rss_check *r, struct sbuf *out);
void rss_format_reta(const struct rss_config *c, struct sbuf *out);
void rss_format_fieldsets(const struct rss_cons *k, const struct rss_fieldsets *f,
			  struct sbuf *out);
void rss_format_nics(struct sbuf *out);
void rss_format_packet(const struct rss_config *c, const struct rss_packet *p, struct sbuf *out);

/* DESIGN.md section 9: nic, cores, reta, ports (by name: key, fields, letters, rte_flags),
** key_len, reta_size, seed. */
struct val *rss_config_val(const struct rss_config *c);
struct val *rss_quality_val(const struct rss_config *c, const struct rss_quality *q);
struct val *rss_check_val(const struct rss_config *c, const struct rss_cons *k,
			  const struct rss_check *r);
struct val *rss_solution_val(const struct rss_solution *s);
struct val *rss_fieldsets_val(const struct rss_fieldsets *f);
struct val *rss_nics_val(void);

/* Back from rss_config_val's fields (Lua hands configurations back as tables). */
struct rss_config *rss_config_from_val(const struct val *v, struct err *e);

/*---- Rebalancing ----*/

/* 'rss balance PCAP': the trace, replayed through RSS elsewhere, gives packets per port per
** RETA index; the RETAs are redrawn so the cores get even shares of those packets. */
struct rss_rebalance_group {
	unsigned n_ports;
	unsigned ports[RSS_MAX_PORTS];	/* config port indices sharing one RETA */
	uint64_t packets;		/* of these ports, summed */
	uint64_t *before, *after;	/* packets per core (c->cores entries each) */
	double imbalance_before, imbalance_after;	/* max / mean packets per core; 0 when no
							** packets */
	unsigned moved;			/* RETA entries whose core changed */
	unsigned heavy;			/* buckets that alone carry more than a core's fair share */
	unsigned heaviest_index;	/* the heaviest bucket and its packets */
	uint64_t heaviest;
	bool kept;			/* the new RETA was no better: the old one is kept */
	bool pinned;			/* kept: a constraint holds only through this RETA */
};

struct rss_rebalance {
	unsigned n_groups;
	struct rss_rebalance_group group[RSS_MAX_PORTS];
};

/* Rebalances c's RETAs for measured load: loads[p] (NULL: no packets; loads NULL: none at all)
** holds c->reta_size packet counts of config port p, by RETA index. Ports that a constraint of
** 'k' links (transitively; k NULL or k->locks: ports whose RETAs are equal now) form one
** group: their loads add up and they all get the same new RETA, so cross-port constraints
** still hold. Whole buckets move, never split: buckets with packets are placed heaviest first
** (LPT: within 4/3 of the best max), each on the least loaded core so far (ties: its current
** core, then the lowest number; "current" is the group's first port's RETA); buckets without
** packets keep their core. If the result's max per core is not lower than before, the group
** keeps its RETA (kept = true); so does a group one of whose constraints holds only because
** its RETA maps linked packets' different indices to one core (pinned = true: moving buckets
** would break it). Returns 0 (or -EINVAL for bad arguments: 'k' for other ports, a RETA entry
** past the cores, counts that overflow; nothing changed). 'out' is always safe to release. */
int rss_rebalance(struct rss_config *c, const struct rss_cons *k, const uint64_t *const loads[],
		  struct rss_rebalance *out, struct err *e);
void rss_rebalance_release(struct rss_rebalance *r);

/* Per group: ports, packets, before/after max/mean and per-core packets as a text histogram
** (one line per core, a bar of '#' for the new count scaled to the busiest core, before ->
** after counts), buckets moved or why the RETA was kept, and a sentence naming the heaviest
** bucket when heavy > 0 ("RETA index 17 alone carries 31% of the packets: no RETA can balance
** below ..."). */
void rss_format_rebalance(const struct rss_config *c, const struct rss_rebalance *r,
			  struct sbuf *out);

/* {groups = {{ports = {names}, packets, before = {per core}, after = {...}, imbalance_before,
** imbalance_after, moved, heavy, heaviest_index, heaviest, kept, pinned}}} */
struct val *rss_rebalance_val(const struct rss_config *c, const struct rss_rebalance *r);

#endif
