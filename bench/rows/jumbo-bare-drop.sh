# jumbo-bare-drop — the frags-aware bare XDP_DROP on dut0 at MTU 9000 (gen0 and dut0), at
# 1518 and 9018 bytes (FCS counted; the xsk engine, which sends a 9000-byte frame as a chain
# of 5 descriptors): the jumbo rows' ceiling. docs/jumbo-frames.md.
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_NAME=jumbo-bare-drop
ROW_DESC="bare XDP_DROP (frags-aware) on dut0 at MTU 9000"
ROW_ORDER=90
ROW_SIZES="1518 9018"
ROW_QUICK_SIZES="9018"

row_setup() {
	ip -n "$TE_NS_GEN" link set dev "$TE_GEN_IF" mtu 9000 &&
		ip -n "$TE_NS_DUT" link set dev "$TE_DUT_IF" mtu 9000
}
row_start() {
	bench_bg_dut "$XG" baseline drop "$TE_DUT_IF" >/dev/null
	bench_wait_xdp "$TE_DUT_IF"
}
row_gen_args() { echo "--engine xsk"; }
# the bed is shared by the rows after this one: back to 1500
row_teardown() {
	ip -n "$TE_NS_DUT" link set dev "$TE_DUT_IF" mtu 1500 &&
		ip -n "$TE_NS_GEN" link set dev "$TE_GEN_IF" mtu 1500
}
