-- make bench: every figure of DESIGN.md section 11 measured in one run, repeated, as one table
-- (min / median / max over the runs, the target and median / target) on stdout and the same,
-- every raw sample included, as JSON. Nothing is asserted: the machines are shared and noisy.
--   baton tests/bench/bench.lua        (tests/bench/run.sh sets the environment)
-- Environment:
--   BENCH_RUNS         runs of each figure (default 5, and 3 for the emitted builds, which
--                      take BENCH_SECONDS each; BENCH_QUICK: 1)
--   BENCH_LAUNCH_RUNS  runs of each emitted build, when it should differ from BENCH_RUNS
--   BENCH_SECONDS      seconds each build runs (default 2; BENCH_QUICK: 0.3)
--   BENCH_NFS          NFs whose builds are launched (default "fw pol")
--   BENCH_QUICK=1      a smoke run: one run of everything, short runs, small traces
--   BENCH_JSON         where the JSON goes (default build/bench.json)
--   BENCH_TMP          a scratch folder for generated traces (default /tmp)
--   BATON_CACHE        the NF cache; analysis runs cold only when it is set (bitcode removed
--                      before each run)
--   TOEPLITZ_BENCH     the C Toeplitz microbenchmark (tests/bench/toeplitz.c)
-- Every run is interleaved with the others of its kind (run 1 of every configuration, then
-- run 2, ...), so a burst of noise from other processes hits them alike; a ratio figure pairs
-- the runs of the same round.

local getenv = os.getenv
local QUICK = getenv("BENCH_QUICK") == "1"
local function env_num(name, default)
	local v = tonumber(getenv(name) or "")
	return v or default
end
local RUNS = math.max(1, math.floor(env_num("BENCH_RUNS", QUICK and 1 or 5)))
local LRUNS = math.max(1, math.floor(env_num("BENCH_LAUNCH_RUNS",
	env_num("BENCH_RUNS", QUICK and 1 or 3))))
