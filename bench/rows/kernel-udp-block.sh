# kernel-udp-block — the Linux receive path xdpgate replaces: a UDP socket in the DUT
# namespace, blocking recvmmsg (MSG_WAITFORONE) in batches of 64, no XDP program on dut0.
# GRO on dut0 (the harness turns it on) gives the veth the NAPI that the generator's
# live XDP frames need, and lets the harness move that NAPI to a kthread on the DUT CPU:
# the stack (napi/dut0-*) and the receiver share CPU1, as every row's DUT does. (An
# XDP_PASS program instead of GRO measured the same, within noise.)
# kernel-udp-{epoll,busy,select,poll,busypoll,uring}.sh source this file and change KUDP_MODE.
# shellcheck shell=bash disable=SC2034 # ROW_* and the mode variable are read by bench/run.sh
ROW_NAME=kernel-udp-block
ROW_DESC="kernel path: UDP socket, blocking recvmmsg x64"
ROW_ORDER=70
ROW_REQUIRES="build/bench/udp_rx"
ROW_EXPECT="ratio<=0.2"
KUDP_MODE=block
KUDP_PORT=9

# $$ is the harness's PID in every function of the run's subshell: one name per run.
kudp_count_file() { echo "${TMPDIR:-/tmp}/xdpgate-bench-$ROW_NAME.$$.count"; }

row_gen_args() { echo "--dport $KUDP_PORT"; }

row_setup() { te_dut ethtool -K "$TE_DUT_IF" gro on >/dev/null; }

row_start() {
	local f i
	f=$(kudp_count_file)
	rm -f "$f"
	bench_bg_dut "$ROOT/build/bench/udp_rx" --bind "$TE_DUT_IP4" --port "$KUDP_PORT" \
		--mode "$KUDP_MODE" --batch 64 --count-file "$f" >/dev/null
	# udp_rx writes 0 to the file once its socket is bound: then it is ready.
	for ((i = 0; i < 50; i++)); do
		[[ -s $f ]] && return 0
		sleep 0.1
	done
	bench_log "$ROW_NAME: udp_rx did not start"
	return 1
}

row_counter() { cat "$(kudp_count_file)" 2>/dev/null || echo 0; }

row_teardown() { rm -f "$(kudp_count_file)" "$(kudp_count_file).tmp"; }
