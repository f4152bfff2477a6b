#!/bin/bash
# Install the Debian packages xdpgate needs to build, test, demo and benchmark, plus any
# named as arguments (bench/deps-bench.sh passes the benchmark's extras).
# Idempotent and silent when everything is present, so `make test` can always call it.
set -euo pipefail

PKGS=(
	make gcc clang llvm libbpf-dev libxdp-dev xdp-tools bpftool libelf-dev zlib1g-dev
	pkg-config libcmocka-dev libpcap-dev iproute2 iputils-ping netcat-openbsd util-linux
	procps jq tcpdump tshark gnuplot-nox clang-format ethtool python3
	libinih-dev libmicrohttpd-dev prometheus curl libcap-dev libcap2-bin
	libjansson-dev libncurses-dev tmux
	systemd # systemd-analyze verify of contrib/xdpgate@.service (no running systemd needed)
	liburing-dev # udp_rx --mode uring (bench/rx_uring.h)
	libclang-rt-14-dev # libFuzzer and the sanitizer runtimes for clang (testenv/fuzz/)
	nftables # `nft`: attach's conntrack table for `ct` rules, and test-ct.sh's reference run
)

PKGS+=("$@")
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
