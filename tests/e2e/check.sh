#!/bin/sh
# Checking shardings on traces (engine/check.c): consistency, balance and semantics for every
# bundled NF with its solved configuration on generated and real traces; wrong configurations
# and locks NFs show violations with examples; rss balance; --config files; errors.
. tests/e2e-lib.sh
LAN=192.168.0.0/16
RANDKEY=$(printf '%s' 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567)

# field_opts NF: --fields options of the field set 'rss fieldsets' recommends for NF.
field_opts() {
	"$BATON" --json -e "load $1" -e analyze -e 'rss fieldsets' 2>/dev/null | tail -1 |
		python3 -c 'import json, sys
d = json.loads(sys.stdin.read())
c = [x for x in d["candidates"] if x["recommended"]][0]["letters"]
print(" ".join("--fields " + w for w in c.split()))'
}

# json_get EXPR: evaluates EXPR on the JSON of the last line of $T/out (as d).
json_get() {
	tail -1 "$T/out" | python3 -c "import json, sys; d = json.loads(sys.stdin.read()); print($1)"
}

# The issue's "done when": fw on teams.pcap with a solved configuration.
if [ -f "$SHARED/teams.pcap" ]; then
	run -e 'load fw' -e analyze -e 'rss solve --cores 4' \
		-e "check $SHARED/teams.pcap --lan $LAN"
	expect_rc "fw on teams.pcap: check succeeds" 0
	expect_grep "fw on teams.pcap: 0 violations" "$T/out" '^consistency: 0 state entries touched'
	expect_grep "fw on teams.pcap: 0 verdict differences" "$T/out" \
		'^semantics: 1540/1540 packets same verdict as the sequential NF; 0 verdict differences'
	expect_grep "fw on teams.pcap: the per-core table" "$T/out" '^ +3 +[0-9]+ +[0-9.]+% +[0-9]+ #'
	expect_grep "fw on teams.pcap: entries were judged" "$T/out" 'lifetimes per object: flows [1-9]'
else
	skip "fw on teams.pcap" "$SHARED/teams.pcap is absent"
fi

