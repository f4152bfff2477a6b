# sets-xdpgate-1m — the gate, `drop src @feed` over a 1,000,000-prefix set (see
# bench/sets_xdpgate_row.sh); beside it the 10-prefix set, ipset and nftables with the same
# million prefixes.
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_NAME=sets-xdpgate-1m
ROW_DESC="xdpgate attach --rules: drop src @feed, 1,000,000 prefixes (gen_sets.py 1000000)"
ROW_ORDER=51
ROW_DEFAULT=0
ROW_QUICK=0
ROW_REQUIRES="python3"
ROW_EXPECT="vs:sets-xdpgate-10>=0.9 vs:sets-ipset-1m>=10 vs:sets-nft-1m>=10"
SETS_N=1000000
# shellcheck source=bench/sets_xdpgate_row.sh
source "$BENCH_DIR/sets_xdpgate_row.sh"
