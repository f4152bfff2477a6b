# peer-xdpsock-rxdrop — a peer AF_XDP tool: the kernel's xdpsock sample (or bpf-examples'
# AF_XDP-example) in rxdrop mode on dut0 queue 0, native XDP, copy mode (veth has no
# zero-copy). Runs only when the environment variable XDPSOCK names the binary (a path or
# a command): no xdpsock is packaged for Debian 12, so without it the harness skips the
# row and says "needs $XDPSOCK". Counted at the DUT as xdpsock's own cumulative "rx" packets
# (its per-second report). peer-xdpsock-l2fwd.sh sources this file and changes XSK_MODE.
# Measured here with bpf-examples' xdpsock built by hand outside the repo (README).
# shellcheck shell=bash disable=SC2034 # ROW_* and the mode variable are read by bench/run.sh
ROW_NAME=peer-xdpsock-rxdrop
ROW_DESC="xdpsock rxdrop, copy mode (needs XDPSOCK=binary)"
ROW_ORDER=85
# shellcheck disable=SC2016 # the literal text is the skip message: "needs $XDPSOCK"
ROW_REQUIRES=${XDPSOCK:-'$XDPSOCK'}
XSK_MODE=-r
XSK_EXTRA=""
# Busy-polling receivers do best with NAPI in the sender's softirq: a threaded NAPI kthread on
# the receiver's CPU is starved by the spinning receiver (TESTBED.md: 0.2 Mpps). That is
# also the pool rows' placement, so this is both xdpsock's best and the common one.
ROW_NAPI=0

xsk_log() { echo "${TMPDIR:-/tmp}/xdpgate-bench-$ROW_NAME.$$.log"; }

xsk_bin() {
	[[ $XDPSOCK == */* && $XDPSOCK != /* ]] && echo "$ROOT/$XDPSOCK" || echo "$XDPSOCK"
}

row_start() {
	local log
	log=$(xsk_log)
	: >"$log"
	# stdbuf: xdpsock's report goes to a file, which stdio would otherwise buffer by 4 KiB.
	# shellcheck disable=SC2086 # XSK_EXTRA is a list of options
	bench_bg_dut stdbuf -oL "$(xsk_bin)" -i "$TE_DUT_IF" -q 0 "$XSK_MODE" -N -c $XSK_EXTRA \
		>"$log" 2>&1
	bench_wait_xdp "$TE_DUT_IF" && return 0
	bench_log "$ROW_NAME: xdpsock did not attach; last lines of $log:"
	tail -n 5 "$log" >&2
	return 1
}

# xdpsock prints, per socket and interval, "rx  PPS  PKTS" (PKTS cumulative; digit grouping
# depends on the locale): the newest such line's third field.
row_counter() {
	local n
	n=$(awk '$1 == "rx" && NF >= 3 { n = $3 } END { gsub(/[,.]/, "", n); print n }' \
		"$(xsk_log)" 2>/dev/null)
	echo "${n:-0}"
}

row_teardown() {
	# xdpsock attaches through netlink: killed before its own cleanup, the program stays.
	te_dut ip link set dev "$TE_DUT_IF" xdp off 2>/dev/null
	rm -f "$(xsk_log)"
	! declare -F xsk_row_teardown >/dev/null || xsk_row_teardown
	return 0
}
