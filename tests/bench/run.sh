#!/bin/sh
# make bench: the performance figures of DESIGN.md section 11 that exist so far, measured in one
# run and printed as a table; nothing is asserted (the machines are shared and noisy).
BATON=${BATON:-./baton}
T=$(mktemp -d "${TMPROOT:-/tmp}/bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
TOEPLITZ_BENCH=${TOEPLITZ_BENCH:-build/tests/bench/toeplitz}
if [ -x "$TOEPLITZ_BENCH" ]; then
	"$TOEPLITZ_BENCH"
else
	echo "toeplitz: skipped ($TOEPLITZ_BENCH not built; make bench builds it)"
fi
echo
echo "rss key solving (target: < 20 ms per NF and field set; ms, best of 5, engine time as Lua sees it)"
printf '%-8s %11s %9s %9s %9s %9s %6s\n' NF constraints solve 'worst set' check full '/24s'
nfs=$(for f in nfs/*.c; do basename "$f" .c; done)
BATON_CACHE="$T/rss" "$BATON" tests/bench/rss.lua $nfs 2>/dev/null
echo
echo "analysis (target: < 1 s each, nop < 0.2 s; cold = bitcode compiled now, warm = cached)"
printf '%-8s %6s %9s %9s %9s %9s\n' NF paths seconds compile checks 'by Z3'
for f in nfs/*.c; do
	nf=$(basename "$f" .c)
	printf 'cold '
	BATON_CACHE="$T/$nf" "$BATON" tests/bench/analysis.lua "$nf" 2>/dev/null
	printf 'warm '
	BATON_CACHE="$T/$nf" "$BATON" tests/bench/analysis.lua "$nf" 2>/dev/null
done
echo
echo "check throughput (target: >= 5 Mpps on one core; 64 B bidir traces, 4 cores, best of 3)"
printf '%-8s %8s %9s %9s %9s %9s %10s\n' NF flows packets check replay /target 'bad pkts'
for flows in 1000 10000 100000; do
	"$BATON" -e "pcap gen bidir --flows $flows --packets 2M --size 64 -o $T/check-$flows.pcap" >/dev/null
	for nf in fw nat; do
		BATON_CACHE="$T/check" "$BATON" tests/bench/check.lua "$nf" "$T/check-$flows.pcap" "$flows" 2>/dev/null
	done
	rm -f "$T/check-$flows.pcap"
done
echo
echo "emitted builds on net_null, 64 B, read-mostly (Mpps, best of 3 runs of 2 s; targets:"
echo "sn1/seq >= 0.95, sn2/sn1 >= 1.8 on 2 CPUs, locks/sn >= 0.8)"
printf '%-6s %7s %7s %7s %7s %7s | %6s %6s %6s %6s\n' NF seq sn1 sn2 locks1 locks2 sn1/seq sn2/sn1 lk1/sn1 lk2/sn2
more=""
[ "$(nproc)" -ge 16 ] && more="4 8 14"
for nf in fw pol; do
	"$BATON" tests/bench/launch.lua "$nf" 2 $more 2>/dev/null || echo "$nf: failed"
done
