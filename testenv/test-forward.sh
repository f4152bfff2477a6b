#!/bin/bash
# Integration tests of `xdpgate run` serving several interfaces, and of the forward
# handler, on two testenv veth pairs: frames the generator sends into dut0 leave by dut1 and
# are captured at the generator's second interface (gen1). Run by run-tests.sh (errexit on;
# see lib-assert.sh).
# shellcheck shell=bash disable=SC2154 # TE_* and ROOT come from the runner and te_setup

XG=${XDPGATE:-$ROOT/build/xdpgate}
XG_DEBUG=$ROOT/build/debug/xdpgate # the pool's frame accounting checked after every round

# shellcheck source=testenv/lib-run.sh
source "$ROOT/testenv/lib-run.sh"

FWD_FRAMES=3000
FWD_FLOWS=4

gen_dut0() {
	te_gen "$XG" gen "$TE_GEN_IF" --dst "$TE_DUT_IP4" --dst-mac "$TE_DUT_MAC" \
		--count "$FWD_FRAMES" --rate 30000 --flows "$FWD_FLOWS" --size 100 "$@"
}

# capture NS IF PCAP: tcpdump of what arrives on IF, FWD_FRAMES frames at most, in the
# background; returns once it listens. Sets CAP_PID.
capture() {
	local ns=$1 ifc=$2 pcap=$3 i
	nsenter --net="/run/netns/$ns" -- timeout 20 tcpdump -Q in -i "$ifc" -U \
		-c "$FWD_FRAMES" -w "$pcap" 2>"$pcap.err" &
	CAP_PID=$!
	for ((i = 0; i < 50; i++)); do
		grep -q "listening on" "$pcap.err" 2>/dev/null && return 0
		sleep 0.1
	done
	cat "$pcap.err" >&2
	return 1
}

# The frames of a pcap as hex, one a line.
frame_bytes() {
	python3 -c '
import sys
sys.path.insert(0, sys.argv[1])
import gen_markers
for f in gen_markers.frames(sys.argv[2]):
    print(f.hex())' "$ROOT/testenv" "$1"
}

# The reference: what the generator sends, captured on dut0 before any XDP program is
# there (GRO gives dut0 the NAPI that accepts the generator's XDP frames).
reference_capture() {
	REF=$(mktemp /tmp/xg-fwd-ref-XXXXXX.pcap)
	te_dut ethtool -K "$TE_DUT_IF" gro on >/dev/null
	capture "$TE_NS_DUT" "$TE_DUT_IF" "$REF"
	assert_ok gen_dut0
	wait "$CAP_PID" || true
	assert_eq "$FWD_FRAMES" "$(tshark -r "$REF" 2>/dev/null | wc -l)" "reference frames"
}

# forward_once BIN HANDLER MODE-LINE: run BIN forwarding dut0 -> dut1; every frame the
# generator sent arrives at gen1 once, in order per flow (the markers), byte-identical to
# the reference, and the run's accounting adds up: rx = forwarded + dropped.
forward_once() {
	local bin=$1 handler=$2 mode=$3 out pcap tot
	out=$(mktemp /tmp/xg-fwd-XXXXXX)
	pcap=$(mktemp /tmp/xg-fwd-XXXXXX.pcap)
	XG=$bin run_bg "$out" "$TE_DUT_IF" --handler "$handler" --json
	assert_match "dut0 queue 0 -> dut1 queue 0: $mode" "$(cat "$out")"
	capture "$TE_NS_GEN" "$TE_GEN_IF2" "$pcap"
	assert_ok gen_dut0
	wait "$CAP_PID" || true
	kill -INT "$RUN_PID"
	wait "$RUN_PID"
	assert_eq "ok $FWD_FRAMES" "$("$ROOT/testenv/gen_markers.py" "$pcap" "$FWD_FLOWS" || true)" \
		"markers at gen1 ($mode)"
	assert_eq "$(frame_bytes "$REF" | md5sum)" "$(frame_bytes "$pcap" | md5sum)" \
		"frames at gen1 byte-identical to those sent ($mode)"
	tot=$(tail -n 1 "$out")
	assert_eq "$FWD_FRAMES" "$(jq '.workers[0].rx' <<<"$tot")" "frames in"
	assert_eq "$(jq '.workers[0].rx' <<<"$tot")" "$(jq '.workers[0] | .tx + .dropped.tx_ring_full +
		.dropped.malformed + .dropped.tx_bad_len + .errors' <<<"$tot")" \
		"in = forwarded + dropped by reason"
	assert_eq '"dut1"' "$(jq '.workers[0].out' <<<"$tot")" "the output in the totals"
	rm -f "$out" "$pcap" "$pcap.err"
}

# Shared UMEM (granted on veth in copy mode) and the forced copy: both deliver every frame.
test_forward_dut0_to_dut1() {
	te_setup --pairs 2
	reference_capture
	forward_once "$XG" forward:dut1 "shared UMEM, frames move by descriptor"
	forward_once "$XG" forward:dut1,copy "copy into the output's UMEM \(copy forced\)"
	rm -f "$REF" "$REF.err"
}

