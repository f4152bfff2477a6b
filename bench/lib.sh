#!/bin/bash
# bench/lib.sh — helpers the benchmark harness (bench/run.sh) gives to row files
# (bench/rows/*.sh). Sourcing it has no side effects, so tests can call its parsers.
# shellcheck shell=bash disable=SC2154 # TE_* come from testenv.sh's te_setup
#
# For row files (see bench/README.md):
#   bench_bg_dut CMD... / bench_bg_gen CMD...
#                          start CMD in the DUT / gen namespace in the background, pinned to
#                          BENCH_DUT_CPU / BENCH_GEN_CPUS; the harness kills it after the run
#   dut_ethtool_sum FIELD [IF]   DUT veth ethtool counter rx_queue_*_FIELD summed over queues
#   dut_ethtool_xdp_packets [IF] the same for xdp_packets (the default row_counter)
#   dut_napi_threaded IF   make IF's NAPI threaded (IF needs NAPI: GRO or XDP) and pin its
#                          napi/IF-* kthreads to BENCH_DUT_CPU
#   bench_wait_xdp IF      wait until IF in the DUT namespace shows an XDP program
#   bench_log MSG          one line on stderr
# Variables: BENCH_DIR ROOT XG (build/xdpgate) BENCH_DUT_CPU BENCH_GEN_CPUS BENCH_SIZE
#   BENCH_CEILING_PPS (bare-drop median seen so far in this invocation, or a guess)
#   BENCH_PIDFILE, plus testenv's TE_* for the testbed the row runs on.

bench_log() { echo "bench: $*" >&2; }

# ethtool_sum FIELD: read `ethtool -S` text on stdin, print the sum of every per-queue
# rx_queue_<N>_<FIELD> counter (0 when there is none). Exact field match: xdp_tx must not
# also count xdp_tx_errors.
ethtool_sum() {
	awk -v f="$1" '
		{ k = $1; sub(/:$/, "", k) }
		k ~ ("^rx_queue_[0-9]+_" f "$") && $2 ~ /^[0-9]+$/ { n += $2 }
		END { printf "%.0f\n", n + 0 }'
}

dut_ethtool_sum() {
	nsenter --net="/run/netns/$TE_NS_DUT" -- ethtool -S "${2:-$TE_DUT_IF}" | ethtool_sum "$1"
}

dut_ethtool_xdp_packets() { dut_ethtool_sum xdp_packets "${1:-}"; }

_bench_bg() {
	local cpus=$1 ns=$2
	shift 2
	# taskset and nsenter both exec, so $! is the command's own PID.
	taskset -c "$cpus" nsenter --net="/run/netns/$ns" -- "$@" &
	echo "$!" >>"$BENCH_PIDFILE"
}

bench_bg_dut() { _bench_bg "$BENCH_DUT_CPU" "$TE_NS_DUT" "$@"; }
bench_bg_gen() { _bench_bg "$BENCH_GEN_CPUS" "$TE_NS_GEN" "$@"; }

# Kill every process started with bench_bg_* (TERM, then KILL after 2 s) and forget them.
bench_kill_bg() {
	local pids=() p i
	[[ -s ${BENCH_PIDFILE:-} ]] || return 0
	mapfile -t pids <"$BENCH_PIDFILE"
	: >"$BENCH_PIDFILE"
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for ((i = 0; i < 20; i++)); do
		for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && break; p=""; done
		[[ -z $p ]] && return 0
		sleep 0.1
	done
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
}

bench_wait_xdp() {
	local i
	for ((i = 0; i < 50; i++)); do
		ip -n "$TE_NS_DUT" -d link show dev "$1" 2>/dev/null | grep -q 'prog/xdp' && return 0
		sleep 0.1
	done
	bench_log "no XDP program on $1 after 5 s"
	return 1
}

dut_napi_threaded() {
	local ifc=$1 pid found=0
	ip netns exec "$TE_NS_DUT" sh -c "echo 1 > /sys/class/net/$ifc/threaded" || {
		bench_log "$ifc: cannot make NAPI threaded (no GRO and no XDP program?)"
		return 1
	}
	# Kthread names are global: another testbed's $ifc may match too; pinning it is harmless.
	for pid in $(pgrep "^napi/$ifc-"); do
		taskset -pc "$BENCH_DUT_CPU" "$pid" >/dev/null && found=1
	done
	((found)) || { bench_log "$ifc: no napi/$ifc-* kthread found"; return 1; }
}
