#!/bin/bash
# Connection state (`ct`, docs/conntrack.md) on a live gate, held to nftables: one scenario
# played twice, each time in a fresh environment, first through an nftables rule set using
# `ct state` (prerouting, after conntrack), then through the gate with the same rules. After
# every step the per-rule counters of the two runs must have moved alike: the same frames met
# the same rule (step_view says how exactly). Steps, in IPv4 and IPv6: ICMP echo both ways; TCP opened from either side and
# closed by either side; an RST; UDP request and answer both ways; an ICMP error about a
# tracked UDP flow (related); a UDP answer after its entry timed out (UDP timeout 1 s in the
# namespace); stray TCP segments (a bare ACK, SYN-ACK, FIN-ACK, RST) with no
# connection. Plus: attach/detach manage the conntrack table, `ct list|count`, `ct` errors,
# and a set without `ct` runs no connection-state code (bpftool's xlated dump). Run by
# run-tests.sh (errexit on; see lib-assert.sh).
# shellcheck shell=bash disable=SC2154 # TE_* and ROOT come from the runner and te_setup

XG=${XDPGATE:-$ROOT/build/xdpgate}
PEER=$ROOT/testenv/ct_peer.py

xg() { te_dut "$XG" "$@"; }

# The rule set, in the gate's words and in nftables' (same order; each nft rule counts).
CT_GATE_RULES='pass ct established,related
pass proto tcp dport 22 ct new
pass proto udp dport 53 ct new
pass proto icmp icmp-type echo-request
pass proto icmpv6 icmp-type echo-request
drop ct invalid
default drop'
CT_NFT_RULES=(
	"ct state established,related counter accept"
	"tcp dport 22 ct state new counter accept"
	"udp dport 53 ct state new counter accept"
	"icmp type echo-request counter accept"
	"icmpv6 type echo-request counter accept"
	"ct state invalid counter drop"
	"counter drop"
)

# The per-rule counters of this run, as one line "n1 n2 ... default".
counters_nft() {
	te_dut nft -j list chain inet xgct in |
		jq -r '[.nftables[] | select(.rule) | .rule.expr[] | select(.counter) |
			.counter.packets] | map(tostring) | join(" ")'
}

counters_gate() {
	local rules st
	rules=$(xg rules list "$TE_DUT_IF" --json)
	st=$(xg status "$TE_DUT_IF" --json)
	jq -rn --argjson r "$rules" --argjson s "$st" '
		($r.rules | map(.packets)) as $p |
		($s.interfaces[0].counters | .pass.packets + .drop.packets) as $all |
		$p + [$all - ($p | add)] | map(tostring) | join(" ")'
}

# read_counters: $COUNTERS, read again (3 tries) when a read gives nothing (one read of the
# gate's counters came back empty in ten runs, cause not found); what the commands said on
# stderr is shown if no try works.
read_counters() {
	local v i
	for ((i = 0; i < 3; i++)); do
		v=$($COUNTERS 2>>"$CT_TMP/counters.err") && [[ -n $v ]] && break
		sleep 0.1
	done
	[[ -n $v ]] || { cat "$CT_TMP/counters.err" >&2; return 1; }
	echo "$v"
}

# settle: until the counters read the same twice 0.2 s apart (3 s at most): the last frames
# of a step (a final ACK after the client exited) have arrived. Prints them.
settle() {
	local a b i
	a=$(read_counters)
	for ((i = 0; i < 15; i++)); do
		sleep 0.2
		b=$(read_counters)
		[[ $a == "$b" ]] && break
		a=$b
	done
	echo "$b"
}

# peer STEP...: one step of testenv/ct_peer.py, started by peer_start for this environment.
peer() {
	local line
	echo "$*" >&"${CT_PEER[1]}"
	read -r -t 15 line <&"${CT_PEER[0]}"
	[[ $line == ok ]] || _assert_fail_msg "ct_peer.py: ${line:-no answer in 15 s}"
}

peer_start() {
	coproc CT_PEER { python3 "$PEER" "$TE_NS_GEN" "$TE_NS_DUT"; }
}

