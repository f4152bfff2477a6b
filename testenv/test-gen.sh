#!/bin/bash
# Integration tests of `xdpgate gen`: exact counts, pacing, valid frames with markers, and
# clear errors. Counted at a bare-drop DUT through the veth's own XDP counters.
# shellcheck shell=bash disable=SC2154 # TE_* and ROOT come from the runner and te_setup

XG=${XDPGATE:-$ROOT/build/xdpgate}

# The DUT veth's XDP packet counter, summed over queues.
dut_xdp_packets() {
	te_dut ethtool -S "$TE_DUT_IF" | awk '/rx_queue_[0-9]+_xdp_packets:/ { n += $2 } END { print n + 0 }'
}

# Hold the bare drop program on dut0 for $1 seconds, in the background; returns once it is
# attached.
bare_drop_for() {
	te_dut "$XG" baseline drop "$TE_DUT_IF" --duration "$1" >/dev/null &
	wait_until 10 xdp_attached
}

# Exact counts, for engine $1; te_setup takes the rest.
count_exact() {
	local e=(--engine "$1")
	te_setup "${@:2}"
	bare_drop_for 40
	assert_ok gen "${e[@]}" --count 100000
	assert_eq 100000 "$(dut_xdp_packets)" "$1: frames at the DUT after --count 100000"
	assert_ok gen "${e[@]}" --count 777 --threads 2 --flows 5
	assert_eq 100777 "$(dut_xdp_packets)" "$1: after --count 777 on two threads"
	assert_ok gen "${e[@]}" --count 50000 -6 --src fd00:18::1 --dst fd00:18::2 --size 128
	assert_eq 150777 "$(dut_xdp_packets)" "$1: after 50000 IPv6 frames"
	kill %1 2>/dev/null || true
	wait
}

test_gen_count_exact() {
	count_exact live
}

# The xsk engine puts thread i on queue i: two threads need a 2-queue veth.
test_gen_xsk_count_exact() {
	count_exact xsk --queues 2
}

