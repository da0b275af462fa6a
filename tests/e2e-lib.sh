# Helpers for the e2e scripts (sourced). Each check prints one TAP line.
# BATON is the binary under test; T is a scratch directory removed at exit.
BATON=${BATON:-./baton}
T=$(mktemp -d "${TMPROOT:-/tmp}/e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT
export BATON_HISTORY="$T/history"
SHARED=../shared/pcaps

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
skip() { echo "ok - $1 # SKIP $2"; }

# run ARGS...: runs baton, leaving stdout in $T/out, stderr in $T/err, status in $rc.
run() {
	"$BATON" "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
}

# expect_rc NAME RC: the last run exited with RC.
expect_rc() {
	if [ "$rc" -eq "$2" ]; then ok "$1"; else
		not_ok "$1" "exit status $rc, expected $2" "stdout: $(head -c 400 "$T/out")" \
			"stderr: $(head -c 400 "$T/err")"
	fi
}

# expect_out NAME TEXT: stdout of the last run is exactly TEXT (a trailing newline added).
expect_out() {
	printf '%s\n' "$2" >"$T/want"
	if cmp -s "$T/want" "$T/out"; then ok "$1"; else
		not_ok "$1" "stdout differs:" "$(diff "$T/want" "$T/out" | head -20)"
	fi
}

# expect_grep NAME FILE PATTERN: FILE ($T/out or $T/err) has a line matching PATTERN.
expect_grep() {
	if grep -qE -- "$3" "$2"; then ok "$1"; else
		not_ok "$1" "no line matching '$3' in $(basename "$2"):" "$(head -c 600 "$2")"
	fi
}

# expect_no_grep NAME FILE PATTERN
expect_no_grep() {
	if grep -qE -- "$3" "$2"; then
		not_ok "$1" "unexpected line matching '$3':" "$(grep -E -- "$3" "$2" | head -3)"
	else ok "$1"; fi
}

# expect_data NAME FILE: the last run succeeded and printed exactly FILE (expected results kept
# as data); with BATON_REGEN=1 a successful run rewrites FILE first (check the diff by eye).
expect_data() {
	if [ "${BATON_REGEN:-0}" = 1 ] && [ "$rc" -eq 0 ]; then
		cp "$T/out" "$2"
	fi
	if [ "$rc" -ne 0 ]; then
		not_ok "$1" "exit status $rc" "$(head -c 600 "$T/err")"
	elif cmp -s "$2" "$T/out"; then
		ok "$1 matches $2"
	else
		not_ok "$1 matches $2" "$(diff "$2" "$T/out" | head -20)"
	fi
}

# json_field FILE FIELD [LINE]: a top-level field of the JSON object on line LINE (default 1).
json_field() {
	python3 -c 'import json,sys
obj = json.loads(open(sys.argv[1]).read().splitlines()[int(sys.argv[3]) - 1])
v = obj.get(sys.argv[2])
print(json.dumps(v) if isinstance(v, (dict, list, bool)) or v is None else v)' "$1" "$2" "${3:-1}"
}
