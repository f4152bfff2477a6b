#!/bin/bash
# Unit tests of the benchmark harness's parsing and statistics (bench/lib.sh's ethtool_sum,
# bench/benchstat.py) on canned ethtool output, counter samples, /proc/stat lines and
# generator JSON. No namespaces, no traffic.
# shellcheck shell=bash disable=SC2154 # ROOT comes from the runner

BS=$ROOT/bench/benchstat.py

bs() { /usr/bin/python3 "$BS" "$@"; }

# A fresh scratch directory, removed when the test's shell exits.
scratch() {
	T=$(mktemp -d /tmp/xg-test-bench.XXXXXX)
	trap 'rm -rf "$T"' EXIT
}

ETHTOOL_2Q='NIC statistics:
     peer_ifindex: 2
     rx_queue_0_xdp_packets: 1000
     rx_queue_0_xdp_bytes: 64000
     rx_queue_0_drops: 7
     rx_queue_0_xdp_redirect: 0
     rx_queue_0_xdp_drops: 990
     rx_queue_0_xdp_tx: 10
     rx_queue_0_xdp_tx_errors: 3
     rx_queue_1_xdp_packets: 4294967296000
     rx_queue_1_xdp_bytes: 128
     rx_queue_1_drops: 0
     rx_queue_1_xdp_drops: 2
     rx_queue_1_xdp_tx: 5
     rx_queue_1_xdp_tx_errors: 100
     tx_queue_0_xdp_xmit: 55
     tx_queue_0_xdp_xmit_errors: 1'

test_bench_ethtool_sum() {
	source "$ROOT/bench/lib.sh"
	assert_eq 4294967297000 "$(ethtool_sum xdp_packets <<<"$ETHTOOL_2Q")" "xdp_packets over 2 queues"
	assert_eq 15 "$(ethtool_sum xdp_tx <<<"$ETHTOOL_2Q")" "xdp_tx, not xdp_tx_errors"
	assert_eq 103 "$(ethtool_sum xdp_tx_errors <<<"$ETHTOOL_2Q")"
	assert_eq 992 "$(ethtool_sum xdp_drops <<<"$ETHTOOL_2Q")"
	assert_eq 7 "$(ethtool_sum drops <<<"$ETHTOOL_2Q")" "rx drops, not xdp_drops"
	assert_eq 0 "$(ethtool_sum xdp_xmit <<<"$ETHTOOL_2Q")" "tx_queue_ counters are not rx"
	assert_eq 0 "$(ethtool_sum xdp_packets </dev/null)" "no counters at all"
}

test_bench_rates_drop_first_and_last() {
	scratch
	# ramp-up second, three steady seconds (one of them 2 s long), ramp-down second
	printf '%s\n' "# t count" "100.0 0" "101.0 300" "102.0 1300" "104.0 3300" \
		"105.0 4300" "106.0 4400" >"$T/s"
	assert_eq "1000.0 1000.0 1000.0" "$(bs rates "$T/s" | xargs)"
	# a counter that goes backwards (reset) loses that interval only
	printf '%s\n' "0 0" "1 10" "2 20" "3 5" "4 15" "5 25" "6 26" >"$T/r"
	assert_eq "10.0 10.0 10.0" "$(bs rates "$T/r" | xargs)"
	# fewer than three samples: no steady interval
	printf '%s\n' "0 0" "1 10" >"$T/short"
	assert_eq "" "$(bs rates "$T/short")"
	printf '%s\n' "0 zero" >"$T/bad"
	assert_fail bs rates "$T/bad"
}

test_bench_summary() {
	assert_eq "2.5 1 4 4" "$(bs summary 4 1 3 2)" "median of an even count"
	assert_eq "3 1 9 3" "$(bs summary 9 3 1)"
	assert_eq "- - - 0" "$(bs summary)" "no values"
}

test_bench_gen_rates() {
	scratch
	cat >"$T/g" <<-'J'
		{"interface":"gen0","interval":1.004,"sent":100,"sent_pps":100.0,"sent_mbps":1}
		{"interface":"gen0","interval":1.000,"sent":200,"sent_pps":200.0,"sent_mbps":1}
		{"interface":"gen0","interval":1.001,"sent":300,"sent_pps":300.0,"sent_mbps":1}
		{"interface":"gen0","interval":0.400,"sent":40,"sent_pps":100.0,"sent_mbps":1}
		{"interface":"gen0","total":3.4,"sent":640,"sent_pps":188.2,"sent_mbps":1}
	J
	assert_eq "200.0 300.0" "$(bs gen-rates "$T/g" | xargs)" "no ramp-up, no partial, no total"
}

