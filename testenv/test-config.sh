#!/bin/bash
# Integration tests of operating xdpgate as a service: run from a config file, config
# check, reload on SIGHUP under traffic. Run by run-tests.sh (errexit on; see
# lib-assert.sh).
# shellcheck shell=bash disable=SC2154 # TE_* and ROOT come from the runner and te_setup

XG=${XDPGATE:-$ROOT/build/xdpgate}

# te_setup plus a scratch directory, removed with the environment.
ops_setup() {
	te_setup "$@"
	OT=$(mktemp -d /tmp/xg-ops.XXXXXX)
	trap 'rm -rf "$OT"; te_cleanup_trap' EXIT
}

# shellcheck source=testenv/lib-run.sh
source "$ROOT/testenv/lib-run.sh"

# Start `xdpgate run ARGS`, output in $OT/run.out; sets RUN_PID.
ops_start() { run_bg "$OT/run.out" "$@"; }

ops_stop() {
	kill -INT "$RUN_PID"
	wait "$RUN_PID" || true
}

# A config for dut0: rules file $OT/dut.rules, copy mode, count:verify.
write_conf() {
	cat >"$OT/xg.ini" <<-EOT
		; written by test-config.sh
		[interface $TE_DUT_IF]
		rules = $OT/dut.rules
		handler = count:verify
		wait = poll
		copy = yes
		queues = all

		[log]
		level = info
	EOT
}

# The example in contrib/ is valid as shipped (but for its rules path).
test_config_contrib_example() {
	ops_setup
	printf 'xsk proto udp\ndefault pass\n' >"$OT/eth0.rules"
	sed "s#/etc/xdpgate/eth0.rules#$OT/eth0.rules#" "$ROOT/contrib/xdpgate.ini" >"$OT/c.ini"
	assert_match "OK, 1 interface" "$("$XG" config check "$OT/c.ini")"
}

# config check: OK on a good file; on a bad one exit 1 and one line naming file:line and
# key, or the rules file's line; run refuses the same file and attaches nothing.
test_config_check_errors() {
	local out rc
	ops_setup
	printf 'xsk proto udp dport 9\ndefault pass\n' >"$OT/dut.rules"
	write_conf
	assert_match "OK, 1 interface" "$("$XG" config check "$OT/xg.ini")"
	sed -i 's/^wait = poll/wait = sometimes/' "$OT/xg.ini"
	rc=0
	out=$("$XG" config check "$OT/xg.ini" 2>&1) || rc=$?
	assert_eq 1 "$rc" "config check exit code on a bad file"
	assert_eq "xdpgate: $OT/xg.ini:5: key 'wait': unknown value 'sometimes' (expected poll|busy-poll|spin)" \
		"$out"
	assert_fail te_dut "$XG" run --config "$OT/xg.ini"
	assert_eq "" "$(te_dut ip -d link show "$TE_DUT_IF" | grep -o 'prog/xdp' || true)" \
		"nothing attached after a bad config"
	write_conf
	printf 'xsk proto udp dport 99999\n' >"$OT/dut.rules"
	rc=0
	out=$("$XG" config check "$OT/xg.ini" 2>&1) || rc=$?
	assert_eq 1 "$rc" "config check exit code on a bad rules file"
	assert_match "^xdpgate: $OT/dut.rules:1:" "$out"
}

# run --config end to end: the file's interface, handler, copy mode and rules apply.
test_config_run() {
	local rx
	ops_setup
	printf 'xsk proto udp dport 9\ndefault pass\n' >"$OT/dut.rules"
	write_conf
	sed -i 's/^queues = all/queues = all\nring-size = 8192/' "$OT/xg.ini" # room for a slow worker
	ops_start --config "$OT/xg.ini"
	assert_match "$TE_DUT_IF queue 0: copy mode" "$(cat "$OT/run.out")"
	assert_ok gen --count 20000 --rate 25000 --flows 4
	assert_ok gen --count 500 --rate 50000 --dport 7 # passed by the rules, not the pool's
	wait_until 10 pool_took 20000
	ops_stop
	assert_match "verify: 20000 marked frames, 0 duplicate or reordered, 0 missing" \
		"$(cat "$OT/run.out")"
	rx=$(sed -n 's/^queue 0 totals.* rx \([0-9]*\),.*/\1/p' "$OT/run.out")
	assert_eq 20000 "$rx" "pool rx: the rule's frames only"
}

# The "SIGHUP" lines of run's log so far.
hup_lines() { grep -c "SIGHUP" "$OT/run.out"; }

# hup N: send run a SIGHUP and wait (bounded) for the Nth "SIGHUP" line of its log (run
# handles a SIGHUP at once: the signal cuts its sleep short).
hup() {
	kill -HUP "$RUN_PID"
	wait_until 10 out_ge "$1" hup_lines
	sleep 0.1 # not an event but its absence: a second line would show here
}

# The traffic has begun: the gate sent frames to the pool.
traffic_seen() { wait_until 10 out_ge 1 xg_count xsk; }

# All N frames the generator sent were classified (the frames the gate saw, which also
# counts what the generator's kernel may send back, such as ICMP errors), and the pool
# accounted for every one it was given.
all_classified() {
	wait_until 10 out_ge "$1" xg_rx
	wait_until 10 pool_settled
}

