#ifndef ENGINE_SHARD_H
#define ENGINE_SHARD_H
/*
** shard: from an analysis to a decision (DESIGN.md section 4.4). Objects nf_process never writes
** are replicated. For every pair of accesses to a written object (same path or not, same port
** or not), packets p and q whose keys are equal must reach the same core: the field bytes that
** key equality forces equal become a constraint between the two ports, masks kept.
** Duplicates and constraints implied by smaller ones go. A key read back from state is followed
** to where it came from (a map's value: that map's key; a fresh index: the key it was filed
** under). An index the packet names (nat's external port) is accepted only when the path checks
** a stored value against packet fields and a lookup of another core's entry ends exactly like a
** miss; the check's fields then link the ports. Whatever cannot be sharded is a reason for
** locks, naming the accesses and their source lines. Never prints.
*/

#include <stdbool.h>
#include <stdint.h>

#include "engine/analysis.h"
#include "engine/sbuf.h"
#include "engine/val.h"

/* The packet fields RSS hashes (bytes in network order). */
enum shard_field { SHARD_SRC, SHARD_DST, SHARD_SPORT, SHARD_DPORT, SHARD_NFIELDS };

#define SHARD_BYTES 12	/* src 0-3, dst 4-7, sport 8-9, dport 10-11 */

/* a.field[byte] & mask == b.field[byte] & mask, for a packet a on port_a and b on port_b. */
struct shard_pair {
	uint8_t fa, ba, fb, bb;
	uint8_t mask;
};

struct shard_constraint {
	unsigned port_a, port_b;	/* port_a <= port_b */
	uint32_t n_pairs;
	struct shard_pair *pairs;	/* sorted */
	uint32_t n_sources;
	char **sources;		/* the access pairs it comes from: "flows: map_put fw.c:98 lan ~
				** map_get fw.c:126 wan" (the first few) */
	bool tie;		/* through a stored value the packet is checked against */
};

struct shard_reason {
	bool blocks;		/* it forces locks */
	char *text;
};

/* An edge of the state-dependency graph: what a key is made of -> the object. */
struct shard_edge {
	char from[32];		/* "ipv4.src", "eth.dst", "const", "derived", "meta", or an object */
	bool from_object;	/* 'from' is an object: the key is a value read from it */
	uint32_t obj;
	uint32_t ports;
	enum sym_op op;
	const char *call;
	char site[64];
};

struct shard {
	bool shared_nothing;
	uint32_t n_constraints;
	struct shard_constraint *constraints;
	uint32_t n_reasons;
	struct shard_reason *reasons;	/* the blocking ones first */
	uint32_t n_edges;
	struct shard_edge *edges;
	uint32_t n_objects;
	bool *replicated;	/* by object */
	unsigned n_ports;
	uint8_t (*fields)[SHARD_BYTES];	/* by port: the bits RSS may hash (all ones: free) */
	bool *constrained;	/* by port: some constraint names it */
	uint32_t n_duplicates, n_implied;	/* constraints removed */
	double seconds;
};

/* Decides for the analysis 'a' (which must outlive the result). A solver check that gives up
** only loses precision (fewer ties, so locks or stricter constraints), never correctness. */
struct shard *shard_run(struct analysis *a);
void shard_free(struct shard *sh);

const char *shard_field_name(enum shard_field f);	/* "ipv4.src" ... */

/* Text for the shell. */
void shard_format_verdict(const struct analysis *a, const struct shard *sh, struct sbuf *out);
void shard_format_constraints(const struct analysis *a, const struct shard *sh, struct sbuf *out);
void shard_format_graph(const struct analysis *a, const struct shard *sh, struct sbuf *out);
/* One constraint as 'show constraints' writes it ("lan.ipv4.src = wan.ipv4.dst ∧ ..." or
** "wan: same ipv4.src/24"); 'ports' names the ports. */
void shard_constraint_text(const char *const *ports, const struct shard_constraint *k,
			   struct sbuf *out);
void shard_format_dot(const struct analysis *a, const struct shard *sh, struct sbuf *out);

/* Adds DESIGN.md section 9's constraints ({ports = {a, b}, pairs = {{field_a, field_b}, ...},
** sources, tie}), verdict, reasons, plus replicated (object names), shard_fields (by port:
** the fields each may hash; {"any"} when no constraint names it, {} when none will do) and graph (edges: from, to, ports, op, call, site) to 'v'; its
** seconds grow by the time taken here. */
void shard_add_val(const struct analysis *a, const struct shard *sh, struct val *v);
struct val *shard_constraints_val(const struct analysis *a, const struct shard *sh);
struct val *shard_graph_val(const struct analysis *a, const struct shard *sh);

#endif
