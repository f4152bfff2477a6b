#!/bin/bash
# demo.sh — `make demo`: the gate on a veth in a throwaway testenv, with live counters.
# Sets up gen/dut namespaces, attaches xdpgate to dut0 with a small rule set, sends ~10 s
# of bounded ping and generator traffic from gen, shows `xdpgate stats` each second, then
# the per-rule counters, detaches and tears everything down, on every exit path (Ctrl-C too).
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
	rm -f "${rules:-}"
	te_cleanup_trap
	return $rc
}

te_setup --peer-napi # the tx rule bounces frames back: gen0 needs NAPI to take them
trap demo_cleanup EXIT
trap 'demo_cleanup; exit 130' INT
trap 'demo_cleanup; exit 143' TERM

echo "== testenv $TE_NAME: $TE_NS_GEN/$TE_GEN_IF ($TE_GEN_IP4) <-> $TE_NS_DUT/$TE_DUT_IF ($TE_DUT_IP4)"
rules=$(mktemp /tmp/xdpgate-demo-XXXXXX.rules)
cat >"$rules" <<'RULES'
# the demo's rule set: ICMP passes, UDP to port 9 is dropped, UDP to 5000 bounces back
pass proto icmp
drop proto udp dport 9
tx proto udp dport 5000
default pass
RULES
echo "== rules:"
sed 's/^/   /' "$rules"
echo "== xdpgate attach $TE_DUT_IF --mode native --rules $rules"
te_dut "$XDPGATE" attach "$TE_DUT_IF" --mode native --rules "$rules"
attached=1

# Bounded in count and in time: 1000 pings at 100/s, and the generator at 20,000 frames/s
# to port 9 (dropped) and 5,000/s to port 5000 (bounced), each for 10 s under a timeout.
# nsenter execs timeout, so $! is timeout itself and killing it stops the traffic behind it.
gen_ns=(nsenter --net="/run/netns/$TE_NS_GEN" --)
"${gen_ns[@]}" timeout 15 ping -q -i 0.01 -c 1000 -W 1 "$TE_DUT_IP4" >/dev/null 2>&1 &
traffic_pids+=($!)
"${gen_ns[@]}" timeout 15 "$XDPGATE" gen "$TE_GEN_IF" --dst "$TE_DUT_IP4" --dst-mac "$TE_DUT_MAC" \
	--dport 9 --rate 20000 --duration 10 --flows 16 >/dev/null 2>&1 &
traffic_pids+=($!)
"${gen_ns[@]}" timeout 15 "$XDPGATE" gen "$TE_GEN_IF" --dst "$TE_DUT_IP4" --dst-mac "$TE_DUT_MAC" \
	--dport 5000 --rate 5000 --duration 10 >/dev/null 2>&1 &
traffic_pids+=($!)

echo "== xdpgate stats $TE_DUT_IF --interval 1 --count 10"
te_dut "$XDPGATE" stats "$TE_DUT_IF" --interval 1 --count 10
echo "== xdpgate rules list $TE_DUT_IF"
te_dut "$XDPGATE" rules list "$TE_DUT_IF"
echo "== xdpgate detach $TE_DUT_IF"
attached=0
te_dut "$XDPGATE" detach "$TE_DUT_IF"
echo "== done"