# A run directory: $1 row, $2 steal jiffies per tick on each CPU, $3 idle jiffies per tick
# on cpu0, $4 gen_saturated, $5 pps.
make_run() {
	local d=$T/runs/$1-$RANDOM i HZ
	HZ=$(getconf CLK_TCK)
	mkdir -p "$d"
	printf 'row=%s\nsize=64\nround=1\ngen_cpus=0\ngen_saturated=%s\nexpect=%s\n' \
		"$1" "$4" "${EXPECT:-}" >"$d/meta"
	for ((i = 0; i <= 4; i++)); do
		echo "$((10 + i)).0 $((i * $5))" >>"$d/samples"
		echo "$((10 + i)).0 cpu0 $((i * (100 - $2 - $3))) 0 0 $((i * $3)) 0 0 0 $((i * $2)) 0 0" >>"$d/stat"
		echo "$((10 + i)).0 cpu1 $((i * (100 - $2))) 0 0 0 0 0 0 $((i * $2)) 0 0" >>"$d/stat"
		# the DUT side's own tasks: one CPU second a second; the generator's: half that
		echo "$((10 + i)).0 tasks_dut $((i * HZ))" >>"$d/stat"
		echo "$((10 + i)).0 tasks_gen $((i * HZ / 2))" >>"$d/stat"
	done
	echo "$d"
}

test_bench_load_and_noisy() {
	local d
	scratch
	d=$(make_run bare-drop 0 2 1 1000)
	assert_eq "cpu0 busy=0.980 steal=0.000 cpu1 busy=1.000 steal=0.000" "$(bs load "$d/stat" | xargs)"
	assert_eq ok "$(bs noisy "$d")" "quiet, saturated run"
	d=$(make_run bare-drop 20 0 1 1000)
	assert_eq "steal 20%" "$(bs noisy "$d")"
	d=$(make_run bare-drop 0 30 1 1000)
	assert_eq "gen cpu0 busy 70%" "$(bs noisy "$d")"
	d=$(make_run gen-paced-accuracy 0 30 0 1000)
	assert_eq ok "$(bs noisy "$d")" "a paced generator need not saturate its CPU"
	d=$(make_run bare-drop 11 0 1 1000)
	echo "error=row_start failed" >>"$d/meta"
	assert_eq "row_start failed; steal 11%" "$(bs noisy "$d")"
	assert_eq 1000 "$(bs run-median "$d")"
	# a neighbour's runnable tasks: 2 own + 1 allowed; median of 3,5,5,6,2 is 5
	d=$(make_run bare-drop 0 0 1 1000)
	echo "own_tasks=2" >>"$d/meta"
	printf '10.0 procs_running %s\n' 3 5 5 6 2 >>"$d/stat"
	assert_eq "5 runnable tasks" "$(bs noisy "$d")"
	sed -i 's/procs_running [56]/procs_running 3/' "$d/stat"
	assert_eq ok "$(bs noisy "$d")"
}

test_bench_report() {
	local out
	scratch
	make_run bare-drop 0 0 1 4000000 >/dev/null
	make_run bare-drop 0 0 1 6000000 >/dev/null
	EXPECT="ratio>=0.95" make_run gate-drop 0 0 1 4500000 >/dev/null
	EXPECT="ratio<=0.5" make_run slow 0 0 1 2000000 >/dev/null
	printf 'host=h\nkernel=k\nnproc=2\nruns=2\nduration=4\n' >"$T/facts"
	# exit status 1: a row missed its expectation
	assert_fail bs report "$T" "$T/out"
	out=$(cat "$T/out.md")
	assert_match '\| bare-drop \| 5\.00 \| 4\.00 \| 6\.00 \| 1\.00 \|' "$out"
	assert_match '\| gate-drop \| 4\.50 \| 4\.50 \| 4\.50 \| 0\.90 \|' "$out"
	assert_match 'FAIL gate-drop: ratio>=0.95 \(0\.900\)' "$out"
	assert_match 'PASS slow: ratio<=0.5 \(0\.400\)' "$out"
	assert_eq 4 "$(jq '.runs | length' "$T/out.json")"
	assert_eq 4 "$(jq '.results[0].pps.n' "$T/out.json")" "steady seconds of two runs"
	assert_match '^"bare-drop" 5\.0000 4\.0000 6\.0000$' "$(sed -n 2p "$T/bars.dat")"
	# CPU time per Mframe: the DUT's tasks one CPU second a second at 4 and 6 Mpps -> 250
	# and 167 ms, median 208; the generator's half that
	assert_match '\| bare-drop \| 5\.00 .*\| 208 \| 104 \| 2 \| no \|' "$out"
	assert_match '"rx: XDP drop \(the ceiling\)" 5\.0000 208 104' "$(cat "$T/iomodels.dat")"
	out=$(bs iomodels "$T/out.json")
	assert_match '\| receive \| XDP drop \(the ceiling\) \| bare-drop \| 5\.00 \| 1\.00 \| 208 \| 104 \|' "$out"
	assert_match '\| send \| gen --engine live \(XDP\) \| bare-drop \| 5\.00 \|' "$out"
	assert_ok test -s "$T/bars.dat"
}

