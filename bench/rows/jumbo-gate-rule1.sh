# jumbo-gate-rule1 — the gate (frags-aware), one rule `drop proto udp dport 9` then
# `default pass`, attached natively at MTU 9000, at 1518 and 9018 bytes (the xsk engine).
# Target (issue 21): >= 0.95 of jumbo-bare-drop in Mpps at 9018.
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_NAME=jumbo-gate-rule1
ROW_DESC="xdpgate attach at MTU 9000, 1 rule: drop proto udp dport 9"
ROW_ORDER=91
ROW_SIZES="1518 9018"
ROW_QUICK_SIZES="9018"
ROW_EXPECT="vs:jumbo-bare-drop>=0.95"

row_setup() {
	RULES_FILE=$(mktemp "${TMPDIR:-/tmp}/xdpgate-bench-jumbo.XXXXXX") &&
		printf 'drop proto udp dport 9\ndefault pass\n' >"$RULES_FILE" &&
		ip -n "$TE_NS_GEN" link set dev "$TE_GEN_IF" mtu 9000 &&
		ip -n "$TE_NS_DUT" link set dev "$TE_DUT_IF" mtu 9000
}
row_start() { te_dut "$XG" attach "$TE_DUT_IF" --mode native --rules "$RULES_FILE" >/dev/null; }
row_gen_args() { echo "--engine xsk --dport 9"; }
row_teardown() {
	te_dut "$XG" detach "$TE_DUT_IF" >/dev/null
	local rc=$?
	rm -f "${RULES_FILE:-}"
	ip -n "$TE_NS_DUT" link set dev "$TE_DUT_IF" mtu 1500
	ip -n "$TE_NS_GEN" link set dev "$TE_GEN_IF" mtu 1500
	return $rc
}
