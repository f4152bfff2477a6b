#!/bin/bash
# Integration tests of rule sets on a live gate: attach --rules, rules add/del/load/list with
# per-rule counters that follow their rules, atomic reloads under traffic, parser errors
# through the CLI (nothing changes), rules explain, stats --reset. Run by run-tests.sh
# (errexit on; see lib-assert.sh).
# shellcheck shell=bash disable=SC2154 # TE_* and ROOT come from the runner and te_setup

XG=${XDPGATE:-$ROOT/build/xdpgate}

# te_setup plus a scratch directory for rule files, removed with the environment.
rules_setup() {
	te_setup
	RT=$(mktemp -d /tmp/xg-rules.XXXXXX)
	trap 'rm -rf "$RT"; te_cleanup_trap' EXIT
}

# Packets of the live rule with exactly this text.
rule_packets_by_text() {
	xg rules list "$TE_DUT_IF" --json | jq -r --arg t "$1" '.rules[] | select(.text == $t) | .packets'
}

ping_ok() { te_gen ping -c "$1" -i 0.2 -W 1 "$TE_DUT_IP4" >/dev/null; }

# loads_under_traffic N RATE MAX FILE...: `rules load` the FILEs in turn, round and round
# (at most MAX loads and 30 s, stopped when the traffic ends), while the generator sends N
# UDP frames to port 5000 at RATE; every load must succeed. $RT/loads: how many ran.
loads_under_traffic() {
	local n=$1 rate=$2 max=$3
	shift 3
	local files=("$@")
	(
		i=0 end=$((SECONDS + 30))
		while ((i < max && SECONDS < end)) && [[ ! -e $RT/stop ]]; do
			f=${files[i % ${#files[@]}]}
			if ! xg rules load "$TE_DUT_IF" "$f" >/dev/null 2>"$RT/load.err"; then
				echo "load $i of ${f##*/} failed: $(cat "$RT/load.err")" >>"$RT/failures"
			fi
			i=$((i + 1))
			echo "$i" >"$RT/loads"
		done
	) &
	assert_ok te_gen "$XG" gen "$TE_GEN_IF" --dst "$TE_DUT_IP4" --dst-mac "$TE_DUT_MAC" \
		--proto udp --dport 5000 --count "$n" --rate "$rate"
	touch "$RT/stop"
	wait
	assert_eq "" "$(cat "$RT/failures" 2>/dev/null || true)" "every load succeeded"
}

# attach --rules, then change the live set with add/del/load while pinging; per-rule
# counters count the pings and follow their rule across changes.
test_rules_attach_add_del_load() {
	local out want
	rules_setup
	cat >"$RT/block.rules" <<-EOF
		# ICMP from the generator is dropped, everything else passes
		drop src $TE_GEN_IP4/32 proto icmp
		pass proto tcp
		default pass
	EOF
	assert_ok xg attach "$TE_DUT_IF" --rules "$RT/block.rules"
	assert_match "2 rules, default pass" "$ASSERT_OUT"
	assert_fail ping_ok 3
	assert_eq 3 "$(rule_packets 1)" "drop rule after 3 pings"
	assert_eq 0 "$(rule_packets 2)" "pass proto tcp"
	out=$(xg rules list "$TE_DUT_IF" --json)
	assert_eq "drop src 198.18.0.1/32 proto icmp" "$(jq -r '.rules[0].text' <<<"$out")"
	assert_eq 1 "$(jq -r '.rules[0].n' <<<"$out")" "rule numbers start at 1"
	assert_eq pass "$(jq -r '.default' <<<"$out")" "default in the list"
	assert_eq 3 "$(xg_count drop)" "gate drop counter"

	# a pass rule ahead of it lets ping through and counts the echo requests
	assert_ok xg rules add "$TE_DUT_IF" --at 1 \
		"pass src $TE_GEN_IP4/32 proto icmp icmp-type echo-request"
	assert_match "added rule 1" "$ASSERT_OUT"
	assert_ok ping_ok 4
	assert_eq 4 "$(rule_packets 1)" "the added pass rule counts the pings"
	assert_eq 3 "$(rule_packets 2)" "the drop rule kept its count across the add before it"
	want="pass src 198.18.0.1/32 proto icmp icmp-type 8 | drop src 198.18.0.1/32 proto icmp"
	assert_eq "$want | pass proto tcp" "$(rule_texts)" "live set after add"

	# append: lands last, the others keep their counts
	assert_ok xg rules add "$TE_DUT_IF" "drop proto udp dport 9"
	assert_eq "$want | pass proto tcp | drop proto udp dport 9" "$(rule_texts)" \
		"appended as rule 4"
	assert_eq 0 "$(rule_packets 4)" "the appended rule"
	assert_eq 4 "$(rule_packets 1)" "pass rule after an append"

	# del 1 restores the block; the drop rule (now 1) counts on from 3
	assert_ok xg rules del "$TE_DUT_IF" 1
	assert_match "deleted rule 1" "$ASSERT_OUT"
	assert_fail ping_ok 2
	assert_eq 5 "$(rule_packets 1)" "drop rule: 3 before, 2 now"
	assert_eq "drop src 198.18.0.1/32 proto icmp | pass proto tcp | drop proto udp dport 9" \
		"$(rule_texts)" "live set after del"
	assert_fail xg rules del "$TE_DUT_IF" 4
	assert_match "no rule 4 \(the set has 3 rules\)" "$ASSERT_OUT"
	assert_fail xg rules add "$TE_DUT_IF" --at 5 "drop"
	assert_match "past the end" "$ASSERT_OUT"

	# load replaces the set; a rule with the same text keeps its count
	cat >"$RT/open.rules" <<-EOF
		pass proto udp
		drop src $TE_GEN_IP4/32 proto icmp
		default drop
	EOF
	assert_ok xg rules load "$TE_DUT_IF" "$RT/open.rules"
	assert_match "loaded 2 rules from .*open.rules, default drop" "$ASSERT_OUT"
	assert_eq "pass proto udp | drop src 198.18.0.1/32 proto icmp" "$(rule_texts)"
	assert_eq 5 "$(rule_packets 2)" "count carried by text into the loaded set"
	assert_eq 0 "$(rule_packets 1)" "a new rule starts at 0"
	assert_fail ping_ok 1
	assert_eq 6 "$(rule_packets 2)"
	assert_eq drop "$(xg rules list "$TE_DUT_IF" --json | jq -r '.default')"
	# default drop now: TCP gets no answer either
	assert_fail te_gen timeout 4 nc -z -w 2 "$TE_DUT_IP4" 5001

	# stats --reset zeroes the gate's and the rules' counters
	assert_ne 0 "$(xg_count drop)" "drops before the reset"
	assert_ok xg stats "$TE_DUT_IF" --reset
	assert_match "counters reset" "$ASSERT_OUT"
	assert_eq 0 "$(xg_count drop)" "drop counter after --reset"
	assert_eq 0 "$(xg_rx)" "frames seen after --reset"
	assert_eq 0 "$(rule_packets 2)" "rule counter after --reset"
	assert_fail ping_ok 1
	assert_eq 1 "$(rule_packets 2)" "counting again after --reset"
	assert_ok xg detach "$TE_DUT_IF"
}

# Atomic reload under traffic.
#
# The marked flow F: UDP 198.18.0.1 -> 198.18.0.2 dport 5000, N frames. Two sets, loaded
# in the order B B A A B B ... so that each of the two slots alternates between A and B
# (slot 0 holds A from attach, then B, A, ...; slot 1 holds B, A, B, ...): every refill
# of a slot overwrites the other set's tables, which is where a torn reload would mix them.
#
#   index  set A                                 set B
#   1      XF  drop src .1/32 proto udp dport 5000   FB  tx proto tcp dport 3-4
#   2      TA  tx proto udp dport 4000-6000          TB  tx dst .77/32 proto udp dport 4000-6000
#   3      YF  pass dst .2/32 proto udp dport 5000   YF  (the same text)
#   4      FA  tx proto tcp dport 1-2                XF  (the same text)
#   default drop                                     default drop
#
# Alone, A gives F rule 1 (XF, drop) and B gives F rule 3 (YF, pass); XF and YF are in
# both sets, so their counters follow them through every load and end up holding all of
# A's and all of B's hits. For F, each field's rule bit-vector is, in A: src and dst
# {1,2,3,4}, proto and dport {1,2,3}; in B: src {1,2,3,4}, dst {1,3,4} (TB wants .77),
# proto and dport {2,3,4}. Any mix of these vectors has its first bit at 1 (proto and
# dport from A: A's own answer, or FB if counted with B's actions), 2 (TA or TB), or 3
# (YF: B's own answer), or no bit at all (the default). A mix of rule index and action
# table lands on FB (A's index 1 in B's slot) or YF again (B's index 3 in A's slot: the
# same answer, so no harm). So every
# mixed classification that differs from what A or B alone would do is either a tx (all
# the other rules are tx) or the default drop. The proof at the end:
#   XF + YF == frames the gate saw == N, tx == 0, drop == XF (no default hit), pass == YF.
test_rules_atomic_reload() {
	local n=300000 rate=60000 loads=0 xf yf out
	rules_setup
	cat >"$RT/A.rules" <<-EOF
		counters parse
		drop src 198.18.0.1/32 proto udp dport 5000
		tx proto udp dport 4000-6000
		pass dst 198.18.0.2/32 proto udp dport 5000
		tx proto tcp dport 1-2
		default drop
	EOF
	cat >"$RT/B.rules" <<-EOF
		counters parse
		tx proto tcp dport 3-4
		tx dst 198.18.0.77/32 proto udp dport 4000-6000
		pass dst 198.18.0.2/32 proto udp dport 5000
		drop src 198.18.0.1/32 proto udp dport 5000
		default drop
	EOF
	printf 'drop src 198.18.0.1/32 proto udp dport\n' >"$RT/broken.rules"
	assert_ok xg attach "$TE_DUT_IF" --rules "$RT/A.rules"

	# B B A A B B ...: each set loaded into both slots in turn
	loads_under_traffic "$n" "$rate" 400 "$RT"/{B,B,A,A}.rules
	loads=$(cat "$RT/loads")
	assert_ge "$loads" 8 "reloads during the traffic"
	echo "# $loads reloads during $n frames" >&2

	# a broken file changes nothing, and says where
	out=$(xg rules list "$TE_DUT_IF" --json)
	assert_fail xg rules load "$TE_DUT_IF" "$RT/broken.rules"
	assert_match "broken.rules:1:34: missing value after 'dport'" "$ASSERT_OUT"
	assert_eq "$out" "$(xg rules list "$TE_DUT_IF" --json)" "list after a broken load"

	xf=$(rule_packets_by_text "drop src 198.18.0.1/32 proto udp dport 5000")
	yf=$(rule_packets_by_text "pass dst 198.18.0.2/32 proto udp dport 5000")
	echo "# XF (A's answer) $xf, YF (B's answer) $yf" >&2
	# every frame the gate saw was classified wholly by A or by B; and it saw them all
	assert_eq "$(xg_count ipv4)" "$((xf + yf))" "marked-flow rules across all loads vs frames seen"
	assert_eq "$n" "$((xf + yf))" "marked-flow rules across all loads vs frames sent"
	assert_eq 0 "$(xg_count tx)" "tx verdicts (mixed classifications)"
	assert_eq "$xf" "$(xg_count drop)" "drop verdicts == XF (no default hit)"
	assert_eq "$yf" "$(xg_count pass)" "pass verdicts == YF"
	assert_ne 0 "$xf" "A classified some frames"
	assert_ne 0 "$yf" "B classified some frames"
	out=$(xg rules list "$TE_DUT_IF" --json)
	assert_eq 0 "$(jq '[.rules[] | select(.text | startswith("tx")) | .packets] | add' <<<"$out")" \
		"the tx rules' counters"
	assert_ok xg detach "$TE_DUT_IF"
}

# Sets of different shapes (a program each: struct xg_shape) swapped under traffic: every
# one passes the generator's UDP frames and drops nothing else it sees, so a frame that ran
# one set's program on another's slot, or found no program, shows as a drop or an abort.
test_rules_shape_swap_under_traffic() {
	local n=200000 rate=50000 i
	rules_setup
	printf 'pass proto udp dport 5000\ndefault drop\n' >"$RT/s0.rules"
	printf 'counters parse\npass src %s/32\ndefault drop\n' "$TE_GEN_IP4" >"$RT/s1.rules"
	printf 'default pass\n' >"$RT/s2.rules"
	{
		for i in $(seq 1 80); do echo "drop proto tcp dport $i"; done
		echo "drop proto udp dport 9 log"
		echo "pass proto udp dport 4000-6000"
		echo "default drop"
	} >"$RT/s3.rules"
	printf 'flows sample 100\npass proto udp\ndefault drop\n' >"$RT/s4.rules"
	assert_ok xg attach "$TE_DUT_IF" --rules "$RT/s0.rules"
	loads_under_traffic "$n" "$rate" 200 "$RT"/s{0,1,2,3,4}.rules
	echo "# $(cat "$RT/loads") loads during $n frames" >&2
	assert_ge "$(cat "$RT/loads")" 5 "loads while the traffic ran"
	assert_eq 0 "$(xg_count drop)" "drops (a frame classified by a mix of two sets)"
	assert_eq 0 "$(xg_count aborted)" "aborts (a frame that found no program)"
	assert_ge "$(xg_count pass)" "$n" "every frame passed"
	assert_ok xg detach "$TE_DUT_IF"
}

# One file per error class; each must name FILE:LINE:COL and the token, fail, and leave the
# live set as it was.
test_rules_parser_errors() {
	local before f want
	rules_setup
	printf 'drop proto icmp\ndefault pass\n' >"$RT/good.rules"
	assert_ok xg attach "$TE_DUT_IF" --rules "$RT/good.rules"
	before=$(xg rules list "$TE_DUT_IF" --json)
	declare -A cases=(
		[action]="pass proto tcp
bounce proto udp|2:1: unknown action 'bounce'"
		[prefix]="drop src 10.0.0.0/33|1:10: invalid prefix '10.0.0.0/33'"
		[prefix6]="drop dst fd00::zz/64|1:10: invalid prefix 'fd00::zz/64'"
		[ports]="# comment
drop proto udp dport 90-80|2:22: invalid ports '90-80'"
		[duplicate]="drop proto tcp proto udp|1:16: duplicate condition 'proto'"
		[unknown]="drop proto tcp colour red|1:16: unknown condition 'colour'"
		[missing]="pass src 10.0.0.0/8 dport|1:21: missing value after 'dport'"
		[flags]="drop proto tcp tcp-flags syn,!bogus|1:26: invalid tcp-flags 'syn,!bogus'"
	)
	for f in "${!cases[@]}"; do
		printf '%s\n' "${cases[$f]%|*}" >"$RT/$f.rules"
		want="${cases[$f]#*|}"
		assert_fail "$XG" rules check "$RT/$f.rules"
		assert_match "^xdpgate: $RT/$f.rules:$want" "$ASSERT_OUT" "rules check $f"
		assert_fail xg rules load "$TE_DUT_IF" "$RT/$f.rules"
		assert_match "^xdpgate: $RT/$f.rules:$want" "$ASSERT_OUT" "rules load $f"
		assert_eq "$before" "$(xg rules list "$TE_DUT_IF" --json)" "live set after $f"
	done
	assert_fail xg rules add "$TE_DUT_IF" "drop proto tcp dport x"
	assert_match "invalid ports 'x'" "$ASSERT_OUT"
	assert_eq "$before" "$(xg rules list "$TE_DUT_IF" --json)" "live set after a bad add"
	# a command-line rule has no line number to name
	assert_fail xg rules add "$TE_DUT_IF" "redirect nosuch9 proto udp"
	assert_eq "xdpgate: rules: rule 2: redirect target 'nosuch9' does not exist" "$ASSERT_OUT"
	assert_eq "$before" "$(xg rules list "$TE_DUT_IF" --json)" "live set after a bad redirect"
	assert_fail xg rules del "$TE_DUT_IF" " 1"
	assert_fail xg rules del "$TE_DUT_IF" "+1"
	assert_eq "$before" "$(xg rules list "$TE_DUT_IF" --json)" "live set after ' 1' and '+1'"
	assert_fail xg rules del "$TE_DUT_IF" 0
	assert_eq "$before" "$(xg rules list "$TE_DUT_IF" --json)" "live set after a bad del"
	assert_ok "$XG" rules check "$RT/good.rules"
	assert_match "1 rule, default pass, 0 warnings" "$ASSERT_OUT"
	assert_ok xg detach "$TE_DUT_IF"

	# attach with a broken file attaches nothing
	assert_fail xg attach "$TE_DUT_IF" --rules "$RT/ports.rules"
	assert_match "ports.rules:2:22: invalid ports '90-80'" "$ASSERT_OUT"
	assert_eq false "$(xg status "$TE_DUT_IF" --json | jq -r '.interfaces[0].attached')" \
		"nothing attached after a broken --rules"
	assert_eq "" "$(te_dut ip -d link show "$TE_DUT_IF" | grep -o 'prog/xdp' || true)" \
		"no XDP program after a broken --rules"
	# --default and --rules exclude each other
	assert_fail xg attach "$TE_DUT_IF" --default drop --rules "$RT/good.rules"
	assert_match "--default and --rules exclude each other" "$ASSERT_OUT"
	assert_eq false "$(xg status "$TE_DUT_IF" --json | jq -r '.interfaces[0].attached')" \
		"nothing attached after --default with --rules"
}

# rules explain names the rule a hex frame hits, and why the earlier ones do not.
test_rules_explain() {
	local udp53 tcp80 arp
	rules_setup
	cat >"$RT/explain.rules" <<-EOF
		# line 1 is this comment
		drop proto tcp dport 22
		pass proto udp dport 53
		tx src 10.0.0.0/8 proto tcp
		default drop
	EOF
	# Ethernet / IPv4 10.0.0.1 -> 10.0.0.2 / UDP 1234 -> 53
	udp53="020000000002 020000000001 0800 4500001c00000000401100000a0000010a000002 04d200350008 0000"
	assert_ok "$XG" rules explain "$RT/explain.rules" "$udp53"
	assert_match "frame 1 \(42 bytes\): pass" "$ASSERT_OUT"
	assert_match "rule 1 \(line 2\) skipped: proto does not match" "$ASSERT_OUT"
	assert_match "rule 2 \(line 3\) matches, every condition holds: pass proto udp dport 53" \
		"$ASSERT_OUT"
	# the same addresses, TCP 1234 -> 80, SYN
	tcp80="020000000002 020000000001 0800 4500002800000000400600000a0000010a000002"
	tcp80+=" 04d2005000000000000000005002ffff00000000"
	assert_ok "$XG" rules explain "$RT/explain.rules" "$tcp80"
	assert_match "frame 1 \(54 bytes\): tx" "$ASSERT_OUT"
	assert_match "rule 1 \(line 2\) skipped: dport does not match" "$ASSERT_OUT"
	assert_match "rule 3 \(line 4\) matches" "$ASSERT_OUT"
	# ARP: no rule, the default
	arp="ffffffffffff 020000000001 0806 0001080006040001"
	assert_ok "$XG" rules explain "$RT/explain.rules" "$arp"
	assert_match "frame 1 \(22 bytes\): drop" "$ASSERT_OUT"
	assert_match "no rule matches: default drop" "$ASSERT_OUT"
	assert_fail "$XG" rules explain "$RT/explain.rules" "zz"
	assert_match "neither a pcap file nor a frame in hex" "$ASSERT_OUT"
}

# Reading a rule file is bounded: a long line is refused after XG_RULE_LINE_MAX characters
# without the rest read into memory (a 60 MB line under a 48 MiB address-space limit), a
# file over 64 MiB before it is read (regular files) or as it is read (pipes, devices);
# each is one line and exit 1. /dev/zero never ends: its refusal shows the reading stops.
test_rules_file_bounds() {
	local d
	d=$(mktemp -d /tmp/xg-rules-XXXXXX)
	head -c 60000000 /dev/zero | tr '\0' a >"$d/long.rules"
	truncate -s 65M "$d/huge.rules"
	assert_fail bash -c "ulimit -v 49152; exec '$XG' rules check '$d/long.rules'"
	assert_eq "xdpgate: $d/long.rules:1:4097: line longer than 4096 characters" "$ASSERT_OUT"
	assert_fail timeout 30 bash -c "ulimit -v 49152; exec '$XG' rules check /dev/zero"
	assert_eq "xdpgate: /dev/zero:1:4097: line longer than 4096 characters" "$ASSERT_OUT"
	assert_fail "$XG" rules check "$d/huge.rules"
	assert_eq "xdpgate: $d/huge.rules: 68157440 bytes, a rule file holds at most 64 MiB" \
		"$ASSERT_OUT"
	# exactly the limit is read
	yes '# comment' | head -c $((64 << 20)) >"$d/full.rules" || true
	assert_ok "$XG" rules check "$d/full.rules"
	assert_match "0 rules, default pass" "$ASSERT_OUT"
	# a pipe has no size to check: it is counted as it is read
	assert_fail bash -c "yes '#' | '$XG' rules check /dev/stdin"
	assert_eq "xdpgate: /dev/stdin: more than 64 MiB, the most a rule file holds" "$ASSERT_OUT"
	# a read error is an error, not the end of the file
	assert_fail "$XG" rules check "$d"
	assert_eq "xdpgate: cannot read $d: Is a directory" "$ASSERT_OUT"
	rm -rf "$d"
}

# A reload that fails half-way through writing the idle slot (a map update failing,
# injected at each of the fill's steps) changes nothing: one line, exit 1, the old set still
# classifies every frame and keeps its counters; the next good reload works.
test_rules_reload_fails_half_way() {
	local step
	rules_setup
	printf 'drop src %s/32 proto icmp\ndefault pass\n' "$TE_GEN_IP4" >"$RT/old.rules"
	printf 'pass proto icmp\ndrop proto tcp\ndefault pass\n' >"$RT/new.rules"
	assert_ok xg attach "$TE_DUT_IF" --rules "$RT/old.rules"
	assert_fail ping_ok 2
	for step in 1 2 3; do
		assert_fail te_dut env XG_FAULT_FILL_STEP=$step "$XG" rules load "$TE_DUT_IF" \
			"$RT/new.rules"
		assert_eq 1 "$(wc -l <<<"$ASSERT_OUT")" "one line when step $step fails"
		assert_eq "drop src $TE_GEN_IP4/32 proto icmp" "$(rule_texts)" \
			"the old set after a failure at step $step"
	done
	assert_fail ping_ok 2
	assert_eq 4 "$(rule_packets 1)" "the old rule classified every ping and kept its count"
	assert_eq 4 "$(xg_count drop)" "every ping dropped"
	assert_ok xg rules load "$TE_DUT_IF" "$RT/new.rules"
	assert_ok ping_ok 2
	assert_eq "pass proto icmp | drop proto tcp" "$(rule_texts)"
	assert_ok xg detach "$TE_DUT_IF"
}

# The pending --confirm load, from status --json (null when none).
pending_json() {
	xg status "$TE_DUT_IF" --json | jq -c '.interfaces[0].pending'
}

# Wait (at most $1 s) until no --confirm load is pending.
wait_not_pending() { wait_until "$1" out_eq null pending_json; }

# Wait (bounded) until process $1 has exited.
wait_gone() { wait_until 10 gone "$1"; }

# The pending load's deadline has passed.
deadline_passed() { (($(pending_json | jq -r .remaining_ms) <= 0)); }

# rules load --confirm: confirmed in time it stays; unconfirmed it reverts to the old set
# with its counters exact; another load while pending accepts the pending set; a killed
# timer's deadline is honoured by the next rules command.
test_rules_confirm() {
	local pid p
	rules_setup
	cat >"$RT/a.rules" <<-EOF
		drop src $TE_GEN_IP4/32 proto icmp
		pass proto tcp
	EOF
	cat >"$RT/b.rules" <<-EOF
		pass src $TE_GEN_IP4/32 proto icmp
		drop src $TE_GEN_IP4/32 proto icmp
	EOF
	assert_ok xg attach "$TE_DUT_IF" --rules "$RT/a.rules"
	assert_fail ping_ok 3
	assert_eq null "$(pending_json)" "nothing pending after attach"
	assert_fail xg rules confirm "$TE_DUT_IF"
	assert_match "no --confirm load is pending" "$ASSERT_OUT"
	assert_fail xg rules add "$TE_DUT_IF" --confirm 5 "drop"
	assert_match "--confirm is an option of 'rules load'" "$ASSERT_OUT"
	assert_fail xg rules load "$TE_DUT_IF" "$RT/b.rules" --confirm 0
	assert_match "expected 1..86400" "$ASSERT_OUT"

	# confirmed within the time: the new set stays, the timer exits
	assert_ok xg rules load "$TE_DUT_IF" "$RT/b.rules" --confirm 60
	assert_match "pending: reverts in 60 s unless 'xdpgate rules confirm" "$ASSERT_OUT"
	p=$(pending_json)
	assert_eq true "$(jq -r .timer_alive <<<"$p")" "timer running"
	assert_le "$(jq -r .remaining_ms <<<"$p")" 60000
	assert_ge "$(jq -r .remaining_ms <<<"$p")" 50000
	pid=$(jq -r .timer_pid <<<"$p")
	assert_ok xg status "$TE_DUT_IF"
	assert_match "pending: generation [0-9]+, reverts to generation [0-9]+ in" "$ASSERT_OUT"
	assert_ok ping_ok 2
	assert_ok xg rules confirm "$TE_DUT_IF"
	assert_match "confirmed generation" "$ASSERT_OUT"
	assert_eq null "$(pending_json)" "nothing pending after confirm"
	assert_ok wait_gone "$pid"
	assert_eq 2 "$(rule_packets 1)" "pass rule of b"
	assert_eq 3 "$(rule_packets 2)" "drop rule carried from a"

	# not confirmed: back to b, counters exact (the drop rule's twin in a counted on); the
	# pings must fall inside the window, which a loaded machine makes slow to reach
	assert_ok xg rules load "$TE_DUT_IF" "$RT/a.rules" --confirm 8
	pid=$(jq -r .timer_pid <<<"$(pending_json)")
	assert_fail ping_ok 2
	assert_eq 5 "$(rule_packets 1)" "a's drop rule while pending"
	assert_ok wait_not_pending 30
	assert_ok wait_gone "$pid"
	assert_eq "pass src 198.18.0.1/32 proto icmp | drop src 198.18.0.1/32 proto icmp" \
		"$(rule_texts)" "reverted to b"
	assert_eq 2 "$(rule_packets 1)" "b's pass rule as it was"
	assert_eq 5 "$(rule_packets 2)" "b's drop rule with its twin's pending count"
	assert_ok ping_ok 1
	assert_eq 3 "$(rule_packets 1)" "b's pass rule counts again"

	# a second load while pending accepts the pending set and ends its timer
	assert_ok xg rules load "$TE_DUT_IF" "$RT/a.rules" --confirm 60
	pid=$(jq -r .timer_pid <<<"$(pending_json)")
	assert_ok xg rules load "$TE_DUT_IF" "$RT/b.rules"
	assert_match "pending set \(generation [0-9]+\) is accepted" "$ASSERT_OUT"
	assert_eq null "$(pending_json)" "the second load leaves nothing pending"
	assert_ok wait_gone "$pid"

	# the timer killed: status says so, the next rules command reverts
	assert_ok xg rules load "$TE_DUT_IF" "$RT/a.rules" --confirm 1
	pid=$(jq -r .timer_pid <<<"$(pending_json)")
	kill -9 "$pid"
	assert_ok wait_gone "$pid"
	wait_until 10 deadline_passed
	assert_eq false "$(jq -r .timer_alive <<<"$(pending_json)")" "timer gone"
	assert_ok xg status "$TE_DUT_IF"
	# what will happen: the deadline is past, so a confirm reverts too (it used to say
	# "unless 'xdpgate rules confirm'", which then reverted and exited 1)
	assert_match "deadline passed \(timer gone\): the next 'xdpgate rules confirm $TE_DUT_IF', rules or set change, or run reload reverts to generation [0-9]+" \
		"$ASSERT_OUT"
	assert_eq "" "$(grep -o unless <<<"$ASSERT_OUT" || true)" "no confirm offered after it"
	assert_fail xg rules confirm "$TE_DUT_IF"
	assert_match "not confirmed in time: reverting" "$ASSERT_OUT"
	assert_eq "pass src 198.18.0.1/32 proto icmp | drop src 198.18.0.1/32 proto icmp" \
		"$(rule_texts)" "reverted to b by the next command"
	assert_eq null "$(pending_json)"

	# detached while pending: the timer finds the gate gone and exits
	assert_ok xg rules load "$TE_DUT_IF" "$RT/a.rules" --confirm 60
	pid=$(jq -r .timer_pid <<<"$(pending_json)")
	assert_ok xg detach "$TE_DUT_IF"
	assert_ok wait_gone "$pid"
}

# rules load --confirm killed between its two steps (XG_FAULT_CONFIRM_KILL): after the
# pending record is written but before the flip, the old set stays live and the record is
# settled without a revert (by its timer at the deadline); after the flip, the new set is
# live with its revert armed, and its timer reverts it at the deadline. Never the new set
# with nothing to revert it.
test_rules_confirm_crash() {
	local rc p
	rules_setup
	printf 'drop src %s/32 proto icmp\ndefault pass\n' "$TE_GEN_IP4" >"$RT/a.rules"
	printf 'pass proto icmp\ndefault pass\n' >"$RT/b.rules"
	assert_ok xg attach "$TE_DUT_IF" --rules "$RT/a.rules"

	rc=0
	te_dut env XG_FAULT_CONFIRM_KILL=armed "$XG" rules load "$TE_DUT_IF" "$RT/b.rules" \
		--confirm 2 >/dev/null 2>&1 || rc=$?
	assert_eq 137 "$rc" "killed (SIGKILL) between the record and the flip"
	assert_eq "drop src $TE_GEN_IP4/32 proto icmp" "$(rule_texts)" "the old set live"
	assert_ok xg status "$TE_DUT_IF"
	assert_match "interrupted before it took effect: generation [0-9]+ stays live" "$ASSERT_OUT"
	p=$(pending_json)
	assert_eq true "$(jq -r .timer_alive <<<"$p")" "its timer armed before the flip"
	assert_ok wait_not_pending 10
	assert_ok wait_gone "$(jq -r .timer_pid <<<"$p")"
	assert_eq "drop src $TE_GEN_IP4/32 proto icmp" "$(rule_texts)" \
		"the old set still live after the deadline"
	assert_fail ping_ok 1

	rc=0
	te_dut env XG_FAULT_CONFIRM_KILL=flipped "$XG" rules load "$TE_DUT_IF" "$RT/b.rules" \
		--confirm 2 >/dev/null 2>&1 || rc=$?
	assert_eq 137 "$rc" "killed (SIGKILL) just after the flip"
	assert_eq "pass proto icmp" "$(rule_texts)" "the new set live"
	p=$(pending_json)
	assert_eq true "$(jq -r .timer_alive <<<"$p")" "with its revert armed"
	assert_ok wait_not_pending 10
	assert_eq "drop src $TE_GEN_IP4/32 proto icmp" "$(rule_texts)" "reverted at the deadline"

	# the record of a load killed before its flip, its timer killed too: the next change
	# drops it (nothing to revert), says so, and goes on
	te_dut env XG_FAULT_CONFIRM_KILL=armed "$XG" rules load "$TE_DUT_IF" "$RT/b.rules" \
		--confirm 60 >/dev/null 2>&1 || true
	p=$(pending_json)
	kill -9 "$(jq -r .timer_pid <<<"$p")"
	assert_ok xg rules load "$TE_DUT_IF" "$RT/b.rules"
	assert_match "never took effect: its record is dropped" "$ASSERT_OUT"
	assert_eq null "$(pending_json)"
	assert_eq "pass proto icmp" "$(rule_texts)"
	assert_ok xg detach "$TE_DUT_IF"
}

# The --confirm revert timer keeps only what a revert needs: CAP_SYS_ADMIN and CAP_BPF in its
# effective set (bits 21 and 39), nothing else, for up to a day; the revert still works.
test_rules_confirm_timer_caps() {
	local pid eff
	rules_setup
	printf 'drop src %s/32 proto icmp\ndefault pass\n' "$TE_GEN_IP4" >"$RT/a.rules"
	printf 'pass proto icmp\ndefault pass\n' >"$RT/b.rules"
	assert_ok xg attach "$TE_DUT_IF" --rules "$RT/a.rules"
	assert_ok xg rules load "$TE_DUT_IF" "$RT/b.rules" --confirm 2
	pid=$(jq -r .timer_pid <<<"$(pending_json)")
	eff=$(sed -n 's/^CapEff:\t//p' "/proc/$pid/status")
	assert_eq 0000008000200000 "$eff" "the timer's effective capabilities"
	assert_eq 0000008000200000 "$(sed -n 's/^CapPrm:\t//p' "/proc/$pid/status")" \
		"and its permitted ones: none can be raised again"
	# and with them the revert still works
	assert_ok wait_not_pending 10
	assert_eq "drop src $TE_GEN_IP4/32 proto icmp" "$(rule_texts)" "reverted by the timer"
	assert_ok xg detach "$TE_DUT_IF"
}

# log [every N]: sampled frames read back by `xdpgate log` (lines, JSON, pcap for tshark)
# while traffic runs; a rule without log and a set without log write nothing; a reader
# ends when the gate is detached.
test_rules_log() {
	local out n lost want
	rules_setup
	cat >"$RT/log.rules" <<-EOF
		drop src $TE_GEN_IP4/32 proto icmp log
		drop proto udp dport 9 log every 10
		drop proto udp dport 10
	EOF
	assert_ok xg attach "$TE_DUT_IF" --rules "$RT/log.rules"
	assert_fail ping_ok 3
	# the records wait in the ring buffer until a reader comes; --count leaves the rest there
	want="rule 1 drop 98 bytes q0: ipv4, ether 0x0800, $TE_GEN_IP4 -> $TE_DUT_IP4, proto 1,"
	want+=" icmp type 8 [drop src $TE_GEN_IP4/32 proto icmp log]"
	assert_ok xg log "$TE_DUT_IF" --count 1 --duration 10
	assert_eq 1 "$(grep -cF "$want" <<<"$ASSERT_OUT")" "one ping line: $ASSERT_OUT"
	assert_match "1 frame, 0 lost" "$ASSERT_OUT"
	assert_ok xg log "$TE_DUT_IF" --count 2 --duration 10
	assert_eq 2 "$(grep -cF "$want" <<<"$ASSERT_OUT")" "the two other ping lines: $ASSERT_OUT"
	assert_match "2 frames, 0 lost" "$ASSERT_OUT"
	assert_fail xg log "$TE_DUT_IF" --pcap "$RT/x.pcap" --json
	assert_match "exclude each other" "$ASSERT_OUT"
	printf 'drop proto icmp log every 0\n' >"$RT/bad.rules"
	assert_fail xg rules load "$TE_DUT_IF" "$RT/bad.rules"
	assert_match "bad.rules:1:27: invalid sample rate '0'" "$ASSERT_OUT"
	assert_eq 3 "$(rule_packets 1)" "the live set unchanged"

	# under traffic: 1000 frames to dport 9, sampled one in 10 per CPU; 1000 to dport 10
	# (no log); the reader runs meanwhile
	xg log "$TE_DUT_IF" --json --duration 20 --count 200 >"$RT/log.json" 2>"$RT/log.err" &
	local reader=$!
	assert_ok te_gen "$XG" gen "$TE_GEN_IF" --dst "$TE_DUT_IP4" --dst-mac "$TE_DUT_MAC" \
		--proto udp --dport 9 --count 1000 --rate 20000
	assert_ok te_gen "$XG" gen "$TE_GEN_IF" --dst "$TE_DUT_IP4" --dst-mac "$TE_DUT_MAC" \
		--proto udp --dport 10 --count 1000 --rate 20000
	wait_until 10 out_ge 100 lines "$RT/log.json"
	kill -INT "$reader"
	wait "$reader" || true
	n=$(wc -l <"$RT/log.json")
	assert_ge "$n" 100 "sampled frames"
	assert_le "$n" $((100 + $(nproc))) "one in 10 per CPU"
	assert_eq "$n" "$(jq -s '[.[] | select(.rule == 2 and .verdict == "drop" and .dport == 9 and
		.src == "'"$TE_GEN_IP4"'" and .parse == "ipv4")] | length' <"$RT/log.json")" \
		"every record is rule 2's"
	assert_eq 1000 "$(rule_packets 2)" "rule 2 counted every frame"

	# pcap: tshark reads the ICMP frames back, cut to 128 bytes
	assert_fail te_gen ping -c 2 -i 0.2 -W 1 -s 200 "$TE_DUT_IP4"
	assert_ok xg log "$TE_DUT_IF" --pcap "$RT/log.pcap" --count 2 --duration 10
	assert_match "2 frames written to" "$ASSERT_OUT"
	out=$(tshark -r "$RT/log.pcap" -T fields -e frame.len -e frame.cap_len -e ip.src -e icmp.type 2>/dev/null)
	assert_eq "$(printf '242\t128\t%s\t8\n242\t128\t%s\t8' "$TE_GEN_IP4" "$TE_GEN_IP4")" "$out" "tshark"

	# a set without log: nothing to read
	printf 'drop proto icmp\n' >"$RT/nolog.rules"
	assert_ok xg rules load "$TE_DUT_IF" "$RT/nolog.rules"
	assert_fail ping_ok 2
	assert_ok xg log "$TE_DUT_IF" --duration 1
	assert_match "0 frames, 0 lost" "$ASSERT_OUT"
	lost=$(xg_count log_lost)
	assert_eq 0 "$lost" "log_lost"

	# detached under a reader: it ends at once (not at --duration), saying why
	assert_ok xg rules load "$TE_DUT_IF" "$RT/log.rules"
	xg log "$TE_DUT_IF" --duration 60 >"$RT/gone.out" 2>"$RT/gone.err" &
	reader=$!
	assert_fail ping_ok 1
	assert_ok wait_file_line "$RT/gone.out" # the reader is in its loop
	assert_ok xg detach "$TE_DUT_IF"
	assert_ok wait_gone "$reader"
	local rc=0
	wait "$reader" || rc=$?
	assert_eq 1 "$rc" "log's exit code when the gate goes"
	assert_match "log: $TE_DUT_IF: the gate is gone" "$(cat "$RT/gone.err")"
}

# Wait (bounded) until file $1 has a line.
wait_file_line() { wait_until 10 test -s "$1"; }

# The lines in file $1.
lines() { wc -l <"$1"; }
