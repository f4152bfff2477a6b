# peer-xdpfilter-port — the peer for gate-rule1: Debian's xdp-filter (xdp-tools 1.3.1) with
# the features a UDP port rule needs (`load -f udp,ipv4`, default allow) and `port 9 -p udp`
# (destination port); the generator sends to port 9. Counted like every XDP row (dut0's
# xdp_packets), in the same placement (threaded NAPI on the DUT's CPU).
# peer-xdpfilter-deny.sh sources this file and changes XDPF_LOAD / XDPF_PORT.
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_NAME=peer-xdpfilter-port
ROW_DESC="xdp-filter load -f udp,ipv4 + port 9 -p udp"
ROW_ORDER=36
ROW_REQUIRES="xdp-filter"
XDPF_LOAD="-f udp,ipv4"
XDPF_PORT=9

row_start() {
	# shellcheck disable=SC2086 # XDPF_LOAD is options
	te_dut xdp-filter load $XDPF_LOAD "$TE_DUT_IF" >/dev/null || return 1
	[[ -z $XDPF_PORT ]] || te_dut xdp-filter port "$XDPF_PORT" -p udp >/dev/null
}
row_gen_args() { echo "--dport 9"; }
row_teardown() {
	te_dut xdp-filter unload "$TE_DUT_IF" >/dev/null 2>&1
	te_dut ip link set dev "$TE_DUT_IF" xdp off 2>/dev/null
	return 0
}
