# gate-rule1 — the gate with the one rule of the issue that set the targets, `drop proto udp
# dport 9` then `default pass`; the generator sends to port 9, so every frame hits the rule.
# Beside it, Debian's xdp-filter doing the same one-port drop (peer-xdpfilter-port).
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_NAME=gate-rule1
ROW_DESC="xdpgate attach, 1 rule: drop proto udp dport 9"
ROW_ORDER=32
ROW_EXPECT="vs:bare-drop-read>=0.85 vs:peer-xdpfilter-port>=1.5"

ROW_RULES='drop proto udp dport 9\ndefault pass\n'
# shellcheck source=bench/gate_rules_row.sh
source "$BENCH_DIR/gate_rules_row.sh"
