# gen-xsk — the generator's AF_XDP engine (`gen --engine xsk`: one TX-only socket on gen0
# queue 0, copy mode on veth) into a bare XDP_DROP on dut0: what an AF_XDP sender costs next
# to the live-frames engine that drives every other row. Copy-mode TX builds an skb per
# frame, so this is far below the ceiling (TESTBED.md: ~0.6 Mpps). Read against xdpsock's
# txonly (peer-xdpsock-txonly) when that row runs in the same invocation.
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_NAME=gen-xsk
ROW_DESC="gen --engine xsk (AF_XDP TX, copy mode) into bare drop"
ROW_ORDER=41
# dut_gen: the engine counts frames the kernel completed; a veth completes a frame once it is
# in the peer's ring, which overflows when the DUT falls behind (0.93 was seen with steal;
# 0.73-0.85 with the DUT's kthread sharing CPU1 with other work, when xdpsock -t lost as many
# at gen0's peer ring: then the row measures the DUT, not the sender)
ROW_EXPECT="dut_gen>=0.9 vs:peer-xdpsock-txonly>=1.0 vs:tx-udp-sendmmsg>=3.0 vs:bare-drop<=1.0"

row_gen_args() { echo "--engine xsk"; }
row_start() {
	bench_bg_dut "$XG" baseline drop "$TE_DUT_IF" >/dev/null
	bench_wait_xdp "$TE_DUT_IF"
}