# The same through the DEBUG build, whose workers abort on any frame out of place.
test_forward_debug_build() {
	[[ -x $XG_DEBUG ]] || { echo "no $XG_DEBUG: make builds it" >&2; return 1; }
	te_setup --pairs 2
	reference_capture
	forward_once "$XG_DEBUG" "forward:map,dut0=dut1" "shared UMEM"
	forward_once "$XG_DEBUG" "forward:map,dut0=dut1,copy" "copy into"
	rm -f "$REF" "$REF.err"
}

# Bad forward arguments: one line each, nothing left attached.
test_forward_errors() {
	te_setup --pairs 2
	assert_fail te_dut "$XG" run "$TE_DUT_IF" --handler forward --duration 1
	assert_match "name the output" "$ASSERT_OUT"
	assert_fail te_dut "$XG" run "$TE_DUT_IF" --handler forward:nosuch0 --duration 1
	assert_match "forward: no interface nosuch0" "$ASSERT_OUT"
	assert_fail te_dut "$XG" run "$TE_DUT_IF" --handler forward:dut0 --duration 1
	assert_match "its own output" "$ASSERT_OUT"
	assert_fail te_dut "$XG" run "$TE_DUT_IF" --handler forward:map,dut1=dut0 --duration 1
	assert_match "no output for dut0" "$ASSERT_OUT"
	assert_eq "" "$(te_dut ip -d link show "$TE_DUT_IF" | grep -o 'prog/xdp' || true)" \
		"no XDP program left on dut0"
}

# Two interfaces in one run: a worker set each, each named in the reports, the totals and
# the counters `stats --json` reads; both interfaces' frames counted; SIGINT detaches both.
test_run_two_interfaces() {
	local out n0 n1
	te_setup --pairs 2
	out=$(mktemp /tmp/xg-fwd-XXXXXX)
	run_bg "$out" "$TE_DUT_IF,$TE_DUT_IF2" --handler count --stats-interval 0.2
	assert_match "dut0 queue 0: copy mode" "$(cat "$out")"
	assert_match "dut1 queue 0: copy mode" "$(cat "$out")"
	assert_ok gen_dut0
	assert_ok te_gen "$XG" gen "$TE_GEN_IF2" --dst "$TE_DUT_IP4_2" --dst-mac "$TE_DUT_MAC2" \
		--count 1000 --rate 30000
	sleep 0.5
	assert_eq '"dut1"' "$(te_dut "$XG" stats "$TE_DUT_IF2" --count 1 --json | tail -n 1 |
		jq '.pool.workers[0].interface')" "stats --json names the worker's interface"
	kill -INT "$RUN_PID"
	wait "$RUN_PID"
	n0=$(sed -n 's/^dut0 queue 0 totals.* rx \([0-9]*\),.*/\1/p' "$out")
	n1=$(sed -n 's/^dut1 queue 0 totals.* rx \([0-9]*\),.*/\1/p' "$out")
	assert_eq "$FWD_FRAMES" "$n0" "dut0's worker"
	assert_eq 1000 "$n1" "dut1's worker"
	assert_match "dut1 queue 0 +rx" "$(cat "$out")"
	for ifc in "$TE_DUT_IF" "$TE_DUT_IF2"; do
		assert_eq "" "$(te_dut ip -d link show "$ifc" | grep -o 'prog/xdp' || true)" \
			"no XDP program left on $ifc"
	done
	# one interface twice, or one that does not exist: refused before anything starts
	assert_fail te_dut "$XG" run "$TE_DUT_IF,$TE_DUT_IF" --duration 1
	assert_match "dut0 is named twice" "$ASSERT_OUT"
	assert_fail te_dut "$XG" run "$TE_DUT_IF,nosuch0" --duration 1
	assert_eq "" "$(te_dut ip -d link show "$TE_DUT_IF" | grep -o 'prog/xdp' || true)" \
		"no XDP program left on dut0 after a failed start"
	rm -f "$out"
}

# --config without an interface: every [interface] section, each with its own settings
# (here dut0 counts, dut1 forwards to nothing in particular: count:verify), one process.
test_run_config_sections() {
	local ini out
	te_setup --pairs 2
	ini=$(mktemp /tmp/xg-fwd-XXXXXX.ini)
	out=$(mktemp /tmp/xg-fwd-XXXXXX)
	printf '[interface %s]\nhandler = count\n\n[interface %s]\nhandler = count:verify\n' \
		"$TE_DUT_IF" "$TE_DUT_IF2" >"$ini"
	run_bg "$out" --config "$ini"
	assert_ok te_gen "$XG" gen "$TE_GEN_IF2" --dst "$TE_DUT_IP4_2" --dst-mac "$TE_DUT_MAC2" \
		--count 500 --rate 30000
	sleep 0.5
	kill -INT "$RUN_PID"
	wait "$RUN_PID"
	assert_match "dut0: attached" "$(cat "$out")"
	assert_match "dut1: attached" "$(cat "$out")"
	assert_match "verify: 500 marked frames, 0 duplicate or reordered, 0 missing" "$(cat "$out")"
	assert_match "dut1 queue 0 totals .* rx 500," "$(cat "$out")"
	rm -f "$ini" "$out"
}
