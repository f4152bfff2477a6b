# bare-drop-2q — bare XDP_DROP on a 2-queue veth with 2 generator threads, one per CPU:
# veth picks the receive queue by the sender's CPU, and each queue's NAPI runs as softirq
# on that CPU, so there is no threaded NAPI and no idle DUT CPU here.
ROW_NAME=bare-drop-2q
ROW_DESC="bare XDP_DROP, 2-queue veth, 2 gen threads on CPU0+1"
ROW_ORDER=60
ROW_QUEUES=2
ROW_GEN_THREADS=2
ROW_GEN_CPUS=0,1
ROW_NAPI=0

row_start() {
	bench_bg_dut "$XG" baseline drop "$TE_DUT_IF" >/dev/null
	bench_wait_xdp "$TE_DUT_IF"
}
