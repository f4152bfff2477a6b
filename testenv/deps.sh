#!/bin/bash
# Install the Debian packages xdpgate needs, by purpose:
#   testenv/deps.sh build     what plain `make` needs: the binary, the man page, the examples
#   testenv/deps.sh test      what `make test` adds: the tests, the fuzzers, the bench tools
#   testenv/deps.sh deb       what `make deb` adds: dpkg-buildpackage and lintian
#   testenv/deps.sh bench     what `make bench` adds: the peers it measures against
# Several lists combine (`deps.sh build test`); no list means build and test (what `make
# test`, `make demo` and .ci/run need). Any other word is a package to install as well.
# Idempotent and silent when everything is present, so make can always call it.
set -euo pipefail

BUILD=(
	make gcc clang llvm libbpf-dev libxdp-dev bpftool libelf-dev zlib1g-dev pkg-config
	libpcap-dev libinih-dev libmicrohttpd-dev libcap-dev libjansson-dev libncurses-dev
	scdoc # docs/xdpgate.8.scd -> build/xdpgate.8
)
TEST=(
	libcmocka-dev clang-format xdp-tools iproute2 iputils-ping netcat-openbsd util-linux
	procps jq tcpdump tshark gnuplot-nox ethtool python3 prometheus curl libcap2-bin tmux
	systemd # systemd-analyze verify of contrib/xdpgate@.service (no running systemd needed)
	liburing-dev # udp_rx --mode uring (bench/rx_uring.h), smoke-tested by test-bench
	libclang-rt-14-dev # libFuzzer and the sanitizer runtimes for clang (testenv/fuzz/)
	man-db # man --warnings over build/xdpgate.8 (test-docs)
	nftables # `nft`: attach's conntrack table for `ct` rules, and test-ct.sh's reference run
	nfdump # nfcapd, the IPFIX collector test-flows.sh exports to, and nfdump -r to read it
)
DEB=(debhelper dpkg-dev fakeroot lintian)
# nftables, ipset and iptables: the rules-nft-* and sets-* rows; DPDK 22.11's dpdk-testpmd
# is in dpdk-dev (not `dpdk`), and its AF_XDP PMD is a plugin nothing depends on: name it,
# and the mempool ring driver testpmd's default ops need (packages go in without
# recommends).
BENCH=(python3 nftables ipset iptables dpdk-dev librte-mempool-ring23 librte-net-af-xdp23)

PKGS=()
lists=0
for a in "$@"; do
	case $a in
	build) PKGS+=("${BUILD[@]}") lists=1 ;;
	test) PKGS+=("${TEST[@]}") lists=1 ;;
	deb) PKGS+=("${DEB[@]}") lists=1 ;;
	bench) PKGS+=("${BENCH[@]}") lists=1 ;;
	*) PKGS+=("$a") ;;
	esac
done
((lists)) || PKGS+=("${BUILD[@]}" "${TEST[@]}")

missing=()
for p in "${PKGS[@]}"; do
	# "install ok installed" is the only state that means usable; anything else
	# (absent, half-configured, removed with config left) gets (re)installed.
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$p")
done

((${#missing[@]} == 0)) && exit 0

if ((EUID != 0)); then
	echo "deps.sh: missing packages: ${missing[*]}" >&2
	echo "deps.sh: run as root (or: sudo apt-get install ${missing[*]})" >&2
	exit 1
fi

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark's postinst asks whether non-root users may capture; answer no up front so
# the install never waits on a prompt.
echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
