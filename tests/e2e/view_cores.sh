#!/bin/sh
# view cores (viz/view_cores.c) under tmux on a real DPDK build: fw sn on 2 cores replaying
# bidir.pcap. The refusal with nothing running; the header (uptime, totals, imbalance), a row
# per core with rx rates and a sparkline that grows; F5 freezes the figures and resumes them;
# F6 changes the sort; resizing uses the room and stays inside the pane; q gives the shell
# back with the build still running. Then NO_COLOR=1 on a build that ends by itself: no colour
# codes, and the header says it ended while the last figures stay.
. tests/e2e-lib.sh
. tests/view-lib.sh
LAN=192.168.0.0/16

if ! command -v tmux >/dev/null 2>&1; then
	skip "view cores" "tmux is not installed (make deps installs it)"
	exit 0
fi

# vt_rows FROM TO: lines FROM..TO of the screen now (1-based).
vt_rows() { vt_screen; sed -n "$1,$2p" "$VT_OUT"; }
# vt_colour: the screen with its attributes as escape sequences, into $VT_OUT.
vt_colour() { tmux -L "$VT" capture-pane -e -p -t 0 >"$VT_OUT"; }
# vt_fw_launch [ARGS]: fw sn on 2 cores replaying the trace (the build is cached after the first).
vt_fw_launch() {
	vt_type 'load fw'
	vt_type analyze
	vt_type 'rss solve --cores 2'
	vt_type 'emit sn --cores 2'
	vt_type "launch --pcap pcaps/bidir.pcap --lan $LAN --loop $*"
}

vt_start 80 24
vt_expect "shell starts in the pane" "baton>"
vt_type "view cores"
vt_expect "nothing running: the shell's error" "error: no build is running"
vt_fw_launch
vt_expect "fw sn launched" "counters, status, stop \(or view cores\)" 60

vt_type "view cores"
vt_expect "the view opens: NF, mode, cores, uptime, live" \
	"^ fw sn on 2 cores, up 00:[0-9]{2}:[0-9]{2} +live$"
vt_expect "header: total rates and drops" "^ Rx [0-9.]+[kMG]/s  Tx [0-9.]+[kMG]/s  Drops [0-9.]+[kMG]?/s \("
vt_expect "header: imbalance and sort" \
	"^ Imbalance [0-9]\.[0-9]{2} (even|uneven|skewed) \(max/mean rx/s\)   Sort core, ascending"
vt_expect "column titles" "^ core +rx/s +tx/s +drop/s +cyc/pkt +busy +rx/s"
vt_expect "core 0: a row with a non-zero rx rate" "^    0 +[1-9][0-9.]*[kMG]? +[0-9.]+[kMG]? +[0-9.]+[kMG]? +[0-9-]+ +[0-9]+%"
vt_expect "core 1: a row with a non-zero rx rate" "^    1 +[1-9][0-9.]*[kMG]? +[0-9.]+[kMG]? +[0-9.]+[kMG]? +[0-9-]+ +[0-9]+%"
vt_expect "a total row" "^total +[1-9][0-9.]*[kMG]? "
vt_expect "after 2 s a sparkline of 2 samples" "rx/s, last ([2-9]|[1-9][0-9]) s, top [0-9.]+[kMG]" 5
vt_expect "sparkline drawn in blocks" "^    0 .*[▁▂▃▄▅▆▇█]{2}"
vt_expect "details of the selected core" "^ core 0 \(lcore [0-9]+\), rx/s over [0-9]+ s: min "
vt_expect "F-key bar: F5 Pause, F6 SortBy" "^F1Help +F5Pause +F6SortBy +F10Quit"
vt_colour
if grep -q "$(printf '\033')\[3[0-7]m" "$VT_OUT"; then ok "colours in use (TERM=xterm-256color)"
else not_ok "colours in use (TERM=xterm-256color)" "no colour codes in: $(head -c 300 "$VT_OUT")"; fi
vt_fits "fits 80 columns" 80

