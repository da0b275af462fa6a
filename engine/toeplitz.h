#ifndef ENGINE_TOEPLITZ_H
#define ENGINE_TOEPLITZ_H
/*
** The Toeplitz hash NICs compute for RSS (Microsoft's definition, the one DPDK's rte_softrss
** reproduces). Bits are numbered from the most significant bit of byte 0, for the input and for
** the key alike. Every input bit i that is 1 XORs the 32-bit key window starting at key bit i
** (key bits i .. i+31) into the result. Key bits past the key's end read as zero. The input is
** the hashed fields in network byte order: for IPv4 TCP/UDP, src IP, dst IP, src port, dst port.
**
** Two versions: a bitwise reference, and a table-driven one (a 256-entry table of partial hashes
** per input byte position, built once per key) for the hot paths. They agree bit for bit.
*/

#include <stddef.h>
#include <stdint.h>

#define TOEPLITZ_KEY_MAX 64	/* bytes of key these functions read at most */
#define TOEPLITZ_IN_MAX 36	/* bytes of input: an IPv6 4-tuple */

/* The 32 key bits starting at bit 'bit' (bit 0 = MSB of key[0]), as a number whose MSB is key
** bit 'bit'. Bits past key_len bytes are zero. */
uint32_t toeplitz_window(const uint8_t *key, size_t key_len, unsigned bit);

/* The bitwise reference: in_len bytes (at most TOEPLITZ_IN_MAX), a key of key_len bytes (at
** most TOEPLITZ_KEY_MAX; shorter keys read as zero past their end). */
uint32_t toeplitz_ref(const uint8_t *key, size_t key_len, const uint8_t *in, size_t in_len);

/* The table-driven version for one key and one input length. About 1 KiB per input byte. */
struct toeplitz_tab {
	unsigned in_len;
	uint32_t t[TOEPLITZ_IN_MAX][256];	/* t[byte position][byte value] */
};

/* Fills 't' for 'key' and inputs of in_len bytes (in_len at most TOEPLITZ_IN_MAX; more is cut
** to it). Touches only the in_len rows in use: a couple of microseconds for 12 bytes, cheap
** enough to rebuild per sampled key. */
void toeplitz_tab_init(struct toeplitz_tab *t, const uint8_t *key, size_t key_len, size_t in_len);

/* The hash of in (t->in_len bytes); the same value toeplitz_ref gives. */
uint32_t toeplitz_tab_hash(const struct toeplitz_tab *t, const uint8_t *in);

/* The common case, unrolled: 12 bytes (src IP, dst IP, src port, dst port). t->in_len must be
** 12. */
uint32_t toeplitz_tab_hash12(const struct toeplitz_tab *t, const uint8_t *in);

#endif
