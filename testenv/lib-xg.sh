#!/bin/bash
# lib-xg.sh — helpers over the xdpgate CLI in a testenv environment, shared by the
# integration tests (testenv/test-*.sh); sourced by run-tests.sh after testenv.sh and
# lib-assert.sh. They act on the current environment's DUT (TE_* from te_setup) and use
# $XG, the binary under test, set by each test file.
# shellcheck shell=bash disable=SC2154 # TE_* come from te_setup, XG from the test file

# xdpgate ARGS in the DUT namespace.
xg() { te_dut "$XG" "$@"; }

# Where the DUT namespace's gates pin their maps: named by the namespace's inode.
pin_dir() {
	echo "/sys/fs/bpf/xdpgate/ns$(stat -L -c %i "/run/netns/$TE_NS_DUT")"
}

# The gate's verdict counter (packets) on the DUT interface, from status --json.
xg_count() {
	xg status "$TE_DUT_IF" --json | jq -r ".interfaces[0].counters.$1.packets"
}

# Frames the gate has seen (the sum of its verdict counters), on the DUT interface.
xg_rx() { xg status "$TE_DUT_IF" --json | jq -r '.interfaces[0].rx_packets'; }

# The same, by the name test-config.sh gave it.
verdict() { xg_count "$@"; }

# The live rules' texts, joined by " | ".
rule_texts() {
	xg rules list "$TE_DUT_IF" --json | jq -r '[.rules[].text] | join(" | ")'
}

# Packets of live rule N (1-based), from rules list --json.
rule_packets() {
	xg rules list "$TE_DUT_IF" --json | jq -r ".rules[$(($1 - 1))].packets"
}

# `xdpgate gen` from the generator to the DUT's first address and MAC, ARGS added.
gen() { te_gen "$XG" gen "$TE_GEN_IF" --dst "$TE_DUT_IP4" --dst-mac "$TE_DUT_MAC" "$@"; }

# The DUT's ip link output holds no XDP program: xdp_none [IFACE].
xdp_none() { ! te_dut ip -d link show "${1:-$TE_DUT_IF}" | grep -q 'prog/xdp'; }

# An XDP program is attached to the DUT interface: xdp_attached [IFACE].
xdp_attached() { te_dut ip -d link show "${1:-$TE_DUT_IF}" | grep -q 'prog/xdp'; }

# pool_sum JQ [IFACE]: a jq expression summed over the workers `run` publishes for IFACE
# (default the DUT's), as `stats --json` reads them (run publishes once a stats interval).
pool_sum() {
	xg stats "${2:-$TE_DUT_IF}" --interval 0.1 --count 1 --json | tail -n 1 |
		jq "[.pool.workers[] | $1] | add"
}

# The frames the pool's workers received on IFACE (default the DUT's).
pool_rx() { pool_sum .rx "${1:-}"; }

# Every frame the gate redirected to AF_XDP on the DUT interface is accounted for by the
# workers `run` published: received, or dropped by the kernel at the socket. What a test
# waits for before it stops a pool that was sent more than it could take.
pool_settled() {
	local redirected held
	redirected=$(xg_count xsk)
	held=$(pool_sum '.rx + .xdp_statistics.rx_dropped + .xdp_statistics.rx_ring_full')
	[[ $redirected == "$held" ]] || { echo "redirected $redirected, accounted $held"; return 1; }
}

# Both ends of the first veth pair are up (operstate UP: carrier on both sides).
links_up() {
	[[ $(te_dut ip -j link show "$TE_DUT_IF" | jq -r '.[0].operstate') == UP &&
		$(te_gen ip -j link show "$TE_GEN_IF" | jq -r '.[0].operstate') == UP ]]
}

# Process PID runs (is not stopped by a signal).
running() { [[ $(sed 's/.*) //' "/proc/$1/stat") != T* ]]; }

# pool_took N: the gate redirected N frames to AF_XDP on the DUT interface, and the pool
# accounted for each (received, or dropped by the kernel at the socket): what to wait for
# before judging a pool's counts.
pool_took() { out_eq "$1" xg_count xsk && pool_settled; }

# A TCP socket listens on PORT in the DUT namespace.
dut_listens() { te_dut ss -Hltn "sport = :$1" | grep -q .; }
