#include "lua/lutil.h"

#include <errno.h>
#include <lauxlib.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char HOST_KEY[] = "baton.host";

const struct lbaton_host *
lutil_host(lua_State *L)
{
	const struct lbaton_host *h;

	lua_getfield(L, LUA_REGISTRYINDEX, HOST_KEY);
	h = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return h;
}

void
lutil_set_host(lua_State *L, const struct lbaton_host *host)
{
	lua_pushlightuserdata(L, (void *)host);
	lua_setfield(L, LUA_REGISTRYINDEX, HOST_KEY);
}

int
lutil_fail(lua_State *L, const char *msg)
{
	lua_pushnil(L);
	lua_pushstring(L, msg);
	return 2;
}

const char *
lutil_checkcstr(lua_State *L, int arg)
{
	size_t n;
	const char *s = luaL_checklstring(L, arg, &n);

	if (strlen(s) != n)
		luaL_argerror(L, arg, "string contains a zero byte");
	return s;
}

/*---- Lua-owned C memory ----*/

#define SBUF_MT "baton.sbuf"
#define VALBOX_MT "baton.valbox"

static int
sbuf_gc(lua_State *L)
{
	sbuf_release(lua_touserdata(L, 1));
	return 0;
}

struct sbuf *
lutil_newsbuf(lua_State *L)
{
	struct sbuf *sb = lua_newuserdatauv(L, sizeof *sb, 0);

	*sb = (struct sbuf)SBUF_INIT;
	if (luaL_newmetatable(L, SBUF_MT)) {
		lua_pushcfunction(L, sbuf_gc);
		lua_setfield(L, -2, "__gc");
	}
	lua_setmetatable(L, -2);
	return sb;
}

static int
valbox_gc(lua_State *L)
{
	struct val **box = lua_touserdata(L, 1);

	val_free(*box);
	*box = NULL;
	return 0;
}

void
lutil_push_val_free(lua_State *L, struct val *v)
{
	struct val **box = lua_newuserdatauv(L, sizeof *box, 0);

	*box = v;
	if (luaL_newmetatable(L, VALBOX_MT)) {
		lua_pushcfunction(L, valbox_gc);
		lua_setfield(L, -2, "__gc");
	}
	lua_setmetatable(L, -2);
	lutil_push_val(L, v);
	*box = NULL;
	val_free(v);
	lua_remove(L, -2);
}

void
lutil_push_val(lua_State *L, const struct val *v)
{
	luaL_checkstack(L, 4, "result too deep");
	switch (v->kind) {
	case VAL_NULL: lua_pushnil(L); break;
	case VAL_BOOL: lua_pushboolean(L, v->u.b); break;
	case VAL_INT: lua_pushinteger(L, (lua_Integer)v->u.i); break;
	case VAL_NUM: lua_pushnumber(L, v->u.n); break;
	case VAL_STR: lua_pushstring(L, v->u.s); break;
	case VAL_ARR:
		lua_createtable(L, (int)v->u.c.n, 0);
		for (size_t i = 0; i < v->u.c.n; i++) {
			lutil_push_val(L, v->u.c.items[i]);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		break;
	case VAL_OBJ:
		lua_createtable(L, 0, (int)v->u.c.n);
		for (size_t i = 0; i < v->u.c.n; i++) {
			lutil_push_val(L, v->u.c.items[i]);
			lua_setfield(L, -2, v->u.c.keys[i]);
		}
		break;
	}
}

static struct val *
to_val(lua_State *L, int idx, int depth, struct err *e)
{
	size_t len;

	idx = lua_absindex(L, idx);
	switch (lua_type(L, idx)) {
	case LUA_TNIL: return val_null();
	case LUA_TBOOLEAN: return val_bool(lua_toboolean(L, idx));
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx))
			return val_int((int64_t)lua_tointeger(L, idx));
		if (!isfinite(lua_tonumber(L, idx))) {
			err_set(e, -EINVAL, "numbers must be finite, not %g", lua_tonumber(L, idx));
			return NULL;
		}
		return val_num(lua_tonumber(L, idx));
	case LUA_TSTRING:
		if (strlen(lua_tolstring(L, idx, &len)) != len) {
			err_set(e, -EINVAL, "strings with a zero byte cannot be a value here");
			return NULL;
		}
		return val_str(lua_tostring(L, idx));
	case LUA_TTABLE: break;
	default:
		err_set(e, -EINVAL, "a %s cannot be a value here", luaL_typename(L, idx));
		return NULL;
	}
	if (depth > 32) {
		err_set(e, -EINVAL, "tables nested too deep (or cyclic)");
		return NULL;
	}
	/* Raw reads only (lua_next, lua_rawgeti): no metamethod runs, so nothing here raises while
	** 'v' is held; the stack has room for what this level pushes. */
	if (!lua_checkstack(L, 4)) {
		err_set(e, -ENOMEM, "tables nested too deep");
		return NULL;
	}
	{
		lua_Integer n = (lua_Integer)lua_rawlen(L, idx), count = 0;
		bool array;
		struct val *v;

		lua_pushnil(L);
		while (lua_next(L, idx)) {
			count++;
			lua_pop(L, 1);
		}
		/* An empty table is an empty list; one with holes is not a list. */
		array = count == n;
		for (lua_Integer i = 1; array && i <= n; i++) {
			array = lua_rawgeti(L, idx, i) != LUA_TNIL;
			lua_pop(L, 1);
		}
		v = array ? val_arr() : val_obj();
		if (array) {
			for (lua_Integer i = 1; i <= n; i++) {
				struct val *item;

				lua_rawgeti(L, idx, i);
				item = to_val(L, -1, depth + 1, e);
				lua_pop(L, 1);
				if (!item) {
					val_free(v);
					return NULL;
				}
				val_push(v, item);
			}
			return v;
		}
		lua_pushnil(L);
		while (lua_next(L, idx)) {
			struct val *item;

			if (lua_type(L, -2) != LUA_TSTRING ||
			    strlen(lua_tolstring(L, -2, &len)) != len) {
				lua_pop(L, 2);
				val_free(v);
				err_set(e, -EINVAL, "table keys must be strings or 1..n");
				return NULL;
			}
			item = to_val(L, -1, depth + 1, e);
			if (!item) {
				lua_pop(L, 2);
				val_free(v);
				return NULL;
			}
			val_set(v, lua_tostring(L, -2), item);
			lua_pop(L, 1);
		}
		return v;
	}
}

