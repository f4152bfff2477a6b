#!/bin/bash
# Integration tests of `xdpgate run`, the AF_XDP worker pool, on testenv veth pairs (copy
# mode: veth has no zero-copy). Run by run-tests.sh (errexit on; see lib-assert.sh).
# shellcheck shell=bash disable=SC2154 # TE_* and ROOT come from the runner and te_setup

XG=${XDPGATE:-$ROOT/build/xdpgate}

# shellcheck source=testenv/lib-run.sh
source "$ROOT/testenv/lib-run.sh"

# Start `run` on the DUT interface; its output goes to $RUN_OUT. Sets RUN_PID.
run_start() {
	RUN_OUT=$(mktemp /tmp/xg-run-XXXXXX)
	run_bg "$RUN_OUT" "$TE_DUT_IF" "$@"
}

# SIGINT, and wait for it to be gone: a run that hangs fails here (10 s). How long it took is
# printed, never asserted: a loaded machine may take longer than the 1 s plus drain run aims at.
run_stop() {
	local t0
	t0=$(date +%s%N)
	kill -INT "$RUN_PID"
	wait_until 10 gone "$RUN_PID"
	wait "$RUN_PID" || true
	echo "# run exited $((($(date +%s%N) - t0) / 1000000)) ms after SIGINT" >&2
}

# Read what the gate redirected to xsk, stop run (started with --json), and read its
# workers' totals: sets REDIRECTED, RX, DROP (rx_dropped) and FULL (rx_ring_full).
stop_and_account() {
	local out
	REDIRECTED=$(te_dut "$XG" status "$TE_DUT_IF" --json |
		jq '.interfaces[0].counters.xsk.packets')
	run_stop
	out=$(tail -n 1 "$RUN_OUT")
	RX=$(jq '[.workers[].rx] | add' <<<"$out")
	DROP=$(jq '[.workers[].xdp_statistics.rx_dropped] | add' <<<"$out")
	FULL=$(jq '[.workers[].xdp_statistics.rx_ring_full] | add' <<<"$out")
}

no_xdp_on_dut() {
	assert_eq "" "$(te_dut ip -d link show "$TE_DUT_IF" | grep -o 'prog/xdp' || true)" \
		"no XDP program left on $TE_DUT_IF"
}

# Every frame arrives once, intact and in order (the generator's markers), and is counted.
# 25 kpps into an 8192-frame ring: a third of a second for a worker kept off its CPU by a
# loaded machine before the kernel would drop a frame.
test_run_delivery_verified() {
	te_setup
	run_start --handler count:verify --copy --ring-size 8192
	assert_ok gen --count 50000 --rate 25000 --flows 8
	wait_until 10 pool_took 50000
	# run publishes its workers' counters where stats --json finds them
	assert_eq 50000 "$(te_dut "$XG" stats "$TE_DUT_IF" --count 1 --json | tail -n 1 |
		jq '.pool.workers[0].rx')" "pool counters in stats --json"
	run_stop
	assert_match "verify: 50000 marked frames, 0 duplicate or reordered, 0 missing" \
		"$(cat "$RUN_OUT")"
	assert_match "rx 50000, tx 0, handled 50000" "$(cat "$RUN_OUT")"
	assert_match "copy mode" "$(cat "$RUN_OUT")"
	no_xdp_on_dut
	rm -f "$RUN_OUT"
}

# reflect turns pings into replies with swapped addresses: ping succeeds though the DUT's
# kernel never sees the requests (the pool took them).
test_run_reflect_ping() {
	te_setup --peer-napi
	run_start --handler reflect
	assert_ok te_gen ping -c 5 -i 0.2 -W 1 "$TE_DUT_IP4"
	assert_ok te_gen ping -6 -c 3 -i 0.2 -W 1 "$TE_DUT_IP6"
	run_stop
	assert_match "tx 8" "$(cat "$RUN_OUT")"
	rm -f "$RUN_OUT"
}