# vs:ROW expectations compare two rows' medians; placement and prog ns/frame reach the table.
test_bench_report_peers_and_placement() {
	local out d
	scratch
	make_run bare-drop 0 0 1 4000000 >/dev/null
	d=$(EXPECT="vs:peer>=1.5 vs:nosuch>=1.0" make_run mine 0 0 1 3000000)
	printf 'placement=gen cpu 0; NAPI threaded, kthread on cpu 1; receiver cpu 1\nbpf_ns=42.5\n' \
		>>"$d/meta"
	d=$(EXPECT="vs:mine<=0.7" make_run peer 0 0 1 1800000)
	printf "placement=gen cpu 0; NAPI in the sender's softirq (cpu 0); receiver cpu 1\n" >>"$d/meta"
	printf 'host=h\nkernel=k\nnproc=2\nruns=1\nduration=4\n' >"$T/facts"
	bs report "$T" "$T/out" >/dev/null || true
	out=$(cat "$T/out.md")
	assert_match 'PASS mine: vs:peer>=1.5 \(1\.667\)' "$out"
	assert_match '\?\?\?\? mine: vs:nosuch>=1.0: no value' "$out"
	assert_match 'PASS peer: vs:mine<=0.7 \(0\.600\)' "$out"
	assert_match '\| mine \| 3\.00 \| 3\.00 \| 3\.00 \| 0\.75 \| 42\.5 \|' "$out"
	assert_match '\| peer \| 1\.80 \| 1\.80 \| 1\.80 \| 0\.45 \| — \|' "$out"
	assert_match "- gen cpu 0; NAPI threaded, kthread on cpu 1; receiver cpu 1: mine" "$out"
	assert_match "- gen cpu 0; NAPI in the sender's softirq \(cpu 0\); receiver cpu 1: peer" "$out"
}

# The harness's NAPI placement holds both ways on one reused testbed: threaded with its
# kthread on the CPU asked for, then back to the sender's softirq (the bug it replaced
# never wrote 0).
test_bench_napi_place_both_ways() {
	local pid
	source "$ROOT/bench/lib.sh"
	te_setup
	te_dut ethtool -K "$TE_DUT_IF" gro on >/dev/null
	assert_ok dut_napi_place "$TE_DUT_IF" 1
	assert_eq 1 "$(ip netns exec "$TE_NS_DUT" cat "/sys/class/net/$TE_DUT_IF/threaded")"
	for pid in $(pgrep "^napi/$TE_DUT_IF-"); do
		assert_eq 1 "$(taskset -pc "$pid" | sed 's/.*: //')" "napi kthread $pid affinity"
	done
	assert_ok dut_napi_place "$TE_DUT_IF" softirq
	assert_eq 0 "$(ip netns exec "$TE_NS_DUT" cat "/sys/class/net/$TE_DUT_IF/threaded")"
	assert_ok dut_napi_place "$TE_DUT_IF" 0
	assert_eq 1 "$(ip netns exec "$TE_NS_DUT" cat "/sys/class/net/$TE_DUT_IF/threaded")"
}

# ---- smoke tests of the kernel-path receivers and senders (bench/*.c), on a veth pair ----
# Each sends a known number of UDP datagrams into a receiver and requires that exact count
# at both ends: a lost or miscounted frame fails, and so does a frame with a bad checksum
# (the UDP socket drops it). No XDP and no GRO on dut0, so veth hands every frame to the
# stack at once (netif_rx) and a few hundred frames are never dropped.

BB=$ROOT/build/bench
SMOKE_N=500

# A testbed and a scratch directory; both removed when the test's shell exits.
smoke_setup() {
	te_setup
	T=$(mktemp -d /tmp/xg-test-bench.XXXXXX)
	trap 'rm -rf "$T"; te_cleanup_trap' EXIT
}

