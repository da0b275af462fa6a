-- What if we had more cores? For each NF: load, analyze, solve RSS with the field set
-- 'rss fieldsets' recommends, then check the trace on 2, 3, ... N cores (round-robin RETA,
-- same keys) and print the imbalance (max/mean packets per core) for each core count.
--
-- usage: baton lua/examples/sweep_cores.lua [TRACE] [--lan CIDR|none] [--nfs fw,nat,...]
--                                           [--max N] [--nic NIC]
--   TRACE   default pcaps/bidir.pcap; the bundled bidir.pcap gets --lan 192.168.0.0/16 unless
--           told otherwise, any other trace puts every packet on the lan port (as 'check' does
--           without --lan)
--   --nfs   default: every bundled NF whose verdict is shared-nothing
--   --max   the largest core count, 2..64 (default 16)
--   --nic   the NIC profile for fieldsets and solve (default software)
--
-- Locks NFs (bridge, lb) given in --nfs are still checked: a locks build spreads packets with
-- the same RSS, so the imbalance is what it would see; their 'viol' is what a shared-nothing
-- sharding would break, and a note line after the table says so.
--
-- Output (stable shape; columns separated by spaces, '#' lines are comments):
--   # sweep_cores: TRACE, P packets, lan CIDR|none, nic NIC
--   # imbalance = max/mean packets per core (1.000 is perfect); viol = ...; fields = ...
--   nf      verdict      2      3 ...      N   viol  fields
--   NAME    sn|locks I.III  I.III ...  I.III      V  LETTERS     (one row per NF)
--   note: NAME: ...          (a locks NF, an NF that failed to analyze, solve or check)
-- A cell that could not be computed is '-'; LETTERS joins per-port field sets with ','.
-- Example (default arguments with --max 4; the default run has columns 2..16):
--   # sweep_cores: pcaps/bidir.pcap, 2048 packets, lan 192.168.0.0/16, nic software
--   # imbalance = max/mean packets per core (1.000 is perfect); viol = most consistency violations at any core count; fields = the recommended field set (ethtool letters)
--   nf      verdict      2      3      4   viol  fields
--   cl      sn       1.133  1.025  1.166      0  lan=sdfn,wan=sd
--   fw      sn       1.044  1.229  1.139      0  sdfn
--   hhh     sn       1.101  1.119  1.234      0  lan=sdfn,wan=s
--   nat     sn       1.008  1.162  1.268      0  lan=dn,wan=sf
--   nop     sn       1.060  1.047  1.281      0  sdfn
--   pol     sn       1.090  1.049  1.264      0  lan=sdfn,wan=d
--   psd     sn       1.066  1.103  1.268      0  lan=sdfn,wan=s
--   sbridge sn       1.060  1.047  1.281      0  sdfn
-- With --nfs bridge,fw --max 3 a locks row and its note:
--   bridge  locks    1.060  1.047    320  sdfn
--   note: bridge: locks verdict (macs: keyed by eth.src, eth.dst, which RSS cannot hash): the imbalance is what a locks build sees with this RSS; viol is what a shared-nothing sharding would break

-- Usage errors and option parsing, shared by the examples.
local cli = dofile((arg and arg[0] and arg[0]:match("^(.*)/") or "lua/examples") .. "/cli.lua")
local fail = cli.fail
local USAGE = "usage: baton lua/examples/sweep_cores.lua [TRACE] [--lan CIDR|none] " ..
	"[--nfs fw,nat,...] [--max N] [--nic NIC]"
local function usage(why) fail((why and why .. "\n" or "") .. USAGE) end
local function parse(args, spec) return cli.parse(args, spec, usage) end

local pos, opt = parse({...}, {lan = true, nfs = true, max = true, nic = true, help = false})
if opt.help then print(USAGE) return end
if #pos > 1 then usage("one trace at most") end
local trace = pos[1] or "pcaps/bidir.pcap"
local info, ierr = baton.pcap.info(trace)
if not info then usage(tostring(ierr)) end
local lan = cli.lan(trace, opt.lan, usage)
local max = tonumber(opt.max or 16)
if not max or max ~= math.floor(max) or max < 2 or max > 64 then
	usage("--max must be a whole number in 2..64")
