# peer-libxdp-rxdrop — a peer AF_XDP receiver that needs no hand-built binary: bench/xsk_rx.c
# on dut0 queue 0, one socket behind libxdp's own default program (xsk_def_xdp_prog.o, the
# program xdpsock runs: bpf_redirect_map into the xsks map by rx queue), native XDP, copy
# mode (veth refuses zero-copy), an rxdrop loop (peek, count, refill) with xdpsock's ring
# and UMEM sizes, spinning. The peer of pool-count-spin, in its placement. Counted at the
# DUT as xsk_rx's own cumulative count (its count file). peer-libxdp-rxdrop-poll.sh sources
# this file and changes XSKRX_WAIT.
# shellcheck shell=bash disable=SC2034 # ROW_* and the mode variable are read by bench/run.sh
ROW_NAME=peer-libxdp-rxdrop
ROW_DESC="libxdp's AF_XDP program + xsk_rx rxdrop loop, spinning, copy mode"
ROW_ORDER=83
ROW_REQUIRES="build/bench/xsk_rx"
XSKRX_WAIT=spin
# As the pool rows and xdpsock's: NAPI in the sender's softirq on CPU0, the receiver alone
# on CPU1 (a spinning receiver beside a threaded NAPI kthread starves it).
ROW_NAPI=0

xskrx_file() { echo "${TMPDIR:-/tmp}/xdpgate-bench-$ROW_NAME.$$.$1"; }

row_start() {
	local f log i
	f=$(xskrx_file count)
	log=$(xskrx_file log)
	rm -f "$f"
	bench_bg_dut "$ROOT/build/bench/xsk_rx" --iface "$TE_DUT_IF" --queue 0 \
		--wait "$XSKRX_WAIT" --count-file "$f" >/dev/null 2>"$log"
	# xsk_rx writes 0 to the file once its socket is bound and libxdp's program attached.
	for ((i = 0; i < 50; i++)); do
		if [[ -s $f ]]; then
			# its first line says which mode it got (copy or zero-copy) and the program
			bench_log "$ROW_NAME: $(head -n 1 "$log")"
			bench_wait_xdp "$TE_DUT_IF"
			return
		fi
		sleep 0.1
	done
	bench_log "$ROW_NAME: xsk_rx did not start; last lines of $log:"
	tail -n 5 "$log" >&2
	return 1
}

row_counter() { cat "$(xskrx_file count)" 2>/dev/null || echo 0; }

# No `xdp off` here: xsk_rx removes libxdp's program itself when it stops, and the harness
# then checks that nothing was left on dut0 (a leftover fails the run).
row_teardown() { rm -f "$(xskrx_file count)" "$(xskrx_file count).tmp" "$(xskrx_file log)"; }