# smoke_rx_start MODE: udp_rx --mode MODE on dut0 port 9 in the background (RX_PID), ready
# once its count file exists.
smoke_rx_start() {
	rm -f "$T/count"
	nsenter --net="/run/netns/$TE_NS_DUT" -- "$BB/udp_rx" --bind "$TE_DUT_IP4" --port 9 \
		--mode "$1" --count-file "$T/count" >"$T/rx.out" 2>&1 &
	RX_PID=$!
	wait_until 10 test -s "$T/count" ||
		_assert_fail_msg "udp_rx --mode $1 did not start: $(cat "$T/rx.out")"
}

# smoke_rx_expect N WHAT: wait (bounded) until the receiver counted N, stop it, check its
# count file and its final line.
smoke_rx_expect() {
	local n=$1 what=$2
	wait_until 10 out_ge "$n" cat "$T/count" || true # the count is checked below
	sleep 0.2 # not an event but its absence: a frame beyond N would show up now
	kill -TERM "$RX_PID"
	wait "$RX_PID"
	assert_eq "$n" "$(cat "$T/count")" "$what: receiver's count"
	assert_match "total [0-9.]+ s  rx $n " "$(cat "$T/rx.out")" "$what: receiver's last line"
}

# gen_do CMD...: CMD in the generator's namespace.
gen_do() { nsenter --net="/run/netns/$TE_NS_GEN" -- "$@"; }

# Every receive mode of udp_rx counts exactly what udp_tx (sendmmsg) sent, and udp_tx
# counts it too.
test_bench_udp_rx_modes() {
	local mode
	smoke_setup
	for mode in block busy select poll epoll busypoll uring; do
		smoke_rx_start "$mode"
		assert_ok gen_do "$BB/udp_tx" --dst "$TE_DUT_IP4" --port 9 --count "$SMOKE_N" --batch 32
		assert_match "total [0-9.]+ s  tx $SMOKE_N " "$ASSERT_OUT" "udp_tx's last line"
		smoke_rx_expect "$SMOKE_N" "udp_rx --mode $mode"
	done
}

# afpacket_tx, both modes, puts exactly --count valid UDP frames on the wire (counted by a
# UDP socket, which drops bad checksums), and --json reports it.
test_bench_afpacket_tx_modes() {
	local mode
	smoke_setup
	for mode in sendto ring; do
		smoke_rx_start block
		assert_ok gen_do "$BB/afpacket_tx" --iface "$TE_GEN_IF" --dst "$TE_DUT_IP4" \
			--mode "$mode" --count "$SMOKE_N" --size 128 --json
		assert_eq "$SMOKE_N" "$(jq -s 'map(select(.total)) | .[0].tx' <<<"$ASSERT_OUT")" \
			"afpacket_tx --mode $mode: its count"
		smoke_rx_expect "$SMOKE_N" "afpacket_tx --mode $mode"
	done
}

# afpacket_rx counts what afpacket_tx sends (the ring sees the frames on dut0).
test_bench_afpacket_rx_counts() {
	smoke_setup
	nsenter --net="/run/netns/$TE_NS_DUT" -- "$BB/afpacket_rx" --iface "$TE_DUT_IF" \
		--count-file "$T/count" >"$T/rx.out" 2>&1 &
	RX_PID=$!
	wait_until 10 test -s "$T/count"
	assert_ok gen_do "$BB/afpacket_tx" --iface "$TE_GEN_IF" --dst "$TE_DUT_IP4" \
		--mode ring --count "$SMOKE_N"
	smoke_rx_expect "$SMOKE_N" afpacket_rx
}

# xsk_rx, both ways of waiting, counts what afpacket_tx sends through libxdp's own program
# on dut0 (copy mode: veth has no zero-copy), says so on stderr, and takes the program
# away again when it stops.
test_bench_xsk_rx_counts() {
	local wait
	smoke_setup
	for wait in spin poll; do
		rm -f "$T/count"
		nsenter --net="/run/netns/$TE_NS_DUT" -- "$BB/xsk_rx" --iface "$TE_DUT_IF" \
			--wait "$wait" --count-file "$T/count" >"$T/rx.out" 2>"$T/rx.err" &
		RX_PID=$!
		wait_until 10 test -s "$T/count" ||
			_assert_fail_msg "xsk_rx --wait $wait did not start: $(cat "$T/rx.err")"
		assert_match "prog/xdp id [0-9]+ name xsk_def_prog" \
			"$(te_dut ip -d link show dev "$TE_DUT_IF")" "libxdp's program on dut0"
		assert_ok gen_do "$BB/afpacket_tx" --iface "$TE_GEN_IF" --dst "$TE_DUT_IP4" \
			--mode ring --count "$SMOKE_N"
		smoke_rx_expect "$SMOKE_N" "xsk_rx --wait $wait"
		assert_match "^xsk_rx: $TE_DUT_IF queue 0: copy mode \(zero-copy refused" \
			"$(cat "$T/rx.err")" "the mode it got, on stderr"
		assert_eq 0 "$(te_dut ip -d link show dev "$TE_DUT_IF" | grep -c 'prog/xdp')" \
			"no XDP program left on dut0 after xsk_rx --wait $wait"
	done
}