# SIGHUP under traffic: a bad rules file and a bad config are refused with one line each
# and the old set stays; a good file changes the verdicts; every frame is classified by one
# set or the other, and the pool received exactly what the gate sent to AF_XDP.
test_config_reload_sighup() {
	local gpid xsk drop rx
	ops_setup
	printf 'xsk proto udp dport 9\ndefault pass\n' >"$OT/dut.rules"
	write_conf
	sed -i 's/^handler = count:verify/handler = count/' "$OT/xg.ini"
	cp "$OT/xg.ini" "$OT/good.ini"
	ops_start --config "$OT/xg.ini"
	gen --count 500000 --rate 100000 &
	gpid=$!
	traffic_seen

	printf 'xsk proto udp dport 9\nfrobnicate\n' >"$OT/dut.rules"
	hup 1
	assert_eq 1 "$(hup_lines)" "one log line for a refused reload"
	assert_match "run: SIGHUP: reload refused, old state kept: $OT/dut.rules:2:1: " \
		"$(cat "$OT/run.out")"
	assert_eq "xsk proto udp dport 9" "$(rule_texts)" "old set in force"

	printf 'drop proto udp dport 9\ndefault pass\n' >"$OT/dut.rules"
	sed -i 's/^wait = poll/wait = sometimes/' "$OT/xg.ini"
	hup 2
	assert_eq 2 "$(hup_lines)" "one more line for a bad config"
	assert_match "reload refused, old state kept: $OT/xg.ini:5: key 'wait'" \
		"$(cat "$OT/run.out")"
	assert_eq "xsk proto udp dport 9" "$(rule_texts)" "old set still in force"

	cp "$OT/good.ini" "$OT/xg.ini"
	hup 3
	assert_match "run: SIGHUP: 1 rules from $OT/dut.rules in force" "$(cat "$OT/run.out")"
	assert_eq "drop proto udp dport 9" "$(rule_texts)" "new set in force"

	wait "$gpid"
	all_classified 500000
	xsk=$(verdict xsk)
	drop=$(verdict drop)
	ops_stop
	# received, plus what the kernel dropped at the socket (a loaded machine's worker may
	# fall behind): "rx N, ...; kernel: rx_dropped N, rx_ring_full N"
	rx=$(sed -n 's/^queue 0 totals.* rx \([0-9]*\),.*rx_dropped \([0-9]*\), rx_ring_full \([0-9]*\),.*/\1+\2+\3/p' \
		"$OT/run.out")
	assert_ge "$xsk" 1 "frames to the pool before the good reload"
	assert_ge "$drop" 1 "frames dropped after it"
	assert_eq 500000 $((xsk + drop)) "every frame classified by the old set or the new"
	assert_eq "$xsk" $((rx)) "frames the gate sent to AF_XDP = received + dropped at the socket"
}

# SIGHUP brings the rules file's sets with it: the new rules and the new set are in force
# after the reload; a set file with a bad line is refused with one line and the old set
# stays. Under traffic no frame sees a mix: the old rules send the generator's frames (their
# source in the old set) to the pool, the new ones drop only sources in the new set, which
# does not hold it, so a drop could only come from the new rules with the old set.
test_config_reload_sets() {
	local gpid xsk drop passed rx
	ops_setup
	echo "$TE_GEN_IP4/32" >"$OT/blk.txt"
	printf 'set blk blk.txt\nxsk src @blk proto udp dport 9\npass proto udp dport 9\ndefault pass\n' \
		>"$OT/dut.rules"
	write_conf
	sed -i 's/^handler = count:verify/handler = count/' "$OT/xg.ini"
	ops_start --config "$OT/xg.ini"
	gen --count 300000 --rate 100000 &
	gpid=$!
	traffic_seen

	echo "198.19.0.0/16" >"$OT/blk.txt"
	printf 'set blk blk.txt\ndrop src @blk proto udp dport 9\npass proto udp dport 9\ndefault pass\n' \
		>"$OT/dut.rules"
	hup 1
	assert_match "run: SIGHUP: 2 rules from $OT/dut.rules in force" "$(cat "$OT/run.out")"
	assert_eq "198.19.0.0/16" "$(te_dut "$XG" set show "$TE_DUT_IF" blk)" "new set in force"

	printf '198.19.0.0/16\n198.18.0.300/32\n' >"$OT/blk.txt"
	hup 2
	assert_eq 2 "$(hup_lines)" "one line for a refused reload"
	assert_match "reload refused, old state kept: $OT/dut.rules:1:9: set 'blk': $OT/blk.txt:2: invalid prefix '198.18.0.300/32'" \
		"$(cat "$OT/run.out")"
	assert_eq "198.19.0.0/16" "$(te_dut "$XG" set show "$TE_DUT_IF" blk)" "old set kept"

	wait "$gpid"
	all_classified 300000
	xsk=$(verdict xsk)
	drop=$(verdict drop)
	passed=$(te_dut "$XG" rules list "$TE_DUT_IF" --json |
		jq '.rules[] | select(.text == "pass proto udp dport 9") | .packets')
	ops_stop
	rx=$(sed -n 's/^queue 0 totals.* rx \([0-9]*\),.*rx_dropped \([0-9]*\), rx_ring_full \([0-9]*\),.*/\1+\2+\3/p' \
		"$OT/run.out")
	assert_ge "$xsk" 1 "frames to the pool by the old rules and set"
	assert_ge "$passed" 1 "frames passed by the new ones"
	assert_eq 0 "$drop" "no frame dropped: none saw the new rules with the old set"
	assert_eq 300000 $((xsk + passed)) "every frame classified by the old state or the new"
	assert_eq "$xsk" $((rx)) "frames the gate sent to AF_XDP = received + dropped at the socket"
}

# The descriptors run holds.
fd_count() { find "/proc/$RUN_PID/fd" -mindepth 1 -maxdepth 1 | wc -l; }

# fd_at_most N: run holds N descriptors or fewer.
fd_at_most() {
	local n
	n=$(fd_count)
	((n <= $1)) || { echo "run holds $n descriptors, want <= $1"; return 1; }
}