# pcap: tshark reads back the same number of frames with the same bytes.
test_run_pcap() {
	local pcap
	pcap=$(mktemp /tmp/xg-run-XXXXXX.pcap)
	te_setup
	run_start --handler "pcap:$pcap"
	assert_ok gen --count 1000 --rate 50000 --size 128
	wait_until 10 pool_took 1000
	run_stop
	assert_eq 1000 "$(tshark -r "$pcap" 2>/dev/null | wc -l)" "frames in the pcap"
	assert_eq 124000 "$(tshark -r "$pcap" -T fields -e frame.len 2>/dev/null |
		awk '{ s += $1 } END { print s }')" "bytes in the pcap"
	assert_eq 1000 "$(tshark -r "$pcap" -Y 'udp.dstport == 9 && ip.dst == 198.18.0.2' \
		2>/dev/null | wc -l)" "frames as sent"
	rm -f "$pcap" "$RUN_OUT"
}

# Two queues, a worker each; only the marked flow goes to the pool, the rest passes.
test_run_two_queues_rules() {
	local rules
	rules=$(mktemp /tmp/xg-rules-XXXXXX)
	printf 'xsk proto udp dport 9\ndefault pass\n' >"$rules"
	te_setup --queues 2
	run_start --rules "$rules" --ring-size 8192
	assert_match "queue 0: copy mode" "$(cat "$RUN_OUT")"
	assert_match "queue 1: copy mode" "$(cat "$RUN_OUT")"
	assert_ok te_gen taskset -c 0,1 "$XG" gen "$TE_GEN_IF" --dst "$TE_DUT_IP4" \
		--dst-mac "$TE_DUT_MAC" --count 40000 --threads 2 --rate 40000
	assert_ok te_gen ping -c 3 -i 0.2 -W 1 "$TE_DUT_IP4"
	wait_until 10 pool_took 40000
	run_stop
	local q0 q1
	q0=$(sed -n 's/^queue 0 totals.* rx \([0-9]*\),.*/\1/p' "$RUN_OUT")
	q1=$(sed -n 's/^queue 1 totals.* rx \([0-9]*\),.*/\1/p' "$RUN_OUT")
	assert_ge "$q0" 1 "queue 0 received"
	assert_ge "$q1" 1 "queue 1 received"
	assert_eq 40000 $((q0 + q1)) "both workers together"
	rm -f "$rules" "$RUN_OUT"
}

# A sender faster than the worker: drops are counted by reason, nothing hangs, and frames
# the gate redirected = received + rx_dropped + rx_ring_full.
test_run_overload_accounting() {
	te_setup
	run_start --handler count --ring-size 256 --batch 16 --json
	assert_ok gen --count 2000000
	wait_until 10 pool_settled
	stop_and_account
	assert_eq 2000000 "$REDIRECTED" "frames the gate redirected"
	assert_eq "$REDIRECTED" $((RX + DROP + FULL)) "received + rx_dropped + rx_ring_full"
	assert_ge $((DROP + FULL)) 1 "the overload dropped something"
	rm -f "$RUN_OUT"
}

# kill -9 leaves nothing attached (bpf_link); SIGINT detaches (checked in run_stop users).
test_run_kill9_detaches() {
	te_setup
	run_start
	te_dut ip -d link show "$TE_DUT_IF" | grep -q 'prog/xdp'
	kill -KILL "$RUN_PID"
	wait "$RUN_PID" || true
	wait_until 10 xdp_none
	# a new run starts cleanly over the stale pins
	run_start
	run_stop
	no_xdp_on_dut
	rm -f "$RUN_OUT"
}

# --zerocopy on veth is a clear error; --copy works; --zerocopy with --copy is refused.
test_run_modes() {
	te_setup
	assert_fail te_dut "$XG" run "$TE_DUT_IF" --zerocopy --duration 1
	assert_match "zero-copy refused .*drop --zerocopy" "$ASSERT_OUT"
	no_xdp_on_dut
	assert_fail te_dut "$XG" run "$TE_DUT_IF" --zerocopy --copy
	assert_fail te_dut "$XG" run "$TE_DUT_IF" --handler nosuch
	assert_match "unknown handler 'nosuch'" "$ASSERT_OUT"
	assert_ok te_dut "$XG" run "$TE_DUT_IF" --copy --duration 1 --wait busy-poll
	assert_ok te_dut "$XG" run "$TE_DUT_IF" --copy --duration 1 --wait spin
}

