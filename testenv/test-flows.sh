#!/bin/bash
# Integration tests of per-flow accounting (`flows` in a rule file, docs/flows.md): the
# gate's counts read by `xdpgate flows`, and IPFIX export read back by a real collector,
# nfdump's nfcapd, running in the generator namespace. Run by run-tests.sh (errexit on;
# see lib-assert.sh).
# shellcheck shell=bash disable=SC2154 # TE_* and ROOT come from the runner and te_setup

XG=${XDPGATE:-$ROOT/build/xdpgate}

xg() { te_dut "$XG" "$@"; }

# te_setup, a scratch directory FT, and a gate with rules $1 (lines) attached.
flows_setup() {
	te_setup "${@:2}"
	FT=$(mktemp -d /tmp/xg-flows.XXXXXX)
	trap 'stop_bg; rm -rf "$FT"; te_cleanup_trap' EXIT
	printf '%b' "$1" >"$FT/r.rules"
	assert_ok xg attach "$TE_DUT_IF" --rules "$FT/r.rules"
}

BG_PIDS=()
stop_bg() {
	local p
	for p in "${BG_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	BG_PIDS=()
}

# Wait (at most 10 s) until process $1 has exited; its status in WAIT_RC.
wait_exit() {
	local i
	for ((i = 0; i < 100; i++)); do
		if ! kill -0 "$1" 2>/dev/null; then
			WAIT_RC=0
			wait "$1" || WAIT_RC=$?
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# Wait (at most 10 s) until file $1 matches regex $2.
wait_file() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	cat "$1" >&2
	return 1
}

# nfcapd in the generator namespace on $1 (address), port $2, writing into $FT/nf.
# nsenter execs it: $! is nfcapd itself.
collector_start() {
	mkdir -p "$FT/nf"
	local v6=()
	[[ $1 == *:* ]] && v6=(-6)
	nsenter --net="/run/netns/$TE_NS_GEN" -- nfcapd "${v6[@]}" -w "$FT/nf" -b "$1" -p "$2" \
		-t 3600 >"$FT/nfcapd.log" 2>&1 &
	NF_PID=$!
	BG_PIDS+=("$NF_PID")
	wait_file "$FT/nfcapd.log" "Startup"
}

# Stop nfcapd (it writes its file out on SIGTERM) and print the flows it got, one line each:
# "SRC DST SPORT DPORT PROTO PACKETS BYTES".
collector_flows() {
	kill -TERM "$NF_PID"
	wait_exit "$NF_PID"
	nfdump -R "$FT/nf" -q -N -o "fmt:%sa %da %sp %dp %pr %pkt %byt" | tr -s ' ' | sed 's/^ //'
}

# xdpgate export in the DUT namespace to $1, more options after; output in $FT/export.log.
export_start() {
	nsenter --net="/run/netns/$TE_NS_DUT" -- "$XG" export "$TE_DUT_IF" --ipfix "$@" \
		>"$FT/export.log" 2>&1 &
	EXP_PID=$!
	BG_PIDS+=("$EXP_PID")
	wait_file "$FT/export.log" "IPFIX to"
}

# SIGTERM the exporter (it flushes every flow) and require a clean exit.
export_stop() {
	kill -TERM "$EXP_PID"
	wait_exit "$EXP_PID"
	assert_eq 0 "$WAIT_RC" "export's exit status"
}

# send_udp SRC DST SPORT N LEN: N datagrams of LEN payload bytes from the generator.
send_udp() {
	te_gen python3 - "$@" <<-'PY'
		import socket, sys
		src, dst, sport, n, ln = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
		fam = socket.AF_INET6 if ":" in src else socket.AF_INET
		s = socket.socket(fam, socket.SOCK_DGRAM)
		s.bind((src, sport))
		for _ in range(n):
		    s.sendto(b"x" * ln, (dst, 9999))
	PY
}

# Wait (at most 10 s) until the gate has counted $1 packets in all (`flows --json`).
wait_counted() {
	local i got
	for ((i = 0; i < 100; i++)); do
		got=$(xg flows "$TE_DUT_IF" --json --interval 0.01 | jq '[.top[].packets] | add // 0')
		((got == $1)) && return 0
		sleep 0.1
	done
	echo "counted $got, want $1" >&2
	return 1
}

