# rules-xdpgate-N — the gate, N rules (see bench/rules_xdpgate_row.sh): one row per N in
# ROW_PARAMS, this file sourced with ROW_PARAM=N (bench/run.sh's row families).
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_PARAMS="1 10 100 1000 10000"
RULES_N=${ROW_PARAM:-1}
ROW_NAME=rules-xdpgate-$RULES_N
ROW_DESC="xdpgate attach --rules (gen_rules.py $RULES_N: flow matches rule $RULES_N)"
ROW_ORDER=$((32 + ${#RULES_N})) # 33 for 1 ... 37 for 10000
ROW_DEFAULT=0
ROW_QUICK=0
ROW_REQUIRES="python3"
# shellcheck source=bench/rules_xdpgate_row.sh
source "$BENCH_DIR/rules_xdpgate_row.sh"
