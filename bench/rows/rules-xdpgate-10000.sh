# rules-xdpgate-10000 — the gate, 10000 rules (see bench/rules_xdpgate_row.sh).
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_NAME=rules-xdpgate-10000
ROW_DESC="xdpgate attach --rules (gen_rules.py 10000: flow matches rule 10000)"
ROW_ORDER=37
ROW_DEFAULT=0
ROW_QUICK=0
ROW_REQUIRES="python3"
RULES_N=10000
# shellcheck source=bench/rules_xdpgate_row.sh
source "$BENCH_DIR/rules_xdpgate_row.sh"
