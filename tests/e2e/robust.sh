#!/bin/sh
# Launch robustness (engine/launch.c, nfs/dpdk/rt.c, nfs/dpdk/stats.c): a build killed with
# SIGKILL mid-run is reported as such by counters, status and stop, its runtime files go, the
# shell goes on and launches it again; a SIGKILLed shell's leftovers do not break the next
# shell's launch; a file prefix or run dir in use by a live process is refused with its pid;
# mbufs are counted before traffic and after the stop (all back on net_null and on a looped
# pcap with idle queues; a leak is caught on net_pcap's infinite_rx over an empty file). Real
# builds on vdevs, runs of a second or less.
. tests/e2e-lib.sh
LAN=192.168.0.0/16
PREFIX=batonrobust$$

"$BATON" -e "pcap gen bidir --flows 200 --packets 4000 -o $T/bidir.pcap" >/dev/null 2>&1
# A pcap with a header and no packets.
python3 -c "import struct, sys
open(sys.argv[1], 'wb').write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))" \
	"$T/empty.pcap"

# Kills the launched build with SIGKILL, from inside the shell (its pid from status --json).
KILL9='lua local _, s = baton.cmd("status --json"); os.execute("kill -9 " .. s:match([["pid":(%d+)]])); baton.sleep(0.3)'

# py EXPR: EXPR over the JSON lines of $T/out, in order: S the status objects, C the counters,
# T the totals of stop, E the errors (--json prints them on stdout). An exception prints False.
py() {
	python3 -c "import json, os
J = [json.loads(l) for l in open('$T/out').read().splitlines() if l.startswith('{')]
S = [d for d in J if 'running' in d]
C = [d for d in J if 'interval' in d]
T = [d for d in J if d.get('event') == 'totals']
E = [d['error'] for d in J if 'error' in d]
try: print($1)
except Exception as x: print('False', repr(x))"
}

# expect_py NAME EXPR: EXPR (over J) is True.
expect_py() {
	got=$(py "$2")
	if [ "$got" = True ]; then ok "$1"; else
		not_ok "$1" "$2 -> $got" "stdout: $(head -c 600 "$T/out")" \
			"stderr: $(head -c 400 "$T/err")"
	fi
}

# Where DPDK puts runtime dirs (engine/telem.c's telem_path).
if [ "$(id -u)" = 0 ]; then root=/var/run/dpdk; else root=${XDG_RUNTIME_DIR:-/tmp}/dpdk; fi

# wait_sock PREFIX: until that build's telemetry socket is there, up to 60 s (emit may compile
# first); a shell's output to a file comes only at its exit.
wait_sock() {
	i=0
	while [ $i -lt 600 ] && [ ! -S "$root/$1/dpdk_telemetry.v2" ]; do sleep 0.1; i=$((i + 1)); done
	sleep 0.3
}

# --- SIGKILL of the build mid-run ---
run -e 'load nop' -e 'emit seq' -e 'launch --null' -e 'lua baton.sleep(0.3)' -e 'status --json' \
	-e "$KILL9" -e counters -e status -e 'status --json' -e stop -e 'lua print("alive")' \
	-e 'launch --null' -e 'lua baton.sleep(0.5)' -e 'counters --json' -e 'status --json' \
	-e 'stop --json'
expect_rc "killed build: counters and stop fail, the rest runs" 1
expect_grep "killed build: counters says it was killed" "$T/err" \
	'nop is not running: it was killed by signal 9 \(SIGKILL\)'
expect_grep "killed build: status says it ended, killed" "$T/out" \
	'ended: it was killed by signal 9 \(SIGKILL\)'
expect_py "killed build: status --json has signal 9 and status 137" \
	'S[1]["signal"] == 9 and S[1]["status"] == 137 and not S[1]["running"]'
expect_grep "killed build: stop says so" "$T/err" \
	'nop was killed by signal 9 \(SIGKILL\) before it printed its totals: no counts; its runtime files are removed'
expect_grep "killed build: the shell goes on" "$T/out" '^alive$'
expect_py "killed build: its DPDK runtime dir is removed" \
	'not os.path.exists(os.path.dirname(S[0]["telemetry"]))'
expect_py "relaunched: a new file prefix, and it runs" \
	'S[2]["telemetry"] != S[0]["telemetry"] and C[0]["total"]["rx"] > 100000'
expect_py "relaunched: counters show free mbufs against the start" \
	'0 < C[0]["mbufs"]["free"] <= C[0]["mbufs"]["initial"] <= C[0]["mbufs"]["size"]'
expect_py "relaunched: stop accounts for every packet and every mbuf" \
	'T[-1]["accounted"] and T[-1]["leaked"] == 0 and T[-1]["mbufs"]["final"] == T[-1]["mbufs"]["initial"] and T[-1]["mbufs"]["closed"] == T[-1]["mbufs"]["size"] and T[-1]["status"] == 0'
expect_py "relaunched: its runtime dir is removed at exit" \
	'not os.path.exists(os.path.dirname(S[2]["telemetry"]))'

# A killed 2-core pcap run: its queue pcaps go (logs stay); the next launch writes its outputs.
LS='lua local _, s = baton.cmd("status --json"); os.execute("ls -a " .. s:match([["dir":"([^"]+)"]]) .. " > '"$T"'/ls")'
run -e 'load fw' -e analyze -e 'rss solve --cores 2' -e 'emit sn --cores 2' \
	-e "launch --pcap $T/bidir.pcap --lan $LAN" -e 'lua baton.sleep(0.3)' -e "$KILL9" -e stop \
	-e "$LS" -e "launch --pcap $T/bidir.pcap --lan $LAN" -e 'lua baton.sleep(0.5)' -e 'stop --json'
