-- baton.rss from a script: run as `baton tests/lua/rss.lua`. Prints TAP lines.
local tap = dofile((arg[0]:match("^(.*)/") or ".") .. "/../tap.lua")
local check = tap.check

local fw = assert(baton.load("fw")):analyze()
local cfg, err = baton.rss.solve(fw, {cores = 8, nic = "i40e"})
check("solve fw on i40e", cfg and cfg.satisfied and cfg.nic == "i40e" and cfg.cores == 8, err)
check("the configuration has DESIGN.md section 9's fields", cfg and #cfg.reta == 512 and
	#cfg.ports.lan.key == 104 and cfg.ports.wan.fields == "ipv4-tcp,ipv4-udp" and
	cfg.quality.rank == 9 and cfg.quality.imbalance_uniform < 1.2 and
	#cfg.quality.fields_reaching_reta == 4)

-- A flow and its reply reach one core, on many random tuples.
local same = true
math.randomseed(3)
for _ = 1, 200 do
	local a = string.format("%d.%d.%d.%d", math.random(0, 255), math.random(0, 255),
		math.random(0, 255), math.random(0, 255))
	local b = string.format("10.0.%d.%d", math.random(0, 255), math.random(0, 255))
	local c, d = math.random(0, 65535), math.random(0, 65535)
	local h1 = baton.rss.hash(cfg, "lan", a, b, c, d)
	local h2 = baton.rss.hash(cfg, "wan", b, a, d, c)
	if h1.index ~= h2.index or h1.core ~= h2.core then same = false end
end
check("fw: H_lan(a,b,c,d) and H_wan(b,a,d,c) give one RETA index", same)

-- What-if: the same NF on every profile and core count stays satisfied.
local all = true
for _, nic in ipairs(baton.rss.nics()) do
	for _, n in ipairs{2, 4, 16} do
		local r = baton.rss.solve(fw, {nic = nic.name, cores = n})
		if not (r and r.satisfied) then all = false end
	end
end
check("fw solves on every profile with 2, 4 and 16 cores", all)

-- A key the user types: the 6d5a key keeps fw (it is symmetric) but breaks pol.
local sym = baton.rss.set(cfg, "all", "key", string.rep("6d5a", 26))
check("the 6d5a key keeps fw's symmetric constraint", baton.rss.check(fw, sym).satisfied)
local q = baton.rss.quality(sym, fw)
check("but its period is reported", q.ports.lan.period == 16, q.ports.lan.period)
local pol = assert(baton.load("pol")):analyze()
local pc = baton.rss.solve(pol)
local bad = baton.rss.check(pol, baton.rss.set(pc, "all", "key", string.rep("6d5a", 26)))
local ex = bad.constraints[1].counterexample
check("pol with the 6d5a key: a counterexample", not bad.satisfied and ex and
	ex[1].dst == ex[2].dst and ex[1].core ~= ex[2].core)

-- Field sets.
local fs = baton.rss.fieldsets(pol)
local by = {}
for _, c in ipairs(fs.candidates) do by[c.letters] = c end
check("pol: the 4-tuple is not full quality, l3-dst-only is", not by.sdfn.full and by.d.full)
check("pol: the recommendation hashes ipv4.dst alone on wan", fs.recommended:match("wan=ipv4,l3%-dst%-only"),
	fs.recommended)
local full = baton.rss.solve(pol, {fields = {wan = "ipv4,l3-dst-only"}})
check("pol solved with wan = l3-dst-only reaches full quality", full.quality.full)

-- Hand-written constraints; errors come back as nil, message or as Lua errors.
local hand = {ports = {"a", "b"}, constraints = {{ports = {"b", "a"}, pairs = {{"ipv4.src/16", "ipv4.dst/16"}}}}}
local hs = baton.rss.solve(hand, {cores = 2})
check("hand-written constraints solve", hs and hs.satisfied)
local r2, e2 = baton.rss.solve(fw, {nic = "e1000"})
check("an unknown NIC is nil, message", r2 == nil and e2:match("unknown NIC profile"), e2)
local r3, e3 = baton.rss.set(cfg, "lan", "key", "00")
check("a short key is nil, message naming the size", r3 == nil and e3:match("52"), e3)
local okc, e4 = pcall(baton.rss.solve, {constraints = {}})
check("an analysis without ports is a Lua error", not okc and tostring(e4):match("ports"), e4)

tap.finish()
