# tx-afpacket-sendto — the packet-socket send path: bench/afpacket_tx --mode sendto on gen0,
# one send() of a pre-built UDP frame per syscall, through the qdisc, into a bare XDP_DROP
# on dut0. Everything else as in tx-udp-sendmmsg.sh.
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
# shellcheck source=bench/rows/tx-udp-sendmmsg.sh
source "$BENCH_DIR/rows/tx-udp-sendmmsg.sh"
ROW_NAME=tx-afpacket-sendto
ROW_DESC="sender: AF_PACKET send() per frame (bench/afpacket_tx) on gen0, into bare drop"
ROW_ORDER=43
ROW_REQUIRES="build/bench/afpacket_tx"
AFPTX_MODE=sendto

tx_cmd() {
	echo "$ROOT/build/bench/afpacket_tx --iface $TE_GEN_IF --dst $TE_DUT_IP4 --mode $AFPTX_MODE" \
		"--size $BENCH_SIZE --batch 64"
}
