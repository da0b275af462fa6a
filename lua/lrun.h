#ifndef LUA_LRUN_H
#define LUA_LRUN_H
/*
** Parallel builds from Lua, mirroring engine/emit and engine/launch:
**   build = baton.emit(nf, "sn", {cores = 2, config = CFG, analysis = A, force = false})
**   run = build:launch{pcap = FILE, lan = CIDR | port = N, loop = true, null = true,
**                      flows = N, duration = S, stats = S, eal = {"--vdev=...", ...}}
**   run:counters(), run:status(), run:running(), run:messages(), run:stop()
**   run:watch(every, fn)
**   build:info(); baton.sleep(seconds)
** Results are the plain tables of the commands' --json output; failures return nil, message.
** CFG is a table as baton.rss.solve returns it; A, what nf:analyze() returned (sn needs it).
** A run that is collected, or still running when the state closes, is stopped; one closed
** (run:__close, <close>) raises "this run was closed" when used, as a closed build does.
**
** run:watch(every, fn) samples the run every 'every' seconds (0 < every <= 1e9; the first
** sample after one interval) and calls fn(counters), counters being the table run:counters()
** returns. It goes on until fn returns false (nil goes on), the run ends (by itself, or fn
** stopped or closed it) or Ctrl-C (the host's progress stop flag); then it returns the number
** of samples, plus a message when the run still runs but stopped answering. An error in fn
** raises "run:watch: the callback failed: MESSAGE" with fn's traceback; the run is left as
** it was, running and usable (run:stop() works). fn runs under lua_pcall: it cannot yield.
*/

#include <lua.h>

/* Adds emit and sleep to the baton table on top of the stack. */
void lrun_open(lua_State *L);

#endif
