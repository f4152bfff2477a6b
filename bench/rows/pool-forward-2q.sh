# pool-forward-2q — pool-forward on 2-queue veths: a worker per dut0 queue, each owning the
# shellcheck shell=bash disable=SC2034 # ROW_* and POOL_* are read by bench/run.sh and pool_row.sh
# socket on the same dut1 queue; 2 generator threads.
# shellcheck source=bench/rows/pool-forward.sh
source "$BENCH_DIR/rows/pool-forward.sh"
ROW_NAME=pool-forward-2q
ROW_DESC="AF_XDP pool, forward dut0 -> dut1, 2 queues, a worker each"
ROW_ORDER=67
ROW_QUEUES=2
ROW_GEN_THREADS=2
ROW_GEN_CPUS=0,1
POOL_CPUS=0,1
ROW_EXPECT="vs:pool-forward>=1.5"
