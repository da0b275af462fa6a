-- How small can the RETA be? For each RETA size the NIC profile allows (the software profile:
-- every power of two from the core count up to 2048), solve RSS for the NF with the field set
-- 'rss fieldsets' recommends, check the trace on N cores with the round-robin RETA, then
-- rebalance the RETA for the trace with baton.rss.balance (whole entries move, heaviest first;
-- linked ports alike) and check again. Prints a row per size and the smallest size that keeps
-- the imbalance (max/mean packets per core) under the target, once for each RETA.
--
-- usage: baton lua/examples/smallest_reta.lua NF TRACE [--lan CIDR|none] [--cores N]
--                                             [--target X] [--nic NIC]
--   --lan     lan CIDR; the bundled pcaps/bidir.pcap defaults to 192.168.0.0/16, any other
--             trace to none (every packet on the lan port)
--   --cores   cores (default 4)      --target  imbalance to stay under, > 1 (default 1.1)
--   --nic     NIC profile (default software)
--
-- A size counts only if its imbalance is strictly under the target and, for a shared-nothing
-- NF, the check finds no consistency violation (a locks NF shares its state: violations do not
-- apply). The balanced RETA is fitted to this very trace: an upper bound on what rebalancing
-- can do, not a forecast for other traffic.
--
-- Output (stable shape; '#' lines are comments):
--   # smallest_reta: NF (VERDICT) on TRACE, P packets, lan CIDR|none, C cores, nic NIC, fields F, target T
--   # rr: round-robin RETA from rss solve; balanced: after baton.rss.balance on this trace; viol: ...
--   reta      rr  balanced  viol  note
--   SIZE  I.III|-  I.III|-   V|-  [TEXT]
--   answer round-robin: SIZE entries (imbalance I.III < T) | none of A..B (best: SIZE entries, I.III)
--   answer balanced: ...
-- Example (fw on pcaps/bidir.pcap, 4 cores, target 1.05; rows cut):
--   # smallest_reta: fw (shared-nothing) on pcaps/bidir.pcap, 2048 packets, lan 192.168.0.0/16, 4 cores, nic software, fields sdfn, target 1.050
--   # rr: round-robin RETA from rss solve; balanced: after baton.rss.balance on this trace; viol: consistency violations, most of the two checks
--   reta      rr  balanced  viol  note
--      4   1.090     1.090     0
--      8   1.275     1.113     0
--     16   1.205     1.037     0
--     32   1.111     1.014     0
--   answer round-robin: none of 4..2048 (best: 4 entries, 1.090)
--   answer balanced: 16 entries (imbalance 1.037 < 1.050)

-- Usage errors and option parsing, shared by the examples.
local cli = dofile((arg and arg[0] and arg[0]:match("^(.*)/") or "lua/examples") .. "/cli.lua")
local fail = cli.fail
local USAGE = "usage: baton lua/examples/smallest_reta.lua NF TRACE [--lan CIDR|none] " ..
	"[--cores N] [--target X] [--nic NIC]"
local function usage(why) fail((why and why .. "\n" or "") .. USAGE) end
local function parse(args, spec) return cli.parse(args, spec, usage) end

local pos, opt = parse({...}, {lan = true, cores = true, target = true, nic = true, help = false})
if opt.help then print(USAGE) return end
if #pos ~= 2 then usage("give an NF and a trace") end
local trace = pos[2]
local info, ierr = baton.pcap.info(trace)
if not info then usage(tostring(ierr)) end
local lan = cli.lan(trace, opt.lan, usage)
local cores = cli.count("--cores", opt.cores, 4, 1024, usage)
local target = tonumber(opt.target or 1.1)
if not target or target <= 1 then usage("--target must be a number over 1 (max/mean is never under 1)") end
local nic = opt.nic or "software"
local profile
for _, n in ipairs(baton.rss.nics()) do if n.name == nic then profile = n end end
if not profile then usage("unknown NIC profile '" .. nic .. "'") end

local nf, err = baton.load(pos[1])
if not nf then usage(tostring(err)) end
local an, aerr = nf:analyze()
if not an then fail("analyze: " .. tostring(aerr)) end
local locks = an.verdict == "locks"

-- The sizes to try: the profile's own list, or powers of two from the core count to 2048.
local sizes = {}
if profile.reta_sizes and #profile.reta_sizes > 0 then
	for _, s in ipairs(profile.reta_sizes) do sizes[#sizes + 1] = s end
else
	local s = 1
	while s < cores do s = s * 2 end
	while s <= 2048 do sizes[#sizes + 1] = s; s = s * 2 end
	if #sizes == 0 then sizes[1] = s end
end

-- The recommended field set ("SET" or "lan=SET wan=SET") as solve's fields option.
local fields, letters = cli.recommended(baton.rss.fieldsets(an, {nic = nic, cores = cores}))

local rows = {}
for _, size in ipairs(sizes) do
	local row = {size = size}
	rows[#rows + 1] = row
	local cfg, serr = baton.rss.solve(an, {nic = nic, cores = cores, reta_size = size, fields = fields})
	if not cfg then row.note = "solve: " .. tostring(serr); goto next end
	do
		local r, cerr = baton.check{nf = nf, pcap = trace, lan = lan, config = cfg, analysis = an}
		if not r or cerr then row.note = "check: " .. tostring(cerr); goto next end
		row.rr, row.rr_viol, row.viol = r.imbalance, r.violations.count, r.violations.count
		local b, berr = baton.rss.balance{nf = nf, pcap = trace, lan = lan, config = cfg,
						  analysis = an}
		if not b then row.note = "balance: " .. tostring(berr); goto next end
		local rb, cerr2 = baton.check{nf = nf, pcap = trace, lan = lan, config = b.config,
					      analysis = an}
		if not rb or cerr2 then row.note = "check balanced: " .. tostring(cerr2); goto next end
		row.bal, row.bal_viol = rb.imbalance, rb.violations.count
		row.viol = math.max(row.viol, rb.violations.count)
	end
	::next::
end

print(string.format("# smallest_reta: %s (%s) on %s, %d packets, lan %s, %d cores, nic %s, " ..
		    "fields %s, target %.3f", an.nf, an.verdict, trace, info.packets, lan or "none",
		    cores, nic, letters, target))
print("# rr: round-robin RETA from rss solve; balanced: after baton.rss.balance on this trace; " ..
      "viol: consistency violations, most of the two checks" ..
      (locks and " (a locks NF: not counted against a size)" or ""))
print(string.format("%4s  %6s  %8s  %4s  %s", "reta", "rr", "balanced", "viol", "note"))
local function num(x) return x and string.format("%.3f", x) or "-" end
for _, r in ipairs(rows) do
	print((string.format("%4d  %6s  %8s  %4s  %s", r.size, num(r.rr), num(r.bal),
			     r.viol and tostring(r.viol) or "-", r.note or ""):gsub("%s+$", "")))
end

-- The smallest size under the target (rows are in increasing size), else the best one.
local function answer(label, key, vkey)
	local best
	for _, r in ipairs(rows) do
		local x = r[key]
		if x and (locks or r[vkey] == 0) then
			if x < target then
				print(string.format("answer %s: %d entries (imbalance %.3f < %.3f)", label,
						    r.size, x, target))
				return
			end
			if not best or x < best[key] then best = r end
		end
	end
	print(string.format("answer %s: none of %d..%d%s", label, sizes[1], sizes[#sizes],
			    best and string.format(" (best: %d entries, %.3f)", best.size, best[key])
			    or ""))
end
answer("round-robin", "rr", "rr_viol")
answer("balanced", "bal", "bal_viol")