# 200 applied SIGHUP reloads of a rules file with a set, with the set edited (set add, set
# del) and the metrics endpoint scraped every tenth, keep run's descriptor count flat. Each reload used to leak the attached
# program's descriptor (taken by the gate query in libxdp 1.3 and never closed): 200 more
# by the end, and EMFILE under a low RLIMIT_NOFILE.
test_config_reload_fd_flat() {
	local i n0 url=http://127.0.0.1:19479/metrics
	ops_setup
	echo "198.19.0.0/16" >"$OT/blk.txt"
	printf 'set blk blk.txt
xsk src @blk proto udp dport 9
default pass
' >"$OT/dut.rules"
	write_conf
	printf '[metrics]\nlisten = 127.0.0.1:19479\n' >>"$OT/xg.ini"
	ops_start --config "$OT/xg.ini"
	hup 1 # whatever a first reload opens for good is in the baseline
	n0=$(fd_count)
	for ((i = 2; i <= 201; i++)); do
		kill -HUP "$RUN_PID"
		wait_until 10 out_ge "$i" hup_lines
		((i % 10)) && continue
		xg set add "$TE_DUT_IF" blk 198.19.1.0/24 198.18.7.0/24 >/dev/null
		xg set del "$TE_DUT_IF" blk 198.18.7.0/24 >/dev/null
		te_dut curl -sf "$url" >/dev/null
	done
	# the reloads that did not apply, if any, say why
	grep "SIGHUP" "$OT/run.out" | grep -v "1 rules from $OT/dut.rules in force" >&2 || true
	assert_eq 201 "$(grep -c "run: SIGHUP: 1 rules from $OT/dut.rules in force" "$OT/run.out")" \
		"reloads applied"
	# the last scrape's connection may take a moment to close: wait for the count, bounded
	wait_until 10 fd_at_most "$n0"
	ops_stop
}

# SIGHUP re-applies [log]: with `json = yes` added to the file, the reload's own line is
# already one JSON object.
test_config_reload_log() {
	local line
	ops_setup
	printf 'xsk proto udp dport 9\ndefault pass\n' >"$OT/dut.rules"
	write_conf
	ops_start --config "$OT/xg.ini"
	assert_eq "" "$(grep '^{' "$OT/run.out" || true)" "text lines before the reload"
	printf 'json = yes\n' >>"$OT/xg.ini"
	hup 1
	line=$(grep "SIGHUP" "$OT/run.out")
	assert_eq "run: SIGHUP: 1 rules from $OT/dut.rules in force" \
		"$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["message"].strip())' "$line")" \
		"the reload's line is JSON"
	ops_stop
}

# Prometheus metrics: curl fetches them, promtool accepts them, every family the issue
# asks for is there with its labels, and counters only grow between two scrapes under
# traffic.
test_config_metrics() {
	local url=http://127.0.0.1:9464/metrics a b gpid
	ops_setup
	printf 'counters parse\nxsk proto udp dport 9\ndrop proto udp dport 7\ndefault pass\n' \
		>"$OT/dut.rules"
	write_conf
	sed -i 's/^handler = count:verify/handler = count/' "$OT/xg.ini"
	printf '[metrics]\nlisten = 127.0.0.1:9464\n' >>"$OT/xg.ini"
	ops_start --config "$OT/xg.ini"
	assert_match "metrics on http://127.0.0.1:9464/metrics" "$(cat "$OT/run.out")"
	gen --count 200000 --rate 100000 &
	gpid=$!
	wait_until 10 out_ge 1 pool_rx
	te_dut curl -sf "$url" >"$OT/m1"
	a=$(sed -n 's/^xdpgate_verdict_packets_total{interface="[^"]*",verdict="xsk"} //p' "$OT/m1")
	wait_until 10 out_ge $((a + 1)) xg_count xsk
	te_dut curl -sf "$url" >"$OT/m2"
	wait "$gpid"
	ops_stop
	assert_ok promtool check metrics <"$OT/m1"
	assert_ok promtool check metrics <"$OT/m2"
	assert_match '# TYPE xdpgate_verdict_packets_total counter' "$(cat "$OT/m1")"
	assert_match "xdpgate_verdict_packets_total\{interface=\"$TE_DUT_IF\",verdict=\"xsk\"\} [1-9]" \
		"$(cat "$OT/m1")"
	assert_match 'xdpgate_parse_packets_total\{interface="[^"]*",outcome="' "$(cat "$OT/m1")"
	assert_match "xdpgate_parse_counters\{interface=\"$TE_DUT_IF\"\} 1" "$(cat "$OT/m1")"
	assert_match 'xdpgate_rule_packets_total\{interface="[^"]*",rule="1",text="xsk proto udp dport 9"\} [1-9]' \
		"$(cat "$OT/m1")"
	assert_match 'xdpgate_worker_rx_packets_total\{interface="[^"]*",queue="0"\} [1-9]' \
		"$(cat "$OT/m1")"
	assert_match 'xdpgate_worker_dropped_packets_total\{interface="[^"]*",queue="0",reason="kernel_rx_ring_full"\}' \
		"$(cat "$OT/m1")"
	assert_match '# TYPE xdpgate_worker_ring_entries gauge' "$(cat "$OT/m1")"
	assert_match 'xdpgate_worker_ring_entries\{interface="[^"]*",queue="0",ring="fill"\} [1-9]' \
		"$(cat "$OT/m1")"
	assert_match 'xdpgate_worker_ring_size\{interface="[^"]*",queue="0",ring="rx"\} 2048' \
		"$(cat "$OT/m1")"
	# monotonic: every counter sample (the gauges may go down) of the second scrape >= the
	# same sample of the first, and some grew (values are the last field: rule texts in
	# labels hold spaces)
	a=$(grep '^xdpgate_[a-z_]*_total' "$OT/m1" | sort)
	b=$(grep '^xdpgate_[a-z_]*_total' "$OT/m2" | sort)
	assert_eq "$(sed 's/ [0-9]*$//' <<<"$a")" "$(sed 's/ [0-9]*$//' <<<"$b")" \
		"same series in both"
	paste <(awk '{ print $NF }' <<<"$a") <(awk '{ print $NF }' <<<"$b") >"$OT/pairs"
	assert_eq 0 "$(awk '$2 < $1' "$OT/pairs" | wc -l)" "samples that went down"
	assert_ge "$(awk '$2 > $1' "$OT/pairs" | wc -l)" 3 "samples that grew under traffic"
}