# Exact mode over IPv4: `flows` shows the counts, and the collector reads back exactly what
# was sent (frames of 142 bytes: 14 Ethernet + 20 IP + 8 UDP + 100).
test_flows_exact_ipfix_v4() {
	flows_setup 'flows exact size 1024\npass proto udp dport 9999\n'
	collector_start "$TE_GEN_IP4" 4739
	export_start "$TE_GEN_IP4:4739" --idle 60
	send_udp "$TE_GEN_IP4" "$TE_DUT_IP4" 5555 100 100
	send_udp "$TE_GEN_IP4" "$TE_DUT_IP4" 5556 37 200
	wait_counted 137
	assert_ok xg flows "$TE_DUT_IF" --by flow --interval 0.01
	assert_match "100 +14200 +1  udp 198.18.0.1:5555 > 198.18.0.2:9999 vlan 0 rule 1" "$ASSERT_OUT"
	assert_match "37 +8954 +1  udp 198.18.0.1:5556 > 198.18.0.2:9999 vlan 0 rule 1" "$ASSERT_OUT"
	assert_ok xg flows "$TE_DUT_IF" --by src --interval 0.01 --json
	assert_eq 137 "$(jq '.top[0].packets' <<<"$ASSERT_OUT")" "packets of the one source"
	assert_eq '"198.18.0.1"' "$(jq '.top[0].src' <<<"$ASSERT_OUT")"
	export_stop
	assert_match "2 records in 1 messages, 0 send failures" "$(cat "$FT/export.log")"
	assert_eq "198.18.0.1 198.18.0.2 5555 9999 17 100 14200
198.18.0.1 198.18.0.2 5556 9999 17 37 8954" "$(collector_flows | sort)"
}

# IPv6 flows to an IPv6 collector, and an idle flow exported (and ended) by the idle timeout
# before any SIGTERM.
test_flows_ipfix_v6_idle() {
	flows_setup 'flows exact\n'
	collector_start "$TE_GEN_IP6" 4740
	export_start "[$TE_GEN_IP6]:4740" --idle 0.5
	send_udp "$TE_GEN_IP6" "$TE_DUT_IP6" 6000 50 100
	wait_counted 50
	# the idle timeout sends it and deletes it from the table
	local i
	for ((i = 0; i < 100; i++)); do
		[[ $(xg flows "$TE_DUT_IF" --json --interval 0.01 | jq '.flows') == 0 ]] && break
		sleep 0.1
	done
	assert_eq 0 "$(xg flows "$TE_DUT_IF" --json --interval 0.01 | jq '.flows')" "flows left"
	export_stop
	assert_match "1 records in 1 messages, 0 send failures .* 1 idle flows deleted" \
		"$(cat "$FT/export.log")"
	assert_eq "fd00:18::1 fd00:18::2 6000 9999 17 50 8100" "$(collector_flows)"
}

# A collector that is down: export keeps polling, counts the failures, says so in a bounded
# number of lines, and still exits 0 on SIGTERM.
test_flows_collector_down() {
	flows_setup 'flows exact\n'
	export_start "$TE_GEN_IP4:4741" --idle 0.2
	# the first message goes out; the port unreachable it draws fails a later send: send
	# a new flow at a time until the exporter says so (bounded)
	local i
	for ((i = 0; i < 50; i++)); do
		send_udp "$TE_GEN_IP4" "$TE_DUT_IP4" $((6000 + i)) 2 100
		grep -q "sending to the collector failed" "$FT/export.log" && break
		sleep 0.2
	done
	assert_match "sending to the collector failed: Connection refused" "$(cat "$FT/export.log")"
	assert_ok kill -0 "$EXP_PID" # still exporting
	export_stop
	assert_ge "$(sed -n 's/.*messages, \([0-9]*\) send failures.*/\1/p' "$FT/export.log")" 1
	assert_le "$(grep -c "sending to the collector failed" "$FT/export.log")" 1 "error lines"
}

