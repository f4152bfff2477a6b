#!/bin/bash
# Install the Debian packages only the benchmark needs, through testenv/deps.sh (same
# idempotent, silent-when-present install): python3 (bench/benchstat.py), nftables (the
# rules-nft-* rows) and DPDK's dpdk-testpmd with the AF_XDP PMD (the dpdk-* rows).
# dpdk-testpmd is in dpdk-dev (Debian 12: DPDK 22.11), not in `dpdk`. The AF_XDP PMD is a
# plugin (pmds-23.0/librte_net_af_xdp.so) that nothing depends on, and packages go in
# without recommends: name it, and the mempool ring driver testpmd's default ops need.
set -euo pipefail
# ipset and iptables: the sets-ipset-1m row (hash:net with an iptables raw PREROUTING drop).
exec "$(dirname "$0")/../testenv/deps.sh" python3 nftables ipset iptables dpdk-dev librte-mempool-ring23 \
	librte-net-af-xdp23
