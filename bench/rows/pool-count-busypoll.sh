# pool-count-busypoll — AF_XDP pool, count handler, busy polling.
ROW_NAME=pool-count-busypoll
ROW_DESC="AF_XDP pool, count handler, busy polling"
ROW_ORDER=61
# NAPI stays in the generator's softirq on CPU0, the worker alone on CPU1: sharing CPU1
# with a threaded NAPI makes them take turns by time slice and overflow the rings.
ROW_NAPI=0
ROW_PLACEMENT_NOTE="NAPI busy-polled by the worker on its CPU"
POOL_ARGS="--handler count --wait busy-poll"
ROW_EXPECT="vs:peer-xdpsock-busypoll>=1.0"
# shellcheck source=bench/pool_row.sh
source "$ROOT/bench/pool_row.sh"
