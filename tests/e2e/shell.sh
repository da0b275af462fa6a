#!/bin/sh
# The shell from outside: options, dispatch and prefixes, batch exit codes, Lua errors, JSON.
. tests/e2e-lib.sh

run --version
expect_rc "--version exits 0" 0
expect_grep "--version prints the version" "$T/out" '^baton [0-9]+\.[0-9]+\.[0-9]+$'
run --help
expect_rc "--help exits 0" 0
expect_grep "--help lists -e" "$T/out" '^  -e LINE'
run --frobnicate
expect_rc "an unknown option exits 2" 2
expect_grep "an unknown option is named" "$T/err" "unknown option '--frobnicate'"
run -e
expect_rc "-e without a line exits 2" 2

run -e 'echo a' -e 'echo b c'
expect_rc "two -e lines succeed" 0
expect_out "-e lines run in order" "a
b c"

run -e 'ec prefix works' -e 'he'
expect_rc "unique prefixes dispatch" 0
expect_grep "a prefix of help prints help" "$T/out" '^  pcap info FILE'
expect_grep "a prefix of echo echoes" "$T/out" '^prefix works$'

run -e 'help pc g'
expect_grep "help takes prefixes of subcommands" "$T/out" '^usage: pcap gen KIND'

run -e 'nosuchcommand' -e 'echo after'
expect_rc "an unknown -e command exits 1" 1
expect_grep "the unknown command is named" "$T/err" "unknown command 'nosuchcommand'"
expect_out "the -e after a failure still runs" "after"

cat >"$T/b1" <<'B'
# a batch file: comments, blank lines, continuation
echo first

echo joined \
  line
unknowncmd arg
echo 'after the error'
pcap info
echo last
B
run -b "$T/b1"
expect_rc "a batch with an unknown command exits 1" 1
expect_out "a batch runs every line after a failure" "first
joined line
after the error
last"
expect_grep "batch errors name FILE:LINE" "$T/err" "b1:6: unknown command 'unknowncmd'"
expect_grep "batch usage errors name FILE:LINE" "$T/err" "b1:8: usage: pcap info FILE"

run --bail -b "$T/b1"
expect_rc "--bail exits 1" 1
expect_out "--bail stops at the first failure" "first
joined line"

printf 'echo one\nbogus\necho two\n' | "$BATON" >"$T/out" 2>"$T/err"
rc=$?
expect_rc "piped stdin is a batch and fails on a bad line" 1
expect_out "piped stdin runs every line" "one
two"
expect_grep "piped stdin errors name stdin:LINE" "$T/err" "stdin:2: unknown command 'bogus'"

printf 'echo ok\n' >"$T/good"
run "$T/good"
expect_rc "a batch FILE argument that succeeds exits 0" 0
expect_out "a batch FILE argument runs" "ok"
run -b "$T/does-not-exist"
expect_rc "a missing batch file exits 1" 1
expect_grep "a missing batch file is named" "$T/err" "does-not-exist: No such file"

printf 'echo before\nquit\necho not reached\n' >"$T/q"
run -b "$T/q"
expect_rc "quit ends a batch with success" 0
expect_out "nothing runs after quit" "before"

printf 'echo in-sourced\nbadcmd\n' >"$T/inner"
run -e "source $T/inner" -e 'echo outer goes on'
expect_rc "a sourced file with a failure fails" 1
expect_grep "errors inside source name the inner file and line" "$T/err" "inner:2: unknown command 'badcmd'"
expect_grep "source failure is reported" "$T/err" "some commands failed"
expect_out "source runs its lines, and the shell goes on" "in-sourced
outer goes on"

printf 'source %s\n' "$T/loop" >"$T/loop"
run -b "$T/loop"
expect_rc "a file that sources itself fails" 1
expect_grep "self-sourcing is stopped with a clear message" "$T/err" "nested more than 16 deep"

run -e "echo 'unterminated"
expect_rc "an unterminated quote fails" 1
expect_grep "the unterminated quote's column is named" "$T/err" "unterminated ' at column 6"

# Lua
run -e 'lua 1 + 2' -e 'lua local t = {} for i = 1, 3 do t[i] = i * i end print(table.concat(t, ","))'
expect_rc "lua chunks succeed" 0
expect_out "lua prints expressions and print() output" "3
1,4,9"

run -e 'lua error("boom")' -e 'echo still here'
expect_rc "a Lua error exits 1" 1
expect_grep "a Lua error prints its message" "$T/err" 'lua:1: boom'
expect_grep "a Lua error prints a traceback" "$T/err" 'stack traceback:'
expect_out "the shell goes on after a Lua error" "still here"

run -e 'lua x = = 1'
expect_rc "a Lua syntax error exits 1" 1
expect_grep "a Lua syntax error names the line" "$T/err" "lua:1: unexpected symbol near '='"

cat >"$T/multi" <<'B'
lua function sq(x)
  return x * x
end
lua print(sq(7))
lua t = {
  a = 1,
}
lua print(t.a)
lua for i = 1, 2 do
B
run -b "$T/multi"
expect_rc "an unfinished chunk at the end of a batch fails" 1
expect_out "multi-line Lua chunks in a batch" "49
1"
expect_grep "the unfinished chunk is reported" "$T/err" "'end' expected"

run -e 'lua ok, out = baton.cmd("echo captured") print(ok, (out:gsub("\n", "|")))' \
	-e 'lua ok, out = baton.cmd("nosuch") print(ok, (out:gsub("\n", "|")))'
expect_rc "baton.cmd failures belong to Lua, not the shell" 0
expect_out "baton.cmd returns status and output" "true	captured|
false	error: unknown command 'nosuch' (try 'help')|"

run -e 'lua for _, c in ipairs(baton.commands()) do io.write(c.name, " ") end print()'
expect_grep "baton.commands lists the table" "$T/out" '^help quit echo source tutorial version lua pcap load set analyze show export replay rss check emit launch status counters stop view $'

cat >"$T/s.lua" <<'L'
local a, b = ...
print("args", a, b, arg[0] ~= nil, #arg)
print(baton.version ~= nil)
L
run "$T/s.lua" one two
expect_rc "a Lua script with arguments succeeds" 0
expect_out "a Lua script gets its arguments in ... and arg" "args	one	two	true	2
true"
run -e "lua -f $T/s.lua x"
expect_out "lua -f runs a file with arguments" "args	x	nil	true	1
true"
printf 'print("start")\nlocal t = nil\nprint(t.field)\n' >"$T/bad.lua"
run "$T/bad.lua"
expect_rc "a failing Lua script exits 1" 1
expect_grep "a failing script names its file and line" "$T/err" "bad.lua:3: attempt to index a nil value"
run -e "lua -f $T/nonexistent.lua"
expect_rc "lua -f on a missing file fails" 1
expect_grep "lua -f names the missing file" "$T/err" "cannot open .*nonexistent.lua"

# JSON
run --json -e 'version' -e 'nosuch'
expect_rc "--json with a failure exits 1" 1
if python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/out" 2>/dev/null; then
	ok "--json output is one JSON object per line"
else
	not_ok "--json output is one JSON object per line" "$(cat "$T/out")"
fi
expect_grep "--json errors are JSON objects" "$T/out" '^\{"error":"-e #2: unknown command'

run -e 'pcap info /nonexistent/trace.pcap'
expect_rc "pcap info on a missing file fails" 1
expect_grep "pcap info names the missing file" "$T/err" '/nonexistent/trace.pcap'
