#!/bin/bash
# Integration tests of prefix sets and limits on a live gate: a rule file with `set NAME
# FILE`, set list/show/add/del, set reloads under traffic that are atomic and keep the rules'
# counters, and a limit held to its rate on one and on two queues. Run by run-tests.sh (errexit on; see lib-assert.sh).
# shellcheck shell=bash disable=SC2154 # TE_* and ROOT come from the runner and te_setup

XG=${XDPGATE:-$ROOT/build/xdpgate}

sets_setup() {
	te_setup "$@"
	ST=$(mktemp -d /tmp/xg-sets.XXXXXX)
	trap 'rm -rf "$ST"; te_cleanup_trap' EXIT
}

# A set file: n prefixes under 10.0.0.0/8 and fd00::/16, then the lines given.
set_file() {
	local n=$1
	shift
	awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) {
		if (i % 4 == 3) printf "fd00:%x::/32\n", i % 65536;
		else printf "10.%d.%d.0/24\n", int(i / 256) % 256, i % 256 } }'
	printf '%s\n' "$@"
}

test_sets_live_reload() {
	local n=200000 rate=50000 loads drop pass out
	sets_setup
	set_file 20000 "# the generator, nested in a /16" "$TE_GEN_IP4/32" "198.18.0.0/16" >"$ST/with.txt"
	set_file 20000 "198.19.0.0/16" >"$ST/without.txt"
	printf '10.0.0.0/8\nnot-a-prefix\n' >"$ST/broken.txt"
	cat >"$ST/gate.rules" <<-EOF
		set feed with.txt
		drop src @feed proto udp dport 5000
		pass proto udp dport 5000
		default drop
	EOF
	assert_ok xg attach "$TE_DUT_IF" --rules "$ST/gate.rules"
	assert_ok xg set list "$TE_DUT_IF"
	assert_match "feed	20002 prefixes" "$ASSERT_OUT"
	assert_ok xg set show "$TE_DUT_IF" feed
	assert_match "198.18.0.1/32" "$ASSERT_OUT"
	assert_ok xg status "$TE_DUT_IF"
	assert_match "  sets: feed \(20002 prefixes\)" "$ASSERT_OUT"
	assert_eq "feed 20002" "$(xg status "$TE_DUT_IF" --json |
		jq -r '.interfaces[0].sets[] | "\(.name) \(.prefixes)"')" "sets in status --json"

	# set reloads under traffic: bounded in count and time
	(
		i=0 end=$((SECONDS + 20))
		while ((i < 200 && SECONDS < end)) && [[ ! -e $ST/stop ]]; do
			which=without
			((i % 2)) && which=with
			if ! xg set load "$TE_DUT_IF" feed "$ST/$which.txt" >/dev/null 2>"$ST/load.err"; then
				echo "load $i failed: $(cat "$ST/load.err")" >>"$ST/failures"
			fi
			i=$((i + 1))
			echo "$i" >"$ST/loads"
		done
	) &
	assert_ok te_gen "$XG" gen "$TE_GEN_IF" --dst "$TE_DUT_IP4" --dst-mac "$TE_DUT_MAC" \
		--proto udp --dport 5000 --count "$n" --rate "$rate"
	touch "$ST/stop"
	wait
	assert_eq "" "$(cat "$ST/failures" 2>/dev/null || true)" "every set load succeeded"
	loads=$(cat "$ST/loads")
	assert_ge "$loads" 4 "set reloads during the traffic"
	drop=$(rule_packets 1)
	pass=$(rule_packets 2)
	echo "# $loads set reloads during $n frames: $drop in the set, $pass not" >&2
	# counters kept across every reload: the two rules saw every frame, once
	assert_eq "$n" "$((drop + pass))" "frames counted by the two rules across the reloads"
	assert_eq "$drop" "$(jq -r '.interfaces[0].counters.drop.packets' <<<"$(xg status "$TE_DUT_IF" --json)")" \
		"drop verdicts == the set rule"
	assert_ne 0 "$drop" "the set with the generator matched"
	assert_ne 0 "$pass" "the set without it did not"

	# a broken set file changes nothing and names file:line
	out=$(xg set show "$TE_DUT_IF" feed)
	assert_fail xg set load "$TE_DUT_IF" feed "$ST/broken.txt"
	assert_match "broken.txt:2: invalid prefix 'not-a-prefix'" "$ASSERT_OUT"
	assert_eq "$out" "$(xg set show "$TE_DUT_IF" feed)" "the set after a broken load"
	assert_fail xg set load "$TE_DUT_IF" nosuch "$ST/with.txt"
	assert_match "no set 'nosuch'" "$ASSERT_OUT"

	# add and del edit the live set; a rule added on the command line may name it
	assert_ok xg set load "$TE_DUT_IF" feed "$ST/without.txt"
	assert_ok xg set add "$TE_DUT_IF" feed "$TE_GEN_IP4" 192.0.2.0/24 192.0.2.0/24
	assert_match "added 2 prefixes" "$ASSERT_OUT"
	assert_ok xg set del "$TE_DUT_IF" feed 192.0.2.0/24 203.0.113.0/24
	assert_match "deleted 1 prefix" "$ASSERT_OUT"
	assert_ok xg rules add "$TE_DUT_IF" --at 1 "pass src @feed proto udp dport 7"
	assert_ok xg rules list "$TE_DUT_IF" --json
	assert_eq "pass src @feed proto udp dport 7" "$(jq -r '.rules[0].text' <<<"$ASSERT_OUT")"
	assert_ok xg set list "$TE_DUT_IF"
	assert_match "feed	20002 prefixes" "$ASSERT_OUT"
	assert_fail xg rules add "$TE_DUT_IF" "drop dst @other"
	assert_match "set 'other' is not defined" "$ASSERT_OUT"

	# a rule load with a new set of the same name swaps rules and set together
	cat >"$ST/gate2.rules" <<-EOF
		set feed without.txt
		set bogons with.txt
		drop src @bogons dst @feed
		default pass
	EOF
	assert_ok xg rules load "$TE_DUT_IF" "$ST/gate2.rules"
	assert_ok xg set list "$TE_DUT_IF"
	assert_match "bogons	20002 prefixes" "$ASSERT_OUT"
	assert_eq 2 "$(grep -c prefixes <<<"$ASSERT_OUT")" "two sets after the load (the old one freed)"
	assert_ok xg detach "$TE_DUT_IF"
}