# slowloris NS ADDR PORT N OUT: N connections from namespace NS to ADDR:PORT, each sending
# half a request header and holding it, in the background (LORIS_PID); OUT gets "held N"
# once all were tried (a connection the server closed counts as tried).
slowloris() {
	nsenter --net="/run/netns/$1" -- python3 -c '
import socket, sys, time
addr, port, n, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
held = []
for i in range(n):
    try:
        s = socket.create_connection((addr, port), timeout=5)
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        held.append(s)
    except OSError:
        pass
open(out, "w").write("held %d\n" % n)
time.sleep(60)' "$2" "$3" "$4" "$5" &
	LORIS_PID=$!
}

# metrics_lines FILE: the lines libmicrohttpd had to say, as our logger wrote them.
metrics_lines() { grep -c 'metrics: .*\(connection\|HTTP server\)' "$1" || true; }

# The metrics endpoint under a slow-loris of 64 connections from the generator's address:
# a scrape from another address still succeeds at once (each address holds at most a few
# connections), and what libmicrohttpd says about the refused ones is a bounded number of
# lines through our logger: "xdpgate: "-prefixed text, or JSON objects under --log-json.
test_config_metrics_slowloris() {
	local url=http://127.0.0.1:19481/metrics
	ops_setup
	printf 'xsk proto udp\ndefault pass\n' >"$OT/dut.rules" # TCP reaches the server
	ops_start "$TE_DUT_IF" --rules "$OT/dut.rules" --metrics 0.0.0.0:19481
	slowloris "$TE_NS_GEN" "$TE_DUT_IP4" 19481 64 "$OT/loris"
	wait_until 30 test -s "$OT/loris"
	assert_ok te_dut curl -sf -m 5 "$url"
	assert_match "xdpgate_verdict_packets_total" "$ASSERT_OUT"
	kill "$LORIS_PID"
	wait "$LORIS_PID" || true
	ops_stop
	assert_ge "$(metrics_lines "$OT/run.out")" 1 "libmicrohttpd's lines about the refusals"
	assert_le "$(metrics_lines "$OT/run.out")" 3 "libmicrohttpd's lines, rate-limited"
	assert_eq "" "$(grep -i 'connection' "$OT/run.out" | grep -v '^xdpgate: metrics: ' || true)" \
		"lines about connections without our prefix"

	# the same as JSON: every line of stderr one object, the library's among them
	rm -f "$OT/loris"
	nsenter --net="/run/netns/$TE_NS_DUT" -- "$XG" run "$TE_DUT_IF" --rules "$OT/dut.rules" \
		--metrics 0.0.0.0:19481 --log-json >"$OT/run.out" 2>"$OT/run.err" &
	RUN_PID=$!
	wait_until 15 file_has "Ctrl-C to stop" "$OT/run.out"
	slowloris "$TE_NS_GEN" "$TE_DUT_IP4" 19481 64 "$OT/loris"
	wait_until 30 test -s "$OT/loris"
	assert_ok te_dut curl -sf -m 5 "$url"
	kill "$LORIS_PID"
	wait "$LORIS_PID" || true
	ops_stop
	assert_ge "$(metrics_lines "$OT/run.err")" 1 "libmicrohttpd's JSON lines"
	assert_le "$(metrics_lines "$OT/run.err")" 3 "libmicrohttpd's JSON lines, rate-limited"
	assert_ok python3 -c 'import json, sys; [json.loads(l) for l in open(sys.argv[1])]' \
		"$OT/run.err"
}

# /metrics answers GET and HEAD; any other method gets 405 with "Allow: GET, HEAD". An
# address that is not the host's is refused at start in one line naming the address and
# port asked for (libmicrohttpd's own "Failed to bind to port 0" is not shown).
test_config_metrics_methods() {
	local url=http://127.0.0.1:19482/metrics m
	ops_setup
	ops_start "$TE_DUT_IF" --copy --metrics 127.0.0.1:19482
	for m in POST OPTIONS PUT DELETE; do
		assert_ok te_dut curl -s -i -m 5 -X "$m" "$url"
		assert_match "^HTTP/1.1 405 " "$ASSERT_OUT" "$m"
		assert_match $'\nAllow: GET, HEAD\r' "$ASSERT_OUT" "$m"
	done
	assert_ok te_dut curl -s -i -m 5 -X POST -d 'x=1' "$url"
	assert_match "^HTTP/1.1 405 " "$ASSERT_OUT" "POST with a body"
	assert_eq 200 "$(te_dut curl -s -o /dev/null -w '%{http_code}' -m 5 -I "$url")" "HEAD"
	assert_eq 404 "$(te_dut curl -s -o /dev/null -w '%{http_code}' -m 5 "${url%/metrics}/x")"
	assert_ok te_dut curl -sf -m 5 "$url"
	ops_stop

	assert_fail te_dut "$XG" run "$TE_DUT_IF" --copy --metrics 198.19.255.254:9464 --duration 1
	assert_eq "xdpgate: metrics: cannot listen on 198.19.255.254:9464: Cannot assign requested address" \
		"$(grep metrics <<<"$ASSERT_OUT")"
	assert_eq "" "$(grep -i 'bind' <<<"$ASSERT_OUT" || true)" "libmicrohttpd's own line"
}

