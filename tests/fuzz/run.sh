#!/bin/sh
# Runs every fuzz target built in $BUILD/fuzz for FUZZ_TIME seconds (default 2) on a corpus
# seeded by tests/fuzz/seed.c (from the bundled traces, the heads of ../shared/pcaps when it is
# there, the command lines of tests/e2e and README.md, and made-up inputs); prints one TAP line
# per target. A finding fails the target and leaves its reproducer (crash-*) in
# $BUILD/fuzz/findings/.
# Usage: tests/fuzz/run.sh [TARGET...]   Environment: BUILD, FUZZ_TIME, NOFUZZ.
BUILD=${BUILD:-build}
FUZZ_TIME=${FUZZ_TIME:-2}
dir="$BUILD/fuzz"
if [ -n "${NOFUZZ:-}" ]; then
	echo "ok - fuzz # SKIP the fuzz targets run in the plain 'make test' (they carry their own ASan)"
	exit 0
fi
mkdir -p "$dir/findings"
more=
[ -d ../shared/pcaps ] && more=$(ls ../shared/pcaps/*.pcap ../shared/pcaps/*.pcapng 2>/dev/null)
# shellcheck disable=SC2086 # $more is a list of paths without blanks
"$dir/seed" "$dir" pcaps/*.pcap ${more:+--more $more} --text tests/e2e/*.sh README.md || {
	echo "not ok - fuzz: cannot write the seed corpora"; exit 1; }
targets=${*:-$(cd "$dir" && ls | grep -E '^(nf_[a-z0-9_]+|packet|pcap|cmdline|key|nfslib)$')}
bad=0
for t in $targets; do
	case $t in nf_*) seeds=seeds-nf ;; *) seeds=seeds-$t ;; esac
	corpus="$dir/corpus-$t"
	mkdir -p "$corpus"
	log="$dir/$t.log"
	if "$dir/$t" -max_total_time="$FUZZ_TIME" -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$dir/findings/$t-" -print_final_stats=1 \
		"$corpus" "$dir/$seeds" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "ok - fuzz $t: ${runs:-?} inputs in ${FUZZ_TIME} s, no finding"
	else
		echo "not ok - fuzz $t: a finding (reproducer in $dir/findings/, log $log)"
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -5 | sed 's/^/#   /'
		bad=1
	fi
done
exit $bad
