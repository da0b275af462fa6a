-- Prints an NF's analysis as sorted lines, for tests/e2e/analysis_expect.sh to compare with
-- tests/analysis/NF.expect: each state object (kind, rw or r in nf_process) and each access
-- (object, input port, operation, call, key bytes as fields). Source lines are left out so
-- that editing an NF's comments does not break the expectation.
--   baton tests/analysis/model.lua NF
local name = assert(arg[1], "usage: model.lua NF")
local nf = assert(baton.load(name))
local a = assert(nf:analyze())
local lines, seen = {}, {}
local function add(l)
	if not seen[l] then seen[l] = true; lines[#lines + 1] = l end
end
for oname, o in pairs(a.objects) do
	add(string.format("object %s %s %s", oname, o.kind, o.access))
	for _, k in ipairs(o.keys) do
		add(string.format("access %s %s %s %s %s", oname, k.port, k.op, k.call,
			#k.fields > 0 and table.concat(k.fields, " ") or "-"))
	end
end
table.sort(lines)
for _, l in ipairs(lines) do print(l) end