# Every shared-nothing NF with its solved configuration (the recommended field set): no
# violation and no verdict difference on generated traces, and on the real ones.
for f in nfs/*.c; do
	nf=$(basename "$f" .c)
	case $nf in bridge|lb) continue ;; esac
	fo=$(field_opts "$nf")
	for g in bidir,flows=3000,packets=30k churn,flows=300,rate=3000,duration=2 \
		 zipf,flows=3000,packets=30k; do
		run --json -e "load $nf" -e analyze -e "rss solve --cores 4 $fo" \
			-e "check --gen $g --lan $LAN"
		got=$(json_get 'd["violations"]["count"], d["verdict_diffs"], d["capacity_diffs"], d["packets"] > 0')
		if [ "$rc" -eq 0 ] && [ "$got" = "0 0 0 True" ]; then
			ok "$nf ($fo) on --gen ${g%%,*}: no violation, same verdicts"
		else
			not_ok "$nf ($fo) on --gen ${g%%,*}: no violation, same verdicts" "rc $rc: $got" \
				"$(head -c 400 "$T/err")"
		fi
	done
	for p in "$SHARED"/*.pcap; do
		if [ ! -f "$p" ]; then
			skip "$nf on the real traces" "no pcaps in $SHARED"
			break
		fi
		run --json -e "load $nf" -e analyze -e "rss solve --cores 4 $fo" \
			-e "check $p --lan $LAN"
		got=$(json_get 'd["violations"]["count"], d["verdict_diffs"], d["byte_diffs"] - d["rewrite_diffs"]')
		if [ "$rc" -eq 0 ] && [ "$got" = "0 0 0" ]; then
			ok "$nf on $(basename "$p"): no violation, same verdicts"
		else
			not_ok "$nf on $(basename "$p"): no violation, same verdicts" "rc $rc: $got"
		fi
	done
done

# A random key for fw: replies land elsewhere; violations and verdict differences, with examples.
run -e 'load fw' -e analyze -e 'rss solve --cores 4' -e "rss set all key $RANDKEY" \
	-e "check --gen bidir,flows=2000,packets=20k --lan $LAN"
expect_rc "fw, random key: check runs" 0
expect_grep "fw, random key: violations" "$T/out" '^consistency: [1-9][0-9]* state entries touched from two cores'
expect_grep "fw, random key: an example names both packets and cores" "$T/out" \
	'^  flows key [0-9a-f]+: begun by packet [0-9]+ \(lan (tcp|udp) .* core [0-9]\),$'
expect_grep "fw, random key: the other core read it" "$T/out" \
	'^      read by packet [0-9]+ \(wan (tcp|udp) .* core [0-9]\)$'
expect_grep "fw, random key: verdict differences" "$T/out" '[0-9]+ packets same verdict .*; [1-9][0-9]* verdict differences'
expect_grep "fw, random key: an example verdict difference" "$T/out" \
	'^    packet [0-9]+ \(wan .*\): sequential lan, sharded drop$'

# The 4-tuple (the defaults, unsolved) for psd: a source's ports are counted on several cores.
run -e 'load psd' -e "check --gen bidir,flows=4000,packets=40k --lan $LAN"
expect_rc "psd, 4-tuple: check runs" 0
expect_grep "psd, 4-tuple: the defaults are named" "$T/err" '^rss: no RSS configuration yet'
expect_grep "psd, 4-tuple: violations" "$T/out" '^consistency: [1-9][0-9]* state entries touched'
expect_grep "psd, 4-tuple: a source's entry is broken" "$T/out" 'sources [0-9]+ \([1-9][0-9]* broken\)'
expect_grep "psd, 4-tuple: verdict differences" "$T/out" '; [1-9][0-9]* verdict differences'
run -e 'load psd' -e analyze -e 'rss solve --cores 4 --fields lan=sdfn --fields wan=s' \
	-e "check --gen bidir,flows=4000,packets=40k --lan $LAN"
expect_grep "psd, wan=s: the same trace is clean" "$T/out" '^consistency: 0 state entries'

# hhh keeps per-source state for every IPv4 packet: a TCP/UDP-only field set sends a source's
# ICMP to RETA entry 0, which a real trace shows; hashing the source of every packet does not.
if [ -f "$SHARED/teams.pcap" ]; then
	run -e 'load hhh' -e analyze -e 'rss solve --cores 4' -e "check $SHARED/teams.pcap --lan $LAN"
	expect_grep "hhh, 4-tuple on teams.pcap: ICMP breaks a source's entries" "$T/out" \
		'by packet [0-9]+ \(wan icmp .*\)$'
	run -e 'load hhh' -e analyze -e 'rss solve --cores 4 --fields lan=sdfn --fields wan=s' \
		-e "check $SHARED/teams.pcap --lan $LAN"
	expect_grep "hhh, wan=s on teams.pcap: no violation" "$T/out" '^consistency: 0 state entries'
else
	skip "hhh on teams.pcap" "$SHARED/teams.pcap is absent"
fi

# Locks NFs: the check says shared-nothing cannot hold, and shows what a naive sharding breaks.
run -e 'load bridge' -e analyze -e "check --gen bidir,flows=2000,packets=20k --lan $LAN"
expect_rc "bridge: check runs" 0
expect_grep "bridge: locks explained" "$T/out" "^bridge's verdict is locks \(.*\): shared-nothing cannot hold"
expect_grep "bridge: violations of a naive sharding" "$T/out" '^consistency: [1-9][0-9]* state entries'
expect_grep "bridge: their verdicts differ" "$T/out" '; [1-9][0-9]* verdict differences'
run -e 'load lb' -e analyze -e "check --gen bidir,flows=2000,packets=20k --lan $LAN"
expect_grep "lb: locks explained" "$T/out" "^lb's verdict is locks"
expect_grep "lb: violations of a naive sharding" "$T/out" '^consistency: [1-9][0-9]* state entries'

# nat: external ports come from each core's allocator; said so, not counted as wrong.
run -e 'load nat' -e analyze -e 'rss solve --cores 4 --fields lan=dn --fields wan=sf' \
	-e "check --gen bidir,flows=2000,packets=20k --lan $LAN"
expect_grep "nat: byte differences in the external port" "$T/out" 'bytes differ \(same verdict\) in l4.sport'
expect_grep "nat: they are allocated values" "$T/out" 'only in bytes both runs rewrote: .*legitimately differ'
expect_grep "nat: no verdict difference" "$T/out" '; 0 verdict differences'

# Balance: a flow bigger than a core's share is named.
run -e 'load nop' -e 'check --gen zipf,flows=200,packets=20k,zipf=2 --cores 4'
expect_grep "zipf: a heavy flow is named" "$T/out" 'alone exceeds? a core.s fair share .*: sharding cannot split'
expect_grep "zipf: with its share" "$T/out" '^    (tcp|udp) .* on lan: [0-9]+ packets \([0-9.]+%\), core [0-9]$'
run -e 'load nop' -e analyze -e 'rss solve --cores 4' -e 'check --gen uniform,flows=2000,packets=20k --cores 3'
expect_grep "--cores 3 makes the RETA round robin over 3" "$T/err" 'RETA round robin over 3 cores'
expect_grep "--cores 3: three rows" "$T/out" '^ +2 +[0-9]+ +[0-9.]+% '
expect_no_grep "--cores 3: no fourth row" "$T/out" '^ +3 +[0-9]+ +[0-9.]+% '

# JSON: the fields of DESIGN.md section 9.
run --json -e 'load fw' -e analyze -e 'rss solve --cores 2' -e "check --gen bidir,flows=500 --lan $LAN"
got=$(json_get '[k for k in ("packets","cores","per_core","imbalance","violations","verdict_diffs","byte_diffs","seconds") if k not in d], len(d["per_core"]), sorted(d["per_core"][0]), sorted(d["violations"])[:3]')
if [ "$got" = "[] 2 ['flows', 'packets', 'refused'] ['benign_lookups', 'count', 'examples']" ]; then
	ok "check --json has the fields of DESIGN.md section 9"
else
	not_ok "check --json has the fields of DESIGN.md section 9" "$got"
fi

# rss balance: a skewed RETA gets better, and the constraints still hold.
run -e 'load fw' -e analyze -e 'rss solve --cores 4' -e 'rss set all reta 0,0,0,1' \
	-e "rss balance --gen bidir,flows=3000,packets=30k --lan $LAN" -e 'rss check' \
	-e "check --gen bidir,flows=3000,packets=30k --lan $LAN"
expect_rc "rss balance then rss check" 0
expect_grep "rss balance: before and after" "$T/out" '^  max/mean per core [0-9.]+ -> 1\.[0-9]+; packets per core'
expect_grep "rss balance: cores 2 and 3 gain" "$T/out" '^  core 3 \++ +0 -> +[1-9]'
expect_grep "rss balance: the constraints still hold" "$T/out" '^satisfied: all 3 constraints hold'
expect_grep "rss balance: the trace stays consistent" "$T/out" '^consistency: 0 state entries'

# --config FILE: what 'rss show --json' wrote, and a broken file named by line and column.
run --json -e 'load fw' -e analyze -e 'rss solve --cores 2 --seed 3' -e 'rss show'
tail -1 "$T/out" >"$T/cfg.json"
run -e 'load fw' -e "check --gen bidir,flows=1000 --lan $LAN --config $T/cfg.json"
expect_rc "--config FILE: runs" 0
expect_grep "--config FILE: named" "$T/err" "^rss: $T/cfg.json"
expect_grep "--config FILE: its 2 cores, no violation" "$T/out" '^consistency: 0 state entries'
printf '{"nic": "software",\n "cores": 2\n' >"$T/bad.json"
run -e 'load fw' -e "check --gen bidir --config $T/bad.json"
expect_rc "--config a broken file fails" 1
expect_grep "--config a broken file: file, line, column" "$T/err" "$T/bad.json:3:1: expected ',' or '}'"
printf '{"ports": {"lan": {"key": "00"}, "wan": {}}}\n' >"$T/short.json"
run -e 'load fw' -e "check --gen bidir --config $T/short.json"
expect_grep "--config a wrong key length is named" "$T/err" "$T/short.json: .*key"

# Errors: each named, the shell goes on.
run -e 'check --gen bidir'
expect_grep "check without an NF" "$T/err" 'no NF loaded'
run -e 'load fw' -e 'check /nonexistent.pcap' -e 'check --gen bidir,flows=abc' \
	-e 'check --gen' -e 'check a.pcap --gen bidir' -e 'check --gen bidir --cores 0' \
	-e 'check --gen bidir --lan 10.0.0.0/8 --port wan' -e 'check --gen bidir --config CURRENT' \
	-e 'echo still here'
expect_grep "a missing trace is named" "$T/err" '/nonexistent.pcap: No such file'
expect_grep "a bad --gen option is named" "$T/err" '--flows'
expect_grep "--gen needs a value" "$T/err" '--gen needs a value'
expect_grep "a trace and --gen exclude each other" "$T/err" 'a trace or --gen, not both'
expect_grep "--cores 0 is refused" "$T/err" '--cores wants a whole number'
expect_grep "--lan and --port exclude each other" "$T/err" '--lan and --port exclude each other'
expect_grep "--config CURRENT without one" "$T/err" '--config CURRENT: there is none yet'
expect_grep "the shell goes on" "$T/out" '^still here$'
printf 'not a pcap at all, just text\n' >"$T/junk.pcap"
run -e 'load fw' -e "check $T/junk.pcap"
expect_grep "a file that is no pcap is named" "$T/err" "$T/junk.pcap"
