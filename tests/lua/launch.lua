-- Emitted parallel builds on DPDK virtual ports (engine/emit.c, engine/launch.c, nfs/dpdk):
-- fw and nat in each mode on net_pcap with a generated bidirectional trace. Every packet is
-- accounted for; each sn queue sends exactly what 'check' predicts for that core; seq and
-- locks send what the sequential replay sends; locks on a churn trace with 2 workers gives the
-- replay's verdict counts; bridge and lb run as locks builds; telemetry answers while it
-- runs. Run as `baton tests/lua/launch.lua`; prints TAP lines.
local tap = dofile((arg[0]:match("^(.*)/") or ".") .. "/../tap.lua")
local check = tap.check

local tmp = os.getenv("TMPROOT") or "/tmp"
local dir = tmp .. "/launch-lua-" .. tostring(os.time()) .. "-" .. tostring(math.random(1e6))
os.execute("mkdir -p " .. dir)
local lan = "192.168.0.0/16"

-- The frames of a classic pcap, in order (timestamps ignored).
local function frames(path)
	local f = io.open(path, "rb")
	if not f then return nil end
	local data = f:read("a")
	f:close()
	local magic = string.unpack("<I4", data, 1)
	local endian = (magic == 0xa1b2c3d4 or magic == 0xa1b23c4d) and "<" or ">"
	local out, pos = {}, 25
	while pos + 16 <= #data do
		local _, _, caplen = string.unpack(endian .. "I4I4I4", data, pos)
		out[#out + 1] = data:sub(pos + 16, pos + 15 + caplen)
		pos = pos + 16 + caplen
	end
	return out
end

local function same_list(a, b)
	if not a or not b or #a ~= #b then return false end
	for i = 1, #a do if a[i] ~= b[i] then return false end end
	return true
end

local function sorted(t)
	local c = {}
	for i, v in ipairs(t) do c[i] = v end
	table.sort(c)
	return c
end

-- Waits until the build has received 'n' packets (or 20 s), then stops it.
local function run_to_end(run, n)
	local c
	for _ = 1, 400 do
		c = run:counters()
		if not c or c.total.rx >= n then break end
		baton.sleep(0.05)
	end
	return run:stop(), c
end

local trace = dir .. "/bidir.pcap"
assert(baton.pcap.gen{kind = "bidir", flows = 200, packets = 4000, out = trace})
local churn = dir .. "/churn.pcap"
assert(baton.pcap.gen{kind = "churn", flows = 200, rate = 2000, duration = 0.5, pps = 8000,
		      out = churn})

for _, name in ipairs{"fw", "nat"} do
	local nf = assert(baton.load(name))
	local an = assert(nf:analyze())
	local cfg = assert(baton.rss.solve(an, {cores = 2}))
	local pred = assert(baton.check{nf = nf, pcap = trace, lan = lan, config = cfg,
					analysis = an, out = dir .. "/pred-" .. name})
	local rep = assert(nf:replay(trace, {lan = lan, out = dir .. "/rep-" .. name}))

	for _, mode in ipairs{"seq", "sn", "locks"} do
		local cores = mode == "seq" and 1 or 2
		local what = name .. " " .. mode .. " " .. cores
		local b, err = baton.emit(nf, mode, {cores = cores, config = cfg, analysis = an})
		check(what .. ": emits and builds", b, err)
		if not b then goto next end
		local run, lerr = b:launch{pcap = trace, lan = lan}
		check(what .. ": launches", run, lerr)
		if not run then goto next end
		local t, last = run_to_end(run, 4000)
		check(what .. ": stop gives totals", t, last)
		if not t then goto next end
		local tot = t.total
		check(what .. ": every packet received", tot.rx == 4000, tot.rx)
		check(what .. ": nothing unaccounted", t.accounted and
		      tot.rx == tot.tx + tot.drops + tot.floods + tot.tx_fail,
		      string.format("rx %d tx %d drops %d floods %d tx_fail %d", tot.rx, tot.tx,
				    tot.drops, tot.floods, tot.tx_fail))
		check(what .. ": verdict counts as the sequential replay", tot.drops ==
		      rep.verdicts.drop and tot.tx == rep.verdicts.lan + rep.verdicts.wan,
		      string.format("build tx %d drops %d, replay lan %d wan %d drop %d", tot.tx,
				    tot.drops, rep.verdicts.lan, rep.verdicts.wan, rep.verdicts.drop))
		local info = b:info()
		if mode == "sn" then
			-- Queue k of each port sends what check's core-k instance sent there.
			local same, why = true, ""
			for k = 0, 1 do
				local rx = t["core" .. k].rx
				if rx ~= pred.per_core[k + 1].packets then
					same = false
					why = why .. string.format(" core %d rx %d, check %d;", k, rx,
								   pred.per_core[k + 1].packets)
				end
				for _, port in ipairs{"lan", "wan"} do
					local got = frames(info.dir .. "/run/out-" .. port .. "-q" .. k ..
							   ".pcap")
					local want = frames(dir .. "/pred-" .. name .. "-core" .. k ..
							    "-" .. port .. ".pcap")
					if not same_list(got, want) then
						same = false
						why = why .. string.format(" core %d %s: %d frames, check %d;",
							k, port, got and #got or -1, want and #want or -1)
					end
				end
			end
			check(what .. ": each queue sends what check predicts for its core", same, why)
		else
			-- One shared state: the same frames as the replay (for fw also the same bytes;
			-- nat's external ports depend on the order cores allocate them).
			for _, port in ipairs{"lan", "wan"} do
				local got = {}
				for k = 0, cores - 1 do
					for _, fr in ipairs(frames(info.dir .. "/run/out-" .. port .. "-q" ..
								   k .. ".pcap") or {}) do
						got[#got + 1] = fr
					end
				end
				local want = frames(dir .. "/rep-" .. name .. "-" .. port .. ".pcap")
				if name == "fw" or mode == "seq" then
					check(what .. ": frames to " .. port .. " as the replay's",
					      same_list(sorted(got), sorted(want or {})),
					      string.format("%d frames, replay %d", #got, want and #want or -1))
				else
					check(what .. ": as many frames to " .. port .. " as the replay",
					      #got == #(want or {}), string.format("%d vs %d", #got,
					      want and #want or -1))
				end
			end
		end
		::next::
	end

	-- locks with 2 workers on churn: new flows all the time, so writes and aborts.
	local crep = assert(nf:replay(churn, {port = "lan"}))
	local b = baton.emit(nf, "locks", {cores = 2, config = cfg, analysis = an})
	local run = b and b:launch{pcap = churn, port = "lan"}
	local t = run and run_to_end(run, crep.packets)
	check(name .. " locks 2 on churn: verdict counts as the sequential replay", t and
	      t.total.rx == crep.packets and t.total.drops == crep.verdicts.drop and
	      t.total.tx == crep.verdicts.lan + crep.verdicts.wan,
	      t and string.format("rx %d tx %d drops %d; replay %d packets, drop %d", t.total.rx,
				  t.total.tx, t.total.drops, crep.packets, crep.verdicts.drop))
	check(name .. " locks 2 on churn: writes took the write lock", t and
	      t.total.write_locks > 0 and t.total.aborts == t.total.write_locks,
	      t and string.format("aborts %d write_locks %d", t.total.aborts, t.total.write_locks))
end

-- bridge and lb have locks verdicts: sn is refused, locks runs and forwards. With 2 workers
-- the order between cores is free, so what is checked holds in any order: bridge sends every
-- frame to the other port unchanged (lan hosts stay on lan, wan hosts on wan); lb sends lan's
-- frames to wan unchanged, and each wan flow to one backend (a lan source), rewritten.
local function ipv4(fr, off) return string.format("%d.%d.%d.%d", fr:byte(off + 1, off + 4)) end
local function union(paths)
	local all = {}
	for _, p in ipairs(paths) do
		for _, fr in ipairs(frames(p) or {}) do all[#all + 1] = fr end
	end
	return all
end

for _, name in ipairs{"bridge", "lb"} do
	local nf = assert(baton.load(name))
	local an = assert(nf:analyze())
	local b, err = baton.emit(nf, "sn", {cores = 2, analysis = an})
	check(name .. ": sn refused with the reason", not b and err and err:find("verdict is locks"),
	      err)
	b, err = baton.emit(nf, "locks", {cores = 2, analysis = an})
	check(name .. " locks 2: builds", b, err)
	local run = b and b:launch{pcap = trace, lan = lan}
	local t = run and run_to_end(run, 4000)
	check(name .. " locks 2: every packet accounted", t and t.total.rx == 4000 and t.accounted,
	      t and t.total.rx)
	if not t then goto next end
	local rd = b:info().dir .. "/run/"
	local in_lan = union{rd .. "in-lan-q0.pcap", rd .. "in-lan-q1.pcap"}
	local in_wan = union{rd .. "in-wan-q0.pcap", rd .. "in-wan-q1.pcap"}
	local out_lan = union{rd .. "out-lan-q0.pcap", rd .. "out-lan-q1.pcap"}
	local out_wan = union{rd .. "out-wan-q0.pcap", rd .. "out-wan-q1.pcap"}
	check(name .. " locks 2: lan's frames reach wan unchanged",
	      same_list(sorted(out_wan), sorted(in_lan)), #out_wan .. " vs " .. #in_lan)
	check(name .. " locks 2: took write locks", t.total.write_locks > 0, t.total.write_locks)
	if name == "bridge" then
		check("bridge locks 2: wan's frames reach lan unchanged",
		      same_list(sorted(out_lan), sorted(in_wan)), #out_lan .. " vs " .. #in_wan)
	else
		local backends, flows, bad = {}, {}, 0
		for _, fr in ipairs(in_lan) do backends[ipv4(fr, 26)] = true end
		for _, fr in ipairs(out_lan) do
			local key = ipv4(fr, 26) .. fr:sub(35, 38) .. fr:sub(24, 24)
			local be = ipv4(fr, 30)
			if not backends[be] or (flows[key] and flows[key] ~= be) then bad = bad + 1 end
			flows[key] = be
		end
		check("lb locks 2: wan flows go to one live backend each", bad == 0 and
		      #out_lan > 0 and #out_lan + t.total.drops == #in_wan,
		      string.format("%d bad, %d sent to lan, %d dropped, %d from wan", bad, #out_lan,
				    t.total.drops, #in_wan))
	end
	::next::
end

os.execute("rm -rf " .. dir)
tap.finish()
