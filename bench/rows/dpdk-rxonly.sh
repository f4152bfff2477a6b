# dpdk-rxonly — a DPDK peer: Debian 12's dpdk-testpmd (DPDK 22.11) in rxonly mode over its
# AF_XDP PMD on dut0 (copy mode: veth has no zero-copy). The PMD loads its own XDP program
# (libxdp; the dispatcher is refused here, it falls back to a single program) and detaches
# it when testpmd exits on SIGTERM. Counted at the DUT as testpmd's own port RX-packets
# (its --stats-period report), i.e. frames the application received. testpmd reports every
# 2 s here whatever the period asks, so each report is stamped with the time it appeared
# and the counter runs on from the last two at the rate between them (a step every other
# second read 0, then two seconds' frames: DUT/gen 1.83 in the 20261202-020704 matrix).
# Both testpmd lcores are mapped onto the DUT CPU (--lcores 0@1,1@1): the main lcore only
# prints stats (every 2 s, above), the forwarding lcore busy-polls. The harness puts the threaded
# NAPI (the kernel's copy into the UMEM) on that same CPU, as for every row's DUT.
# Two always-runnable tasks on one CPU take turns by scheduler slices (a few ms), and each
# turn the kthread can deliver at most one RX ring's worth before it drops (RX-missed):
# with the PMD's default 2048 descriptors that capped rxonly at ~0.2 Mpps, with 16384 it
# measured 0.2-1.8 (median ~0.7). With NAPI left in the generator's softirq on CPU0
# (ROW_NAPI=0) it measured ~3 Mpps, the figure in TESTBED.md, but then the kernel half
# of the DUT's work is done on the generator's CPU.
# Like the pool-* rows (xdpgate's own AF_XDP workers), this row leaves NAPI in the
# generator's softirq (ROW_NAPI=0), so peer and pool are measured the same way.
# dpdk-macswap.sh and dpdk-fwd-io.sh source this file and change DPDK_MODE (and DPDK_IFS).
# shellcheck shell=bash disable=SC2034 # ROW_* and the mode variable are read by bench/run.sh
ROW_NAME=dpdk-rxonly
ROW_DESC="DPDK testpmd rxonly, AF_XDP PMD (copy mode)"
ROW_ORDER=80
ROW_REQUIRES="dpdk-testpmd"
ROW_NAPI=0
ROW_WARMUP=5 # two reports with traffic (2 s apart) before the counter's first sample
DPDK_MODE=rxonly
DPDK_IFS="" # the interfaces, an AF_XDP vdev (port) each; empty: dut0

# $$ is the harness's PID in every function of the run's subshell: one name per run.
dpdk_prefix() { echo "xgbench$$"; }
dpdk_log() { echo "${TMPDIR:-/tmp}/xdpgate-bench-$ROW_NAME.$$.log"; }
dpdk_stamps() { echo "${TMPDIR:-/tmp}/xdpgate-bench-$ROW_NAME.$$.stamps"; }
dpdk_last() { echo "${TMPDIR:-/tmp}/xdpgate-bench-$ROW_NAME.$$.last"; }

# stdin: testpmd's output; stdout: "TIME RX-PACKETS" for each port report as it appears.
dpdk_stamp_reports() {
	local line n
	while IFS= read -r line; do
		[[ $line == *RX-packets:*RX-bytes:* ]] || continue
		read -r _ n _ <<<"$line"
		echo "${EPOCHREALTIME/,/.} $n"
	done
}

# --vdev options, one port per interface of DPDK_IFS, queue 0 each.
dpdk_vdevs() {
	local i=0 ifc
	for ifc in ${DPDK_IFS:-$TE_DUT_IF}; do
		echo "--vdev" "net_af_xdp$i,iface=$ifc,start_queue=0,queue_count=1"
		i=$((i + 1))
	done
}

row_start() {
	local log i
	log=$(dpdk_log)
	: >"$log"
	rm -f "$(dpdk_last)"
	# --no-huge: no hugepages here. --no-shconf: no shared files (and no IPC socket).
	# The mbuf pool: enough for the 16384-entry RX ring plus bursts, inside -m 512
	# (testpmd's default pool wants ~340 MB).
	# stdbuf -oL: each report reaches the file when written, not a buffer at a time.
	# shellcheck disable=SC2046 # dpdk_vdevs prints option words
	bench_bg_dut stdbuf -oL dpdk-testpmd --no-huge --no-pci --no-shconf -m 512 \
		--lcores "0@$BENCH_DUT_CPU,1@$BENCH_DUT_CPU" --main-lcore 0 \
		--file-prefix "$(dpdk_prefix)" \
		$(dpdk_vdevs) -- \
		--forward-mode="$DPDK_MODE" --stats-period 1 --nb-cores=1 --rxq=1 --txq=1 \
		--rxd=16384 --txd=1024 --total-num-mbufs=65536 >"$log" 2>&1
	# the stamper ends with testpmd (tail --pid); it reads a line every 2 s
	tail --pid="$!" -F -n +1 "$log" 2>/dev/null | dpdk_stamp_reports >"$(dpdk_stamps)" &
	# The first stats report means the port is started and forwarding.
	for ((i = 0; i < 100; i++)); do
		grep -q 'RX-packets:' "$log" && bench_wait_xdp "$TE_DUT_IF" && return 0
		sleep 0.1
	done
	bench_log "$ROW_NAME: testpmd did not start; last lines of $log:"
	tail -n 5 "$log" >&2
	return 1
}

# The newest report's count, run on at the rate between the last two reports for the time
# since the newest, at most one report period, and never below what it printed last (a
# rate that fell would otherwise pull the next report's count back under an estimate).
row_counter() {
	local -a s=()
	local n last=0
	mapfile -t s 2>/dev/null <"$(dpdk_stamps)"
	read -r last 2>/dev/null <"$(dpdk_last)"
	if ((${#s[@]} == 0)); then
		n=0
	elif ((${#s[@]} == 1)); then
		n=${s[0]#* }
	else
		n=$(awk -v a="${s[-2]}" -v b="${s[-1]}" -v now="${EPOCHREALTIME/,/.}" 'BEGIN {
			split(a, p, " "); split(b, q, " ")
			dt = q[1] - p[1]; el = now - q[1]
			if (el > dt) el = dt
			printf "%d\n", q[2] + (dt > 0 ? (q[2] - p[2]) * el / dt : 0)
		}')
	fi
	((n > ${last:-0})) || n=${last:-0}
	echo "$n" >"$(dpdk_last)"
	echo "$n"
}

row_teardown() {
	# testpmd detaches its XDP program on SIGTERM; if it had to be killed, the netlink
	# attachment would outlive it.
	local ifc
	for ifc in ${DPDK_IFS:-$TE_DUT_IF}; do
		te_dut ip link set dev "$ifc" xdp off 2>/dev/null
	done
	rm -rf "/var/run/dpdk/$(dpdk_prefix)"
	rmdir /var/run/dpdk 2>/dev/null
	rm -f "$(dpdk_log)" "$(dpdk_stamps)" "$(dpdk_last)"
	return 0
}
