# bare-drop — the ceiling: a bare XDP_DROP program on dut0. Every ratio is taken against
# this row's median (at the same frame size when it was measured there, else at 64 bytes),
# so the harness runs it first (ROW_ORDER 10). Also the frame-size sweep's reference line.
ROW_NAME=bare-drop
ROW_DESC="bare XDP_DROP on dut0 (the ceiling)"
ROW_ORDER=10
ROW_SIZES="64 128 256 512 1024 1500"
ROW_QUICK_SIZES="64 512 1500"

row_start() {
	bench_bg_dut "$XG" baseline drop "$TE_DUT_IF" >/dev/null
	bench_wait_xdp "$TE_DUT_IF"
}
