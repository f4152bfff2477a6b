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
	local ns=$1 ifc=$2 pcap=$3
	nsenter --net="/run/netns/$ns" -- timeout 20 tcpdump -Q in -i "$ifc" -U \
		-c "$FWD_FRAMES" -w "$pcap" 2>"$pcap.err" &
	CAP_PID=$!
	wait_until 10 file_has "listening on" "$pcap.err"
}

# scrape_has URL FILE RE...: URL scraped into FILE has a line matching each RE (grep BRE).
scrape_has() {
	local url=$1 f=$2 re
	shift 2
	te_dut curl -sf "$url" >"$f" || return 1
	for re; do
		grep -q -- "$re" "$f" || { echo "no /$re/ in the scrape"; return 1; }
	done
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

# --handler switch over dut0 and dut1 (the DEBUG build: frame accounting checked every
# round), each interface both input and output on its one queue: a broadcast from gen1 is
# flooded to dut0 and learns gen1's MAC on dut1; unicast from gen0 to it then goes to dut1
# only, every frame once and in order; frames from gen0 to its own MAC (learned on dut0)
# are never sent back out of dut0 (same port). Only UDP reaches the switch, so the kernel's
# own IPv6 chatter does not blur the counts.
test_switch_learns() {
	[[ -x $XG_DEBUG ]] || { echo "no $XG_DEBUG: make builds it" >&2; return 1; }
	local out rules pcap FWD_FRAMES
	te_setup --pairs 2
	out=$(mktemp /tmp/xg-fwd-XXXXXX)
	rules=$(mktemp /tmp/xg-fwd-XXXXXX.rules)
	pcap=$(mktemp /tmp/xg-fwd-XXXXXX.pcap)
	printf 'xsk proto udp\ndefault pass\n' >"$rules"
	XG=$XG_DEBUG run_bg "$out" "$TE_DUT_IF,$TE_DUT_IF2" --handler switch --rules "$rules" \
		--metrics 127.0.0.1:19468
	FWD_FRAMES=200
	capture "$TE_NS_GEN" "$TE_GEN_IF" "$pcap"
	assert_ok te_gen "$XG" gen "$TE_GEN_IF2" --dst "$TE_DUT_IP4_2" \
		--dst-mac ff:ff:ff:ff:ff:ff --count 200 --rate 30000
	wait "$CAP_PID" || true
	assert_eq 200 "$(tshark -r "$pcap" 2>/dev/null | wc -l)" "broadcast flooded to dut0"
	FWD_FRAMES=3000
	capture "$TE_NS_GEN" "$TE_GEN_IF2" "$pcap"
	assert_ok te_gen "$XG" gen "$TE_GEN_IF" --dst "$TE_DUT_IP4" --dst-mac "$TE_GEN_MAC2" \
		--count 3000 --rate 30000 --flows "$FWD_FLOWS" --size 100
	wait "$CAP_PID" || true
	assert_eq "ok 3000" "$("$ROOT/testenv/gen_markers.py" "$pcap" "$FWD_FLOWS" || true)" \
		"unicast to gen1's learned port: every frame once, in order"
	assert_ok te_gen "$XG" gen "$TE_GEN_IF" --dst "$TE_DUT_IP4" --dst-mac "$TE_GEN_MAC" \
		--count 500 --rate 30000
	# the switch's counters in the metrics too, once the worker has had the frames (bounded)
	wait_until 10 scrape_has http://127.0.0.1:19468/metrics "$pcap.prom" \
		'^xdpgate_switch_packets_total{interface="dut0",outcome="same_port"} 500$'
	kill -INT "$RUN_PID"
	wait "$RUN_PID"
	assert_ok promtool check metrics <"$pcap.prom"
	assert_match 'xdpgate_switch_packets_total\{interface="dut0",outcome="same_port"\} 500' \
		"$(cat "$pcap.prom")"
	assert_match 'xdpgate_switch_packets_total\{interface="dut1",outcome="flooded"\} 200' \
		"$(cat "$pcap.prom")"
	assert_match "switch dut0: in 3500, to one port 3000, flooded 0, same port 500, handoff full 0" \
		"$(cat "$out")"
	assert_match "switch dut1: in 200, to one port 0, flooded 200, same port 0, handoff full 0" \
		"$(cat "$out")"
	assert_match "dut1 queue 0 totals .* tx 3000," "$(cat "$out")"
	assert_match "dut0 queue 0 totals .* tx 200," "$(cat "$out")"
	# a switch needs two ports, and one worker a port
	assert_fail te_dut "$XG" run "$TE_DUT_IF" --handler switch --duration 1
	assert_match "a switch has 2 to" "$ASSERT_OUT"
	rm -f "$out" "$rules" "$pcap" "$pcap.err" "$pcap.prom"
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

# Copy mode sends a whole batch per wake-up: the forwarder's sockets, its own on dut0 and
# its output on dut1, ask the kernel for a TX budget of 256 frames, at most the TX ring (a
# 64-descriptor ring refuses 256), and -vv says what each got. The option is the kernel's
# from 6.17 (XDP_MAX_TX_SKB_BUDGET): an older kernel fails here, loudly.
test_forward_tx_budget() {
	local out ring budget ifc kver
	kver=$(uname -r)
	if [[ $(printf '%s\n' 6.17 "${kver%%-*}" | sort -V | head -n 1) != 6.17 ]]; then
		echo "kernel $kver has no XDP_MAX_TX_SKB_BUDGET (6.17+): copy mode keeps 32" >&2
		return 1
	fi
	te_setup --pairs 2
	for ring in 2048 64; do
		budget=$((ring < 256 ? ring : 256))
		out=$(mktemp /tmp/xg-fwd-XXXXXX)
		run_bg "$out" -vv "$TE_DUT_IF" --handler forward:dut1 --ring-size "$ring" --json
		assert_ok gen_dut0
		kill -INT "$RUN_PID"
		wait "$RUN_PID"
		for ifc in "$TE_DUT_IF" "$TE_DUT_IF2"; do
			assert_match "$ifc queue 0: copy mode sends up to $budget frames per wake-up" \
				"$(cat "$out")" "the TX budget taken ($ifc, ring $ring)"
		done
		assert_eq "" "$(grep "sends 32 frames" "$out" || true)" "no refusal (ring $ring)"
		assert_ge "$(tail -n 1 "$out" | jq '.workers[0].tx')" 1 "frames forwarded (ring $ring)"
		rm -f "$out"
	done
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
	wait_until 10 out_eq "$FWD_FRAMES" pool_rx "$TE_DUT_IF"
	wait_until 10 out_eq 1000 pool_rx "$TE_DUT_IF2"
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

# One metrics server for a run of two interfaces: one scrape shows both interfaces' gate,
# rule and worker counters under their own label, each family once (promtool checks the
# exposition format, which wants a family's lines together under one HELP and TYPE).
test_run_metrics_two_interfaces() {
	local out rules m url=http://127.0.0.1:19467/metrics ifc
	te_setup --pairs 2
	out=$(mktemp /tmp/xg-fwd-XXXXXX)
	rules=$(mktemp /tmp/xg-fwd-XXXXXX.rules)
	m=$(mktemp /tmp/xg-fwd-XXXXXX.prom)
	printf 'xsk proto udp\ndefault pass\n' >"$rules"
	run_bg "$out" "$TE_DUT_IF,$TE_DUT_IF2" --handler count --rules "$rules" \
		--metrics 127.0.0.1:19467
	assert_match "dut0,dut1: metrics on $url" "$(cat "$out")"
	assert_ok gen_dut0
	assert_ok te_gen "$XG" gen "$TE_GEN_IF2" --dst "$TE_DUT_IP4_2" --dst-mac "$TE_DUT_MAC2" \
		--count 1000 --rate 30000
	# the workers may still be draining their rings: scrape until both counted (bounded)
	wait_until 10 scrape_has "$url" "$m" \
		"^xdpgate_worker_rx_packets_total{interface=\"dut0\",queue=\"0\"} $FWD_FRAMES\$" \
		'^xdpgate_worker_rx_packets_total{interface="dut1",queue="0"} 1000$'
	kill -INT "$RUN_PID"
	wait "$RUN_PID"
	assert_ok promtool check metrics <"$m"
	assert_eq 1 "$(grep -c '^# TYPE xdpgate_verdict_packets_total counter' "$m")" \
		"one TYPE line for a family of two interfaces"
	assert_eq "$(grep -c '^# TYPE ' "$m")" "$(grep -c '^# HELP ' "$m")" "a HELP per TYPE"
	assert_match "xdpgate_verdict_packets_total\{interface=\"dut0\",verdict=\"xsk\"\} $FWD_FRAMES" \
		"$(cat "$m")"
	assert_match 'xdpgate_verdict_packets_total\{interface="dut1",verdict="xsk"\} 1000' \
		"$(cat "$m")"
	assert_match "xdpgate_worker_rx_packets_total\{interface=\"dut0\",queue=\"0\"\} $FWD_FRAMES" \
		"$(cat "$m")"
	assert_match 'xdpgate_worker_rx_packets_total\{interface="dut1",queue="0"\} 1000' \
		"$(cat "$m")"
	for ifc in dut0 dut1; do
		assert_match "xdpgate_rule_packets_total\{interface=\"$ifc\",rule=\"1\",text=\"xsk proto udp\"\} [1-9]" \
			"$(cat "$m")"
		assert_match "xdpgate_worker_ring_size\{interface=\"$ifc\",queue=\"0\",ring=\"rx\"\} 2048" \
			"$(cat "$m")"
	done
	rm -f "$out" "$rules" "$m"
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
	wait_until 10 out_eq 500 pool_rx "$TE_DUT_IF2"
	kill -INT "$RUN_PID"
	wait "$RUN_PID"
	assert_match "dut0: attached" "$(cat "$out")"
	assert_match "dut1: attached" "$(cat "$out")"
	assert_match "verify: 500 marked frames, 0 duplicate or reordered, 0 missing" "$(cat "$out")"
	assert_match "dut1 queue 0 totals .* rx 500," "$(cat "$out")"
	rm -f "$ini" "$out"
}
