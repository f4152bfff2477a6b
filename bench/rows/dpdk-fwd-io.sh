# dpdk-fwd-io — dpdk-rxonly with two AF_XDP ports (dut0, dut1) and testpmd in io mode: every
# frame received on one port goes out of the other unchanged (testpmd --forward-mode=io),
# counted where it arrives (gen1's RX packets), as pool-forward and peer-xskfwd.
# shellcheck shell=bash disable=SC2034 # ROW_* and the mode variables are read by bench/run.sh
# shellcheck source=bench/rows/dpdk-rxonly.sh
source "$BENCH_DIR/rows/dpdk-rxonly.sh"
ROW_NAME=dpdk-fwd-io
ROW_DESC="DPDK testpmd io forwarding dut0 -> dut1, two AF_XDP PMD ports (copy mode)"
ROW_ORDER=82
DPDK_MODE=io
DPDK_IFS="dut0 dut1"
ROW_WARMUP=0 # counted at gen1, which does not lag
row_counter() { gen2_rx_packets; }
