#ifndef LUA_LUTIL_H
#define LUA_LUTIL_H
/*
** Helpers shared by the baton Lua bindings: engine values to plain Lua tables, a readable
** rendering of any Lua value, and access to the host the shell lent the state.
*/

#include <stdbool.h>

#include <lua.h>

#include "engine/err.h"
#include "engine/sbuf.h"
#include "engine/val.h"
#include "lua/lbaton.h"

/*
** Errors are longjmps: a binding must hold no malloc'ed memory across a call that can raise
** (luaL_check*, lua_getfield or luaL_tolstring on a user's value, lua_call, any allocation).
** It checks every argument first, or keeps what it builds in Lua-owned memory (the boxed sbuf
** below), or runs the risky part under lua_pcall.
*/

/* Pushes 'v' as Lua values: objects and arrays become tables, null becomes nil. */
void lutil_push_val(lua_State *L, const struct val *v);

/* The same, then frees 'v' (NULL is not allowed); 'v' is freed also when pushing raises. */
void lutil_push_val_free(lua_State *L, struct val *v);

/* The plain table (or string, number, boolean) at 'idx' as a value: a table with keys 1..n only
** becomes an array, any other an object (string keys only). Reads raw: no metamethod runs, so
** it never raises. NULL with a message in 'e' for functions, userdata, other keys, holes,
** strings with a zero byte, NaN or infinities, or nesting past 32 levels (a cyclic table).
** Caller frees. */
struct val *lutil_to_val(lua_State *L, int idx, struct err *e);

/* Renders the value at 'idx' readably ({a = 1, b = {2, 3}}), nested tables up to a depth.
** Raises when a __tostring metamethod does: 'out' must survive that (a boxed sbuf, or one the
** caller releases after a lua_pcall). Holds nothing else across it. */
void lutil_repr(lua_State *L, int idx, struct sbuf *out);

/* Pushes a userdata holding an empty sbuf and returns the sbuf: the collector releases it, so
** a Lua error on the way leaks nothing. sbuf_release frees it early. */
struct sbuf *lutil_newsbuf(lua_State *L);

/* A message handler for lua_pcall: the message (or the error object's __tostring) with a
** traceback. */
int lutil_traceback(lua_State *L);

/* luaL_checklstring that also refuses a zero byte: the string goes to C as a C string (a
** path, a name, a shell line), where "fw\0x" would quietly become "fw". */
const char *lutil_checkcstr(lua_State *L, int arg);

/* The host lent by the shell (stored in the registry by lbaton_new). */
const struct lbaton_host *lutil_host(lua_State *L);
void lutil_set_host(lua_State *L, const struct lbaton_host *host);

/* Option 'key' of the options table at 't' (nil or none: no options) as a string, numbers
** converted; left on the stack, so it lives while the caller uses it. NULL when absent; raises
** "FN: 'KEY' must be a string" for anything else or a string with a zero byte. */
const char *lutil_opt_string(lua_State *L, int t, const char *fn, const char *key);

/* Option 'key' of the options table at 't' as a number in lo..hi, a whole one when 'whole';
** 0 when absent. Anything else (NaN and infinities included: they would reach C casts) raises
** "FN: 'KEY' must be a [whole] number in LO..HI". */
double lutil_opt_number(lua_State *L, int t, const char *fn, const char *key, double lo,
			double hi, bool whole);

/* Raises "FN: unknown option 'K' (LIST)" when the table at 't' has a key not in 'known'
** (NULL-terminated), "FN: option names must be strings" for other keys. Runs no metamethod. */
void lutil_check_keys(lua_State *L, int t, const char *fn, const char *const *known,
		      const char *list);

/* The failure convention: pushes nil and 'msg', returns 2. */
int lutil_fail(lua_State *L, const char *msg);

#endif
