#!/bin/bash
# Integration tests of several workers on one queue (--workers-per-queue): sockets sharing
# the queue's UMEM and fill ring, flows spread by the gate's hash. The runs use the DEBUG
# build, which checks at stop that the queue's frames add up across its workers. Run by
# run-tests.sh (errexit on; see lib-assert.sh).
# shellcheck shell=bash disable=SC2154 # TE_* and ROOT come from the runner and te_setup

XG=${XDPGATE:-$ROOT/build/xdpgate}
XG_DEBUG=$ROOT/build/debug/xdpgate

# shellcheck source=testenv/lib-run.sh
source "$ROOT/testenv/lib-run.sh"

gen8() {
	te_gen "$XG" gen "$TE_GEN_IF" --dst "$TE_DUT_IP4" --dst-mac "$TE_DUT_MAC" --flows 8 "$@"
}

# workers_run N ARGS...: the DEBUG build with N workers on queue 0, JSON totals; its
# output in a new file $OUT (a reused one could show the last run's lines at first).
workers_run() {
	local n=$1
	shift
	[[ -x $XG_DEBUG ]] || { echo "no $XG_DEBUG: make builds it" >&2; return 1; }
	rm -f "${OUT:-}"
	OUT=$(mktemp /tmp/xg-wk-XXXXXX)
	XG=$XG_DEBUG run_bg "$OUT" "$TE_DUT_IF" --workers-per-queue "$n" --json "$@"
	assert_eq "$n" "$(grep -c '^dut0 queue 0: copy mode' "$OUT")" "$n sockets on queue 0"
}

# SIGINT: gone within 2 s, exit 0 (the DEBUG build aborts if the frames do not add up).
workers_stop() {
	local t0
	t0=$(date +%s%N)
	kill -INT "$RUN_PID"
	wait "$RUN_PID" || { sed 's/^/    run: /' "$OUT" | tail -n 20 >&2; return 1; }
	assert_le $((($(date +%s%N) - t0) / 1000000)) 2000 "ms from SIGINT to exit"
}

# Every frame once and in order per flow: count:verify's lines, one per worker, add up to
# FRAMES marked frames with none duplicated or reordered. The runs that check it send at
# 25 kpps into 8192-frame rings: a third of a second for a worker kept off its CPU (a
# loaded machine), where 100 kpps into 2048 left 20 ms and the kernel dropped frames.
assert_each_once_in_order() {
	local out=$1 frames=$2
	assert_eq 0 "$(tail -n 1 "$out" | jq '[.workers[].xdp_statistics |
		.rx_dropped + .rx_ring_full] | add')" "frames the kernel dropped (rx_dropped, rx_ring_full)"
	assert_eq "$frames" "$(sed -n 's/^verify: \([0-9]*\) marked.*/\1/p' "$out" |
		awk '{ s += $1 } END { print s }')" "marked frames over all workers"
	assert_eq "" "$(grep '^verify:' "$out" | grep -v ' 0 duplicate or reordered' || true)" \
		"no worker saw a flow's frames duplicated or out of order"
	assert_eq "$frames" "$(tail -n 1 "$out" | jq '[.workers[].rx] | add')" "frames received"
}

# Two workers on one queue: each frame once, per-flow order, both busy; an overload is
# accounted (redirected = received + rx_dropped + rx_ring_full) with N sockets too.
test_workers_two_on_one_queue() {
	local tot redirected
	te_setup
	workers_run 2 --handler count:verify --ring-size 8192
	assert_ok gen8 --count 40000 --rate 25000
	wait_until 10 pool_took 40000
	workers_stop
	assert_each_once_in_order "$OUT" 40000
	tot=$(tail -n 1 "$OUT")
	assert_ge "$(jq '.workers[0].rx' <<<"$tot")" 1 "worker 0 received"
	assert_ge "$(jq '.workers[1].rx' <<<"$tot")" 1 "worker 1 received"
	# overload: small rings, a fast sender
	workers_run 2 --handler count --ring-size 256 --batch 16
	assert_ok gen8 --count 1000000
	wait_until 10 pool_settled
	redirected=$(te_dut "$XG" status "$TE_DUT_IF" --json | jq '.interfaces[0].counters.xsk.packets')
	workers_stop
	tot=$(tail -n 1 "$OUT")
	assert_eq 1000000 "$redirected" "frames the gate redirected"
	assert_eq "$redirected" "$(jq '[.workers[] | .rx + .xdp_statistics.rx_dropped +
		.xdp_statistics.rx_ring_full] | add' <<<"$tot")" \
		"received + rx_dropped + rx_ring_full over both workers"
	rm -f "$OUT"
}

# Four workers, 8 flows, symmetric steering: each frame once and in order, and every
# worker within +-50% of the mean. SIGKILL then leaves nothing attached, and a new run
# binds the queue again.
test_workers_four_fairness_kill() {
	local tot mean w
	te_setup
	workers_run 4 --handler count:verify --steer symmetric --ring-size 8192
	assert_ok gen8 --count 80000 --rate 25000
	wait_until 10 pool_took 80000
	workers_stop
	assert_each_once_in_order "$OUT" 80000
	tot=$(tail -n 1 "$OUT")
	mean=$((80000 / 4))
	for w in 0 1 2 3; do
		assert_ge "$(jq ".workers[$w].rx" <<<"$tot")" $((mean / 2)) "worker $w >= mean/2"
		assert_le "$(jq ".workers[$w].rx" <<<"$tot")" $((mean * 3 / 2)) "worker $w <= 1.5 mean"
	done
	workers_run 4 --handler count
	kill -KILL "$RUN_PID"
	wait "$RUN_PID" || true
	wait_until 10 xdp_none # no XDP program left after SIGKILL
	workers_run 4 --handler count
	workers_stop
	rm -f "$OUT"
}

# Refused: forwarding with several workers a queue, and more workers than the gate holds.
test_workers_errors() {
	te_setup --pairs 2
	assert_fail te_dut "$XG" run "$TE_DUT_IF" --workers-per-queue 2 --handler forward:dut1 \
		--duration 1
	assert_match "one worker a queue" "$ASSERT_OUT"
	assert_fail te_dut "$XG" run "$TE_DUT_IF" --workers-per-queue 17 --duration 1
	assert_eq "" "$(te_dut ip -d link show "$TE_DUT_IF" | grep -o 'prog/xdp' || true)" \
		"no XDP program left"
}
