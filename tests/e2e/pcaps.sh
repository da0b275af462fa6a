#!/bin/sh
# Traces from the shell: every bundled trace is remade byte for byte from the line in
# pcaps/README.md; pcap gen is reproducible, counts what it wrote, and refuses bad options;
# pcap info reads every link type the reader supports and reports malformed files.
. tests/e2e-lib.sh

grep -E '^    pcap gen ' pcaps/README.md | sed 's/^    //' >"$T/lines"
n=0
while read -r line; do
	n=$((n + 1))
	file=$(printf '%s\n' "$line" | sed -n 's/.* -o \([^ ]*\).*/\1/p')
	remade="$T/$(basename "$file")"
	run -e "$(printf '%s\n' "$line" | sed "s| -o [^ ]*| -o $remade|")"
	if [ "$rc" -eq 0 ] && cmp -s "$file" "$remade"; then
		ok "pcaps/README.md remakes $file byte for byte"
	else
		not_ok "pcaps/README.md remakes $file byte for byte" "status $rc: $(cat "$T/err")"
	fi
done <"$T/lines"
[ "$n" -ge 4 ] && ok "pcaps/README.md lists $n traces" || not_ok "pcaps/README.md lists the traces" "found $n"

# Reproducible and counted.
run -e "pcap gen uniform --flows 1000 --packets 5000 --seed 42 -o $T/a.pcap" \
	-e "pcap gen uniform --flows 1000 --packets 5000 --seed 42 -o $T/b.pcap" \
	-e "pcap gen uniform --flows 1000 --packets 5000 --seed 43 -o $T/c.pcap"
expect_rc "pcap gen succeeds" 0
cmp -s "$T/a.pcap" "$T/b.pcap" && ok "the same seed gives the same bytes" ||
	not_ok "the same seed gives the same bytes"
cmp -s "$T/a.pcap" "$T/c.pcap" && not_ok "another seed gives other bytes" ||
	ok "another seed gives other bytes"
run --json -e "pcap info $T/a.pcap"
[ "$(json_field "$T/out" five_tuples)" = 1000 ] && ok "a uniform trace of 1000 flows has 1000 5-tuples" ||
	not_ok "a uniform trace of 1000 flows has 1000 5-tuples" "$(cat "$T/out")"
[ "$(json_field "$T/out" packets)" = 5000 ] && ok "and 5000 packets" || not_ok "and 5000 packets"
[ "$(json_field "$T/out" truncated)" = 0 ] && ok "and no truncated header" || not_ok "and no truncated header"

run --json -e "pcap gen bidir --flows 200 --packets 4000 --lan 10.0.0.0/8 --seed 9 -o $T/d.pcap"
[ "$(json_field "$T/out" flows)" = 200 ] && ok "pcap gen --json reports the flows written" ||
	not_ok "pcap gen --json reports the flows written" "$(cat "$T/out")"
run --json -e "pcap info $T/d.pcap"
[ "$(json_field "$T/out" conversations)" = 200 ] && ok "a bidir trace of 200 flows has 200 conversations" ||
	not_ok "a bidir trace of 200 flows has 200 conversations" "$(cat "$T/out")"
share=$(json_field "$T/out" bidir_share)
python3 -c "import sys; sys.exit(0 if float('$share') > 0.95 else 1)" &&
	ok "most bidir conversations are seen both ways ($share)" ||
	not_ok "most bidir conversations are seen both ways" "share $share"

# Bad options: named, nothing written.
run -e "pcap gen uniform --flows many -o $T/e.pcap"
expect_rc "a bad number fails" 1
expect_grep "the bad option is named" "$T/err" "--flows: expected"
run -e "pcap gen sideways -o $T/e.pcap"
expect_rc "an unknown kind fails" 1
expect_grep "the unknown kind is named" "$T/err" "sideways"
run -e "pcap gen uniform --rate 10 -o $T/e.pcap"
expect_grep "an option of another kind is refused" "$T/err" "--rate applies to churn only"
run -e "pcap gen uniform --flows 10"
expect_grep "a missing -o is reported" "$T/err" "-o FILE is required"
run -e "pcap gen uniform -o $T/no/such/dir/x.pcap"
expect_rc "an unwritable path fails" 1
expect_grep "the missing directory is named" "$T/err" "no/such/dir"
[ ! -e "$T/e.pcap" ] && ok "failed pcap gen writes nothing" || not_ok "failed pcap gen writes nothing"
printf 'keep me\n' >"$T/keep.pcap"
run -e "pcap gen uniform --flows 10 --packets 5 -o $T/keep.pcap"
[ "$(cat "$T/keep.pcap")" = "keep me" ] && ok "a failed pcap gen leaves an existing file alone" ||
	not_ok "a failed pcap gen leaves an existing file alone"

# Malformed inputs to pcap info: reported, the shell goes on.
: >"$T/empty.pcap"
run -e "pcap info $T/empty.pcap" -e 'echo alive'
expect_rc "an empty file fails" 1
expect_grep "an empty file is named" "$T/err" "empty.pcap"
expect_out "the shell goes on after a bad file" "alive"
printf 'this is not a capture file at all, just text\n' >"$T/text.pcap"
run -e "pcap info $T/text.pcap"
expect_grep "a text file is refused by name" "$T/err" "text.pcap"
head -c 1000 pcaps/uniform.pcap >"$T/cut.pcap"
run -e "pcap info $T/cut.pcap"
expect_rc "a truncated file fails" 1
expect_grep "a truncated file shows the packets before the break" "$T/out" "^Packets: +12$"
expect_grep "a truncated file names the packet" "$T/err" "packet 13"

if command -v tshark >/dev/null 2>&1 && command -v editcap >/dev/null 2>&1; then
	editcap -F pcapng pcaps/bidir.pcap "$T/bidir.pcapng" 2>/dev/null
	run --json -e "pcap info $T/bidir.pcapng"
	[ "$(json_field "$T/out" format)" = pcapng ] && [ "$(json_field "$T/out" five_tuples)" = 256 ] &&
		ok "a pcapng made by editcap reads the same" ||
		not_ok "a pcapng made by editcap reads the same" "$(cat "$T/out" "$T/err")"
else
	skip "a pcapng made by editcap reads the same" "editcap (tshark) is not installed; the unit tests cover pcapng"
fi

if [ -d "$SHARED" ]; then
	run -e "pcap info $SHARED/gnutella.pcap"
	expect_rc "pcap info on gnutella.pcap succeeds" 0
	expect_grep "pcap info prints the packet count" "$T/out" "^Packets: +3,905$"
	expect_grep "pcap info prints the IP pairs" "$T/out" "^IP pairs: +517$"
else
	skip "pcap info on the shared real traces" "$SHARED is absent"
fi
