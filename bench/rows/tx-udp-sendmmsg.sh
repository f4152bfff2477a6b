# tx-udp-sendmmsg — the kernel send path: bench/udp_tx on gen0's CPU, one connected UDP
# socket, sendmmsg in batches of 64 of the same datagram to dut0, into a bare XDP_DROP
# there (counted at the DUT, as every row). The harness always starts `xdpgate gen` as
# well: here it is paced to 1 frame/s, so udp_tx is the only real sender (the row's gen
# rate and DUT/gen mean nothing). Each datagram costs the whole stack: socket, UDP/IP
# output, neighbour, qdisc (noqueue on veth), veth_xmit. tx-afpacket-*.sh source this file
# and replace tx_cmd. Read against gen-xsk and bare-drop (gen --engine live) of the same run.
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_NAME=tx-udp-sendmmsg
ROW_DESC="sender: UDP sendmmsg x64 (bench/udp_tx) on gen0, into bare drop"
ROW_ORDER=42
ROW_REQUIRES="build/bench/udp_tx"
ROW_PLACEMENT_NOTE="the sender, not xdpgate gen, on the gen cpu"
ROW_EXPECT="vs:bare-drop<=1.0" # gen --engine live (the bare-drop row) stays the fastest sender

tx_cmd() {
	echo "$ROOT/build/bench/udp_tx --dst $TE_DUT_IP4 --port 9 --size $BENCH_SIZE --batch 64"
}

row_gen_args() { echo "--rate 1"; }
row_start() {
	bench_bg_dut "$XG" baseline drop "$TE_DUT_IF" >/dev/null
	bench_wait_xdp "$TE_DUT_IF" || return 1
	# shellcheck disable=SC2046 # tx_cmd prints words
	bench_bg_gen $(tx_cmd) >/dev/null
	sleep 0.5
}