# Descriptor numbers above FD_SETSIZE (1024) do not matter to the metrics server (epoll,
# not select): run started with 1100 descriptors already open serves scrapes.
test_config_metrics_fds_above_setsize() {
	ops_setup
	# shellcheck disable=SC2016 # expanded by the inner bash
	bash -c 'ulimit -n 4096; for ((i = 0; i < 1100; i++)); do exec {fd}</dev/null; done
		exec nsenter --net="/run/netns/$1" -- "$2" run "$3" --copy --metrics 127.0.0.1:19483' \
		bash "$TE_NS_DUT" "$XG" "$TE_DUT_IF" >"$OT/run.out" 2>&1 &
	RUN_PID=$!
	wait_until 15 run_up "$OT/run.out" "$RUN_PID"
	assert_match "Ctrl-C to stop" "$(cat "$OT/run.out")" "run started"
	assert_ge "$(find "/proc/$RUN_PID/fd" -mindepth 1 -maxdepth 1 | wc -l)" 1100 \
		"descriptors run holds"
	assert_ok te_dut curl -sf -m 5 http://127.0.0.1:19483/metrics
	assert_match "xdpgate_verdict_packets_total" "$ASSERT_OUT"
	assert_ok te_dut curl -sf -m 5 http://127.0.0.1:19483/metrics
	ops_stop
	assert_eq "" "$(grep -i 'FD_SETSIZE' "$OT/run.out" || true)" "FD_SETSIZE complaints"
}

# contrib/xdpgate@.service: systemd-analyze verify passes (with ExecStart pointing at this
# build, since verify checks that the binary exists), and the unit reloads by SIGHUP.
test_config_service_unit() {
	local unit=$ROOT/contrib/xdpgate@.service d out rc=0 score
	if ! command -v systemd-analyze >/dev/null; then
		echo "no systemd-analyze: testenv/deps.sh installs systemd" >&2
		return 1
	fi
	d=$(mktemp -d /tmp/xg-unit.XXXXXX)
	sed "s#/usr/local/sbin/xdpgate#$XG#" "$unit" >"$d/xdpgate@.service"
	out=$(systemd-analyze verify "$d/xdpgate@test.service" 2>&1) || {
		rm -rf "$d"
		assert_eq "" "$out" "systemd-analyze verify"
	}
	# the sandbox holds: exposure 3.4 at most (7.1 before; docs/service-hardening.md)
	score=$(systemd-analyze security --offline=true --threshold=34 \
		"$d/xdpgate@test.service" 2>&1) || rc=$?
	rm -rf "$d"
	assert_eq "" "$out" "systemd-analyze verify output"
	assert_eq 0 "$rc" "exposure over 3.4: $(tail -n 1 <<<"$score")"
	assert_match 'ExecReload=/bin/kill -HUP \$MAINPID' "$(cat "$unit")"
	assert_match 'Restart=on-failure' "$(cat "$unit")"
	assert_match $'\nUMask=0077\n' "$(cat "$unit")"
}

# tmux on a socket in the scratch directory (never the user's server), killed with it.
top_tmux() { tmux -S "$OT/tmux.sock" "$@"; }
top_screen() { top_tmux capture-pane -p -t top; }

# The tmux screen matches ERE $1.
screen_has() { grep -Eq "$1" <<<"$(top_screen)"; }
screen_lacks() { ! screen_has "$1"; }

# Wait (bounded) for the tmux screen to match ERE $1; on a timeout, show the screen.
wait_screen() { wait_until 10 screen_has "$1" || { top_screen >&2; return 1; }; }

# Wait (bounded) for the tmux screen to stop matching ERE $1.
wait_screen_not() { wait_until 10 screen_lacks "$1" || { top_screen >&2; return 1; }; }

# Type `xdpgate top IFACE` into the test's tmux shell; after it ends, the shell prints its
# exit code and whether the terminal's modes are what they were.
top_type() {
	top_tmux send-keys -t top "clear; S0=\$(stty -g); nsenter --net=/run/netns/$TE_NS_DUT $XG top $TE_DUT_IF; echo TOP-EXIT=\$? STTY=\$([ \"\$S0\" = \"\$(stty -g)\" ] && echo same || echo changed)" Enter
}

