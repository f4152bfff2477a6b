# sets-xdpgate-10 — the gate, `drop src @feed` over a 10-prefix set (see bench/sets_xdpgate_row.sh).
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
ROW_NAME=sets-xdpgate-10
ROW_DESC="xdpgate attach --rules: drop src @feed, 10 prefixes (gen_sets.py 10)"
ROW_ORDER=50
ROW_DEFAULT=0
ROW_QUICK=0
ROW_REQUIRES="python3"
SETS_N=10
# shellcheck source=bench/sets_xdpgate_row.sh
source "$BENCH_DIR/sets_xdpgate_row.sh"
