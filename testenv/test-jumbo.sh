#!/bin/bash
# Jumbo frames end to end (docs/jumbo-frames.md): the frags-aware gate in native mode at
# MTU 1500, 4000 and 9000 through `attach` (libxdp) and `run` (bpf_link), numbered frames
# through rules with exact counters, frames at the MTU and at MTU+1. Run by run-tests.sh
# (errexit on; see lib-assert.sh).
# shellcheck shell=bash disable=SC2154 # TE_* and ROOT come from the runner and te_setup

XG=${XDPGATE:-$ROOT/build/xdpgate}
# shellcheck source=testenv/lib-run.sh
source "$ROOT/testenv/lib-run.sh"

xg() { te_dut "$XG" "$@"; }

# send IP_LENGTHS [DPORT [PCAP]]: numbered UDP/IPv4 frames of those IP lengths, one each,
# from gen0 to dut0 (testenv/send_jumbo.py).
send() {
	te_gen python3 "$ROOT/testenv/send_jumbo.py" "$TE_GEN_IF" "$TE_GEN_MAC" "$TE_DUT_MAC" \
		"$TE_GEN_IP4" "$TE_DUT_IP4" "${2:-9}" "$1" ${3:+"$3"}
}

# mtu GEN DUT: set both ends' MTUs.
mtu() {
	te_gen ip link set dev "$TE_GEN_IF" mtu "$1"
	te_dut ip link set dev "$TE_DUT_IF" mtu "$2"
}

# counter NAME FIELD: a gate counter (packets or bytes) from status --json.
counter() {
	xg status "$TE_DUT_IF" --json | jq -r ".interfaces[0].counters.$1.$2"
}

# rule N FIELD: rule N's packets or bytes.
rule() {
	xg rules list "$TE_DUT_IF" --json | jq -r ".rules[$(($1 - 1))].$2"
}

# Wait (bounded by the event, at most 10 s) until counter NAME's packets reach N.
wait_counter() { wait_until 10 out_ge "$2" counter "$1" packets; }

