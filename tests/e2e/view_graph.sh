#!/bin/sh
# view graph and view paths under tmux: each opens on fw's analysis with the expected nodes,
# moves, shows a node's accesses, survives resizing, and gives the terminal back on q.
. tests/e2e-lib.sh
. tests/view-lib.sh
# An SGR sequence that sets a colour (39 and 49 only reset to the terminal's own).
COLOR_SGR="$(printf '\033')\[([0-9;]*;)?(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;|m)"

if ! command -v tmux >/dev/null 2>&1; then
	skip "view graph" "tmux is not installed (make deps installs it)"
	exit 0
fi

vt_start 80 24
vt_expect "shell starts in the pane" "baton>"
vt_type "view graph"
vt_expect "view graph before load: error" "error: .*no NF loaded"
vt_type "load fw"
vt_type "analyze"
vt_expect "fw analyzed" "verdict: shared-nothing"
vt_type "view graph"
vt_expect "graph opens" "fw: state-dependency graph"
vt_expect "fields on the left" "^ ipv4.src .*─"
vt_expect "objects on the right" "─▶flows"
vt_expect "dchain object" "─▶ages"
vt_expect "edge labelled with ports and r/w" "lan rw · wan r ─▶flows"
vt_expect "object kind and capacity" "map 65536 rw"
vt_expect "F-key bar" "F1Help .*F10Quit"
tmux -L "$VT" capture-pane -p -e -t 0 >"$T/esc"
if grep -qE "$COLOR_SGR" "$T/esc"; then ok "colours on a colour terminal (the check below can fail)"
else not_ok "colours on a colour terminal (the check below can fail)" "$(cat -v "$T/esc" | head)"; fi
vt_fits "graph fits 80 columns" 80
# Right goes to the objects: the info line names the nearest one.
vt_keys Right
vt_expect "Right selects an object" "flows: written map, 3 accesses, made at fw.c:69"
vt_keys Down
vt_expect "Down moves to the next object" "ages: written dchain"
vt_keys Up Enter
vt_expect "Enter shows the accesses with source lines" "map_put +fw.c:98"
vt_expect "and the constraints it produces" "lan.ipv4.src = wan.ipv4.dst"
vt_keys Enter
vt_expect "Enter goes back to the graph" "state-dependency graph"
vt_keys F1
vt_expect "F1 shows the keys" "view graph: keys"
vt_keys x
vt_resize 100 30
vt_expect "resized wider: redrawn" "─▶flows"
vt_fits "nothing past 100 columns" 100
vt_resize 60 16
vt_expect "small terminal still drawn" "^ fw: state-dependency"
vt_fits "laid out for 60 columns" 60
vt_resize 50 10
vt_expect "too small: said so" "terminal too small"
vt_resize 80 24
vt_expect "back to 80x24" "lan rw · wan r ─▶flows"
vt_fits "laid out for 80 columns again" 80
vt_keys q
vt_expect "q returns to the shell" "^baton> ?$"
vt_expect_not "the view is gone" "state-dependency graph"
vt_type "echo still here"
vt_expect "the shell answers after the view" "^still here"

# view paths: the tree, folding, a path in full.
vt_type "view paths"
vt_expect "paths opens" "fw: call-path tree, 30 paths"
vt_expect "branches with source lines" "▾ port=lan \(fw.c:113\)"
vt_expect "leaves with verdicts" "→ drop \(path 1, fw.c:130\)"
vt_keys Enter
vt_expect "Enter folds a branch" "▸ \(len<0x22 ∨ eth.type≠0x0800\) \(packet.h:108\)  \[2 paths\]"
vt_keys F7
vt_expect "F7 folds everything" "\[28 paths\]"
vt_keys F8 Down Down
vt_expect "the selected path shows below" "path 0: wan"
vt_keys Enter
vt_expect "Enter shows the path in full" "condition: port=lan"
vt_keys Enter
vt_resize 120 40
vt_expect "resized: redrawn" "call-path tree"
vt_fits "nothing past 120 columns" 120
vt_resize 80 24
vt_keys q
vt_expect "q returns from paths" "^baton> ?$"
vt_end

# Without colour, and on a terminal without UTF-8: ASCII lines, still every node.
vt_start 80 24 NO_COLOR=1 LC_ALL=C
vt_expect "second shell" "baton>"
vt_type "load nat"
vt_type "analyze"
vt_expect "nat analyzed" "verdict:"
vt_type "view graph"
vt_expect "ASCII arrows without UTF-8" "->flows"
vt_expect "ASCII lines" "^ ipv4.src +-+[+]"
vt_expect "nat's derived key source" "^ derived "
vt_keys q
vt_expect "q returns (no colour)" "^baton> ?$"
tmux -L "$VT" capture-pane -p -e -t 0 >"$T/esc"
if grep -qE "$COLOR_SGR" "$T/esc"; then
	not_ok "NO_COLOR: no colours were drawn" "$(grep -cE "$COLOR_SGR" "$T/esc") lines with colour"
else
	ok "NO_COLOR: no colours were drawn"
fi
vt_end

# A terminal without colours (vt100): plain attributes only; Ctrl-C leaves a view like q.
vt_start 80 24 TERM=vt100
vt_expect "vt100 shell" "baton>"
vt_type "load fw"
vt_type "analyze"
vt_expect "analyzed on vt100" "verdict:"
vt_type "view paths"
vt_expect "paths on vt100" "call-path tree"
tmux -L "$VT" capture-pane -p -e -t 0 >"$T/esc"
if grep -qE "$COLOR_SGR" "$T/esc"; then
	not_ok "a terminal without colours gets none" "$(grep -cE "$COLOR_SGR" "$T/esc") lines with colour"
else
	ok "a terminal without colours gets none"
fi
vt_keys C-c
vt_expect "Ctrl-C leaves the view" "^baton> ?$"
vt_type "echo alive"
vt_expect "and the shell lives on" "^alive"
vt_end

# Not on a terminal: a clear error, the batch goes on.
run -e "load fw" -e analyze -e "view graph" -e "echo after"
expect_rc "view in batch mode fails" 1
expect_grep "and says why" "$T/err" "error: .*views need a terminal"
expect_grep "the rest of the batch ran" "$T/out" "^after$"
