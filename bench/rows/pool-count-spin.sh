# pool-count-spin — AF_XDP pool, count handler, spinning.
ROW_NAME=pool-count-spin
ROW_DESC="AF_XDP pool, count handler, spinning"
ROW_ORDER=62
# NAPI stays in the generator's softirq on CPU0, the worker alone on CPU1: sharing CPU1
# with a threaded NAPI makes them take turns by time slice and overflow the rings.
ROW_NAPI=0
POOL_ARGS="--handler count --wait spin"
ROW_EXPECT="vs:peer-xdpsock-rxdrop>=1.0 vs:peer-libxdp-rxdrop>=1.0 vs:dpdk-rxonly>=1.1"
# shellcheck source=bench/pool_row.sh
source "$ROOT/bench/pool_row.sh"
