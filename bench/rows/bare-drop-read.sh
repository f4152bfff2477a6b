# bare-drop-read — XDP_DROP after reading the EtherType: the ceiling for any program that
# looks at a frame's headers (on veth the first read of a frame is a cache miss).
ROW_NAME=bare-drop-read
ROW_DESC="bare XDP_DROP after reading the EtherType"
ROW_ORDER=11
ROW_SIZES="64"

row_start() {
	bench_bg_dut "$XG" baseline drop-read "$TE_DUT_IF" >/dev/null
	bench_wait_xdp "$TE_DUT_IF"
}
