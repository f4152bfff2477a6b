# rules-xdpgate-1000 — the gate, 1000 rules (see bench/rules_xdpgate_row.sh).
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_NAME=rules-xdpgate-1000
ROW_DESC="xdpgate attach --rules (gen_rules.py 1000: flow matches rule 1000)"
ROW_ORDER=36
ROW_DEFAULT=0
ROW_QUICK=0
ROW_REQUIRES="python3"
RULES_N=1000
# shellcheck source=bench/rules_xdpgate_row.sh
source "$BENCH_DIR/rules_xdpgate_row.sh"
