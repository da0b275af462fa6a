-- Misuse of the baton Lua module: every function and method called with wrong types, on closed
-- or stopped objects, with odd option tables, with metamethods that raise or yield, callbacks
-- that fail, re-entrance through baton.cmd, coroutines and finalizers. Each must give a Lua
-- error (or nil, message) that names the function or the argument, never a crash, and leave
-- the state usable. The functions are also listed from the module and its metatables at run
-- time, so a new one without cases here fails the coverage check. The parts that launch a DPDK
-- build (short ones: net_null, stopped at once or after 1 s) skip without one; Ctrl-C (a
-- SIGINT to this process) comes last. Run as `baton tests/lua/misuse.lua`; prints TAP lines.
local tap = dofile((arg[0]:match("^(.*)/") or ".") .. "/../tap.lua")
local check = tap.check

local tmp = (os.getenv("TMPROOT") or "/tmp") .. "/misuse-" .. tostring(os.time()) .. "-" ..
	tostring(math.random(1, 1 << 30))
os.execute("mkdir -p '" .. tmp .. "'")
local reg = debug.getregistry()
local LAN = "192.168.0.0/16"
local GEN = "bidir,flows=100,packets=1000"

local function write(path, text)
	local f = assert(io.open(path, "w"))
	f:write(text)
	f:close()
end

-- A value in a few words (its __tostring is not trusted).
local function show(v)
	if type(v) == "string" then
		return #v > 60 and string.format("%q... (%d bytes)", v:sub(1, 40), #v) or
			string.format("%q", v)
	end
	local ok, s = pcall(tostring, v)
	return ok and s or type(v)
end

-- How a call went: "raised", message | "failed", message (nil, message) | "returned", values.
local function outcome(f, ...)
	local r = table.pack(pcall(f, ...))
	if not r[1] then
		local ok, msg = pcall(tostring, r[2])
		return "raised", ok and msg or type(r[2])
	end
	if r[2] == nil and type(r[3]) == "string" then return "failed", r[3] end
	return "returned", r
end