# run joins a gate that `attach` holds, and leaves it attached when it exits.
test_run_joins_attached_gate() {
	local rules
	rules=$(mktemp /tmp/xg-rules-XXXXXX)
	printf 'xsk proto udp\ndefault pass\n' >"$rules"
	te_setup
	assert_ok te_dut "$XG" attach "$TE_DUT_IF" --rules "$rules"
	run_start
	assert_match "joined the attached gate" "$(cat "$RUN_OUT")"
	assert_ok gen --count 1000 --rate 50000
	wait_until 10 pool_took 1000
	run_stop
	assert_match "rx 1000," "$(cat "$RUN_OUT")"
	assert_match "xdpgate attached" "$(te_dut "$XG" status "$TE_DUT_IF")"
	assert_ok te_dut "$XG" detach "$TE_DUT_IF"
	rm -f "$rules" "$RUN_OUT"
}

# Malformed and truncated frames reaching reflect never crash it.
test_run_reflect_malformed() {
	local rules
	rules=$(mktemp /tmp/xg-rules-XXXXXX)
	printf 'xsk\n' >"$rules"
	te_setup --peer-napi
	run_start --handler reflect --rules "$rules"
	assert_ok te_gen python3 "$ROOT/testenv/send_garbage.py" "$TE_GEN_IF" "$TE_DUT_MAC" 3000
	wait_until 10 pool_took 3000
	kill -0 "$RUN_PID"
	run_stop
	assert_match "rx 3000," "$(cat "$RUN_OUT")"
	rm -f "$rules" "$RUN_OUT"
}

# busy-poll sets the interface's NAPI deferral for its lifetime (read through the DUT
# namespace's own sysfs), delivers every frame, and puts the old values back on exit.
test_run_busy_poll_napi_settings() {
	local before_d before_g sent
	te_setup
	before_d=$(ip netns exec "$TE_NS_DUT" cat "/sys/class/net/$TE_DUT_IF/napi_defer_hard_irqs")
	before_g=$(ip netns exec "$TE_NS_DUT" cat "/sys/class/net/$TE_DUT_IF/gro_flush_timeout")
	run_start --handler count --wait busy-poll --copy
	assert_eq 2 "$(ip netns exec "$TE_NS_DUT" cat "/sys/class/net/$TE_DUT_IF/napi_defer_hard_irqs")" \
		"napi_defer_hard_irqs while busy polling"
	assert_eq 200000 "$(ip netns exec "$TE_NS_DUT" cat "/sys/class/net/$TE_DUT_IF/gro_flush_timeout")" \
		"gro_flush_timeout while busy polling"
	# with the interface's interrupts deferred, a worker that loses its CPU for a moment
	# lets the veth's 256-frame ring overflow: gen then counts (and fails on) what the
	# driver dropped, and the pool must have every frame the driver took (how many that is
	# depends on how busy the machine is: some, at least)
	gen --count 20000 --rate 20000 >"$RUN_OUT.gen" 2>&1 || true
	sent=$(sed -n 's/.* total .* sent *\([0-9]*\) .*/\1/p' "$RUN_OUT.gen")
	assert_ge "$sent" 1000 "frames the driver accepted"
	wait_until 10 pool_took "$sent"
	run_stop
	assert_match "rx $sent, tx 0, handled $sent" "$(cat "$RUN_OUT")"
	assert_match "busy polling: napi_defer_hard_irqs 2, gro_flush_timeout 200000 ns" \
		"$(cat "$RUN_OUT")"
	assert_eq "$before_d" "$(ip netns exec "$TE_NS_DUT" cat "/sys/class/net/$TE_DUT_IF/napi_defer_hard_irqs")" \
		"napi_defer_hard_irqs restored"
	assert_eq "$before_g" "$(ip netns exec "$TE_NS_DUT" cat "/sys/class/net/$TE_DUT_IF/gro_flush_timeout")" \
		"gro_flush_timeout restored"
	rm -f "$RUN_OUT" "$RUN_OUT.gen"
}

