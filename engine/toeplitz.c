#include "engine/toeplitz.h"

/* Key bytes byte .. byte+4 as a 40-bit number (key[byte] in bits 39..32), zero past the key:
** every 32-bit window starting in key byte 'byte' lies inside it. */
static uint64_t
toeplitz_key40(const uint8_t *key, size_t key_len, size_t byte)
{
	uint64_t w = 0;

	for (size_t k = 0; k < 5; k++) {
		w <<= 8;
		if (byte < key_len && k < key_len - byte)
			w |= key[byte + k];
	}
	return w;
}

uint32_t
toeplitz_window(const uint8_t *key, size_t key_len, unsigned bit)
{
	/* Window bit 31 is key bit 'bit', at position 39 - bit % 8 of the 40-bit chunk. */
	return (uint32_t)(toeplitz_key40(key, key_len, bit / 8) >> (8 - bit % 8));
}

uint32_t
toeplitz_ref(const uint8_t *key, size_t key_len, const uint8_t *in, size_t in_len)
{
	uint32_t h = 0;

	for (unsigned i = 0; i < in_len * 8; i++)
		if (in[i / 8] >> (7 - i % 8) & 1)
			h ^= toeplitz_window(key, key_len, i);
	return h;
}

void
toeplitz_tab_init(struct toeplitz_tab *t, const uint8_t *key, size_t key_len, size_t in_len)
{
	/* Misuse must not write past the table. */
	if (in_len > TOEPLITZ_IN_MAX)
		in_len = TOEPLITZ_IN_MAX;
	t->in_len = (unsigned)in_len;
	for (size_t p = 0; p < in_len; p++) {
		uint64_t w = toeplitz_key40(key, key_len, p);
		uint32_t *row = t->t[p];

		/* The hash is linear in the input, so row[v | 1 << j] = row[v] ^ (window of the bit
		** of value 1 << j): one XOR per entry. That bit is input bit 8p + 7 - j, whose
		** window is the 40-bit chunk shifted right by j + 1. */
		row[0] = 0;
		for (unsigned j = 0; j < 8; j++) {
			uint32_t win = (uint32_t)(w >> (j + 1));
			unsigned half = 1u << j;

			for (unsigned v = 0; v < half; v++)
				row[half | v] = row[v] ^ win;
		}
	}
}

uint32_t
toeplitz_tab_hash(const struct toeplitz_tab *t, const uint8_t *in)
{
	uint32_t h = 0;

	for (unsigned p = 0; p < t->in_len; p++)
		h ^= t->t[p][in[p]];
	return h;
}

uint32_t
toeplitz_tab_hash12(const struct toeplitz_tab *t, const uint8_t *in)
{
	return t->t[0][in[0]] ^ t->t[1][in[1]] ^ t->t[2][in[2]] ^ t->t[3][in[3]] ^
	       t->t[4][in[4]] ^ t->t[5][in[5]] ^ t->t[6][in[6]] ^ t->t[7][in[7]] ^
	       t->t[8][in[8]] ^ t->t[9][in[9]] ^ t->t[10][in[10]] ^ t->t[11][in[11]];
}