# `top` in an 80x24 tmux: under traffic it names the interface and shows non-zero rates
# (rx, a rule, the pool's worker with its ring levels); q ends it with exit 0, the
# terminal's modes and the shell's screen back. Then on a gate of `attach` alone (no pool)
# under traffic, ended by Ctrl-C; and ended by the gate's detach (exit 1, one line).
test_config_top_tmux() {
	local gpid scr out rc=0
	ops_setup
	trap 'top_tmux kill-server 2>/dev/null; rm -rf "$OT"; te_cleanup_trap' EXIT
	printf 'drop proto udp dport 7\nxsk proto udp dport 9\ndefault pass\n' >"$OT/dut.rules"
	write_conf
	sed -i 's/^handler = count:verify/handler = count/' "$OT/xg.ini"
	ops_start --config "$OT/xg.ini"
	top_tmux new-session -d -s top -x 80 -y 24 "env -i TERM=screen PATH=$PATH bash --norc --noprofile"
	gen --count 500000 --rate 100000 &
	gpid=$!
	top_type
	wait_screen "^0 +[1-9][0-9]* " # the worker's rx rate, published by run each second
	scr=$(top_screen)
	assert_match "xdpgate top +$TE_DUT_IF " "$scr"
	assert_match "rx [1-9][0-9]* pkt/s" "$scr"
	assert_match "xsk [1-9][0-9]*" "$scr"
	assert_match "#2 +[1-9][0-9]* +xsk proto udp dport 9" "$scr"
	assert_le "$(wc -l <<<"$scr")" 24 "screen lines"
	# a smaller terminal: redrawn to fit at once (KEY_RESIZE), header and worker kept
	top_tmux resize-window -t top -x 60 -y 14
	wait_screen "^xdpgate top +$TE_DUT_IF"
	scr=$(top_screen)
	assert_le "$(wc -l <<<"$scr")" 14 "lines after the resize"
	assert_le "$(awk '{ print length }' <<<"$scr" | sort -n | tail -n 1)" 60 "columns after it"
	assert_eq 1 "$(grep -Ec '^0 +[0-9]+ ' <<<"$scr")" "the worker's line after the resize"
	top_tmux send-keys -t top q
	wait_screen "TOP-EXIT="
	assert_match "TOP-EXIT=0 STTY=same" "$(top_screen)"
	assert_eq 0 "$(top_screen | grep -c 'busiest rules')" "top's screen gone after q"
	wait "$gpid"
	ops_stop

	te_dut "$XG" attach "$TE_DUT_IF" --mode native --default pass >/dev/null
	out=$(te_dut "$XG" top "$TE_DUT_IF" </dev/null 2>&1 >/dev/null) || rc=$?
	assert_eq 1 "$rc" "top's exit code without a terminal"
	assert_eq "xdpgate: top: needs a terminal (for a log of rates: xdpgate stats $TE_DUT_IF)" \
		"$out"
	gen --count 300000 --rate 100000 &
	gpid=$!
	top_type
	wait_screen "rx [1-9][0-9]* pkt/s"
	assert_match "no \`xdpgate run\` pool on $TE_DUT_IF" "$(top_screen)"
	# a --confirm load shows as pending, with the command that keeps it; confirmed, it goes
	te_dut "$XG" rules load "$TE_DUT_IF" "$OT/dut.rules" --confirm 60 >/dev/null
	wait_screen "^pending: reverts in (60|59|58) s unless 'xdpgate rules confirm $TE_DUT_IF'"
	te_dut "$XG" rules confirm "$TE_DUT_IF" >/dev/null
	wait_screen_not "^pending: "
	top_tmux send-keys -t top C-c
	wait_screen "TOP-EXIT="
	assert_match "TOP-EXIT=0 STTY=same" "$(top_screen)"
	wait "$gpid"
	# the gate detached under top: it ends within a second, saying so, the terminal restored
	top_type
	wait_screen "^xdpgate top +$TE_DUT_IF"
	te_dut "$XG" detach "$TE_DUT_IF" >/dev/null
	wait_screen "TOP-EXIT="
	scr=$(top_screen)
	assert_match "TOP-EXIT=1 STTY=same" "$scr"
	assert_match "top: $TE_DUT_IF: the gate is gone" "$scr"
}

# Wait (bounded) for a line matching ERE $1 in file $2.
wait_grep() { wait_until 10 file_has "$1" "$2"; }

# [log] json = yes: every line run writes to stderr (start, a refused and a good reload,
# stop) is one JSON object with an RFC 3339 UTC timestamp, a level, the interface and the
# message, checked by python3's json; stdout (the reports) is unchanged.
test_config_log_json() {
	local pid
	ops_setup
	printf 'xsk proto udp dport 9\ndefault pass\n' >"$OT/dut.rules"
	write_conf
	sed -i 's/^handler = count:verify/handler = count/' "$OT/xg.ini"
	printf 'json = yes\n' >>"$OT/xg.ini" # the [log] section is last
	nsenter --net="/run/netns/$TE_NS_DUT" -- "$XG" run --config "$OT/xg.ini" \
		>"$OT/run.out" 2>"$OT/run.err" &
	pid=$!
	wait_grep "Ctrl-C to stop" "$OT/run.out"
	printf 'frobnicate\n' >"$OT/dut.rules"
	kill -HUP "$pid"
	wait_grep "reload refused" "$OT/run.err"
	printf 'drop proto udp dport 9\n' >"$OT/dut.rules"
	kill -HUP "$pid"
	wait_grep "rules from" "$OT/run.err"
	kill -INT "$pid"
	wait "$pid"
	assert_match "$TE_DUT_IF queue 0: copy mode" "$(cat "$OT/run.out")"
	assert_ge "$(wc -l <"$OT/run.err")" 2 "log lines"
	assert_ok python3 - "$OT/run.err" "$TE_DUT_IF" <<-'PY'
		import json, re, sys
		levels = []
		for n, line in enumerate(open(sys.argv[1]), 1):
		    o = json.loads(line)
		    assert set(o) <= {"timestamp", "level", "interface", "message"}, (n, o)
		    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", o["timestamp"]), o
		    assert o["level"] in ("warn", "info", "lib", "debug"), o
		    assert o["interface"] == sys.argv[2], o
		    assert not o["message"].endswith("\n"), o
		    levels.append((o["level"], o["message"]))
		assert any(l == "warn" and "reload refused, old state kept" in m for l, m in levels), levels
		assert any(l == "info" and "SIGHUP: 1 rules from" in m for l, m in levels), levels
	PY
}

