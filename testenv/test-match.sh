#!/bin/bash
# Integration tests of `match "EXPR"` (docs/match.md) on a live gate: a set that drops by a
# pcap-filter port and by a payload signature drops exactly those frames, counters exact;
# a bad expression names file:line and leaves the live set; the capture filters of
# `log --filter` and the pcap handler's filter=. Run by run-tests.sh (errexit on; see
# lib-assert.sh).
# shellcheck shell=bash disable=SC2154 # TE_* and ROOT come from the runner and te_setup

XG=${XDPGATE:-$ROOT/build/xdpgate}

xg() { te_dut "$XG" "$@"; }

match_setup() {
	te_setup
	MT=$(mktemp -d /tmp/xg-match.XXXXXX)
	trap 'rm -rf "$MT"; te_cleanup_trap' EXIT
}

xg_count() {
	xg status "$TE_DUT_IF" --json | jq -r ".interfaces[0].counters.$1.packets"
}

rule_packets() {
	xg rules list "$TE_DUT_IF" --json | jq -r ".rules[$(($1 - 1))].packets"
}

# wait_eq WANT WHAT CMD...: poll CMD (up to 5 s) until it prints WANT, then assert it: the
# gate counts a frame in the receiving softirq, which may run after sendto returns.
wait_eq() {
	local want=$1 what=$2
	shift 2
	wait_until 5 out_eq "$want" "$@" || true
	assert_eq "$want" "$("$@")" "$what"
}

# send N DPORT HEX: N UDP datagrams from the generator to the DUT, payload bytes HEX.
send() {
	te_gen python3 - "$TE_DUT_IP4" "$@" <<-'EOF'
		import socket, sys
		ip, n, port, payload = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), bytes.fromhex(sys.argv[4])
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		for _ in range(n):
		    s.sendto(payload, (ip, port))
	EOF
}

# Rule 1 drops UDP to port 9, rule 2 any UDP whose payload starts 0x1234 (native and match
# conditions ANDed); everything else passes. Exactly those frames are dropped.
test_match_drops_exactly() {
	match_setup
	cat >"$MT/m.rules" <<-'EOF'
		drop match "udp dst port 9"
		drop proto udp match "udp[8:2] = 0x1234"
		default pass
	EOF
	assert_ok xg attach "$TE_DUT_IF" --rules "$MT/m.rules"
	assert_match "2 rules, default pass" "$ASSERT_OUT"
	assert_eq 'drop match "udp dst port 9" | drop proto udp match "udp[8:2] = 0x1234"' \
		"$(xg rules list "$TE_DUT_IF" --json | jq -r '[.rules[].text] | join(" | ")')"
	# the neighbour entry first, so every datagram below leaves as one frame
	assert_ok te_gen ping -c 1 -W 2 "$TE_DUT_IP4"
	assert_ok send 37 9 abcd
	assert_ok send 23 7 1234ffff
	assert_ok send 11 7 5678
	assert_ok send 5 9 1234
	wait_eq 65 "drops: the two rules' frames, nothing else" xg_count drop
	assert_eq 42 "$(rule_packets 1)" "udp dst port 9: 37 + 5 (rule 1 first)"
	assert_eq 23 "$(rule_packets 2)" "payload 0x1234 to port 7"
	assert_ge "$(xg_count pass)" 12 "the 11 datagrams with 0x5678 and the ping pass"

	# a bad expression: file:line:col and libpcap's message; the live set stays
	printf 'drop match "udp dst prot 9"\n' >"$MT/bad.rules"
	assert_fail xg rules load "$TE_DUT_IF" "$MT/bad.rules"
	assert_match "bad.rules:1:12: match \"udp dst prot 9\": .*prot" "$ASSERT_OUT"
	assert_ok send 3 9 00
	wait_eq 45 "the old set still drops" rule_packets 1

	# a reload to a set without match: port 9 passes now
	printf 'drop proto udp dport 10\n' >"$MT/plain.rules"
	assert_ok xg rules load "$TE_DUT_IF" "$MT/plain.rules"
	assert_ok send 4 9 1234
	assert_ok send 1 10 00 # the last frame: once it is dropped, the four came before
	wait_eq 69 "port 9 passes after the reload: only the port 10 frame dropped" xg_count drop
	assert_ok xg detach "$TE_DUT_IF"
}

# log --filter: of the logged frames, only those the expression passes are shown (and
# counted by --count); the others are consumed unseen.
test_match_log_filter() {
	local out
	match_setup
	printf 'drop proto udp log\n' >"$MT/log.rules"
	assert_ok xg attach "$TE_DUT_IF" --rules "$MT/log.rules"
	assert_ok te_gen ping -c 1 -W 2 "$TE_DUT_IP4"
	assert_ok send 5 7 00
	assert_ok send 4 9 1234
	assert_ok send 3 7 00
	wait_eq 12 "every datagram dropped and logged" xg_count drop
	assert_ok xg log "$TE_DUT_IF" --filter "udp dst port 9 and udp[8:2] = 0x1234" --json \
		--count 4 --duration 10
	out=$ASSERT_OUT
	assert_eq 4 "$(grep -c '^{' <<<"$out")" "four frames shown"
	assert_eq "9 9 9 9" "$(grep '^{' <<<"$out" | jq -r '.dport' | xargs)" "all to port 9"
	assert_fail xg log "$TE_DUT_IF" --filter "udp dst prot 9" --count 1
	assert_match "log: --filter 'udp dst prot 9': .*prot" "$ASSERT_OUT"
	assert_ok xg detach "$TE_DUT_IF"
}

# The pcap handler's filter=: only the frames the expression passes are written.
test_match_pcap_filter() {
	local pcap
	match_setup
	pcap="$MT/cap.pcap"
	printf 'xsk proto udp\ndefault pass\n' >"$MT/xsk.rules"
	assert_ok te_gen ping -c 1 -W 2 "$TE_DUT_IP4"
	# shellcheck source=testenv/lib-run.sh
	source "$ROOT/testenv/lib-run.sh"
	run_bg "$MT/run.out" "$TE_DUT_IF" --rules "$MT/xsk.rules" \
		--handler "pcap:$pcap,filter=udp dst port 9"
	trap 'kill -INT "$RUN_PID" 2>/dev/null || true; rm -rf "$MT"; te_cleanup_trap' EXIT
	assert_ok send 5 7 00
	assert_ok send 6 9 1234
	assert_ok send 5 7 00
	assert_ok send 1 9 abcd # the last one written
	# every frame in the pool (the handler's file is complete once run stops: it flushes
	# about once a second while frames come, and at the end)
	wait_until 10 out_eq 17 pool_rx
	kill -INT "$RUN_PID"
	wait_until 10 gone "$RUN_PID"
	wait "$RUN_PID" || true
	assert_eq 7 "$(tshark -r "$pcap" 2>/dev/null | wc -l)" "only port 9 in the pcap"
	assert_eq 7 "$(tshark -r "$pcap" -Y 'udp.dstport == 9' 2>/dev/null | wc -l)" "port 9"
	printf 'xsk proto udp\n' >"$MT/xsk2.rules"
	assert_fail xg run "$TE_DUT_IF" --rules "$MT/xsk2.rules" --handler "pcap:$pcap,filter=udp["
	assert_match "filter=udp\[: " "$ASSERT_OUT"
}
