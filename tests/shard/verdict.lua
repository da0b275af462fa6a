-- Prints an NF's decision as lines, for tests/e2e/shard.sh to compare with tests/shard/NAME.expect:
-- the verdict, each constraint (its two ports and field pairs), the replicated objects, the
-- fields each port may hash, and the reasons with source line numbers left out (so editing a
-- comment in an NF does not break the expectation; the e2e script checks lines by pattern).
--   baton tests/shard/verdict.lua NF|FILE.c
local name = assert(arg[1], "usage: verdict.lua NF|FILE.c")
local nf = assert(baton.load(name))
local a = assert(nf:analyze())
print("verdict " .. a.verdict)
local lines = {}
for _, c in ipairs(a.constraints) do
	local p = {}
	for _, pair in ipairs(c.pairs) do p[#p + 1] = pair[1] .. "=" .. pair[2] end
	lines[#lines + 1] = string.format("constraint %s %s %s%s", c.ports[1], c.ports[2],
		table.concat(p, " "), c.tie and " (tie)" or "")
end
table.sort(lines)
for _, l in ipairs(lines) do print(l) end
local rep = {}
for _, o in ipairs(a.replicated) do rep[#rep + 1] = o end
table.sort(rep)
for _, o in ipairs(rep) do print("replicated " .. o) end
for _, port in ipairs(a.ports) do
	local f = a.shard_fields[port]
	print(string.format("hash %s %s", port, #f > 0 and table.concat(f, " ") or "nothing"))
end
for _, r in ipairs(a.reasons) do
	print("reason " .. (r:gsub("([%w_]+%.[ch]):%d+", "%1")))
end
