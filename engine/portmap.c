#include "engine/portmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
portmap_parse_cidr(const char *s, uint32_t *net, uint32_t *mask, struct err *e)
{
	unsigned a[4], len = 32;
	char tail;
	int n;

	if (!*s || strspn(s, "0123456789./") != strlen(s))
		return err_set(e, -EINVAL, "'%s' is not an IPv4 prefix (a.b.c.d/len)", s);
	n = sscanf(s, "%3u.%3u.%3u.%3u%c", &a[0], &a[1], &a[2], &a[3], &tail);
	if (n == 5 && tail == '/') {
		const char *l = strchr(s, '/') + 1;
		char *end;
		long v = strtol(l, &end, 10);
		if (*l < '0' || *l > '9' || *end || v < 0 || v > 32)
			return err_set(e, -EINVAL, "'%s': the prefix length must be 0..32", s);
		len = (unsigned)v;
	} else if (n != 4) {
		return err_set(e, -EINVAL, "'%s' is not an IPv4 prefix (a.b.c.d/len)", s);
	}
	for (int i = 0; i < 4; i++) {
		if (a[i] > 255)
			return err_set(e, -EINVAL, "'%s': %u is not an address byte", s, a[i]);
	}
	*net = a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];
	*mask = len == 0 ? 0 : 0xffffffffu << (32 - len);
	if (*net & ~*mask)
		return err_set(e, -EINVAL, "'%s': bits set after the /%u prefix (did you mean "
			       "%u.%u.%u.%u/%u?)", s, len, (*net & *mask) >> 24,
			       (*net & *mask) >> 16 & 255, (*net & *mask) >> 8 & 255,
			       *net & *mask & 255, len);
	return 0;
}

int
portmap_one(struct portmap *pm, const struct nfload *nf, const char *port, struct err *e)
{
	int p = nfload_port(nf, port);

	memset(pm, 0, sizeof *pm);
	if (p < 0) {
		const struct nf_desc *d = nfload_desc(nf);
		return err_set(e, -EINVAL, "%s has no port '%s' (ports: %s%s%s)", d->name, port,
			       d->ports[0], d->ports[1] ? ", " : "", d->ports[1] ? d->ports[1] : "");
	}
	pm->port = (uint16_t)p;
	return 0;
}

int
portmap_lan(struct portmap *pm, const struct nfload *nf, const char *cidr, struct err *e)
{
	const struct nf_desc *d = nfload_desc(nf);
	int lan = nfload_port(nf, "lan"), wan = nfload_port(nf, "wan");
	uint32_t len = 0;

	memset(pm, 0, sizeof *pm);
	if (lan < 0 || nfload_nports(nf) < 2)
		return err_set(e, -EINVAL, "--lan needs an NF with a 'lan' port and another one; "
			       "%s has %s%s%s (use --port)", d->name, d->ports[0],
			       d->ports[1] ? ", " : "", d->ports[1] ? d->ports[1] : "");
	if (wan < 0)
		wan = lan == 0 ? 1 : 0;
	if (portmap_parse_cidr(cidr, &pm->net, &pm->mask, e) < 0)
		return -EINVAL;
	pm->by_lan = true;
	pm->lan = (uint16_t)lan;
	pm->wan = (uint16_t)wan;
	for (uint32_t m = pm->mask; m; m <<= 1)
		len++;
	snprintf(pm->cidr, sizeof pm->cidr, "%u.%u.%u.%u/%u", pm->net >> 24, pm->net >> 16 & 255,
		 pm->net >> 8 & 255, pm->net & 255, len);
	return 0;
}

void
portmap_format(const struct portmap *pm, const char (*ports)[NF_NAME_MAX], uint64_t non_ipv4,
	       struct sbuf *out)
{
	if (pm->by_lan)
		sbuf_printf(out, "ports: IPv4 sources in %s on %s, all else on %s (%llu without an "
			    "IPv4 source)\n", pm->cidr, ports[pm->lan], ports[pm->wan],
			    (unsigned long long)non_ipv4);
	else
		sbuf_printf(out, "ports: every packet on %s\n", ports[pm->port]);
}
