# rules-nft-1 — nftables netdev ingress, 1 rule (see bench/rules_nft_row.sh).
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_NAME=rules-nft-1
ROW_DESC="nftables netdev ingress, gen_rules.py 1 --nft (flow matches rule 1)"
ROW_ORDER=43
ROW_DEFAULT=0
ROW_QUICK=0
ROW_REQUIRES="nft python3"
RULES_N=1
# shellcheck source=bench/rules_nft_row.sh
source "$BENCH_DIR/rules_nft_row.sh"
