# rules-nft-N — nftables netdev ingress, N rules (see bench/rules_nft_row.sh): one row per
# N in ROW_PARAMS, this file sourced with ROW_PARAM=N (bench/run.sh's row families).
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_PARAMS="1 10 100 1000 10000"
RULES_N=${ROW_PARAM:-1}
ROW_NAME=rules-nft-$RULES_N
ROW_DESC="nftables netdev ingress, gen_rules.py $RULES_N --nft (flow matches rule $RULES_N)"
ROW_ORDER=$((42 + ${#RULES_N})) # 43 for 1 ... 47 for 10000
ROW_DEFAULT=0
ROW_QUICK=0
ROW_REQUIRES="nft python3"
# shellcheck source=bench/rules_nft_row.sh
source "$BENCH_DIR/rules_nft_row.sh"
