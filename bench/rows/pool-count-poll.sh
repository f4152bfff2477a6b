# pool-count-poll — AF_XDP pool, count handler, blocking poll().
ROW_NAME=pool-count-poll
ROW_DESC="AF_XDP pool, count handler, blocking poll()"
ROW_ORDER=60
# NAPI stays in the generator's softirq on CPU0, the worker alone on CPU1: sharing CPU1
# with a threaded NAPI makes them take turns by time slice and overflow the rings.
ROW_NAPI=0
POOL_ARGS="--handler count --wait poll"
ROW_EXPECT="vs:peer-xdpsock-rxdrop-poll>=1.0 vs:peer-libxdp-rxdrop-poll>=1.0"
# shellcheck source=bench/pool_row.sh
source "$ROOT/bench/pool_row.sh"
