#include "lua/lrss.h"

#include <lauxlib.h>
#include <string.h>

#include "engine/portmap.h"
#include "engine/rss.h"
#include "lua/lutil.h"

/* The analysis at 'idx' (a table) as constraints. No Lua error (nothing may leak past one):
** -1 with the message in 'e'. */
static int
get_cons(lua_State *L, int idx, const char *fn, struct rss_cons *c, struct err *e)
{
	struct val *v = lutil_to_val(L, idx, e);

	if (!v || rss_cons_from_val(v, c, e) < 0) {
		val_free(v);
		err_prefix(e, "%s: the analysis", fn);
		return -1;
	}
	val_free(v);
	return 0;
}

static struct rss_config *
get_config(lua_State *L, int idx, const char *fn, struct err *e)
{
	struct val *v = lutil_to_val(L, idx, e);
	struct rss_config *c = v ? rss_config_from_val(v, e) : NULL;

	val_free(v);
	if (!c)
		err_prefix(e, "%s: the configuration", fn);
	return c;
}

/* The same, raising the Lua error: only where nothing else is held yet. */
static void
check_cons(lua_State *L, int idx, const char *fn, struct rss_cons *c)
{
	struct err e = ERR_INIT;

	luaL_checktype(L, idx, LUA_TTABLE);
	if (get_cons(L, idx, fn, c, &e) < 0)
		luaL_error(L, "%s", e.msg);
}

static struct rss_config *
check_config(lua_State *L, int idx, const char *fn)
{
	struct err e = ERR_INIT;
	struct rss_config *c;

	luaL_checktype(L, idx, LUA_TTABLE);
	if (!(c = get_config(L, idx, fn, &e)))
		luaL_error(L, "%s", e.msg);
	return c;
}

/* The string at 'idx', or NULL when it is not one or has a zero byte (no conversion: the
** value may be under lua_next). */
static const char *
cstr(lua_State *L, int idx)
{
	size_t n;
	const char *s = lua_type(L, idx) == LUA_TSTRING ? lua_tolstring(L, idx, &n) : NULL;

	return s && strlen(s) == n ? s : NULL;
}

/* {cores = N, nic = NAME, reta_size = N, seed = N, fields = SET | {PORT = SET, ...}}. Called
** with the constraints held: reads raw, so no metamethod of the user's runs (none may raise). */
static int
solve_opts(lua_State *L, int idx, const struct rss_cons *c, struct rss_solve_opts *o,
	   struct err *e)
{
	memset(o, 0, sizeof *o);
	if (lua_isnoneornil(L, idx))
		return 0;
	if (!lua_istable(L, idx))
		return err_set(e, -EINVAL, "options must be a table, not a %s",
			       luaL_typename(L, idx));
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		const char *k = cstr(L, -2);
		bool num;

		if (!k) {
			err_set(e, -EINVAL, "option names must be strings, not a %s",
				luaL_typename(L, -2));
			lua_pop(L, 2);
			return e->code;
		}
		num = !strcmp(k, "cores") || !strcmp(k, "reta_size") || !strcmp(k, "seed");

		if (num) {
			lua_Integer n = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : -1;

			if (n < 1 || n > 0xffffffffLL) {
				lua_pop(L, 2);
				return err_set(e, -EINVAL, "'%s' must be a whole number of 1 or more", k);
			}
			if (!strcmp(k, "cores"))
				o->cores = (unsigned)n;
			else if (!strcmp(k, "reta_size"))
				o->reta_size = (unsigned)n;
			else
				o->seed = (uint64_t)n;
		} else if (!strcmp(k, "nic")) {
			if (!cstr(L, -1) || !(o->nic = nic_find(cstr(L, -1), e))) {
				lua_pop(L, 2);
				return e->code ? e->code : err_set(e, -EINVAL, "'nic' must be a name");
			}
		} else if (!strcmp(k, "fields")) {
			struct fieldset fs;

			for (unsigned p = 0; p < c->n_ports; p++)
				o->fs[p] = FIELDSET_DEFAULT;
			o->fields_given = true;
			if (lua_type(L, -1) == LUA_TSTRING) {
				if (!cstr(L, -1)) {
					lua_pop(L, 2);
					return err_set(e, -EINVAL, "'fields' contains a zero byte");
				}
				if (fieldset_parse(lua_tostring(L, -1), &fs, e) < 0) {
					lua_pop(L, 2);
					return -1;
				}
				for (unsigned p = 0; p < c->n_ports; p++)
					o->fs[p] = fs;
			} else if (lua_istable(L, -1)) {
				for (unsigned p = 0; p < c->n_ports; p++) {
					lua_pushstring(L, c->ports[p]);
					lua_rawget(L, -2);
					if (!lua_isnil(L, -1) && !cstr(L, -1)) {
						lua_pop(L, 3);
						return err_set(e, -EINVAL, "'fields.%s' must be a set "
							       "(a string)", c->ports[p]);
					}
					if (cstr(L, -1) &&
					    fieldset_parse(lua_tostring(L, -1), &o->fs[p], e) < 0) {
						lua_pop(L, 3);
						return -1;
					}
					lua_pop(L, 1);
				}
			} else {
				lua_pop(L, 2);
				return err_set(e, -EINVAL, "'fields' must be a set or {PORT = SET, ...}");
			}
		} else {
			lua_pop(L, 2);
			return err_set(e, -EINVAL, "unknown option '%s' (cores, nic, fields, reta_size, "
				       "seed)", k);
		}
		lua_pop(L, 1);
	}
	return 0;
}

