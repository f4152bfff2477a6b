# pool-pcap — AF_XDP pool, pcap handler (rotating at 100 MB).
ROW_NAME=pool-pcap
ROW_DESC="AF_XDP pool, pcap handler (rotating at 100 MB)"
ROW_ORDER=65
# NAPI stays in the generator's softirq on CPU0, the worker alone on CPU1: sharing CPU1
# with a threaded NAPI makes them take turns by time slice and overflow the rings.
ROW_NAPI=0
POOL_ARGS="--handler pcap:/tmp/xdpgate-bench-pool.pcap,rotate=100"
# shellcheck source=bench/pool_row.sh
source "$ROOT/bench/pool_row.sh"
row_teardown() { rm -f /tmp/xdpgate-bench-pool*.pcap*; }
