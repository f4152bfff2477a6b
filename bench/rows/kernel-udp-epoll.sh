# kernel-udp-epoll — kernel-udp-block with epoll_wait, then recvmmsg(MSG_DONTWAIT) x64
# until EAGAIN: the event-loop server's receive path. Everything else as in that row.
# shellcheck shell=bash disable=SC2034 # ROW_* and the mode variable are read by bench/run.sh
# shellcheck source=bench/rows/kernel-udp-block.sh
source "$BENCH_DIR/rows/kernel-udp-block.sh"
ROW_NAME=kernel-udp-epoll
ROW_DESC="kernel path: UDP socket, epoll + recvmmsg x64"
ROW_ORDER=71
KUDP_MODE=epoll
