# bare-drop-paced — bare XDP_DROP at the same offered load as gate-drop-paced (0.6 of this
# run's bare-drop ceiling): the reference the gate's paced row is read against.
ROW_NAME=bare-drop-paced
ROW_DESC="bare XDP_DROP, offered 0.6 x ceiling"
ROW_ORDER=12
ROW_GEN_SATURATED=0
ROW_EXPECT="dut_gen>=0.95"

row_gen_args() { echo "--rate $((BENCH_CEILING_PPS * 6 / 10))"; }
row_start() {
	bench_bg_dut "$XG" baseline drop "$TE_DUT_IF" >/dev/null
	bench_wait_xdp "$TE_DUT_IF"
}
