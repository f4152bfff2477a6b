# peer-libxdp-rxdrop-poll — bench/xsk_rx.c behind libxdp's program, waiting in poll()
# whenever the RX ring is empty: the peer of pool-count-poll; same placement as
# peer-libxdp-rxdrop.
# shellcheck shell=bash disable=SC2034 # ROW_* and the mode variable are read by bench/run.sh
# shellcheck source=bench/rows/peer-libxdp-rxdrop.sh
source "$BENCH_DIR/rows/peer-libxdp-rxdrop.sh"
ROW_NAME=peer-libxdp-rxdrop-poll
ROW_DESC="libxdp's AF_XDP program + xsk_rx rxdrop loop, poll(), copy mode"
ROW_ORDER=84
XSKRX_WAIT=poll
