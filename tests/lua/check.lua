-- baton.check and baton.rss.balance from a script: run as `baton tests/lua/check.lua`.
-- Prints TAP lines.
local tap = dofile((arg[0]:match("^(.*)/") or ".") .. "/../tap.lua")
local check = tap.check

local nf = assert(baton.load("fw"))
local an = assert(nf:analyze())
local cfg = assert(baton.rss.solve(an, {cores = 4}))
local lan = "192.168.0.0/16"
local gen = "bidir,flows=2000,packets=20k"

local r, err = baton.check{nf = nf, gen = gen, lan = lan, config = cfg, analysis = an}
check("check fw with its solved configuration", r and r.packets == 20000 and r.cores == 4, err)
check("no violation, same verdicts", r and r.violations.count == 0 and r.verdict_diffs == 0 and
	r.byte_diffs == 0 and #r.violations.examples == 0)
local sum = 0
for _, c in ipairs(r and r.per_core or {}) do sum = sum + c.packets end
check("per_core adds up to the packets", r and #r.per_core == 4 and sum == r.packets)
check("imbalance is max/mean", r and r.imbalance >= 1 and r.imbalance < 1.2, r and r.imbalance)
check("the configuration used is in the result", r and r.config.cores == 4 and
	r.config.ports.lan.key == cfg.ports.lan.key)

-- What-if: the same trace on 1, 2 and 8 cores.
local ok8 = true
for _, n in ipairs{1, 2, 8} do
	local x = baton.check{nf = nf, gen = gen, lan = lan, config = cfg, cores = n}
	ok8 = ok8 and x and #x.per_core == n and x.violations.count == 0
end
check("cores = 1, 2, 8 each stay consistent", ok8)

-- A random key breaks fw, with examples.
local bad = baton.rss.set(cfg, "all", "key", string.rep("0123456789abcdef", 6):sub(1, 104))
local w = baton.check{nf = nf, gen = gen, lan = lan, config = bad}
check("a random key: violations with examples", w and w.violations.count > 0 and
	#w.violations.examples > 0 and w.violations.examples[1].first.core ~=
	w.violations.examples[1].other.core)
check("a random key: verdict differences with examples", w and w.verdict_diffs > 0 and
	w.verdict_examples[1].sequential == "lan" and w.verdict_examples[1].sharded == "drop")

-- rss balance on a skewed RETA.
local skew = baton.rss.set(cfg, "all", "reta", "0,0,0,1")
local b, berr = baton.rss.balance{nf = nf, gen = gen, lan = lan, config = skew, analysis = an}
check("balance improves a skewed RETA", b and b.groups[1].imbalance_before > 2 and
	b.groups[1].imbalance_after < 1.1, berr)
local after = b and baton.rss.check(an, b.config)
check("the balanced RETA keeps the constraints", after and after.satisfied)

-- Locks NFs: the verdict is carried, a naive sharding shows violations.
local br = assert(baton.load("bridge"))
local bra = assert(br:analyze())
local x = baton.check{nf = br, gen = gen, lan = lan, analysis = bra}
check("bridge: locks, and violations of a naive sharding", x and x.verdict == "locks" and
	x.violations.count > 0)

-- Failures: nil and a message; misuse raises.
local none, msg = baton.check{nf = nf, pcap = "/nonexistent.pcap"}
check("a missing trace: nil and a message", none == nil and msg:find("/nonexistent.pcap"), msg)
check("pcap and gen together raise", not pcall(baton.check, {nf = nf, pcap = "a", gen = "b"}))
check("an unknown option raises", not pcall(baton.check, {nf = nf, gen = gen, colour = 1}))
check("nf is required", not pcall(baton.check, {gen = gen}))
local bc, bmsg = baton.check{nf = nf, gen = gen, config = {ports = {lan = {key = "00"}}}}
check("a bad configuration: nil and a message", bc == nil and bmsg:find("configuration"), bmsg)

tap.finish()
