#!/bin/sh
# make bench: every figure of DESIGN.md section 11, measured in one run and repeated, printed as
# one table (min / median / max, target, median / target) after a description of the machine,
# and written with every raw sample to BENCH_JSON. Nothing is asserted: the machines are shared
# and noisy. The measuring is tests/bench/bench.lua (its top comment lists the knobs:
# BENCH_RUNS, BENCH_LAUNCH_RUNS, BENCH_SECONDS, BENCH_NFS, BENCH_QUICK=1 for a smoke run).
# Environment: BATON (the binary), TOEPLITZ_BENCH (tests/bench/toeplitz.c built), BENCH_JSON.
BATON=${BATON:-./baton}
case "$BATON" in */*) ;; *) BATON=./$BATON ;; esac
BENCH_JSON=${BENCH_JSON:-build/bench.json}
TOEPLITZ_BENCH=${TOEPLITZ_BENCH:-build/tests/bench/toeplitz}
T=$(mktemp -d "${TMPROOT:-/tmp}/bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$(dirname "$BENCH_JSON")" "$T/cache"
[ -x "$TOEPLITZ_BENCH" ] || TOEPLITZ_BENCH=
start=$(date +%s)
# A cache of its own, so every analysis compiles its bitcode again (cold). The shell's own
# progress lines ("checking: 1.2M, ...") count from the start of the script, not of the step,
# so their rates mislead here: they are left out of stderr; the bench's own "bench:" lines stay.
progress='^[A-Za-z][A-Za-z ]*: [0-9.]+[kMG]?(/[0-9.]+[kMG]? \([0-9]+%\))?, [0-9.]+[kMG]?/s, [0-9.]+ s$'
echo 1 >"$T/rc"
{ { BATON_CACHE="$T/cache" BENCH_TMP="$T" BENCH_JSON="$BENCH_JSON" \
	TOEPLITZ_BENCH="$TOEPLITZ_BENCH" BATON_HISTORY="$T/history" \
	"$BATON" tests/bench/bench.lua </dev/null; echo $? >"$T/rc"; } 2>&1 1>&3 3>&- |
	grep --line-buffered -v -E "$progress" >&2; } 3>&1
rc=$(cat "$T/rc")
echo "make bench: $(($(date +%s) - start)) s in all"
exit "$rc"
