# peer-xdpsock-l2fwd — peer-xdpsock-rxdrop in l2fwd mode: every frame goes back out of dut0
# to gen0 with its MACs swapped (gen0 has NAPI through --peer-napi). Copy-mode AF_XDP TX
# builds an skb per frame, near 0.5 Mpps here. Needs XDPSOCK=binary.
# shellcheck shell=bash disable=SC2034 # ROW_* and the mode variable are read by bench/run.sh
# shellcheck source=bench/rows/peer-xdpsock-rxdrop.sh
source "$BENCH_DIR/rows/peer-xdpsock-rxdrop.sh"
ROW_NAME=peer-xdpsock-l2fwd
ROW_DESC="xdpsock l2fwd, copy mode (needs XDPSOCK=binary)"
ROW_ORDER=86
XSK_MODE=-l
