#ifndef LUA_LPCAP_H
#define LUA_LPCAP_H
/*
** baton.pcap: trace statistics and synthetic traces from Lua, mirroring the engine's tstat and
** tracegen modules (baton.pcap.info(path), baton.pcap.gen{kind=..., out=...}).
*/

#include <lua.h>

/* Pushes the baton.pcap table. */
void lpcap_open(lua_State *L);

#endif