static int
push_val(lua_State *L, struct val *v)
{
	lutil_push_val_free(L, v);
	return 1;
}

/* baton.rss.nics() -> list of profiles */
static int
l_nics(lua_State *L)
{
	return push_val(L, rss_nics_val());
}

/* baton.rss.solve(analysis [, opts]) -> configuration with quality, satisfied, check */
static int
l_solve(lua_State *L)
{
	struct rss_cons c;
	struct rss_solve_opts o;
	struct rss_solution s;
	struct rss_check chk;
	struct err e = ERR_INIT;
	struct val *v;

	if (!lua_isnoneornil(L, 2))
		luaL_checktype(L, 2, LUA_TTABLE);
	check_cons(L, 1, "baton.rss.solve", &c);
	if (solve_opts(L, 2, &c, &o, &e) < 0) {
		rss_cons_release(&c);
		err_prefix(&e, "baton.rss.solve");
		return lutil_fail(L, e.msg);
	}
	if (rss_solve(&c, &o, &s, &e) < 0) {
		rss_cons_release(&c);
		return lutil_fail(L, e.msg);
	}
	rss_check_run(s.cfg, &c, &chk);
	v = rss_solution_val(&s);
	val_set_bool(v, "satisfied", chk.satisfied && s.satisfiable);
	val_set(v, "check", rss_check_val(s.cfg, &c, &chk));
	rss_check_release(&chk);
	rss_solution_release(&s);
	rss_cons_release(&c);
	return push_val(L, v);
}

/* baton.rss.fieldsets(analysis [, opts]) -> {candidates, recommended, why} */
static int
l_fieldsets(lua_State *L)
{
	struct rss_cons c;
	struct rss_solve_opts o;
	struct rss_fieldsets f;
	struct err e = ERR_INIT;
	struct val *v;

	if (!lua_isnoneornil(L, 2))
		luaL_checktype(L, 2, LUA_TTABLE);
	check_cons(L, 1, "baton.rss.fieldsets", &c);
	if (solve_opts(L, 2, &c, &o, &e) < 0) {
		rss_cons_release(&c);
		err_prefix(&e, "baton.rss.fieldsets");
		return lutil_fail(L, e.msg);
	}
	if (rss_fieldsets_run(&c, &o, &f, &e) < 0) {
		rss_cons_release(&c);
		return lutil_fail(L, e.msg);
	}
	v = rss_fieldsets_val(&f);
	rss_fieldsets_release(&f);
	rss_cons_release(&c);
	return push_val(L, v);
}

/* baton.rss.check(analysis, config) -> {satisfied, constraints = {{holds, counterexample}}} */
static int
l_check(lua_State *L)
{
	struct rss_cons c;
	struct rss_config *cfg;
	struct rss_check r;
	struct val *v;

	struct err e = ERR_INIT;

	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checktype(L, 2, LUA_TTABLE);
	check_cons(L, 1, "baton.rss.check", &c);
	if (!(cfg = get_config(L, 2, "baton.rss.check", &e))) {
		rss_cons_release(&c);
		return luaL_error(L, "%s", e.msg);
	}
	if (cfg->n_ports != c.n_ports) {
		rss_config_free(cfg);
		rss_cons_release(&c);
		return lutil_fail(L, "baton.rss.check: the configuration and the analysis have "
				  "different ports");
	}
	rss_check_run(cfg, &c, &r);
	v = rss_check_val(cfg, &c, &r);
	rss_check_release(&r);
	rss_config_free(cfg);
	rss_cons_release(&c);
	return push_val(L, v);
}

