# limit-xdpgate — gate-rule1's rule with a limit it never reaches, `drop proto udp dport 9
# limit 1000000000/s burst 1000000000`: every frame takes from the limit and matches, almost
# always from its CPU's lease (a compare and a subtract; the shared bucket once a lease of 1 ms
# of the rate runs out). Target: >= 0.9x gate-rule1, the same rule without the limit.
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_NAME=limit-xdpgate
ROW_DESC="xdpgate attach, 1 rule: drop proto udp dport 9 limit 1000000000/s (never over)"
ROW_ORDER=33
ROW_EXPECT="vs:gate-rule1>=0.9"

row_setup() {
	RULES_FILE=$(mktemp "${TMPDIR:-/tmp}/xdpgate-bench-limit.XXXXXX") &&
		printf 'drop proto udp dport 9 limit 1000000000/s burst 1000000000\ndefault pass\n' \
			>"$RULES_FILE"
}
row_start() { te_dut "$XG" attach "$TE_DUT_IF" --rules "$RULES_FILE" >/dev/null; }
row_gen_args() { echo "--dport 9"; }
row_teardown() {
	te_dut "$XG" detach "$TE_DUT_IF" >/dev/null
	local rc=$?
	rm -f "${RULES_FILE:-}"
	return $rc
}
