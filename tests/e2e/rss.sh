#!/bin/sh
# RSS through the shell (engine/rss.c): solving keys for every bundled NF and checking them,
# field-set recommendations, keys the user types (errors and counterexamples), hashes, RETAs.
. tests/e2e-lib.sh
KEY6D=$(printf '6d5a%.0s' $(seq 26))	# the symmetric key 0x6d5a repeated, 52 bytes

# The issue's "done when": fw on an i40e with 8 cores.
run -e 'load fw' -e analyze -e 'rss solve --cores 8 --nic i40e' -e 'rss check'
expect_rc "fw: solve on i40e and check" 0
expect_grep "fw: i40e keys and RETA" "$T/out" '^RSS on i40e: 52-byte keys, 512-entry RETA, 8 cores$'
expect_grep "fw: the check is satisfied" "$T/out" '^satisfied: all 3 constraints hold'
expect_grep "fw: the symmetric constraint holds" "$T/out" '^  2\. holds lan\.ipv4\.src = wan\.ipv4\.dst'
expect_grep "fw: the 4-tuple reaches full quality" "$T/out" '^full quality: yes'

# Every bundled NF: the solved configuration passes rss check.
for f in nfs/*.c; do
	nf=$(basename "$f" .c)
	run -e "load $nf" -e analyze -e 'rss solve --cores 4' -e 'rss check'
	expect_rc "$nf: rss solve then rss check succeed" 0
	if grep -q '^verdict: locks' "$T/out"; then
		expect_grep "$nf: locks, nothing to keep" "$T/out" 'the verdict is locks: no constraint'
	else
		expect_grep "$nf: check satisfied" "$T/out" '^(satisfied: all|no constraint)'
	fi
done

# fw's symmetry, seen through rss hash: a flow and its reply reach one core.
run -e 'load fw' -e analyze -e 'rss solve --cores 16 --seed 7' \
	-e 'rss hash lan 10.1.2.3 192.168.7.9 40000 443' -e 'rss hash wan 192.168.7.9 10.1.2.3 443 40000' \
	-e 'rss hash lan 172.16.0.1 8.8.8.8 5353 53' -e 'rss hash wan 8.8.8.8 172.16.0.1 53 5353'
expect_rc "fw: hashes" 0
grep -o 'core [0-9]*$' "$T/out" >"$T/cores"
if [ "$(sed -n 1p "$T/cores")" = "$(sed -n 2p "$T/cores")" ] && \
   [ "$(sed -n 3p "$T/cores")" = "$(sed -n 4p "$T/cores")" ] && [ "$(wc -l <"$T/cores")" -eq 4 ]; then
	ok "fw: both directions of a flow reach one core"
else
	not_ok "fw: both directions of a flow reach one core" "$(cat "$T/cores")"
fi

# pol and psd: the 4-tuple cannot reach full quality; a single-address field set can.
for nf in pol psd; do
	if [ $nf = pol ]; then f=l3-dst-only; l=d; else f=l3-src-only; l=s; fi
	run -e "load $nf" -e analyze -e 'rss fieldsets'
	expect_rc "$nf: rss fieldsets" 0
	expect_grep "$nf: the 4-tuple is not full quality" "$T/out" '^    sdfn +ok +[0-9]+ +[0-9]+/[0-9]+ +no .* ipv4-tcp,ipv4-udp$'
	expect_grep "$nf: $f alone is full quality" "$T/out" "^  . $l +ok +[0-9]+ +[0-9]+/[0-9]+ +yes .* ipv4,$f\$"
	expect_grep "$nf: the recommendation uses $f and says why" "$T/out" \
		"^recommended: .*$f.*full quality.*With the 4-tuple the key must ignore"
	expect_grep "$nf: how to use it" "$T/out" "^use it: rss solve .*--fields wan=ipv4,$f"
	run --json -e "load $nf" -e analyze -e 'rss fieldsets'
	python3 - "$T/out" "$l" >"$T/py" 2>&1 <<'PY'
import json, sys
v = json.loads(open(sys.argv[1]).read().splitlines()[-1])
c = {x["letters"]: x for x in v["candidates"]}
assert c["sdfn"]["satisfiable"] and not c["sdfn"]["full"], c["sdfn"]
assert c[sys.argv[2]]["full"], c[sys.argv[2]]
assert c[sys.argv[2]]["imbalance_subnet"] < c["sdfn"]["imbalance_subnet"], v
assert v["recommended"].endswith("l3-%s-only" % ("dst" if sys.argv[2] == "d" else "src")), v
PY
	if [ $? -eq 0 ]; then ok "$nf: fieldsets --json agrees"; else not_ok "$nf: fieldsets --json agrees" "$(cat "$T/py")"; fi
	run -e "load $nf" -e analyze -e "rss solve --fields wan=ipv4,$f" -e 'rss check'
	expect_rc "$nf: solving with wan=$f" 0
	expect_grep "$nf: full quality with $f" "$T/out" '^full quality: yes'
done
run -e 'load hhh' -e analyze -e 'rss fieldsets'
expect_grep "hhh: no field set reaches full quality, and why" "$T/out" \
	'^recommended: .*no field set reaches full quality.*after a prefix'

# A wrong key typed by the user: a counterexample, checked against the constraint by rss hash.
run --json -e 'load pol' -e analyze -e "rss set all key $KEY6D" -e 'rss check'
expect_rc "pol with the 6d5a key: rss check fails" 1
python3 - "$T/out" >"$T/py" 2>&1 <<'PY'
import json, sys
v = [json.loads(l) for l in open(sys.argv[1]) if '"satisfied"' in l][-1]
assert not v["satisfied"], v
k = v["constraints"][0]
assert not k["holds"] and k["text"] == "wan: same ipv4.dst", k
p, q = k["counterexample"]
assert p["port"] == q["port"] == "wan" and p["dst"] == q["dst"] and p["core"] != q["core"], k
print("rss hash wan %s %s %d %d" % (p["src"], p["dst"], p["sport"], p["dport"]))
print("rss hash wan %s %s %d %d" % (q["src"], q["dst"], q["sport"], q["dport"]))
print("%d %d" % (p["core"], q["core"]))
PY
if [ $? -eq 0 ]; then
	ok "pol: the counterexample shares ipv4.dst and lands on two cores"
	run -e 'load pol' -e "rss set all key $KEY6D" -e "$(sed -n 1p "$T/py")" -e "$(sed -n 2p "$T/py")"
	got=$(grep -o 'core [0-9]*$' "$T/out" | cut -d' ' -f2 | tr '\n' ' ')
	if [ "$got" = "$(sed -n 3p "$T/py") " ]; then ok "pol: rss hash confirms the counterexample's cores"
	else not_ok "pol: rss hash confirms the counterexample's cores" "got '$got', want '$(sed -n 3p "$T/py")'"; fi
else
	not_ok "pol: the counterexample shares ipv4.dst and lands on two cores" "$(cat "$T/py")"
fi
run -e 'load pol' -e analyze -e "rss set all key $KEY6D" -e 'rss check' -e 'rss quality'
expect_grep "pol: the text names the failing constraint" "$T/out" '^  1\. FAILS wan: same ipv4\.dst$'
expect_grep "pol: two packets shown" "$T/out" '^ +tcp [0-9.]+:[0-9]+ -> [0-9.]+:[0-9]+ on wan \(core [0-9]+\)$'
expect_grep "pol: the 6d5a key's period is flagged" "$T/out" "^  warning: wan's key repeats every 16 bits"
run -e 'load nop' -e "rss set all key $(printf '00%.0s' $(seq 52))" -e 'rss quality'
expect_grep "an all-zero key is flagged" "$T/out" "^  warning: lan's key is all zero where it matters"

# Keys: hex with or without colons, the profile's size, errors that say what is wrong.
run -e 'load fw' -e analyze -e 'rss solve --nic ixgbe' -e 'rss set lan key 00:11'
expect_rc "a short key fails" 1
expect_grep "the error names the expected size" "$T/err" 'the key has 2 bytes; ixgbe takes exactly 40 \(80 hex digits\)'
run -e 'load fw' -e 'rss set lan key 6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa'
expect_grep "software takes a 40-byte key for all ports at once only" "$T/err" 'set all ports at once'
run -e 'load fw' -e 'rss set all key 6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:ae:7b:30:b4:77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa' \
	-e 'rss show' -e 'rss hash lan 66.9.149.187 161.142.100.80 2794 1766' -e 'rss set all fields ipv4' \
	-e 'rss hash lan 66.9.149.187 161.142.100.80 2794 1766'
expect_rc "the Microsoft key with colons" 0
expect_grep "rss show shows it" "$T/out" '^ +key +6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:ae:7b:30:b4:77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa$'
expect_grep "rss hash: the Microsoft IPv4+TCP vector" "$T/out" '^hash 0x51ccc178 \(fields sdfn\), RETA index 376 of 512, core 0$'
expect_grep "rss hash: the Microsoft IPv4 vector" "$T/out" '^hash 0x323e8fc2 \(fields sd\)'
run -e 'load fw' -e 'rss set wan key 6d5g'
expect_grep "a bad hex digit is named" "$T/err" "'g' at column 4 is not a hex digit"
run -e 'load fw' -e 'rss set wan key 6d5'
expect_grep "an odd digit count is refused" "$T/err" 'odd number'
run -e 'load fw' -e 'rss set wan fields sdfq'
expect_grep "an unknown field set word is named" "$T/err" "unknown word 'sdfq'"
run -e 'load fw' -e 'rss set wan fields sdt'
expect_grep "ethtool's t is refused by name" "$T/err" "letter 't' \(L3 protocol\)"
run -e 'load fw' -e analyze -e 'rss solve --nic ixgbe --fields l3-src-only'
expect_grep "ixgbe has no *-only modifiers" "$T/err" 'ixgbe hashes only ipv4 \(sd\) or the 4-tuple'
run -e 'load fw' -e 'rss solve'
expect_grep "solve needs an analysis" "$T/err" 'no analysis yet'
run -e 'load fw' -e analyze -e 'rss solve --nic e1000'
expect_grep "an unknown NIC lists the profiles" "$T/err" "unknown NIC profile 'e1000' \(software, generic, ixgbe"
run -e 'load fw' -e analyze -e 'rss solve --nic ice --reta-size 1024'
expect_grep "a RETA size the NIC lacks" "$T/err" 'a RETA of 1024 entries: ice takes 128, 512, 2048'
run -e 'load fw' -e analyze -e 'rss solve --nic ice --reta-size 2048 --cores 16' -e 'rss check'
expect_rc "ice with a 2048-entry RETA" 0

# RETA: round robin by default, a pattern, errors.
run -e 'load fw' -e 'rss reta'
expect_grep "rss reta: eight entries a row" "$T/out" '^     0     1     2     3     0     1     2     3$'
run -e 'load fw' -e 'rss set all reta 3,2' -e 'rss reta'
expect_grep "a RETA pattern repeats" "$T/out" '^     3     2     3     2     3     2     3     2$'
run -e 'load fw' -e 'rss set all reta 0,9'
expect_grep "a core past the last is refused" "$T/err" 'RETA entry 2: core 9, but there are 4 cores'
run -e 'load fw' -e analyze -e 'rss solve' -e 'rss set wan reta 1,0,3,2' -e 'rss check'
expect_rc "RETAs that differ between linked ports break fw" 1
expect_grep "and rss check says which constraint" "$T/out" '^  2\. FAILS lan\.ipv4\.src = wan\.ipv4\.dst'

# Profiles, JSON, and no NF.
run -e 'rss nics'
expect_grep "rss nics needs no NF: i40e" "$T/out" '^i40e +52 +128,512 +yes'
expect_grep "rss nics: software" "$T/out" '^software +16-64 +512 \(any 2\^n\)'
run -e 'rss show'
expect_grep "rss show needs an NF" "$T/err" 'no NF loaded'
run --json -e 'load fw' -e analyze -e 'rss solve --cores 8 --nic mlx5 --reta-size 64'
python3 - "$T/out" >"$T/py" 2>&1 <<'PY'
import json, sys
v = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert v["satisfied"] and v["satisfiable"] and v["nic"] == "mlx5" and v["cores"] == 8, v
assert len(v["reta"]) == 64 and v["reta"][:9] == [0, 1, 2, 3, 4, 5, 6, 7, 0], v["reta"]
assert len(v["ports"]["lan"]["key"]) == 80 and v["ports"]["wan"]["letters"] == "sdfn", v["ports"]
assert v["quality"]["rank"] == 6 and set(v["quality"]["fields_reaching_reta"]) >= {"ipv4.src", "l4.dport"}
assert v["check"]["satisfied"] and all(k["holds"] for k in v["check"]["constraints"]), v["check"]
assert v["seconds"] < 5, v["seconds"]
PY
if [ $? -eq 0 ]; then ok "rss solve --json has DESIGN.md section 9's fields"; else not_ok "rss solve --json has DESIGN.md section 9's fields" "$(cat "$T/py")"; fi
