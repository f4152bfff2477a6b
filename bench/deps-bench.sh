#!/bin/bash
# Install the Debian packages only the benchmark needs, on top of testenv/deps.sh:
# python3 (bench/benchstat.py) and DPDK's dpdk-testpmd with the AF_XDP PMD (the dpdk-* rows).
# Idempotent and silent when everything is present, so bench/run.sh can always call it.
set -euo pipefail

# dpdk-testpmd is in dpdk-dev (Debian 12: DPDK 22.11), not in `dpdk`. The AF_XDP PMD is a
# plugin (pmds-23.0/librte_net_af_xdp.so) that nothing depends on, and we install without
# recommends: name it, and the mempool ring driver testpmd's default "ring_mp_mc" ops need.
PKGS=(
	python3 nftables dpdk-dev librte-mempool-ring23 librte-net-af-xdp23
)

missing=()
for p in "${PKGS[@]}"; do
	# "install ok installed" is the only state that means usable; anything else
	# (absent, half-configured, removed with config left) gets (re)installed.
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$p")
done

((${#missing[@]} == 0)) && exit 0

if ((EUID != 0)); then
	echo "deps-bench.sh: missing packages: ${missing[*]}" >&2
	echo "deps-bench.sh: run as root (or: sudo apt-get install ${missing[*]})" >&2
	exit 1
fi

echo "deps-bench.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