vt_keys F5
vt_expect "F5 pauses: the label becomes Resume" "^F1Help +F5Resume +F6SortBy"
vt_expect "paused: said in the header" "^ fw sn on 2 cores, up .* paused$"
vt_rows 1 9 >"$T/frozen1"
sleep 2.2
vt_rows 1 9 >"$T/frozen2"
if cmp -s "$T/frozen1" "$T/frozen2"; then ok "paused: the figures stay the same for 2 s"; else
	not_ok "paused: the figures stay the same for 2 s" "$(diff "$T/frozen1" "$T/frozen2")"; fi
vt_keys F5
vt_expect "F5 again resumes" "^F1Help +F5Pause +F6SortBy"
vt_expect "resumed: live again" "^ fw sn on 2 cores, up .* live$"
vt_rows 1 9 >"$T/live1"
sleep 1.5
vt_rows 1 9 >"$T/live2"
if cmp -s "$T/live1" "$T/live2"; then
	not_ok "resumed: the figures move again" "unchanged for 1.5 s:" "$(cat "$T/live2")"
else ok "resumed: the figures move again"; fi

vt_keys F6
vt_expect "F6 sorts by rx/s" "Sort rx/s, descending"
vt_keys F6
vt_expect "F6 again: drop/s" "Sort drop/s, descending"
vt_keys F6 F6
vt_expect "and round to core" "Sort core, ascending"
vt_keys Down
vt_expect "Down selects core 1" "^ core 1 \(lcore [0-9]+\), rx/s"
vt_keys F1
vt_expect "F1 shows the keys" "view cores: keys"
vt_keys x
vt_expect "any key closes the help" "^ core +rx/s"

vt_resize 120 40
vt_expect "120x40: the room goes to a busy bar and a longer sparkline" \
	"^    0 .*% \[\|+ *\] +[▁▂▃▄▅▆▇█]+$"
vt_fits "120x40: nothing past 120 columns" 120
vt_resize 80 24
vt_expect "back to 80x24: redrawn" "^    1 +[1-9][0-9.]*[kMG]? .*%"
vt_fits "back to 80x24: nothing past 80 columns" 80

vt_keys q
vt_expect "q: the prompt is back" "^baton>$"
vt_expect_not "q: the view is gone" "F5Pause|^ core +rx/s"
vt_type status
vt_expect "q: the shell answers, the build still runs" "^fw sn on 2 cores: running for"
vt_type stop
vt_expect "stop prints the totals" "^accounted: rx [0-9]+ = tx" 15
vt_type "view cores"
vt_expect "after stop: the shell's error again" "error: no build is running"
vt_end

# NO_COLOR, and a build that ends (--duration) while the view is open.
vt_start 80 24 NO_COLOR=1
vt_expect "NO_COLOR: shell starts" "baton>"
vt_fw_launch --duration 3
vt_expect "NO_COLOR: launched for 3 s" "counters, status, stop \(or view cores\)" 60
vt_type "view cores"
vt_expect "NO_COLOR: the view opens" "^ fw sn on 2 cores, up .* live$"
vt_colour
if grep -qE "$(printf '\033')\[(3[0-7]|4[0-7]|38;|48;)" "$VT_OUT"; then
	not_ok "NO_COLOR: no colour codes" "$(grep -E "$(printf '\033')\[(3[0-7]|4[0-7])" "$VT_OUT" | head -3 | cat -v)"
else ok "NO_COLOR: no colour codes"; fi
vt_expect "NO_COLOR: the imbalance still says how good in words" "Imbalance [0-9.]+ (even|uneven|skewed)"
vt_expect "the build ends: the header says so" "ended: status 0$" 10
vt_expect "ended: the last figures stay" "^    1 +[1-9][0-9.]*[kMG]? "
vt_keys q
vt_type status
vt_expect "ended: status in the shell" "ended, exit status 0"
vt_type stop
vt_expect "ended: stop still prints the totals" "^accounted: rx [0-9]+ = tx" 15
vt_end
