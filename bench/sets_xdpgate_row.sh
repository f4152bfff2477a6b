# sets_xdpgate_row.sh — shared by the sets-xdpgate-N rows: the gate with one rule, `drop src
# @feed`, over a set of N IPv4 prefixes from bench/gen_sets.py (one of them holds the flow's
# source 198.18.0.1), then `default pass`. Every frame does the one set lookup of its
# source (IPv4: the set's flat table, at most three array reads at any size); the rows are the gate's cost against set size (target: 1,000,000 prefixes >= 0.9x
# 10). The sets-ipset-1m and sets-nft-1m rows hold the same million prefixes.
# Counter: the default one (dut0's ethtool xdp_packets): the gate is an XDP program.
# Not in the default matrix (making a million prefixes takes ~10 s): name them with --rows.
# A row sets ROW_* and SETS_N, then sources this file.
# shellcheck shell=bash disable=SC2154 # TE_*, XG, BENCH_DIR, SETS_N come from the harness and the row

row_setup() {
	SETS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/xdpgate-bench-sets.XXXXXX") &&
		python3 "$BENCH_DIR/gen_sets.py" "$SETS_N" >"$SETS_DIR/feed.txt" &&
		printf 'set feed feed.txt\ndrop src @feed\ndefault pass\n' >"$SETS_DIR/rules"
}
row_start() {
	local t0 t1
	t0=$(date +%s%N)
	te_dut "$XG" attach "$TE_DUT_IF" --rules "$SETS_DIR/rules" >/dev/null || return 1
	t1=$(date +%s%N)
	bench_log "$ROW_NAME: attach with a $SETS_N-prefix set took $(((t1 - t0) / 1000000)) ms"
}
row_gen_args() { echo "--dport 9"; }
row_teardown() {
	te_dut "$XG" detach "$TE_DUT_IF" >/dev/null
	local rc=$?
	[[ -n ${SETS_DIR:-} ]] && rm -rf "$SETS_DIR"
	return $rc
}