# rate_within ENGINE_ARGS... : `gen ARGS --rate $RATE --duration 5 --json` paces: the
# median of the one-second rates it reports after the first (which holds the start-up:
# program load, socket bind) is at most 2% over RATE, and at most 10% under it, and the DUT
# counted exactly the frames it sent. The median, nice -19 and the wider margin below: what
# is tested is the pacer, not how much of CPU0 the VM and the suite's neighbours leave it (a
# thread kept off its CPU for more than 20 ms restarts its schedule rather than bursting,
# so a stalled second reads short: 3% short was seen with every CPU busy). An unpaced or
# misjudging pacer is off by far more.
rate_within() {
	local before n pps
	before=$(dut_xdp_packets)
	assert_ok te_gen nice -n -19 "$XG" gen "$TE_GEN_IF" --dst "$TE_DUT_IP4" \
		--dst-mac "$TE_DUT_MAC" "$@" --rate "$RATE" --duration 5 --json
	n=$(($(dut_xdp_packets) - before))
	ASSERT_OUT=$(grep '^{' <<<"$ASSERT_OUT") # without the xsk engine's copy-mode line
	assert_eq "$(jq -s 'map(select(.total)) | .[0].sent' <<<"$ASSERT_OUT")" "$n" \
		"$* --rate $RATE: frames at the DUT against gen's total"
	pps=$(jq -s '[.[] | select(.interval and (.total | not))] | .[1:] | map(.sent_pps)
		| sort | if length >= 3 then .[length / 2 | floor] | floor else "too few" end' \
		<<<"$ASSERT_OUT")
	assert_ge "$pps" $((RATE * 90 / 100)) "$* --rate $RATE: median one-second rate"
	assert_le "$pps" $((RATE * 102 / 100)) "$* --rate $RATE: median one-second rate"
}

# The live engine paces within 2% at 100 kpps and 1 Mpps.
test_gen_rate_paced() {
	te_setup
	bare_drop_for 40
	RATE=100000 rate_within --engine live
	RATE=1000000 rate_within --engine live
	kill %1 2>/dev/null || true
	wait
}

# The xsk engine (paced in userspace) at 100 kpps, as rate_within checks it. A rate any
# machine reaches (1 kpps) is not said to be short; a rate no engine on any link reaches
# (1 Gpps, the most --rate takes: 100GbE carries 148 Mpps of its smallest frames) is sent at
# the engine's full speed and said to be short, in one line with the rate reached.
test_gen_xsk_rate_paced() {
	te_setup
	bare_drop_for 40
	RATE=100000 rate_within --engine xsk
	assert_ok gen --engine xsk --rate 1000 --duration 1.5
	assert_eq 0 "$(grep -c 'more than the xsk engine reached' <<<"$ASSERT_OUT" || true)" \
		"a short-rate line at 1 kpps"
	assert_ok gen --engine xsk --rate 1000000000 --duration 1.5
	assert_match "--rate 1000000000 is more than the xsk engine reached on gen0: [1-9][0-9]* frames/s" \
		"$ASSERT_OUT"
	assert_eq 1 "$(grep -c 'more than the xsk engine reached' <<<"$ASSERT_OUT")" "one line"
	kill %1 2>/dev/null || true
	wait
}

# Frames are valid on the wire: checksums good, markers count 0.. in order, flows vary
# source port and address. Captured on dut0 (GRO on gives it NAPI to accept them).
capture_case() {
	local engine=$1 proto=$2 fam=$3 src=$4 dst=$5 size=$6 pcap fields
	pcap=$(mktemp /tmp/xg-gen-XXXXXX.pcap)
	te_dut timeout 10 tcpdump -Q in -i "$TE_DUT_IF" -c 20 -w "$pcap" -U >/dev/null 2>"$pcap.err" &
	wait_until 10 file_has "listening on" "$pcap.err"
	assert_ok gen --engine "$engine" "-$fam" --proto "$proto" --src "$src" --dst "$dst" --flows 4 --count 20 \
		--size "$size"
	wait
	assert_eq 20 "$(tshark -r "$pcap" 2>/dev/null | wc -l)" "$proto/v$fam frames captured"
	# no checksum tshark can verify is bad
	fields=$(tshark -r "$pcap" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
		-o tcp.check_checksum:TRUE -Y 'ip.checksum.status == "Bad" ||
		udp.checksum.status == "Bad" || tcp.checksum.status == "Bad" ||
		icmp.checksum.status == "Bad" || icmpv6.checksum.status == "Bad"' 2>/dev/null | wc -l)
	assert_eq 0 "$fields" "$proto/v$fam frames with a bad checksum"
	rm -f "$pcap.txt"
	"$ROOT/testenv/gen_markers.py" "$pcap" 4 >"$pcap.txt" || true
	assert_eq "ok 20" "$(cat "$pcap.txt")" "$proto/v$fam markers"
	rm -f "$pcap" "$pcap.txt" "$pcap.err"
}

frames_valid() {
	te_setup
	te_dut ethtool -K "$TE_DUT_IF" gro on >/dev/null
	capture_case "$1" udp 4 198.18.0.1 198.18.0.2 64
	capture_case "$1" icmp 4 198.18.0.1 198.18.0.2 64
	capture_case "$1" tcp 4 198.18.0.1 198.18.0.2 128
	capture_case "$1" udp 6 fd00:18::1 fd00:18::2 128
	capture_case "$1" tcp 6 fd00:18::1 fd00:18::2 128
	capture_case "$1" icmp 6 fd00:18::1 fd00:18::2 128
}

test_gen_frames_valid() {
	frames_valid live
}

test_gen_xsk_frames_valid() {
	frames_valid xsk
}

test_gen_bad_options() {
	te_setup
	assert_fail gen --size 40
	assert_match "too small for IPv4/udp headers \(at least 46" "$ASSERT_OUT"
	assert_fail gen -6 --src fd00:18::1 --dst fd00:18::2 --size 64
	assert_match "too small for IPv6/udp headers \(at least 66" "$ASSERT_OUT"
	assert_fail gen --size 9000
	assert_match "above the live engine's 3524" "$ASSERT_OUT"
	assert_fail gen --engine xsk --size 9019
	assert_match "above 9018" "$ASSERT_OUT"
	assert_fail gen --threads 99
	assert_match "threads" "$ASSERT_OUT"
	assert_fail te_gen "$XG" gen "$TE_GEN_IF" --count 1
	assert_match "--dst ADDR is required" "$ASSERT_OUT"
	assert_fail gen --dst 1.2.3 --count 1
	assert_match "'1.2.3' is not an IPv4 address" "$ASSERT_OUT"
	assert_fail gen -4 -6 --count 1
	assert_fail gen --dst-mac zz --count 1
	assert_match "not a MAC address" "$ASSERT_OUT"
	assert_fail gen --rate -5
	assert_fail te_gen "$XG" gen nosuch0 --dst 198.18.0.2
	assert_match "no such interface 'nosuch0'" "$ASSERT_OUT"
	assert_fail gen --proto sctp
	assert_fail gen --engine dpdk --count 1
	assert_match "dpdk" "$ASSERT_OUT"
	# AF_XDP refused: a queue the single-queue veth does not have, and a down interface.
	# No interface kind refuses the bind itself on kernel 6.18: lo, tun (L3, no MAC), tap,
	# bridge, macvlan, ifb and vxlan all took a copy-mode socket and sent (tried by hand in
	# a namespace; ipip, sit, gre, dummy, vrf and the like are modules this kernel lacks).
	assert_fail gen --engine xsk --threads 2 --count 10
	assert_match "gen0 queue 1: cannot bind an AF_XDP socket" "$ASSERT_OUT"
	te_gen ip link set "$TE_GEN_IF" down
	assert_fail gen --engine xsk --count 10
	assert_match "transmitting failed: Network is down" "$ASSERT_OUT"
}

# "sent" is what the driver accepted. Frames the DUT's veth cannot take (no XDP program
# and no GRO there, so no NAPI to receive XDP frames: the redirect refuses them) are not
# sent: gen says so and fails.
test_gen_counts_what_the_kernel_accepted() {
	te_setup
	assert_fail gen --count 1000
	assert_match "sent +0 " "$ASSERT_OUT"
	assert_match "gen: $TE_GEN_IF: 1000 of 1000 frames not sent .*: Operation not supported" \
		"$ASSERT_OUT"
	bare_drop_for 5
	assert_ok gen --count 1000
	assert_match "sent +1000 " "$ASSERT_OUT"
	wait
}

# Deleting the interface under `gen --count N`: the frames after it are not reported as
# sent, the error is named, and the exit status is 1.
test_gen_interface_deleted() {
	local out rc=0 sent pid t0
	out=$(mktemp /tmp/xg-gen-XXXXXX)
	te_setup
	bare_drop_for 10
	te_gen "$XG" gen "$TE_GEN_IF" --dst "$TE_DUT_IP4" --dst-mac "$TE_DUT_MAC" \
		--count 3000000 --rate 500000 >"$out" 2>&1 &
	pid=$!
	wait_until 10 out_ge 10000 dut_xdp_packets # it is sending
	t0=$(date +%s%N)
	te_gen ip link del "$TE_GEN_IF"
	wait "$pid" || rc=$?
	assert_le $((($(date +%s%N) - t0) / 1000000)) 1500 "ms from the deletion to gen's exit"
	assert_eq 1 "$rc" "gen's exit status"
	sent=$(sed -n 's/.* total .* sent *\([0-9]*\) .*/\1/p' "$out")
	assert_ge "$sent" 1 "frames sent before the deletion"
	assert_le "$sent" 2999999 "frames reported sent"
	assert_match "gen: $TE_GEN_IF: transmitting failed: No such device \(the interface is gone\)" \
		"$(cat "$out")"
	wait || true
	rm -f "$out"
}
