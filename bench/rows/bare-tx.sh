# bare-tx — a bare XDP_TX program on dut0 bounces every frame back to gen0 (which has NAPI
# through --peer-napi, so it accepts them). Counted as frames the DUT's program saw.
ROW_NAME=bare-tx
ROW_DESC="bare XDP_TX on dut0, back to gen0"
ROW_ORDER=20

row_start() {
	bench_bg_dut "$XG" baseline tx "$TE_DUT_IF" >/dev/null
	bench_wait_xdp "$TE_DUT_IF"
}
