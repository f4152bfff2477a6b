# The body of a row that attaches the gate with a small rule set and sends to UDP port 9
# (gate-rule1, gate-match1): the row sets ROW_RULES (the file's text, printf format) and
# sources this.
# shellcheck shell=bash

# shellcheck disable=SC2059 # ROW_RULES is the format: its \n are the lines
row_setup() {
	RULES_FILE=$(mktemp "${TMPDIR:-/tmp}/xdpgate-bench-$ROW_NAME.XXXXXX") &&
		printf "$ROW_RULES" >"$RULES_FILE"
}
row_start() { te_dut "$XG" attach "$TE_DUT_IF" --rules "$RULES_FILE" >/dev/null; }
row_gen_args() { echo "--dport 9"; }
row_teardown() {
	te_dut "$XG" detach "$TE_DUT_IF" >/dev/null
	local rc=$?
	rm -f "${RULES_FILE:-}"
	return $rc
}
