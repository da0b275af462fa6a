#ifndef ENGINE_FIELDSET_H
#define ENGINE_FIELDSET_H
/*
** RSS field sets: which IPv4 fields the NIC hashes, named as testpmd does ("ipv4-tcp",
** "ipv4-udp", "ipv4", modifiers "l3-src-only", "l3-dst-only", "l4-src-only", "l4-dst-only")
** or with ethtool's rx-flow-hash letters (s = IP source, d = IP destination, f = L4 bytes 0-1,
** the source port, n = L4 bytes 2-3, the destination port). Each maps to the Toeplitz input
** layout (the hashed fields, in the order src IP, dst IP, src port, dst port, concatenated in
** network byte order) and to DPDK's RTE_ETH_RSS_* flags (their values, so the engine needs no
** DPDK header).
**
** A set with ports hashes TCP and UDP packets on the selected fields; "ipv4" (addresses only)
** hashes every IPv4 packet, TCP and UDP included, on the selected addresses. Never prints.
*/

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/err.h"
#include "engine/shard.h"

/* Selected fields, one bit per enum shard_field (SHARD_SRC .. SHARD_DPORT). */
#define FIELDSET_S (1u << SHARD_SRC)
#define FIELDSET_D (1u << SHARD_DST)
#define FIELDSET_F (1u << SHARD_SPORT)
#define FIELDSET_N (1u << SHARD_DPORT)
#define FIELDSET_ALL (FIELDSET_S | FIELDSET_D | FIELDSET_F | FIELDSET_N)

/* Packet classes hashed. */
#define FIELDSET_T_OTHER (1u << 0)	/* IPv4 that is neither TCP nor UDP (and fragments) */
#define FIELDSET_T_TCP (1u << 1)
#define FIELDSET_T_UDP (1u << 2)

/* RTE_ETH_RSS_* values of DPDK 22.11 (rte_ethdev.h); a unit test compares them. */
#define FIELDSET_RTE_IPV4 (1ULL << 2)
#define FIELDSET_RTE_FRAG_IPV4 (1ULL << 3)
#define FIELDSET_RTE_NONFRAG_IPV4_TCP (1ULL << 4)
#define FIELDSET_RTE_NONFRAG_IPV4_UDP (1ULL << 5)
#define FIELDSET_RTE_NONFRAG_IPV4_OTHER (1ULL << 7)
#define FIELDSET_RTE_L3_SRC_ONLY (1ULL << 63)
#define FIELDSET_RTE_L3_DST_ONLY (1ULL << 62)
#define FIELDSET_RTE_L4_SRC_ONLY (1ULL << 61)
#define FIELDSET_RTE_L4_DST_ONLY (1ULL << 60)

struct fieldset {
	uint8_t fields;	/* FIELDSET_S | ... : hashed for TCP and UDP packets */
	uint8_t types;	/* FIELDSET_T_* */
};

/* The default of DPDK applications and of Maestro: the 4-tuple of TCP and UDP packets. */
#define FIELDSET_DEFAULT ((struct fieldset){ FIELDSET_ALL, FIELDSET_T_TCP | FIELDSET_T_UDP })

/* Parses "ipv4-tcp ipv4-udp l3-src-only", "ipv4-tcp,l4-dst-only", "ipv4+l3-dst-only" (blanks,
** commas or '+' between words) or ethtool letters ("sdfn", "sd", "s"). A word it does not know,
** a letter baton does not model (m, v, t, r) or a set hashing nothing fails, naming it. */
int fieldset_parse(const char *text, struct fieldset *out, struct err *e);

/* The set of these fields (FIELDSET_S | ...) as ethtool letters name it: TCP and UDP when it
** has ports, every IPv4 packet when it has addresses only. */
struct fieldset fieldset_of(uint8_t fields);

/* The testpmd spelling, words joined by commas ("ipv4-tcp,ipv4-udp,l3-src-only"). */
void fieldset_name(const struct fieldset *fs, char *buf, size_t n);

/* The ethtool letters ("sdfn"). */
void fieldset_letters(const struct fieldset *fs, char *buf, size_t n);

/* The RTE_ETH_RSS_* flags, and the same as C text ("RTE_ETH_RSS_NONFRAG_IPV4_TCP |
** RTE_ETH_RSS_L3_SRC_ONLY"). 0 and "" when DPDK cannot say it (ports without an address:
** l3-src-only and l3-dst-only together mean both, not neither). */
uint64_t fieldset_rte_flags(const struct fieldset *fs);
void fieldset_rte_text(const struct fieldset *fs, char *buf, size_t n);

/* True when DPDK's flags can express the set. */
bool fieldset_dpdk(const struct fieldset *fs);

/* The input layout: for each hashed field in order, its first input bit in *pos (by enum
** shard_field; -1 when not hashed). Returns the number of input bits (at most 96). */
unsigned fieldset_layout(const struct fieldset *fs, int pos[SHARD_NFIELDS]);

/* Bits of a field (32 for addresses, 16 for ports). */
unsigned fieldset_field_bits(enum shard_field f);

/* Fills in[] (at most 12 bytes) with the hashed fields of a tuple (host order numbers) as the
** NIC feeds them to Toeplitz; returns the byte count. */
unsigned fieldset_input(const struct fieldset *fs, uint32_t src, uint32_t dst, uint16_t sport,
			uint16_t dport, uint8_t in[12]);

bool fieldset_eq(const struct fieldset *a, const struct fieldset *b);

#endif
