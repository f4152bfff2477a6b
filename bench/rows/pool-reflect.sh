# pool-reflect — AF_XDP pool, reflect handler (TX back out of dut0).
ROW_NAME=pool-reflect
ROW_DESC="AF_XDP pool, reflect handler (TX back out of dut0)"
ROW_ORDER=64
# NAPI stays in the generator's softirq on CPU0, the worker alone on CPU1: sharing CPU1
# with a threaded NAPI makes them take turns by time slice and overflow the rings.
ROW_NAPI=0
POOL_ARGS="--handler reflect"
# shellcheck source=bench/pool_row.sh
source "$ROOT/bench/pool_row.sh"
