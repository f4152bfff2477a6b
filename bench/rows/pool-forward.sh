# pool-forward — AF_XDP pool, forward handler: every frame into dut0 goes out of dut1 (a
# shellcheck shell=bash disable=SC2034 # ROW_* and POOL_* are read by bench/run.sh and pool_row.sh
# shared UMEM: by descriptor, no copy), counted where it arrives (gen1's RX packets). The
# TX side is copy-mode AF_XDP on veth: an skb per frame, ~0.5 Mpps here (TESTBED.md).
# pool-forward-2q.sh sources this file.
ROW_NAME=pool-forward
ROW_DESC="AF_XDP pool, forward dut0 -> dut1 (shared UMEM), counted at gen1"
ROW_ORDER=66
# as the other pool rows: NAPI in the generator's softirq on CPU0, the worker on CPU1
ROW_NAPI=0
POOL_ARGS="--handler forward:dut1 --wait poll"
ROW_EXPECT="vs:peer-xskfwd>=1.0 vs:dpdk-fwd-io>=1.0"
# shellcheck source=bench/pool_row.sh
source "$ROOT/bench/pool_row.sh"
row_counter() { gen2_rx_packets; }
