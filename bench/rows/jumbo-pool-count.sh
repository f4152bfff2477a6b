# jumbo-pool-count — AF_XDP pool (multi-buffer: XDP_USE_SG), count handler, spinning, at
# MTU 9000, at 1518 and 9018 bytes (the xsk engine; a 9014-byte frame reaches the pool as a
# chain of 3 descriptors in 4096-byte UMEM frames). Placement as pool-count-spin.
# shellcheck shell=bash disable=SC2034 # ROW_* and POOL_* are read by bench/run.sh and pool_row.sh
ROW_NAME=jumbo-pool-count
ROW_DESC="AF_XDP pool (multi-buffer), count handler, spinning, MTU 9000"
ROW_ORDER=92
ROW_SIZES="1518 9018"
ROW_QUICK_SIZES="9018"
ROW_NAPI=0
POOL_ARGS="--handler count --wait spin"
# shellcheck source=bench/pool_row.sh
source "$ROOT/bench/pool_row.sh"
row_setup() {
	ip -n "$TE_NS_GEN" link set dev "$TE_GEN_IF" mtu 9000 &&
		ip -n "$TE_NS_DUT" link set dev "$TE_DUT_IF" mtu 9000
}
row_gen_args() { echo "--engine xsk"; }
row_teardown() {
	ip -n "$TE_NS_DUT" link set dev "$TE_DUT_IF" mtu 1500 &&
		ip -n "$TE_NS_GEN" link set dev "$TE_GEN_IF" mtu 1500
}
