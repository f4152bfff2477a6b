# gate-match1 — the gate with gate-rule1's condition written as a pcap-filter expression,
# `drop match "udp dst port 9"` then `default pass` (docs/match.md): the gate tail-calls the
# set's generated program and is tail-called back. Beside gate-rule1 (the native keywords)
# and bare-drop-read; issue 24's target: (match - drop-read) <= 2 x (rule1 - drop-read) in
# program cost per frame.
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_NAME=gate-match1
ROW_DESC="xdpgate attach, 1 rule: drop match \"udp dst port 9\""
ROW_ORDER=33

row_setup() {
	RULES_FILE=$(mktemp "${TMPDIR:-/tmp}/xdpgate-bench-match1.XXXXXX") &&
		printf 'drop match "udp dst port 9"\ndefault pass\n' >"$RULES_FILE"
}
row_start() { te_dut "$XG" attach "$TE_DUT_IF" --rules "$RULES_FILE" >/dev/null; }
row_gen_args() { echo "--dport 9"; }
row_teardown() {
	te_dut "$XG" detach "$TE_DUT_IF" >/dev/null
	local rc=$?
	rm -f "${RULES_FILE:-}"
	return $rc
}
