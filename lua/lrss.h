#ifndef LUA_LRSS_H
#define LUA_LRSS_H
/*
** baton.rss: RSS key solving, checking and quality from Lua, mirroring engine/rss. Everything
** works on plain tables: an analysis as nf:analyze() returns it (or written by hand: ports and
** constraints), and configurations as baton.rss.solve returns them (DESIGN.md section 9:
** nic, cores, reta, ports by name with key and fields). Nothing is kept between calls.
*/

#include <lua.h>

/* Pushes the baton.rss table. */
void lrss_open(lua_State *L);

#endif
