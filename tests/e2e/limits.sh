#!/bin/sh
# Analysis limits: the pathological NFs of tests/analysis/bad/ (2^40 paths, loops bounded by
# packet bytes, huge objects, slow solver questions) end within the configured limit with a
# message that names the limit, the paths explored, the source line to blame and the option
# that raises it; the shell goes on, a previous analysis stays, Ctrl-C stops a long one.
# Timings allow the limit plus 2 s (the machine may be shared); the NFs are compiled first so
# the timed runs time the analysis.
. tests/e2e-lib.sh
BAD=tests/analysis/bad
export BATON_CACHE="$T/cache"

# timed ARGS...: run, with the seconds it took in $took.
timed() {
	t0=$(date +%s.%N)
	run "$@"
	took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
}

# expect_within NAME SECONDS: the last timed run took less than SECONDS.
expect_within() {
	if awk -v t="$took" -v l="$2" 'BEGIN { exit !(t < l) }'; then ok "$1 (${took} s)"; else
		not_ok "$1" "took $took s, limit $2 s" "stderr: $(head -c 400 "$T/err")"
	fi
}

# Peak memory of a run through /usr/bin/time, when it is there (an ASan build's shadow memory
# makes the figure meaningless, so those skip too).
peak_kb() {
	/usr/bin/time -f "%M" -o "$T/peak" "$BATON" "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	peak=$(tail -n 1 "$T/peak")
}
measure_memory=1
[ -x /usr/bin/time ] || measure_memory=0
grep -q __asan_init "$BATON" 2>/dev/null && measure_memory=0

for nf in branchy loop chain spin slow stack huge table bigstate; do
	run -e "load $BAD/$nf.c" -e "analyze --max-paths 1 --max-seconds 1"
done

# (a) 2^40 paths: the path limit, then the time limit.
timed -e "load $BAD/branchy.c" -e "analyze --max-paths 200" -e "echo after"
expect_rc "branchy: analyze --max-paths 200 fails" 1
expect_grep "and says it is the path limit, with the line that forked most" "$T/err" \
	"^error: .*branchy\.c:[0-9]+: more than 200 paths \(the path limit\); the branch here forked [0-9]+ times"
expect_grep "and how to raise it" "$T/err" "analyze --max-paths N raises it"
expect_grep "and the shell goes on" "$T/out" "^after$"
timed -e "load $BAD/branchy.c" -e "analyze --max-seconds 2" -e "echo after"
expect_within "branchy: analyze --max-seconds 2 ends in time" 4
expect_grep "with the time limit and the paths explored" "$T/err" \
	"branchy\.c:[0-9]+: took more than 2 s \(the time limit\) and stopped after [0-9]+ paths"
expect_grep "and how to raise it" "$T/err" "analyze --max-seconds S raises it"
expect_grep "and the shell goes on" "$T/out" "^after$"

# A previous analysis stays (branchy has one path for 60-byte packets), and a bundled NF
# analyzes in the same session afterwards.
run -e "load $BAD/branchy.c" -e "analyze --len 60" -e "analyze --max-seconds 1" \
	-e "echo ==kept" -e "show paths" -e "load fw" -e "analyze"
expect_grep "a failed analyze says the previous analysis stays" "$T/err" \
	"the time limit.*; the previous analysis stays"
sed -n '/^==kept$/,$p' "$T/out" >"$T/kept"
expect_grep "and show paths still shows it" "$T/kept" "^ *0 .*drop"
expect_grep "and fw analyzes afterwards in the same shell" "$T/kept" "^fw: [1-9][0-9]* paths"

# (b) loops bounded by packet data: the time and step limits name the loop's line.
timed -e "load $BAD/loop.c" -e "analyze --max-seconds 2" -e "echo after"
expect_within "loop: analyze --max-seconds 2 ends in time" 4
expect_grep "naming the loop's line" "$T/err" \
	"loop\.c:28: took more than 2 s \(the time limit\) and stopped after [0-9]+ paths; the loop here forked [0-9]+ times \(is its bound read from the packet\?\)"
expect_grep "and the shell goes on" "$T/out" "^after$"
timed -e "load $BAD/spin.c" -e "analyze" -e "echo after"
expect_within "spin: a loop of 10^8 trips on constants stops at the default step limit" 8
expect_grep "naming the step limit and the loop" "$T/err" \
	"spin\.c:2[89]: more than 20000000 instructions \(the step limit\) and stopped after 0 paths; it was running the loop here; analyze --max-steps N raises it"
expect_grep "and the shell goes on" "$T/out" "^after$"
run -e "load $BAD/spin.c" -e "analyze --max-steps 100000"
expect_grep "analyze --max-steps N sets it" "$T/err" "more than 100000 instructions \(the step limit\)"
timed -e "load $BAD/chain.c" -e "analyze --max-seconds 2" -e "echo after"
expect_within "chain: analyze --max-seconds 2 ends in time" 4
expect_grep "naming the while loop's line" "$T/err" "chain\.c:31: took more than 2 s \(the time limit\).*the loop here"
expect_grep "and the shell goes on" "$T/out" "^after$"

# (c) huge objects: an error naming the object at once, or a quick analysis; no memory blowup.
timed -e "load $BAD/huge.c" -e "analyze" -e "echo after"
expect_within "huge: a 256 MiB state struct is refused at once" 3
expect_grep "naming nf_alloc's line and the size" "$T/err" \
	"huge\.c:[0-9]+: nf_alloc of 268435460 bytes: the analysis models objects of up to 16 MiB"
