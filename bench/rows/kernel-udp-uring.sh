# kernel-udp-uring — the asynchronous model: io_uring (liburing), one multishot recvmsg drawing from
# a provided buffer ring of 4096 x 2 KiB, completions reaped in batches (bench/rx_uring.h).
# Everything else as in kernel-udp-block.sh.
# shellcheck shell=bash disable=SC2034 # ROW_* and the mode variable are read by bench/run.sh
# shellcheck source=bench/rows/kernel-udp-block.sh
source "$BENCH_DIR/rows/kernel-udp-block.sh"
ROW_NAME=kernel-udp-uring
ROW_DESC="kernel path: UDP socket, io_uring multishot recvmsg, provided buffer ring"
ROW_ORDER=77
KUDP_MODE=uring
