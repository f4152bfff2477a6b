# sets-nft-1m — nftables netdev ingress on dut0: `ip saddr @feed drop` over an interval set of
# the same 1,000,000 prefixes as sets-xdpgate-1m (bench/gen_sets.py --nft). Placement and
# counter as the rules-nft-* rows (bench/rules_nft_row.sh): GRO gives the veth its NAPI, no
# XDP program, dut0's xdp_packets counts every frame the NAPI takes, each then goes through
# the ingress chain in the same poll.
# shellcheck shell=bash disable=SC2034,SC2154 # ROW_* are read by bench/run.sh; TE_*, BENCH_DIR from the harness
ROW_NAME=sets-nft-1m
ROW_DESC="nftables netdev ingress, ip saddr @feed drop, 1,000,000 prefixes (gen_sets.py --nft)"
ROW_ORDER=52
ROW_DEFAULT=0
ROW_QUICK=0
ROW_REQUIRES="nft python3"

row_setup() {
	te_dut ethtool -K "$TE_DUT_IF" gro on >/dev/null || return 1
	te_dut nft delete table netdev xgbench 2>/dev/null # left over by a killed run
	python3 "$BENCH_DIR/gen_sets.py" 1000000 --nft "$TE_DUT_IF" | te_dut nft -f -
}
row_start() { :; }
row_gen_args() { echo "--dport 9"; }
row_teardown() {
	local m
	m=$(te_dut nft list counter netdev xgbench match 2>/dev/null | awk '$1 == "packets" { print $2 }')
	bench_log "$ROW_NAME: nft counter match=${m:-?} dut0 xdp_packets=$(dut_ethtool_xdp_packets)"
	te_dut nft delete table netdev xgbench
}