# The sum of 14 + each IP length: the bytes the gate must count for those frames.
frame_bytes() {
	local n sum=0
	for n in ${1//,/ }; do
		sum=$((sum + n + 14))
	done
	echo "$sum"
}

# At MTU M (both ends) the gate attached natively by `attach`: one frame of each size up to
# M through a drop rule and a pass rule, every byte of every frame counted per rule and per
# verdict, and the parse counted ipv4 (not a truncation) for each.
gate_at_mtu() {
	local m=$1 sizes=$2 rules
	te_setup
	mtu "$m" "$m"
	rules=$(mktemp /tmp/xg-jumbo-XXXXXX)
	printf 'counters parse\ndefault drop\ndrop proto udp dport 9\npass proto udp dport 10\n' >"$rules"
	assert_ok xg attach "$TE_DUT_IF" --mode native --rules "$rules"
	assert_match "attached in native mode" "$ASSERT_OUT"
	assert_ok send "$sizes" 9
	assert_ok send "$sizes" 10
	wait_counter ipv4 $((2 * $(wc -w <<<"${sizes//,/ }")))
	local n b
	n=$(wc -w <<<"${sizes//,/ }")
	b=$(frame_bytes "$sizes")
	assert_eq "$n" "$(rule 1 packets)" "rule 1 packets at MTU $m"
	assert_eq "$b" "$(rule 1 bytes)" "rule 1 bytes (whole frames) at MTU $m"
	assert_eq "$n" "$(rule 2 packets)" "rule 2 packets at MTU $m"
	assert_eq "$b" "$(rule 2 bytes)" "rule 2 bytes (whole frames) at MTU $m"
	assert_eq "$n" "$(counter drop packets)" "drop verdicts"
	assert_eq "$b" "$(counter drop bytes)" "drop verdict bytes"
	assert_eq "$n" "$(counter pass packets)" "pass verdicts"
	assert_eq "$b" "$(counter pass bytes)" "pass verdict bytes"
	assert_eq $((2 * n)) "$(counter ipv4 packets)" "parsed as ipv4"
	assert_eq 0 "$(counter hdr_split packets)" "no frame refused for split headers"
	assert_ok xg detach "$TE_DUT_IF"
	rm -f "$rules"
}

test_jumbo_gate_mtu1500() { gate_at_mtu 1500 64,1000,1500; }
test_jumbo_gate_mtu4000() { gate_at_mtu 4000 1500,3500,4000; }
test_jumbo_gate_mtu9000() { gate_at_mtu 9000 1500,4000,8000,9000; }

# Frames exactly at the DUT's MTU and one byte over: the gen end's MTU is higher, so both
# leave it; veth delivers MTU+1 (it allows a VLAN tag's 4 bytes over the MTU) and the gate
# counts it whole. Past MTU+4 veth drops the frame before XDP (the sender sees ENOBUFS):
# the gate counts nothing.
test_jumbo_gate_at_mtu_and_over() {
	local rules
	te_setup
	mtu 9100 9000
	rules=$(mktemp /tmp/xg-jumbo-XXXXXX)
	printf 'default pass\ndrop proto udp dport 9\n' >"$rules"
	assert_ok xg attach "$TE_DUT_IF" --mode native --rules "$rules"
	assert_ok send 9000,9001 9
	wait_counter drop 2
	assert_eq 2 "$(rule 1 packets)" "frames at the MTU and MTU+1"
	assert_eq $((9014 + 9015)) "$(rule 1 bytes)" "their bytes, whole"
	assert_fail send 9010 9
	assert_match "refused 9010" "$ASSERT_OUT"
	assert_ok send 1500 9 # an event to wait for: the frame after the one dropped by veth
	wait_counter drop 3
	assert_eq 3 "$(rule 1 packets)" "the frame past MTU+4 never reached the gate"
	assert_eq $((9014 + 9015 + 1514)) "$(rule 1 bytes)" "bytes past MTU+4"
	assert_ok xg detach "$TE_DUT_IF"
	rm -f "$rules"
}

# napi_pass NS IF: `xdpgate baseline pass` on IF in the background (a veth end takes XDP
# frames, tx'd or redirected to it, only with NAPI; GRO alone did not do here); returns
# once attached. Appends its pid to PASS_PIDS.
napi_pass() {
	local out i
	out=$(mktemp /tmp/xg-jumbo-XXXXXX)
	nsenter --net="/run/netns/$1" -- "$XG" baseline pass "$2" >"$out" 2>&1 &
	PASS_PIDS+=($!)
	for ((i = 0; i < 50; i++)); do
		grep -q "attached" "$out" && { rm -f "$out"; return 0; }
		sleep 0.1
	done
	cat "$out" >&2
	return 1
}

# tx and redirect of multi-buffer frames (veth allows both): 1500-, 4000- and 9000-byte
# frames bounced back out of dut0 (MACs swapped) reach gen0 whole; redirected out of dut1
# they reach gen1 whole; the verdict counters count their bytes whole.
test_jumbo_gate_tx_redirect() {
	local rules cap
	PASS_PIDS=()
	te_setup --pairs 2
	mtu 9000 9000
	te_gen ip link set dev "$TE_GEN_IF2" mtu 9000
	te_dut ip link set dev "$TE_DUT_IF2" mtu 9000
	rules=$(mktemp /tmp/xg-jumbo-XXXXXX)
	printf 'default pass\ntx proto udp dport 9\nredirect dut1 proto udp dport 10\n' >"$rules"
	assert_ok xg attach "$TE_DUT_IF" --mode native --rules "$rules"
	napi_pass "$TE_NS_GEN" "$TE_GEN_IF"
	napi_pass "$TE_NS_GEN" "$TE_GEN_IF2"
	MIX_N=3
	cap=$(mktemp /tmp/xg-jumbo-XXXXXX.pcap)
	capture "$TE_NS_GEN" "$TE_GEN_IF" "$cap"
	assert_ok send 1500,4000,9000 9
	wait "$CAP_PID" || true
	assert_eq "$(printf '1514\n4014\n9014')" \
		"$(tshark -r "$cap" -T fields -e frame.len 2>/dev/null)" "bounced back whole (tx)"
	assert_eq "$(frame_bytes 1500,4000,9000)" "$(counter tx bytes)" "tx bytes"
	capture "$TE_NS_GEN" "$TE_GEN_IF2" "$cap"
	assert_ok send 1500,4000,9000 10
	wait "$CAP_PID" || true
	assert_eq "$(printf '1514\n4014\n9014')" \
		"$(tshark -r "$cap" -T fields -e frame.len 2>/dev/null)" "redirected whole"
	assert_eq "$(frame_bytes 1500,4000,9000)" "$(counter redirect bytes)" "redirect bytes"
	kill -INT "${PASS_PIDS[@]}"
	wait "${PASS_PIDS[@]}" || true
	assert_ok xg detach "$TE_DUT_IF"
	rm -f "$rules" "$cap" "$cap.err"
}

# `run` attaches its own gate through a bpf_link in native mode at MTU 9000 (both ends)
# and serves; its gate counts jumbo frames whole. The pool's handling of the frames is
# tested in test-jumbo-pool functions below.
test_jumbo_run_native_mtu9000() {
	local out rules
	te_setup
	mtu 9000 9000
	rules=$(mktemp /tmp/xg-jumbo-XXXXXX)
	printf 'default pass\ndrop proto udp dport 9\nxsk proto udp dport 10\n' >"$rules"
	out=$(mktemp /tmp/xg-jumbo-XXXXXX)
	run_bg "$out" "$TE_DUT_IF" --mode native --rules "$rules" --handler count
	assert_ok send 1500,4000,9000 9
	wait_counter drop 3
	assert_eq 3 "$(rule 1 packets)" "jumbo frames through run's gate"
	assert_eq "$(frame_bytes 1500,4000,9000)" "$(rule 1 bytes)" "their bytes, whole"
	kill -INT "$RUN_PID"
	wait "$RUN_PID" || true
	assert_eq "" "$(te_dut ip -d link show "$TE_DUT_IF" | grep -o 'prog/xdp' || true)" \
		"no XDP program left"
	rm -f "$rules" "$out"
}

# ---- the pool: multi-buffer AF_XDP (XDP_USE_SG) ----

XG_DEBUG=$ROOT/build/debug/xdpgate # the pool's frame accounting checked after every round
MIX=64,1500,4000,9000,8000,100,9000,2000,5000,3000 # IP lengths, mixed in one flood
MIX_N=10

# The frames of a pcap as hex, one a line.
pcap_hex() {
	python3 -c '
import sys
sys.path.insert(0, sys.argv[1])
import gen_markers
for f in gen_markers.frames(sys.argv[2]):
    print(f.hex())' "$ROOT/testenv" "$1"
}

# tcpdump of what arrives on NS's IF into PCAP, MIX_N frames at most, in the background;
# returns once it listens. Sets CAP_PID.
capture() {
	local ns=$1 ifc=$2 pcap=$3 i
	nsenter --net="/run/netns/$ns" -- timeout 20 tcpdump -Q in -i "$ifc" -U -s 0 \
		-c "$MIX_N" -w "$pcap" 2>"$pcap.err" &
	CAP_PID=$!
	for ((i = 0; i < 50; i++)); do
		grep -q "listening on" "$pcap.err" 2>/dev/null && return 0
		sleep 0.1
	done
	cat "$pcap.err" >&2
	return 1
}

# Start the DEBUG build's pool on dut0 at MTU 9000 with ARGS (--json): every socket says
# it binds multi-buffer. Sets OUT.
pool_start() {
	OUT=$(mktemp /tmp/xg-jumbo-XXXXXX)
	XG=$XG_DEBUG run_bg "$OUT" "$TE_DUT_IF" --copy --json "$@"
	assert_match "dut0 queue 0: multi-buffer AF_XDP \(XDP_USE_SG\)" "$(cat "$OUT")"
}

# Stop the pool once the gate has sent the MIX to it; TOT is its last totals line, and
# rx = N, and rx = handled (+ tx) + dropped by reason.
pool_stop_account() {
	wait_counter xsk "$MIX_N"
	kill -INT "$RUN_PID"
	wait "$RUN_PID"
	TOT=$(tail -n 1 "$OUT")
	assert_eq true "$(jq '.workers[0].multi_buffer' <<<"$TOT")" "reported per socket"
	assert_eq "$MIX_N" "$(jq '.workers[0].rx' <<<"$TOT")" "packets in (chains as one)"
	assert_eq 0 "$(jq '.workers[0].errors' <<<"$TOT")" "errors"
	assert_eq 0 "$(jq '.workers[0].xdp_statistics.rx_dropped' <<<"$TOT")" "socket drops"
}

# Jumbo and small frames mixed into `run --handler pcap`, with UMEM frames of 2048 and
# 4096 bytes (a 9014-byte frame: 6 or 3 descriptors): one record per packet, tshark reads
# every one whole, byte-identical to what was sent.
test_jumbo_pool_pcap() {
	local cap want fs
	te_setup
	mtu 9000 9000
	for fs in 2048 4096; do
		cap=$(mktemp /tmp/xg-jumbo-XXXXXX.pcap)
		want=$(mktemp /tmp/xg-jumbo-XXXXXX.pcap)
		pool_start --handler "pcap:$cap" --frame-size "$fs"
		assert_match "UMEM [0-9]+ x $fs bytes" "$(cat "$OUT")"
		assert_ok send "$MIX" 9 "$want"
		pool_stop_account
		assert_eq "$MIX_N" "$(jq '.workers[0].handled' <<<"$TOT")" "rx = handled ($fs)"
		assert_eq "$(tr , '\n' <<<"$MIX" | awk '{ print $1 + 14 "\t" $1 + 14 }')" \
			"$(tshark -r "$cap" -T fields -e frame.len -e frame.cap_len 2>/dev/null)" \
			"tshark: every frame whole, length and captured length ($fs)"
		assert_eq "$(pcap_hex "$want" | md5sum)" "$(pcap_hex "$cap" | md5sum)" \
			"captured frames byte-identical to those sent ($fs)"
		rm -f "$cap" "$want" "$OUT"
	done
}

# Through forward (dut0 -> dut1, shared UMEM and the forced copy): every frame arrives at
# gen1 byte-identical; rx = forwarded + dropped.
forward_mix() {
	local handler=$1 cap want
	cap=$(mktemp /tmp/xg-jumbo-XXXXXX.pcap)
	want=$(mktemp /tmp/xg-jumbo-XXXXXX.pcap)
	pool_start --handler "$handler"
	capture "$TE_NS_GEN" "$TE_GEN_IF2" "$cap"
	assert_ok send "$MIX" 9 "$want"
	wait "$CAP_PID" || true
	pool_stop_account
	assert_eq "$MIX_N" "$(jq '.workers[0].tx' <<<"$TOT")" "rx = forwarded ($handler)"
	assert_eq "$(pcap_hex "$want" | md5sum)" "$(pcap_hex "$cap" | md5sum)" \
		"frames at gen1 byte-identical to those sent ($handler)"
	rm -f "$cap" "$cap.err" "$want" "$OUT"
}

test_jumbo_pool_forward() {
	te_setup --pairs 2
	mtu 9000 9000
	te_gen ip link set dev "$TE_GEN_IF2" mtu 9000
	te_dut ip link set dev "$TE_DUT_IF2" mtu 9000
	forward_mix forward:dut1
	forward_mix forward:dut1,copy
}

# Through reflect: every frame comes back to gen0 whole (its length), addresses swapped.
# Only the test's frames go to the pool: gen0's ICMP errors for the reflected ones pass.
test_jumbo_pool_reflect() {
	local cap rules i want=""
	te_setup
	mtu 9000 9000
	cap=$(mktemp /tmp/xg-jumbo-XXXXXX.pcap)
	rules=$(mktemp /tmp/xg-jumbo-XXXXXX)
	printf 'default pass\nxsk proto udp dport 9\n' >"$rules"
	pool_start --handler reflect --rules "$rules"
	capture "$TE_NS_GEN" "$TE_GEN_IF" "$cap"
	assert_ok send "$MIX" 9
	wait "$CAP_PID" || true
	pool_stop_account
	assert_eq "$MIX_N" "$(jq '.workers[0].tx' <<<"$TOT")" "rx = reflected"
	assert_eq "$(tr , '\n' <<<"$MIX" | awk '{ print $1 + 14 }')" \
		"$(tshark -r "$cap" -T fields -e frame.len 2>/dev/null)" "reflected whole"
	for ((i = 0; i < MIX_N; i++)); do
		want+="$TE_DUT_IP4"$'\n'
	done
	assert_eq "${want%$'\n'}" "$(tshark -r "$cap" -T fields -e ip.src 2>/dev/null)" \
		"reflected from dut0's address"
	rm -f "$cap" "$cap.err" "$OUT" "$rules"
}

# ---- the generator ----

# The xsk engine sends jumbo frames as descriptor chains (9000 bytes in 2048-byte chunks: 5
# descriptors): every frame reaches the pool whole with its marker, once and in order, and
# the gate counts its bytes whole. The live engine refuses what it cannot send in one line.
test_jumbo_gen_xsk() {
	local size
	te_setup
	mtu 9000 9000
	MIX_N=100
	for size in 9018 9000 5000; do
		pool_start --handler count:verify
		assert_ok te_gen "$XG" gen "$TE_GEN_IF" --engine xsk --dst "$TE_DUT_IP4" \
			--dst-mac "$TE_DUT_MAC" --size "$size" --count 100 --rate 10000
		wait_counter xsk 100
		assert_eq $((100 * (size - 4))) "$(counter xsk bytes)" "the gate's bytes, whole ($size)"
		pool_stop_account
		assert_match "verify: 100 marked frames, 0 duplicate or reordered, 0 missing in sequence, 0 without a marker" \
			"$(cat "$OUT")"
		rm -f "$OUT"
	done
	assert_fail te_gen "$XG" gen "$TE_GEN_IF" --dst "$TE_DUT_IP4" --size 9000 --count 1
	assert_eq "xdpgate: gen: --size 9000 is above the live engine's 3524 (the kernel runs live frames in one page); --engine xsk sends jumbo frames" \
		"$ASSERT_OUT"
}

# Without multi-buffer AF_XDP (a kernel before 6.6; forced here with XG_FAULT_NO_SG=1) at
# MTU 9000: `run` binds without it and warns at start, per socket, naming the frame size
# that fits (issue 19); frames that fit are served, larger ones are dropped by the socket
# and counted there (rx_dropped), and the xsk engine of the generator refuses jumbo sizes
# in one line.
test_jumbo_pool_without_sg() {
	te_setup
	mtu 9000 9000
	OUT=$(mktemp /tmp/xg-jumbo-XXXXXX)
	XG_FAULT_NO_SG=1 XG=$XG_DEBUG run_bg "$OUT" "$TE_DUT_IF" --copy --json --frame-size 4096
	assert_match "xdpgate: dut0 queue 0: no multi-buffer AF_XDP \(XDP_USE_SG refused\): frames over 3840 bytes \(MTU 9000 allows 9018\) are dropped by the socket; set the MTU to at most 3822" \
		"$(cat "$OUT")"
	assert_ok send 1500,3000,4000,9000 9
	wait_counter xsk 4
	kill -INT "$RUN_PID"
	wait "$RUN_PID"
	TOT=$(tail -n 1 "$OUT")
	assert_eq false "$(jq '.workers[0].multi_buffer' <<<"$TOT")" "reported per socket"
	assert_eq 2 "$(jq '.workers[0].rx' <<<"$TOT")" "frames that fit, served"
	assert_eq 2 "$(jq '.workers[0].xdp_statistics.rx_dropped' <<<"$TOT")" \
		"larger frames dropped by the socket, counted"
	assert_fail te_gen env XG_FAULT_NO_SG=1 "$XG" gen "$TE_GEN_IF" --engine xsk \
		--dst "$TE_DUT_IP4" --dst-mac "$TE_DUT_MAC" --size 9000 --count 1
	assert_match "gen: gen0: frames of 8996 bytes take 5 descriptors, and the kernel refused multi-buffer AF_XDP \(XDP_USE_SG, Linux 6.6\) on queue 0" \
		"$ASSERT_OUT"
	rm -f "$OUT"
}

# The switch floods chains: the mix sent from gen0 to a MAC no port has shown (dut0's) is
# flooded out of dut1 and reaches gen1 whole, byte-identical (DEBUG build).
test_jumbo_switch_floods_chains() {
	local cap want rules
	te_setup --pairs 2
	mtu 9000 9000
	te_gen ip link set dev "$TE_GEN_IF2" mtu 9000
	te_dut ip link set dev "$TE_DUT_IF2" mtu 9000
	rules=$(mktemp /tmp/xg-jumbo-XXXXXX)
	printf 'xsk proto udp\ndefault pass\n' >"$rules"
	cap=$(mktemp /tmp/xg-jumbo-XXXXXX.pcap)
	want=$(mktemp /tmp/xg-jumbo-XXXXXX.pcap)
	OUT=$(mktemp /tmp/xg-jumbo-XXXXXX)
	XG=$XG_DEBUG run_bg "$OUT" "$TE_DUT_IF,$TE_DUT_IF2" --handler switch --rules "$rules" --copy
	capture "$TE_NS_GEN" "$TE_GEN_IF2" "$cap"
	assert_ok send "$MIX" 9 "$want"
	wait "$CAP_PID" || true
	kill -INT "$RUN_PID"
	wait "$RUN_PID"
	assert_eq "$(pcap_hex "$want" | md5sum)" "$(pcap_hex "$cap" | md5sum)" \
		"flooded frames at gen1 byte-identical to those sent"
	assert_match "switch dut0: in $MIX_N, to one port 0, flooded $MIX_N" "$(cat "$OUT")"
	rm -f "$cap" "$cap.err" "$want" "$OUT" "$rules"
}