local SECS = env_num("BENCH_SECONDS", QUICK and 0.3 or 2)
local JSON_OUT = getenv("BENCH_JSON") or "build/bench.json"
local TMP = getenv("BENCH_TMP") or "/tmp"
local CACHE = getenv("BATON_CACHE")
local TOEPLITZ = getenv("TOEPLITZ_BENCH")
local LAUNCH_NFS = {}
for w in (getenv("BENCH_NFS") or "fw pol"):gmatch("%S+") do LAUNCH_NFS[#LAUNCH_NFS + 1] = w end

local LAN = "192.168.0.0/16"
local CHECK_NFS = { "fw", "nat" }
local CHECK_FLOWS = 10000
local CHECK_PACKETS = QUICK and 100000 or 1000000
local TOEPLITZ_TUPLES = QUICK and 262144 or 2097152
-- Emitted builds: net_null stamps NULL_FLOWS flows in all (split over the workers) on lan;
-- net_pcap loops a bidir trace of PCAP_FLOWS flows. The looped trace is small because
-- net_pcap's infinite_rx copies the whole file into the worker's mbuf pool (about 4800 mbufs).
local NULL_FLOWS = 1000
local PCAP_FLOWS, PCAP_PACKETS = 1000, 2048
-- Churn: a looped trace repeats its flows every few hundred microseconds, and fw forgets a
-- flow only after 'expiry' seconds (at least 1), so looping alone makes no new flows after the
-- first pass. The churn builds instead get a table that holds 90% of the flows the traffic
-- cycles through: the lan packets of the other flows keep asking for a slot, and each such
-- packet aborts its read run and takes the write lock, as a new flow does. The write share is
-- measured (write locks / packets) and shown.
local CHURN_NF = "fw"
local CHURN_CAPACITY = math.floor(NULL_FLOWS * 0.9)
local CHURN_PCAP = "pcaps/churn.pcap"

local t_start = os.time()
local function progress(fmt, ...)
	io.stderr:write(string.format("bench: [%3d s] ", os.time() - t_start) .. string.format(fmt, ...) .. "\n")
	io.stderr:flush()
end

---------------------------------------------------------------------------------------------
-- Figures

local figures, by_name, groups = {}, {}, {}

-- figure(name, {group, unit, target = {op, value}, note, higher_better}) registers a row.
local function figure(name, o)
	assert(not by_name[name], "figure " .. name .. " twice")
	local f = {
		name = name, group = o.group, unit = o.unit, target = o.target, note = o.note,
		by_round = {}, detail = {}, errors = {}, ratio_of = o.ratio_of,
		read_mostly_of = o.read_mostly_of,
	}
	if not groups[o.group] then
		groups[o.group] = true
		groups[#groups + 1] = o.group
	end
	figures[#figures + 1] = f
	by_name[name] = f
	return f
end

local function sample(name, round, v, detail)
	local f = assert(by_name[name], name)
	f.by_round[round] = v
	if detail then f.detail[round] = detail end
end

local function failed(name, msg)
	local f = assert(by_name[name], name)
	msg = tostring(msg):gsub("\n.*", "")
	for _, m in ipairs(f.errors) do
		if m == msg then return end
	end
	f.errors[#f.errors + 1] = msg
end

local function sorted(t)
	local s = {}
	for i, v in ipairs(t) do s[i] = v end
	table.sort(s)
	return s
end

local function median(t)
	local s, n = sorted(t), #t
	if n == 0 then return nil end
	if n % 2 == 1 then return s[(n + 1) // 2] end
	return (s[n // 2] + s[n // 2 + 1]) / 2
end

local function values(f)
	local rounds, v = {}, {}
	for r in pairs(f.by_round) do rounds[#rounds + 1] = r end
	table.sort(rounds)
	for i, r in ipairs(rounds) do v[i] = f.by_round[r] end
	return v, rounds
end

-- Fills min, median, max, ratio (median / target) and ok; ratio figures (A / B) first pair
-- the runs of each round, and their median is median(A) / median(B).
local function summarise(f)
	-- A target for read-mostly traffic holds only where the traffic was read-mostly.
	local rm = f.read_mostly_of and by_name[f.read_mostly_of]
	if rm and f.target then
		local shares = {}
		for _, d in pairs(rm.detail) do shares[#shares + 1] = d.write_share end
		local share = median(shares)
		if share and share > 0.01 then
			f.note = string.format("no target: %.0f%% of %s's packets took the write lock, " ..
				"so the traffic is not read-mostly", 100 * share, rm.name)
			f.target_dropped = f.target
			f.target = nil
		end
	end
	if f.ratio_of then
		local a, b = by_name[f.ratio_of[1]], by_name[f.ratio_of[2]]
		for r, va in pairs(a.by_round) do
			local vb = b.by_round[r]
			if vb and vb > 0 then f.by_round[r] = va / vb end
		end
		local ma, mb = median(values(a)), median(values(b))
		if ma and mb and mb > 0 then f.median = ma / mb end
		if not next(f.by_round) then
			failed(f.name, "no run of " .. a.name .. " and " .. b.name .. " to compare")
		end
	end
	f.samples, f.rounds = values(f)
	local s = sorted(f.samples)
	f.runs = #s
	if #s > 0 then
		f.min, f.max = s[1], s[#s]
		f.median = f.median or median(s)
	end
	if f.median and f.target then
		f.ratio = f.median / f.target.value
		local op, v = f.target.op, f.target.value
		f.ok = (op == "<" and f.median < v) or (op == "<=" and f.median <= v) or
			(op == ">=" and f.median >= v) or (op == ">" and f.median > v)
	end
end

---------------------------------------------------------------------------------------------
-- Small helpers

local function sh(cmd)
	local p = io.popen(cmd .. " 2>/dev/null")
	if not p then return "" end
	local out = p:read("a") or ""
	p:close()
	return (out:gsub("%s+$", ""))
end

local function quote(s)
	return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local function read_file(path)
	local f = io.open(path)
	if not f then return nil end
	local s = f:read("a")
	f:close()
	return s
end

local function fmt(v)
	if v == nil then return "-" end
	local a = math.abs(v)
	if a >= 1000 then return string.format("%.0f", v) end
	if a >= 100 then return string.format("%.1f", v) end
	if a >= 10 then return string.format("%.2f", v) end
	if a >= 1 then return string.format("%.3f", v) end
	if a == 0 then return "0" end
	return string.format("%.4f", v)
end

---------------------------------------------------------------------------------------------
-- The machine

local function machine()
	local m = {}
	local cpuinfo = read_file("/proc/cpuinfo") or ""
	m.cpu_model = cpuinfo:match("model name%s*:%s*([^\n]+)") or sh("uname -p")
	m.cpu_family = tonumber(cpuinfo:match("cpu family%s*:%s*(%d+)") or "")
	m.cpu_model_number = tonumber(cpuinfo:match("\nmodel%s*:%s*(%d+)") or "")
	m.cpu_mhz = tonumber(cpuinfo:match("cpu MHz%s*:%s*([%d.]+)") or "")
	m.cpus_online = (read_file("/sys/devices/system/cpu/online") or ""):gsub("%s+$", "")
	m.cpus_online_count = 0
	for a, b in m.cpus_online:gmatch("(%d+)%-?(%d*)") do
		m.cpus_online_count = m.cpus_online_count + (b ~= "" and tonumber(b) - tonumber(a) + 1 or 1)
	end
	m.cpus_usable = tonumber(sh("nproc"))
	m.hypervisor = sh("lscpu | sed -n 's/^Hypervisor vendor: *//p'")
	if m.hypervisor == "" then m.hypervisor = nil end
	local mem = (read_file("/proc/meminfo") or ""):match("MemTotal:%s*(%d+)")
	m.memory_gib = mem and tonumber(mem) / 1048576
	m.kernel = sh("uname -sr")
	m.debian = (read_file("/etc/debian_version") or ""):gsub("%s+$", "")
	m.dpdk = sh("pkg-config --modversion libdpdk")
	m.llvm = sh("llvm-config-14 --version")
	m.z3 = sh("pkg-config --modversion z3")
	m.gcc = sh("gcc -dumpfullversion")
	m.lua = _VERSION
	m.baton = baton.version
	m.git_revision = sh("git rev-parse --short=12 HEAD")
	local dirty = sh("git status --porcelain --untracked-files=no")
	m.git_dirty = dirty ~= ""
	m.git_changed_files = 0
	for _ in dirty:gmatch("[^\n]+") do m.git_changed_files = m.git_changed_files + 1 end
	m.date = os.date("!%Y-%m-%dT%H:%M:%SZ")
	m.loadavg_start = (read_file("/proc/loadavg") or ""):match("^(%S+ %S+ %S+)")
	m.eal = "--no-pci --no-huge -m 512, a --file-prefix per run, net_null and net_pcap vdevs"
	return m
end

---------------------------------------------------------------------------------------------
-- JSON (baton has no encoder for Lua values): objects with sorted keys, arrays for sequences

local ARRAY = {}
local function array(t) return setmetatable(t, ARRAY) end

local function json(v, out)
	local t = type(v)
	if v == nil then
		out[#out + 1] = "null"
	elseif t == "boolean" then
		out[#out + 1] = tostring(v)
	elseif t == "number" then
		if v ~= v or v == math.huge or v == -math.huge then
			out[#out + 1] = "null"
		elseif math.type(v) == "integer" then
			out[#out + 1] = string.format("%d", v)
		else
			out[#out + 1] = string.format("%.17g", v)
		end
	elseif t == "string" then
		out[#out + 1] = '"' .. v:gsub('[%c"\\]', function(c)
			local named = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\t"] = "\\t",
				["\r"] = "\\r" }
			return named[c] or string.format("\\u%04x", c:byte())
		end) .. '"'
	elseif t == "table" then
		local n, count = #v, 0
		for _ in pairs(v) do count = count + 1 end
		if getmetatable(v) == ARRAY or (n > 0 and count == n) then
			out[#out + 1] = "["
			for i = 1, n do
				if i > 1 then out[#out + 1] = "," end
				json(v[i], out)
			end
			out[#out + 1] = "]"
		else
			local keys = {}
			for k in pairs(v) do keys[#keys + 1] = tostring(k) end
			table.sort(keys)
			out[#out + 1] = "{"
			for i, k in ipairs(keys) do
				if i > 1 then out[#out + 1] = "," end
				json(k, out)
				out[#out + 1] = ":"
				local x = v[k]
				if x == nil then x = v[tonumber(k)] end
				json(x, out)
			end
			out[#out + 1] = "}"
		end
	else
		out[#out + 1] = "null"
	end
	return out
end

---------------------------------------------------------------------------------------------
-- Toeplitz: the C microbenchmark, one line per measurement

local TOEPLITZ_FIGS = {
	{ "toeplitz table, hash12", "toeplitz_tab_hash12", { op = "<=", value = 10 } },
	{ "toeplitz table, generic", "toeplitz_tab_hash" },
	{ "rte_softrss", "rte_softrss" },
	{ "rte_softrss_be", "rte_softrss_be" },
	{ "toeplitz bitwise reference", "toeplitz_ref" },
}

local function bench_toeplitz()
	local g = "Toeplitz, ns per IPv4 4-tuple (12 B), random tuples streamed from memory"
	for _, t in ipairs(TOEPLITZ_FIGS) do
		figure(t[1], { group = g, unit = "ns", target = t[3] })
	end
	figure("toeplitz table / rte_softrss", { group = g, unit = "x",
		ratio_of = { "toeplitz table, hash12", "rte_softrss" } })
	figure("toeplitz table build (52 B key)", { group = g, unit = "us" })
	local fig_of = {}
	for _, t in ipairs(TOEPLITZ_FIGS) do fig_of[t[2]] = t[1] end
	progress("toeplitz: %d rounds of %d tuples", RUNS, TOEPLITZ_TUPLES)
	if not TOEPLITZ or TOEPLITZ == "" then
		for _, f in ipairs(figures) do
			if f.group == g then failed(f.name, "TOEPLITZ_BENCH not set (make bench builds it)") end
		end
		return
	end
	local p = io.popen(string.format("%s --machine --rounds %d --tuples %d 2>&1", quote(TOEPLITZ),
		RUNS, TOEPLITZ_TUPLES))
	local out = p:read("a")
	local ok = p:close()
	local agree
	for line in out:gmatch("[^\n]+") do
		local r, name, ns = line:match("^sample (%d+) (%S+) ([%d.]+)$")
		if r and fig_of[name] then sample(fig_of[name], tonumber(r), tonumber(ns)) end
		local r2, bytes, us = line:match("^init (%d+) (%d+) ([%d.]+)$")
		if r2 and bytes == "12" then sample("toeplitz table build (52 B key)", tonumber(r2), tonumber(us)) end
		local a = line:match("^agree (%d)$")
		if a then agree = a == "1" end
	end
	if not ok or agree ~= true then
		local why = agree == false and "the implementations disagree on a hash" or
			("toeplitz bench failed: " .. (out:match("[^\n]+") or "no output"))
		for _, f in ipairs(figures) do
			if f.group == g then failed(f.name, why) end
		end
	end
end

---------------------------------------------------------------------------------------------
-- Analysis (cold: the bitcode compiled again every run) and key solving

local function bundled()
	local names = {}
	for line in sh("ls nfs/*.c"):gmatch("[^\n]+") do
		names[#names + 1] = line:match("([^/]+)%.c$")
	end
	-- DESIGN.md's order: the simplest first
	local order = { nop = 1, sbridge = 2, bridge = 3, pol = 4, fw = 5, nat = 6, lb = 7, psd = 8,
		cl = 9, hhh = 10 }
	table.sort(names, function(a, b)
		local x, y = order[a] or 99, order[b] or 99
		if x ~= y then return x < y end
		return a < b
	end)
	return names
end

local function bench_analysis(nfs)
	local ga = "analysis, cold: compile to LLVM IR + symbolic execution + verdict" ..
		(CACHE and "" or " (NO: BATON_CACHE unset, bitcode cached)")
	local gk = "RSS key solving, 8 cores: the slowest of the 4-tuple solve and every field set"
	for _, n in ipairs(nfs) do
		figure("analysis " .. n, { group = ga, unit = "s",
			target = { op = "<", value = n == "nop" and 0.2 or 1 } })
	end
	for _, n in ipairs(nfs) do
		figure("key solving " .. n, { group = gk, unit = "ms", target = { op = "<", value = 20 } })
	end
	local loaded, analyses = {}, {}
	for _, n in ipairs(nfs) do
		local nf, err = baton.load(n)
		if not nf then
			failed("analysis " .. n, err)
			failed("key solving " .. n, err)
		end
		loaded[n] = nf
	end
	for r = 1, RUNS do
		progress("analysis and key solving, run %d of %d", r, RUNS)
		for _, n in ipairs(nfs) do
			local nf = loaded[n]
			if nf then
				if CACHE then
					os.execute("rm -f " .. quote(CACHE) .. "/" .. n .. "-ir-*.bc")
				end
				local a, err = nf:analyze()
				if a then
					sample("analysis " .. n, r, a.seconds, { paths = a.paths,
						compile_seconds = a.compile_seconds, verdict = a.verdict,
						cold = (a.compile_seconds or 0) > 0 })
					analyses[n] = a
				else
					failed("analysis " .. n, err)
				end
			end
		end
		for _, n in ipairs(nfs) do
			local a = analyses[n]
			if a then
				local cfg, err = baton.rss.solve(a, { cores = 8 })
				local fs, err2 = baton.rss.fieldsets(a, { cores = 8 })
				if cfg and fs then
					local worst, wname = cfg.seconds, "default (4-tuple)"
					for _, c in ipairs(fs.candidates) do
						if c.seconds > worst then worst, wname = c.seconds, c.name end
					end
					sample("key solving " .. n, r, worst * 1e3, { solve_ms = cfg.seconds * 1e3,
						field_sets = #fs.candidates, slowest = wname })
				else
					failed("key solving " .. n, err or err2)
				end
			end
		end
	end
	return loaded, analyses
end

---------------------------------------------------------------------------------------------
-- check and replay on one generated trace

local function bench_check(loaded, analyses)
	local g = string.format("check (4 cores simulated) and replay on one core: 64 B bidir " ..
		"trace, %d flows, %s packets",
		CHECK_FLOWS, CHECK_PACKETS >= 1e6 and string.format("%gM", CHECK_PACKETS / 1e6) or
		string.format("%gk", CHECK_PACKETS / 1e3))
	for _, n in ipairs(CHECK_NFS) do
		figure("check " .. n, { group = g, unit = "Mpps", target = { op = ">=", value = 5 } })
	end
	for _, n in ipairs(CHECK_NFS) do
		figure("replay " .. n, { group = g, unit = "Mpps" })
	end
	local pcap = TMP .. "/bench-check.pcap"
	progress("check: generating %d packets", CHECK_PACKETS)
	local gen, err = baton.pcap.gen{ kind = "bidir", flows = CHECK_FLOWS, packets = CHECK_PACKETS,
		size = 64, lan = LAN, out = pcap }
	if not gen then
		for _, n in ipairs(CHECK_NFS) do
			failed("check " .. n, err)
			failed("replay " .. n, err)
		end
		return
	end
	local cfgs = {}
	for r = 1, RUNS do
		progress("check and replay, run %d of %d", r, RUNS)
		for _, n in ipairs(CHECK_NFS) do
			local nf, a = loaded[n], analyses[n]
			if not nf or not a then
				failed("check " .. n, "not analysed")
				failed("replay " .. n, "not analysed")
			else
				cfgs[n] = cfgs[n] or baton.rss.solve(a, { cores = 4 })
				local c, cerr = baton.check{ nf = nf, pcap = pcap, lan = LAN, config = cfgs[n],
					analysis = a }
				if c then
					sample("check " .. n, r, c.mpps, { packets = c.packets, seconds = c.seconds,
						cores = 4, violations = c.violations.count,
						verdict_diffs = c.verdict_diffs })
				else
					failed("check " .. n, cerr)
				end
				local p, perr = nf:replay(pcap, { lan = LAN })
				if p then
					sample("replay " .. n, r, p.mpps, { packets = p.packets, seconds = p.seconds })
				else
					failed("replay " .. n, perr)
				end
			end
		end
	end
	os.remove(pcap)
end

---------------------------------------------------------------------------------------------
-- Emitted builds

local CONFIGS = {
	{ key = "seq", mode = "seq", cores = 1, label = "seq" },
	{ key = "sn1", mode = "sn", cores = 1, label = "sn 1 lcore" },
	{ key = "sn2", mode = "sn", cores = 2, label = "sn 2 lcores" },
	{ key = "locks1", mode = "locks", cores = 1, label = "locks 1 lcore" },
	{ key = "locks2", mode = "locks", cores = 2, label = "locks 2 lcores" },
}
local CHURN_CONFIGS = {
	{ key = "churn1", mode = "locks", cores = 1, label = "locks churn 1 lcore" },
	{ key = "churn2", mode = "locks", cores = 2, label = "locks churn 2 lcores" },
}
local VDEVS = { "net_null", "net_pcap" }

local function lname(nf, vdev, c) return string.format("%s %s %s", nf, vdev, c.label) end

-- One run of a build: Mpps = packets the workers received / the seconds they ran, as the
-- build's own totals (run:stop()) say.
local function launch_once(b, opts)
	local run, err = b:launch(opts)
	if not run then return nil, err end
	local waited = 0
	while run:running() and waited < SECS + 30 do
		baton.sleep(0.05)
		waited = waited + 0.05
	end
	local t, serr = run:stop()
	if not t then return nil, serr end
	if not t.total or not t.seconds or t.seconds <= 0 then
		return nil, "the build's totals have no packets or seconds"
	end
	local tot = t.total
	return tot.rx / t.seconds / 1e6, {
		rx = tot.rx, seconds = t.seconds, tx = tot.tx, drops = tot.drops,
		aborts = tot.aborts, write_locks = tot.write_locks,
		write_share = tot.rx > 0 and (tot.write_locks or 0) / tot.rx or 0,
		cycles_per_packet = tot.cycles_per_packet, accounted = t.accounted, workers = t.workers,
	}
end

local function traffic(vdev, c, churn, rm_pcap)
	if vdev == "net_null" then
		return { null = true, flows = NULL_FLOWS // c.cores, duration = SECS }
	end
	if churn then
		return { pcap = CHURN_PCAP, port = "lan", loop = true, duration = SECS }
	end
	return { pcap = rm_pcap, lan = LAN, loop = true, duration = SECS }
end

local function ratio_fig(nf, vdev, a, b, label, target, g)
	local an, bn = lname(nf, vdev, a), lname(nf, vdev, b)
	figure(string.format("%s %s %s", nf, vdev, label), { group = g, unit = "x", target = target,
		ratio_of = { an, bn }, read_mostly_of = a.mode == "locks" and an or nil })
end

local function bench_launch(loaded, analyses)
	local rm_pcap = TMP .. "/bench-bidir.pcap"
	local gen, gerr = baton.pcap.gen{ kind = "bidir", flows = PCAP_FLOWS, packets = PCAP_PACKETS,
		size = 64, lan = LAN, out = rm_pcap }
	local jobs = {}	-- { nf, vdev, config, build, churn }
	local churn_jobs = {}
	for _, n in ipairs(LAUNCH_NFS) do
		for _, vdev in ipairs(VDEVS) do
			local g = string.format("%s builds on %s, 64 B, %s; Mpps = rx / seconds run, %g s runs",
				n, vdev, vdev == "net_null" and
				string.format("%d flows stamped on lan (read-mostly)", NULL_FLOWS) or
				string.format("looped bidir trace of %d flows, %d packets (read-mostly after " ..
					"one pass)", PCAP_FLOWS, PCAP_PACKETS), SECS)
			for _, c in ipairs(CONFIGS) do
				figure(lname(n, vdev, c), { group = g, unit = "Mpps" })
			end
			if n == CHURN_NF then
				for _, c in ipairs(CHURN_CONFIGS) do
					figure(lname(n, vdev, c), { group = g, unit = "Mpps" })
				end
			end
			ratio_fig(n, vdev, CONFIGS[2], CONFIGS[1], "sn1 / seq", { op = ">=", value = 0.95 }, g)
			ratio_fig(n, vdev, CONFIGS[3], CONFIGS[2], "sn2 / sn1", { op = ">=", value = 1.8 }, g)
			ratio_fig(n, vdev, CONFIGS[4], CONFIGS[2], "locks1 / sn1", { op = ">=", value = 0.8 }, g)
			ratio_fig(n, vdev, CONFIGS[5], CONFIGS[3], "locks2 / sn2", { op = ">=", value = 0.8 }, g)
			if n == CHURN_NF then
				ratio_fig(n, vdev, CHURN_CONFIGS[1], CONFIGS[4], "churn1 / locks1", nil, g)
				ratio_fig(n, vdev, CHURN_CONFIGS[2], CONFIGS[5], "churn2 / locks2", nil, g)
				for i, c in ipairs(CHURN_CONFIGS) do
					figure(string.format("%s %s churn writes %d lcore%s", n, vdev, c.cores,
						c.cores > 1 and "s" or ""), { group = g, unit = "%" })
				end
			end
		end
	end
	if not gen then
		for _, n in ipairs(LAUNCH_NFS) do
			for _, c in ipairs(CONFIGS) do failed(lname(n, "net_pcap", c), gerr) end
		end
	end

	-- Emits a configuration's build; nil and the failure marked on its figures when it fails.
	local function emit(n, c)
		local nf, a = loaded[n], analyses[n]
		local why
		if not nf or not a then
			why = "not analysed"
		else
			local cfg, err = baton.rss.solve(a, { cores = c.cores })
			if not cfg then
				why = "rss solve: " .. tostring(err)
			else
				local b, eerr = baton.emit(nf, c.mode, { cores = c.cores, config = cfg, analysis = a })
				if b then return b end
				why = "emit: " .. tostring(eerr)
			end
		end
		for _, vdev in ipairs(VDEVS) do failed(lname(n, vdev, c), why) end
		return nil
	end

	for _, n in ipairs(LAUNCH_NFS) do
		progress("emitting %s builds (seq, sn and locks on 1 and 2 lcores)", n)
		for _, c in ipairs(CONFIGS) do
			local b = emit(n, c)
			if b then
				for _, vdev in ipairs(VDEVS) do
					if vdev == "net_null" or gen then
						jobs[#jobs + 1] = { nf = n, vdev = vdev, c = c, b = b }
					end
				end
			end
		end
	end

	local function run_jobs(list, what)
		for r = 1, LRUNS do
			progress("%s, round %d of %d (%d runs of %g s)", what, r, LRUNS, #list, SECS)
			for _, j in ipairs(list) do
				local name = lname(j.nf, j.vdev, j.c)
				local mpps, d = launch_once(j.b, traffic(j.vdev, j.c, j.churn, rm_pcap))
				if mpps then
					sample(name, r, mpps, d)
					if j.churn then
						sample(string.format("%s %s churn writes %d lcore%s", j.nf, j.vdev,
							j.c.cores, j.c.cores > 1 and "s" or ""), r, 100 * d.write_share)
					end
				else
					failed(name, d)
				end
			end
		end
	end
	run_jobs(jobs, "emitted builds")

	-- Churn: the same locks builds again with a table that cannot hold every flow.
	local nf = loaded[CHURN_NF]
	local churn_on = false
	for _, n in ipairs(LAUNCH_NFS) do churn_on = churn_on or n == CHURN_NF end
	if churn_on and nf then
		local old = nf:get("capacity")
		local ok, err = pcall(nf.set, nf, { capacity = CHURN_CAPACITY })
		if not ok then
			for _, vdev in ipairs(VDEVS) do
				for _, c in ipairs(CHURN_CONFIGS) do failed(lname(CHURN_NF, vdev, c), err) end
			end
		else
			progress("emitting %s locks builds with capacity=%d for churn", CHURN_NF,
				CHURN_CAPACITY)
			for _, c in ipairs(CHURN_CONFIGS) do
				local b = emit(CHURN_NF, c)
				if b then
					for _, vdev in ipairs(VDEVS) do
						churn_jobs[#churn_jobs + 1] = { nf = CHURN_NF, vdev = vdev, c = c, b = b,
							churn = true }
					end
				end
			end
			run_jobs(churn_jobs, "churn builds")
			pcall(nf.set, nf, { capacity = old })
		end
	end
	os.remove(rm_pcap)
end

---------------------------------------------------------------------------------------------
-- Output

local function target_text(t)
	if not t then return "-" end
	return string.format("%s %g", t.op, t.value)
end

local function print_table()
	local W = 40
	for _, f in ipairs(figures) do
		if #f.name > W then W = #f.name end
	end
	local head = string.format("%-" .. W .. "s %-5s %8s %9s %9s %9s %4s %9s  %s", "figure", "unit",
		"target", "min", "median", "max", "runs", "vs target", "")
	local rule = string.rep("-", #head + 4)
	print(head)
	print(rule)
	for _, g in ipairs(groups) do
		print("# " .. g)
		for _, f in ipairs(figures) do
			if f.group == g then
				local mark = "-"
				if #f.errors > 0 and f.runs == 0 then
					mark = "ERROR"
				elseif f.ok == true then
					mark = "ok"
				elseif f.ok == false then
					mark = "MISS"
				end
				print(string.format("%-" .. W .. "s %-5s %8s %9s %9s %9s %4d %9s  %s", f.name,
					f.unit, target_text(f.target), fmt(f.min), fmt(f.median), fmt(f.max), f.runs,
					f.ratio and string.format("%.2fx", f.ratio) or "-", mark))
			end
		end
	end
	print(rule)
end

local function main()
	local m = machine()
	progress("%d runs per figure, %d per emitted build (%g s each)%s", RUNS, LRUNS, SECS,
		QUICK and ", quick" or "")
	bench_toeplitz()
	local nfs = bundled()
	local loaded, analyses = bench_analysis(nfs)
	bench_check(loaded, analyses)
	bench_launch(loaded, analyses)
	for _, f in ipairs(figures) do summarise(f) end
	m.loadavg_end = (read_file("/proc/loadavg") or ""):match("^(%S+ %S+ %S+)")
	local seconds = os.time() - t_start

	print(string.format("baton make bench, %s: %d runs per figure, %d per emitted build of %g s%s",
		m.date, RUNS, LRUNS, SECS, QUICK and " (BENCH_QUICK: a smoke run, not a measurement)" or ""))
	print(string.format("machine: %s (family %s model %s)%s, %d online CPUs (%s; %d usable here), " ..
		"%s MHz, %.1f GiB memory", m.cpu_model, m.cpu_family or "?", m.cpu_model_number or "?",
		m.hypervisor and (", " .. m.hypervisor .. " guest") or "", m.cpus_online_count,
		m.cpus_online, m.cpus_usable or 0, m.cpu_mhz and string.format("%.0f", m.cpu_mhz) or "?",
		m.memory_gib or 0))
	print(string.format("system:  %s, Debian %s; load average %s at start, %s at end",
		m.kernel, m.debian, m.loadavg_start or "?", m.loadavg_end or "?"))
	print(string.format("tools:   DPDK %s, LLVM %s, Z3 %s, gcc %s, %s, baton %s", m.dpdk, m.llvm,
		m.z3, m.gcc, m.lua, m.baton or "?"))
	print(string.format("source:  git %s%s", m.git_revision ~= "" and m.git_revision or "?",
		m.git_dirty and string.format(" (dirty: %d tracked files changed)", m.git_changed_files)
		or " (clean)"))
	print("EAL:     " .. m.eal)
	print()
	print_table()
	print("vs target = median / target; ok and MISS compare the median with the target. A ratio")
	print("figure A / B pairs the runs of one round for min and max; its median is")
	print("median(A) / median(B). Churn: fw capacity=" .. CHURN_CAPACITY .. " holds 90% of the flows")
	print("(net_null: " .. NULL_FLOWS .. " flows; net_pcap: " .. CHURN_PCAP .. " on lan, looped), so " ..
		"the packets of the")
	print("others take the write lock as new flows do; 'churn writes' is write locks / packets.")
	local notes, errs = {}, {}
	for _, f in ipairs(figures) do
		if f.note then notes[#notes + 1] = f.name .. ": " .. f.note end
		for _, e in ipairs(f.errors) do errs[#errs + 1] = f.name .. ": " .. e end
	end
	if #notes > 0 then
		print("notes:")
		for _, e in ipairs(notes) do print("  " .. e) end
	end
	if #errs > 0 then
		print("errors:")
		for _, e in ipairs(errs) do print("  " .. e) end
	end

	local doc = {
		bench = "baton make bench", version = 1, machine = m, seconds = seconds,
		settings = { runs = RUNS, launch_runs = LRUNS, launch_seconds = SECS, quick = QUICK,
			launch_nfs = array(LAUNCH_NFS), null_flows = NULL_FLOWS, pcap_flows = PCAP_FLOWS,
			pcap_packets = PCAP_PACKETS, churn_capacity = CHURN_CAPACITY,
			churn_pcap = CHURN_PCAP, check_packets = CHECK_PACKETS, check_flows = CHECK_FLOWS,
			toeplitz_tuples = TOEPLITZ_TUPLES, cold_analysis = CACHE ~= nil },
		figures = array({}),
	}
	for _, f in ipairs(figures) do
		local details = {}
		for i, r in ipairs(f.rounds) do details[i] = f.detail[r] or {} end
		doc.figures[#doc.figures + 1] = {
			name = f.name, group = f.group, unit = f.unit,
			target = f.target and { op = f.target.op, value = f.target.value } or nil,
			samples = array(f.samples), rounds = array(f.rounds), runs = f.runs,
			min = f.min, median = f.median, max = f.max, ratio_to_target = f.ratio, ok = f.ok,
			ratio_of = f.ratio_of and array(f.ratio_of) or nil, note = f.note,
			median_is = f.ratio_of and "median(A) / median(B); samples pair the runs of a round"
				or nil,
			target_not_applied = f.target_dropped,
			details = array(details), errors = array(f.errors),
		}
	end
	local out = io.open(JSON_OUT, "w")
	if not out then
		print("error: cannot write " .. JSON_OUT)
		os.exit(1)
	end
	out:write(table.concat(json(doc, {})), "\n")
	out:close()
	local n_ok, n_miss, n_err = 0, 0, 0
	for _, f in ipairs(figures) do
		if f.ok == true then n_ok = n_ok + 1 elseif f.ok == false then n_miss = n_miss + 1 end
		if f.runs == 0 then n_err = n_err + 1 end
	end
	print(string.format("%d figures (%d ok, %d MISS, %d not measured) in %d s; JSON in %s",
		#figures, n_ok, n_miss, n_err, seconds, JSON_OUT))
end

main()
