# bare-redirect — a bare XDP_REDIRECT program on dut0 sends every frame out of dut1, the
# second veth pair (redirecting back out of dut0 is refused); gen1 has NAPI (--peer-napi).
ROW_NAME=bare-redirect
ROW_DESC="bare XDP_REDIRECT dut0 -> dut1 (second pair)"
ROW_ORDER=21

row_start() {
	bench_bg_dut "$XG" baseline redirect "$TE_DUT_IF" --to "$TE_DUT_IF2" >/dev/null
	bench_wait_xdp "$TE_DUT_IF"
}