expect_rc "killed pcap run: stop fails, the relaunch works" 1
if grep -q 'stdout.log' "$T/ls" && ! grep -q 'pcap' "$T/ls"; then
	ok "killed pcap run: queue pcaps removed, logs kept"
else not_ok "killed pcap run: queue pcaps removed, logs kept" "$(tr '\n' ' ' <"$T/ls")"; fi
expect_py "killed pcap run, relaunched: every packet accounted, outputs written" \
	'T[-1]["accounted"] and T[-1]["leaked"] == 0 and sum(o["packets"] for o in T[-1]["outputs"]) == T[-1]["total"]["tx"] > 0'

# --- A SIGKILLed shell: its build gets SIGTERM and exits, leaving its DPDK runtime dir ---
"$BATON" -e 'load nop' -e 'emit seq' -e 'launch --null' -e 'lua baton.sleep(30)' \
	>"$T/shell.out" 2>&1 </dev/null &
shell=$!
left=$root/baton-$shell-1
wait_sock "baton-$shell-1"
kill -9 $shell
wait $shell 2>/dev/null
i=0
while [ $i -lt 50 ] && pgrep -f "file-prefix baton-$shell-" >/dev/null; do sleep 0.1; i=$((i + 1)); done
if [ -d "$left" ]; then ok "SIGKILLed shell: its build's runtime dir is left over ($left)"
else skip "SIGKILLed shell: its build's runtime dir is left over" "nothing left in $root"; fi
# Two more by hand: one of a pid that cannot exist (stale), one of a live process (kept).
mkdir -p "$root/baton-2147480000-1" "$root/baton-$$-99"
: >"$root/baton-2147480000-1/config"
: >"$root/baton-$$-99/config"
run -e 'load nop' -e 'emit seq' -e 'launch --null' -e 'lua baton.sleep(0.3)' -e 'stop --json'
expect_rc "after a SIGKILLed shell: the next shell launches" 0
expect_py "after a SIGKILLed shell: the run accounts for everything" \
	'T[-1]["accounted"] and T[-1]["leaked"] == 0 and T[-1]["total"]["rx"] > 0'
if [ ! -e "$left" ] && [ ! -e "$root/baton-2147480000-1" ]; then
	ok "stale runtime dirs of dead shells are removed at launch"
else not_ok "stale runtime dirs of dead shells are removed at launch" "$(ls "$root")"; fi
if [ -d "$root/baton-$$-99" ]; then ok "a live process's runtime dir is kept"
else not_ok "a live process's runtime dir is kept" "$(ls "$root")"; fi
rm -rf "$root/baton-$$-99"

# --- In use by a live process: the file prefix, and the build's run dir ---
"$BATON" -e 'load nop' -e 'emit seq' -e "launch --null -- --file-prefix $PREFIX" \
	-e 'lua baton.sleep(30)' >"$T/holder.out" 2>&1 </dev/null &
holder=$!
wait_sock "$PREFIX"
run -e 'load nop' -e 'emit seq' -e "launch --null -- --file-prefix $PREFIX" -e 'launch --null' \
	-e 'lua print("alive")'
expect_rc "in use: both launches refused" 1
expect_grep "in use: the file prefix, with the holder's pid" "$T/err" \
	"file prefix $PREFIX is in use by process [0-9]+"
expect_grep "in use: the run dir, with the other shell's pid" "$T/err" \
	"/run is in use: process $holder runs this build"
expect_grep "in use: the shell goes on" "$T/out" '^alive$'
kill $holder
wait $holder 2>/dev/null
i=0
while [ $i -lt 50 ] && pgrep -f "file-prefix $PREFIX" >/dev/null; do sleep 0.1; i=$((i + 1)); done
rm -rf "$root/$PREFIX"

# --- Mbufs ---
# A looped pcap with one port empty: baton leaves its queue idle, and every mbuf comes back
# (net_pcap holds the looped trace in mbufs until the port is closed).
run -e 'load nop' -e 'emit seq' -e 'launch --pcap pcaps/uniform.pcap --loop' \
	-e 'lua baton.sleep(0.5)' -e 'stop --json'
expect_py "looped pcap: the trace is held in mbufs, and all come back" \
	'T[-1]["mbufs"]["initial"] == T[-1]["mbufs"]["final"] == T[-1]["mbufs"]["size"] - 2048 and T[-1]["mbufs"]["closed"] == T[-1]["mbufs"]["size"] and T[-1]["leaked"] == 0'
# net_pcap's infinite_rx over an empty file takes a burst of mbufs at every poll and never
# gives them back: what --idle avoids. Given by hand, the leak is caught.
run -e 'load nop' -e 'emit seq' \
	-e "launch -- --vdev=net_pcap0,rx_pcap=$T/bidir.pcap,infinite_rx=1 --vdev=net_pcap1,rx_pcap=$T/empty.pcap,infinite_rx=1" \
	-e 'lua baton.sleep(0.5)' -e 'stop --json' -e 'lua print("alive")'
expect_rc "a leak fails stop" 1
expect_py "a leak: stop says how many" \
	'E[-1].endswith("%d mbufs leaked: the pools had %d free before traffic and %d after the stop" % (T[-1]["leaked"], T[-1]["mbufs"]["initial"], T[-1]["mbufs"]["final"]))'
expect_py "a leak: the totals count it, and the build exits 1" \
	'T[-1]["leaked"] > 0 and T[-1]["leaked"] == T[-1]["mbufs"]["initial"] - T[-1]["mbufs"]["final"] and T[-1]["status"] == 1'
expect_grep "a leak: the shell goes on" "$T/out" '^alive$'
