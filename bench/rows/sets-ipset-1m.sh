# sets-ipset-1m — ipset hash:net holding the same 1,000,000 prefixes as sets-xdpgate-1m
# (bench/gen_sets.py --ipset), matched by an iptables raw PREROUTING drop in the DUT's
# namespace. GRO gives the veth its NAPI (no XDP program), as for the nftables rows; each
# frame the NAPI takes goes up to PREROUTING in the same poll. Counter: dut0's xdp_packets
# (the default), checked against the iptables rule's counter in the log.
# shellcheck shell=bash disable=SC2034,SC2154 # ROW_* are read by bench/run.sh; TE_*, BENCH_DIR from the harness
ROW_NAME=sets-ipset-1m
ROW_DESC="ipset hash:net + iptables -t raw PREROUTING -m set --match-set src -j DROP, 1,000,000 prefixes"
ROW_ORDER=53
ROW_DEFAULT=0
ROW_QUICK=0
ROW_REQUIRES="ipset iptables python3"

row_setup() {
	te_dut ethtool -K "$TE_DUT_IF" gro on >/dev/null || return 1
	te_dut iptables -t raw -D PREROUTING -m set --match-set xgfeed src -j DROP 2>/dev/null
	te_dut ipset destroy xgfeed 2>/dev/null # left over by a killed run
	python3 "$BENCH_DIR/gen_sets.py" 1000000 --ipset | te_dut ipset restore &&
		te_dut iptables -t raw -A PREROUTING -m set --match-set xgfeed src -j DROP
}
row_start() { :; }
row_gen_args() { echo "--dport 9"; }
row_teardown() {
	local m
	m=$(te_dut iptables -t raw -L PREROUTING -v -n -x | awk '/match-set xgfeed/ { print $1 }')
	bench_log "$ROW_NAME: iptables rule packets=${m:-?} dut0 xdp_packets=$(dut_ethtool_xdp_packets)"
	te_dut iptables -t raw -D PREROUTING -m set --match-set xgfeed src -j DROP
	te_dut ipset destroy xgfeed
}
