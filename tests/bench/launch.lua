-- make bench: emitted builds on net_null, 64 B, read-mostly traffic (N flows per core stamped on
-- lan's packets, nothing on wan, so after the first packets no flow is new). DESIGN.md section
-- 11: sn on 1 lcore vs seq >= 0.95, sn on 2 lcores vs 1 >= 1.8, locks vs sn >= 0.8.
--   baton tests/bench/launch.lua NF [SECONDS] [CORES...]
-- Each figure is the best of 3 runs of SECONDS (default 2): packets the workers received over
-- the time they ran.
local name, secs = arg[1], tonumber(arg[2] or "2")
local extra = {}
for i = 3, #arg do extra[#extra + 1] = tonumber(arg[i]) end
local nf = assert(baton.load(name))
local an = assert(nf:analyze())

local function mpps(mode, cores)
	local cfg = assert(baton.rss.solve(an, {cores = cores}))
	local b = assert(baton.emit(nf, mode, {cores = cores, config = cfg, analysis = an}))
	local best = 0
	for _ = 1, 3 do
		local run = assert(b:launch{null = true, flows = 1000, duration = secs})
		while run:running() do baton.sleep(0.1) end
		local t = assert(run:stop())
		local r = t.total.rx / t.seconds / 1e6
		if r > best then best = r end
	end
	return best
end

local seq = mpps("seq", 1)
local sn1 = mpps("sn", 1)
local sn2 = mpps("sn", 2)
local lk1 = mpps("locks", 1)
local lk2 = mpps("locks", 2)
print(string.format("%-6s %7.2f %7.2f %7.2f %7.2f %7.2f | %6.2f %6.2f %6.2f %6.2f", name, seq,
	sn1, sn2, lk1, lk2, sn1 / seq, sn2 / sn1, lk1 / sn1, lk2 / sn2))
for _, n in ipairs(extra) do
	local r = mpps("sn", n)
	print(string.format("%-6s sn on %2d lcores: %7.2f Mpps (%.2f x sn1)", name, n, r, r / sn1))
end
