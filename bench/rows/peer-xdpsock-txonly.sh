# peer-xdpsock-txonly — the peer AF_XDP sender: xdpsock `-t` (txonly) on gen0 queue 0, native
# XDP, copy mode, into a bare XDP_DROP on dut0 (counted there, as every row). Runs only when
# XDPSOCK names the binary (see peer-xdpsock-rxdrop.sh). The harness always starts
# `xdpgate gen` as well: here it is paced to 1 frame/s, so xdpsock is the only real sender
# (the row's gen rate and dut_gen mean nothing). Read with gen-xsk in the same invocation.
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_NAME=peer-xdpsock-txonly
ROW_DESC="xdpsock txonly on gen0, copy mode, into bare drop (needs XDPSOCK=binary)"
ROW_ORDER=89
# shellcheck disable=SC2016 # the literal text is the skip message: "needs $XDPSOCK"
ROW_REQUIRES=${XDPSOCK:-'$XDPSOCK'}
ROW_GEN_SATURATED=0

xsk_bin() {
	[[ $XDPSOCK == */* && $XDPSOCK != /* ]] && echo "$ROOT/$XDPSOCK" || echo "$XDPSOCK"
}

row_gen_args() { echo "--rate 1"; }
row_start() {
	bench_bg_dut "$XG" baseline drop "$TE_DUT_IF" >/dev/null
	bench_wait_xdp "$TE_DUT_IF" || return 1
	# -Q: its per-second report is not the count; the DUT's XDP counter is
	bench_bg_gen "$(xsk_bin)" -i "$TE_GEN_IF" -q 0 -t -N -c -Q -s "$BENCH_SIZE" >/dev/null 2>&1
	sleep 1
}

row_teardown() {
	# xdpsock attaches to gen0 through netlink: killed before its own cleanup, it stays
	te_gen ip link set dev "$TE_GEN_IF" xdp off 2>/dev/null
	return 0
}
