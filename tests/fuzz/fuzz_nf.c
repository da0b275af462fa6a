/*
** libFuzzer target for one NF (built with nfs/NAME.c and the plain state library under ASan
** and UBSan): every input is a configuration choice and a sequence of packets, run through a
** fresh instance so a finding replays exactly. Each packet lives in a buffer of exactly its
** length, so a read or write outside it is caught. An invalid return value is a finding too.
**
** Input: mode byte (low three bits all set: the defaults; otherwise small tables, so they fill
** and expire: every declared capacity 3, backends 3, cht_height 7, expiry 1; bit 3: capacity
** share 1/4), then records of port byte, length (2 bytes LE), time step in ms (2 bytes LE) and
** the packet bytes (the length is cut to what is left).
*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
declared(const char *key)
{
	for (const struct nf_param *p = nf_descriptor.params; p && p->key; p++) {
		if (strcmp(p->key, key) == 0)
			return 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const small[][2] = {
		{ "capacity", "3" }, { "port_capacity", "3" }, { "sketch_capacity", "3" },
		{ "backends", "3" }, { "cht_height", "7" }, { "expiry", "1" },
	};
	const char *keys[6], *values[6];
	unsigned n = 0, nports = 0;
	struct nf_env env;
	uint64_t now = 1000000000ull;
	void *st;
	uint8_t mode;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	while (nports < NF_MAX_PORTS && nf_descriptor.ports[nports])
		nports++;
	nf_env_setup(&env, &nf_descriptor);
	/* Small tables most of the time: they fill up and expire, and instances are cheap. */
	if ((mode & 7) != 7) {
		for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
			if (declared(small[i][0])) {
				keys[n] = small[i][0];
				values[n++] = small[i][1];
			}
		}
	}
	env.keys = keys;
	env.values = values;
	env.n_config = n;
	if (mode & 8)
		env.share_den = 4;
	st = nf_init(&env);
	if (!st) {
		/* The defaults must always work; a small configuration may be refused. */
		if (n == 0 && !(mode & 8))
			__builtin_trap();
		nf_env_release(&env);
		return 0;
	}
	while (size >= 5) {
		uint16_t port = (uint16_t)(data[0] % nports);
		size_t len = (size_t)(data[1] | data[2] << 8);
		uint8_t *pkt;
		int v;

		now += (uint64_t)(data[3] | data[4] << 8) * 1000000u;
		data += 5;
		size -= 5;
		if (len > size)
			len = size;
		pkt = malloc(len ? len : 1);
		if (!pkt)
			abort();
		memcpy(pkt, data, len);
		v = nf_process(st, port, pkt, (uint16_t)len, now);
		if (!(v == NF_DROP || v == NF_FLOOD || (v >= 0 && (unsigned)v < nports)))
			__builtin_trap();
		free(pkt);
		data += len;
		size -= len;
	}
	nf_env_release(&env);
	return 0;
}
