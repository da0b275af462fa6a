#ifndef ENGINE_PCAPW_H
#define ENGINE_PCAPW_H
/*
** Writing traces through libpcap: a set of Ethernet pcap files written side by side (replay's
** file per output port, check's per core and port, launch's per port and queue), with
** nanosecond stamps so a packet's time is kept exactly. Never prints.
*/

#include <stdint.h>

#include "engine/err.h"

struct pcapw;

/* Room for 'n' files, none open yet. */
struct pcapw *pcapw_new(unsigned n);
/* Creates file 'i' at 'path' (truncating it). -EIO with 'e' naming the path on failure. */
int pcapw_open(struct pcapw *w, unsigned i, const char *path, struct err *e);
/* Appends a frame of 'len' bytes ('wire_len' on the wire, at least len) stamped 'ts_ns' to file
** 'i', which must be open. */
void pcapw_write(struct pcapw *w, unsigned i, const uint8_t *data, uint32_t len,
		 uint32_t wire_len, uint64_t ts_ns);
/* Closes every open file (flushing it) and frees; NULL is fine. */
void pcapw_free(struct pcapw *w);

#endif
