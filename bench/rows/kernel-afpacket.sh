# kernel-afpacket — an AF_PACKET TPACKET_V3 mmap ring on dut0 (64 x 1 MiB blocks, 10 ms block
# timeout), no XDP program: the kernel's packet-socket fast path. The frames still go up
# the DUT's stack too (UDP to a closed port), as they do for any packet-socket receiver.
# GRO on dut0 gives it NAPI; the harness moves that NAPI to CPU1, next to the receiver.
# shellcheck shell=bash disable=SC2034 # ROW_* and the mode variable are read by bench/run.sh
ROW_NAME=kernel-afpacket
ROW_DESC="kernel path: AF_PACKET TPACKET_V3 ring"
ROW_ORDER=72
ROW_REQUIRES="build/bench/afpacket_rx"
ROW_EXPECT="ratio<=0.2"

kafp_count_file() { echo "${TMPDIR:-/tmp}/xdpgate-bench-$ROW_NAME.$$.count"; }

row_setup() { te_dut ethtool -K "$TE_DUT_IF" gro on >/dev/null; }

row_start() {
	local f i
	f=$(kafp_count_file)
	rm -f "$f"
	bench_bg_dut "$ROOT/build/bench/afpacket_rx" --iface "$TE_DUT_IF" --count-file "$f" \
		>/dev/null
	# afpacket_rx writes 0 to the file once its ring is bound: then it is ready.
	for ((i = 0; i < 50; i++)); do
		[[ -s $f ]] && return 0
		sleep 0.1
	done
	bench_log "$ROW_NAME: afpacket_rx did not start"
	return 1
}

row_counter() { cat "$(kafp_count_file)" 2>/dev/null || echo 0; }

row_teardown() { rm -f "$(kafp_count_file)" "$(kafp_count_file).tmp"; }
