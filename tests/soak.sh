#!/bin/sh
# make soak: runs tests/soak.lua (a locks build under a looped churn trace, counters every
# second, accounting and mbufs checked at the stop) for SOAK_TIME seconds (default 600).
# Prints TAP lines and the summary; exits non-zero when a check fails.
# Environment: BATON (the binary), SOAK_TIME, SOAK_NF, SOAK_TRACE, SOAK_LAN.
BATON=${BATON:-./baton}
case "$BATON" in */*) ;; *) BATON=./$BATON ;; esac
SOAK_TIME=${SOAK_TIME:-600}
T=$(mktemp -d "${TMPROOT:-/tmp}/soak.XXXXXX")
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
start=$(date +%s)
BATON_HISTORY="$T/history" "$BATON" tests/soak.lua "$SOAK_TIME" "${SOAK_NF:-lb}" \
	"${SOAK_TRACE:-pcaps/churn.pcap}" "${SOAK_LAN:-128.0.0.0/1}" </dev/null
rc=$?
echo "# make soak: $(($(date +%s) - start)) s in all"
exit $rc
