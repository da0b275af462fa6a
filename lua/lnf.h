#ifndef LUA_LNF_H
#define LUA_LNF_H
/*
** NFs from Lua, mirroring engine/nfload and engine/replay: nf = baton.load("fw") returns an NF
** object (independent of the shell's loaded NF) with nf:set(key, value) or nf:set{...},
** nf:get(key), nf:info(), nf:replay(pcap, {lan = CIDR | port = N, out = PREFIX}) and
** nf:analyze({len_min = N, len_max = N, max_paths = N, max_steps = N, max_seconds = S})
** (engine/analysis: a plain table, the analysis is not kept); its descriptor fields (name,
** summary, ports, config, source) read as nf.name and so on.
*/

#include <lua.h>

struct nfload;

/* The loaded NF of the NF object at 'idx'; raises a Lua error when it is not one, or closed. */
struct nfload *lnf_checknf(lua_State *L, int idx);

/* The same for the value of option 'key' of 'fn' (not an argument): the error names them. */
struct nfload *lnf_checkopt(lua_State *L, int idx, const char *fn, const char *key);

/* The loaded NF at 'idx', or NULL when it is not an NF object or was closed; never raises. A
** binding that ran Lua (a user's metamethod may close the NF) asks again before using it. */
struct nfload *lnf_tonf(lua_State *L, int idx);

/* Adds baton.load to the table on top of the stack and registers the NF object type. */
void lnf_open(lua_State *L);

#endif
