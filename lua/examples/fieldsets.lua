-- Which field set should the NIC hash for this NF? Every field set the NIC profile accepts
-- (baton.rss.fieldsets, the Lua side of 'rss fieldsets'), one row each: solvable or not, the
-- key bits the constraints leave free, and the quality of a key solved with it (rank of the
-- map to the RETA index, fields reaching the RETA, measured balance); '*' marks the one
-- baton recommends, and the lines after the table say why and how to use it.
--
-- usage: baton lua/examples/fieldsets.lua NF [--nic NIC] [--cores N] [--why]
--   NF       a bundled NF name or a .c file
--   --nic    NIC profile (default software; 'rss nics' lists them)
--   --cores  cores the RETA spreads over (default: the solver's, 4)
--   --why    after the table, why each unsolvable field set is refused
--
-- rank and reach come from baton.rss.solve with that field set (fieldsets itself gives the
-- rest): rank is the smallest over ports of the rank of hashed bits -> RETA index bits, out of
-- the RETA's bits; reach lists, in ethtool letters (s ipv4.src, d ipv4.dst, f l4.sport,
-- n l4.dport), the fields whose bits reach the RETA on some port.
--
-- Output (stable shape; '#' lines are comments; per-port letters are joined with ','):
--   # fieldsets: NF (VERDICT) on NIC, RETA R entries, C cores: K candidates
--   # status: ok | one-core (every key puts a port on one RETA entry) | unsat; free: ...
--   rec  letters  status  free  low  full  rank  reach  uniform  /24s  set
--   *|-  LETTERS  STATUS  N     A/B  yes|no R/B  LETTERS|- F.FFF  F.FFF  TESTPMD-NAMES
--   recommended: SET (LETTERS): WHY
--   use it: baton.rss.solve(analysis, {nic = ..., fields = ...})
--   why not LETTERS: ...               (with --why)
-- Example (pol on i40e, 4 cores; rows cut):
--   # fieldsets: pol (shared-nothing) on i40e, RETA 512 entries, 4 cores: 13 candidates
--   # status: ok | one-core (every key puts a port on one RETA entry) | unsat; free: key bits the constraints leave free; low: RETA bits the needed fields' low-order bits reach / wanted; rank: input bits -> RETA index bits, smallest over ports / RETA bits; reach: fields reaching the RETA; uniform, /24s: max/mean packets per core on uniform tuples and on two /24s
--   rec letters         status    free    low  full  rank  reach  uniform   /24s  set
--   -   sdfn            ok         128  41/42  no     9/9  sdfn     1.009  2.009  ipv4-tcp,ipv4-udp
--   -   s               one-core    40    8/8  no       -  -        4.000  4.000  ipv4,l3-src-only
--   -   d               ok          80  16/16  yes    9/9  d        1.017  1.016  ipv4,l3-dst-only
--   *   lan=sdfn,wan=d  ok         144  42/42  yes    9/9  sdfn     1.013  1.016  lan=ipv4-tcp,ipv4-udp wan=ipv4,l3-dst-only
--   recommended: lan=ipv4-tcp,ipv4-udp wan=ipv4,l3-dst-only (lan=sdfn wan=d): full quality: ...
--   use it: baton.rss.solve(analysis, {nic = "i40e", cores = 4, fields = {lan = "ipv4-tcp,ipv4-udp", wan = "ipv4,l3-dst-only"}})

-- Usage errors and option parsing, shared by the examples.
local cli = dofile((arg and arg[0] and arg[0]:match("^(.*)/") or "lua/examples") .. "/cli.lua")
local fail = cli.fail
local USAGE = "usage: baton lua/examples/fieldsets.lua NF [--nic NIC] [--cores N] [--why]"
local function usage(why) fail((why and why .. "\n" or "") .. USAGE) end
local function parse(args, spec) return cli.parse(args, spec, usage) end

local pos, opt = parse({...}, {nic = true, cores = true, why = false, help = false})
if opt.help then print(USAGE) return end
if #pos ~= 1 then usage(#pos == 0 and "which NF?" or "one NF at a time") end
local nic = opt.nic or "software"
local known = {}
for _, n in ipairs(baton.rss.nics()) do known[n.name] = true end
if not known[nic] then usage("unknown NIC profile '" .. nic .. "'") end
local cores = opt.cores and tonumber(opt.cores)
if opt.cores and (not cores or cores ~= math.floor(cores) or cores < 1 or cores > 1024) then
	usage("--cores must be a whole number in 1..1024")
