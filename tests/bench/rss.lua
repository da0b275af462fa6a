-- make bench: RSS key solving per bundled NF (DESIGN.md section 11: < 20 ms for any NF and
-- field set). 'solve' is the 4-tuple on the software profile (512-entry RETA, 8 cores), sampling
-- and measuring included; 'worst set' the slowest of every field-set candidate; 'check' the
-- exact check of the solved configuration.
--   baton tests/bench/rss.lua NF...
local function ms(f)
	local best = math.huge
	local r
	for _ = 1, 5 do
		local t0 = os.clock()
		r = f()
		local t = (os.clock() - t0) * 1e3
		if t < best then best = t end
	end
	return best, r
end
for _, name in ipairs(arg) do
	local a = assert(assert(baton.load(name)):analyze())
	local solve, cfg = ms(function() return baton.rss.solve(a, {cores = 8}) end)
	local check = ms(function() return baton.rss.check(a, cfg) end)
	local fs = baton.rss.fieldsets(a, {cores = 8})
	local worst = 0
	for _, c in ipairs(fs.candidates) do
		if c.seconds * 1e3 > worst then worst = c.seconds * 1e3 end
	end
	print(string.format("%-8s %11d %9.2f %9.2f %9.2f %9s %6.2f", name, #a.constraints, solve, worst,
		check, cfg.quality.full and "yes" or "no", cfg.quality.imbalance_subnet))
end