# End the peer: it exits at the end of its input.
peer_stop() {
	local pid=$CT_PEER_PID
	exec {CT_PEER[1]}>&-
	wait "$pid" || { local rc=$?; echo "ct_peer.py exited $rc" >&2; return $rc; }
}

# wait_udp_gone PORT: until conntrack has no UDP entry of the DUT's PORT (the namespace's UDP
# timeout is 1 s, set by env_up), 10 s at most.
wait_udp_gone() {
	local i
	for ((i = 0; i < 100; i++)); do
		te_dut grep -q "udp .*sport=$1 " /proc/net/nf_conntrack || return 0
		sleep 0.1
	done
	_assert_fail_msg "the UDP entry of port $1 did not time out in 10 s"
}

# stray SRC DST SPORT FLAGS: one TCP segment from gen to dut:22, no connection behind it.
stray() {
	peer raw "$TE_GEN_IF" "$TE_GEN_MAC" "$TE_DUT_MAC" "$1" "$2" "$3" 22 "$4"
}

# One family's steps; each step's counters appended to $CT_TMP/$RUN.
family_steps() {
	local fam=$1 gen dut step out="$CT_TMP/$RUN"
	if [[ $fam == 4 ]]; then gen=$TE_GEN_IP4 dut=$TE_DUT_IP4; else gen=$TE_GEN_IP6 dut=$TE_DUT_IP6; fi
	step() {
		local c
		c=$(settle)
		echo "v$fam $1: $c" >>"$out"
	}
	te_gen ping -c 1 -W 2 "$dut" >/dev/null
	step "ping in"
	te_dut ping -c 1 -W 2 "$gen" >/dev/null
	step "ping out"
	peer tcp gen "$dut" 22 client
	step "tcp in, client closes"
	peer tcp gen "$dut" 22 server
	step "tcp in, server closes"
	peer tcp gen "$dut" 22 rst
	step "tcp in, rst"
	peer tcp dut "$gen" 8080 client
	step "tcp out, client closes"
	peer tcp dut "$gen" 8080 server
	step "tcp out, server closes"
	peer udp gen "$dut" 53
	step "udp in"
	peer udp dut "$gen" 5353
	step "udp out"
	peer udp-bound dut "$gen" 5353 40053
	step "udp out from a fixed port"
	wait_udp_gone 40053
	peer udp-late "$dut" 40053 5353 # the answer again, after the entry timed out
	step "udp answer after the timeout"
	peer udp-noreply dut "$gen" 9 # gen answers: port unreachable
	step "icmp error about udp"
	stray "$gen" "$dut" 40001 10
	step "stray ack"
	stray "$gen" "$dut" 40002 12
	step "stray syn-ack"
	stray "$gen" "$dut" 40003 11
	step "stray fin-ack"
	stray "$gen" "$dut" 40004 04
	step "stray rst"
}

scenario() {
	peer_start
	family_steps 4
	family_steps 6
	peer_stop
}

# te_setup, keeping the scratch directory's removal in the EXIT trap it installs.
env_up() {
	te_setup
	trap 'rm -rf "$CT_TMP"; te_cleanup_trap' EXIT
	te_dut sysctl -qw net.netfilter.nf_conntrack_udp_timeout=1
}

run_nft() {
	local r
	env_up
	te_dut nft add table inet xgct
	te_dut nft add chain inet xgct in \
		'{ type filter hook prerouting priority -150; policy accept; }'
	te_dut nft add rule inet xgct in iifname != "$TE_DUT_IF" accept
	for r in "${CT_NFT_RULES[@]}"; do
		# shellcheck disable=SC2086 # the rule's words are nft's arguments
		te_dut nft add rule inet xgct in $r
	done
	RUN=nft COUNTERS=counters_nft scenario
}

run_gate() {
	env_up
	echo "$CT_GATE_RULES" >"$CT_TMP/host.rules"
	assert_ok xg attach "$TE_DUT_IF" --rules "$CT_TMP/host.rules"
	RUN=gate COUNTERS=counters_gate scenario
}

