#!/bin/sh
# The analysis from the shell: analyze, show paths / path / objects / accesses, their JSON, when
# the analysis is dropped or kept, and errors that name the source line without ending the shell.
. tests/e2e-lib.sh

# nat once, looked at every way (one run: the analysis is the slow part).
run -e "load nat" -e "analyze" -e "echo ==accesses" -e "show accesses" \
	-e "echo ==path0" -e "show path 0" -e "show path 99999" -e "echo ==after" \
	-e "show objects --json" -e "show accesses flows --json" -e "show path 0 --json" \
	-e "show paths --json"
expect_rc "load nat; analyze; show ...: only the bad path number fails" 1
sed -n '/^nat: .*paths/,/^==accesses$/p' "$T/out" >"$T/summary"
expect_grep "analyze prints the number of paths" "$T/summary" '^nat: [1-9][0-9]* paths'
expect_grep "and of state objects and accesses" "$T/summary" '[1-9][0-9]* state objects.* [1-9][0-9]* accesses'
expect_grep "and the time it took" "$T/summary" '[0-9]+\.[0-9]+ s'
expect_grep "and nat's objects with their source lines" "$T/summary" '^ +flows +map .*nat\.c:[0-9]+'
sed -n '/^==accesses$/,/^==path0$/p' "$T/out" >"$T/acc"
expect_grep "show accesses names nat's key fields: ipv4.src" "$T/acc" 'ipv4\.src'
expect_grep "and l4.sport" "$T/acc" 'l4\.sport'
expect_grep "with the source line of each access" "$T/acc" 'nat\.c:[0-9]+'
expect_grep "and whether it reads or writes" "$T/acc" 'flows|write'
sed -n '/^==path0$/,/^==after$/p' "$T/out" >"$T/p0"
expect_grep "show path 0 shows the first path" "$T/p0" '^path 0'
expect_grep "show path 99999 is an error from the engine" "$T/err" 'error: .*no path 99999'
expect_grep "and the shell goes on" "$T/out" '^==after$'
python3 - "$T/out" >"$T/check" 2>&1 <<'PY'
import json, sys
lines = [l for l in open(sys.argv[1]).read().splitlines() if l.startswith(("{", "["))]
objs, acc, p0, paths = (json.loads(l) for l in lines[-4:])
assert set(objs) == {"flows", "keys", "entries", "ports"}, sorted(objs)
assert objs["flows"]["kind"] == "map" and objs["flows"]["capacity"] > 0, objs["flows"]
assert any(k["op"] == "write" and "ipv4.src[0]" in k["fields"] for k in objs["flows"]["keys"])
assert acc and all(a["object"] == "flows" for a in acc), acc
assert p0["id"] == 0 and "verdict" in p0, p0
assert isinstance(paths, list) and paths[0]["id"] == 0 and len(paths) > 1, paths[:1]
print("fine")
PY
grep -q fine "$T/check" && ok "show objects / accesses / path / paths --json parse, objects keyed by name" ||
	not_ok "show objects / accesses / path / paths --json parse, objects keyed by name" "$(cat "$T/check")"

# analyze --json: the result fields of DESIGN.md section 9.
run --json -e "load fw" -e "analyze"
python3 - "$T/out" >"$T/check" 2>&1 <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[1])
assert r["nf"] == "fw" and r["ports"] == ["lan", "wan"], r
assert r["paths"] > 0 and r["paths"] == len(r["path_list"]), r["paths"]
assert r["seconds"] >= 0 and set(r["objects"]) == {"flows", "keys", "ages"}, r["objects"].keys()
print("fine")
PY
grep -q fine "$T/check" && ok "analyze --json: nf, ports, paths, seconds, objects, path_list" ||
	not_ok "analyze --json: nf, ports, paths, seconds, objects, path_list" "$(cat "$T/check")"

# Needing an NF, needing an analysis.
run -e "analyze" -e "echo after"
expect_rc "analyze without an NF fails" 1
expect_grep "and says to load one" "$T/err" "^error: .*no NF loaded \(load one first: load fw\)"
expect_grep "and the shell goes on" "$T/out" "^after$"
for c in "show paths" "show path 0" "show objects" "show accesses" "show accesses flows"; do
	run -e "load fw" -e "$c"
	expect_grep "$c before analyze says to run it" "$T/err" "^error: .*no analysis yet \(run analyze first\)"
