# gate-match1 — the gate with gate-rule1's condition written as a pcap-filter expression,
# `drop match "udp dst port 9"` then `default pass` (docs/match.md): the gate tail-calls the
# set's generated program and is tail-called back. Beside gate-rule1 (the native keywords)
# and bare-drop-read; issue 24's target: (match - drop-read) <= 2 x (rule1 - drop-read) in
# program cost per frame.
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_NAME=gate-match1
ROW_DESC="xdpgate attach, 1 rule: drop match \"udp dst port 9\""
ROW_ORDER=33

ROW_RULES='drop match "udp dst port 9"\ndefault pass\n'
# shellcheck source=bench/gate_rules_row.sh
source "$BENCH_DIR/gate_rules_row.sh"
