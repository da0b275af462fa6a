#!/bin/sh
# Emitting and launching parallel builds from the shell (repl/cmd_run.c): the issue's "done
# when" (fw, sn on 2 cores, a looped generated trace, counters on both lcores, totals with
# nothing unaccounted), an outside telemetry client (dpdk-telemetry.py) reading /baton/cores,
# and the failure paths: a bad EAL argument, a missing pcap, a build error, refusals. The shell
# stays alive through each, and no build outlives it. Killed builds, stale runtime files and
# mbuf leaks: robust.sh.
. tests/e2e-lib.sh
LAN=192.168.0.0/16
PREFIX=batontest$$

"$BATON" -e "pcap gen bidir --flows 200 --packets 4000 -o $T/bidir.pcap" >/dev/null 2>&1

# json_last EXPR: EXPR over the JSON of the last stdout line starting with '{' matching KEY.
json_of() { # $1 key that the object has, $2 expression over d
	python3 -c "import json, sys
for l in reversed(open('$T/out').read().splitlines()):
    if l.startswith('{') and '\"$1\"' in l:
        d = json.loads(l); print($2); break"
}

run -e 'load fw' -e analyze -e 'rss solve --cores 2' -e 'emit sn --cores 2' \
	-e "launch --pcap $T/bidir.pcap --lan $LAN --loop" -e 'lua baton.sleep(0.6)' \
	-e counters -e 'lua baton.sleep(0.4)' -e 'counters --json' -e status -e stop
expect_rc "done when: load, analyze, rss solve, emit sn, launch --loop, counters, stop" 0
expect_grep "emit says what it built" "$T/out" 'fw-sn-2: fw, shared-nothing on 2 cores'
expect_grep "launch says how RSS is done on net_pcap" "$T/out" '^baton: port 0 lan.*(emulat|pre-?shard)'
expect_grep "counters: a row per core" "$T/out" '^1 +[0-9]+ +[0-9]+'
rates=$(json_of interval 'min(c["rx_pps"] for c in d["cores"]) > 1000 and min(c["busy"] for c in d["cores"]) > 0')
if [ "$rates" = True ]; then ok "counters: both lcores busy, with rates"; else
	not_ok "counters: both lcores busy, with rates" "$(grep -A4 '^core' "$T/out" | head -8)"; fi
expect_grep "status: the command line has the EAL defaults" "$T/out" \
	'command: .*--no-pci --no-huge -m 512 --file-prefix baton-'
expect_grep "stop: nothing unaccounted" "$T/out" '^accounted: rx [0-9]+ = tx'
expect_grep "counters: the pools' free mbufs" "$T/out" '^mbufs free: [1-9][0-9]* of [0-9]+ \([0-9]+ at the start\)'
expect_grep "stop: every mbuf back (the looped trace's too, once the ports closed)" "$T/out" \
	'^mbufs all back: ([0-9]+) free at the start, \1 at the stop, ([0-9]+) of \2 with the ports closed$'

# An outside client reads /baton/cores while the build runs (DPDK's own dpdk-telemetry.py).
cat >"$T/tel.lua" <<LUA
baton.sleep(0.5)
os.execute("echo /baton/cores | python3 /usr/bin/dpdk-telemetry.py -f $PREFIX > $T/tel.out 2>&1")
LUA
run -e 'load pol' -e analyze -e 'rss solve --cores 2' -e 'emit sn --cores 2' \
	-e "launch --null --flows 100 --duration 20 -- --file-prefix $PREFIX" \
	-e "lua dofile('$T/tel.lua')" -e stop
