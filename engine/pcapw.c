#include "engine/pcapw.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>

#include "engine/xalloc.h"

struct pcapw {
	pcap_t *dead;		/* the link type and precision every file is written with */
	unsigned n;
	pcap_dumper_t *d[];
};

struct pcapw *
pcapw_new(unsigned n)
{
	struct pcapw *w = xcalloc(1, sizeof *w + n * sizeof w->d[0]);

	w->n = n;
	w->dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535,
						       PCAP_TSTAMP_PRECISION_NANO);
	if (!w->dead)
		abort();
	return w;
}

int
pcapw_open(struct pcapw *w, unsigned i, const char *path, struct err *e)
{
	if (w->d[i])
		pcap_dump_close(w->d[i]);
	w->d[i] = pcap_dump_open(w->dead, path);
	if (!w->d[i])
		return err_set(e, -EIO, "%s: %s", path, pcap_geterr(w->dead));
	return 0;
}

void
pcapw_write(struct pcapw *w, unsigned i, const uint8_t *data, uint32_t len, uint32_t wire_len,
	    uint64_t ts_ns)
{
	struct pcap_pkthdr h;

	h.ts.tv_sec = (time_t)(ts_ns / 1000000000u);
	h.ts.tv_usec = (suseconds_t)(ts_ns % 1000000000u);	/* nanoseconds: see pcapw_new */
	h.caplen = len;
	h.len = wire_len > len ? wire_len : len;
	pcap_dump((u_char *)w->d[i], &h, data);
}

void
pcapw_free(struct pcapw *w)
{
	if (!w)
		return;
	for (unsigned i = 0; i < w->n; i++)
		if (w->d[i])
			pcap_dump_close(w->d[i]);
	pcap_close(w->dead);
	free(w);
}
