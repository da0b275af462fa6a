/*
** sbridge: a static bridge. Each packet goes to the port its destination MAC address is listed
** on in the configured table; a destination not in the table is dropped, and so is a packet
** whose destination sits on the port it came in from (it is already there: filtering, as a
** learning bridge does). The table never changes after start-up.
**
** State: "table", a map from destination MAC (6 bytes, as on the wire) to output port, filled
** from the configuration in nf_init and only read afterwards. It is created with NF_FULL
** capacity, so every core of a parallel build gets the whole table.
**
** Config: table, a comma-separated list of MAC=PORT entries, the port by name (lan, wan) or
** number (0, 1), e.g. "02:00:00:00:00:01=lan,02:00:00:00:00:02=wan" (the default: one host on
** each side). A malformed entry, an unknown port, a MAC listed twice or an empty table refuse
** the configuration, naming the entry.
**
** Edge cases: only the Ethernet header is read. Non-IPv4, non-TCP/UDP, fragments and IPv4
** options make no difference: they are forwarded by destination MAC like anything else.
** Packets shorter than an Ethernet header (14 bytes) are dropped. Group destinations
** (broadcast, multicast) are looked up like any other MAC, so they pass only when listed.
*/

#include <string.h>

#include "map.h"
#include "nf.h"
#include "packet.h"

enum { PORT_LAN, PORT_WAN, N_PORTS };

static const struct nf_param sbridge_params[] = {
	{ "table", "02:00:00:00:00:01=lan,02:00:00:00:00:02=wan",
	    "MAC=PORT entries, comma-separated; PORT is lan, wan, 0 or 1" },
	{ NULL, NULL, NULL },
};

NF_DESCRIPTOR("sbridge", "forwards by destination MAC from a static table; unknown -> drop",
    NF_PORTS("lan", "wan"), sbridge_params);

struct sbridge {
	struct map *table;	/* dst MAC -> output port */
};

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses "aa:bb:cc:dd:ee:ff" from the n characters at s; 0 on success. */
static int
parse_mac(const char *s, size_t n, uint8_t mac[6])
{
	int i, hi, lo;

	if (n != 17)
		return -1;
	for (i = 0; i < 6; i++) {
		hi = hex_digit(s[3 * i]);
		lo = hex_digit(s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* The port named by the n characters at s (a descriptor name or a number), or -1. */
static int
parse_port(const char *s, size_t n)
{
	int i;

	for (i = 0; i < N_PORTS; i++) {
		if (strlen(nf_descriptor.ports[i]) == n && memcmp(nf_descriptor.ports[i], s, n) == 0)
			return i;
	}
	if (n == 1 && s[0] >= '0' && s[0] < '0' + N_PORTS)
		return s[0] - '0';
	return -1;
}

/* Parses one "MAC=PORT" entry of n characters at s into the table. */
static void
add_entry(struct nf_env *env, struct map *table, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n);
	uint8_t mac[6];
	uint32_t old;
	int port;

	if (!eq || parse_mac(s, (size_t)(eq - s), mac) < 0) {
		nf_env_fail(env, "table entry \"%.*s\": not MAC=PORT with a MAC like 02:00:00:00:00:01",
		    (int)n, s);
		return;
	}
	port = parse_port(eq + 1, n - (size_t)(eq + 1 - s));
	if (port < 0) {
		nf_env_fail(env, "table entry \"%.*s\": the port is not lan, wan, 0 or 1", (int)n, s);
		return;
	}
	if (map_get(table, mac, &old)) {
		nf_env_fail(env, "table entry \"%.*s\": that MAC is listed twice", (int)n, s);
		return;
	}
	if (map_put(table, mac, (uint32_t)port) < 0)
		nf_env_fail(env, "table entry \"%.*s\": the table is full", (int)n, s);
}

void *
nf_init(struct nf_env *env)
{
	const char *text = nf_config_str(env, "table"), *s, *end;
	struct sbridge *st = nf_alloc(env, sizeof *st);
	uint32_t entries = 1;

	if (!nf_env_ok(env))
		return NULL;
	if (*text == '\0') {
		nf_env_fail(env, "table is empty: every packet would be dropped");
		return NULL;
	}
	for (s = text; *s; s++)
		entries += *s == ',';
	st->table = map_new(env, "table", 6, NF_FULL(entries));
	for (s = text; st->table && nf_env_ok(env); s = end + 1) {
		end = strchr(s, ',');
		if (!end)
			end = s + strlen(s);
		add_entry(env, st->table, s, (size_t)(end - s));
		if (*end == '\0')
			break;
	}
	return nf_env_ok(env) ? st : NULL;
}

int
nf_process(void *state, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now_ns)
{
	struct sbridge *st = state;
	struct pkt p;
	uint32_t out;

	if (pkt_parse(pkt, len, &p) < PKT_L2)
		return NF_DROP;
	if (!map_get(st->table, p.eth->dst, &out))
		return NF_DROP;
	if (out == port)
		return NF_DROP;
	return (int)out;
}