struct val *
lutil_to_val(lua_State *L, int idx, struct err *e)
{
	return to_val(L, idx, 0, e);
}

/*---- Rendering ----*/

#define REPR_DEPTH 6

static void repr(lua_State *L, int idx, struct sbuf *out, int depth);

static void
repr_string(lua_State *L, int idx, struct sbuf *out)
{
	size_t n;
	const char *s = lua_tolstring(L, idx, &n);

	sbuf_addc(out, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			sbuf_printf(out, "\\%c", c);
		else if (c == '\n')
			sbuf_adds(out, "\\n");
		else if (c < 0x20 || c == 0x7f)
			sbuf_printf(out, "\\%d", c);
		else
			sbuf_addc(out, (char)c);
	}
	sbuf_addc(out, '"');
}

static int
is_identifier(const char *s, size_t n)
{
	if (!n || !(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

struct repr_key {
	const char *s;		/* anchored by the key list on the stack */
	size_t n;
	lua_Integer i;		/* its place in that list */
};

static int
cmp_keys(const void *a, const void *b)
{
	const struct repr_key *x = a, *y = b;
	int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);

	return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* A table: its sequence part in order, then keys that are neither strings nor in the sequence,
** then string keys sorted. The keys are listed first and the values read raw after, so a
** __tostring that changes the table cannot upset lua_next; the lists live in Lua memory, so an
** error from one leaks nothing. */
static void
repr_table(lua_State *L, int idx, struct sbuf *out, int depth)
{
	lua_Integer n = (lua_Integer)lua_rawlen(L, idx), ns = 0, no = 0;
	struct repr_key *keys;
	int strs, others, first = 1;

	if (depth >= REPR_DEPTH) {
		sbuf_adds(out, "{...}");
		return;
	}
	lua_newtable(L);
	strs = lua_gettop(L);
	lua_newtable(L);
	others = strs + 1;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		lua_pushvalue(L, -1);
		if (lua_type(L, -1) == LUA_TSTRING)
			lua_rawseti(L, strs, ++ns);
		else if (!(lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1 &&
			   lua_tointeger(L, -1) <= n))
			lua_rawseti(L, others, ++no);
		else
			lua_pop(L, 1);
	}
	keys = lua_newuserdatauv(L, (size_t)ns * sizeof *keys, 0);
	for (lua_Integer i = 1; i <= ns; i++) {
		lua_rawgeti(L, strs, i);
		keys[i - 1].s = lua_tolstring(L, -1, &keys[i - 1].n);
		keys[i - 1].i = i;
		lua_pop(L, 1);
	}
	qsort(keys, (size_t)ns, sizeof *keys, cmp_keys);
	sbuf_addc(out, '{');
	for (lua_Integer i = 1; i <= n; i++) {
		sbuf_adds(out, first ? "" : ", ");
		first = 0;
		lua_rawgeti(L, idx, i);
		repr(L, lua_gettop(L), out, depth + 1);
		lua_pop(L, 1);
	}
	for (lua_Integer i = 1; i <= no; i++) {
		sbuf_adds(out, first ? "[" : ", [");
		first = 0;
		lua_rawgeti(L, others, i);
		repr(L, lua_gettop(L), out, depth + 1);
		sbuf_adds(out, "] = ");
		lua_rawget(L, idx);
		repr(L, lua_gettop(L), out, depth + 1);
		lua_pop(L, 1);
	}
	for (lua_Integer i = 0; i < ns; i++) {
		sbuf_adds(out, first ? "" : ", ");
		first = 0;
		lua_rawgeti(L, strs, keys[i].i);
		if (is_identifier(keys[i].s, keys[i].n)) {
			sbuf_add(out, keys[i].s, keys[i].n);
			sbuf_adds(out, " = ");
		} else {
			sbuf_addc(out, '[');
			repr_string(L, lua_gettop(L), out);
			sbuf_adds(out, "] = ");
		}
		lua_rawget(L, idx);
		repr(L, lua_gettop(L), out, depth + 1);
		lua_pop(L, 1);
	}
	sbuf_addc(out, '}');
	lua_pop(L, 3);
}

static void
repr(lua_State *L, int idx, struct sbuf *out, int depth)
{
	luaL_checkstack(L, 8, "value too deep");
	switch (lua_type(L, idx)) {
	case LUA_TSTRING:
		repr_string(L, idx, out);
		break;
	case LUA_TTABLE:
		repr_table(L, lua_absindex(L, idx), out, depth);
		break;
	default: {
		size_t n;
		const char *s = luaL_tolstring(L, idx, &n);
		sbuf_add(out, s, n);
		lua_pop(L, 1);
	}
	}
}

void
lutil_repr(lua_State *L, int idx, struct sbuf *out)
{
	repr(L, lua_absindex(L, idx), out, 0);
}

const char *
lutil_opt_string(lua_State *L, int t, const char *fn, const char *key)
{
	size_t n;
	const char *s;

	if (lua_isnoneornil(L, t))
		return NULL;
	lua_getfield(L, t, key);
	if (lua_isnil(L, -1))
		return NULL;
	if (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER)
		luaL_error(L, "%s: '%s' must be a string", fn, key);
	s = lua_tolstring(L, -1, &n);
	if (strlen(s) != n)
		luaL_error(L, "%s: '%s' contains a zero byte", fn, key);
	return s;
}

double
lutil_opt_number(lua_State *L, int t, const char *fn, const char *key, double lo, double hi,
		 bool whole)
{
	int isnum;
	double v;

	lua_getfield(L, t, key);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	v = lua_tonumberx(L, -1, &isnum);
	/* NaN fails every comparison. lua_pushfstring knows %I and %f, not %u or %g. */
	if (!isnum || !(v >= lo && v <= hi) || (whole && v != floor(v))) {
		if (whole)
			luaL_error(L, "%s: '%s' must be a whole number in %I..%I", fn, key,
				   (lua_Integer)lo, (lua_Integer)hi);
		luaL_error(L, "%s: '%s' must be a number in %f..%f", fn, key, lo, hi);
	}
	lua_pop(L, 1);
	return v;
}

void
lutil_check_keys(lua_State *L, int t, const char *fn, const char *const *known, const char *list)
{
	lua_pushnil(L);
	while (lua_next(L, t)) {
		size_t n;
		const char *k;
		int i;

		/* The key's own __tostring is not called: the message must name the option. */
		if (lua_type(L, -2) != LUA_TSTRING)
			luaL_error(L, "%s: option names must be strings, not a %s (%s)", fn,
				   luaL_typename(L, -2), list);
		k = lua_tolstring(L, -2, &n);
		for (i = 0; known[i] && (strlen(known[i]) != n || memcmp(known[i], k, n)); i++)
			;
		if (!known[i])
			luaL_error(L, "%s: unknown option '%s' (%s)", fn, k, list);
		lua_pop(L, 1);
	}
}

int
lutil_traceback(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	if (!msg) {
		if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
			return 1;
		msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	}
	luaL_traceback(L, L, msg, 1);
	return 1;
}
