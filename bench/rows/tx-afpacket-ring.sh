# tx-afpacket-ring — AF_PACKET's fast send path: bench/afpacket_tx --mode ring on gen0, a
# PACKET_TX_RING (TPACKET_V2) with PACKET_QDISC_BYPASS, 64 frames marked per send(), into a
# bare XDP_DROP on dut0. Everything else as in tx-afpacket-sendto.sh.
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
# shellcheck source=bench/rows/tx-afpacket-sendto.sh
source "$BENCH_DIR/rows/tx-afpacket-sendto.sh"
ROW_NAME=tx-afpacket-ring
ROW_DESC="sender: AF_PACKET TX ring + qdisc bypass (bench/afpacket_tx) on gen0, into bare drop"
ROW_ORDER=44
AFPTX_MODE=ring