expect_rc "pol sn on net_null, synthetic flows" 0
tel=$(python3 -c "import json, re
t = open('$T/tel.out').read()
d = json.loads(t[t.index('{\"/baton/cores\"'):].splitlines()[0])['/baton/cores']
print(d['workers'] == 2 and d['core0']['rx'] > 0 and d['core1']['rx'] > 0 and d['total']['rx'] >= d['core0']['rx'])" 2>&1)
if [ "$tel" = True ]; then ok "dpdk-telemetry.py reads /baton/cores while it runs"; else
	not_ok "dpdk-telemetry.py reads /baton/cores while it runs" "$tel" "$(head -c 600 "$T/tel.out")"; fi

# --stats S: the build logs one JSON line per interval; --duration ends it by itself.
run -e 'load nop' -e 'emit seq' -e 'launch --null --duration 0.8 --stats 0.2' \
	-e 'lua baton.sleep(1.5)' -e status -e stop
expect_rc "nop seq: --stats and --duration" 0
expect_grep "--duration: it ended by itself" "$T/out" 'ended, exit status 0'
rundir=$(sed -n 's/^  run dir: //p' "$T/out" | head -1)
n=$(grep -c '^{"event":"stats"' "$rundir/stdout.log" 2>/dev/null)
if [ "${n:-0}" -ge 2 ]; then ok "--stats: a JSON line per interval ($n)"; else
	not_ok "--stats: a JSON line per interval" "$n lines in $rundir/stdout.log"; fi

# Failure paths: clear messages, and the shell goes on to the next command.
run -e 'load fw' -e 'emit seq' -e 'launch --null -- --no-such-eal-option' -e 'lua print("alive")'
expect_rc "a bad EAL argument fails the command" 1
expect_grep "a bad EAL argument: the EAL says why" "$T/err" 'no-such-eal-option|unrecognized option|invalid option'
expect_grep "a bad EAL argument: the shell goes on" "$T/out" '^alive$'

run -e 'load fw' -e 'emit seq' -e "launch --pcap $T/missing.pcap" -e 'lua print("alive")'
expect_rc "a missing pcap fails the command" 1
expect_grep "a missing pcap: named" "$T/err" "missing.pcap"
expect_grep "a missing pcap: the shell goes on" "$T/out" '^alive$'

# An NF that loads and analyzes but cannot link into a DPDK program (it defines main).
sed 's/^NF_DESCRIPTOR/int main(void) { return 0; }\nNF_DESCRIPTOR/' nfs/nop.c >"$T/nopmain.c"
run -e "load $T/nopmain.c" -e 'emit seq' -e 'lua print("alive")'
expect_rc "a build error fails emit" 1
expect_grep "a build error: the linker's message" "$T/err" 'multiple definition of .main'
expect_grep "a build error: the shell goes on" "$T/out" '^alive$'

run -e 'load bridge' -e analyze -e 'emit sn --cores 2'
expect_rc "sn refused for a locks verdict" 1
expect_grep "sn refused: says why" "$T/err" "verdict is locks"
run -e 'load bridge' -e analyze -e 'emit sn --cores 2 --force'
expect_rc "sn --force builds anyway" 0
expect_grep "sn --force says what it breaks" "$T/out" '^  FORCED: the verdict is locks'
run -e 'load fw' -e 'emit sn --cores 2'
expect_grep "sn without an analysis: refused" "$T/err" 'analyze first'
run -e 'load fw' -e 'emit seq --cores 2'
expect_grep "seq on 2 cores: refused" "$T/err" 'seq runs on one core'
run -e 'load fw' -e launch -e counters -e stop
expect_grep "launch before emit: says so" "$T/err" 'emit a build first'
expect_grep "counters before launch: says so" "$T/err" 'nothing launched'

# A looped trace that leaves a port's queues empty (no --lan: all on lan) runs at full speed:
# the empty queues are never polled (--idle), where net_pcap's infinite_rx would drain the
# workers' mbufs and stall them (it did: 7 kpps).
run -e 'load fw' -e analyze -e 'rss solve --cores 2' -e 'emit sn --cores 2' \
	-e 'launch --pcap pcaps/uniform.pcap --loop' -e 'lua baton.sleep(0.5)' -e stop
expect_grep "looped, one port empty: its queues are left idle" "$T/out" ' -- --presharded --idle=1:0,1:1$'
rx=$(awk '$1 == "total" { print $2; exit }' "$T/out")
if [ "${rx:-0}" -gt 100000 ]; then ok "looped, one port empty: it still runs ($rx packets in 0.5 s)"
else not_ok "looped, one port empty: it still runs" "total rx ${rx:-none}" "$(cat "$T/out")"; fi

# No build outlives the shell: a run never stopped is ended when baton exits.
run -e 'load nop' -e 'emit seq' -e "launch --null -- --file-prefix ${PREFIX}x"
expect_rc "launch, then exit without stop" 0
sleep 0.3
if pgrep -f "file-prefix ${PREFIX}x" >/dev/null; then
	not_ok "no process left behind" "$(pgrep -af "file-prefix ${PREFIX}x")"
	pkill -9 -f "file-prefix ${PREFIX}x"
else ok "no process left behind"; fi
rm -rf "/var/run/dpdk/$PREFIX" "/var/run/dpdk/${PREFIX}x"
