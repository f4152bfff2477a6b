# peer-xdpsock-busypoll — xdpsock rxdrop with preferred busy polling (-B, batch 64), the
# peer of pool-count-busypoll: NAPI is polled in the receiver's syscalls on its CPU.
# xdpsock leaves napi_defer_hard_irqs/gro_flush_timeout to the user; the row sets them as
# the pool does (2, 200 us) and restores them.
# shellcheck shell=bash disable=SC2034 # ROW_* and the mode variables are read by bench/run.sh
# shellcheck source=bench/rows/peer-xdpsock-rxdrop.sh
source "$BENCH_DIR/rows/peer-xdpsock-rxdrop.sh"
ROW_NAME=peer-xdpsock-busypoll
ROW_DESC="xdpsock rxdrop -B (busy poll), copy mode (needs XDPSOCK=binary)"
ROW_ORDER=88
XSK_EXTRA="-B -b 64"
ROW_PLACEMENT_NOTE="NAPI busy-polled by the receiver on its CPU"

row_setup() {
	ip netns exec "$TE_NS_DUT" sh -c "echo 2 > /sys/class/net/$TE_DUT_IF/napi_defer_hard_irqs &&
		echo 200000 > /sys/class/net/$TE_DUT_IF/gro_flush_timeout"
}
xsk_row_teardown() {
	ip netns exec "$TE_NS_DUT" sh -c "echo 0 > /sys/class/net/$TE_DUT_IF/napi_defer_hard_irqs;
		echo 0 > /sys/class/net/$TE_DUT_IF/gro_flush_timeout"
}
