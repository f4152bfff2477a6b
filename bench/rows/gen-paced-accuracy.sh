# gen-paced-accuracy — the generator paced to half the bare-drop ceiling measured so far in
# this invocation, into bare drop: below saturation the generator's own sent rate and the
# DUT's count must agree within 5%. Its CPU is not saturated by design.
ROW_NAME=gen-paced-accuracy
ROW_DESC="gen --rate ceiling/2 into bare drop: gen vs DUT"
ROW_ORDER=40
ROW_GEN_SATURATED=0
ROW_EXPECT="dut_gen>=0.95 dut_gen<=1.05"

row_gen_args() { echo "--rate $((BENCH_CEILING_PPS / 2))"; }
row_start() {
	bench_bg_dut "$XG" baseline drop "$TE_DUT_IF" >/dev/null
	bench_wait_xdp "$TE_DUT_IF"
}
