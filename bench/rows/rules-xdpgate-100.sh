# rules-xdpgate-100 — the gate, 100 rules (see bench/rules_xdpgate_row.sh).
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_NAME=rules-xdpgate-100
ROW_DESC="xdpgate attach --rules (gen_rules.py 100: flow matches rule 100)"
ROW_ORDER=35
ROW_DEFAULT=0
ROW_QUICK=0
ROW_REQUIRES="python3"
RULES_N=100
# shellcheck source=bench/rules_xdpgate_row.sh
source "$BENCH_DIR/rules_xdpgate_row.sh"
