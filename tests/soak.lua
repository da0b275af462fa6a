-- make soak: a locks build on 2 workers under a looped churn trace for SOAK_TIME seconds,
-- its counters read every second. Each sample must be sane (the build alive, every counter of
-- every core monotonic, free mbufs above 0), free mbufs must not trend down (a leak), and at
-- the stop every packet is accounted for (rx = tx + drops + floods + tx_fail) and every mbuf
-- is back (free after the stop = free before traffic). Prints TAP lines and one summary line.
--   baton tests/soak.lua [SECONDS] [NF] [TRACE] [LAN]
-- Defaults: SOAK_TIME or 600 s; lb (its verdict is locks: the backend table is global and
-- every lan packet refreshes it, so about half the packets take the write lock); the bundled
-- pcaps/churn.pcap; lan 128.0.0.0/1 (half the trace's random sources arrive on lan).
local tap = dofile((arg[0]:match("^(.*)/") or ".") .. "/tap.lua")
local check = tap.check

local secs = tonumber(arg[1] or os.getenv("SOAK_TIME") or "600")
local name = arg[2] or "lb"
local trace = arg[3] or "pcaps/churn.pcap"
local lan = arg[4] or "128.0.0.0/1"
local cores = 2
local counters = { "rx", "tx", "drops", "floods", "flood_tx", "tx_fail", "aborts",
		   "write_locks", "busy_cycles", "cycles" }
-- Free mbufs may dip by what the workers hold in flight (a burst per port each, twice over);
-- a leak keeps going down.
local slack = 2 * 32 * 2 * cores

local nf = assert(baton.load(name))
local an = assert(nf:analyze())
check(name .. ": the analysis says locks", an.verdict == "locks", "verdict " .. tostring(an.verdict))
local cfg = assert(baton.rss.solve(an, {cores = cores}))
local b = assert(baton.emit(nf, "locks", {cores = cores, config = cfg, analysis = an}))
local run = assert(b:launch{pcap = trace, lan = lan, loop = true})

-- The first failure of each kind, with the sample it happened at.
local problems = {}
local function problem(kind, text)
	if not problems[kind] then problems[kind] = text end
end

local samples, free, prev, last = 0, {}, nil, nil
while true do
	baton.sleep(1)
	if not run:running() then
		problem("alive", "ended after " .. samples .. " samples: " ..
			tostring(run:status().ended))
		break
	end
	local c, err = run:counters()
	if not c then
		problem("alive", "sample " .. (samples + 1) .. ": " .. tostring(err))
		break
	end
	samples = samples + 1
	local m = c.mbufs or {}
	free[samples] = m.free or 0
	if not m.free or m.free <= 0 then
		problem("mbufs", string.format("sample %d: %s free of %s", samples,
			tostring(m.free), tostring(m.size)))
	end
	if prev then
		if c.seconds <= prev.seconds then
			problem("monotonic", string.format("sample %d: seconds %.3f after %.3f",
				samples, c.seconds, prev.seconds))
		end
		for k = 0, cores do
			local now = k < cores and c.cores[k + 1] or c.total
			local was = k < cores and prev.cores[k + 1] or prev.total
			for _, n in ipairs(counters) do
				if now[n] < was[n] then
					problem("monotonic", string.format("sample %d: %s %s went from %d to %d",
						samples, k < cores and "core " .. k or "total", n, was[n], now[n]))
				end
			end
		end
	end
	prev, last = c, c
	if c.seconds >= secs then break end
end

local t, err = run:stop()
check("soak: " .. samples .. " samples, the build alive at each", not problems.alive and samples > 0,
	problems.alive)
check("soak: every counter of every core monotonic", not problems.monotonic, problems.monotonic)
check("soak: free mbufs above 0 at every sample", not problems.mbufs, problems.mbufs)
-- The trend: the lowest free count of the last quarter against that of the first.
local q = math.max(1, samples // 4)
local low_first, low_last, low = math.huge, math.huge, math.huge
for i = 1, samples do
	if i <= q then low_first = math.min(low_first, free[i]) end
	if i > samples - q then low_last = math.min(low_last, free[i]) end
	low = math.min(low, free[i])
end
check("soak: free mbufs do not trend down", samples > 0 and low_last >= low_first - slack,
	string.format("lowest %d in the first %d samples, %d in the last %d", low_first, q,
		low_last, q))
check("soak: stop gives the totals", t ~= nil, err)
if not t then tap.finish() end

local tot = t.total
-- Lost: received and neither sent nor dropped by the NF's verdict (tx failures, and a
-- dispatcher's full rings when the ports need one).
local unaccounted = tot.rx - tot.tx - tot.drops - tot.floods - tot.tx_fail
local lost = unaccounted + tot.tx_fail + (t.dispatcher and t.dispatcher.dispatch_drops or 0)
local mb = t.mbufs or {}
check("soak: exit status 0", t.status == 0, "status " .. tostring(t.status))
check("soak: accounted: rx = tx + drops + floods + tx_fail", t.accounted and unaccounted == 0,
	string.format("rx %d, tx %d, drops %d, floods %d, tx_fail %d", tot.rx, tot.tx, tot.drops,
		tot.floods, tot.tx_fail))
check("soak: no packet lost (tx failures 0, no dispatch drops)", lost == 0,
	"tx_fail " .. tot.tx_fail .. ", dispatch drops " ..
	tostring(t.dispatcher and t.dispatcher.dispatch_drops or 0))
check("soak: mbufs final == initial", mb.final ~= nil and mb.final == mb.initial and t.leaked == 0,
	string.format("initial %s, final %s, leaked %s", tostring(mb.initial), tostring(mb.final),
		tostring(t.leaked)))
check("soak: every mbuf back with the ports closed", mb.closed ~= nil and mb.closed == mb.size,
	string.format("closed %s of %s", tostring(mb.closed), tostring(mb.size)))
check("soak: it ran for the time asked", t.seconds >= secs, string.format("%.1f s", t.seconds))

print(string.format("soak: %s locks, %d workers, %s looped (lan %s): %d packets in %.1f s, " ..
	"%.2f Mpps, losses %d (unaccounted %d, tx failures %d), drops %d, write locks %d, " ..
	"mbufs initial %s / final %s (lowest free %d of %s), %d samples", name, cores, trace,
	lan, tot.rx, t.seconds, tot.rx / t.seconds / 1e6, lost, unaccounted, tot.tx_fail,
	tot.drops, tot.write_locks, tostring(mb.initial), tostring(mb.final), low,
	tostring(mb.size), samples))
tap.finish()
