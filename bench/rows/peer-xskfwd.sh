# peer-xskfwd — a peer forwarder: bpf-examples' AF_XDP-forwarding (xsk_fwd), one thread on
# the DUT CPU forwarding between port (dut0, 0) and port (dut1, 0) over its shared buffer
# pool, counted where frames arrive (gen1's RX packets), as pool-forward. Runs only when
# XSK_FWD names the binary (built by hand outside the repo, like xdpsock). It attaches its
# own XDP program to both interfaces (libxdp), removed in row_teardown should it outlive it.
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_NAME=peer-xskfwd
ROW_DESC="xsk_fwd dut0 -> dut1, copy mode (needs XSK_FWD=binary)"
ROW_ORDER=87
# shellcheck disable=SC2016 # the literal text is the skip message: "needs $XSK_FWD"
ROW_REQUIRES=${XSK_FWD:-'$XSK_FWD'}
# a busy-polling peer: NAPI in the sender's softirq, as peer-xdpsock-rxdrop and the pool rows
ROW_NAPI=0

xskfwd_log() { echo "${TMPDIR:-/tmp}/xdpgate-bench-$ROW_NAME.$$.log"; }

row_start() {
	local log bin=$XSK_FWD
	log=$(xskfwd_log)
	[[ $bin == */* && $bin != /* ]] && bin=$ROOT/$bin
	bench_bg_dut stdbuf -oL "$bin" -i "$TE_DUT_IF" -q 0 -i "$TE_DUT_IF2" -q 0 \
		-c "$BENCH_DUT_CPU" >"$log" 2>&1
	bench_wait_xdp "$TE_DUT_IF" && return 0
	bench_log "$ROW_NAME: xsk_fwd did not attach; last lines of $log:"
	tail -n 5 "$log" >&2
	return 1
}

row_counter() { gen2_rx_packets; }

row_teardown() {
	te_dut ip link set dev "$TE_DUT_IF" xdp off 2>/dev/null
	te_dut ip link set dev "$TE_DUT_IF2" xdp off 2>/dev/null
	rm -f "$(xskfwd_log)"
	return 0
}
