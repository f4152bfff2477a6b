#!/bin/bash
# bench/lib.sh — helpers the benchmark harness (bench/run.sh) gives to row files
# (bench/rows/*.sh). Sourcing it has no side effects, so tests can call its parsers.
# shellcheck shell=bash disable=SC2154 # TE_* come from testenv.sh's te_setup
#
# For row files (see bench/README.md):
#   bench_bg_dut CMD... / bench_bg_gen CMD...
#                          start CMD in the DUT / gen namespace in the background, pinned to
#                          BENCH_DUT_CPU / BENCH_GEN_CPUS; the harness kills it after the run
#                          and counts its CPU time to that side (bench_task_jiffies)
#   dut_ethtool_sum FIELD [IF]   DUT veth ethtool counter rx_queue_*_FIELD summed over queues
#   dut_ethtool_xdp_packets [IF] the same for xdp_packets (the default row_counter)
#   dut_napi_place IF softirq|CPU   NAPI in the sender's softirq, or threaded and pinned to
#                          CPU; read back (the harness calls it for every row)
#   dut_xdp_prog_id [IF]   id of the XDP program on IF;  bpf_prog_stats ID  its run time/count
#   bench_wait_xdp IF      wait until IF in the DUT namespace shows an XDP program
#   bench_log MSG          one line on stderr
#   bench_task_jiffies dut|gen   CPU time (utime + stime, clock ticks) of that side's tasks
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

# Frames the generator's second interface (gen1) received: the far end of the forwarding
# rows (dut0 -> dut1 -> gen1), counted where they arrive.
gen2_rx_packets() {
	ip -n "$TE_NS_GEN" -j -s link show "$TE_GEN_IF2" | jq '.[0].stats64.rx.packets'
}

_bench_bg() {
	local side=$1 cpus=$2 ns=$3
	shift 3
	# taskset and nsenter both exec, so $! is the command's own PID.
	taskset -c "$cpus" nsenter --net="/run/netns/$ns" -- "$@" &
	bench_own_pid "$side" "$!"
}

# bench_own_pid dut|gen PID: the harness kills PID after the run and counts its CPU time to
# that side. For processes a row starts itself (bench_bg_* do this).
bench_own_pid() {
	echo "$2" >>"$BENCH_PIDFILE"
	echo "$2" >>"$BENCH_PIDFILE.$1"
}

bench_bg_dut() { _bench_bg dut "$BENCH_DUT_CPU" "$TE_NS_DUT" "$@"; }
bench_bg_gen() { _bench_bg gen "$BENCH_GEN_CPUS" "$TE_NS_GEN" "$@"; }

# utime + stime (clock ticks, all threads) of the PIDs in the files named, summed; tasks
# that have exited count 0. Softirq work a tick lands in while a task runs is charged to it.
_pid_jiffies() {
	local p sum=0 f
	for p in $(cat "$@" 2>/dev/null); do
		f=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		f=${f##*) } # after the comm, which may hold spaces
		read -r -a f <<<"$f"
		sum=$((sum + f[11] + f[12])) # fields 14 and 15 of proc(5), counted from state
	done
	echo "$sum"
}

# CPU time of one side's tasks: dut = what bench_bg_dut started and the DUT veths' NAPI
# kthreads (the stack and XDP when NAPI is threaded); gen = xdpgate gen and bench_bg_gen's.
bench_task_jiffies() {
	local extra=/dev/null ifc
	if [[ $1 == dut ]]; then
		extra=$BENCH_PIDFILE.napi
		for ifc in $TE_DUT_IF ${TE_DUT_IF2:-}; do pgrep "^napi/$ifc-"; done >"$extra"
	fi
	_pid_jiffies "$BENCH_PIDFILE.$1" "$extra"
}

# Kill every process started with bench_bg_* (TERM, then KILL after 2 s) and forget them.
bench_kill_bg() {
	local pids=() p i
	[[ -s ${BENCH_PIDFILE:-} ]] || return 0
	mapfile -t pids <"$BENCH_PIDFILE"
	: >"$BENCH_PIDFILE"
	: >"$BENCH_PIDFILE.dut"
	: >"$BENCH_PIDFILE.gen"
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

# NAPI placement of the DUT veth, applied and read back before every run: the file keeps
# its value until written again, so a testbed reused across rows must be set for each row.
#   dut_napi_place IF softirq   threaded=0: NAPI runs in the sender's softirq (gen CPU)
#   dut_napi_place IF CPU       threaded=1, every napi/IF-* kthread pinned to CPU
# Prints nothing on success; fails with one line when the placement does not hold.
dut_napi_place() {
	local ifc=$1 where=$2 want=1 got pid found=0 aff
	[[ $where == softirq ]] && want=0
	ip netns exec "$TE_NS_DUT" sh -c "echo $want > /sys/class/net/$ifc/threaded" || {
		bench_log "$ifc: cannot write threaded=$want (no GRO and no XDP program?)"
		return 1
	}
	got=$(ip netns exec "$TE_NS_DUT" cat "/sys/class/net/$ifc/threaded")
	[[ $got == "$want" ]] || { bench_log "$ifc: threaded reads '$got', wanted $want"; return 1; }
	((want)) || return 0
	# Kthread names are global: another testbed's $ifc may match too; pinning it is harmless.
	for pid in $(pgrep "^napi/$ifc-"); do
		taskset -pc "$where" "$pid" >/dev/null || return 1
		aff=$(taskset -pc "$pid" | sed 's/.*: //')
		[[ $aff == "$where" ]] || { bench_log "napi kthread $pid on '$aff', wanted $where"; return 1; }
		found=1
	done
	((found)) || { bench_log "$ifc: no napi/$ifc-* kthread found"; return 1; }
}

# The XDP program attached to IF in the DUT namespace (its id), or nothing.
dut_xdp_prog_id() {
	ip -n "$TE_NS_DUT" -d link show dev "${1:-$TE_DUT_IF}" 2>/dev/null |
		sed -n 's/.*prog\/xdp id \([0-9][0-9]*\).*/\1/p' | head -n 1
}

# "run_time_ns run_cnt" of a program (bpftool; kernel.bpf_stats_enabled must be 1).
bpf_prog_stats() {
	bpftool prog show id "$1" 2>/dev/null |
		awk '{ for (i = 1; i < NF; i++) { if ($i == "run_time_ns") t = $(i + 1);
			if ($i == "run_cnt") c = $(i + 1) } } END { print t + 0, c + 0 }'
}