# A second `run` that cannot bind (the queue is served: EBUSY) changes nothing: the live
# rule set and the traffic to the first pool stay as they were; on its own gate and on a
# gate held by `attach`.
second_run_case() {
	local rules before
	rules=$(mktemp /tmp/xg-rules-XXXXXX)
	printf 'drop\ndefault drop\n' >"$rules"
	run_start
	before=$(te_dut "$XG" rules list "$TE_DUT_IF" --json | jq -c '[.default, [.rules[].text]]')
	assert_fail te_dut "$XG" run "$TE_DUT_IF" --rules "$rules" --duration 1
	assert_match "Device or resource busy" "$ASSERT_OUT"
	assert_eq "$before" "$(te_dut "$XG" rules list "$TE_DUT_IF" --json |
		jq -c '[.default, [.rules[].text]]')" "live rule set after the failed run"
	assert_ok gen --count 1000 --rate 50000
	wait_until 10 pool_took 1000
	run_stop
	assert_match "rx 1000," "$(cat "$RUN_OUT")" "the first pool still gets every frame"
	rm -f "$rules" "$RUN_OUT"
}

test_run_failed_second_run_keeps_rules() {
	te_setup
	second_run_case
	no_xdp_on_dut
}

test_run_failed_second_run_keeps_attached_rules() {
	local rules
	rules=$(mktemp /tmp/xg-rules-XXXXXX)
	printf 'xsk proto udp\ndefault pass\n' >"$rules"
	te_setup
	assert_ok te_dut "$XG" attach "$TE_DUT_IF" --rules "$rules"
	second_run_case
	assert_match "xsk proto udp" "$(te_dut "$XG" rules list "$TE_DUT_IF")"
	assert_ok te_dut "$XG" detach "$TE_DUT_IF"
	rm -f "$rules"
}

# Deleting the interface under `run`: it says so in one line, cleans up (no pins, no
# published counters) and exits 1 within a stats interval or two.
test_run_interface_deleted() {
	local rc=0 t0 pins
	te_setup
	run_start
	pins="/sys/fs/bpf/xdpgate/ns$(stat -L -c %i "/run/netns/$TE_NS_DUT")"
	assert_ok test -e "$pins"
	t0=$(date +%s%N)
	te_dut ip link del "$TE_DUT_IF"
	wait "$RUN_PID" || rc=$?
	assert_le $((($(date +%s%N) - t0) / 1000000)) 2500 "ms from the deletion to run's exit"
	assert_eq 1 "$rc" "run's exit status"
	assert_match "xdpgate: run: $TE_DUT_IF: the interface is gone" "$(cat "$RUN_OUT")"
	assert_eq 1 "$(sed -n '/Ctrl-C to stop/,$p' "$RUN_OUT" | grep -c '^xdpgate:')" \
		"error lines after the start"
	assert_eq "" "$(find "$pins" -name 'xg_*' 2>/dev/null)" "pinned maps left behind"
	rm -f "$RUN_OUT"
}

# The interface going down and up under `run` does not end it: it serves again after.
test_run_interface_down_up() {
	te_setup
	run_start
	assert_ok gen --count 1000 --rate 50000
	wait_until 10 pool_took 1000
	te_dut ip link set "$TE_DUT_IF" down
	# not an event but its absence: run looks at its interface once a stats interval (1 s),
	# so 1.5 s down is time enough for it to end if it would
	sleep 1.5
	assert_ok kill -0 "$RUN_PID"
	te_dut ip link set "$TE_DUT_IF" up
	wait_until 10 links_up
	assert_ok gen --count 1000 --rate 50000
	wait_until 10 pool_took 2000
	run_stop
	assert_match "rx 2000," "$(cat "$RUN_OUT")"
	no_xdp_on_dut
	rm -f "$RUN_OUT"
}

# --queues naming a queue the interface lacks is refused before anything is attached, in
# one line that names the queue and the interface's queues.
test_run_queue_missing() {
	te_setup --queues 2
	assert_fail te_dut "$XG" run "$TE_DUT_IF" --queues 0,2 --duration 1
	assert_eq "xdpgate: run: $TE_DUT_IF has no queue 2 (receive queues 0-1)" "$ASSERT_OUT"
	no_xdp_on_dut
}