done

# What drops the analysis: a set that takes, loading an NF. What keeps it: a refused set, a
# failed analyze.
run -e "load fw" -e "analyze" -e "set expiry=lots" -e "show objects" -e "analyze --max-paths 1" \
	-e "echo ==kept" -e "show objects" -e "set expiry=30" -e "show objects"
expect_grep "a refused set keeps the analysis" "$T/out" "^flows +map"
expect_grep "a failed analyze says why" "$T/err" "^error: .*fw\.c:[0-9]+: .*1 path"
sed -n '/^==kept$/,$p' "$T/out" >"$T/kept"
expect_grep "and keeps the previous analysis" "$T/kept" "^flows +map"
expect_grep "a set that takes drops it" "$T/err" "^error: -e #9: no analysis yet"
run -e "load fw" -e "analyze" -e "load nop" -e "show objects"
expect_grep "loading another NF drops it" "$T/err" "^error: -e #4: no analysis yet"
run -e "load nop" -e "analyze" -e "show paths" -e "show paths --tree" -e "show objects"
expect_rc "nop: analyze and every show" 0
expect_grep "nop has two paths, one per port" "$T/out" "^nop: 2 paths"

# Options.
run --json -e "load nop" -e "analyze --len 100-200 --max-paths 10"
expect_rc "analyze --len MIN-MAX --max-paths N" 0
for bad in "--len 200-100" "--len 0-10" "--len x" "--len" "--max-paths 0" "--max-paths many" "--frob"; do
	run -e "load nop" -e "analyze $bad"
	if [ "$rc" -eq 1 ] && grep -q "^error: " "$T/err"; then ok "analyze $bad is refused"; else
		not_ok "analyze $bad is refused" "status $rc" "$(cat "$T/err")"; fi
done
run -e "load nop" -e "analyze" -e "show path x" -e "show paths --frob" -e "show accesses nosuch" \
	-e "show paths --tree --json" -e "show accesses a b"
expect_grep "show path wants a number" "$T/err" "'x' is not a path number"
expect_grep "show paths refuses unknown options" "$T/err" "usage: show paths"
expect_grep "show accesses of an unknown object is the engine's error" "$T/err" "nosuch"
expect_grep "the tree has no JSON form, and says so in JSON" "$T/out" '^\{"error":".*tree has no JSON form'
expect_grep "show accesses takes one object" "$T/err" "usage: show accesses"
[ "$(grep -c '^error: ' "$T/err")" -eq 4 ] && ok "each of the five fails on its own" ||
	not_ok "each of the five fails on its own" "$(cat "$T/err")"

# Help comes from the table.
run -e "help analyze" -e "help show accesses" -e "help show"
expect_grep "help analyze gives the usage" "$T/out" "^usage: analyze \[--len MIN-MAX\] \[--max-paths N\]"
expect_grep "help show accesses says what a key byte is" "$T/out" "ipv4\.src\[0\]"
expect_grep "help show lists the analysis subcommands" "$T/out" "show path N"

# Something the executor cannot model: an error naming the file and line, and the shell goes on.
cat >"$T/flt.c" <<'NF'
#include "nf.h"
static const struct nf_param flt_params[] = {
	{ NULL, NULL, NULL },
};
NF_DESCRIPTOR("flt", "floating point on packet bytes", NF_PORTS("lan", "wan"), flt_params);
void *nf_init(struct nf_env *env)
{
	void *st = nf_alloc(env, 1);
	return nf_env_ok(env) ? st : NULL;
}
int nf_process(void *st, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now)
{
	double d = (double)pkt[14] / 3.0 * (double)pkt[15];
	return (int)d & 1;
}
NF
export BATON_CACHE="$T/cache"
run -e "load $T/flt.c" -e "analyze" -e "echo after" -e "show paths"
expect_rc "analyze of an NF using floating point fails" 1
expect_grep "with an error naming FILE.c:LINE" "$T/err" "^error: .*flt\.c:13"
expect_grep "and the next command still runs" "$T/out" "^after$"
expect_grep "and there is no analysis" "$T/err" "no analysis yet"
unset BATON_CACHE
