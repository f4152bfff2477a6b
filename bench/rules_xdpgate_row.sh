# rules_xdpgate_row.sh — shared by the rules-xdpgate-N rows: the gate with
# bench/gen_rules.py's N-rule set: N-1 random rules that never match the benchmark flow (mixed v4/v6 prefixes, port ranges, protocols), then the
# rule that drops it, then `default pass`. Every frame walks the whole set, so the
# rules-xdpgate-* rows are the gate's cost against rule count (bench/rules_curve.py draws
# the curve and checks its targets). The rules-nft-* rows run the same sets in nftables.
# Counter: the default one (dut0's ethtool xdp_packets): the gate is an XDP program.
# Target "10k rules >= 0.85 x the 1-rule rate" is a ratio between two rows, which
# ROW_EXPECT cannot express (its ratio is to bare-drop): bench/rules_curve.py checks it.
# Not in the default matrix (10 rows x 5 runs would add ~10 min): name them with --rows.
# The family file bench/rows/rules-xdpgate.sh sets ROW_* and RULES_N (one row per N), then
# sources this file.
# shellcheck shell=bash disable=SC2154 # TE_*, XG, BENCH_DIR, RULES_N come from the harness and the row

# The rule file lives in a per-run temporary directory (the harness gives rows no scratch
# directory); gen_rules.py is deterministic (fixed seed), so every run gets the same set.
row_setup() {
	RULES_DIR=$(mktemp -d "${TMPDIR:-/tmp}/xdpgate-bench-rules.XXXXXX") &&
		python3 "$BENCH_DIR/gen_rules.py" "$RULES_N" >"$RULES_DIR/rules"
}
row_start() { te_dut "$XG" attach "$TE_DUT_IF" --rules "$RULES_DIR/rules" >/dev/null; }
row_teardown() {
	te_dut "$XG" detach "$TE_DUT_IF" >/dev/null
	local rc=$?
	[[ -n ${RULES_DIR:-} ]] && rm -rf "$RULES_DIR"
	return $rc
}
