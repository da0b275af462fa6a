#!/bin/sh
# make bench as a smoke run (BENCH_QUICK=1: one short run of everything): the table has a row
# for every figure of DESIGN.md section 11, the JSON parses and holds the same figures with
# their samples, and the machine is described. Asserts no speed: the machines are noisy.
. tests/e2e-lib.sh

TOEPLITZ_BENCH=${TOEPLITZ_BENCH:-$BUILD/tests/bench/toeplitz}
BENCH_QUICK=1 BATON="$BATON" TOEPLITZ_BENCH="$TOEPLITZ_BENCH" BENCH_JSON="$T/bench.json" \
	TMPROOT="$T" sh tests/bench/run.sh >"$T/out" 2>"$T/err" </dev/null
rc=$?
expect_rc "BENCH_QUICK=1 tests/bench/run.sh runs to the end" 0
expect_grep "it says it was a smoke run" "$T/out" 'BENCH_QUICK'
for h in '^machine: .+online CPUs.+MHz.+GiB' '^system: +Linux .+Debian' \
	'^tools: +DPDK .+LLVM .+Z3 .+gcc' '^source: +git [0-9a-f]+ \((clean|dirty)' '^EAL: +--no-pci'; do
	expect_grep "header: $h" "$T/out" "$h"
done
expect_grep "the table's header" "$T/out" '^figure +unit +target +min +median +max +runs +vs target'
expect_grep "the total time" "$T/out" '^make bench: [0-9]+ s in all'

# The figures every run must have: each of section 11, and the Toeplitz, check and replay ones.
nfs=$(for f in nfs/*.c; do basename "$f" .c; done)
want="toeplitz table, hash12|rte_softrss|toeplitz table / rte_softrss"
for nf in $nfs; do want="$want|analysis $nf|key solving $nf"; done
for nf in fw nat; do want="$want|check $nf|replay $nf"; done
for v in net_null net_pcap; do
	for c in seq 'sn 1 lcore' 'sn 2 lcores' 'locks 1 lcore' 'locks 2 lcores' \
		'locks churn 1 lcore' 'locks churn 2 lcores' 'sn1 / seq' 'sn2 / sn1' 'locks1 / sn1' \
		'locks2 / sn2' 'churn1 / locks1' 'churn2 / locks2'; do
		want="$want|fw $v $c"
	done
done
missing=$(printf '%s\n' "$want" | tr '|' '\n' | while read -r name; do
	grep -qF -- "$name " "$T/out" || printf '%s; ' "$name"; done)
if [ -z "$missing" ]; then ok "the table has every figure row"; else
	not_ok "the table has every figure row" "missing: $missing"; fi

# The JSON: parses, describes the machine, holds exactly the table's figures, each with its
# samples and their summary, and no figure failed to be measured.
python3 - "$T/bench.json" "$T/out" "$want" >"$T/py" 2>&1 <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
table = open(sys.argv[2]).read().splitlines()
want = sys.argv[3].split("|")
names = [f["name"] for f in d["figures"]]
print("parses", True)
m = d["machine"]
print("machine", all(m.get(k) for k in ("cpu_model", "cpus_online", "kernel", "debian", "dpdk",
      "llvm", "z3", "gcc", "git_revision", "date")) and m.get("memory_gib", 0) > 0)
print("wanted", all(w in names for w in want))
print("unique", len(set(names)) == len(names))
rows = [l for l in table if any(l.startswith(n + " ") for n in names)]
print("rows", len(rows) == len(names) and all(any(l.startswith(n + " ") for l in rows)
      for n in names))
bad = []
for f in d["figures"]:
    s = f["samples"]
    if f["errors"] or not s or f["runs"] != len(s) or len(f["rounds"]) != len(s):
        bad.append("%s: %s" % (f["name"], f["errors"] or "no samples"))
    elif f.get("ratio_of") is None and not (f["min"] <= f["median"] <= f["max"] and
            f["min"] == min(s) and f["max"] == max(s)):
        bad.append("%s: min/median/max do not match the samples" % f["name"])
    elif f.get("target") and abs(f["ratio_to_target"] - f["median"] / f["target"]["value"]) > 1e-9:
        bad.append("%s: ratio_to_target is not median / target" % f["name"])
print("measured", not bad)
for b in bad[:8]:
    print("#", b)
PY
for k in parses machine wanted unique rows measured; do
	if grep -q "^$k True" "$T/py"; then ok "bench.json: $k"; else
		not_ok "bench.json: $k" "$(grep -E "^($k|#)" "$T/py" | head -9)" "$(tail -3 "$T/py")"; fi
done