# `attach ARGS` in the DUT fails with exit 1 and one line matching ERE $1.
attach_fails() {
	local want=$1 rc=0 out
	shift
	out=$(te_dut "$XG" attach "$@" 2>&1) || rc=$?
	assert_eq 1 "$rc" "attach $* exit code"
	assert_eq 1 "$(wc -l <<<"$out")" "attach $*: lines of output"
	assert_match "$want" "$out"
}

# attach --config: the persistent gate takes its mode and rules from the interface's
# section; a bad key, a bad rules file or a missing section is one line naming the culprit
# (file:line and key), exit 1, and nothing attached.
test_config_attach() {
	ops_setup
	printf 'drop proto udp dport 7\ndefault pass\n' >"$OT/dut.rules"
	write_conf
	printf '[interface %s]\nrules = %s\nmode = skb\nhandler = reflect\n' "$TE_DUT_IF" \
		"$OT/dut.rules" >"$OT/att.ini"
	sed -i 's/^wait = poll/wait = sometimes/' "$OT/xg.ini"
	attach_fails "^xdpgate: $OT/xg.ini:5: key 'wait': unknown value 'sometimes' \(expected poll\|busy-poll\|spin\)$" \
		--config "$OT/xg.ini"
	printf 'drop proto udp dport 70000\n' >"$OT/bad.rules"
	sed "s#$OT/dut.rules#$OT/bad.rules#" "$OT/att.ini" >"$OT/badrules.ini"
	attach_fails "^xdpgate: $OT/bad.rules:1:" --config "$OT/badrules.ini"
	attach_fails "^xdpgate: attach: $OT/att.ini: no \[interface nosuch0\] section$" \
		--config "$OT/att.ini" nosuch0
	assert_eq "" "$(te_dut ip -d link show "$TE_DUT_IF" | grep -o 'xdp' || true)" \
		"nothing attached after the errors"
	assert_fail te_dut "$XG" attach --config "$OT/att.ini" --rules "$OT/dut.rules"

	assert_match "attached in skb mode.* 1 rule, default pass" \
		"$(te_dut "$XG" attach --config "$OT/att.ini")"
	assert_eq "skb" "$(te_dut "$XG" status "$TE_DUT_IF" --json | jq -r '.interfaces[0].mode')"
	assert_eq "drop proto udp dport 7" "$(rule_texts)"
	te_dut "$XG" detach "$TE_DUT_IF" >/dev/null
}

gen_rx() { te_gen ip -j -s link show "$TE_GEN_IF" | jq ".[0].stats64.rx.packets"; }

# SIGHUP with a handler change whose rules then fail to install (a map update failing,
# injected: rules that do not compile are refused before anything changes), and the old
# handler cannot be put back (its pcap directory gone): the old rules stay, the new handler
# stays in force and run says so, so a later reload naming the old handler again switches
# back to it.
test_config_reload_handler_putback() {
	ops_setup
	printf 'xsk proto udp dport 9\ndefault pass\n' >"$OT/dut.rules"
	printf 'xsk proto udp dport 7\ndefault pass\n' >"$OT/new.rules"
	write_conf
	mkdir "$OT/d"
	sed -i "s#^handler = count:verify#handler = pcap:$OT/d/x.pcap#" "$OT/xg.ini"
	XG_FAULT_RELOAD_INSTALL=$TE_DUT_IF ops_start --config "$OT/xg.ini"
	sed -i "s#^handler = pcap:.*#handler = count#; s#^rules = .*#rules = $OT/new.rules#" \
		"$OT/xg.ini"
	rm -rf "$OT/d"
	hup 1
	assert_match "xdpgate: $TE_DUT_IF: the old handler could not be put back" \
		"$(cat "$OT/run.out")"
	assert_match "$TE_DUT_IF: handler count in force" "$(cat "$OT/run.out")"
	assert_match "run: SIGHUP: reload refused: $TE_DUT_IF: making the new rules live failed" \
		"$(cat "$OT/run.out")"
	assert_eq "xsk proto udp dport 9" "$(rule_texts)" "the old rules put back"
	mkdir "$OT/d"
	sed -i "s#^handler = count#handler = pcap:$OT/d/x.pcap#" "$OT/xg.ini"
	hup 2
	assert_match "run: SIGHUP: $TE_DUT_IF: handler pcap:$OT/d/x.pcap in force" \
		"$(cat "$OT/run.out")"
	assert_eq "xsk proto udp dport 7" "$(rule_texts)" "the new rules in force"
	ops_stop
}

