#!/bin/sh
# The one-way arrows of DESIGN.md section 2, checked on #include lines:
#   nfs/lib <- engine <- lua, viz <- repl; nfs/lib <- nfs/dpdk (with DPDK); only engine/ir.c sees LLVM, only engine/smt.c sees Z3,
#   only viz/ sees curses, only lua/ sees the Lua C API, only repl/ sees readline.
# With --tap, prints one TAP line per rule.
tap=0; [ "${1:-}" = "--tap" ] && tap=1
bad=0
rule() { # $1 name, $2 files (a glob list), $3 forbidden include pattern
	name=$1; files=$2; pat=$3
	hits=$(grep -lE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pat)" $files 2>/dev/null | tr '\n' ' ')
	if [ -n "$hits" ]; then
		bad=1
		if [ $tap = 1 ]; then echo "not ok - lint: $name: $hits"; else echo "lint: $name: $hits"; fi
	elif [ $tap = 1 ]; then
		echo "ok - lint: $name"
	fi
}
src() { ls "$@" 2>/dev/null | tr '\n' ' '; }
rule "nfs/ includes only libc and nfs/lib" "$(src nfs/*.c nfs/*.h nfs/lib/*.c nfs/lib/*.h)" '(\.\./)*(engine|repl|viz|lua)/|lua|readline|curses|ncurses|z3|llvm-c|pcap|rte_'
rule "nfs/dpdk/ includes only libc, DPDK and nfs/lib" "$(src nfs/dpdk/*.c nfs/dpdk/*.h)" '(\.\./)*(engine|repl|viz|lua)/|lua|readline|curses|ncurses|z3|llvm-c|pcap'
rule "engine/ includes no UI, Lua or readline" "$(src engine/*.c engine/*.h)" '(repl|viz|lua)/|lua\.h|lauxlib\.h|lualib\.h|readline/|curses\.h|ncurses'
rule "lua/ includes no repl, viz or readline" "$(src lua/*.c lua/*.h)" 'repl/|viz/|readline/|curses'
rule "viz/ includes no repl, lua or readline" "$(src viz/*.c viz/*.h)" 'repl/|lua/|readline/|lua\.h|lauxlib\.h'
rule "only engine/ir.c includes LLVM" "$(src engine/*.c engine/*.h lua/*.c viz/*.c repl/*.c | tr ' ' '\n' | grep -v '^engine/ir\.c$' | tr '\n' ' ')" 'llvm-c/'
rule "only engine/smt.c includes Z3" "$(src engine/*.c engine/*.h lua/*.c viz/*.c repl/*.c | tr ' ' '\n' | grep -v '^engine/smt\.c$' | tr '\n' ' ')" 'z3\.h|z3_'
rule "only viz/ includes curses" "$(src engine/*.c lua/*.c repl/*.c)" 'curses\.h|ncurses'
rule "only lua/ includes the Lua C API" "$(src engine/*.c viz/*.c repl/*.c)" 'lua\.h|lauxlib\.h|lualib\.h'
rule "only repl/ includes readline" "$(src engine/*.c lua/*.c viz/*.c)" 'readline/'
# crt owns the terminal (style.md: htop's CRT): nothing else starts or ends curses.
hits=$(grep -lE '\b(initscr|newterm|endwin|delscreen)[[:space:]]*\(' $(src viz/*.c) 2>/dev/null | grep -v '^viz/crt\.c$' | tr '\n' ' ')
if [ -n "$hits" ]; then
	bad=1
	if [ $tap = 1 ]; then echo "not ok - lint: only viz/crt.c starts and ends curses: $hits"; else echo "lint: only viz/crt.c starts and ends curses: $hits"; fi
elif [ $tap = 1 ]; then
	echo "ok - lint: only viz/crt.c starts and ends curses"
fi
exit $bad
