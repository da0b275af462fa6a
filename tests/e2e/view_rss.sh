#!/bin/sh
# view rss (viz/view_rss.c) in a tmux pane: the solved key, field set, constraint status, RETA
# and load per core on screen; F3 and F4 change them at once; resizing redraws within the pane;
# q hands the configuration back to the session. Also: NO_COLOR, no analysis, no NF.
. tests/e2e-lib.sh
. tests/view-lib.sh

# Outside a terminal, or before an NF: the shell's own errors.
run -e 'view rss'
expect_grep "no NF: view rss says so" "$T/err" 'error: no NF loaded'
run -e 'load fw' -e 'view rss'
expect_grep "no terminal: view rss says so" "$T/err" 'views need a terminal'

if ! command -v tmux >/dev/null 2>&1; then
	skip "view rss on a terminal" "no tmux"
	exit 0
fi

# vt_width NAME W: some screen line is exactly W columns (the view drew to the pane's edge).
vt_width() {
	vt_screen
	if awk -v w="$2" 'length($0) == w { f = 1 } END { exit !f }' "$VT_OUT"; then ok "$1"
	else not_ok "$1" "no line $2 columns wide:" "$(cat "$VT_OUT")"; fi
}
# vt_key: the first row of the key on screen (20 bytes, as ethtool -x wraps it).
vt_key() { vt_screen; awk '$1 == "key" { print $2; exit }' "$VT_OUT"; }

# The key rss solve gives: the solver is deterministic for a seed.
run -e 'load fw' -e analyze -e 'rss solve --cores 4' -e 'rss show'
want=$(awk '$1 == "key" { print $2; exit }' "$T/out" | cut -d: -f1-20)

# The C locale draws ASCII only, so line lengths are columns.
vt_start 80 24 LANG=C LC_ALL=C
vt_type 'load fw'
vt_type analyze
vt_wait '^verdict: shared-nothing'
vt_type 'rss solve --cores 4'
vt_wait '^satisfied'
vt_type 'replay pcaps/bidir.pcap --lan 192.168.0.0/16'
vt_wait 'bidir.pcap through fw: 2048 packets'
vt_type 'view rss'
vt_expect "the key rss solve found, as rss show prints it" "^ key +$want\$"
vt_expect "the port's field set, as rss show names it" '^ fields +ipv4-tcp,ipv4-udp \(sdfn\)$'
vt_expect "the header: NIC, cores, RETA, key length, ports" \
	'RSS +NIC software . 4 cores . RETA 512 . 52-byte key . ports lan wan'
vt_expect "every constraint holds" '^v all 3 constraints hold'
vt_expect "the RETA by core, 32 entries a row" '^ +32: 0 1 2 3 0 1 2 3 '
vt_expect "the RETA says which rows it shows" 'RETA of every port, 512 entries -- 0-[0-9]+ shown'
vt_expect "the trace's load" 'load per core: bidir\.pcap, 2048 packets -- max/mean 1\.[0-9][0-9]'
vt_expect "a row for core 0" '^core 0 \[\|+ *\] +[0-9.]+% +[0-9]+$'
vt_expect "a row for core 3" '^core 3 \[\|+ *\] +[0-9.]+% +[0-9]+$'
vt_expect_not "no fifth core" '^core 4'
vt_expect "the F-key bar" '^F1Help +F2Port +F3Fields F4Solve F5Load +F6Reset F10Quit'
vt_fits "80x24: nothing past the edge" 80

vt_keys F3
vt_expect "F3: the next field set" '^-- lan -- field set 2/[0-9]+, one core -'
vt_expect "F3: its name" '^ fields +ipv4,l3-src-only \(s'
vt_expect "F3: the constraints hold only trivially" 'all 3 constraints hold \(exact\), trivially'
vt_expect "F3: why every packet lands on one core" 'every key sends all its packets to one RETA'
vt_expect "F3: the load follows" '^core 0 \[\|+\] 100\.0%'
k3=$(vt_key)
vt_keys F4
vt_expect "F4: solved again with a new seed" '^solved with seed 2 in [0-9.]+ ms'
k4=$(vt_key)
if [ -n "$k4" ] && [ "$k4" != "$k3" ]; then ok "F4: a new key on screen"
else not_ok "F4: a new key on screen" "before: $k3" "after: $k4"; fi
vt_keys Tab
vt_expect "Tab: the other port" '^-- wan -- field set'

vt_resize 100 30
sleep 0.3
vt_width "100x30: redrawn to the new edge" 100
vt_fits "100x30: nothing past the edge" 100
vt_resize 80 24
sleep 0.3
vt_width "80x24 again: redrawn" 80
vt_fits "80x24 again: nothing past the edge" 80

vt_keys q
vt_expect "q: the configuration is kept" "configuration you ended on is now the session's"
vt_type 'rss show'
vt_expect "rss show prints the key the view ended on" "key +$k4"
vt_end

# Colours off: the same facts, no colour escapes; UTF-8 glyphs where the locale has them. No
# rss solve: the default key breaks fw's symmetric constraint.
vt_start 80 24 NO_COLOR=1 LANG=C.UTF-8 LC_ALL=C.UTF-8
vt_type 'load fw'
vt_type analyze
vt_wait '^verdict: shared-nothing'
vt_type 'view rss'
vt_expect "NO_COLOR: the broken constraint" '^✗ 1 of 3 constraints broken: 2\. lan\.ipv4\.src = '
vt_expect "NO_COLOR: uniform traffic without a trace" 'load per core: uniform, 65536 random'
vt_keys t
vt_expect "NO_COLOR: t without a trace says so" 'no current trace'
if tmux -L "$VT" capture-pane -p -e -t 0 | grep -q "$(printf '\033')\[3[0-7]m"; then
	not_ok "NO_COLOR: no colours" "$(tmux -L "$VT" capture-pane -p -e -t 0 | cat -v | head -5)"
else ok "NO_COLOR: no colours"; fi
vt_keys q
vt_expect "NO_COLOR: nothing changed, nothing handed back" "^baton"
vt_expect_not "NO_COLOR: no note without a change" "is now the session's"
vt_end

# Without an analysis: no constraints, and solving still works.
vt_start 80 24 LANG=C LC_ALL=C
vt_type 'load fw'
vt_type 'view rss'
vt_expect "no analysis: the note" '^no analysis: no constraints \(analyze first\)'
vt_keys F4
vt_expect "no analysis: F4 solves without constraints" '^solved with seed 2 .* \(no constraints\)$'
vt_keys r
vt_expect "r: back to the configuration the view opened with" \
	'^ key +6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb$'
vt_keys q
vt_expect_not "r then q: nothing handed back" "is now the session's"
vt_end
