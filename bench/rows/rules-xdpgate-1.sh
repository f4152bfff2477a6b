# rules-xdpgate-1 — the gate, 1 rule (see bench/rules_xdpgate_row.sh).
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_NAME=rules-xdpgate-1
ROW_DESC="xdpgate attach --rules (gen_rules.py 1: flow matches rule 1)"
ROW_ORDER=33
ROW_DEFAULT=0
ROW_QUICK=0
ROW_REQUIRES="python3"
RULES_N=1
# shellcheck source=bench/rules_xdpgate_row.sh
source "$BENCH_DIR/rules_xdpgate_row.sh"
