#ifndef LUA_LRUN_H
#define LUA_LRUN_H
/*
** Parallel builds from Lua, mirroring engine/emit and engine/launch:
**   build = baton.emit(nf, "sn", {cores = 2, config = CFG, analysis = A, force = false})
**   run = build:launch{pcap = FILE, lan = CIDR | port = N, loop = true, null = true,
**                      flows = N, duration = S, stats = S, eal = {"--vdev=...", ...}}
**   run:counters(), run:status(), run:running(), run:messages(), run:stop()
**   build:info(); baton.sleep(seconds)
** Results are the plain tables of the commands' --json output; failures return nil, message.
** CFG is a table as baton.rss.solve returns it; A, what nf:analyze() returned (sn needs it).
** A run that is collected, or still running when the state closes, is stopped.
*/

#include <lua.h>

/* Adds emit and sleep to the baton table on top of the stack. */
void lrun_open(lua_State *L);

#endif
