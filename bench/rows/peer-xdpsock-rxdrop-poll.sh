# peer-xdpsock-rxdrop-poll — xdpsock rxdrop waiting in poll() (-p), the peer of
# pool-count-poll; same placement as peer-xdpsock-rxdrop.
# shellcheck shell=bash disable=SC2034 # ROW_* and the mode variables are read by bench/run.sh
# shellcheck source=bench/rows/peer-xdpsock-rxdrop.sh
source "$BENCH_DIR/rows/peer-xdpsock-rxdrop.sh"
ROW_NAME=peer-xdpsock-rxdrop-poll
ROW_DESC="xdpsock rxdrop -p (poll), copy mode (needs XDPSOCK=binary)"
ROW_ORDER=87
XSK_EXTRA=-p
