#include "lua/lutil.h"

#include <errno.h>
#include <lauxlib.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "engine/xalloc.h"

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
	idx = lua_absindex(L, idx);
	switch (lua_type(L, idx)) {
	case LUA_TNIL: return val_null();
	case LUA_TBOOLEAN: return val_bool(lua_toboolean(L, idx));
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx))
			return val_int((int64_t)lua_tointeger(L, idx));
		return val_num(lua_tonumber(L, idx));
	case LUA_TSTRING: return val_str(lua_tostring(L, idx));
	case LUA_TTABLE: break;
	default:
		err_set(e, -EINVAL, "a %s cannot be a value here", luaL_typename(L, idx));
		return NULL;
	}
	if (depth > 32) {
		err_set(e, -EINVAL, "tables nested too deep");
		return NULL;
	}
	luaL_checkstack(L, 4, "table too deep");
	{
		lua_Integer n = (lua_Integer)lua_rawlen(L, idx), count = 0;
		bool array;
		struct val *v;

		lua_pushnil(L);
		while (lua_next(L, idx)) {
			count++;
			lua_pop(L, 1);
		}
		array = count == n;	/* an empty table is an empty list */
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

			if (lua_type(L, -2) != LUA_TSTRING) {
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
is_identifier(const char *s)
{
	if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	for (s++; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

static int
cmp_keys(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A table: its sequence part in order, then string keys sorted, then any other keys. */
static void
repr_table(lua_State *L, int idx, struct sbuf *out, int depth)
{
	lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
	size_t nkeys = 0, cap = 0;
	char **keys = NULL;
	int first = 1;

	if (depth >= REPR_DEPTH) {
		sbuf_adds(out, "{...}");
		return;
	}
	sbuf_addc(out, '{');
	for (lua_Integer i = 1; i <= n; i++) {
		sbuf_adds(out, first ? "" : ", ");
		first = 0;
		lua_rawgeti(L, idx, i);
		repr(L, lua_gettop(L), out, depth + 1);
		lua_pop(L, 1);
	}
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) == LUA_TSTRING) {
			if (nkeys == cap) {
				cap = cap ? 2 * cap : 16;
				keys = xrealloc(keys, cap * sizeof *keys);
			}
			keys[nkeys++] = xstrdup(lua_tostring(L, -1));
		} else if (!(lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1 &&
			     lua_tointeger(L, -1) <= n)) {
			sbuf_adds(out, first ? "[" : ", [");
			first = 0;
			repr(L, lua_gettop(L), out, depth + 1);
			sbuf_adds(out, "] = ");
			lua_pushvalue(L, -1);
			lua_rawget(L, idx);
			repr(L, lua_gettop(L), out, depth + 1);
			lua_pop(L, 1);
		}
	}
	qsort(keys, nkeys, sizeof *keys, cmp_keys);
	for (size_t i = 0; i < nkeys; i++) {
		sbuf_adds(out, first ? "" : ", ");
		first = 0;
		if (is_identifier(keys[i]))
			sbuf_printf(out, "%s = ", keys[i]);
		else {
			lua_pushstring(L, keys[i]);
			sbuf_addc(out, '[');
			repr_string(L, lua_gettop(L), out);
			sbuf_adds(out, "] = ");
			lua_pop(L, 1);
		}
		lua_getfield(L, idx, keys[i]);
		repr(L, lua_gettop(L), out, depth + 1);
		lua_pop(L, 1);
		free(keys[i]);
	}
	free(keys);
	sbuf_addc(out, '}');
}

static void
repr(lua_State *L, int idx, struct sbuf *out, int depth)
{
	luaL_checkstack(L, 6, "value too deep");
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
	if (lua_isnoneornil(L, t))
		return NULL;
	lua_getfield(L, t, key);
	if (lua_isnil(L, -1))
		return NULL;
	if (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER)
		luaL_error(L, "%s: '%s' must be a string", fn, key);
	return lua_tostring(L, -1);
}

void
lutil_check_keys(lua_State *L, int t, const char *fn, const char *const *known, const char *list)
{
	lua_pushnil(L);
	while (lua_next(L, t)) {
		const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
		int i;
		for (i = 0; k && known[i] && strcmp(known[i], k); i++)
			;
		if (!k || !known[i])
			luaL_error(L, "%s: unknown option '%s' (%s)", fn, luaL_tolstring(L, -2, NULL),
				   list);
		lua_pop(L, 1);
	}
}
