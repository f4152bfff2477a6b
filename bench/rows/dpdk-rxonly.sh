# dpdk-rxonly — a DPDK peer: Debian 12's dpdk-testpmd (DPDK 22.11) in rxonly mode over its
# AF_XDP PMD on dut0 (copy mode: veth has no zero-copy). The PMD loads its own XDP program
# (libxdp; the dispatcher is refused here, it falls back to a single program) and detaches
# it when testpmd exits on SIGTERM. Counted at the DUT as testpmd's own port RX-packets
# (its --stats-period 1 report), i.e. frames the application received.
# Both testpmd lcores are mapped onto the DUT CPU (--lcores 0@1,1@1): the main lcore only
# prints stats once a second, the forwarding lcore busy-polls. The harness puts the threaded
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
DPDK_MODE=rxonly
DPDK_IFS="" # the interfaces, an AF_XDP vdev (port) each; empty: dut0

# $$ is the harness's PID in every function of the run's subshell: one name per run.
dpdk_prefix() { echo "xgbench$$"; }
dpdk_log() { echo "${TMPDIR:-/tmp}/xdpgate-bench-$ROW_NAME.$$.log"; }

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
	# --no-huge: no hugepages here. --no-shconf: no shared files (and no IPC socket).
	# The mbuf pool: enough for the 16384-entry RX ring plus bursts, inside -m 512
	# (testpmd's default pool wants ~340 MB).
	# shellcheck disable=SC2046 # dpdk_vdevs prints option words
	bench_bg_dut dpdk-testpmd --no-huge --no-pci --no-shconf -m 512 \
		--lcores "0@$BENCH_DUT_CPU,1@$BENCH_DUT_CPU" --main-lcore 0 \
		--file-prefix "$(dpdk_prefix)" \
		$(dpdk_vdevs) -- \
		--forward-mode="$DPDK_MODE" --stats-period 1 --nb-cores=1 --rxq=1 --txq=1 \
		--rxd=16384 --txd=1024 --total-num-mbufs=65536 >"$log" 2>&1
	# The first stats report means the port is started and forwarding.
	for ((i = 0; i < 100; i++)); do
		grep -q 'RX-packets:' "$log" && bench_wait_xdp "$TE_DUT_IF" && return 0
		sleep 0.1
	done
	bench_log "$ROW_NAME: testpmd did not start; last lines of $log:"
	tail -n 5 "$log" >&2
	return 1
}

# The newest complete port line ("RX-packets: N  RX-missed: M  RX-bytes: B"): a line
# still being written cannot have reached RX-bytes.
row_counter() {
	local n
	n=$(grep -a 'RX-packets:.*RX-bytes:' "$(dpdk_log)" 2>/dev/null | tail -n 1 | awk '{ print $2 }')
	echo "${n:-0}"
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
	rm -f "$(dpdk_log)"
	return 0
}
