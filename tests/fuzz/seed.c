/*
** Writes seed corpora for the fuzz targets from pcaps: NFDIR gets inputs of fuzz_nf's format
** (runs of 1 to 8 consecutive packets on alternating ports), PKTDIR inputs of fuzz_packet's
** (new addresses and ports, then one packet). Usage: seed NFDIR PKTDIR FILE.pcap...
*/

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
write_file(const char *dir, const char *name, unsigned n, const unsigned char *b, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s-%u", dir, name, n);
	f = fopen(path, "wb");
	if (!f || fwrite(b, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static unsigned char nf[1 << 17], pk[70000];
	char errbuf[PCAP_ERRBUF_SIZE];

	if (argc < 4) {
		fprintf(stderr, "usage: seed NFDIR PKTDIR FILE.pcap...\n");
		return 2;
	}
	for (int f = 3; f < argc; f++) {
		pcap_t *pc = pcap_open_offline(argv[f], errbuf);
		const char *base = strrchr(argv[f], '/') ? strrchr(argv[f], '/') + 1 : argv[f];
		struct pcap_pkthdr *h;
		const unsigned char *d;
		unsigned i = 0, run = 0, nseeds = 0;
		size_t used = 0;

		if (!pc) {
			fprintf(stderr, "seed: %s\n", errbuf);
			return 1;
		}
		/* A few dozen seeds per trace: enough variety, quick to load. */
		while (pcap_next_ex(pc, &h, &d) == 1 && nseeds < 48) {
			uint32_t len = h->caplen > 2048 ? 2048 : h->caplen;
			if (used == 0)
				nf[used++] = (unsigned char)(i & 3);
			nf[used++] = (unsigned char)(i & 1);
			nf[used++] = (unsigned char)(len & 0xff);
			nf[used++] = (unsigned char)(len >> 8);
			nf[used++] = (unsigned char)(i % 7);
			nf[used++] = 0;
			memcpy(nf + used, d, len);
			used += len;
			if (++run == 1 + nseeds % 8) {
				if (write_file(argv[1], base, nseeds, nf, used) < 0)
					return 1;
				memset(pk, 0, 12);
				pk[0] = 10; pk[3] = (unsigned char)i; pk[4] = 192; pk[5] = 168;
				pk[8] = (unsigned char)(i >> 8); pk[9] = (unsigned char)i;
				memcpy(pk + 12, d, len);
				if (write_file(argv[2], base, nseeds, pk, 12 + len) < 0)
					return 1;
				nseeds++;
				used = 0;
				run = 0;
			}
			i++;
		}
		pcap_close(pc);
	}
	return 0;
}