ct_setup() {
	CT_TMP=$(mktemp -d /tmp/xg-ct.XXXXXX)
	trap 'rm -rf "$CT_TMP"' EXIT
}

# A run's counters per step, as what each step added: exact for every rule but the first
# (`established,related`), whose count depends on TCP's timing (whether an ACK rides with
# data or goes alone after the delayed-ACK timer, which differs from run to run on a loaded
# machine): for it, only whether the step moved it ("+") or not ("0"). A frame the two
# classify differently still shows, in the counter of the rule the other one picked.
step_view() {
	awk -F': ' '{ n = split($2, c, " "); line = $1 ":"
		for (i = 1; i <= n; i++) { d = c[i] - p[i]; p[i] = c[i]
			if (i == 1) d = d > 0 ? "+" : "0"; line = line " " d }
		print line }' "$1"
}

# The scenario through nftables, then through the gate: step by step, the same counters.
test_ct_same_as_nftables() {
	local i n
	ct_setup
	run_nft
	run_gate
	n=$(wc -l <"$CT_TMP/nft")
	assert_eq "$n" "$(wc -l <"$CT_TMP/gate")" "steps played"
	assert_ge "$n" 32
	step_view "$CT_TMP/nft" >"$CT_TMP/nft.steps"
	step_view "$CT_TMP/gate" >"$CT_TMP/gate.steps"
	for ((i = 1; i <= n; i++)); do
		assert_eq "$(sed -n "${i}p" "$CT_TMP/nft.steps")" "$(sed -n "${i}p" "$CT_TMP/gate.steps")" \
			"what step $i added to nft's counters (left) and the gate's"
	done
	# every state was met, and no lookup failed
	for i in new established related invalid; do
		assert_ge "$(xg status "$TE_DUT_IF" --json |
			jq -r ".interfaces[0].counters.ct_$i.packets")" 1 "ct_$i"
	done
	assert_eq 0 "$(xg status "$TE_DUT_IF" --json |
		jq -r '.interfaces[0].counters.ct_lookup_error.packets')" "ct_lookup_error"
}

# attach with `ct` rules creates the conntrack table (`ct count` and status say so); a connection
# shows in `ct list`; detach removes the table; a set without `ct` creates none.
test_ct_attach_detach_table() {
	local table
	ct_setup
	env_up
	echo "$CT_GATE_RULES" >"$CT_TMP/host.rules"
	assert_ok xg attach "$TE_DUT_IF" --rules "$CT_TMP/host.rules"
	table=$(xg ct count "$TE_DUT_IF" --json | jq -r .tracking_table)
	assert_match '^xdpgate_ct_[0-9]+$' "$table"
	assert_ok te_dut nft list table inet "$table"
	assert_ok xg status "$TE_DUT_IF"
	assert_match "conntrack: .*tracking table inet $table present" "$ASSERT_OUT"
	peer_start
	peer tcp gen "$TE_DUT_IP4" 22 server
	peer_stop
	assert_ge "$(xg ct count "$TE_DUT_IF" --json | jq -r .count)" 1 "entries after a flow"
	assert_ok xg ct list "$TE_DUT_IF"
	assert_match "tcp +6 .*dport=22 " "$ASSERT_OUT"
	assert_eq 22 "$(xg ct list "$TE_DUT_IF" --json |
		jq -r '[.entries[] | select(.proto == "tcp")][0].orig.dport')" "ct list --json"
	assert_ok xg detach "$TE_DUT_IF"
	assert_fail te_dut nft list table inet "$table"
	echo "pass proto tcp" >"$CT_TMP/plain.rules"
	assert_ok xg attach "$TE_DUT_IF" --rules "$CT_TMP/plain.rules"
	assert_eq "" "$(te_dut nft list tables)" "no table for a set without ct"
}