# SIGSTOP of `run` under traffic, then SIGCONT: it serves again after, and every frame the
# gate redirected to xsk is worker rx + XDP_STATISTICS drops (the stopped worker's ring
# fills; the kernel counts the rest).
test_run_sigstop_sigcont() {
	te_setup
	run_start --handler count --json
	assert_ok gen --count 5000 --rate 50000
	wait_until 10 pool_took 5000
	kill -STOP "$RUN_PID"
	assert_ok gen --count 200000
	kill -CONT "$RUN_PID"
	wait_until 10 running "$RUN_PID"
	assert_ok gen --count 5000 --rate 50000
	wait_until 10 pool_settled
	stop_and_account
	assert_eq 210000 "$REDIRECTED" "frames the gate redirected"
	assert_eq "$REDIRECTED" $((RX + DROP + FULL)) "received + rx_dropped + rx_ring_full"
	assert_ge $((DROP + FULL)) 1 "the stopped worker dropped something"
	assert_ge "$RX" 10000 "served before the stop and after the continue"
	no_xdp_on_dut
	rm -f "$RUN_OUT"
}

# MTU changes under `run`: the DUT's MTU to 9000 and back keeps it serving (every frame
# counted); the gate is frags-aware, so a native `run` with the peer at 9000 starts, and
# leaves nothing attached or pinned.
test_run_mtu_changes() {
	local pins
	te_setup
	pins="/sys/fs/bpf/xdpgate/ns$(stat -L -c %i "/run/netns/$TE_NS_DUT")"
	run_start --handler count
	assert_ok gen --count 1000 --rate 50000
	wait_until 10 pool_took 1000
	assert_ok te_dut ip link set dev "$TE_DUT_IF" mtu 9000
	assert_ok gen --count 1000 --rate 50000
	wait_until 10 pool_took 2000
	assert_ok te_dut ip link set dev "$TE_DUT_IF" mtu 1500
	assert_ok gen --count 1000 --rate 50000
	wait_until 10 pool_took 3000
	assert_ok kill -0 "$RUN_PID"
	run_stop
	assert_match "rx 3000," "$(cat "$RUN_OUT")"
	no_xdp_on_dut
	assert_eq "" "$(find "$pins" -name 'xg_*' 2>/dev/null)" "pinned maps left behind"

	assert_ok te_gen ip link set dev "$TE_GEN_IF" mtu 9000
	assert_ok te_dut "$XG" run "$TE_DUT_IF" --mode native --duration 1
	no_xdp_on_dut
	assert_eq "" "$(find "$pins" -name 'xg_*' 2>/dev/null)" "pinned maps left behind"
	rm -f "$RUN_OUT"
}

# bpffs unmounted at start (in a private mount namespace, so the real one is untouched):
# `run` mounts it, says so, serves, and leaves nothing attached.
test_run_bpffs_unmounted() {
	te_setup
	# shellcheck disable=SC2016 # expanded by the inner bash
	assert_ok unshare -m --propagation private -- bash -c '
		while mountpoint -q /sys/fs/bpf; do umount /sys/fs/bpf || exit 9; done
		nsenter --net="/run/netns/$1" -- "$2" run "$3" --copy --duration 1' \
		bash "$TE_NS_DUT" "$XG" "$TE_DUT_IF"
	assert_match "mounted bpffs at /sys/fs/bpf" "$ASSERT_OUT"
	assert_match "Ctrl-C to stop" "$ASSERT_OUT"
	no_xdp_on_dut
}

# `attach` and `detach` on an interface that `run` holds (through its bpf_link) name the
# holder by pid, fail with exit 1 and change nothing: run keeps serving and detaches at its
# stop.
test_run_holder_named() {
	te_setup
	run_start --handler count
	assert_fail te_dut "$XG" attach "$TE_DUT_IF" --default drop
	assert_match "^xdpgate: attach: $TE_DUT_IF: xdpgate is already attached \(program id [0-9]+, native mode\), held by process $RUN_PID \(xdpgate\); stop that process to release it$" \
		"$ASSERT_OUT"
	assert_fail te_dut "$XG" detach "$TE_DUT_IF"
	assert_eq "xdpgate: detach: $TE_DUT_IF: held by process $RUN_PID (xdpgate) through a bpf_link; stop that process to detach" \
		"$ASSERT_OUT"
	assert_ok gen --count 1000 --rate 50000
	wait_until 10 pool_took 1000
	run_stop
	assert_match "rx 1000," "$(cat "$RUN_OUT")"
	no_xdp_on_dut
	rm -f "$RUN_OUT"
}

