#!/bin/sh
# Checks that every library and tool baton builds with is present; when one is missing,
# installs the Debian packages of DESIGN.md section 2 by name (as root), or prints the exact
# command to run with sudo and fails. Usage: mk/deps.sh [--check]
set -u
PKGS="dpdk-dev libdpdk-dev libnuma-dev pkg-config clang-14 llvm-14-dev libz3-dev liblua5.4-dev libreadline-dev libncurses-dev libpcap-dev tmux"

missing() {
	command -v pkg-config >/dev/null 2>&1 || { echo pkg-config; return; }
	for m in lua5.4 readline ncursesw libpcap z3 libdpdk numa; do
		pkg-config --exists "$m" || echo "$m"
	done
	command -v llvm-config-14 >/dev/null 2>&1 || echo llvm-config-14
	command -v clang-14 >/dev/null 2>&1 || echo clang-14
	# tmux drives the view tests (a terminal without a terminal).
	command -v tmux >/dev/null 2>&1 || echo tmux
}

m=$(missing | tr '\n' ' ')
[ -z "$m" ] && exit 0
[ "${1:-}" = "--check" ] && { echo "missing: $m"; exit 1; }
echo "baton: missing $m"
if [ "$(id -u)" -ne 0 ]; then
	echo "baton: not root; run this, then make again:"
	echo "  sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $PKGS'"
	exit 1
fi
echo "baton: installing the Debian packages: $PKGS"
apt-get update || exit 1
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $PKGS || exit 1
m=$(missing | tr '\n' ' ')
[ -z "$m" ] || { echo "baton: still missing after install: $m"; exit 1; }