# Errors: an unknown state names file:line:col and changes nothing; a set with `ct` on a
# gate attached without it is refused whole, the old set kept; a second attach over a gate
# with `ct` is refused and leaves its tracking table.
test_ct_errors() {
	ct_setup
	env_up
	printf 'pass proto tcp\n' >"$CT_TMP/plain.rules"
	printf 'pass proto tcp\npass ct new,establshed\n' >"$CT_TMP/typo.rules"
	echo "$CT_GATE_RULES" >"$CT_TMP/host.rules"
	assert_fail xg rules check "$CT_TMP/typo.rules"
	assert_match "typo.rules:2:9: invalid ct state 'new,establshed'" "$ASSERT_OUT"
	assert_ok xg attach "$TE_DUT_IF" --rules "$CT_TMP/plain.rules"
	assert_fail xg rules load "$TE_DUT_IF" "$CT_TMP/typo.rules"
	assert_match "typo.rules:2:9: invalid ct state" "$ASSERT_OUT"
	assert_fail xg rules load "$TE_DUT_IF" "$CT_TMP/host.rules"
	assert_match "loaded without connection tracking" "$ASSERT_OUT"
	assert_eq "pass proto tcp" "$(xg rules list "$TE_DUT_IF" --json | jq -r '[.rules[].text] | join(" | ")')" \
		"the old set stays"
	assert_eq "" "$(te_dut nft list tables)" "no conntrack table appeared"
	assert_ok xg detach "$TE_DUT_IF"
	assert_ok xg attach "$TE_DUT_IF" --rules "$CT_TMP/host.rules"
	assert_fail xg attach "$TE_DUT_IF" --rules "$CT_TMP/host.rules"
	assert_match "already attached" "$ASSERT_OUT"
	assert_ok xg ct count "$TE_DUT_IF"
	assert_match "tracking table inet xdpgate_ct_[0-9]+ present" "$ASSERT_OUT"
}

# A set without `ct` runs a program with no connection-state code: the verifier dropped every
# path to the kfuncs (the load-time flag is 0); a set with `ct` has them.
test_ct_code_only_with_ct() {
	local id
	ct_setup
	env_up
	echo "$CT_GATE_RULES" >"$CT_TMP/host.rules"
	echo "drop proto udp dport 9" >"$CT_TMP/plain.rules"
	assert_ok xg attach "$TE_DUT_IF" --rules "$CT_TMP/plain.rules"
	id=$(xg status "$TE_DUT_IF" --json | jq -r '.interfaces[0].set_prog_id')
	assert_ok bpftool prog dump xlated id "$id"
	assert_match "int xdpgate_set\(struct xdp_md" "$ASSERT_OUT"
	assert_fail grep -q "bpf_xdp_ct_lookup\|bpf_ct_release" <<<"$ASSERT_OUT"
	assert_ok xg detach "$TE_DUT_IF"
	assert_ok xg attach "$TE_DUT_IF" --rules "$CT_TMP/host.rules"
	id=$(xg status "$TE_DUT_IF" --json | jq -r '.interfaces[0].set_prog_id')
	assert_ok bpftool prog dump xlated id "$id"
	assert_match "call bpf_xdp_ct_lookup" "$ASSERT_OUT"
	assert_match "call bpf_ct_release" "$ASSERT_OUT"
}

# ct_field FIELD: one number of `ct count --json`.
ct_field() { xg ct count "$TE_DUT_IF" --json | jq -r ".$1"; }

# default_drops: the frames the gate's `default drop` took (all passed and dropped frames,
# less those of the rules).
default_drops() { counters_gate | awk '{ print $NF }'; }

# held_established N: `ct list` shows N ESTABLISHED, ASSURED entries to dut's port 22.
held_established() {
	local n
	n=$(xg ct list "$TE_DUT_IF" --json | jq '[.entries[] | select(.proto == "tcp" and
		.state == "ESTABLISHED" and .orig.dport == "22" and (.flags | index("ASSURED")))] |
		length')
	[[ $n == "$1" ]] || { echo "$n held entries, want $1"; return 1; }
}

