# rules-xdpgate-10 — the gate, 10 rules (see bench/rules_xdpgate_row.sh).
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_NAME=rules-xdpgate-10
ROW_DESC="xdpgate attach --rules (gen_rules.py 10: flow matches rule 10)"
ROW_ORDER=34
ROW_DEFAULT=0
ROW_QUICK=0
ROW_REQUIRES="python3"
RULES_N=10
# shellcheck source=bench/rules_xdpgate_row.sh
source "$BENCH_DIR/rules_xdpgate_row.sh"
