# kernel-udp-busy — kernel-udp-block with no waiting call at all: recvmmsg(MSG_DONTWAIT) x64 in a loop, an empty
# socket costing one syscall that returns EAGAIN. It shares CPU1 with the NAPI kthread that
# feeds it, so the spinning takes turns with the stack under the scheduler.
# Everything else as in kernel-udp-block.sh.
# shellcheck shell=bash disable=SC2034 # ROW_* and the mode variable are read by bench/run.sh
# shellcheck source=bench/rows/kernel-udp-block.sh
source "$BENCH_DIR/rows/kernel-udp-block.sh"
ROW_NAME=kernel-udp-busy
ROW_DESC="kernel path: UDP socket, non-blocking busy loop, recvmmsg(MSG_DONTWAIT) x64, no waiting call"
ROW_ORDER=73
KUDP_MODE=busy
