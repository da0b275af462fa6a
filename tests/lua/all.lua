-- The baton Lua module from a script: run as `baton tests/lua/all.lua`. Prints TAP lines.
local tap = dofile((arg[0]:match("^(.*)/") or ".") .. "/../tap.lua")
local check = tap.check

local tmp = (os.getenv("TMPROOT") or "/tmp") .. "/lua-" .. tostring(os.time()) .. "-" ..
	tostring(math.random(1, 1 << 30))
os.execute("mkdir -p '" .. tmp .. "'")

-- The module is preloaded and global.
check("require 'baton' is the global baton", require("baton") == baton)
check("baton.version is a version string", type(baton.version) == "string" and
	baton.version:match("^%d+%.%d+%.%d+$"), baton.version)

-- baton.cmd and baton.commands
local ok, out = baton.cmd("echo a b")
check("baton.cmd returns true and the output", ok == true and out == "a b\n", out)
ok, out = baton.cmd("definitely-not-a-command")
check("baton.cmd returns false and the error", ok == false and
	out:match("^error: unknown command 'definitely%-not%-a%-command'"), out)
ok, out = baton.cmd("lua print('inner')")
check("print inside baton.cmd is captured", ok and out == "inner\n", out)
ok, out = baton.cmd("lua error('inner failure')")
check("a Lua error inside baton.cmd is returned, not raised", ok == false and
	out:match("inner failure"), out)
