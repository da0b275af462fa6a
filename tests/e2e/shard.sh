#!/bin/sh
# The shared-nothing / locks decision (engine/shard.c): every bundled NF's verdict, constraints,
# replicated objects and reasons as data in tests/shard/NAME.expect, and the small NFs in
# tests/shard/*.c written to exercise one rule each. After checking a change by eye,
# BATON_REGEN=1 sh tests/e2e/shard.sh rewrites the files.
. tests/e2e-lib.sh

for f in tests/shard/*.expect; do
	name=$(basename "$f" .expect)
	nf=$name
	[ -f "tests/shard/$name.c" ] && nf="tests/shard/$name.c"
	run tests/shard/verdict.lua "$nf"
	expect_data "verdict of $name" "$f"
done

# What DESIGN.md section 3 says each NF must get, checked by pattern so that a wrong data file
# cannot hide it.
has() { grep -qE -- "$2" "tests/shard/$1.expect"; }
check() { if has "$1" "$2"; then ok "$1: $3"; else not_ok "$1: $3" "no '$2' in tests/shard/$1.expect"; fi; }
for nf in nop sbridge pol fw nat psd cl hhh readonly masked offset; do
	check $nf '^verdict shared-nothing$' "shared-nothing"
done
for nf in bridge lb counter two_maps hashed nocheck misswrite; do
	check $nf '^verdict locks$' "locks"
done
check nop '^hash lan any$' "no constraint on lan"
check nop '^reason no state' "no state"
check sbridge '^replicated table$' "its table is replicated"
check pol '^constraint wan wan ipv4.dst=ipv4.dst$' "wan sharded by ipv4.dst"
check fw '^constraint lan wan ipv4.src=ipv4.dst ipv4.dst=ipv4.src l4.sport=l4.dport l4.dport=l4.sport$' \
	"lan (src,dst,sport,dport) = wan (dst,src,dport,sport)"
check nat '^constraint lan wan ipv4.dst=ipv4.src l4.dport=l4.sport \(tie\)$' \
	"lan (ipv4.dst, l4.dport) = wan (ipv4.src, l4.sport), through the stored remote endpoint"
check nat '^hash wan ipv4.src l4.sport$' "wan hashes the remote endpoint only"
check nat 'a lookup of another core.s entry ends like a miss' "a wrong-core lookup ends like a miss"
check psd '^constraint wan wan ipv4.src=ipv4.src$' "sharded by ipv4.src"
check psd '^hash wan ipv4.src$' "(src, dport) subsumed by src"
check cl '^constraint wan wan ipv4.src=ipv4.src ipv4.dst=ipv4.dst$' "sharded by (src, dst)"
check cl '^hash wan ipv4.src ipv4.dst$' "the 5-tuple subsumed by (src, dst)"
check hhh '^constraint wan wan ipv4.src/24=ipv4.src/24$' "sharded by ipv4.src/24 (the mask kept)"
check bridge '^reason macs: keyed by eth.src, eth.dst, which RSS cannot hash' "MAC keys"
check lb '^reason backends.alive: read whole by cht_find' "the backend chain is global state"
check lb '^reason backends.info: accessed at indices read from state' "backends read by unrelated keys"
check counter '^reason count: global state: a constant key' "a global counter"
check two_maps '^reason port wan would need sharding by disjoint fields: ipv4.src .* and ipv4.dst' \
	"disjoint field sets on one port"
check hashed '^reason hashes: keyed by f\(ipv4.src\), which RSS cannot hash' "a hashed key"
check readonly '^replicated blocked$' "a map only read is replicated"
check masked '^constraint wan wan ipv4.src/16=ipv4.src/16$' "a masked key keeps its mask"
check offset '^constraint wan wan ipv4.src=ipv4.src$' "a one-to-one function of a field keeps it (the solver says so)"
check nocheck '^reason entries: wan packets name an index .* no check ties the entry' \
	"an index the packet names, never checked against the entry"
check misswrite '^reason entries: .*path [0-9]+ writes state though its lookup failed \(dchain_rejuvenate misswrite.c\)' \
	"a failed check that writes state is no miss"

# The shell: the issue's commands, with source lines.
run -e 'load fw' -e analyze -e 'show verdict'
expect_rc "fw: show verdict succeeds" 0
expect_grep "fw: show verdict says shared-nothing" "$T/out" '^fw: shared-nothing$'
expect_grep "fw: show verdict shows the symmetric constraint" "$T/out" \
	'lan\.ipv4\.src = wan\.ipv4\.dst ∧ lan\.ipv4\.dst = wan\.ipv4\.src ∧ lan\.l4\.sport = wan\.l4\.dport ∧ lan\.l4\.dport = wan\.l4\.sport: symmetric \(flows: .*fw\.c:[0-9]+'
expect_grep "analyze ends with the verdict" "$T/out" '^verdict: shared-nothing \(3 constraints'
run -e 'load bridge' -e analyze -e 'show verdict'
expect_grep "bridge: locks" "$T/out" '^bridge: locks$'
expect_grep "bridge: the MAC reason names its source lines" "$T/out" \
	'✗ macs: keyed by eth.src, eth.dst, which RSS cannot hash.*map_put bridge\.c:[0-9]+'
run -e 'load nat' -e analyze -e 'show constraints'
expect_grep "nat: show constraints links lan and wan through the check" "$T/out" \
	'lan\.ipv4\.dst = wan\.ipv4\.src ∧ lan\.l4\.dport = wan\.l4\.sport'
expect_grep "nat: the constraint names the check's line" "$T/out" 'checked at nat\.c:[0-9]+'
expect_grep "nat: each port's fields" "$T/out" '^  wan may hash: ipv4\.src, l4\.sport$'
run -e 'load psd' -e analyze -e 'show constraints'
expect_grep "psd: implied constraints are counted" "$T/out" '^psd: 1 constraint \([0-9]+ duplicates and [1-9][0-9]* implied'
run -e 'load fw' -e analyze -e 'show graph'
expect_grep "show graph: one edge per line" "$T/out" '^  ipv4\.src +-> flows +lan +w map_put fw\.c:[0-9]+$'
expect_grep "show graph: state to state edges" "$T/out" '^  flows +-> ages +lan +u dchain_rejuvenate fw\.c:[0-9]+$'
run -e 'load fw --json' -e 'analyze --json' -e 'show verdict --json'
if [ "$(json_field "$T/out" verdict 3)" = shared-nothing ]; then ok "show verdict --json"; else
	not_ok "show verdict --json" "$(head -c 300 "$T/out")"; fi
run -e 'load sbridge --json' -e 'analyze --json'
if python3 -c 'import json,sys
v = json.loads(open(sys.argv[1]).read().splitlines()[1])
assert v["verdict"] == "shared-nothing" and v["replicated"] == ["table"], v["verdict"]
assert v["constraints"] == [] and v["reasons"] and v["graph"], "fields"' "$T/out" 2>"$T/py"; then
	ok "analyze --json carries constraints, verdict, reasons, replicated, graph"
else not_ok "analyze --json carries constraints, verdict, reasons, replicated, graph" "$(cat "$T/py")"; fi

# export graph: a Graphviz file that dot renders.
run -e 'load nat' -e analyze -e "export graph $T/nat.dot"
expect_rc "export graph succeeds" 0
expect_grep "export graph says where" "$T/out" "^wrote $T/nat.dot"
if grep -q '^digraph "nat" {' "$T/nat.dot" && grep -q '"f:l4.dport" -> "o:ports"' "$T/nat.dot"; then
	ok "the dot file has the fields, objects and edges"
else not_ok "the dot file has the fields, objects and edges" "$(head -c 400 "$T/nat.dot")"; fi
if command -v dot >/dev/null 2>&1; then
	if dot -Tsvg "$T/nat.dot" -o "$T/nat.svg" 2>"$T/dot.err" && grep -q '<svg' "$T/nat.svg"; then
		ok "dot -Tsvg renders the graph"
	else not_ok "dot -Tsvg renders the graph" "$(head -c 400 "$T/dot.err")"; fi
else
	skip "dot -Tsvg renders the graph" "graphviz is not installed (apt-get install graphviz)"
fi
run -e 'load fw' -e analyze -e "export graph $T/no/such/dir/g.dot" -e 'echo still here'
expect_rc "export graph to a missing folder fails" 1
expect_grep "the failure names the file" "$T/err" "no/such/dir/g.dot"
expect_grep "the shell goes on after it" "$T/out" '^still here$'
run -e 'load fw' -e 'show verdict'
expect_rc "show verdict before analyze fails" 1
expect_grep "it says to analyze first" "$T/err" 'run analyze first'