# A flood cannot push established flows out of the kernel's table (docs/conntrack.md, "Floods"):
# with the host-firewall set, SYNs and bare ACKs to closed ports are `new` with no rule
# passing them, so the gate drops them and conntrack never sees them; spoofed ACKs to the open
# port pass (loose pickup) and the host's RST ends each entry at once; a SYN flood to the open
# port fills the table, and the kernel then evicts (early_drop) only entries not ASSURED,
# never the established flows, which keep passing both ways.
test_ct_flood_keeps_established() {
	local c0 d0 max i fill r
	ct_setup
	env_up
	# the spoofed sources are routed back through gen, so conntrack confirms their entries
	te_dut ip route add 198.19.0.0/16 via "$TE_GEN_IP4"
	te_dut ip -6 route add fd00:99::/64 via "$TE_GEN_IP6"
	echo "$CT_GATE_RULES" >"$CT_TMP/host.rules"
	assert_ok xg attach "$TE_DUT_IF" --rules "$CT_TMP/host.rules"
	COUNTERS=counters_gate
	peer_start
	peer hold "$TE_DUT_IP4" 22 3
	peer hold "$TE_DUT_IP6" 22 3
	wait_until 10 held_established 6
	c0=$(ct_field count)
	d0=$(settle | awk '{ print $NF }')
	# SYNs and ACKs to a closed port, 20000 each from as many sources: the gate drops all
	peer flood "$TE_GEN_IF" "$TE_GEN_MAC" "$TE_DUT_MAC" 198.19.0.0/16 "$TE_DUT_IP4" 9 02 20000
	peer flood "$TE_GEN_IF" "$TE_GEN_MAC" "$TE_DUT_MAC" fd00:99::/64 "$TE_DUT_IP6" 9 10 20000
	wait_until 20 out_eq $((d0 + 40000)) default_drops
	assert_eq "$c0" "$(ct_field count)" "conntrack entries after 40000 frames the gate dropped"
	# bare ACKs to the open port: `new`, passed; each entry ends with the host's RST
	peer flood "$TE_GEN_IF" "$TE_GEN_MAC" "$TE_DUT_MAC" 198.19.0.0/16 "$TE_DUT_IP4" 22 10 5000
	wait_until 20 out_eq "$c0" ct_field count
	wait_until 10 held_established 6
	peer held
	# SYNs to the open port from more sources than the table holds, until the kernel has
	# evicted 10000 entries to make room (early_drop: only entries not ASSURED)
	max=$(ct_field max)
	assert_le "$max" 1048576 "nf_conntrack_max (the test fills the table: too big to fill in time)"
	fill=65536 # gen's most flows; each round from its own sources
	for ((r = 1; r <= max / fill + 4; r++)); do
		te_gen timeout 60 "$XG" gen "$TE_GEN_IF" --ipv6 --proto tcp --src "fd00:99::$r:0:1" \
			--dst "$TE_DUT_IP6" --dst-mac "$TE_DUT_MAC" --dport 22 --size 78 --no-marker \
			--flows "$fill" --count "$fill" --rate 400000 >/dev/null
		(($(ct_field early_drop) >= 10000)) && break
	done
	assert_ge "$(ct_field early_drop)" 10000 \
		"entries evicted after $r rounds of $fill SYNs (the table never filled?)"
	assert_le "$(ct_field count)" "$max" "entries"
	held_established 6
	peer held
	i=$(xg status "$TE_DUT_IF" --json | jq -r '.interfaces[0].counters.ct_established.packets')
	peer held
	assert_ge "$(xg status "$TE_DUT_IF" --json |
		jq -r '.interfaces[0].counters.ct_established.packets')" $((i + 6)) \
		"the held flows' frames (a message each at least), established"
	assert_ok xg ct count "$TE_DUT_IF"
	assert_match "evicted early \(early_drop\) [1-9]" "$ASSERT_OUT"
	peer release
	peer_stop
}

# ct_table_present / ct_table_absent: the gate's tracking table, as `ct count` reports it.
ct_table_present() { [[ -n $(ct_field tracking_table) ]]; }
ct_table_absent() { [[ -z $(ct_field tracking_table) ]]; }

