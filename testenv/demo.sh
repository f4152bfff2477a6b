#!/bin/bash
# demo.sh — `make demo`: the gate on a veth in a throwaway testenv, with live counters.
# Sets up gen/dut namespaces, attaches xdpgate to dut0 (native, default pass), sends ~10 s
# of bounded ping and UDP traffic from gen, shows `xdpgate stats` each second, then
# `xdpgate status`, detaches and tears everything down, on every exit path (Ctrl-C too).
# XDPGATE=path overrides the binary (default build/xdpgate).
# te_setup and te_cleanup_trap take optional arguments; calling them bare is intended.
# shellcheck disable=SC2119
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
XDPGATE=${XDPGATE:-$ROOT/build/xdpgate}

if [[ ! -x $XDPGATE ]]; then
	echo "demo: $XDPGATE is missing or not executable: build it first ('make', or 'make demo')" >&2
	exit 1
fi
if ((EUID != 0)); then
	echo "demo: needs root (network namespaces and XDP)" >&2
	exit 1
fi

# shellcheck source=testenv/testenv.sh
source "$ROOT/testenv/testenv.sh"

traffic_pids=()
attached=0
cleaned=0

# Stop traffic and detach before the namespaces go: deleting a namespace would drop the
# XDP program too, but would leave libxdp's pins behind.
demo_cleanup() {
	local rc=$? p
	((cleaned)) && return $rc
	cleaned=1
	for p in "${traffic_pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	if ((attached)); then
		te_dut "$XDPGATE" detach "$TE_DUT_IF" || echo "demo: detach failed" >&2
	fi
	te_cleanup_trap
	return $rc
}

te_setup
trap demo_cleanup EXIT
trap 'demo_cleanup; exit 130' INT
trap 'demo_cleanup; exit 143' TERM

echo "== testenv $TE_NAME: $TE_NS_GEN/$TE_GEN_IF ($TE_GEN_IP4) <-> $TE_NS_DUT/$TE_DUT_IF ($TE_DUT_IP4)"
echo "== xdpgate attach $TE_DUT_IF --mode native --default pass"
te_dut "$XDPGATE" attach "$TE_DUT_IF" --mode native --default pass
attached=1

# Bounded in count and in time: 1000 pings at 100/s, and 100 UDP bursts of 50 datagrams
# 0.1 s apart, each under a 15 s timeout so nothing outlives the demo. nsenter execs
# timeout, so $! is timeout itself and killing it stops the traffic behind it.
gen_ns=(nsenter --net="/run/netns/$TE_NS_GEN" --)
"${gen_ns[@]}" timeout 15 ping -q -i 0.01 -c 1000 -W 1 "$TE_DUT_IP4" >/dev/null 2>&1 &
traffic_pids+=($!)
# shellcheck disable=SC2016 # expanded by the inner bash
"${gen_ns[@]}" timeout 15 bash -c '
	for ((b = 0; b < 100; b++)); do
		for ((i = 0; i < 50; i++)); do echo "xdpgate demo $b.$i" >"/dev/udp/$1/9"; done
		sleep 0.1
	done' _ "$TE_DUT_IP4" >/dev/null 2>&1 &
traffic_pids+=($!)

echo "== xdpgate stats $TE_DUT_IF --interval 1 --count 10"
te_dut "$XDPGATE" stats "$TE_DUT_IF" --interval 1 --count 10
echo "== xdpgate status $TE_DUT_IF"
te_dut "$XDPGATE" status "$TE_DUT_IF"
echo "== xdpgate detach $TE_DUT_IF"
attached=0
te_dut "$XDPGATE" detach "$TE_DUT_IF"
echo "== done"
