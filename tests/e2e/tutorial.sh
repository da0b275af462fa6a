#!/bin/sh
# The first run: what make run prints, the tutorial's steps, and the issue's "done when": a new
# user in an 80x24 terminal goes from make run's shell to a 2-core fw build's live counters by
# typing only what the tutorial's hints say (read off the screen here, never hard-coded).
. tests/e2e-lib.sh
. tests/view-lib.sh

# make run's command line, as the Makefile has it.
MAKE_RUN=$(sed -n '/^run:/,/^$/p' Makefile | grep -v '^run:' | sed 's/^\t*//; s/\\$//' | tr '\n' ' ' |
	sed 's|^\./\$(BATON_BIN) ||')
case "$MAKE_RUN" in
*"load fw"*"replay pcaps/"*"tutorial next"*) ok "make run loads fw, replays a bundled trace, suggests" ;;
*) not_ok "make run loads fw, replays a bundled trace, suggests" "make run: $MAKE_RUN" ;;
esac

run -e 'load fw' -e 'replay pcaps/bidir.pcap --lan 192.168.0.0/16' -e 'tutorial next'
expect_rc "make run's commands succeed" 0
expect_grep "three suggested commands: analyze" "$T/out" '^  analyze +every path'
expect_grep "three suggested commands: view graph" "$T/out" '^  view graph +see which'
expect_grep "three suggested commands: tutorial" "$T/out" '^  tutorial +a guided tour'
if [ "$(sed -n '/^try next:/,$p' "$T/out" | grep -c '^  ')" -eq 3 ]; then
	ok "exactly three suggestions"
else not_ok "exactly three suggestions" "$(cat "$T/out")"; fi

run -e tutorial
expect_rc "tutorial with nothing done" 0
expect_grep "tutorial: 9 steps listed" "$T/out" '^    9  stop'
expect_grep "tutorial: step 1 is next" "$T/out" '^  > 1  load fw'
expect_grep "tutorial: the next step in full" "$T/out" '^  type:  load fw$'
run -e 'tutorial 7'
expect_grep "tutorial N: one step" "$T/out" '^  type:  launch --pcap pcaps/bidir.pcap --lan 192.168.0.0/16 --loop$'
run -e 'tutorial 10'
expect_rc "tutorial 10: error" 1
expect_grep "tutorial 10: says the range" "$T/err" 'a step is 1..9'
run -e tutorial -e 'load fw' -e analyze -e 'tutorial off' -e 'rss solve --cores 2'
expect_grep "a finished step names the next" "$T/err" '^tutorial: next, step 2 of 9: analyze'
expect_grep "and the next after that" "$T/err" '^tutorial: next, step 3 of 9: view graph'
expect_no_grep "tutorial off: no more hints" "$T/err" 'step 5 of 9'
run -e 'load fw' -e analyze -e 'tutorial'
expect_grep "the tour follows what was done" "$T/out" '^  ✓ 2  analyze'

if ! command -v tmux >/dev/null 2>&1; then
	skip "tutorial walk" "tmux is not installed (make deps installs it)"
	exit 0
fi

# The walk: an 80x24 terminal, make run's shell, then only what the screen says to type.
VT_ARGS=$MAKE_RUN vt_start 80 24
vt_expect "make run's shell: three suggestions on screen" "^  tutorial +a guided tour" 20
vt_type "tutorial"
vt_expect "tutorial: the next step to type" "^  type:  analyze$"

# The last thing the screen says to type: a "type:" line or a "tutorial: next" hint
# (joined, as a long hint wraps at 80 columns).
next_cmd() {
	tmux -L "$VT" capture-pane -p -J -t 0 -S -200 |
		sed -n 's/^  type:  //p; s/^tutorial: next, step [0-9]* of [0-9]*: \(.*\)   (.*/\1/p' |
		tail -n 1
}
steps=""
step=2	# the step the overview shows next (make run did step 1)
for i in 1 2 3 4 5 6 7 8 9; do
	cmd=$(next_cmd)
	case "$cmd" in ""|tutorial*) break ;; esac
	steps="$steps|$cmd"
	vt_type "$cmd"
	case "$cmd" in
	"view graph")
		vt_expect "step '$cmd': the graph opens" "fw: state-dependency graph"
		vt_keys q ;;
	"view cores")
		# The done-when: both lcores with live rates in the 80x24 view.
		vt_expect "step '$cmd': the live view opens" "F5Pause" 20
		sleep 2.5
		vt_screen
		cp "$VT_OUT" "$T/cores"
		vt_keys q
		break ;;
	*)
		vt_expect "step $step '$cmd': done, step $((step + 1)) named" \
			"^tutorial: next, step $((step + 1)) of 9" 120 ;;
	esac
	step=$((step + 1))
done
case "$steps" in
"|analyze|view graph|rss solve --cores 2|check pcaps/bidir.pcap --lan 192.168.0.0/16|emit sn --cores 2|launch --pcap pcaps/bidir.pcap --lan 192.168.0.0/16 --loop|view cores")
	ok "the hints alone led from analyze to view cores" ;;
*) not_ok "the hints alone led from analyze to view cores" "typed: $steps" "$(cat "$VT_OUT")" ;;
esac
# Both cores have a row with a non-zero rate (the view's rows start with the core number).
rows=$(grep -cE '^ *[01] +[0-9.]+[kMG]? ' "$T/cores" 2>/dev/null)
if [ "${rows:-0}" -ge 2 ] && grep -qE '[1-9][0-9.]*[kMG]' "$T/cores"; then
	ok "view cores: two lcores with live rates"
else not_ok "view cores: two lcores with live rates" "$(cat "$T/cores" 2>/dev/null)"; fi
vt_expect "q: back at the prompt" "^baton> ?$"
vt_type "stop"
vt_expect "stop: every packet accounted" "^accounted: rx [0-9]+ = tx"
vt_expect "the tour ends" "^tutorial: done, every step"
vt_end
