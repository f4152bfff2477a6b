# kernel-udp-busypoll — kernel-udp-block on a socket with SO_BUSY_POLL (50 us), SO_PREFER_BUSY_POLL and a
# budget of 64: an empty receive runs dut0's NAPI poll (GRO gives the skbs its napi_id) in
# the syscall itself before it sleeps, instead of waiting for the kthread.
# Everything else as in kernel-udp-block.sh.
# shellcheck shell=bash disable=SC2034 # ROW_* and the mode variable are read by bench/run.sh
# shellcheck source=bench/rows/kernel-udp-block.sh
source "$BENCH_DIR/rows/kernel-udp-block.sh"
ROW_NAME=kernel-udp-busypoll
ROW_DESC="kernel path: UDP socket, SO_BUSY_POLL 50 us socket, blocking recvmmsg x64"
ROW_ORDER=76
KUDP_MODE=busypoll
