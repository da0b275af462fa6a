#!/bin/sh
# The what-if example scripts in lua/examples/ (run as `baton lua/examples/NAME.lua ARGS`):
# each prints the table its header comment documents, with numbers that parse and add up,
# and refuses bad arguments with a usage line and a non-zero status. sn_vs_locks really
# launches DPDK builds on virtual ports (skipped only where libdpdk is not installed).
. tests/e2e-lib.sh
EX=lua/examples

# shape NAME PYTHON: runs PYTHON over the last stdout (lines in L); it prints "ok", or fails an
# assert whose last line says why.
shape() {
	why=$(python3 -c "import sys
L = open('$T/out').read().splitlines()
def num(x):
    return float(x)
$2" 2>&1 | tail -1)
	if [ "$why" = ok ]; then ok "$1"; else
		not_ok "$1" "$why" "stdout: $(head -c 600 "$T/out")" "stderr: $(head -c 400 "$T/err")"
	fi
}

# bad_args NAME ARGS...: the script fails with a usage line on stderr.
bad_args() {
	name=$1; shift
	run "$@"
	if [ "$rc" -ne 0 ] && grep -q '^usage: baton lua/examples/' "$T/err"; then ok "$name"; else
		not_ok "$name" "exit status $rc" "stderr: $(head -c 400 "$T/err")"
	fi
}

# sweep_cores: two NFs on 2..4 cores.
run "$EX/sweep_cores.lua" --nfs fw,nat --max 4
expect_rc "sweep_cores fw,nat --max 4 succeeds" 0
shape "sweep_cores: header 2..4, a row per NF, imbalances >= 1, no violation" '
rows = [l.split() for l in L if l and not l.startswith(("#", "note:"))]
assert rows[0] == ["nf", "verdict", "2", "3", "4", "viol", "fields"], rows[0]
assert [r[0] for r in rows[1:]] == ["fw", "nat"], rows
for r in rows[1:]:
    assert r[1] == "sn" and len(r) == 7, r
    assert all(1.0 <= num(x) < 10 for x in r[2:5]), r
    assert r[5] == "0", r
print("ok")'

# The default run: every bundled shared-nothing NF on 2..16 cores (a few seconds).
run "$EX/sweep_cores.lua"
expect_rc "sweep_cores with no argument succeeds" 0
shape "sweep_cores default: bidir.pcap, every shared-nothing NF, 2..16" '
assert L[0].startswith("# sweep_cores: pcaps/bidir.pcap, 2048 packets, lan 192.168.0.0/16"), L[0]
rows = [l.split() for l in L if l and not l.startswith(("#", "note:"))]
assert rows[0] == ["nf", "verdict"] + [str(n) for n in range(2, 17)] + ["viol", "fields"], rows[0]
names = [r[0] for r in rows[1:]]
for n in ("fw", "nat", "pol", "psd", "cl", "hhh", "nop"):
    assert n in names, (n, names)
assert "bridge" not in names and "lb" not in names, names
for r in rows[1:]:
    assert len(r) == 19 and r[1] == "sn" and r[17] == "0", r
    assert all(num(x) >= 1.0 for x in r[2:17]), r
print("ok")'

# A locks NF given by name is checked for balance and said to be locks.
run "$EX/sweep_cores.lua" pcaps/bidir.pcap --nfs bridge,fw --max 3
shape "sweep_cores: a locks NF gets a row and a note" '
rows = {l.split()[0]: l.split() for l in L if l and not l.startswith(("#", "note:"))}
assert rows["bridge"][1] == "locks" and int(rows["bridge"][4]) > 0, rows
assert rows["fw"][1] == "sn" and rows["fw"][4] == "0", rows
assert any(l.startswith("note: bridge: locks verdict") for l in L), L
print("ok")'
bad_args "sweep_cores --max 1: usage" "$EX/sweep_cores.lua" --max 1
bad_args "sweep_cores two traces: usage" "$EX/sweep_cores.lua" pcaps/bidir.pcap pcaps/zipf.pcap
bad_args "sweep_cores unknown NF: usage" "$EX/sweep_cores.lua" --nfs fw,no-such-nf --max 2

# fieldsets: pol on i40e, where the 4-tuple loses to a field set hashing ipv4.dst alone.
run "$EX/fieldsets.lua" pol --nic i40e --cores 4
expect_rc "fieldsets pol --nic i40e succeeds" 0
shape "fieldsets: a row per candidate, one marked, the recommendation explained" '
import re
k = int(re.search(r"on i40e, RETA 512 entries, 4 cores: (\d+) candidates", L[0]).group(1))
head = [i for i, l in enumerate(L) if l.startswith("rec ")][0]
assert L[head].split() == ["rec", "letters", "status", "free", "low", "full", "rank", "reach",
                           "uniform", "/24s", "set"], L[head]
rows = [l.split() for l in L[head + 1:head + 1 + k]]
assert all(r[0] in ("*", "-") for r in rows), rows
marked = [r for r in rows if r[0] == "*"]
assert len(marked) == 1 and marked[0][1] == "lan=sdfn,wan=d" and marked[0][5] == "yes", marked
for r in rows:
    assert r[2] in ("ok", "one-core", "unsat"), r
    a, b = r[4].split("/"); assert 0 <= int(a) <= int(b), r
    assert int(r[3]) >= 0 and num(r[8]) >= 1.0 and num(r[9]) >= 1.0, r
    if r[2] == "ok":
        x, y = r[6].split("/"); assert 0 < int(x) <= int(y) == 9, r
four = [r for r in rows if r[1] == "sdfn"][0]
assert four[5] == "no", four
assert L[head + 1 + k].startswith("recommended: lan=ipv4-tcp,ipv4-udp wan=ipv4,l3-dst-only"), L[head + 1 + k]
assert L[head + 2 + k].startswith("use it: baton.rss.solve("), L[head + 2 + k]
print("ok")'
bad_args "fieldsets without an NF: usage" "$EX/fieldsets.lua"
bad_args "fieldsets unknown NIC: usage" "$EX/fieldsets.lua" fw --nic e1000

# smallest_reta: fw on the bundled bidir trace, 4 cores; the answers agree with the rows.
run "$EX/smallest_reta.lua" fw pcaps/bidir.pcap --cores 4 --target 1.05
expect_rc "smallest_reta fw bidir --cores 4 succeeds" 0
shape "smallest_reta: a row per power of two, answers that match the rows" '
import re
head = [i for i, l in enumerate(L) if l.startswith("reta ")][0]
assert L[head].split() == ["reta", "rr", "balanced", "viol", "note"], L[head]
rows = [l.split() for l in L[head + 1:] if not l.startswith("answer")]
assert [int(r[0]) for r in rows] == [4 << i for i in range(10)], rows
for r in rows:
    assert num(r[1]) >= 1.0 and num(r[2]) >= 1.0 and r[3] == "0", r
    assert num(r[2]) <= num(r[1]) + 1e-9, r
for label, col in (("round-robin", 1), ("balanced", 2)):
    a = [l for l in L if l.startswith("answer " + label + ": ")]
    assert len(a) == 1, L
    m = re.match(r"answer \S+: (\d+) entries \(imbalance ([0-9.]+) < 1\.050\)$", a[0])
    under = [r for r in rows if num(r[col]) < 1.05]
    if m:
        assert under and int(under[0][0]) == int(m.group(1)), (a[0], under)
    else:
        assert a[0].startswith("answer " + label + ": none of 4..2048") and not under, a[0]
print("ok")'
run "$EX/smallest_reta.lua" pol pcaps/zipf.pcap --nic mlx5 --cores 4
shape "smallest_reta on mlx5: its sizes, the one too small for 4 cores refused" '
head = [i for i, l in enumerate(L) if l.startswith("reta ")][0]
rows = [l.split() for l in L[head + 1:] if not l.startswith("answer")]
assert [int(r[0]) for r in rows] == [2, 4, 8, 16, 32, 64, 128, 256, 512], rows
assert rows[0][1] == "-" and "solve:" in rows[0], rows[0]
assert sum(l.startswith("answer ") for l in L) == 2, L
print("ok")'
bad_args "smallest_reta without a trace: usage" "$EX/smallest_reta.lua" fw
bad_args "smallest_reta --target 0.9: usage" "$EX/smallest_reta.lua" fw pcaps/bidir.pcap --target 0.9

# sn_vs_locks: real DPDK builds on net_pcap, looped, half a second each.
if pkg-config --exists libdpdk 2>/dev/null; then
	run "$EX/sn_vs_locks.lua" fw --seconds 0.5
	expect_rc "sn_vs_locks fw succeeds" 0
	shape "sn_vs_locks fw: both columns, per-core counters add up to the totals" '
rows = {l.split()[0]: l.split()[1:] for l in L if l and not l.startswith(("#", "note:", "locks/sn:"))}
assert rows["what"] == ["sn", "locks"], rows["what"]
for i in (0, 1):
    t = {k[6:]: int(v[i]) for k, v in rows.items() if k.startswith("total.") and v[i] != "-"}
    assert t["rx"] > 0 and t["rx"] == t["tx"] + t["drops"] + t["floods"] + t["tx_fail"], t
    for f in ("rx", "tx", "drops", "floods"):
        assert t[f] == int(rows["core0." + f][i]) + int(rows["core1." + f][i]), f
    assert rows["accounted"][i] == "yes" and num(rows["mpps"][i]) > 0, rows
    assert num(rows["imbalance"][i]) >= 1.0, rows["imbalance"]
    assert 1 <= len(rows["samples_mpps"][i].split(",")) <= 3, rows["samples_mpps"]
assert rows["trace_split"][0] == rows["trace_split"][1] and num(rows["trace_split"][0]) >= 1.0
assert rows["total.aborts"][0] == "-" and int(rows["total.aborts"][1]) >= 0, rows["total.aborts"]
assert int(rows["total.write_locks"][1]) == sum(int(rows["core%d.write_locks" % k][1]) for k in (0, 1))
assert any(l.startswith("locks/sn: ") for l in L), L
print("ok")'
	run "$EX/sn_vs_locks.lua" bridge --seconds 0.3
	expect_rc "sn_vs_locks bridge succeeds" 0
	shape "sn_vs_locks bridge: sn refused with the reason, locks alone" '
assert any(l.startswith("sn: refused: ") and "verdict is locks" in l for l in L), L
rows = {l.split()[0]: l.split()[1:] for l in L if l and not l.startswith(("#", "note:", "sn:"))}
assert rows["what"] == ["locks"] and rows["accounted"] == ["yes"], rows
assert int(rows["total.write_locks"][0]) > 0, rows["total.write_locks"]
print("ok")'
else
	skip "sn_vs_locks fw" "libdpdk is not installed (pkg-config libdpdk)"
	skip "sn_vs_locks bridge" "libdpdk is not installed (pkg-config libdpdk)"
fi
bad_args "sn_vs_locks without an NF: usage" "$EX/sn_vs_locks.lua"
bad_args "sn_vs_locks --seconds 0: usage" "$EX/sn_vs_locks.lua" fw --seconds 0