# run_ct ARGS...: `xdpgate run` in the background (RUN_PID), output in $CT_TMP/run.out.
run_ct() {
	nsenter --net="/run/netns/$TE_NS_DUT" -- "$XG" run "$TE_DUT_IF" "$@" >"$CT_TMP/run.out" 2>&1 &
	RUN_PID=$!
	wait_until 15 grep -q "Ctrl-C to stop" "$CT_TMP/run.out"
}

# run_ct_ends SIGNAL: send it to the run, which must exit (status 0 for TERM and INT).
run_ct_ends() {
	local rc=0
	kill "-$1" "$RUN_PID"
	wait "$RUN_PID" || rc=$?
	[[ $1 == KILL ]] || assert_eq 0 "$rc" "run's status after SIG$1"
}

# `run` on a free interface with a `ct` set does what attach does: it makes the tracking
# table before the first frame, connections are tracked and pass, and the table goes on every
# exit (SIGTERM, SIGINT, --duration). A run killed by SIGKILL leaves it, stale: the next run
# without `ct` on the interface removes it, as attach does, and one with `ct` replaces it.
test_ct_run_tracking() {
	local est
	ct_setup
	env_up
	# a run left running by a failed assertion goes before the namespaces
	trap '[[ -z ${RUN_PID:-} ]] || kill -KILL "$RUN_PID" 2>/dev/null || true; rm -rf "$CT_TMP"; te_cleanup_trap' EXIT
	echo "$CT_GATE_RULES" >"$CT_TMP/host.rules"
	echo "pass proto tcp" >"$CT_TMP/plain.rules"
	run_ct --rules "$CT_TMP/host.rules" --metrics 127.0.0.1:19485
	ct_table_present
	peer_start
	peer tcp gen "$TE_DUT_IP4" 22 server
	peer tcp gen "$TE_DUT_IP6" 22 client
	est=$(xg status "$TE_DUT_IF" --json | jq -r '.interfaces[0].counters.ct_established.packets')
	assert_ge "$est" 4 "established frames through run's own gate"
	assert_ok xg ct list "$TE_DUT_IF"
	assert_match "tcp +6 .*dport=22 " "$ASSERT_OUT"
	# the kernel table's size and evictions in the metrics (the namespace's, no interface)
	assert_ok te_dut curl -sf http://127.0.0.1:19485/metrics
	assert_match "xdpgate_conntrack_entries [1-9]" "$ASSERT_OUT"
	assert_match "xdpgate_conntrack_max [1-9]" "$ASSERT_OUT"
	assert_match "# TYPE xdpgate_conntrack_early_drop_total counter" "$ASSERT_OUT"
	assert_match "xdpgate_conntrack_drop_total 0" "$ASSERT_OUT"
	run_ct_ends TERM
	ct_table_absent
	assert_eq "" "$(te_dut nft list tables)" "tables after SIGTERM"
	xdp_none
	run_ct --rules "$CT_TMP/host.rules"
	run_ct_ends INT
	assert_eq "" "$(te_dut nft list tables)" "tables after SIGINT"
	assert_ok te_dut timeout 20 "$XG" run "$TE_DUT_IF" --rules "$CT_TMP/host.rules" --duration 0.5
	assert_eq "" "$(te_dut nft list tables)" "tables after --duration"
	# SIGKILL: the table stays; a later run without `ct` removes it
	run_ct --rules "$CT_TMP/host.rules"
	run_ct_ends KILL
	wait_until 10 xdp_none
	ct_table_present
	run_ct --rules "$CT_TMP/plain.rules"
	ct_table_absent
	run_ct_ends TERM
	# a later run with `ct` replaces it, and still works
	run_ct --rules "$CT_TMP/host.rules"
	run_ct_ends KILL
	wait_until 10 xdp_none
	run_ct --rules "$CT_TMP/host.rules"
	ct_table_present
	peer tcp gen "$TE_DUT_IP4" 22 client
	run_ct_ends TERM
	assert_eq "" "$(te_dut nft list tables)" "tables at the end"
	# and attach cleans up after a killed run likewise
	run_ct --rules "$CT_TMP/host.rules"
	run_ct_ends KILL
	wait_until 10 xdp_none
	assert_ok xg attach "$TE_DUT_IF" --rules "$CT_TMP/plain.rules"
	assert_eq "" "$(te_dut nft list tables)" "tables after attach without ct"
	peer_stop
}

