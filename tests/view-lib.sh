# Helpers for the view tests (sourced after e2e-lib.sh): baton runs in a detached tmux pane,
# keys go in with send-keys, the screen comes back with capture-pane. Each test has its own
# tmux server (-L), so tests never see each other's panes or the user's.
VT_N=0
VT="baton-vt-$$-0"
VT_OUT="$T/screen"
trap 'tmux -L "$VT" kill-server 2>/dev/null; rm -rf "$T"' EXIT

# vt_start W H [ENV...]: baton in a W x H pane (TERM xterm-256color, the given environment),
# on a tmux server of its own; VT_ARGS, when set, are baton's arguments (shell-quoted).
vt_start() {
	w=$1; h=$2; shift 2
	VT_N=$((VT_N + 1)); VT="baton-vt-$$-$VT_N"
	tmux -L "$VT" -f /dev/null new-session -d -x "$w" -y "$h" \
		"env TERM=xterm-256color BATON_HISTORY=$T/history $* $BATON ${VT_ARGS:-}; sleep 30"
	tmux -L "$VT" set-option -g window-size manual >/dev/null 2>&1
}
# vt_keys KEYS...: as tmux send-keys takes them ("view graph" Enter, Down, F5, q).
vt_keys() { tmux -L "$VT" send-keys -t 0 "$@" 2>/dev/null; }
# vt_type LINE: a shell line and Enter.
vt_type() { tmux -L "$VT" send-keys -t 0 -l "$1" 2>/dev/null; tmux -L "$VT" send-keys -t 0 Enter 2>/dev/null; }
# vt_screen: the pane's text now, into $VT_OUT (empty when the pane is gone).
vt_screen() { tmux -L "$VT" capture-pane -p -t 0 >"$VT_OUT" 2>/dev/null || : >"$VT_OUT"; }
# vt_wait PATTERN [SECONDS]: waits until the screen has a line matching PATTERN (ERE);
# returns 1 after SECONDS (default 10).
vt_wait() {
	n=$(( ${2:-10} * 10 ))
	while [ $n -gt 0 ]; do
		vt_screen
		grep -qE -- "$1" "$VT_OUT" && return 0
		sleep 0.1; n=$((n - 1))
	done
	return 1
}
# vt_expect NAME PATTERN [SECONDS]: one TAP line: the screen shows PATTERN in time.
vt_expect() {
	if vt_wait "$2" "${3:-10}"; then ok "$1"; else
		not_ok "$1" "the screen has no line matching '$2':" "$(cat "$VT_OUT")"
	fi
}
# vt_expect_not NAME PATTERN: the screen now has no line matching PATTERN.
vt_expect_not() {
	vt_screen
	if grep -qE -- "$2" "$VT_OUT"; then
		not_ok "$1" "unexpected '$2' on the screen:" "$(cat "$VT_OUT")"
	else ok "$1"; fi
}
# vt_resize W H: the pane becomes W x H (the program gets SIGWINCH).
vt_resize() { tmux -L "$VT" resize-window -t 0 -x "$1" -y "$2"; }
# vt_fits NAME W: the view fills a W-column pane as laid out: its title on the first row and
# the function-key bar on the last (a view drawn for another size, or scrolled by a write
# past the edge, fails this).
vt_fits() {
	sleep 0.3
	vt_screen
	pw=$(tmux -L "$VT" display -p -t 0 '#{pane_width}' 2>/dev/null)
	first=$(head -n 1 "$VT_OUT"); last=$(tail -n 1 "$VT_OUT")
	if [ "$pw" = "$2" ] && [ -n "$first" ] && [ "${last#F1Help}" != "$last" ]; then
		ok "$1"
	else
		not_ok "$1" "pane $pw columns (want $2), first row '$first', last row '$last'" \
			"$(cat "$VT_OUT")"
	fi
}
# vt_end: leaves baton and the tmux server.
vt_end() { tmux -L "$VT" kill-server 2>/dev/null; }
