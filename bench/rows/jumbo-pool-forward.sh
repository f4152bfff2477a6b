# jumbo-pool-forward — AF_XDP pool (multi-buffer), forward dut0 -> dut1 (shared UMEM: chains
# move by descriptor), all four ends at MTU 9000, counted at gen1, at 1518 and 9018 bytes
# (the xsk engine). Placement as pool-forward.
# shellcheck shell=bash disable=SC2034 # ROW_* and POOL_* are read by bench/run.sh and pool_row.sh
ROW_NAME=jumbo-pool-forward
ROW_DESC="AF_XDP pool (multi-buffer), forward dut0 -> dut1 at MTU 9000, counted at gen1"
ROW_ORDER=93
ROW_SIZES="1518 9018"
ROW_QUICK_SIZES="9018"
ROW_NAPI=0
POOL_ARGS="--handler forward:dut1 --wait poll"
# shellcheck source=bench/pool_row.sh
source "$ROOT/bench/pool_row.sh"
row_counter() { gen2_rx_packets; }
jumbo_mtu() {
	ip -n "$TE_NS_GEN" link set dev "$TE_GEN_IF" mtu "$1" &&
		ip -n "$TE_NS_DUT" link set dev "$TE_DUT_IF" mtu "$1" &&
		ip -n "$TE_NS_GEN" link set dev "$TE_GEN_IF2" mtu "$1" &&
		ip -n "$TE_NS_DUT" link set dev "$TE_DUT_IF2" mtu "$1"
}
row_setup() { jumbo_mtu 9000; }
row_gen_args() { echo "--engine xsk"; }
row_teardown() { jumbo_mtu 1500; }