end

local nf, err = baton.load(pos[1])
if not nf then usage(tostring(err)) end
local an, aerr = nf:analyze()
if not an then fail("analyze: " .. tostring(aerr)) end
local o = {nic = nic, cores = cores and math.tointeger(cores)}
local fs, ferr = baton.rss.fieldsets(an, o)
if not fs then fail("fieldsets: " .. tostring(ferr)) end

local LETTER = {["ipv4.src"] = "s", ["ipv4.dst"] = "d", ["l4.sport"] = "f", ["l4.dport"] = "n"}
local rows, base = {}, nil
for _, c in ipairs(fs.candidates) do
	local r = {c = c, letters = c.letters:gsub(" ", ","), rank = "-", reach = "-"}
	r.status = c.satisfiable and "ok" or
		(tostring(c.why_not):find("one RETA entry") and "one-core" or "unsat")
	if c.satisfiable then
		local cfg = baton.rss.solve(an, {nic = nic, cores = o.cores, fields = cli.fields(c.name)})
		if cfg then
			base = base or cfg
			local q = cfg.quality
			r.rank = string.format("%d/%d", q.rank, q.reta_bits)
			local l = {}
			for _, f in ipairs(q.fields_reaching_reta) do l[#l + 1] = LETTER[f] or f end
			r.reach = #l > 0 and table.concat(l) or "none"
		end
	end
	rows[#rows + 1] = r
end
-- RETA size and cores as the solver used them (fieldsets does not echo them).
base = base or baton.rss.solve(an, {nic = nic, cores = o.cores})

local wl = #"letters"
for _, r in ipairs(rows) do wl = math.max(wl, #r.letters) end
local fmt = "%-3s %-" .. wl .. "s  %-8s %5s %6s  %-4s %5s  %-5s  %7s %6s  %s"
print(string.format("# fieldsets: %s (%s) on %s, RETA %s entries, %s cores: %d candidates",
		    an.nf, an.verdict, nic, base and tostring(base.reta_size) or "?",
		    base and tostring(base.cores) or "?", #rows))
print("# status: ok | one-core (every key puts a port on one RETA entry) | unsat; " ..
      "free: key bits the constraints leave free; low: RETA bits the needed fields' " ..
      "low-order bits reach / wanted; rank: input bits -> RETA index bits, smallest over " ..
      "ports / RETA bits; reach: fields reaching the RETA; uniform, /24s: max/mean packets " ..
      "per core on uniform tuples and on two /24s")
print(string.format(fmt, "rec", "letters", "status", "free", "low", "full", "rank", "reach",
		    "uniform", "/24s", "set"))
for _, r in ipairs(rows) do
	local c = r.c
	print(string.format(fmt, c.recommended and "*" or "-", r.letters, r.status,
			    tostring(c.free_bits), string.format("%d/%d", c.low_bits, c.low_bits_wanted),
			    c.full and "yes" or "no", r.rank, r.reach,
			    string.format("%.3f", c.imbalance_uniform),
			    string.format("%.3f", c.imbalance_subnet), c.name))
end

local rec
for _, r in ipairs(rows) do if r.c.recommended then rec = r.c end end
if rec then
	print(string.format("recommended: %s (%s): %s", rec.name, rec.letters, fs.why or ""))
	local f = cli.fields(rec.name)
	local fstr
	if type(f) == "table" then
		local parts = {}
		for _, p in ipairs(base and base.port_order or {}) do
			if f[p] then parts[#parts + 1] = string.format("%s = %q", p, f[p]) end
		end
		fstr = "{" .. table.concat(parts, ", ") .. "}"
	else
		fstr = string.format("%q", f)
	end
	print(string.format("use it: baton.rss.solve(analysis, {nic = %q, %sfields = %s})", nic,
			    o.cores and string.format("cores = %d, ", o.cores) or "", fstr))
else
	print("recommended: none (" .. tostring(fs.why) .. ")")
end
if opt.why then
	for _, r in ipairs(rows) do
		if not r.c.satisfiable then
			print(string.format("why not %s: %s", r.letters, tostring(r.c.why_not)))
		end
	end
end