expect_grep "and the shell goes on" "$T/out" "^after$"
timed -e "load $BAD/table.c" -e "analyze"
expect_within "table: a 64 MiB constant table is refused at once" 3
expect_grep "naming the global" "$T/err" "the global 'verdicts' is 67108864 bytes"
timed -e "load $BAD/bigstate.c" -e "analyze"
expect_rc "bigstate: state-library objects of any size analyze" 0
expect_within "and quickly" 5
expect_grep "with their capacities" "$T/out" "records +vector r +capacity 262144"
run -e "load $BAD/stack.c" -e "analyze --max-memory 64" -e "echo after"
expect_grep "stack: a 1 MiB local copied on every path hits --max-memory" "$T/err" \
	"stack\.c:[0-9]+: needed more than 64 MiB of memory \(the memory limit\).*analyze --max-memory MIB raises it"
expect_grep "and the shell goes on" "$T/out" "^after$"
if [ "$measure_memory" = 1 ]; then
	peak_kb -e "load $BAD/stack.c" -e "analyze --max-memory 64"
	[ "$peak" -lt 400000 ] && ok "and baton stays small meanwhile (${peak} KB)" ||
		not_ok "and baton stays small meanwhile" "peak $peak KB"
	peak_kb -e "load $BAD/huge.c" -e "analyze" -e "load $BAD/table.c" -e "analyze"
	[ "$peak" -lt 400000 ] && ok "huge and table take no memory for their objects (${peak} KB)" ||
		not_ok "huge and table take no memory for their objects" "peak $peak KB"
else
	skip "and baton stays small meanwhile" "no /usr/bin/time, or an ASan build"
	skip "huge and table take no memory for their objects" "no /usr/bin/time, or an ASan build"
fi

# (d) slow solver questions: the time limit holds inside them.
timed -e "load $BAD/slow.c" -e "analyze --max-seconds 2" -e "echo after"
expect_within "slow: analyze --max-seconds 2 ends in time" 4
expect_grep "with the time limit and the line" "$T/err" "slow\.c:[0-9]+: took more than 2 s \(the time limit\)"
expect_grep "and the shell goes on" "$T/out" "^after$"

# Options are checked.
for bad in "--max-seconds 0" "--max-seconds x" "--max-steps 0" "--max-memory -1" "--max-seconds"; do
	run -e "load nop" -e "analyze $bad"
	if [ "$rc" -eq 1 ] && grep -q "^error: .*max-" "$T/err"; then ok "analyze $bad is refused"; else
		not_ok "analyze $bad is refused" "status $rc" "$(cat "$T/err")"; fi
done
run -e "load nop" -e "analyze --max-seconds 0.5 --max-steps 1000 --max-memory 100"
expect_rc "analyze takes --max-seconds S.S --max-steps N --max-memory MIB" 0
run -e "help analyze"
expect_grep "help analyze lists the limits" "$T/out" "--max-seconds S.*--max-steps N.*--max-memory MIB"

# Ctrl-C during a long analysis stops it; the shell goes on and the previous analysis stays.
t0=$(date +%s.%N)
"$BATON" -e "load $BAD/branchy.c" -e "analyze --len 60" -e "analyze --max-seconds 60" \
	-e "echo ==after" -e "show paths" >"$T/out" 2>"$T/err" </dev/null &
pid=$!
sleep 2
kill -INT "$pid"
wait "$pid"
rc=$?
took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
expect_within "Ctrl-C stops a long analysis at once" 5
expect_grep "and says so" "$T/err" "analysis stopped \(Ctrl-C\); the previous analysis stays"
expect_grep "the shell goes on" "$T/out" "^==after$"
sed -n '/^==after$/,$p' "$T/out" >"$T/kept"
expect_grep "with the previous analysis" "$T/kept" "^ *0 .*drop"

# From Lua: nf:analyze{max_seconds = S, max_steps = N}.
cat >"$T/lim.lua" <<LUA
local nf = assert(baton.load("$BAD/loop.c"))
local t0 = os.time()
local r, msg = nf:analyze{max_seconds = 1}
print("seconds", r == nil and tostring(msg):match("the time limit") and
	tostring(msg):match("loop%.c:28") and tostring(msg):match("max_seconds") and "ok" or msg)
r, msg = assert(baton.load("$BAD/spin.c")):analyze{max_steps = 50000}
print("steps", r == nil and tostring(msg):match("the step limit") and
	tostring(msg):match("max_steps") and "ok" or msg)
local ok, e = pcall(nf.analyze, nf, {max_seconds = -1})
print("bad", not ok and tostring(e):match("max_seconds") and "ok" or e)
print("fw", baton.load("fw"):analyze{max_seconds = 30}.nf)
LUA
timed "$T/lim.lua"
expect_grep "Lua: nf:analyze{max_seconds = 1} fails at the time limit, naming the loop" "$T/out" "^seconds	ok$"
expect_grep "Lua: nf:analyze{max_steps = N} fails at the step limit" "$T/out" "^steps	ok$"
expect_grep "Lua: max_seconds must be positive" "$T/out" "^bad	ok$"
expect_grep "Lua: and fw still analyzes" "$T/out" "^fw	fw$"
