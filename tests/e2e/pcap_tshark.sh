#!/bin/sh
# Compares `pcap info FILE` (engine/tstat.c) with what tshark computes, on every real trace in
# ../shared/pcaps/ (PCAPS overrides). One TAP line per comparison. Run from the repository root:
#   sh tests/e2e/pcap_tshark.sh          (BATON=path to the binary, default ./baton)
#   TSHARK_ONLY=1 sh tests/e2e/pcap_tshark.sh   prints tshark's side only (no baton needed)
#
# How tshark's numbers are made to mean what baton's do (engine/tstat.h has baton's definitions):
# - packets: frames tshark reads (every record, as baton counts them).
# - ipv4, ipv6: frames whose first protocol after eth:ethertype (and any vlan:ethertype) in
#   frame.protocols is ip or ipv6 (tshark's -Y ip would also count IP inside ICMP errors).
# - tcp, udp: IP frames whose next protocol after ip/ipv6 and the IPv6 extension headers
#   (ipv6.hopopts, ipv6.routing, ipv6.dstopts, ipv6.fraghdr) is tcp or udp.
# - ip_pairs: IPv4 plus IPv6 conversations of tshark's own `-z conv,ip` and `-z conv,ipv6`.
# - five_tuples: distinct (outer src, outer dst, protocol, ports) over IP frames, ports from the
#   outer TCP/UDP header (first occurrence), none otherwise; the protocol is tshark's name for
#   the layer after IP, so distinct unknown protocols would merge (none in the shared traces).
# - conversations: those tuples with each one and its reverse counted once; bidir_conversations:
#   conversations seen both ways. (tshark's -z conv,tcp/udp leave out ICMP, IGMP and the like,
#   which baton counts, so they are not used here.)
# Frames with truncated headers or IP fragments would be counted differently (tshark reassembles
# fragments); the shared traces have none, and baton's truncated and fragments fields say so.

BATON=${BATON:-./baton}
PCAPS=${PCAPS:-../shared/pcaps}
fails=0

if [ ! -d "$PCAPS" ]; then
	echo "ok - pcap_tshark # SKIP $PCAPS is absent (the shared real traces are not here)"
	exit 0
fi
if ! command -v tshark >/dev/null 2>&1; then
	echo "ok - pcap_tshark # SKIP tshark is not installed"
	exit 0
fi
if [ -z "$TSHARK_ONLY" ] && [ ! -x "$BATON" ]; then
	echo "not ok - pcap_tshark: $BATON is not an executable (build it, or set BATON)"
	exit 1
fi

# Integer field $1 of the one-line JSON object in $2 (flat object of plain values).
json_int() {
	printf '%s\n' "$2" | sed -n "s/.*\"$1\":\\([0-9][0-9]*\\).*/\\1/p"
}

# Prints "name value" lines computed from tshark's fields of file $1.
tshark_counts() {
	tshark -r "$1" -T fields -E occurrence=f -E separator=/t \
		-e frame.protocols -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst \
		-e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport 2>/dev/null |
	awk -F '\t' '
	{
		packets++
		n = split($1, p, ":")
		i = 1
		while (i + 1 <= n && (p[i] == "eth" || p[i] == "vlan") && p[i + 1] == "ethertype")
			i += 2
		if (p[i] == "ip") { ipv4++; src = $2; dst = $3 }
		else if (p[i] == "ipv6") { ipv6++; src = $4; dst = $5 }
		else next
		i++
		while (i <= n && p[i] ~ /^ipv6\.(hopopts|routing|dstopts|fraghdr)$/)
			i++
		proto = (i <= n) ? p[i] : "none"
		sp = 0; dp = 0
		if (proto == "tcp") { tcp++; sp = $6; dp = $7 }
		else if (proto == "udp") { udp++; sp = $8; dp = $9 }
		pair = (src < dst) ? src " " dst : dst " " src
		if (!(pair in pairs)) { pairs[pair] = 1; npairs++ }
		fwd = proto " " src " " sp " " dst " " dp
		rev = proto " " dst " " dp " " src " " sp
		if (!(fwd in tuples)) { tuples[fwd] = 1; ntuples++ }
		if (fwd == rev) bits = 3
		else if (fwd < rev) bits = 1
		else { bits = 2; fwd = rev }
		if (!(fwd in conv)) { conv[fwd] = 0; nconv++ }
		conv[fwd] = or_bits(conv[fwd], bits)
	}
	function or_bits(a, b) {
		# awk has no bitwise or in POSIX; two flags are enough to spell out
		return (a == 3 || b == 3 || (a == 1 && b == 2) || (a == 2 && b == 1)) ? 3 : \
			(a > b ? a : b)
	}
	END {
		for (k in conv) if (conv[k] == 3) bidir++
		printf "packets %d\nipv4 %d\nipv6 %d\ntcp %d\nudp %d\n", packets, ipv4, ipv6, tcp, udp
		printf "five_tuples %d\nconversations %d\nbidir_conversations %d\n", ntuples, nconv, bidir
		printf "awk_ip_pairs %d\n", npairs
	}'
	# tshark's own conversation tables for the IP pairs.
	v4=$(tshark -r "$1" -q -z conv,ip 2>/dev/null | grep -c '<->')
	v6=$(tshark -r "$1" -q -z conv,ipv6 2>/dev/null | grep -c '<->')
	echo "ip_pairs $((v4 + v6))"
}

for f in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
	[ -f "$f" ] || continue
	name=$(basename "$f")
	name=${name%.*}
	counts=$(tshark_counts "$f")
	if [ -n "$TSHARK_ONLY" ]; then
		printf '%s\n' "$counts" | sed "s/^/# $name tshark: /"
		continue
	fi
	json=$("$BATON" --json -e "pcap info $f" 2>/dev/null | grep '^{' | tail -n 1)
	if [ -z "$json" ]; then
		echo "not ok - pcap_tshark: $name: no JSON from $BATON --json -e \"pcap info $f\""
		fails=$((fails + 1))
		continue
	fi
	for field in packets ipv4 ipv6 tcp udp five_tuples conversations bidir_conversations \
	    ip_pairs; do
		want=$(printf '%s\n' "$counts" | sed -n "s/^$field //p")
		got=$(json_int "$field" "$json")
		if [ -n "$got" ] && [ "$got" = "$want" ]; then
			echo "ok - pcap_tshark: $name $field $got"
		else
			echo "not ok - pcap_tshark: $name $field (baton ${got:-missing}, tshark $want)"
			fails=$((fails + 1))
		fi
	done
done
[ "$fails" -eq 0 ]