# SIGHUP with a handler change under traffic: a handler the file cannot name and one that
# cannot start (a pcap in a missing directory) are refused with one line each and count
# stays (nothing comes back to the generator); then reflect restarts the workers and the
# frames come back. No frame is unaccounted: what the gate sent to AF_XDP = what the
# workers received (counters kept over the restart) + what the kernel dropped at the socket.
test_config_reload_handler() {
	local gpid rx0 rx1 rx2 out redirected
	ops_setup --peer-napi
	printf 'xsk proto udp dport 9\ndefault pass\n' >"$OT/dut.rules"
	write_conf
	sed -i 's/^handler = count:verify/handler = count/' "$OT/xg.ini"
	ops_start --config "$OT/xg.ini" --json
	gen --count 400000 --rate 100000 &
	gpid=$!
	traffic_seen
	rx0=$(gen_rx)

	sed -i 's/^handler = count/handler = frob/' "$OT/xg.ini"
	hup 1
	assert_match "reload refused, old state kept: $OT/xg.ini:4: key 'handler': unknown handler 'frob'" \
		"$(cat "$OT/run.out")"
	sed -i "s#^handler = frob#handler = pcap:$OT/nosuch/x.pcap#" "$OT/xg.ini"
	hup 2
	assert_match "reload refused, old state kept: $TE_DUT_IF: handler 'pcap:$OT/nosuch/x.pcap' did not start" \
		"$(cat "$OT/run.out")"
	assert_eq 1 "$(grep -c "^xdpgate: handler pcap: cannot write $OT/nosuch/x.pcap" "$OT/run.out")" \
		"the handler's reason, once"
	sleep 0.3 # not an event but its absence: frames count would wrongly send back
	rx1=$(gen_rx)
	assert_le $((rx1 - rx0)) 20 "frames back at the generator while count runs"

	sed -i "s#^handler = pcap:.*#handler = reflect#" "$OT/xg.ini"
	hup 3 # one line a reload, refused or applied
	assert_match "run: SIGHUP: $TE_DUT_IF: handler reflect in force \(workers restarted\)" \
		"$(cat "$OT/run.out")"
	wait "$gpid"
	wait_until 10 out_ge $((rx1 + 1000)) gen_rx
	all_classified 400000
	rx2=$(gen_rx)
	assert_ge $((rx2 - rx1)) 1000 "frames reflected back to the generator"
	redirected=$(verdict xsk)
	ops_stop
	out=$(tail -n 1 "$OT/run.out")
	assert_ge "$(jq '[.workers[].tx] | add' <<<"$out")" 1000 "frames the reflect handler sent"
	assert_eq "$redirected" "$(jq '[.workers[] | .rx + .xdp_statistics.rx_dropped +
		.xdp_statistics.rx_ring_full] | add' <<<"$out")" \
		"frames to AF_XDP = received + dropped at the socket"
	assert_ge "$redirected" 100000 "frames to AF_XDP"
}

# config check reads only a regular file: /dev/zero and /dev/urandom (which spun the CPU
# for ever), a FIFO (which blocked in open) and a directory (read as empty) are refused
# at once with exit 1 and one line naming the file and what it is. timeout: a hang fails.
test_config_check_not_regular() {
	local d out rc f
	d=$(mktemp -d /tmp/xg-conf.XXXXXX)
	mkfifo "$d/fifo"
	for f in /dev/zero /dev/urandom "$d/fifo" "$d"; do
		rc=0
		out=$(timeout 10 "$XG" config check "$f" 2>&1) || rc=$?
		assert_eq 1 "$rc" "config check $f exit code" || { rm -rf "$d"; return 1; }
		assert_match "^xdpgate: $f: (a character device|a FIFO|a directory), not a regular file$" \
			"$out" || { rm -rf "$d"; return 1; }
	done
	rm -rf "$d"
}

# rule_texts_of IFACE: the live set of IFACE, as rule_texts.
rule_texts_of() { te_dut "$XG" rules list "$1" --json | jq -r '[.rules[].text] | join(" | ")'; }

# Two interfaces from one config: dut0 and dut1, each its rules file.
write_conf2() {
	cat >"$OT/xg.ini" <<-EOT
		[interface $TE_DUT_IF]
		rules = $OT/r0.rules
		copy = yes

		[interface $TE_DUT_IF2]
		rules = $OT/r1.rules
		copy = yes
	EOT
}

# SIGHUP over two interfaces is all or nothing, said once: a good rules file for dut0 and a
# bad one for dut1 change neither (one line); a failure while making dut1's set live (a map
# update, injected) puts dut0's back (one line); then a good pair applies to both (one line).
test_config_reload_all_or_nothing() {
	ops_setup --pairs 2
	printf 'xsk proto udp dport 9\ndefault pass\n' >"$OT/r0.rules"
	printf 'xsk proto udp dport 10\ndefault pass\n' >"$OT/r1.rules"
	write_conf2
	XG_FAULT_RELOAD_INSTALL=$TE_DUT_IF2 ops_start --config "$OT/xg.ini"

	# a good file for dut0, a bad one for dut1: checked first, so nothing changes
	printf 'drop proto udp dport 9\ndefault pass\n' >"$OT/r0.rules"
	printf 'drop proto udp dport 10\nfrobnicate\n' >"$OT/r1.rules"
	hup 1
	assert_eq "xsk proto udp dport 9" "$(rule_texts_of "$TE_DUT_IF")" \
		"dut0's good file not applied alone"
	assert_eq "xsk proto udp dport 10" "$(rule_texts_of "$TE_DUT_IF2")" "dut1 unchanged"
	assert_eq 1 "$(hup_lines)" "one line, not one per interface"
	assert_match "run: SIGHUP: reload refused, old state kept: $OT/r1.rules:2:1: " \
		"$(cat "$OT/run.out")"

	# both good, the injected failure at dut1 after dut0's set went live: dut0's put back
	printf 'drop proto udp dport 10\ndefault pass\n' >"$OT/r1.rules"
	hup 2
	assert_eq 2 "$(hup_lines)" "one line for the whole reload"
	assert_match "run: SIGHUP: reload refused, old state kept: $TE_DUT_IF2: making the new rules live failed" \
		"$(cat "$OT/run.out")"
	assert_eq "xsk proto udp dport 9" "$(rule_texts_of "$TE_DUT_IF")" "dut0's set put back"
	assert_eq "xsk proto udp dport 10" "$(rule_texts_of "$TE_DUT_IF2")" "dut1's set kept"

	hup 3
	assert_eq 3 "$(hup_lines)" "one line for both"
	assert_match "run: SIGHUP: $TE_DUT_IF: 1 rules from $OT/r0.rules, $TE_DUT_IF2: 1 rules from $OT/r1.rules in force" \
		"$(cat "$OT/run.out")"
	assert_eq "drop proto udp dport 9" "$(rule_texts_of "$TE_DUT_IF")"
	assert_eq "drop proto udp dport 10" "$(rule_texts_of "$TE_DUT_IF2")"
	ops_stop
}