# Bad input: one line each, exit 2 for a bad collector address, file:line for a bad
# statement, and a table beyond memory refused with nothing attached.
test_flows_bad_input() {
	flows_setup 'pass\n'
	local a
	for a in "198.18.0.1" "198.18.0.1:0" "198.18.0.1:70000" "[fd00::1]" "fd00::1:4739" \
		"999.1.1.1:4739x"; do
		local rc=0
		xg export "$TE_DUT_IF" --ipfix "$a" >"$FT/out" 2>&1 || rc=$?
		assert_eq 2 "$rc" "exit status for --ipfix $a"
		assert_eq 1 "$(wc -l <"$FT/out")" "lines for --ipfix $a"
		assert_match "^xdpgate: export: --ipfix " "$(cat "$FT/out")"
	done
	assert_fail xg flows "$TE_DUT_IF"
	assert_eq "xdpgate: flows: $TE_DUT_IF: flow accounting is off (add 'flows exact' or 'flows sample N' to the rule file)" "$ASSERT_OUT"
	assert_ok xg detach "$TE_DUT_IF"
	printf 'pass\nflows sample 1\n' >"$FT/bad.rules"
	assert_fail xg attach "$TE_DUT_IF" --rules "$FT/bad.rules"
	assert_match "$FT/bad.rules:2:14: invalid sampling rate '1'" "$ASSERT_OUT"
	printf 'flows exact size 4194304\npass\n' >"$FT/big.rules"
	assert_fail te_dut env XG_TEST_MEM_AVAILABLE=1024 "$XG" attach "$TE_DUT_IF" \
		--rules "$FT/big.rules"
	assert_match "line 1: a flow table of 4194304 entries needs [0-9]+ MiB" "$ASSERT_OUT"
	assert_ok xg status "$TE_DUT_IF"
	assert_match "xdpgate not attached" "$ASSERT_OUT"
}

# send_vlan VID N: N UDP frames tagged VID from the generator to the DUT (raw socket; the
# gate counts them before the kernel, which has no VLAN device, drops them).
send_vlan() {
	te_gen python3 - "$TE_GEN_IF" "$TE_GEN_MAC" "$TE_DUT_MAC" "$TE_GEN_IP4" "$TE_DUT_IP4" "$@" <<-'PY'
		import socket, struct, sys
		ifn, smac, dmac, sip, dip, vid, n = sys.argv[1:6] + [int(sys.argv[6]), int(sys.argv[7])]
		mac = lambda m: bytes.fromhex(m.replace(":", ""))
		udp = struct.pack("!HHHH", 7000, 9999, 8 + 100, 0) + b"x" * 100
		ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
		                 socket.inet_aton(sip), socket.inet_aton(dip))
		frame = mac(dmac) + mac(smac) + struct.pack("!HHH", 0x8100, vid, 0x0800) + ip + udp
		s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
		s.bind((ifn, 0))
		for _ in range(n):
		    s.send(frame)
	PY
}

# Accounting turned on by `rules load` on a gate attached without it, kept by `rules add`;
# sampled 1 in 4, VLAN-tagged frames: the estimate within 5 sigma (sqrt(n (N - 1)),
# docs/flows.md) of what was sent, the VLAN in the key, the rate in every record; a
# larger table than the attached one refused with the old set kept.
test_flows_reload_sampled_vlan() {
	flows_setup 'pass\n'
	printf 'flows sample 4\npass proto udp\n' >"$FT/s.rules"
	assert_ok xg rules load "$TE_DUT_IF" "$FT/s.rules"
	assert_ok xg rules add "$TE_DUT_IF" --at 1 'drop proto tcp'
	send_vlan 42 4000
	local est n
	for ((n = 0; n < 100; n++)); do
		est=$(xg flows "$TE_DUT_IF" --by flow --json --interval 0.01)
		(($(jq '.top[0].packets // 0' <<<"$est") > 0)) && break
		sleep 0.1
	done
	assert_eq 4 "$(jq '.rate' <<<"$est")" "the slot's rate"
	assert_eq '42 4 "rule 2"' "$(jq -r '.top[0] | "\(.vlan) \(.sampling) \(.rule|tojson)"' <<<"$est")"
	n=$(jq '.top[0].packets' <<<"$est")
	assert_ge "$n" $((4000 - 548)) "estimate"
	assert_le "$n" $((4000 + 548)) "estimate"
	assert_eq 0 $((n % 4)) "an estimate is a count times the rate"
	printf 'flows exact size 131072\npass\n' >"$FT/big.rules"
	assert_fail xg rules load "$TE_DUT_IF" "$FT/big.rules"
	assert_eq "xdpgate: rules: line 1: flows size 131072 is larger than the gate's table of 65536 entries, sized when it was attached; detach and attach to grow it" "$ASSERT_OUT"
	assert_ok xg flows "$TE_DUT_IF" --json --interval 0.01
	assert_eq 4 "$(jq '.rate' <<<"$ASSERT_OUT")" "the old set's rate after the refused load"
}

