#ifndef ENGINE_TELEM_H
#define ENGINE_TELEM_H
/*
** A client of DPDK's telemetry socket (v2: SOCK_SEQPACKET, a JSON greeting, then one JSON reply
** per command), as dpdk-telemetry.py is: what launch uses for 'counters' and 'view cores'.
** Never prints.
*/

#include <stddef.h>

#include "engine/err.h"
#include "engine/val.h"

/* Where a DPDK process started with --file-prefix 'prefix' puts its socket: /var/run/dpdk for
** root, else $XDG_RUNTIME_DIR/dpdk (or /tmp/dpdk). */
void telem_path(const char *prefix, char *buf, size_t n);

/* Sends 'cmd' ("/baton/cores", "/ethdev/stats,0") and returns the reply's value for it (the
** reply is {"CMD": VALUE}); NULL with 'e' set when the socket is not there, does not answer
** within 'timeout' seconds, or the command is unknown (its value is null). */
struct val *telem_query(const char *path, const char *cmd, double timeout, struct err *e);

#endif