end
local nic = opt.nic or "software"
local known = {}
for _, n in ipairs(baton.rss.nics()) do known[n.name] = true end
if not known[nic] then usage("unknown NIC profile '" .. nic .. "'") end

-- The first reason, without its source lines, cut to one readable line.
local function short(reason)
	local r = tostring(reason):match("^[^(]*"):gsub("%s+$", "")
	return #r > 72 and r:sub(1, 69) .. "..." or r
end

local names, explicit = {}, opt.nfs ~= nil
if explicit then
	for n in opt.nfs:gmatch("[^,%s]+") do names[#names + 1] = n end
	if #names == 0 then usage("--nfs needs at least one NF") end
else
	names = baton.nfs()
end

local cores = {}
for n = 2, max do cores[#cores + 1] = n end
local rows, notes = {}, {}

for _, name in ipairs(names) do
	local row = {nf = name, verdict = "-", imb = {}, viol = nil, fields = "-"}
	-- A name that does not load is a bad argument; one that loads but fails analysis is a row.
	local nf, err = baton.load(name)
	if not nf then usage(tostring(err)) end
	local an, aerr = nf:analyze()
	if not an then
		if explicit then
			notes[#notes + 1] = name .. ": analyze: " .. tostring(aerr):match("[^\n]*")
			rows[#rows + 1] = row
		end
		goto next
	end
	row.verdict = an.verdict == "locks" and "locks" or "sn"
	-- Default list: shared-nothing NFs only; given by name, a locks NF is checked too.
	if row.verdict == "locks" and not explicit then goto next end
	rows[#rows + 1] = row
	do
		local fs, ferr = baton.rss.fieldsets(an, {nic = nic})
		local solve = {nic = nic, cores = 2}
		if fs then
			solve.fields, row.fields = cli.recommended(fs)
		else
			notes[#notes + 1] = name .. ": fieldsets: " .. tostring(ferr) .. "; the default field set used"
		end
		local cfg, serr = baton.rss.solve(an, solve)
		if not cfg then
			notes[#notes + 1] = name .. ": rss solve: " .. tostring(serr)
			goto next
		end
		for i, n in ipairs(cores) do
			local r, cerr = baton.check{nf = nf, pcap = trace, lan = lan, config = cfg,
						    analysis = an, cores = n}
			if r and not cerr then
				row.imb[i] = r.imbalance
				row.viol = math.max(row.viol or 0, r.violations.count)
			elseif not row.failed then
				row.failed = true
				notes[#notes + 1] = string.format("%s: check on %d cores: %s", name, n,
								  tostring(cerr))
			end
		end
		if row.verdict == "locks" then
			notes[#notes + 1] = string.format("%s: locks verdict (%s): the imbalance is what a " ..
				"locks build sees with this RSS; viol is what a shared-nothing sharding " ..
				"would break", name, short(an.reasons[1]))
		end
	end
	::next::
end

local w = 7
for _, r in ipairs(rows) do w = math.max(w, #r.nf) end
print(string.format("# sweep_cores: %s, %d packets, lan %s, nic %s", trace, info.packets,
		    lan or "none", nic))
print("# imbalance = max/mean packets per core (1.000 is perfect); viol = most consistency " ..
      "violations at any core count; fields = the recommended field set (ethtool letters)")
local head = string.format("%-" .. w .. "s %-7s", "nf", "verdict")
for _, n in ipairs(cores) do head = head .. string.format(" %6d", n) end
print(head .. string.format(" %6s  %s", "viol", "fields"))
for _, r in ipairs(rows) do
	local line = string.format("%-" .. w .. "s %-7s", r.nf, r.verdict)
	for i = 1, #cores do
		line = line .. (r.imb[i] and string.format(" %6.3f", r.imb[i]) or string.format(" %6s", "-"))
	end
	print(line .. string.format(" %6s  %s", r.viol and tostring(r.viol) or "-", r.fields))
end
for _, n in ipairs(notes) do print("note: " .. n) end
