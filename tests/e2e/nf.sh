#!/bin/sh
# NFs from the shell: load (bundled names, files, compiler errors, the cache), set, show nf,
# and replay (verdict counts that add up, per-port output pcaps, JSON, bad input).
. tests/e2e-lib.sh

# Every bundled NF loads with its defaults and shows its descriptor.
for nf in $(ls nfs/*.c | sed 's|nfs/||; s|\.c$||'); do
	run --json -e "load $nf"
	if [ "$rc" -eq 0 ] && [ "$(json_field "$T/out" nf)" = "$nf" ] &&
		[ "$(json_field "$T/out" ports)" = '["lan", "wan"]' ]; then
		ok "load $nf: descriptor with ports lan, wan"
	else
		not_ok "load $nf: descriptor with ports lan, wan" "status $rc" "$(head -c 600 "$T/out" "$T/err")"
	fi
done

run -e "load fw" -e "show nf"
expect_rc "load fw; show nf" 0
expect_grep "show nf lists the configuration with meanings" "$T/out" '^  expiry=60 +seconds'
run -e "load nosuch"
expect_rc "an unknown NF fails" 1
expect_grep "and lists the bundled ones" "$T/err" "no bundled NF named 'nosuch'.*fw.*nat"
run -e "load $T/missing.c"
expect_grep "a missing file is named" "$T/err" "missing.c: No such file"

# A file that does not compile: the compiler's own words, and the loaded NF stays.
cat >"$T/broken.c" <<'NF'
#include "nf.h"
void *nf_init(struct nf_env *env) { return env; }
int nf_process(void *st, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now)
{
	return undeclared_thing;
}
NF
run -e "load nop" -e "load $T/broken.c" -e "show nf"
expect_rc "a broken NF fails the batch" 1
expect_grep "the compiler's message names file and line" "$T/err" "broken.c:5:[0-9]+: error: .undeclared_thing. undeclared"
expect_grep "and the previous NF stays loaded" "$T/err" "nop stays loaded"
expect_grep "show nf still shows it" "$T/out" "^nop: "

cat >"$T/nodesc.c" <<'NF'
#include "nf.h"
void *nf_init(struct nf_env *env) { return env; }
int nf_process(void *st, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now) { return 0; }
NF
run -e "load $T/nodesc.c"
expect_grep "an NF without a descriptor is refused by name" "$T/err" "missing the descriptor \(NF_DESCRIPTOR\)"

# A user NF in its own file: loads, is cached, and rebuilt when it changes.
cat >"$T/odd.c" <<'NF'
#include "nf.h"
static const struct nf_param odd_params[] = {
	{ "ret", "7", "what nf_process returns" },
	{ NULL, NULL, NULL },
};
NF_DESCRIPTOR("odd", "returns whatever it is told", NF_PORTS("lan", "wan"), odd_params);
struct odd { int ret; };
void *nf_init(struct nf_env *env)
{
	struct odd *o = nf_alloc(env, sizeof *o);
	if (o)
		o->ret = (int)nf_config_uint(env, "ret", 0, 100);
	return nf_env_ok(env) ? o : NULL;
}
int nf_process(void *st, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now)
{
	return ((struct odd *)st)->ret;
}
NF
export BATON_CACHE="$T/cache"
run -e "load $T/odd.c"
expect_grep "a user NF compiles on first load" "$T/out" "^compiled .*odd.c in"
run -e "load $T/odd.c"
expect_no_grep "and comes from the cache the second time" "$T/out" "^compiled"
sed -i 's/"7"/"9"/' "$T/odd.c"
run -e "load $T/odd.c" -e "set"
expect_grep "an edit rebuilds it" "$T/out" "^compiled .*odd.c"
expect_grep "with the new default" "$T/out" "ret=9"
run -e "load $T/odd.c" -e "replay pcaps/bidir.pcap"
expect_rc "a return value that is no port fails nothing but is reported" 0
expect_grep "as invalid, with the packet" "$T/out" "invalid: nf_process returned 9 for packet 1 "
run --json -e "load $T/odd.c" -e "set ret=1" -e "replay pcaps/bidir.pcap"
[ "$(json_field "$T/out" verdicts 2)" = '{"lan": 0, "wan": 2048, "drop": 0, "flood": 0}' ] &&
	ok "set changes what new instances get" || not_ok "set changes what new instances get" "$(cat "$T/out" "$T/err")"
unset BATON_CACHE

# set: unknown keys and refused values change nothing.
run -e "load fw" -e "set nosuch=1"
expect_grep "set names the keys there are" "$T/err" "fw has no configuration key 'nosuch' \(keys: capacity expiry\)"
run -e "load fw" -e "set capacity=abc" -e "set expiry=5" -e "show nf"
expect_grep "a value the NF refuses is explained" "$T/err" "capacity=abc: not a number"
expect_grep "and leaves the old value" "$T/out" "capacity=65536"
expect_grep "a good value is shown with its default" "$T/out" "expiry=5 .*\(default 60\)"
run -e "set expiry=5"
expect_grep "set without an NF says to load one" "$T/err" "no NF loaded"

# replay: counts add up, per port and in total.
run --json -e "load fw" -e "replay pcaps/bidir.pcap --lan 192.168.0.0/16"
expect_rc "replay fw over the bundled bidir trace" 0
python3 - "$T/out" >"$T/check" 2>&1 <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[1])
v = r["verdicts"]
assert r["packets"] == 2048, r
assert sum(v.values()) == r["packets"], v
for port, pv in r["per_port"].items():
    assert pv["packets"] == sum(n for k, n in pv.items() if k != "packets"), pv
assert r["per_port"]["lan"]["packets"] > 0 and r["per_port"]["wan"]["packets"] > 0, r
assert r["per_port"]["lan"]["wan"] == r["per_port"]["lan"]["packets"], "fw forwards all lan traffic"
print("fine")
PY
grep -q fine "$T/check" && ok "verdict counts add up, per port and in total" ||
	not_ok "verdict counts add up, per port and in total" "$(cat "$T/check")"

if [ -f "$SHARED/teams.pcap" ]; then
	run -e "load fw" -e "replay $SHARED/teams.pcap --lan 192.168.0.0/16"
	expect_rc "replay fw over teams.pcap" 0
	total=$(awk '$1 == "total" { print $2, $3 + $4 + $5 + $6 }' "$T/out")
	[ "$total" = "1540 1540" ] && ok "teams.pcap: 1540 packets, 1540 verdicts" ||
		not_ok "teams.pcap: 1540 packets, 1540 verdicts" "$(cat "$T/out")"
else
	skip "replay fw over teams.pcap" "$SHARED/teams.pcap is not there"
fi

# -o: one pcap per port; flood goes to every port but the input.
run -e "load nat" -e "replay pcaps/bidir.pcap --lan 192.168.0.0/16 -o $T/nat" --json
expect_rc "replay -o writes output pcaps" 0
lanw=$(python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).read().splitlines()[1]); print(r["verdicts"]["lan"], r["verdicts"]["wan"], r["rewritten"])' "$T/out")
run --json -e "pcap info $T/nat-lan.pcap" -e "pcap info $T/nat-wan.pcap"
got="$(json_field "$T/out" packets 1) $(json_field "$T/out" packets 2)"
[ "$got" = "$(echo "$lanw" | cut -d' ' -f1,2)" ] && ok "PREFIX-lan.pcap and PREFIX-wan.pcap hold what went out each port" ||
	not_ok "PREFIX-lan.pcap and PREFIX-wan.pcap hold what went out each port" "verdicts $lanw, files $got"
[ "$(echo "$lanw" | cut -d' ' -f3)" -gt 0 ] && ok "nat rewrites packets, and replay counts them" ||
	not_ok "nat rewrites packets, and replay counts them" "$lanw"
# What nat sent out on wan, read back byte by byte: its address, and checksums that verify.
python3 - "$T/nat-wan.pcap" >"$T/check" 2>&1 <<'PY'
import struct, sys
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s
data = open(sys.argv[1], "rb").read()
off, n = 24, 0
while off < len(data):
    caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
    p = data[off + 16:off + 16 + caplen]
    off += 16 + caplen
    ip = p[14:34]
    assert ip[12:16] == bytes([203, 0, 113, 1]), "source %s" % list(ip[12:16])
    assert csum(ip) == 0xffff, "IPv4 checksum"
    l4 = p[34:14 + struct.unpack("!H", ip[2:4])[0]]
    pseudo = ip[12:20] + struct.pack("!BBH", 0, ip[9], len(l4))
    if ip[9] == 17 and l4[6:8] == b"\0\0":
        continue
    assert csum(pseudo + l4) == 0xffff, "L4 checksum of packet %d" % (n + 1)
    n += 1
assert n > 1000, n
print("fine", n)
PY
grep -q fine "$T/check" && ok "nat's wan output: every source is 203.0.113.1, every checksum verifies" ||
	not_ok "nat's wan output: every source is 203.0.113.1, every checksum verifies" "$(cat "$T/check")"
run --json -e "load bridge" -e "replay pcaps/bidir.pcap --lan 192.168.0.0/16"
python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).read().splitlines()[1]); v=r["verdicts"]
assert v["flood"] > 0 and v["wan"] > 0 and v["lan"] > 0, v; print("fine")' "$T/out" >"$T/check" 2>&1
grep -q fine "$T/check" && ok "bridge floods unknown destinations, then forwards both ways" ||
	not_ok "bridge floods unknown destinations, then forwards both ways" "$(cat "$T/check" "$T/out")"

# Bad input: each gets a clear error.
run -e "load fw" -e "replay pcaps/bidir.pcap --lan 192.168.1.1/16"
expect_grep "a CIDR with host bits is refused, with a suggestion" "$T/err" "did you mean 192.168.0.0/16"
run -e "load fw" -e "replay pcaps/bidir.pcap --port dmz"
expect_grep "an unknown port is named" "$T/err" "fw has no port 'dmz' \(ports: lan, wan\)"
run -e "load fw" -e "replay $T/none.pcap"
expect_grep "a missing trace is named" "$T/err" "none.pcap"
run -e "replay pcaps/bidir.pcap"
expect_grep "replay without an NF says to load one" "$T/err" "no NF loaded"
head -c 5000 pcaps/bidir.pcap >"$T/cut.pcap"
run -e "load fw" -e "replay $T/cut.pcap"
expect_rc "a truncated trace fails" 1
expect_grep "but shows what was replayed" "$T/out" "trace cut short"
expect_grep "and says where it broke" "$T/err" "cut.pcap: packet [0-9]+"

# An NF that crashes ends its command with an error, never the shell.
cat >"$T/crash.c" <<'NF'
#include "nf.h"
static const struct nf_param crash_params[] = {
	{ "mode", "0", "0: read far outside the packet, 1: endless recursion, 2: fault in nf_init" },
	{ NULL, NULL, NULL },
};
NF_DESCRIPTOR("crash", "crashes on purpose", NF_PORTS("lan", "wan"), crash_params);
struct crash { int mode; };
static int deep(volatile int n) { volatile char b[4096]; b[0] = (char)n; return n ? deep(n + 1) + b[0] : 0; }
void *nf_init(struct nf_env *env)
{
	struct crash *c = nf_alloc(env, sizeof *c);
	c->mode = (int)nf_config_uint(env, "mode", 0, 2);
	if (c->mode == 2)
		*(volatile int *)(c->mode * 8) = 1;
	return nf_env_ok(env) ? c : NULL;
}
int nf_process(void *st, uint16_t port, uint8_t *pkt, uint16_t len, uint64_t now)
{
	struct crash *c = st;
	return c->mode == 1 ? deep(1) : pkt[len + (1 << 28)];
}
NF
export BATON_CACHE="$T/cache"
run -e "load $T/crash.c" -e "replay pcaps/bidir.pcap" -e "set mode=1" -e "replay pcaps/bidir.pcap" \
	-e "set mode=2" -e "lua print(baton.load('$T/crash.c'):replay('pcaps/bidir.pcap'))" -e "echo alive"
expect_rc "a crashing NF fails its commands" 1
expect_grep "a fault in nf_process is an error naming the packet" "$T/err" \
	"crash crashed \(Segmentation fault\) on packet 1 of pcaps/bidir.pcap"
[ "$(grep -c 'crash crashed' "$T/err")" -ge 2 ] && ok "so is a stack overflow" ||
	not_ok "so is a stack overflow" "$(cat "$T/err")"
expect_grep "a fault in nf_init refuses the value" "$T/err" "nf_init crashed \(Segmentation fault\)"
expect_grep "Lua gets nil and the message" "$T/out" "^nil	crash crashed"
expect_grep "and the shell goes on" "$T/out" "^alive$"
unset BATON_CACHE