# The programs' bad options: one line naming the culprit, exit status 2.
test_bench_bins_bad_options() {
	local rc
	for args in "udp_rx --port 9 --mode spin" "udp_tx --dst 198.18.0.1" \
		"afpacket_tx --iface lo --dst 198.18.0.1 --mode mmap" "udp_tx --dst x --port 9 --size 20" \
		"xsk_rx --iface lo --wait busy" "xsk_rx --iface lo --queue 1024" "xsk_rx --wait spin"; do
		rc=0
		# shellcheck disable=SC2086 # word splitting intended
		ASSERT_OUT=$("$BB"/$args 2>&1) || rc=$?
		assert_eq 2 "$rc" "$args: exit status"
		assert_eq 1 "$(wc -l <<<"$ASSERT_OUT")" "$args: one line"
	done
	assert_match "'spin' is not block, busy, select, poll, epoll, busypoll or uring" \
		"$("$BB/udp_rx" --port 9 --mode spin 2>&1 || true)"
}

# bench_task_jiffies counts the CPU time of the PIDs a side recorded, and nothing of an
# exited one.
test_bench_task_jiffies() {
	local pid j
	source "$ROOT/bench/lib.sh"
	scratch
	BENCH_PIDFILE=$T/pids
	bash -c 'SECONDS=0; while ((SECONDS < 5)); do :; done' &
	pid=$!
	bench_own_pid gen "$pid"
	bench_own_pid gen 999999999 # no such task
	wait_until 10 out_ge 1 bench_task_jiffies gen
	j=$(bench_task_jiffies gen)
	kill "$pid"
	wait "$pid" || true
	assert_ge "$j" 1 "a spinning task's CPU ticks"
	assert_eq 0 "$(_pid_jiffies /dev/null)" "no task"
	assert_eq "$pid" "$(head -n 1 "$T/pids.gen")"
}

# The rule-count rows come from one family file each (ROW_PARAMS): the ten rows are listed
# with their own names, descriptions and orders, and no other file defines them.
test_bench_row_families() {
	local list n
	list=$("$ROOT/bench/run.sh" --list)
	for n in 1 10 100 1000 10000; do
		assert_eq 1 "$(grep -cE "^rules-xdpgate-$n +xdpgate attach --rules \(gen_rules.py $n:" <<<"$list")"
		assert_eq 1 "$(grep -cE "^rules-nft-$n +nftables netdev ingress, gen_rules.py $n --nft" <<<"$list")"
	done
	assert_eq 10 "$(grep -c '^rules-' <<<"$list")" "rules-* rows"
	assert_eq "" "$(cd "$ROOT/bench/rows" && ls rules-*-*.sh 2>/dev/null)" "per-N row files"
	assert_eq "rules-xdpgate-100 64" "$("$ROOT/bench/run.sh" --plan --rows rules-xdpgate-100 2>/dev/null)"
}

# QUICK=1 plans one entry per row family, the first runnable default row of each, at one size.
test_bench_quick_plan() {
	local plan fams
	plan=$("$ROOT/bench/run.sh" --quick --plan 2>/dev/null)
	assert_match "^bare-drop 64" "$plan" "the ceiling row first"
	fams=$(awk '{ split($1, p, "-"); print p[1] }' <<<"$plan")
	assert_eq "$(sort -u <<<"$fams" | wc -l)" "$(wc -l <<<"$plan")" "one entry per family"
	assert_ge "$(wc -l <<<"$plan")" 6 "families in the smoke pass"
	assert_le "$(wc -l <<<"$plan")" 11 "families in the smoke pass"
	# the full default matrix is more than that
	assert_ge "$("$ROOT/bench/run.sh" --plan 2>/dev/null | wc -l)" 20
}
