#!/bin/sh
# The expected analysis of every bundled NF (tests/analysis/NF.expect): its state objects, which
# nf_process writes, and each access's key bytes as packet fields per input port. A change in
# an NF or in the executor that changes them fails here; after checking the new model by eye,
# BATON_REGEN=1 sh tests/e2e/analysis_expect.sh rewrites the files.
. tests/e2e-lib.sh

for f in tests/analysis/*.expect; do
	nf=$(basename "$f" .expect)
	run tests/analysis/model.lua "$nf"
	expect_data "analysis of $nf" "$f"
done

# The points the issue names, checked by pattern, so a wrong golden file cannot hide them.
has() { grep -qF -- "$2" "tests/analysis/$1.expect"; }
check() { if has "$1" "$2"; then ok "$1: $2"; else not_ok "$1: $2" "not in tests/analysis/$1.expect"; fi; }
check fw "access flows lan write map_put ipv4.src[0] ipv4.src[1] ipv4.src[2] ipv4.src[3] ipv4.dst[0] ipv4.dst[1] ipv4.dst[2] ipv4.dst[3] l4.sport[0] l4.sport[1] l4.dport[0] l4.dport[1] ipv4.proto"
check fw "access flows wan read map_get ipv4.dst[0] ipv4.dst[1] ipv4.dst[2] ipv4.dst[3] ipv4.src[0] ipv4.src[1] ipv4.src[2] ipv4.src[3] l4.dport[0] l4.dport[1] l4.sport[0] l4.sport[1] ipv4.proto"
check bridge "access macs lan write map_put eth.src[0] eth.src[1] eth.src[2] eth.src[3] eth.src[4] eth.src[5]"
check bridge "access macs wan read map_get eth.dst[0] eth.dst[1] eth.dst[2] eth.dst[3] eth.dst[4] eth.dst[5]"
check pol "access dsts wan read map_get ipv4.dst[0] ipv4.dst[1] ipv4.dst[2] ipv4.dst[3]"
check psd "access sources wan read map_get ipv4.src[0] ipv4.src[1] ipv4.src[2] ipv4.src[3]"
check cl "access clients wan read sketch_fetch ipv4.src[0] ipv4.src[1] ipv4.src[2] ipv4.src[3] ipv4.dst[0] ipv4.dst[1] ipv4.dst[2] ipv4.dst[3]"
check hhh "access p28 wan read map_get ipv4.src[0] ipv4.src[1] ipv4.src[2] ipv4.src[3]&0xf0"
check hhh "access p24 wan read map_get ipv4.src[0] ipv4.src[1] ipv4.src[2] 0x00"
check sbridge "object table map r"
check nat "access entries wan read vector_get l4.dport[1] derived:"
if [ -s tests/analysis/nop.expect ]; then not_ok "nop has no state" "$(cat tests/analysis/nop.expect)"; else ok "nop has no state"; fi
# nat's wan path: the record read from state is compared with the packet's source.
run -e 'load nat' -e analyze -e 'show paths'
expect_grep "nat: a wan path compares entries' record with ipv4.src" "$T/out" 'port=wan.*entries\.get#[0-9]+\.[0-9]+\)=bswap\(ipv4\.src\)'
expect_grep "nat: and with l4.sport" "$T/out" 'port=wan.*entries\.get#[0-9]+\.[0-9]+\)=bswap\(l4\.sport\)'
