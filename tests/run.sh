#!/bin/sh
# Runs every test: the C unit binaries, the e2e scripts and the Lua tests. Each prints
# TAP-style lines ("ok - NAME", "not ok - NAME", "ok - NAME # SKIP why"); a program that
# exits non-zero without saying "not ok" counts as one failure. Ends with "N passed, N failed".
# Environment: BUILD (build dir), BATON (the binary), TESTS (a pattern to run a subset).
BUILD=${BUILD:-build}
BATON=${BATON:-./baton}
case "$BATON" in /*) ;; *) BATON="$(pwd)/$BATON" ;; esac
export BATON BUILD
TMPROOT=$(mktemp -d /tmp/baton-tests.XXXXXX)
export TMPROOT
# Tests never touch the user's history.
export BATON_HISTORY="$TMPROOT/history"
trap 'rm -rf "$TMPROOT"' EXIT INT TERM

pass=0; fail=0; skip=0; failed=""

run_one() { # $1 label, then the command
	label=$1; shift
	out="$TMPROOT/out.txt"
	start=$(date +%s.%N)
	"$@" >"$out" 2>&1
	rc=$?
	end=$(date +%s.%N)
	p=$(grep -c '^ok ' "$out"); s=$(grep -c '^ok .*# SKIP' "$out"); f=$(grep -c '^not ok' "$out")
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $label exited with status $rc" >>"$out"
	fi
	grep -E '^(not ok|#|.*# SKIP)' "$out" | sed 's/^/    /'
	if [ "$f" -ne 0 ]; then
		# Show the whole output of a failing program, it is the only record.
		sed 's/^/    | /' "$out" | tail -n 60
		failed="$failed $label"
	fi
	printf '%-40s %4d passed %3d failed %3d skipped  %6.2f s\n' "$label" "$p" "$f" "$s" \
		"$(awk "BEGIN { print $end - $start }")"
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
}

want() { [ -z "$TESTS" ] || case "$1" in *$TESTS*) return 0 ;; *) return 1 ;; esac; }

for t in "$BUILD"/tests/unit/*; do
	[ -x "$t" ] || continue
	want "$t" && run_one "unit/$(basename "$t")" "$t"
done
for t in tests/e2e/*.sh; do
	[ -f "$t" ] || continue
	want "$t" && run_one "e2e/$(basename "$t" .sh)" sh "$t"
done
for t in tests/e2e/*.py; do
	[ -f "$t" ] || continue
	want "$t" && run_one "e2e/$(basename "$t" .py)" python3 "$t"
done
for t in tests/lua/*.lua; do
	[ -f "$t" ] || continue
	want "$t" && run_one "lua/$(basename "$t" .lua)" "$BATON" "$t"
done
if want fuzz; then
	FUZZ_TIME=${FUZZ_TIME:-2} run_one "fuzz" sh tests/fuzz/run.sh
fi
if want lint; then
	run_one "lint" sh mk/lint.sh --tap
fi

[ "$skip" -eq 0 ] || echo "skipped: $skip (each SKIP line above says why)"
[ -z "$failed" ] || echo "failing:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
