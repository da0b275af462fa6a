#ifndef LUA_LUTIL_H
#define LUA_LUTIL_H
/*
** Helpers shared by the baton Lua bindings: engine values to plain Lua tables, a readable
** rendering of any Lua value, and access to the host the shell lent the state.
*/

#include <lua.h>

#include "engine/err.h"
#include "engine/sbuf.h"
#include "engine/val.h"
#include "lua/lbaton.h"

/* Pushes 'v' as Lua values: objects and arrays become tables, null becomes nil. */
void lutil_push_val(lua_State *L, const struct val *v);

/* The plain table (or string, number, boolean) at 'idx' as a value: a table with keys 1..n only
** becomes an array, any other an object (string keys only). NULL with a message in 'e' for
** functions, userdata, other keys, or nesting past 32 levels. Caller frees. */
struct val *lutil_to_val(lua_State *L, int idx, struct err *e);

/* Renders the value at 'idx' readably ({a = 1, b = {2, 3}}), nested tables up to a depth. */
void lutil_repr(lua_State *L, int idx, struct sbuf *out);

/* The host lent by the shell (stored in the registry by lbaton_new). */
const struct lbaton_host *lutil_host(lua_State *L);
void lutil_set_host(lua_State *L, const struct lbaton_host *host);

/* Option 'key' of the options table at 't' (nil or none: no options) as a string, numbers
** converted; left on the stack, so it lives while the caller uses it. NULL when absent; raises
** "FN: 'KEY' must be a string" for anything else. */
const char *lutil_opt_string(lua_State *L, int t, const char *fn, const char *key);

/* Raises "FN: unknown option 'K' (LIST)" when the table at 't' has a key not in 'known'
** (NULL-terminated). */
void lutil_check_keys(lua_State *L, int t, const char *fn, const char *const *known,
		      const char *list);

/* The failure convention: pushes nil and 'msg', returns 2. */
int lutil_fail(lua_State *L, const char *msg);

#endif