# Template refresh: a collector restarted under a running exporter gets the templates again
# (every --template seconds) and decodes what follows. Flow B is sent for 3 s, 20 frames a
# round, with the active timeout at 0.3 s: records sent before the first refresh are lost
# to the new collector (no template yet), later ones arrive.
test_flows_template_refresh() {
	flows_setup 'flows exact\n'
	collector_start "$TE_GEN_IP4" 4742
	export_start "$TE_GEN_IP4:4742" --idle 0.3 --active 0.3 --template 1
	send_udp "$TE_GEN_IP4" "$TE_DUT_IP4" 5001 10 100
	local i
	for ((i = 0; i < 100; i++)); do # exported on the idle timeout and removed
		[[ $(xg flows "$TE_DUT_IF" --json --interval 0.01 | jq '.flows') == 0 ]] && break
		sleep 0.1
	done
	assert_eq "198.18.0.1 198.18.0.2 5001 9999 17 10 1420" "$(collector_flows)"
	rm -rf "$FT/nf"
	collector_start "$TE_GEN_IP4" 4742
	for ((i = 0; i < 15; i++)); do
		send_udp "$TE_GEN_IP4" "$TE_DUT_IP4" 5002 20 100
		sleep 0.2
	done
	export_stop
	local got
	got=$(collector_flows)
	assert_match "^198.18.0.1 198.18.0.2 5002 9999 17 [0-9]+ [0-9]+" "$got"
	assert_le "$(awk '{ n += $6 } END { print n }' <<<"$got")" 300 "packets at the new collector"
	assert_ge "$(awk '{ n += $6 } END { print n }' <<<"$got")" 20 "packets at the new collector"
}

# contrib/xdpgate-export@.service: systemd-analyze verify passes with ExecStart pointing at
# this build (no running systemd needed), and it runs export on the instance's interface.
test_flows_export_unit() {
	local d out
	d=$(mktemp -d /tmp/xg-flows-unit.XXXXXX)
	trap 'rm -rf "$d"' EXIT
	sed "s#/usr/local/sbin/xdpgate#$XG#; s#/etc/xdpgate/export-%i.env#$d/export-%i.env#" \
		"$ROOT/contrib/xdpgate-export@.service" >"$d/xdpgate-export@.service"
	printf 'XG_IPFIX=198.18.0.1:4739\nXG_EXPORT_OPTS=--idle 5\n' >"$d/export-eth9.env"
	out=$(systemd-analyze verify "$d/xdpgate-export@eth9.service" 2>&1) || {
		printf '%s\n' "$out" >&2
		_assert_fail_msg "systemd-analyze verify failed"
	}
	assert_match "ExecStart=$XG export %i --ipfix" "$(cat "$d/xdpgate-export@.service")"
}

# `top` with `flows`: a top-talkers pane naming the source that sends, with its rate, in an
# 80x24 tmux (on its own socket in the scratch directory).
test_flows_top_talkers() {
	flows_setup 'flows exact\npass\n'
	local i scr
	ftmux() { tmux -S "$FT/tmux.sock" "$@"; }
	trap 'ftmux kill-server 2>/dev/null; stop_bg; rm -rf "$FT"; te_cleanup_trap' EXIT
	ftmux new-session -d -s top -x 80 -y 24 "env -i TERM=screen PATH=$PATH bash --norc --noprofile"
	ftmux send-keys -t top "nsenter --net=/run/netns/$TE_NS_DUT $XG top $TE_DUT_IF; echo TOP-EXIT=\$?" Enter
	for ((i = 0; i < 40; i++)); do # a burst a round until top shows a rate for it
		send_udp "$TE_GEN_IP4" "$TE_DUT_IP4" 5555 200 100
		scr=$(ftmux capture-pane -p -t top)
		grep -Eq "^  198\.18\.0\.1 +[1-9][0-9]* " <<<"$scr" && break
		sleep 0.2
	done
	assert_match "top talkers \([0-9]+ flows, 0 evicted\)" "$scr"
	assert_match $'\n  198\\.18\\.0\\.1 +[1-9][0-9]* ' "$scr"
	assert_le "$(wc -l <<<"$scr")" 24 "screen lines"
	ftmux send-keys -t top q
	for ((i = 0; i < 50; i++)); do
		grep -q "TOP-EXIT=" <<<"$(ftmux capture-pane -p -t top)" && break
		sleep 0.1
	done
	assert_match "TOP-EXIT=0" "$(ftmux capture-pane -p -t top)"
}