/* baton.rss.quality(config [, analysis]) -> quality */
static int
l_quality(lua_State *L)
{
	struct rss_config *cfg;
	struct rss_cons c;
	struct rss_quality q;
	bool has = !lua_isnoneornil(L, 2);
	struct err e = ERR_INIT;
	struct val *v;

	if (has)
		luaL_checktype(L, 2, LUA_TTABLE);
	cfg = check_config(L, 1, "baton.rss.quality");
	if (has && get_cons(L, 2, "baton.rss.quality", &c, &e) < 0) {
		rss_config_free(cfg);
		return luaL_error(L, "%s", e.msg);
	}
	rss_quality(cfg, has ? &c : NULL, &q);
	v = rss_quality_val(cfg, &q);
	if (has)
		rss_cons_release(&c);
	rss_config_free(cfg);
	return push_val(L, v);
}

static uint32_t
check_ip(lua_State *L, int idx)
{
	const char *s = lutil_checkcstr(L, idx);
	uint32_t a, mask;

	if (strchr(s, '/') || portmap_parse_cidr(s, &a, &mask, NULL) < 0)
		luaL_error(L, "baton.rss.hash: '%s' is not an IPv4 address", s);
	return a;
}

/* baton.rss.hash(config, port, src, dst, sport, dport) -> {hash, index, core} */
static int
l_hash(lua_State *L)
{
	/* Arguments first: a Lua error must not leave the configuration behind. */
	const char *pname = lutil_checkcstr(L, 2);
	uint32_t src = check_ip(L, 3), dst = check_ip(L, 4);
	lua_Integer sp = luaL_checkinteger(L, 5), dp = luaL_checkinteger(L, 6);
	struct rss_config *cfg;
	struct err e = ERR_INIT;
	struct rss_hit h;
	int port;

	luaL_argcheck(L, sp >= 0 && sp <= 65535, 5, "not a port number");
	luaL_argcheck(L, dp >= 0 && dp <= 65535, 6, "not a port number");
	cfg = check_config(L, 1, "baton.rss.hash");
	if ((port = rss_port_find(cfg, pname, &e)) < 0) {
		rss_config_free(cfg);
		return lutil_fail(L, e.msg);
	}
	h = rss_hash(cfg, (unsigned)port, src, dst, (uint16_t)sp, (uint16_t)dp);
	rss_config_free(cfg);
	lua_createtable(L, 0, 3);
	lua_pushinteger(L, h.hash);
	lua_setfield(L, -2, "hash");
	lua_pushinteger(L, h.index);
	lua_setfield(L, -2, "index");
	lua_pushinteger(L, h.core);
	lua_setfield(L, -2, "core");
	return 1;
}

/* baton.rss.set(config, port|"all", "key"|"fields"|"reta", value) -> new configuration */
static int
l_set(lua_State *L)
{
	const char *port = lutil_checkcstr(L, 2), *what = lutil_checkcstr(L, 3);
	const char *value = lutil_checkcstr(L, 4);
	struct rss_config *cfg = check_config(L, 1, "baton.rss.set");
	struct err e = ERR_INIT;
	int p = -1, rc;
	struct val *v;

	if (strcmp(port, "all") && (p = rss_port_find(cfg, port, &e)) < 0)
		rc = -1;
	else if (!strcmp(what, "key"))
		rc = rss_set_key(cfg, p, value, &e);
	else if (!strcmp(what, "fields"))
		rc = rss_set_fields(cfg, p, value, &e);
	else if (!strcmp(what, "reta"))
		rc = rss_set_reta(cfg, p, value, &e);
	else
		rc = err_set(&e, -1, "baton.rss.set: '%s' is not key, fields or reta", what);
	if (rc < 0) {
		rss_config_free(cfg);
		return lutil_fail(L, e.msg);
	}
	v = rss_config_val(cfg);
	rss_config_free(cfg);
	return push_val(L, v);
}

static const luaL_Reg rss_funcs[] = {
	{ "nics", l_nics },
	{ "solve", l_solve },
	{ "fieldsets", l_fieldsets },
	{ "check", l_check },
	{ "quality", l_quality },
	{ "hash", l_hash },
	{ "set", l_set },
	{ NULL, NULL },
};

void
lrss_open(lua_State *L)
{
	luaL_newlib(L, rss_funcs);
}
