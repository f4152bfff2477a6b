# rules_nft_row.sh — shared by the rules-nft-N rows: nftables with the same N-rule set as
# rules-xdpgate-N, translated by `bench/gen_rules.py N --nft`: one netdev ingress chain on
# dut0 (table xgbench), the matching rule last (it drops and feeds the named counter "match"), policy accept. No XDP
# program on dut0: GRO (on from the harness, and again here) gives the veth the NAPI that
# the generator's live XDP frames need, and that the harness makes threaded and pins to
# the DUT CPU, so nft runs in napi/dut0-* on CPU1 like every other row's DUT.
# Counter: dut0's ethtool xdp_packets (the default): veth counts there every frame its NAPI
# takes off the ring, with or without an XDP program, and each one then goes through
# GRO and the ingress chain in the same poll; at the end of a run it equals the "match"
# counter (checked: see row_teardown's log line). Reading the nft counter instead would cost
# ~0.25 s of CPU a sample with 10,000 rules (nft fetches the whole rule set even for
# `nft list counter`), on the CPUs being measured.
# Not in the default matrix: name the rules-* rows with --rows (bench/rules_curve.py).
# The family file bench/rows/rules-nft.sh sets ROW_* and RULES_N (one row per N), then
# sources this file.
# shellcheck shell=bash disable=SC2154 # TE_*, XG, BENCH_DIR, RULES_N come from the harness and the row

row_setup() {
	te_dut ethtool -K "$TE_DUT_IF" gro on >/dev/null || return 1
	te_dut nft delete table netdev xgbench 2>/dev/null # left over by a killed run
	python3 "$BENCH_DIR/gen_rules.py" "$RULES_N" --nft --iface "$TE_DUT_IF" | te_dut nft -f -
}
row_start() { :; }
row_teardown() {
	local m
	m=$(te_dut nft list counter netdev xgbench match 2>/dev/null | awk '$1 == "packets" { print $2 }')
	bench_log "$ROW_NAME: nft counter match=${m:-?} dut0 xdp_packets=$(dut_ethtool_xdp_packets)"
	te_dut nft delete table netdev xgbench
}
