#!/bin/bash
# Integration tests of `xdpgate log` as a reader that can fail: a write error ends it with
# one line and exit 1, a second reader of one gate is refused naming the first, a pcap file
# that cannot be made is said in one line, and the pcap file is private (0600). The happy
# paths (lines, JSON, pcap read back by tshark) are test_rules_log in test-rules.sh. Run by
# run-tests.sh (errexit on; see lib-assert.sh).
# shellcheck shell=bash disable=SC2154 # TE_* and ROOT come from the runner and te_setup

XG=${XDPGATE:-$ROOT/build/xdpgate}

xg() { te_dut "$XG" "$@"; }

# The command with its stdout on /dev/full.
to_full() { "$@" >/dev/full; }

# te_setup, a scratch directory, and a gate that logs every ping to the DUT; n pings sent
# (each dropped and logged). Sets LT.
log_setup() {
	local n=$1
	te_setup
	LT=$(mktemp -d /tmp/xg-log.XXXXXX)
	trap 'rm -rf "$LT"; te_cleanup_trap' EXIT
	printf 'drop src %s/32 proto icmp log\n' "$TE_GEN_IP4" >"$LT/log.rules"
	assert_ok xg attach "$TE_DUT_IF" --rules "$LT/log.rules"
	((n == 0)) || assert_fail te_gen ping -c "$n" -i 0.05 -W 1 "$TE_DUT_IP4" # no reply
}

# stdout on a full disk, then --pcap on one: exit 1, one line naming what failed and why,
# never "frames written".
test_log_write_errors() {
	log_setup 4
	assert_fail to_full xg log "$TE_DUT_IF" --count 2 --duration 10
	assert_eq "xdpgate: log: $TE_DUT_IF: cannot write stdout: No space left on device (0 frames written)" \
		"$ASSERT_OUT"
	assert_fail xg log "$TE_DUT_IF" --pcap /dev/full --count 2 --duration 10
	assert_eq "xdpgate: log: $TE_DUT_IF: cannot write /dev/full: No space left on device (0 frames written)" \
		"$ASSERT_OUT"
	# the next reader works, and writes what is left
	assert_ok xg log "$TE_DUT_IF" --count 2 --duration 10
	assert_match "2 frames, 0 lost" "$ASSERT_OUT"
}

# --pcap into a missing directory: one line naming the path and the reason; and a pcap file
# is made 0600 under umask 022 (and an old one overwritten made so).
test_log_pcap_file() {
	umask 022
	log_setup 2
	assert_fail xg log "$TE_DUT_IF" --pcap /nonexistent-xg/x.pcap --count 1 --duration 10
	assert_eq "xdpgate: log: cannot write /nonexistent-xg/x.pcap: No such file or directory" \
		"$ASSERT_OUT"
	: >"$LT/old.pcap"
	chmod 0644 "$LT/old.pcap"
	assert_ok xg log "$TE_DUT_IF" --pcap "$LT/new.pcap" --count 1 --duration 10
	assert_ok xg log "$TE_DUT_IF" --pcap "$LT/old.pcap" --count 1 --duration 10
	assert_eq 600 "$(stat -c %a "$LT/new.pcap")" "mode of a new pcap file"
	assert_eq 600 "$(stat -c %a "$LT/old.pcap")" "mode of an overwritten pcap file"
	assert_eq 1 "$(tshark -r "$LT/old.pcap" 2>/dev/null | wc -l)" "frames in old.pcap"
}

# A second reader of the same gate is refused, naming the first's pid, and the first reads
# every record; once it has stopped, a reader is let in again.
test_log_second_reader_refused() {
	local pid
	log_setup 0
	# nsenter execs the command, so $! is xdpgate itself
	nsenter --net="/run/netns/$TE_NS_DUT" -- "$XG" log "$TE_DUT_IF" --duration 60 \
		>"$LT/first.out" 2>&1 &
	pid=$!
	# the first holds the lock once its pid is in the lock file beside run's counters
	wait_until 10 bash -c "grep -qx $pid /run/xdpgate/ns*-if*.log"
	assert_fail xg log "$TE_DUT_IF" --duration 0.1
	assert_eq "xdpgate: log: $TE_DUT_IF: another xdpgate log (pid $pid) reads this gate, and its ring buffer has one reader: stop that one first" \
		"$ASSERT_OUT"
	assert_fail te_gen ping -c 3 -i 0.05 -W 1 "$TE_DUT_IP4"
	wait_until 10 out_eq 3 grep -c ' rule 1 drop ' "$LT/first.out"
	kill -INT "$pid"
	wait "$pid"
	assert_match "3 frames, 0 lost" "$(cat "$LT/first.out")"
	assert_ok xg log "$TE_DUT_IF" --duration 0.1
}