# --ct-max (attach, run, the config key): nf_conntrack_max is host-wide, writable only from
# the initial namespace, so in the test's namespace a new value is refused in one line with
# nothing attached and no table made; the value it has already is accepted; bad values and
# sets without `ct` are refused. The write itself is checked on a file bound over the sysctl
# in a mount namespace of its own (the host's limit is never changed).
test_ct_max_option() {
	local max v
	ct_setup
	env_up
	echo "$CT_GATE_RULES" >"$CT_TMP/host.rules"
	echo "pass proto tcp" >"$CT_TMP/plain.rules"
	max=$(ct_field max)
	assert_fail xg attach "$TE_DUT_IF" --rules "$CT_TMP/host.rules" --ct-max $((max + 1))
	assert_match "attach: nf_conntrack_max $((max + 1)): it is host-wide, and only the initial network namespace may set it" "$ASSERT_OUT"
	assert_eq 1 "$(grep -c . <<<"$ASSERT_OUT")" "lines of the refusal"
	xdp_none
	assert_eq "" "$(te_dut nft list tables)" "no table after the refusal"
	assert_fail te_dut timeout 20 "$XG" run "$TE_DUT_IF" --rules "$CT_TMP/host.rules" \
		--ct-max $((max + 1)) --duration 0.5
	assert_match "run: nf_conntrack_max $((max + 1)): it is host-wide" "$ASSERT_OUT"
	xdp_none
	assert_eq "" "$(te_dut nft list tables)" "no table after run's refusal"
	for v in 0 -1 2147483648 12x; do
		assert_fail xg attach "$TE_DUT_IF" --rules "$CT_TMP/host.rules" --ct-max "$v"
		assert_match "ct-max.*invalid value '$v' \(expected 1..2147483647\)" "$ASSERT_OUT"
	done
	assert_fail xg attach "$TE_DUT_IF" --rules "$CT_TMP/plain.rules" --ct-max 1000
	assert_match "attach: --ct-max: the rules use no 'ct'" "$ASSERT_OUT"
	assert_fail te_dut timeout 20 "$XG" run "$TE_DUT_IF" --rules "$CT_TMP/plain.rules" \
		--ct-max 1000 --duration 0.5
	assert_match "run: $TE_DUT_IF: ct-max: the rules use no 'ct'" "$ASSERT_OUT"
	xdp_none
	assert_ok xg attach "$TE_DUT_IF" --rules "$CT_TMP/host.rules" --ct-max "$max"
	assert_ok xg detach "$TE_DUT_IF"
	# the config key, through attach --config: refused alike
	printf '[interface %s]\nrules = %s\nct-max = %s\n' "$TE_DUT_IF" "$CT_TMP/host.rules" \
		$((max + 1)) >"$CT_TMP/ct.conf"
	assert_fail xg attach --config "$CT_TMP/ct.conf"
	assert_match "nf_conntrack_max $((max + 1)): it is host-wide" "$ASSERT_OUT"
	xdp_none
	# the write, where the file lets it
	echo "$max" >"$CT_TMP/fake_max"
	assert_ok te_dut unshare -m sh -c 'mount --bind "$1" /proc/sys/net/netfilter/nf_conntrack_max &&
		exec "$2" attach "$3" --config "$4"' sh "$CT_TMP/fake_max" "$XG" "$TE_DUT_IF" "$CT_TMP/ct.conf"
	assert_match "nf_conntrack_max $max -> $((max + 1)) \(host-wide" "$ASSERT_OUT"
	assert_eq $((max + 1)) "$(cat "$CT_TMP/fake_max")" "the value written"
	assert_eq "$max" "$(ct_field max)" "the namespace's real limit, untouched"
	ct_table_present
}