# The workers' rx total, from stats --json.
pcap_pool_rx() {
	te_dut "$XG" stats "$TE_DUT_IF" --count 1 --json | tail -n 1 | jq '[.pool.workers[].rx] | add'
}

# pcap rotate= after the capability drop: the workers make the parts holding no capability.
# In a directory root writes only through CAP_DAC_OVERRIDE (nobody's, 0755) they could not
# make x.pcap.1, so run refuses at start in one line and attaches nothing (it used to write
# the first file, lose every later frame and exit 0); in root's directory the parts rotate,
# every frame is captured once, and every part is mode 0600 under umask 022.
test_run_pcap_rotate_after_caps_drop() {
	local d rc=0 out f n=0
	umask 022
	te_setup
	d=$(mktemp -d /tmp/xg-rot-XXXXXX)
	chmod 0755 "$d"
	chown 65534:65534 "$d"
	out=$(nsenter --net="/run/netns/$TE_NS_DUT" -- "$XG" run "$TE_DUT_IF" \
		--handler "pcap:$d/x.pcap,rotate=1" --duration 1 2>&1) || rc=$?
	assert_ne 0 "$rc" "run's exit code in nobody's directory"
	assert_match "xdpgate: handler pcap: cannot rotate $d/x.pcap: the workers hold no capability and could not create x.pcap.1 in its directory \(owner uid 65534, mode 0755: Permission denied\)" \
		"$out"
	assert_eq 1 "$(grep -c 'handler pcap' <<<"$out")" "lines about the handler"
	assert_fail test -e "$d/x.pcap.1"
	no_xdp_on_dut
	chown 0:0 "$d"
	run_start --handler "pcap:$d/x.pcap,rotate=1"
	assert_ok gen --count 20000 --rate 50000 --size 128
	wait_until 20 out_eq 20000 pcap_pool_rx
	run_stop
	assert_match "rx 20000," "$(cat "$RUN_OUT")"
	assert_ok test -e "$d/x.pcap.2" # 144 bytes a frame on disk: 2.9 MB
	for f in "$d"/x.pcap*; do
		assert_eq 600 "$(stat -c %a "$f")" "mode of $f"
		n=$((n + $(tshark -r "$f" 2>/dev/null | wc -l)))
	done
	assert_eq 20000 "$n" "frames in the parts"
	assert_eq "" "$(grep 'not captured' "$RUN_OUT" || true)" "frames lost"
	rm -rf "$d" "$RUN_OUT"
}

# Values that were refused late (after the pool started) or with exit 1: each is refused
# with one line and exit 2 before anything is attached, started or created.
test_run_late_checks() {
	local d rc out args
	te_setup
	d=$(mktemp -d /tmp/xg-late.XXXXXX)
	trap 'rm -rf "$d"; te_cleanup_trap' EXIT
	for args in "--metrics bogus" "--handler pcap:" "--handler pcap:$d/x.pcap,rotate=0" \
		"--handler pcap:$d/x.pcap,rotate=1,junk" "--handler pcap:$d/x.pcap,junk=1"; do
		rc=0
		# shellcheck disable=SC2086 # the words of args are the options
		out=$(te_dut "$XG" run "$TE_DUT_IF" $args --duration 1 2>&1) || rc=$?
		assert_eq 2 "$rc" "exit code of run $args"
		assert_eq 1 "$(wc -l <<<"$out")" "one line for run $args: $out"
		no_xdp_on_dut
	done
	rc=0
	out=$(te_dut "$XG" run "$TE_DUT_IF," --duration 1 2>&1) || rc=$?
	assert_eq 2 "$rc" "exit code of run '$TE_DUT_IF,'"
	assert_eq "xdpgate: run: '$TE_DUT_IF,' is not a list of interfaces (IFACE[,IFACE...])" "$out"
	no_xdp_on_dut
	assert_eq "" "$(ls -A "$d")" "no capture file created"
	rc=0
	out=$(te_gen "$XG" gen "$TE_GEN_IF" --dst 300.1.1.1 --count 1 2>&1) || rc=$?
	assert_eq 2 "$rc" "exit code of gen --dst 300.1.1.1"
	assert_eq "xdpgate: gen: --dst: '300.1.1.1' is not an IPv4 address" "$out"
}

