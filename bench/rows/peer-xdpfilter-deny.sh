# peer-xdpfilter-deny — the peer for gate-drop: xdp-filter with policy deny and no rule
# (every frame dropped after its parse), features as for the port row.
# shellcheck shell=bash disable=SC2034 # ROW_* are read by bench/run.sh
# shellcheck source=bench/rows/peer-xdpfilter-port.sh
source "$BENCH_DIR/rows/peer-xdpfilter-port.sh"
ROW_NAME=peer-xdpfilter-deny
ROW_DESC="xdp-filter load -p deny -f udp,ipv4 (no rule)"
ROW_ORDER=37
XDPF_LOAD="-p deny -f udp,ipv4"
XDPF_PORT=""
