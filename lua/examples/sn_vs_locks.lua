-- What do locks cost? Emits the NF twice, shared-nothing ("sn": state split per core by RSS)
-- and with read-write locks ("locks": one shared state), launches each on DPDK virtual ports
-- with the same looped trace for S seconds, reads run:counters() a few times while it runs,
-- stops it and prints the two side by side: per-core counters, totals, rates and imbalance.
-- Both builds use the same RSS: keys solved with the field set 'rss fieldsets' recommends.
--
-- usage: baton lua/examples/sn_vs_locks.lua NF [TRACE] [--lan CIDR|none] [--cores N]
--                                           [--seconds S] [--force]
--   TRACE      default pcaps/bidir.pcap; the bundled bidir.pcap defaults to --lan
--              192.168.0.0/16, any other trace to none (every packet on the lan port)
--   --cores    worker lcores (default 2; this machine has 2 CPUs, more share them)
--   --seconds  how long each build runs (default 1)
--   --force    build sn even when the verdict is locks (it then breaks consistency; the
--              counters still compare speed)
-- When sn is refused (a locks verdict and no --force), a line says why and only the locks
-- column is shown.
--
-- Output (stable shape; '#' lines are comments; a row is a label then one value per build,
-- '-' where a counter does not apply: sn takes no locks):
--   # sn_vs_locks: NF (VERDICT) on TRACE, lan CIDR|none, N cores, S s each, looped; fields F
--   sn: refused: WHY                   (only when refused; then the locks column alone)
--   sn: forced: ...                    (only when --force built an sn the analysis refuses)
--   what  sn  locks                    (or: what  locks)
--   coreK.rx coreK.tx coreK.drops coreK.floods coreK.aborts coreK.write_locks  (K = 0..N-1)
--   total.rx total.tx total.drops total.floods total.tx_fail total.aborts total.write_locks
--   accounted     yes|no   (stop's verdict and rx = tx + drops + floods + tx_fail)
--   seconds       how long the build ran
--   mpps          total rx / seconds, in millions of packets per second
--   samples_mpps  the total rx rate of each run:counters() read, joined with ','
--   imbalance     max/mean rx per core over the run: looped, each queue replays its own share
--                 as fast as its core goes, so this is per-core speed, not the trace's split
--   trace_split   max/mean packets per core in the trace as RSS split it (the same for both)
--   note: port P gets no packets ...   (a port whose queues got nothing: such looped runs
--                                       crawl on net_pcap here)
--   locks/sn: R.RR of the sn rate      (when both ran)
-- Example (fw, defaults: 2 cores on this 2-CPU machine; rows cut):
--   # sn_vs_locks: fw (shared-nothing) on pcaps/bidir.pcap, lan 192.168.0.0/16, 2 cores, 1.0 s each, looped; fields sdfn
--   what                             sn             locks
--   core0.rx                   14705536          14271808
--   core0.aborts                      -                66
--   core0.write_locks                 -                66
--   total.rx                   32692096          27136448
--   total.tx                   32692055          27136407
--   total.drops                      41                41
--   total.write_locks                 -               128
--   accounted                       yes               yes
--   seconds                       1.038             1.057
--   mpps                         31.495            25.673
--   samples_mpps      30.62,29.99,33.97 26.17,25.98,24.91
--   imbalance                     1.100             1.052
--   trace_split                   1.044             1.044
--   locks/sn: 0.82 of the sn rate

-- Usage errors and option parsing, shared by the examples.
local cli = dofile((arg and arg[0] and arg[0]:match("^(.*)/") or "lua/examples") .. "/cli.lua")
local fail = cli.fail
local USAGE = "usage: baton lua/examples/sn_vs_locks.lua NF [TRACE] [--lan CIDR|none] " ..
	"[--cores N] [--seconds S] [--force]"
local function usage(why) fail((why and why .. "\n" or "") .. USAGE) end
local function parse(args, spec) return cli.parse(args, spec, usage) end

local pos, opt = parse({...}, {lan = true, cores = true, seconds = true, force = false,
			       help = false})
if opt.help then print(USAGE) return end
if #pos < 1 or #pos > 2 then usage(#pos == 0 and "which NF?" or "an NF and one trace at most") end
local trace = pos[2] or "pcaps/bidir.pcap"
local info, ierr = baton.pcap.info(trace)
if not info then usage(tostring(ierr)) end
local lan = cli.lan(trace, opt.lan, usage)
local cores = cli.count("--cores", opt.cores, 2, 64, usage)
local seconds = tonumber(opt.seconds or 1)
if not seconds or seconds <= 0 or seconds > 600 then usage("--seconds must be a number in (0, 600]") end

local nf, err = baton.load(pos[1])
if not nf then usage(tostring(err)) end
local an, aerr = nf:analyze()
if not an then fail("analyze: " .. tostring(aerr)) end

-- The recommended field set ("SET" or "lan=SET wan=SET") as solve's fields option.
local fields, letters = cli.recommended(baton.rss.fieldsets(an, {cores = cores}))
local cfg, serr = baton.rss.solve(an, {cores = cores, fields = fields})
if not cfg then fail("rss solve: " .. tostring(serr)) end

-- Emits, launches looped, samples the counters, stops: the totals and the sampled rates.
local function measure(mode)
	local b, eerr = baton.emit(nf, mode, {cores = cores, config = cfg, analysis = an,
					      force = opt.force and true or nil})
	if not b then return nil, eerr, "emit" end
	-- <close> ends the build if anything below raises (Ctrl-C in baton.sleep too).
	local run <close>, lerr = b:launch{pcap = trace, lan = lan, loop = true}
	if not run then return nil, lerr, "launch" end
	-- Ports whose queues got nothing from the trace (see the note printed below).
	local st, idle = run:status(), {}
	for _, port in ipairs(nf.ports) do
		local got = 0
		for q, k in pairs(st and st.queue_packets or {}) do
			if q:match("^(.*)%-q%d+$") == port then got = got + k end
		end
		if got == 0 then idle[#idle + 1] = port end
	end
	-- The trace's split over the cores, from the per-queue files launch pre-sharded.
	local per = {}
	for q, k in pairs(st and st.queue_packets or {}) do
		local c = tonumber(q:match("%-q(%d+)$"))
		if c then per[c] = (per[c] or 0) + k end
	end
	local max, sum = 0, 0
	for c = 0, cores - 1 do max, sum = math.max(max, per[c] or 0), sum + (per[c] or 0) end
	local split = sum > 0 and max / (sum / cores) or nil
	local samples, n = {}, 3
	for _ = 1, n do
		baton.sleep(seconds / n)
		local c = run:counters()
		if c then samples[#samples + 1] = string.format("%.2f", c.total.rx_pps / 1e6) end
	end
	local t, terr = run:stop()
	if not t then return nil, terr, "stop" end
	t.samples = table.concat(samples, ",")
	t.idle, t.split, t.forced = idle, split, b:info().forced
	return t
end

local cols, res, refused = {}, {}, nil
for _, mode in ipairs{"sn", "locks"} do
	local t, merr, step = measure(mode)
	if t then
		cols[#cols + 1], res[mode] = mode, t
	elseif mode == "sn" and step == "emit" and tostring(merr):find("%-%-force") then
		-- A refusal (the verdict, or keys that break a constraint) names --force; a build
		-- error does not, and fails below.
		refused = tostring(merr):match("[^\n]*")
	else
		fail(string.format("%s %s: %s", mode, step, tostring(merr)))
	end
end

print(string.format("# sn_vs_locks: %s (%s) on %s, lan %s, %d cores, %.1f s each, looped; fields %s",
		    an.nf, an.verdict, trace, lan or "none", cores, seconds, letters))
if refused then print("sn: refused: " .. refused) end
if res.sn and res.sn.forced then
	print("sn: forced: built although it breaks what the analysis requires; compare speed only")
end

local rows = {}
local function row(label, f)
	local r = {label}
	for _, m in ipairs(cols) do r[#r + 1] = f(res[m], m) end
	rows[#rows + 1] = r
end
-- A counter, or '-' where it does not apply (sn builds take no locks).
local function counter(get, lockonly)
	return function(t, m)
		if lockonly and m == "sn" then return "-" end
		local v = get(t)
		return v and string.format("%d", v) or "-"
	end
end
for k = 0, cores - 1 do
	local key = "core" .. k
	for _, f in ipairs{"rx", "tx", "drops", "floods", "aborts", "write_locks"} do
		local lockonly = f == "aborts" or f == "write_locks"
		row(key .. "." .. f, counter(function(t) return t[key] and t[key][f] end, lockonly))
	end
end
for _, f in ipairs{"rx", "tx", "drops", "floods", "tx_fail", "aborts", "write_locks"} do
	local lockonly = f == "aborts" or f == "write_locks"
	row("total." .. f, counter(function(t) return t.total[f] end, lockonly))
end
row("accounted", function(t)
	local x = t.total
	return (t.accounted and x.rx == x.tx + x.drops + x.floods + x.tx_fail) and "yes" or "no"
end)
row("seconds", function(t) return string.format("%.3f", t.seconds) end)
local function mpps(t) return t.total.rx / t.seconds / 1e6 end
row("mpps", function(t) return string.format("%.3f", mpps(t)) end)
row("samples_mpps", function(t) return t.samples ~= "" and t.samples or "-" end)
row("imbalance", function(t)
	local max, sum = 0, 0
	for k = 0, cores - 1 do
		local rx = t["core" .. k] and t["core" .. k].rx or 0
		max, sum = math.max(max, rx), sum + rx
	end
	return sum > 0 and string.format("%.3f", max / (sum / cores)) or "-"
end)
row("trace_split", function(t) return t.split and string.format("%.3f", t.split) or "-" end)

local head = {"what"}
for _, m in ipairs(cols) do head[#head + 1] = m end
table.insert(rows, 1, head)
local w = {}
for _, r in ipairs(rows) do
	for i, v in ipairs(r) do w[i] = math.max(w[i] or 0, #v) end
end
for _, r in ipairs(rows) do
	local line = string.format("%-" .. w[1] .. "s", r[1])
	for i = 2, #r do line = line .. string.format(" %" .. math.max(w[i], 10) .. "s", r[i]) end
	print(line)
end
local any = res.sn or res.locks
if #any.idle > 0 then
	print(string.format("note: port %s gets no packets from this trace: looped net_pcap runs " ..
		"with an idle port crawl at a few thousand packets per second here; give --lan to " ..
		"feed both ports", table.concat(any.idle, ", ")))
end
if res.sn and res.locks then
	print(string.format("locks/sn: %.2f of the sn rate", mpps(res.locks) / mpps(res.sn)))
end