local cmds = baton.commands()
local names = {}
for _, c in ipairs(cmds) do names[c.name] = c end
check("baton.commands lists help, lua and pcap", names.help and names.lua and names.pcap)
check("baton.commands gives usage and summary", names.pcap and names.pcap.usage and
	names.pcap.summary and #names.pcap.sub == 2)

-- baton.pcap.gen and baton.pcap.info agree
local f = tmp .. "/u.pcap"
local r, err = baton.pcap.gen{kind = "uniform", flows = 123, packets = 1000, seed = 5, out = f}
check("pcap.gen writes a uniform trace", r and r.packets == 1000 and r.flows == 123, err)
local info = baton.pcap.info(f)
check("pcap.info reads it back", info and info.packets == 1000, info)
check("a uniform trace of N flows has N distinct 5-tuples", info and info.five_tuples == 123,
	info and info.five_tuples)
check("generated frames are 64 bytes", info and info.bytes == 64000 and info.avg_size == 64)

local g = tmp .. "/u2.pcap"
baton.pcap.gen{kind = "uniform", flows = 123, packets = 1000, seed = 5, out = g}
local a, b = io.open(f, "rb"):read("a"), io.open(g, "rb"):read("a")
check("the same seed gives the same bytes", a == b)
baton.pcap.gen{kind = "uniform", flows = 123, packets = 1000, seed = 6, out = g}
b = io.open(g, "rb"):read("a")
check("another seed gives other bytes", a ~= b and #a == #b)

-- Failures return nil, message; misuse raises.
r, err = baton.pcap.gen{kind = "uniform", flows = "lots", out = f}
check("a bad option returns nil and names it", r == nil and err:match("%-%-flows"), err)
r, err = baton.pcap.gen{kind = "uniform"}
check("a missing out returns nil and says so", r == nil and err:match("out"), err)
r, err = baton.pcap.gen{flows = 10, out = f}
check("a missing kind returns nil and says so", r == nil and err:match("kind"), err)
r, err = baton.pcap.gen{kind = "churn", rate = 10, packets = 5, out = f}
check("an option that does not apply is refused", r == nil and err:match("packets"), err)
r, err = baton.pcap.info(tmp .. "/missing.pcap")
check("pcap.info on a missing file returns nil, message", r == nil and err:match("missing.pcap"), err)
local okcall, e = pcall(baton.pcap.gen, "not a table")
check("pcap.gen with a non-table raises", not okcall and tostring(e):match("table expected"), e)
okcall, e = pcall(baton.pcap.gen, {kind = "uniform", out = f, flows = {}})
check("a table-valued option raises", not okcall and tostring(e):match("flows"), e)

-- A truncated file: the statistics so far, then the message.
local whole = io.open(f, "rb"):read("a")
local cut = tmp .. "/cut.pcap"
local h = io.open(cut, "wb"); h:write(whole:sub(1, 24 + 80 * 10 + 30)); h:close()
local part, msg = baton.pcap.info(cut)
check("a truncated file gives the packets before the break", part and part.packets == 10 and
	part.truncated_file == true, part and part.packets)
check("and names the packet where it broke", msg and msg:match("packet 11"), msg)

-- The other kinds through Lua.
r = baton.pcap.gen{kind = "bidir", flows = 50, packets = 500, lan = "10.1.0.0/16", out = g}
info = baton.pcap.info(g)
check("bidir traces have replies", r and info.bidir_conversations > 0 and info.conversations == 50,
	info and info.conversations)
r = baton.pcap.gen{kind = "zipf", flows = 1000, packets = 20000, zipf = 1.2, out = g}
check("zipf writes", r and r.packets == 20000)
r = baton.pcap.gen{kind = "churn", flows = 100, rate = 1000, duration = 0.5, pps = 10000, out = g}
info = baton.pcap.info(g)
check("churn has flows + rate * duration flows", r and info.five_tuples == 600,
	info and info.five_tuples)

-- NFs: baton.load, set, get, info and replay mirror the shell.
local fw, lerr = baton.load("fw")
check("baton.load returns an NF object", fw and fw.name == "fw" and fw.ports[1] == "lan" and
	fw.ports[2] == "wan", lerr)
check("its configuration reads as a table", fw and fw.config[1].key == "capacity" and
	fw:get("expiry") == "60")
g = tmp .. "/nf.pcap"
baton.pcap.gen{kind = "bidir", flows = 64, packets = 1000, lan = "10.0.0.0/8", out = g}
local rr = fw:replay(g, {lan = "10.0.0.0/8"})
check("nf:replay returns the counts", rr and rr.packets == 1000 and
	rr.verdicts.lan + rr.verdicts.wan + rr.verdicts.drop + rr.verdicts.flood == 1000, rr)
check("fw forwards every lan packet", rr and rr.per_port.lan.wan == rr.per_port.lan.packets)
local small, serr = fw:set("capacity", 1)
local short = small and small:replay(g, {lan = "10.0.0.0/8"})
check("nf:set chains, and a one-flow table drops replies of the other flows", short and
	short.verdicts.drop > rr.verdicts.drop, serr or short)
fw:set{capacity = 65536}
r, err = fw:set{capacity = "lots"}
check("a refused value returns nil and the reason", r == nil and err:match("capacity=lots"), err)
check("and changes nothing", fw:get("capacity") == "65536")
r, err = fw:set("nosuch", 1)
check("an unknown key returns nil and lists the keys", r == nil and err:match("keys: capacity expiry"), err)
r, err = fw:replay(g, {lan = "10.0.0.0/33"})
check("a bad CIDR returns nil and the reason", r == nil and err:match("0%.%.32"), err)
r, err = fw:replay(tmp .. "/missing.pcap")
check("a missing trace returns nil and names it", r == nil and err:match("missing.pcap"), err)
r, err = baton.load("no-such-nf")
check("an unknown NF returns nil and the bundled list", r == nil and err:match("bundled:.*fw"), err)
local names = baton.nfs()
local listed = err:match("bundled:([^;)]*)")
check("baton.nfs lists the bundled NFs, sorted, as load's refusal does",
	table.concat(names, " ") == listed:gsub("^%s+", ""):gsub("%s+$", "") and #names >= 10,
	table.concat(names, " ") .. " / " .. listed)
local nat = baton.load("nat")
local nr = nat:replay(g, {lan = "10.0.0.0/8"})
check("two NFs live side by side, each with its own state", nr and nr.rewritten > 0 and
	fw:replay(g, {lan = "10.0.0.0/8"}).rewritten == 0)
nat:close()
okcall, e = pcall(function() return nat:replay(g) end)
check("a closed NF raises when used", not okcall and tostring(e):match("closed"), e)
okcall, e = pcall(function() return fw:replay(g, "lan") end)
check("options that are not a table raise", not okcall and tostring(e):match("table expected"), e)

-- nf:analyze: the same result fields as 'analyze --json' (DESIGN.md section 9).
local afw = baton.load("fw")
local an, aerr = afw:analyze()
check("nf:analyze returns the analysis of fw", an and an.nf == "fw" and an.paths > 0 and
	#an.path_list == an.paths, aerr)
check("with its objects by name", an and an.objects.flows and an.objects.flows.kind == "map" and
	an.objects.ages and an.objects.ages.kind == "dchain")
local function writes_src(a)
	for _, k in ipairs(a and a.objects.flows.keys or {}) do
		if k.op == "write" then
			for _, fld in ipairs(k.fields) do
				if fld == "ipv4.src[0]" then return true end
			end
		end
	end
	return false
end
check("and an access that writes flows keyed by ipv4.src[0]", writes_src(an))
-- the decision rides along: verdict, reasons, constraints as {ports, pairs}
local function cross(a)
	for _, c in ipairs(a and a.constraints or {}) do
		if c.ports[1] == "lan" and c.ports[2] == "wan" then
			for _, p in ipairs(c.pairs) do
				if p[1] == "ipv4.src" and p[2] == "ipv4.dst" then return c.symmetric end
			end
		end
	end
	return false
end
check("nf:analyze carries the verdict and reasons", an and an.verdict == "shared-nothing" and
	type(an.reasons) == "table")
check("and the symmetric lan-wan constraint of fw", cross(an))
check("and each port's hashable fields and the graph", an and #an.shard_fields.lan == 4 and
	#an.graph > 0 and an.graph[1].from and an.graph[1].to and an.graph[1].site)
local abr = baton.load("bridge"):analyze()
check("bridge's verdict is locks, with a reason naming macs", abr and abr.verdict == "locks" and
	abr.reasons[1]:match("^macs: keyed by eth%.src") ~= nil, abr and abr.reasons[1])
an, aerr = afw:analyze{len_min = 100, len_max = 200, max_paths = 1000}
check("nf:analyze takes len_min, len_max and max_paths", an and an.paths > 0, aerr)
an, aerr = afw:analyze{max_paths = 1}
check("a limit hit returns nil and the message with a source line", an == nil and
	tostring(aerr):match("fw%.c:%d+"), aerr)
check("nf:set then nf:analyze analyzes the new configuration", afw:set("capacity", 16) and
	afw:analyze().objects.flows.capacity == 16)
okcall, e = pcall(afw.analyze, afw, {max_path = 3})
check("an unknown option raises and lists the options", not okcall and
	tostring(e):match("max_path.*len_min"), e)
okcall, e = pcall(afw.analyze, afw, {len_min = 200, len_max = 100})
check("len_min over len_max raises", not okcall and tostring(e):match("len_min"), e)
okcall, e = pcall(afw.analyze, afw, {len_min = "short"})
check("a non-number option raises", not okcall and tostring(e):match("len_min"), e)
okcall, e = pcall(afw.analyze, afw, "fast")
check("nf:analyze options that are not a table raise", not okcall and tostring(e):match("table expected"), e)
afw:close()
okcall, e = pcall(afw.analyze, afw)
check("nf:analyze on a closed NF raises", not okcall and tostring(e):match("closed"), e)

os.execute("rm -rf '" .. tmp .. "'")
tap.finish()
