# gate-drop-paced — the gate with default drop at an offered load below saturation (0.6 of
# this run's bare-drop ceiling), against bare-drop-paced at the same load. Unpaced rows
# measure the overload regime, where a veth receiver slower than its sender collapses (the
# ring overflows and the sender frees the refused frames on its own CPU, measured: the gate
# drops from ~3.7 Mpps paced to ~2.3 unpaced); these two rows show the gate's cost where it
# keeps up. DUT/gen near 1.00 for both means neither loses frames at this load.
ROW_NAME=gate-drop-paced
ROW_DESC="xdpgate attach --default drop, offered 0.6 x ceiling"
ROW_ORDER=32
ROW_GEN_SATURATED=0
ROW_EXPECT="dut_gen>=0.95"

row_gen_args() { echo "--rate $((BENCH_CEILING_PPS * 6 / 10))"; }
row_start() { te_dut "$XG" attach "$TE_DUT_IF" --default drop >/dev/null; }
row_teardown() { te_dut "$XG" detach "$TE_DUT_IF" >/dev/null; }
