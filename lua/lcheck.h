#ifndef LUA_LCHECK_H
#define LUA_LCHECK_H
/*
** Checking on traces from Lua, mirroring engine/check: baton.check{nf = NF, pcap = FILE |
** gen = SPEC, lan = CIDR | port = N, cores = N, config = CFG, analysis = A} returns the plain
** table of 'check --json' (DESIGN.md section 9); baton.rss.balance{...} (the same options)
** returns {config = NEW, groups = ...} as 'rss balance --json'. CFG is a table as
** baton.rss.solve returns it (default: the Microsoft key on the 4-tuple); A, what
** nf:analyze() returned, tells a locks verdict and the constraints linking ports.
*/

#include <lua.h>

/* Adds check to the baton table on top of the stack and balance to its rss table. */
void lcheck_open(lua_State *L);

#endif
