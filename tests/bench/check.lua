-- make bench: trace checking throughput (DESIGN.md section 11: >= 5 Mpps on one core), for an NF
-- on a pcap: pcap reading, RSS, the sequential and the sharded traced runs and the bookkeeping
-- all included, best of 3; 'replay' is one plain sequential run of the same trace, for scale.
--   baton tests/bench/check.lua NF PCAP FLOWS
local name, pcap, flows = arg[1], arg[2], arg[3]
local nf = assert(baton.load(name))
local an = assert(nf:analyze())
local cfg = assert(baton.rss.solve(an, {cores = 4}))
local best, rbest, r = 0, 0
for _ = 1, 3 do
	r = assert(baton.check{nf = nf, pcap = pcap, lan = "192.168.0.0/16", config = cfg})
	if r.mpps > best then best = r.mpps end
	local p = assert(nf:replay(pcap, {lan = "192.168.0.0/16"}))
	if p.mpps > rbest then rbest = p.mpps end
end
print(string.format("%-8s %8s %9d %9.2f %9.2f %9.2f %10d", name, flows, r.packets, best, rbest,
	best / 5, r.violations.count + r.verdict_diffs))
