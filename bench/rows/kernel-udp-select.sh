# kernel-udp-select — kernel-udp-block with select() (100 ms timeout), then recvmmsg(MSG_DONTWAIT) x64
# until EAGAIN: the oldest readiness call.
# Everything else as in kernel-udp-block.sh.
# shellcheck shell=bash disable=SC2034 # ROW_* and the mode variable are read by bench/run.sh
# shellcheck source=bench/rows/kernel-udp-block.sh
source "$BENCH_DIR/rows/kernel-udp-block.sh"
ROW_NAME=kernel-udp-select
ROW_DESC="kernel path: UDP socket, select + recvmmsg(MSG_DONTWAIT) x64 until EAGAIN"
ROW_ORDER=74
KUDP_MODE=select