# run --ipfix: the pool's gate exports its flows; stopping run sends them, exact, to nfcapd;
# --metrics shows the top sources;
# a bad collector address is a usage error (exit 2) before anything is attached.
test_flows_run_ipfix() {
	source "$ROOT/testenv/lib-run.sh"
	flows_setup 'pass\n'
	assert_ok xg detach "$TE_DUT_IF"
	printf 'flows exact\npass proto udp dport 9999\nxsk proto udp\n' >"$FT/run.rules"
	local rc=0
	xg run "$TE_DUT_IF" --rules "$FT/run.rules" --ipfix 198.18.0.1 >"$FT/out" 2>&1 || rc=$?
	assert_eq 2 "$rc" "run's exit status for a bad --ipfix"
	assert_eq "xdpgate: run: --ipfix '198.18.0.1': want HOST:PORT (an IPv6 address in brackets)" \
		"$(cat "$FT/out")"
	collector_start "$TE_GEN_IP4" 4743
	run_bg "$FT/run.log" "$TE_DUT_IF" --rules "$FT/run.rules" --ipfix "$TE_GEN_IP4:4743" \
		--metrics 127.0.0.1:9471
	BG_PIDS+=("$RUN_PID")
	send_udp "$TE_GEN_IP4" "$TE_DUT_IP4" 5555 42 100
	wait_counted 42
	# the top sources in the metrics, by packets and by bytes
	local mt
	mt=$(te_dut curl -sf http://127.0.0.1:9471/metrics)
	assert_match "xdpgate_flows_top_source_packets\{iface=\"$TE_DUT_IF\",src=\"198.18.0.1\"\} 42" "$mt"
	assert_match "xdpgate_flows_top_source_bytes\{iface=\"$TE_DUT_IF\",src=\"198.18.0.1\"\} 5964" "$mt"
	kill -INT "$RUN_PID"
	wait_exit "$RUN_PID"
	assert_eq 0 "$WAIT_RC" "run's exit status"
	assert_match "export: $TE_DUT_IF: 1 records in 1 messages, 0 send failures" \
		"$(cat "$FT/run.log")"
	assert_eq "198.18.0.1 198.18.0.2 5555 9999 17 42 5964" "$(collector_flows)"
}

# Sampled 1 in 4 through the collector: the records carry the sampled counts (exactly the
# gate's, which `flows` shows times 4), and times 4 they fall within 5 sigma of what was
# sent (sqrt(n (N - 1)) = 110 for n = 4000, N = 4; docs/flows.md).
test_flows_sampled_ipfix() {
	flows_setup 'flows sample 4\npass\n'
	collector_start "$TE_GEN_IP4" 4744
	export_start "$TE_GEN_IP4:4744" --idle 60
	send_udp "$TE_GEN_IP4" "$TE_DUT_IP4" 5555 4000 100
	local est i got pk
	for ((i = 0; i < 100; i++)); do # until the last frames are counted: two equal reads
		est=$(xg flows "$TE_DUT_IF" --json --interval 0.2 | jq '.top[0].packets // 0')
		((est > 0)) && [[ $(xg flows "$TE_DUT_IF" --json --interval 0.01 |
			jq '.top[0].packets') == "$est" ]] && break
	done
	export_stop
	got=$(collector_flows)
	pk=$(awk '{ print $6 }' <<<"$got")
	assert_eq "$est" $((pk * 4)) "the collector's count times 4 against the gate's estimate"
	assert_ge $((pk * 4)) $((4000 - 550)) "estimate"
	assert_le $((pk * 4)) $((4000 + 550)) "estimate"
	assert_eq $((pk * 142)) "$(awk '{ print $7 }' <<<"$got")" "bytes: 142 a frame"
}

# A table of 1024 under 65536 flows: the LRU keeps at most its size, every eviction is
# counted (inserts - present - deleted), the total of the flows present never exceeds
# what was sent, and reading the table while it churns ends (a restarted walk is bounded).
test_flows_evictions() {
	flows_setup 'flows exact size 1024\npass\n'
	te_gen "$XG" gen "$TE_GEN_IF" --dst "$TE_DUT_IP4" --dst-mac "$TE_DUT_MAC" --flows 65536 \
		--count 300000 >"$FT/gen.log" 2>&1 &
	local gpid=$! out
	BG_PIDS+=("$gpid")
	assert_ok xg flows "$TE_DUT_IF" --by flow --top 3 --interval 0.2 # under churn
	wait "$gpid"
	out=$(xg flows "$TE_DUT_IF" --json --interval 0.01 --top 2000)
	assert_le "$(jq '.flows' <<<"$out")" 1024 "flows present"
	assert_ge "$(jq '.evicted' <<<"$out")" 60000 "evictions counted"
	assert_le "$(jq '[.top[].packets] | add' <<<"$out")" 300000 "packets in the table"
}
