-- make bench: analysis time of one NF (DESIGN.md section 11: < 1 s, nop < 0.2 s), compile of
-- the bitcode included; the caller points BATON_CACHE at an empty folder for a cold run.
--   baton tests/bench/analysis.lua NF
local name = assert(arg[1], "usage: analysis.lua NF")
local nf = assert(baton.load(name))
local a, err = nf:analyze()
if not a then
	print(string.format("%-8s error: %s", name, err))
	os.exit(1)
end
print(string.format("%-8s %6d %9.3f %9.3f %9d %9d", name, a.paths, a.seconds, a.compile_seconds,
	a.solver_checks, a.z3_checks))
