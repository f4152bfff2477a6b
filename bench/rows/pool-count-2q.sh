# pool-count-2q — AF_XDP pool on a 2-queue veth, a worker per queue, 2 generator threads.
ROW_NAME=pool-count-2q
ROW_DESC="AF_XDP pool, count handler, 2 queues, a worker each"
ROW_ORDER=63
ROW_QUEUES=2
ROW_GEN_THREADS=2
ROW_GEN_CPUS=0,1
# NAPI stays in the generator's softirq on CPU0, the worker alone on CPU1: sharing CPU1
# with a threaded NAPI makes them take turns by time slice and overflow the rings.
ROW_NAPI=0
POOL_ARGS="--handler count --wait poll"
POOL_CPUS=0,1
ROW_EXPECT="vs:pool-count-poll>=1.8"
# shellcheck source=bench/pool_row.sh
source "$ROOT/bench/pool_row.sh"