# Offer 10x a limit's rate for 5 s from `threads` senders on as many queues: the limited
# rule takes rate x time + burst within 10% (the shared bucket is exact; the slack is for
# the time the sender really took), the rest falls through to the next rule.
limit_rate_check() {
	local queues=$1 rate=2000 burst=100 n=100000 t0 t1 took got want
	sets_setup --queues "$queues"
	cat >"$ST/limit.rules" <<-EOF
		pass proto udp dport 5000 limit ${rate}/s burst $burst
		drop proto udp dport 5000
		default pass
	EOF
	assert_ok xg attach "$TE_DUT_IF" --rules "$ST/limit.rules"
	t0=$(date +%s%N)
	assert_ok te_gen "$XG" gen "$TE_GEN_IF" --dst "$TE_DUT_IP4" --dst-mac "$TE_DUT_MAC" \
		--proto udp --dport 5000 --count "$n" --rate $((rate * 10)) \
		--threads "$queues" --flows 64
	t1=$(date +%s%N)
	took=$(((t1 - t0) / 1000000)) # ms, an upper bound on the traffic's span
	got=$(rule_packets 1)
	want=$((rate * took / 1000 + burst))
	echo "# $queues queue(s): $got of $n frames matched in ${took} ms; rate x time + burst = $want" >&2
	assert_eq "$n" "$((got + $(rule_packets 2)))" "frames counted by the two rules"
	assert_ge "$got" $((want * 9 / 10)) "matched >= 90% of rate x time + burst"
	assert_ge $((want * 11 / 10)) "$got" "matched <= 110% of rate x time + burst"
	assert_ok xg detach "$TE_DUT_IF"
}

test_limit_rate_one_queue() { limit_rate_check 1; }
test_limit_rate_two_queues() { limit_rate_check 2; }

# An empty set name is a usage error (exit 2, one line) for every set subcommand that takes
# a name; a set file with a NUL byte is refused naming file:line, and the set is unchanged.
test_sets_empty_name_and_nul() {
	local rc sub
	sets_setup
	printf '198.18.0.0/24\n' >"$ST/s.txt"
	printf '198.19.0.0/24\n198.19.1.0/24\0 10.0.0.0/8\n' >"$ST/nul.txt"
	printf 'set blk s.txt\ndrop src @blk proto udp\n' >"$ST/gate.rules"
	assert_ok xg attach "$TE_DUT_IF" --rules "$ST/gate.rules"
	for sub in show add del load; do
		rc=0
		case $sub in
		show) ASSERT_OUT=$(xg set show "$TE_DUT_IF" '' 2>&1) || rc=$? ;;
		load) ASSERT_OUT=$(xg set load "$TE_DUT_IF" '' "$ST/s.txt" 2>&1) || rc=$? ;;
		*) ASSERT_OUT=$(xg set "$sub" "$TE_DUT_IF" '' 198.18.1.0/24 2>&1) || rc=$? ;;
		esac
		assert_eq 2 "$rc" "set $sub with an empty name: exit code"
		assert_eq "xdpgate: set: set name is empty" "$ASSERT_OUT" "set $sub ''"
	done
	assert_fail xg set load "$TE_DUT_IF" blk "$ST/nul.txt"
	assert_eq "xdpgate: set: $ST/nul.txt:2: a NUL byte in the line" "$ASSERT_OUT"
	assert_ok xg set show "$TE_DUT_IF" blk
	assert_eq "198.18.0.0/24" "$ASSERT_OUT" "the set unchanged"
}
