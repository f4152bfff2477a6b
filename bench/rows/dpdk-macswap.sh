# dpdk-macswap — dpdk-rxonly with testpmd in macswap mode: every frame goes back out of dut0
# to gen0 with its MACs swapped (gen0 accepts XDP frames: the testbed gives it NAPI with
# --peer-napi). Copy-mode AF_XDP TX builds an skb per frame, which bounds it near
# 0.35 Mpps here. Counted at the DUT as testpmd's RX-packets.
# shellcheck shell=bash disable=SC2034 # ROW_* and the mode variable are read by bench/run.sh
# shellcheck source=bench/rows/dpdk-rxonly.sh
source "$BENCH_DIR/rows/dpdk-rxonly.sh"
ROW_NAME=dpdk-macswap
ROW_DESC="DPDK testpmd macswap, AF_XDP PMD (copy mode), back to gen0"
ROW_ORDER=81
DPDK_MODE=macswap