# user/examples/embed_reload: a program that runs two interfaces through the service layer
# alone builds, serves both (frames reach its pool), and applies one SIGHUP reload of both
# rules files, all or nothing, saying so in one line; SIGINT ends it with exit 0.
test_run_embed_reload() {
	local ex=$ROOT/build/examples/embed_reload d pid rc
	[[ -x $ex ]] || { echo "embed_reload was not built (make all builds it)" >&2; return 1; }
	te_setup --pairs 2
	d=$(mktemp -d /tmp/xg-embed.XXXXXX)
	trap 'rm -rf "$d"; te_cleanup_trap' EXIT
	printf 'xsk proto udp dport 9\ndefault pass\n' >"$d/r0.rules"
	printf 'xsk proto udp dport 10\ndefault pass\n' >"$d/r1.rules"
	nsenter --net="/run/netns/$TE_NS_DUT" -- "$ex" "$TE_DUT_IF" "$d/r0.rules" \
		"$TE_DUT_IF2" "$d/r1.rules" 60 >"$d/out" 2>&1 &
	pid=$!
	wait_until 20 file_has "^serving" "$d/out"
	assert_match "^serving $TE_DUT_IF and $TE_DUT_IF2" "$(grep "^serving" "$d/out")"
	assert_eq "xsk proto udp dport 9" \
		"$(te_dut "$XG" rules list "$TE_DUT_IF" --json | jq -r '[.rules[].text] | join(" | ")')"
	gen --count 1000 --rate 10000 >/dev/null

	printf 'drop proto udp dport 9\ndefault pass\n' >"$d/r0.rules"
	printf 'drop proto udp dport 10\ndefault pass\n' >"$d/r1.rules"
	kill -HUP "$pid"
	wait_until 20 file_has "^reload" "$d/out"
	assert_eq "reload: $TE_DUT_IF: 1 rules from $d/r0.rules, $TE_DUT_IF2: 1 rules from $d/r1.rules in force" \
		"$(grep "^reload" "$d/out")"
	assert_eq "drop proto udp dport 9" \
		"$(te_dut "$XG" rules list "$TE_DUT_IF" --json | jq -r '[.rules[].text] | join(" | ")')"
	assert_eq "drop proto udp dport 10" \
		"$(te_dut "$XG" rules list "$TE_DUT_IF2" --json | jq -r '[.rules[].text] | join(" | ")')"
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_eq 0 "$rc" "embed_reload's exit status: $(cat "$d/out")"
	assert_match "$TE_DUT_IF: received 1000" "$(cat "$d/out")"
	assert_match "$TE_DUT_IF2: received 0" "$(cat "$d/out")"
}

# A capture that loses frames ends with exit 1 and says so: the rotation's second part
# cannot be made (x.pcap.1 is a directory), so the frames after the first megabyte are
# counted as errors, and run's last lines name them and it exits 1 (it used to exit 0).
test_run_pcap_lost_exit_1() {
	local d rc=0
	te_setup
	d=$(mktemp -d /tmp/xg-lost-XXXXXX)
	mkdir "$d/x.pcap.1"
	run_start --handler "pcap:$d/x.pcap,rotate=1"
	assert_ok gen --count 20000 --rate 50000 --size 128
	wait_until 20 out_eq 20000 pcap_pool_rx
	kill -INT "$RUN_PID"
	wait "$RUN_PID" || rc=$?
	assert_eq 1 "$rc" "run's exit code after losing frames: $(cat "$RUN_OUT")"
	assert_match "frames not captured" "$(cat "$RUN_OUT")"
	assert_match "xdpgate: run: $TE_DUT_IF: [0-9]+ frames the handler could not handle \(errors\)" \
		"$(cat "$RUN_OUT")"
	rm -rf "$d" "$RUN_OUT"
}