-- True when the call raised or returned nil, message, the message holding one of 'names'
-- (plain text); else false and what happened.
local function refused(names, f, ...)
	local how, what = outcome(f, ...)
	if how == "returned" then
		local vals = {}
		for i = 2, what.n do vals[#vals + 1] = show(what[i]) end
		return false, "returned " .. table.concat(vals, ", ")
	end
	for _, n in ipairs(names) do
		if what:find(n, 1, true) then return true, what end
	end
	return false, how .. " without naming " .. table.concat(names, " or ") .. ": " .. show(what)
end

local fw = assert(baton.load("fw"))
local an = assert(fw:analyze())
local cfg = assert(baton.rss.solve(an, {cores = 2}))
local trace = tmp .. "/t.pcap"
assert(baton.pcap.gen{kind = "bidir", flows = 50, packets = 500, lan = LAN, out = trace})
local fw_conf = {expiry = fw:get("expiry"), capacity = fw:get("capacity")}

-- The state still works: the shell, the engine, an NF object.
local function usable()
	local ok, out = baton.cmd("echo still here")
	local h = baton.rss.hash(cfg, "lan", "1.2.3.4", "5.6.7.8", 1, 2)
	return ok == true and out == "still here\n" and type(h) == "table" and
		type(h.core) == "number" and fw:get("expiry") == fw_conf.expiry
end

------------------------------------------------------------------------------------------------
-- What the module has: functions by path, methods and metamethods by class.

local listed = {}
local function walk(t, path, seen)
	seen[t] = true
	for k, v in pairs(t) do
		if type(v) == "function" then
			listed[#listed + 1] = path .. "." .. k
		elseif type(v) == "table" and not seen[v] then
			walk(v, path .. "." .. k, seen)
		end
	end
end
walk(baton, "baton", {})
local methods = {}	-- class -> {name -> function}
for _, class in ipairs{"nf", "build", "run"} do
	local mt = reg["baton." .. class]
	local m = {}
	if mt then
		local idx = mt.__index
		if type(idx) == "function" then idx = select(2, debug.getupvalue(idx, 1)) end
		for k, v in pairs(type(idx) == "table" and idx or {}) do
			m[k] = v
			listed[#listed + 1] = class .. ":" .. k
		end
		for k, v in pairs(mt) do
			if type(v) == "function" then
				m[k] = v
				listed[#listed + 1] = class .. "." .. k
			end
		end
	end
	methods[class] = m
end
table.sort(listed)

------------------------------------------------------------------------------------------------
-- DPDK: a nop build, runs to watch, stop and close.

local nop = assert(baton.load("nop"))
local b, berr = baton.emit(nop, "seq", {cores = 1})
local have = b ~= nil
local function skip(name, why)
	print("ok - " .. name .. " # SKIP " .. tostring(why):gsub("\n", " "):sub(1, 120))
end
if not have then skip("DPDK parts", berr) end

local stopped_run, closed_run, closed_build
if have then
	local run, lerr = b:launch{null = true}
	check("launch a null build to watch", run, lerr)
	if run then
		local ok, e = pcall(run.watch, run, 0.05, function() error("callback boom") end)
		check("watch: an error in the callback raises naming run:watch and its message",
		      not ok and tostring(e):find("run:watch", 1, true) and
		      tostring(e):find("callback boom", 1, true), e)
		check("watch: with the callback's traceback", not ok and
		      tostring(e):find("stack traceback", 1, true) and
		      tostring(e):find("misuse.lua", 1, true), e)
		check("watch: the run still runs and answers after", run:running() and
		      type(run:counters()) == "table")

		local seen, last = 0, nil
		local n = run:watch(0.05, function(c)
			seen = seen + 1
			last = c
			if seen == 1 then return nil end	-- nil goes on
			return seen < 3
		end)
		check("watch: false ends it after that sample, nil goes on", n == 3 and seen == 3, n)
		check("watch: the callback gets run:counters()'s table", type(last) == "table" and
		      last.nf == "nop" and last.workers == 1 and type(last.cores) == "table", show(last))

		ok, e = pcall(run.watch, run, 0.05, function() error({}) end)
		check("watch: an error object that is not a string is described", not ok and
		      tostring(e):find("run:watch", 1, true) and tostring(e):find("table", 1, true), e)
		ok, e = pcall(run.watch, run, 0.05, function() error(setmetatable({}, {
			__tostring = function() error("tostring of the error object") end})) end)
		check("watch: even one whose __tostring raises", not ok and
		      tostring(e):find("run:watch", 1, true), e)

		ok, e = coroutine.wrap(function()
			return pcall(run.watch, run, 0.05, function() coroutine.yield(1) end)
		end)()
		check("watch: a yield in the callback is an error, not a jump out of C", ok == false and
		      tostring(e):find("yield", 1, true), e)

		local inner
		n = run:watch(0.05, function()
			inner = run:watch(0.05, function() return false end)
			return false
		end)
		check("watch: a watch inside a watch", n == 1 and inner == 1, tostring(n) .. " " ..
		      tostring(inner))

		local totals
		n = run:watch(0.05, function() totals = run:stop(); return true end)
		check("watch: a callback that stops the run ends the watch", n == 1 and totals and
		      totals.total and not run:running(), n)

		-- A stopped run: every method answers.
		local c, cerr = run:counters()
		check("a stopped run: counters is nil, message", c == nil and type(cerr) == "string" and
		      cerr:find("not running", 1, true), cerr)
		local t2, t2err = run:stop()
		check("a stopped run: stop a second time gives the totals again or nil, message",
		      (type(t2) == "table" and t2.total) or (t2 == nil and type(t2err) == "string"), t2err)
		local st = run:status()
		check("a stopped run: status says it ended", type(st) == "table" and st.running == false and
		      st.nf == "nop")
		check("a stopped run: messages is a string", type(run:messages()) == "string")
		check("a stopped run: running is false", run:running() == false)
		check("a stopped run: watch returns 0 at once", run:watch(0.05, error) == 0)
		stopped_run = run
	end

	-- A watch on a build that ends by itself.
	local r2, e2 = b:launch{null = true, duration = 1}
	check("launch with duration = 1", r2, e2)
	if r2 then
		local t0 = os.time()
		local n = r2:watch(0.1, function() return true end)
		local dt = os.time() - t0
		check("watch: ends when the build ends by itself", n >= 1 and dt <= 8 and
		      not r2:running(), string.format("%d samples in %d s", n, dt))
		local tot = r2:stop()
		check("and its totals are there", type(tot) == "table" and tot.total and
		      tot.total.rx > 0)
	end

	-- A callback that closes the run.
	local r3, e3 = b:launch{null = true}
	check("launch a run to close from a callback", r3, e3)
	if r3 then
		local pid = r3:status().pid
		local n = r3:watch(0.05, function() getmetatable(r3).__close(r3); return true end)
		check("watch: a callback that closes the run ends the watch", n == 1, n)
		check("and the build is gone", not os.execute("kill -0 " .. pid .. " 2>/dev/null"))
		local fails = {}
		for name in pairs(methods.run) do
			if not name:match("^__") then
				local m = assert(load("local r = ...; return r:" .. name .. "(0.1, print)"))
				local ok, why = refused({"closed"}, m, r3)
				local _, e = pcall(m, r3)
				if not ok or not tostring(e):find("'" .. name .. "'", 1, true) then
					fails[#fails + 1] = name .. ": " .. why
				end
			end
		end
		check("a closed run: every method raises 'this run was closed' naming itself",
		      #fails == 0, table.concat(fails, "\n"))
		check("closing it again is fine", pcall(getmetatable(r3).__close, r3))
		closed_run = r3
	end

	-- A closed build.
	local cb = assert(baton.emit(nop, "seq", {cores = 1}))
	getmetatable(cb).__close(cb)
	local ok, why = refused({"launch"}, function() return cb:launch{null = true, duration = 1} end)
	check("a closed build: launch raises naming it", ok, why)
	ok, why = refused({"closed"}, function() return cb:info() end)
	check("a closed build: info raises 'this build was closed'", ok, why)
	closed_build = cb

	-- The build's directory gone.
	local dir = b:info().dir
	local away = dir .. ".away-" .. tostring(math.random(1, 1 << 30))
	if os.rename(dir, away) then
		local r4, e4 = b:launch{null = true, duration = 1}
		check("launch after the build directory is gone: nil, message", r4 == nil and
		      type(e4) == "string" and #e4 > 0, e4)
		if r4 then r4:stop() end
		os.rename(away, dir)
		local r5 = b:launch{null = true, duration = 1}
		check("and it launches again once it is back", r5 and r5:stop())
	else
		skip("launch after the build directory is gone", "cannot rename " .. dir)
	end

	-- A coroutine holding a run, abandoned: the run is stopped when collected.
	local pid = (function()
		local co = coroutine.create(function()
			local r = b:launch{null = true}
			coroutine.yield(r and r:status().pid)
			error("never resumed")
		end)
		return select(2, coroutine.resume(co))
	end)()
	collectgarbage()
	collectgarbage()
	check("an abandoned coroutine's run is stopped when collected", pid and
	      not os.execute("kill -0 " .. pid .. " 2>/dev/null"), pid)

	-- collectgarbage() with live runs.
	local live = b:launch{null = true}
	collectgarbage()
	collectgarbage()
	check("collectgarbage() leaves a live run running", live and live:running() and
	      type(live:counters()) == "table")
	-- A finalizer that stops and closes it, then raises.
	if live then
		local lpid = live:status().pid
		setmetatable({}, {__gc = function()
			live:stop()
			getmetatable(live).__close(live)
			error("raised in a __gc after closing a run")
		end})
		collectgarbage()
		collectgarbage()
		check("a __gc may stop and close a run, then raise", not os.execute("kill -0 " .. lpid ..
		      " 2>/dev/null") and not pcall(live.status, live))
	end
end

------------------------------------------------------------------------------------------------
-- Every function and method with wrong values in each argument.

local co = coroutine.create(function() end)
local closed_nf = assert(baton.load("nop"))
closed_nf:close()
local garbage = {1, "x", {}, [print] = 5, [true] = false}
local common = {{"nil", nil}, {"true", true}, {"a function", print}, {"a coroutine", co},
		{"a file", io.stdout}}
-- The common values and the lists given, less the labels in 'but' (a table of them, first).
local function plus(...)
	local lists, but = {common, ...}, {}
	if lists[2] and lists[2].but then but = lists[2].but; table.remove(lists, 2) end
	local t = {}
	for _, list in ipairs(lists) do
		for _, v in ipairs(list) do
			if not but[v[1]] then t[#t + 1] = v end
		end
	end
	return t
end
local nf_bad = {{"42", 42}, {"a string", "fw"}, {"a table", {}}}
local self_bad = plus(nf_bad, {{"garbage", garbage}})
local bad = {
	string = plus{{"a table", garbage}, {"a zero byte", "fw\0x"}},
	table = plus{{"42", 42}, {"a string", "garbage"}, {"garbage", garbage}},
	opts = plus({but = {["nil"] = true}}, {{"42", 42}, {"a string", "garbage"},
						 {"garbage", garbage}}),
	number = plus{{"a string", "abc"}, {"a table", {}}, {"NaN", 0 / 0}, {"inf", math.huge},
		      {"-inf", -math.huge}, {"-1", -1}, {"maxinteger", math.maxinteger},
		      {"mininteger", math.mininteger}, {"1e308", 1e308}},
	func = plus({but = {["a function"] = true}}, {{"42", 42}, {"a string", "f"}, {"a table", {}},
		    {"a callable table", setmetatable({}, {__call = function() end})}}),
	nf = plus(nf_bad, {{"a closed NF", closed_nf}, {"a run", stopped_run or nil},
			   {"a build", b or nil}}),
	nfany = plus(nf_bad, {{"a build", b or nil}}),
	build = plus(self_bad, {{"an NF", fw}, {"a run", stopped_run or nil},
				{"a closed build", closed_build or nil}}),
	buildany = plus(self_bad, {{"an NF", fw}}),
	run = plus(self_bad, {{"an NF", fw}, {"a build", b or nil},
			      {"a closed run", closed_run or nil}}),
	runany = plus(self_bad, {{"an NF", fw}, {"a build", b or nil}}),
	setkey = plus{{"a zero byte", "expiry\0x"}, {"garbage", garbage}},
	setvalue = plus{{"a table", {}}, {"a zero byte", "6\0 0"}, {"NaN", 0 / 0},
			{"inf", math.huge}, {"-1", -1}, {"maxinteger", math.maxinteger},
			{"1e308", 1e308}, {"empty", ""}},
}
-- The entries whose value could not be made (no DPDK) have a label and no value: drop them.
for _, list in pairs(bad) do
	for i = #list, 1, -1 do
		if list[i][1]:match("^an? [a-z ]+$") and list[i][2] == nil and list[i][1] ~= "nil" then
			table.remove(list, i)
		end
	end
end

-- For each: the kind of each argument (self first for methods), and values that are right, so
-- only the one under test is wrong. Calls with all of them right are not made here.
local stopped_or_nil = stopped_run
local spec = {
	["baton.cmd"] = {kinds = {"string"}, args = {"echo hi"}},
	["baton.commands"] = {noargs = true},
	["baton.nfs"] = {noargs = true},
	["baton.rss.nics"] = {noargs = true},
	["baton.load"] = {kinds = {"string"}, args = {"nop"}},
	["baton.check"] = {kinds = {"table"}, args = {{nf = fw, gen = GEN}}},
	["baton.emit"] = {kinds = {"nf", "string", "opts"}, args = {nop, "seq", {cores = 1}}},
	["baton.sleep"] = {kinds = {"number"}, args = {0}},
	["baton.pcap.info"] = {kinds = {"string"}, args = {trace}},
	["baton.pcap.gen"] = {kinds = {"table"}, args = {{kind = "uniform", out = tmp .. "/g.pcap"}}},
	["baton.rss.solve"] = {kinds = {"table", "opts"}, args = {an, {cores = 2}}},
	["baton.rss.fieldsets"] = {kinds = {"table", "opts"}, args = {an, {}}},
	["baton.rss.check"] = {kinds = {"table", "table"}, args = {an, cfg}},
	["baton.rss.quality"] = {kinds = {"table", "opts"}, args = {cfg, an}},
	["baton.rss.hash"] = {kinds = {"table", "string", "string", "string", "number", "number"},
			      args = {cfg, "lan", "1.2.3.4", "5.6.7.8", 1, 2}},
	["baton.rss.set"] = {kinds = {"table", "string", "string", "string"},
			     args = {cfg, "all", "reta", "0,1"}},
	["baton.rss.balance"] = {kinds = {"table"}, args = {{nf = fw, gen = GEN, lan = LAN}}},
	["nf:set"] = {kinds = {"nf", "setkey", "setvalue"}, args = {fw, "expiry", 60},
		      names = {"expiry"}},
	["nf:get"] = {kinds = {"nf", "string"}, args = {fw, "expiry"}},
	["nf:info"] = {kinds = {"nf"}, args = {fw}},
	["nf:replay"] = {kinds = {"nf", "string", "opts"}, args = {fw, trace, {lan = LAN}}},
	["nf:analyze"] = {kinds = {"nf", "opts"}, args = {fw, {}}},
	["nf:close"] = {kinds = {"nfany"}, args = {fw}},
	["nf.__index"] = {kinds = {"nfany"}, args = {fw, "name"}},
	["nf.__gc"] = {kinds = {"nfany"}, args = {fw}},
	["nf.__close"] = {kinds = {"nfany"}, args = {fw}},
	["nf.__tostring"] = {kinds = {"nfany"}, args = {fw}},
	["build:launch"] = {kinds = {"build", "opts"}, args = {b, {null = true, duration = 1}}},
	["build:info"] = {kinds = {"build"}, args = {b}},
	["build.__gc"] = {kinds = {"buildany"}, args = {b}},
	["build.__close"] = {kinds = {"buildany"}, args = {b}},
	["run:counters"] = {kinds = {"run"}, args = {stopped_or_nil}},
	["run:status"] = {kinds = {"run"}, args = {stopped_or_nil}},
	["run:running"] = {kinds = {"run"}, args = {stopped_or_nil}},
	["run:messages"] = {kinds = {"run"}, args = {stopped_or_nil}},
	["run:stop"] = {kinds = {"run"}, args = {stopped_or_nil}},
	["run:watch"] = {kinds = {"run", "number", "func"},
			 args = {stopped_or_nil, 0.05, function() return false end}},
	["run.__gc"] = {kinds = {"runany"}, args = {stopped_or_nil}},
	["run.__close"] = {kinds = {"runany"}, args = {stopped_or_nil}},
}

local missing = {}
for _, name in ipairs(listed) do
	if not spec[name] then missing[#missing + 1] = name end
end
check("every function and method of the module has misuse cases here (" .. #listed ..
      " listed)", #missing == 0 and #listed >= 39, "no cases for: " .. table.concat(missing, ", "))

-- A caller under the function's own name, so argument errors name it as a user's call would.
local function caller(name)
	local class, sep, short = name:match("^(%a+)([:.])([%w_]+)$")
	if class == "baton" or name:match("^baton%.") then
		short = name:match("([%w_]+)$")
		return assert(load("return " .. name .. "(...)", "=" .. name)), short
	end
	local proxy = {[short] = methods[class][short]}
	local f = assert(load("local t = ...; return t." .. short .. "(select(2, ...))", "=" .. name))
	return function(...) return f(proxy, ...) end, short
end

for _, name in ipairs(listed) do
	local sp = spec[name]
	if sp and sp.noargs then
		local f = caller(name)
		local r = f(42, "junk", garbage, print, co, io.stdout)
		check(name .. " ignores arguments it does not take", type(r) == "table")
	elseif sp and sp.kinds then
		local f, short = caller(name)
		local names = {short, "bad argument", "bad self"}
		for _, n in ipairs(sp.names or {}) do names[#names + 1] = n end
		local n = #sp.kinds
		for pos, kind in ipairs(sp.kinds) do
			local fails, tried = {}, 0
			local ready = true
			for i = 1, n do
				if i ~= pos and sp.args[i] == nil then ready = false end
			end
			if ready then
				for _, bv in ipairs(bad[kind]) do
					local a = table.move(sp.args, 1, n, 1, {})
					a[pos] = bv[2]
					tried = tried + 1
					local ok, why = refused(names, f, table.unpack(a, 1, n))
					if not ok then fails[#fails + 1] = bv[1] .. ": " .. why end
				end
				check(string.format("%s argument %d (%s): %d wrong values refused, naming it", name,
						    pos, kind, tried), #fails == 0, table.concat(fails, "\n"))
			else
				skip(string.format("%s argument %d (%s)", name, pos, kind), "needs a DPDK run")
			end
		end
		fw:set(fw_conf)
		check(name .. ": the state is usable after", usable())
	end
end
check("the NF's configuration is as it was", fw:get("expiry") == fw_conf.expiry and
      fw:get("capacity") == fw_conf.capacity)

------------------------------------------------------------------------------------------------
-- Options: unknown keys, wrong types, NaN, infinities, overflow, zero bytes.

local function each(cases, prefix)
	for _, c in ipairs(cases) do
		local ok, why = refused(c[3], c[2])
		check(prefix .. ": " .. c[1], ok, why)
	end
end

local cyclic = {}
cyclic.self = cyclic
local deep = {}
do
	local t = deep
	for _ = 1, 1000 do t.x = {}; t = t.x end
end
local function chk(o)
	return function() local t = {nf = fw, gen = GEN}; for k, v in pairs(o) do t[k] = v end;
		return baton.check(t) end
end
each({
	{"an unknown option", chk{colour = 1}, {"colour"}},
	{"an option name that is not a string", chk{[1] = 2}, {"option names"}},
	{"an option name with a zero byte", chk{["gen\0x"] = 1}, {"unknown option"}},
	{"cores = NaN", chk{cores = 0 / 0}, {"cores"}},
	{"cores = 1e300", chk{cores = 1e300}, {"cores"}},
	{"cores = -1", chk{cores = -1}, {"cores"}},
	{"cores = 2.5", chk{cores = 2.5}, {"cores"}},
	{"cores = maxinteger", chk{cores = math.maxinteger}, {"cores"}},
	{"cores = 'x'", chk{cores = "x"}, {"cores"}},
	{"nf = 42", chk{nf = 42}, {"nf"}},
	{"nf = a closed NF", chk{nf = closed_nf}, {"closed"}},
	{"nf = a file", chk{nf = io.stdout}, {"nf"}},
	{"pcap = {}", function() return baton.check{nf = fw, pcap = {}} end, {"pcap"}},
	{"gen with a zero byte", chk{gen = "bidir\0x"}, {"gen"}},
	{"lan = true", chk{lan = true}, {"lan"}},
	{"lan and port", chk{lan = LAN, port = "lan"}, {"exclude"}},
	{"config = 5", chk{config = 5}, {"config"}},
	{"analysis = 'x'", chk{analysis = "x"}, {"analysis"}},
	{"config with NaN", chk{config = {cores = 0 / 0, ports = cfg.ports}}, {"finite"}},
	{"config cyclic", chk{config = cyclic}, {"nested too deep"}},
	{"config nested 1000 deep", chk{config = deep}, {"nested too deep"}},
	{"config with a function", chk{config = {ports = print}}, {"function"}},
	{"a huge gen spec", chk{gen = string.rep("x", 100000)}, {"x"}},
}, "baton.check")
each({
	{"an unknown option", function() return baton.rss.balance{nf = fw, gen = GEN, colour = 1} end,
	 {"colour"}},
	{"analysis cyclic", function() return baton.rss.balance{nf = fw, gen = GEN,
		analysis = cyclic} end, {"nested too deep"}},
	{"nf missing", function() return baton.rss.balance{gen = GEN} end, {"nf"}},
}, "baton.rss.balance")

local function emit(o) return function() return baton.emit(nop, "seq", o) end end
each({
	{"an unknown option", emit{colour = 1}, {"colour"}},
	{"cores = NaN", emit{cores = 0 / 0}, {"cores"}},
	{"cores = 1e300", emit{cores = 1e300}, {"cores"}},
	{"cores = -1", emit{cores = -1}, {"cores"}},
	{"cores = 2.5", emit{cores = 2.5}, {"cores"}},
	{"cores = 65", emit{cores = 65}, {"cores"}},
	{"cores = 'x'", emit{cores = "x"}, {"cores"}},
	{"config = 5", emit{config = 5}, {"config"}},
	{"analysis = 'x'", emit{analysis = "x"}, {"analysis"}},
	{"config cyclic", emit{config = cyclic}, {"nested too deep"}},
	{"analysis with a zero byte", emit{analysis = {ports = {"lan\0x", "wan"}}}, {"zero byte"}},
	{"a mode that is no mode", function() return baton.emit(nop, "fast") end, {"fast"}},
	{"a huge mode", function() return baton.emit(nop, string.rep("m", 100000)) end, {"m"}},
}, "baton.emit")

local function an_opts(o) return function() return fw:analyze(o) end end
each({
	{"an unknown option", an_opts{colour = 1}, {"colour"}},
	{"len_min = NaN", an_opts{len_min = 0 / 0}, {"len_min"}},
	{"len_min = inf", an_opts{len_min = math.huge}, {"len_min"}},
	{"len_min = -1", an_opts{len_min = -1}, {"len_min"}},
	{"len_min = 0", an_opts{len_min = 0}, {"len_min"}},
	{"len_max = 2^53", an_opts{len_max = 2 ^ 53}, {"len_max"}},
	{"max_paths = maxinteger", an_opts{max_paths = math.maxinteger}, {"max_paths"}},
	{"len_min = 'x'", an_opts{len_min = "x"}, {"len_min"}},
	{"len_min over len_max", an_opts{len_min = 200, len_max = 100}, {"len_min"}},
}, "nf:analyze")

local function rp(o) return function() return fw:replay(trace, o) end end
each({
	{"an unknown option", rp{colour = 1}, {"colour"}},
	{"lan = {}", rp{lan = {}}, {"lan"}},
	{"lan with a zero byte", rp{lan = "10.0.0.0/8\0x"}, {"lan"}},
	{"out = true", rp{out = true}, {"out"}},
	{"lan and port", rp{lan = LAN, port = "lan"}, {"exclude"}},
	{"a huge pcap name", function() return fw:replay(string.rep("p", 100000)) end, {"p"}},
}, "nf:replay")

local rr, rmsg = fw:replay(trace, {lan = LAN, out = tmp .. "/" .. string.rep("o", 100000)})
check("nf:replay: a huge out prefix gives nil or the counts, and a message", (rr == nil or
      type(rr) == "table") and type(rmsg) == "string", rmsg)

local function solve(o) return function() return baton.rss.solve(an, o) end end
each({
	{"an unknown option", solve{colour = 1}, {"colour"}},
	{"an option name that is not a string", solve{[1] = 2}, {"option names"}},
	{"cores = NaN", solve{cores = 0 / 0}, {"cores"}},
	{"cores = -1", solve{cores = -1}, {"cores"}},
	{"cores = 2^40", solve{cores = 2 ^ 40}, {"cores"}},
	{"cores = maxinteger", solve{cores = math.maxinteger}, {"cores"}},
	{"cores = 'x'", solve{cores = "x"}, {"cores"}},
	{"seed = -1", solve{seed = -1}, {"seed"}},
	{"reta_size = 3", solve{reta_size = 3}, {"3"}},
	{"nic = 5", solve{nic = 5}, {"nic"}},
	{"nic with a zero byte", solve{nic = "i40e\0x"}, {"nic"}},
	{"nic unknown", solve{nic = "e1000"}, {"e1000"}},
	{"fields = 5", solve{fields = 5}, {"fields"}},
	{"fields = {lan = 5}", solve{fields = {lan = 5}}, {"fields.lan"}},
	{"fields with a zero byte", solve{fields = "ipv4\0x"}, {"fields"}},
}, "baton.rss.solve")
each({
	{"an unknown option", function() return baton.rss.fieldsets(an, {colour = 1}) end,
	 {"colour"}},
}, "baton.rss.fieldsets")
local fs_ok = baton.rss.solve(an, {cores = 2, fields = setmetatable({}, {
	__index = function() error("not read") end})})
check("baton.rss.solve: a fields table's __index is not called", fs_ok and fs_ok.satisfied)

local function gen(o) return function()
	local t = {kind = "uniform", packets = 10, out = tmp .. "/g.pcap"}
	for k, v in pairs(o) do t[k] = v end
	return baton.pcap.gen(t)
end end
each({
	{"an unknown option", gen{colour = 1}, {"colour"}},
	{"an option name that is not a string", gen{[1] = 2}, {"option names"}},
	{"flows = NaN", gen{flows = 0 / 0}, {"flows"}},
	{"flows = -1", gen{flows = -1}, {"flows"}},
	{"flows = 1e300", gen{flows = 1e300}, {"flows"}},
	{"flows = maxinteger", gen{flows = math.maxinteger}, {"flows"}},
	{"packets = 2^63", gen{packets = 2 ^ 63}, {"packets"}},
	{"flows = {}", gen{flows = {}}, {"flows"}},
	{"flows with a zero byte", gen{flows = "10\0x"}, {"flows"}},
	{"kind = 5", gen{kind = 5}, {"kind"}},
	{"a huge kind", gen{kind = string.rep("k", 100000)}, {"kind"}},
	{"out = {}", gen{out = {}}, {"out"}},
	{"out with a zero byte", gen{out = tmp .. "/g.pcap\0x"}, {"out"}},
	{"a huge out path", gen{out = tmp .. "/" .. string.rep("g", 100000)}, {"g"}},
}, "baton.pcap.gen")

each({
	{"a key that is not a string", function() return fw:set{[1] = 2} end, {"keys"}},
	{"capacity = NaN", function() return fw:set{capacity = 0 / 0} end, {"capacity"}},
	{"capacity = {}", function() return fw:set{capacity = {}} end, {"capacity"}},
	{"a key with a zero byte", function() return fw:set{["capacity\0x"] = 1} end, {"zero byte"}},
	{"a huge key", function() return fw:set(string.rep("k", 100000), 1) end, {"k"}},
	{"a huge value", function() return fw:set("capacity", string.rep("9", 100000)) end,
	 {"capacity"}},
	{"get a huge key", function() return fw:get(string.rep("k", 100000)) end, {"key"}},
}, "nf:set")
fw:set(fw_conf)

each({
	{"a huge name", function() return baton.load(string.rep("n", 100000)) end, {"n"}},
	{"a name with a zero byte", function() return baton.load("fw\0x") end, {"load"}},
	{"pcap.info of a huge path", function() return baton.pcap.info(string.rep("p", 100000)) end,
	 {"p"}},
	{"rss.hash with a huge port name", function() return baton.rss.hash(cfg,
		string.rep("p", 100000), "1.2.3.4", "5.6.7.8", 1, 2) end, {"p"}},
	{"rss.hash with a huge address", function() return baton.rss.hash(cfg, "lan",
		string.rep("1", 100000), "5.6.7.8", 1, 2) end, {"hash"}},
	{"rss.hash sport = maxinteger", function() return baton.rss.hash(cfg, "lan", "1.2.3.4",
		"5.6.7.8", math.maxinteger, 2) end, {"hash"}},
	{"rss.hash dport = 2.5", function() return baton.rss.hash(cfg, "lan", "1.2.3.4",
		"5.6.7.8", 1, 2.5) end, {"hash"}},
	{"rss.set a huge key", function() return baton.rss.set(cfg, "all", "key",
		string.rep("ab", 50000)) end, {"key"}},
	{"rss.set a huge port", function() return baton.rss.set(cfg, string.rep("p", 100000),
		"key", "00") end, {"p"}},
	{"rss.quality of a config with inf", function() return baton.rss.quality({cores = math.huge,
		ports = cfg.ports}) end, {"finite"}},
	{"rss.check with a cyclic config", function() return baton.rss.check(an, cyclic) end,
	 {"nested too deep"}},
	{"rss.solve of an analysis nested 1000 deep", function() return baton.rss.solve(deep) end,
	 {"nested too deep"}},
	{"rss.solve of an analysis with holes", function() return baton.rss.solve{
		ports = {"lan", nil, "wan"}} end, {"solve"}},
	{"rss.solve of an analysis whose metamethods raise", function() return baton.rss.solve(
		setmetatable({}, {__index = function() error("metamethod ran") end,
				  __pairs = function() error("metamethod ran") end,
				  __len = function() error("metamethod ran") end})) end, {"ports"}},
	{"rss.solve of a table of 10000 keys", function()
		local t = {}
		for i = 1, 10000 do t["k" .. i] = i end
		return baton.rss.solve(t) end, {"ports"}},
	{"cmd with a zero byte", function() return baton.cmd("echo a\0rm -rf /") end, {"cmd"}},
}, "values")
local copy = {}
for k, v in pairs(an) do copy[k] = v end
local solved = baton.rss.solve(setmetatable(copy, {__pairs = function() error("not used") end}),
			       {cores = 2})
check("an analysis with a raising __pairs still solves (read raw)", solved and solved.satisfied)
local long_ok, long_out = baton.cmd(string.rep("x", 1000000))
check("baton.cmd of a 1 MB line: false and the error", long_ok == false and
      long_out:find("^error:"), long_out and long_out:sub(1, 80))
check("the state is usable after the option cases", usable())

------------------------------------------------------------------------------------------------
-- Metamethods of the user's that raise, yield, or close the object being used.

local raising = setmetatable({}, {__index = function(_, k) error("__index raised for " .. k) end})
each({
	{"check", function() return baton.check(setmetatable({nf = fw, gen = GEN},
		getmetatable(raising))) end, {"__index raised"}},
	{"replay", function() return fw:replay(trace, raising) end, {"__index raised"}},
	{"analyze", function() return fw:analyze(raising) end, {"__index raised"}},
	{"emit", function() return baton.emit(nop, "seq", raising) end, {"__index raised"}},
	{"an option key whose __tostring raises", function() return fw:analyze{[setmetatable({}, {
		__tostring = function() error("key tostring") end})] = 1} end, {"key tostring",
		"analyze"}},
	{"check with such a key", function() return baton.check{nf = fw, gen = GEN,
		[setmetatable({}, {__tostring = function() error("key tostring") end})] = 1} end,
	 {"option names"}},
}, "a raising __index")
if have then
	each({
		{"launch", function() return b:launch(raising) end, {"__index raised"}},
		{"launch eal with a raising __len", function() return b:launch{null = true,
			eal = setmetatable({}, {__len = function() error("__len raised") end})} end,
		 {"__len raised"}},
		{"launch eal with a huge __len", function() return b:launch{null = true,
			eal = setmetatable({}, {__len = function() return 1e9 end})} end, {"eal"}},
		{"launch eal with a __len that is not a number", function() return b:launch{
			null = true, eal = setmetatable({}, {__len = function() return "x" end})} end,
		 {"length"}},
		{"launch eal of 300 strings", function()
			local e = {}
			for i = 1, 300 do e[i] = "--log-level=" .. i end
			return b:launch{null = true, eal = e} end, {"eal"}},
		{"launch eal not strings", function() return b:launch{null = true, eal = {1, 2}} end,
		 {"eal"}},
		{"launch eal with a zero byte", function() return b:launch{null = true,
			eal = {"--vdev=net_null0\0x"}} end, {"eal"}},
		{"launch eal = 'x'", function() return b:launch{null = true, eal = "x"} end, {"eal"}},
		{"launch duration = NaN", function() return b:launch{null = true, duration = 0 / 0} end,
		 {"duration"}},
		{"launch duration = inf", function() return b:launch{null = true, duration = math.huge}
		 end, {"duration"}},
		{"launch duration = -1", function() return b:launch{null = true, duration = -1} end,
		 {"duration"}},
		{"launch stats = 1e300", function() return b:launch{null = true, stats = 1e300} end,
		 {"stats"}},
		{"launch flows = 2.5", function() return b:launch{null = true, flows = 2.5} end,
		 {"flows"}},
		{"launch flows = 2^40", function() return b:launch{null = true, flows = 2 ^ 40} end,
		 {"flows"}},
		{"launch flows without null", function() return b:launch{flows = 5} end, {"flows"}},
		{"launch loop without pcap", function() return b:launch{loop = true} end, {"pcap"}},
		{"launch an unknown option", function() return b:launch{colour = 1} end, {"colour"}},
		{"launch a huge pcap name", function() return b:launch{pcap = string.rep("p", 100000)}
		 end, {"p"}},
	}, "build:launch")
end
local y_ok, y_err = coroutine.wrap(function()
	return pcall(fw.replay, fw, trace, setmetatable({}, {__index = function()
		coroutine.yield("escaped") end}))
end)()
check("an __index that yields: an error, not a jump out of C", y_ok == false and
      tostring(y_err):find("yield", 1, true), y_err)
if have then
	y_ok, y_err = coroutine.wrap(function()
		return pcall(b.launch, b, {null = true, eal = setmetatable({}, {__len = function()
			coroutine.yield("escaped") end})})
	end)()
	check("an eal whose __len yields: an error, not a jump out of C", y_ok == false and
	      tostring(y_err):find("yield", 1, true), y_err)
end
check("the state is usable after the metamethod cases", usable())

-- Metamethods that close the object a function is using.
local victim = assert(baton.load("fw"))
local closer = setmetatable({}, {__index = function() victim:close() end})
local ok, why = refused({"closed"}, function() return victim:replay(trace, closer) end)
check("nf:replay whose options close the NF: refused", ok, why)
victim = assert(baton.load("fw"))
ok, why = refused({"closed"}, function() return victim:analyze(closer) end)
check("nf:analyze whose options close the NF: refused", ok, why)
victim = assert(baton.load("fw"))
ok, why = refused({"closed"}, function() return baton.check(setmetatable({nf = victim, gen = GEN},
	getmetatable(closer))) end)
check("baton.check whose options close the NF: refused", ok, why)
victim = assert(baton.load("nop"))
ok, why = refused({"closed"}, function() return baton.emit(victim, "seq", closer) end)
check("baton.emit whose options close the NF: refused", ok, why)
if have then
	local vb = assert(baton.emit(nop, "seq", {cores = 1}))
	ok, why = refused({"closed"}, function() return vb:launch(setmetatable({}, {
		__index = function() getmetatable(vb).__close(vb) end})) end)
	check("build:launch whose options close the build: refused", ok, why)
	victim = assert(baton.load("nop"))
	vb = assert(baton.emit(victim, "seq", {cores = 1}))
	ok, why = refused({"closed"}, function() return vb:launch(setmetatable({pcap = trace}, {
		__index = function() victim:close() end})) end)
	check("build:launch whose options close its NF: refused", ok, why)
end

-- A closed NF: every method says so and names itself; close, tostring and fields stay safe.
local cn = assert(baton.load("nop"))
cn:close()
local fails = {}
for _, m in ipairs{"set", "get", "info", "replay", "analyze"} do
	local call = assert(load("local o = ...; return o:" .. m .. "('x', 'y')"))
	local okm, whym = refused({"closed"}, call, cn)
	local okn = select(2, pcall(call, cn)):find("'" .. m .. "'", 1, true)
	if not okm or not okn then fails[#fails + 1] = m .. ": " .. whym end
end
check("a closed NF: every method raises naming itself and 'closed'", #fails == 0,
      table.concat(fails, "\n"))
check("a closed NF: close again, tostring and fields are safe", pcall(cn.close, cn) and
      tostring(cn) == "baton.nf (closed)" and cn.name == nil and cn[1] == nil and cn[{}] == nil)
getmetatable(cn).__gc(cn)
check("a closed NF: its __gc by hand is safe", true)

------------------------------------------------------------------------------------------------
-- Printing, re-entrance through baton.cmd, coroutines and finalizers.

local bad_ts = setmetatable({}, {__tostring = function() error("tostring boom") end})
ok, why = refused({"tostring boom"}, print, "a", bad_ts)
check("print: a __tostring that raises is an error", ok, why)
ok, why = refused({"__tostring"}, print, setmetatable({}, {__tostring = function() return {} end}))
check("print: a __tostring that returns no string is an error", ok, why)

-- The shell prints an expression's values; a __tostring met there used to end the process.
debug.setmetatable(print, {__tostring = function() error("function tostring boom") end})
local p_ok, p_out = baton.cmd("lua print")
local p2_ok, p2_out = baton.cmd("lua {1, {print}, [print] = 2}")
debug.setmetatable(print, {__tostring = coroutine.yield})
local p3_ok, p3_out = baton.cmd("lua print")
debug.setmetatable(print, nil)
check("the shell printing a value whose __tostring raises: an error, not a panic",
      p_ok == false and p_out:find("function tostring boom", 1, true), p_out)
check("also inside tables, as keys and values", p2_ok == false and
      p2_out:find("function tostring boom", 1, true), p2_out)
check("and a __tostring that yields", p3_ok == false and p3_out:find("yield", 1, true), p3_out)
-- A __tostring that empties the table being printed and collects.
_G.printed = {}
for i = 1, 50 do printed["key" .. i] = i end
printed[print] = "f"
debug.setmetatable(print, {__tostring = function()
	for k in pairs(printed) do printed[k] = nil end
	collectgarbage()
	return "f"
end})
local e_ok, e_out = baton.cmd("lua printed")
debug.setmetatable(print, nil)
_G.printed = nil
check("printing a table that its element's __tostring empties", e_ok == true and
      e_out:find("^{"), e_out)
local many_ok, many_out = baton.cmd("lua table.unpack({}, 1, 5000)")
check("the shell printing 5000 values", many_ok and select(2, many_out:gsub("nil", "")) == 5000)
local cyc_ok, cyc_out = baton.cmd("lua local c = {}; c.c = c; c[c] = c; return c")
check("the shell printing a cyclic table", cyc_ok and cyc_out:find("{...}", 1, true), cyc_out)

ok, why = baton.cmd("lua error('inner failure')")
check("baton.cmd of a chunk that raises: false and the message", ok == false and
      why:find("inner failure", 1, true), why)
ok, why = baton.cmd("lua baton.cmd('lua error(\"deeper\")')")
check("nested: the inner failure is a value of the outer chunk", ok == true and
      why:find("false", 1, true) and why:find("deeper", 1, true), why)
_G.depth = 0
function _G.recurse()
	depth = depth + 1
	return baton.cmd("lua recurse()")
end
ok, why = recurse()
check("baton.cmd nested until the shell refuses", ok == true and depth > 4 and
      why:find("too deep", 1, true), depth)
_G.recurse, _G.depth = nil, nil
ok, why = coroutine.wrap(function() return baton.cmd("lua error('in a coroutine')") end)()
check("baton.cmd from a coroutine, its chunk raising", ok == false and
      why:find("in a coroutine", 1, true), why)
ok, why = coroutine.wrap(function() return baton.cmd("lua coroutine.yield(1)") end)()
check("a chunk of baton.cmd cannot yield the coroutine that called it", ok == false and
      why:find("yield", 1, true), why)
ok, why = baton.cmd("lua -f " .. tmp .. "/missing.lua")
check("lua -f of a missing file: false and its name", ok == false and
      why:find("missing.lua", 1, true), why)

-- lua -f: 300 arguments (past the stack the state starts with) and a _G refusing new keys.
local args_lua = tmp .. "/args.lua"
write(args_lua, 'print(select("#", ...), #arg, arg[300])\n')
local saved_arg = arg
rawset(_G, "arg", nil)
setmetatable(_G, {__newindex = function(_, k) error("no new globals: " .. tostring(k)) end})
local a_ok, a_out = baton.cmd("lua -f " .. args_lua .. string.rep(" a", 299) .. " last")
setmetatable(_G, nil)
rawset(_G, "arg", saved_arg)
check("lua -f with 300 arguments and a _G whose __newindex raises", a_ok and
      a_out == "300\t300\tlast\n", a_out)
check("the state is usable after re-entrance", usable())

-- Finalizers.
setmetatable({}, {__gc = function() error("raised in a __gc") end})
collectgarbage()
collectgarbage()
check("an error in a __gc is no crash", usable())
local from_gc
setmetatable({}, {__gc = function()
	from_gc = table.pack(baton.cmd("echo from a gc"))
	baton.rss.nics()
	error("raised after using baton")
end})
collectgarbage()
collectgarbage()
check("a __gc may use baton, then raise", from_gc and from_gc[1] == true and
      from_gc[2] == "from a gc\n")
local n_gc = 0
for _ = 1, 50 do
	setmetatable({}, {__gc = function() n_gc = n_gc + 1; baton.load("nop"):close(); error("x") end})
end
collectgarbage()
collectgarbage()
check("50 raising finalizers that load NFs", n_gc == 50 and usable(), n_gc)

-- In a child shell: finalizers that use baton while the state closes, and 300 arguments.
local bin = os.getenv("BATON")
if bin then
	local child = tmp .. "/atclose.lua"
	write(child, [[
keep = setmetatable({}, {__gc = function()
	local ok, out = baton.cmd("lua print('from the last gc')")
	io.write(out)
	error("raised while the state closes")
end})
nf = baton.load("fw")
print("end of script", select("#", ...))
]])
	local p = io.popen("'" .. bin .. "' '" .. child .. "'" .. string.rep(" x", 300) .. " 2>&1")
	local out = p:read("a")
	local closed_ok, _, code = p:close()
	check("a child shell: finalizers using baton while the state closes, 300 arguments",
	      closed_ok and out:find("end of script\t300", 1, true) and
	      out:find("from the last gc", 1, true), tostring(code) .. ": " .. out)
else
	skip("a child shell", "BATON is not set (run through tests/run.sh)")
end

------------------------------------------------------------------------------------------------
-- Ctrl-C ends a watch: last, since the stop flag stays set for the rest of this script.

if have then
	local run = b:launch{null = true}
	if run then
		local samples = 0
		local t0 = os.time()
		os.execute("(sleep 1; kill -INT $PPID) >/dev/null 2>&1 &")
		local wok, werr = pcall(run.watch, run, 0.1, function()
			samples = samples + 1
			return samples < 150
		end)
		local dt = os.time() - t0
		check("Ctrl-C ends a watch", samples >= 1 and samples < 150 and dt <= 8,
		      string.format("%d samples in %d s (%s, %s)", samples, dt, tostring(wok),
				    tostring(werr)))
		check("and the run is left running, and stops", run:running() and
		      type(run:stop()) == "table")
	end
end

os.execute("rm -rf '" .. tmp .. "'")
tap.finish()
