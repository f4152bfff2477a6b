# rules-nft-100 — nftables netdev ingress, 100 rules (see bench/rules_nft_row.sh).
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_NAME=rules-nft-100
ROW_DESC="nftables netdev ingress, gen_rules.py 100 --nft (flow matches rule 100)"
ROW_ORDER=45
ROW_DEFAULT=0
ROW_QUICK=0
ROW_REQUIRES="nft python3"
RULES_N=100
# shellcheck source=bench/rules_nft_row.sh
source "$BENCH_DIR/rules_nft_row.sh"
