#!/bin/bash
# Integration tests of the gate's lifecycle: attach / status / stats / detach, in veth
# namespaces made by te_setup. Run by run-tests.sh (errexit on; see lib-assert.sh).
# shellcheck shell=bash disable=SC2154 # TE_* and ROOT come from the runner and te_setup

XG=${XDPGATE:-$ROOT/build/xdpgate}

# Whether status --json says the gate is attached to the DUT interface.
attached() { xg status "$TE_DUT_IF" --json | jq -r '.interfaces[0].attached'; }

# Attach in MODE with default pass: ping and a TCP transfer get through, and the gate
# counted exactly the frames the peer sent (links are quiet: static neighbours, no ARP),
# by verdict and, with `counters parse`, by parse outcome.
attach_pass_case() {
	local mode=$1 got
	te_setup
	printf 'counters parse\ndefault pass\n' >"$BATS_TMP/pass.rules"
	assert_ok xg attach "$TE_DUT_IF" --mode "$mode" --rules "$BATS_TMP/pass.rules"
	assert_match "attached in $mode mode" "$ASSERT_OUT"
	got=$(te_dut ip -j link show "$TE_DUT_IF" | jq -r '.[0].ifindex')
	assert_ok test -e "$(pin_dir)/if$got/xg_stats"
	assert_ok test -e "$(pin_dir)/if$got/xg_config"
	got=$(te_dut ip -d link show "$TE_DUT_IF")
	assert_match "xdp" "$got" "ip link shows an XDP program"
	# libxdp's view: the gate's entry by name (the rule set's program is behind it)
	assert_ok te_dut xdp-loader status "$TE_DUT_IF"
	assert_match "xdpgate" "$ASSERT_OUT"
	assert_ok te_gen ping -c 5 -i 0.2 -W 1 "$TE_DUT_IP4"
	assert_eq 5 "$(xg_count pass)" "pass counter after 5 pings"
	assert_eq 5 "$(xg_count ipv4)" "ipv4 counter after 5 pings"
	assert_eq 0 "$(xg_count drop)" "drop counter"
	assert_ok te_gen ping -6 -c 3 -i 0.2 -W 1 "$TE_DUT_IP6"
	assert_eq 3 "$(xg_count ipv6)" "ipv6 counter after 3 pings"

	# TCP: 1 MiB across, checked byte for byte
	head -c 1048576 /dev/urandom >"$BATS_TMP/src"
	te_dut timeout 10 nc -l -N "$TE_DUT_IP4" 5001 >"$BATS_TMP/dst" &
	wait_until 10 dut_listens 5001
	assert_ok te_gen timeout 10 nc -N "$TE_DUT_IP4" 5001 <"$BATS_TMP/src"
	wait
	assert_ok cmp "$BATS_TMP/src" "$BATS_TMP/dst"
	# skb mode sees GRO'd super-frames, so count bytes, not frames
	got=$(xg status "$TE_DUT_IF" --json | jq -r '.interfaces[0].counters.pass.bytes')
	assert_ge "$got" 1048576 "pass bytes after the 1 MiB TCP transfer"

	assert_ok xg detach "$TE_DUT_IF"
	got=$(te_dut ip -d link show "$TE_DUT_IF")
	assert_eq "" "$(grep -o 'prog/xdp' <<<"$got" || true)" "no XDP program after detach"
	assert_fail test -e "$(pin_dir)"
}

test_attach_native_pass() {
	BATS_TMP=$(mktemp -d)
	attach_pass_case native
	rm -rf "$BATS_TMP"
}

test_attach_skb_pass() {
	BATS_TMP=$(mktemp -d)
	attach_pass_case skb
	rm -rf "$BATS_TMP"
}

# Default drop stops ping and TCP; every frame is counted as dropped.
test_attach_default_drop() {
	te_setup
	assert_ok xg attach "$TE_DUT_IF" --default drop
	assert_fail te_gen ping -c 3 -i 0.2 -W 1 "$TE_DUT_IP4"
	assert_eq 3 "$(xg_count drop)" "drop counter after 3 pings"
	assert_eq 0 "$(xg_count pass)" "pass counter"
	# no `counters parse`: the parse counters are off, shown as such, never as 0
	assert_eq false "$(xg status "$TE_DUT_IF" --json | jq -r '.interfaces[0].parse_counters')"
	assert_eq null "$(xg_count ipv4)" "no ipv4 counter without counters parse"
	assert_ok xg status "$TE_DUT_IF"
	assert_match "parse counters +off \(a 'counters parse' line" "$ASSERT_OUT"
	assert_fail te_gen timeout 5 nc -z -w 2 "$TE_DUT_IP4" 5001
	assert_ge "$(xg_count drop)" 4 "the SYN was dropped too"
	assert_ok xg detach "$TE_DUT_IF"
	assert_ok te_gen ping -c 1 -W 1 "$TE_DUT_IP4"
}

# Error cases: each a clear one-line message and a non-zero exit, nothing half-applied.
test_attach_errors() {
	te_setup
	assert_ok xg attach "$TE_DUT_IF"
	assert_fail xg attach "$TE_DUT_IF"
	assert_match "already attached \(program id [0-9]+, native mode\); detach it first" \
		"$ASSERT_OUT"
	assert_fail xg attach nosuch0
	assert_match "^xdpgate: attach: no such interface 'nosuch0'$" "$ASSERT_OUT"
	assert_fail xg attach lo --mode native
	assert_match "does not support native XDP; try --mode skb" "$ASSERT_OUT"
	assert_fail te_dut setpriv --reuid=65534 --regid=65534 --clear-groups "$XG" attach lo
	assert_match "permission denied: missing capabilities CAP_SYS_ADMIN, CAP_NET_ADMIN" "$ASSERT_OUT"
	assert_fail xg attach "$TE_DUT_IF" --mode turbo
	assert_match "unknown value 'turbo'" "$ASSERT_OUT"
	assert_fail xg detach lo
	assert_match "not attached" "$ASSERT_OUT"
	assert_fail xg stats lo --count 1
	assert_match "not attached" "$ASSERT_OUT"
	# the first attachment is untouched by the failed second one
	assert_ok te_gen ping -c 1 -W 1 "$TE_DUT_IP4"
	assert_eq 1 "$(xg_count pass)" "the gate still counts"
	assert_ok xg detach "$TE_DUT_IF"
}

# status --json and stats --json are JSON; stats counts what was sent in its window.
test_attach_json() {
	local out n
	te_setup
	assert_ok xg attach "$TE_DUT_IF" --mode skb
	out=$(xg status --json)
	assert_eq true "$(jq -r '.interfaces[0].attached' <<<"$out")" "status attached"
	assert_eq skb "$(jq -r '.interfaces[0].mode' <<<"$out")" "status mode"
	assert_eq pass "$(jq -r '.interfaces[0].default' <<<"$out")" "status default"
	out=$(xg status lo --json)
	assert_eq false "$(jq -r '.interfaces[0].attached' <<<"$out")" "lo not attached"
	# stats first, so its window surely covers the pings
	xg stats "$TE_DUT_IF" --json --interval 0.5 --count 6 >"$TE_STATE_DIR/$TE_NAME.stats" &
	wait_until 10 test -s "$TE_STATE_DIR/$TE_NAME.stats" # its first interval is done
	te_gen ping -c 4 -i 0.25 -W 1 "$TE_DUT_IP4" >/dev/null
	wait
	out=$(cat "$TE_STATE_DIR/$TE_NAME.stats")
	rm -f "$TE_STATE_DIR/$TE_NAME.stats"
	n=$(jq -s 'length' <<<"$out")
	assert_eq 7 "$n" "6 interval objects and the totals"
	assert_eq 4 "$(jq -s '.[-1].totals.rx_packets' <<<"$out")" "totals count the 4 pings"
	assert_eq 4 "$(jq -s '[.[0:6][].rates.pass.pps * .[0].interval] | add | round' <<<"$out")" \
		"per-interval rates add up to the total"
	assert_ok xg detach "$TE_DUT_IF"
}

# Two namespaces with the same interface name each get their own gate and pins.
test_attach_two_namespaces() {
	local a_dut
	te_setup
	a_dut=$TE_NS_DUT
	assert_ok xg attach "$TE_DUT_IF" --default drop
	te_setup
	assert_ok xg attach "$TE_DUT_IF" --default pass
	assert_ok te_gen ping -c 2 -i 0.2 -W 1 "$TE_DUT_IP4"
	assert_eq 2 "$(xg_count pass)" "second gate passes"
	assert_eq drop "$(nsenter --net="/run/netns/$a_dut" "$XG" status dut0 --json |
		jq -r '.interfaces[0].default')" "first gate keeps its own config"
	assert_ok xg detach "$TE_DUT_IF"
	assert_ok nsenter --net="/run/netns/$a_dut" "$XG" detach dut0
}

# The interface deleted under `attach`: status lists its pins as stale, stats and rules
# refuse the orphaned maps (exit 1, one line), cleanup removes them and says so.
test_attach_interface_deleted_stale() {
	local pins
	te_setup
	assert_ok xg attach "$TE_DUT_IF" --default pass
	pins="$(pin_dir)/if$(te_dut ip -j link show "$TE_DUT_IF" | jq -r '.[0].ifindex')"
	assert_ok test -e "$pins/xg_config"
	assert_ok xg status
	assert_eq "" "$(grep stale <<<"$ASSERT_OUT" || true)" "nothing stale while attached"
	assert_fail xg cleanup "$TE_DUT_IF"
	assert_match "the attached gate uses these maps" "$ASSERT_OUT"
	assert_ok test -e "$pins/xg_config"
	te_dut ip link del "$TE_DUT_IF"
	assert_ok xg status
	assert_match "stale: interface gone, pinned maps .*: $pins" "$ASSERT_OUT"
	assert_eq "$pins" "$(xg status --json | jq -r '.stale[0].pin_dir')" "stale in status --json"
	assert_ok xg cleanup
	assert_eq "removed stale pinned maps of a gone interface: $pins" "$ASSERT_OUT"
	assert_fail test -e "$pins"
	assert_ok xg cleanup
	assert_eq "nothing stale in this network namespace" "$ASSERT_OUT"
}

# `run` killed by SIGKILL leaves pins on a live interface: they are stale, not "attached";
# stats, rules list and rules add refuse them; cleanup IFACE removes them.
test_attach_killed_run_stale() {
	local pid pins i json
	te_setup
	nsenter --net="/run/netns/$TE_NS_DUT" -- "$XG" run "$TE_DUT_IF" >/dev/null 2>&1 &
	pid=$!
	wait_until 15 out_eq true attached
	pins="$(pin_dir)/if$(te_dut ip -j link show "$TE_DUT_IF" | jq -r '.[0].ifindex')"
	assert_ok xg rules list "$TE_DUT_IF"
	json="/run/xdpgate/$(basename "$(pin_dir)")-$(basename "$pins").json"
	wait_until 10 test -e "$json" # run publishes its counters once a stats interval
	kill -KILL "$pid"
	wait "$pid" || true
	wait_until 10 xdp_none
	assert_ok test -e "$pins/xg_config"
	for i in "stats $TE_DUT_IF --count 1" "rules list $TE_DUT_IF" "rules add $TE_DUT_IF drop"; do
		# shellcheck disable=SC2086 # the words of the command
		assert_fail xg $i
		assert_eq "xdpgate: ${i%% *}: $TE_DUT_IF: xdpgate is not attached (stale maps at $pins; 'xdpgate cleanup $TE_DUT_IF' removes them)" \
			"$ASSERT_OUT" "$i"
	done
	assert_ok xg status "$TE_DUT_IF"
	assert_match "stale pinned maps at $pins" "$ASSERT_OUT"
	assert_ok xg status
	assert_match "stale: $TE_DUT_IF, pinned maps" "$ASSERT_OUT"
	assert_ok xg cleanup "$TE_DUT_IF"
	assert_eq "removed stale pinned maps of $TE_DUT_IF: $pins" "$ASSERT_OUT"
	assert_fail test -e "$pins"
	assert_fail test -e "$json"
	assert_ok xg cleanup "$TE_DUT_IF"
	assert_eq "$TE_DUT_IF: no pinned maps" "$ASSERT_OUT"
}

# MTU changes on the veth pair under `attach`: the DUT's own MTU may go to 9000 and back and
# the gate keeps counting; the gate is frags-aware, so the kernel takes a peer MTU of 9000
# under it, and a native attach with the peer already at 9000 works (test-jumbo.sh has the
# jumbo frames themselves); --mode skb works there too.
test_attach_mtu_changes() {
	local got
	te_setup
	assert_ok xg attach "$TE_DUT_IF" --mode native --default pass
	assert_ok te_dut ip link set dev "$TE_DUT_IF" mtu 9000
	assert_ok te_gen ping -c 3 -i 0.2 -W 1 "$TE_DUT_IP4"
	assert_ok te_dut ip link set dev "$TE_DUT_IF" mtu 1500
	assert_ok te_gen ping -c 3 -i 0.2 -W 1 "$TE_DUT_IP4"
	assert_eq 6 "$(xg_count pass)" "pass counter across the MTU changes"
	assert_ok te_gen ip link set dev "$TE_GEN_IF" mtu 9000
	assert_ok xg detach "$TE_DUT_IF"
	assert_fail test -e "$(pin_dir)"

	assert_ok xg attach "$TE_DUT_IF" --mode native --default pass
	assert_match "attached in native mode" "$ASSERT_OUT"
	assert_ok xg detach "$TE_DUT_IF"
	got=$(te_dut ip -d link show "$TE_DUT_IF")
	assert_eq "" "$(grep -o 'prog/xdp' <<<"$got" || true)" "no XDP program after detach"
	assert_fail test -e "$(pin_dir)"
	assert_ok xg attach "$TE_DUT_IF" --mode skb --default pass
	assert_ok te_gen ping -c 2 -i 0.2 -W 1 "$TE_DUT_IP4"
	assert_eq 2 "$(xg_count pass)" "pass counter in skb mode at MTU 9000"
	assert_ok xg detach "$TE_DUT_IF"
	assert_fail test -e "$(pin_dir)"
}

# In a private mount namespace with bpffs unmounted: `attach` mounts it (saying so), pins
# there, and detach leaves nothing; the real bpffs never sees the gate. With no
# /sys/fs/bpf to mount on, `attach` fails in one line that says how to mount it, and
# nothing is attached.
bpffs_private() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	unshare -m --propagation private -- bash -c '
		while mountpoint -q /sys/fs/bpf; do umount /sys/fs/bpf || exit 9; done
		'"$1"'
		nsenter --net="/run/netns/$NS" -- "$XG" "$@"' bash "${@:2}"
}

test_attach_bpffs_unmounted() {
	local got
	te_setup
	export NS=$TE_NS_DUT XG
	assert_ok bpffs_private "" attach "$TE_DUT_IF" --mode native --default pass
	assert_match "mounted bpffs at /sys/fs/bpf" "$ASSERT_OUT"
	assert_match "attached in native mode" "$ASSERT_OUT"
	# that bpffs went with the mount namespace; the link holds the program, no pin does
	assert_fail test -e "$(pin_dir)"
	assert_ok bpffs_private "" detach "$TE_DUT_IF"
	got=$(te_dut ip -d link show "$TE_DUT_IF")
	assert_eq "" "$(grep -o 'prog/xdp' <<<"$got" || true)" "no XDP program after detach"
	assert_fail test -e "$(pin_dir)"

	assert_fail bpffs_private "mount -t tmpfs none /sys/fs" attach "$TE_DUT_IF" --default pass
	assert_eq "xdpgate: bpffs is not mounted at /sys/fs/bpf and mounting it failed: No such file or directory (mount it: mount -t bpf bpf /sys/fs/bpf)" \
		"$ASSERT_OUT"
	got=$(te_dut ip -d link show "$TE_DUT_IF")
	assert_eq "" "$(grep -o 'prog/xdp' <<<"$got" || true)" "nothing attached after the failure"
	assert_fail test -e "$(pin_dir)"
}

# The interface going down and up under `attach`: the gate stays attached and keeps
# classifying (its counters go on from where they were).
test_attach_interface_down_up() {
	te_setup
	assert_ok xg attach "$TE_DUT_IF" --default drop
	assert_fail te_gen ping -c 2 -i 0.2 -W 1 "$TE_DUT_IP4"
	assert_eq 2 "$(xg_count drop)" "drop counter before the flap"
	te_dut ip link set "$TE_DUT_IF" down
	te_dut ip link set "$TE_DUT_IF" up
	assert_match "xdpgate attached" "$(te_dut "$XG" status "$TE_DUT_IF")"
	wait_until 10 links_up
	assert_fail te_gen ping -c 2 -i 0.2 -W 1 "$TE_DUT_IP4"
	assert_eq 4 "$(xg_count drop)" "drop counter after the flap"
	assert_ok xg detach "$TE_DUT_IF"
}

# A gate attached by another version lacks a map this one needs (a newer map's pin is
# gone): commands say so, naming the map and the way out, instead of "not attached".
test_attach_older_gate_map_missing() {
	local pins
	te_setup
	assert_ok xg attach "$TE_DUT_IF" --default pass
	pins="$(pin_dir)/if$(te_dut ip -j link show "$TE_DUT_IF" | jq -r '.[0].ifindex')"
	assert_ok rm "$pins/xg_pending"
	assert_fail xg rules list "$TE_DUT_IF"
	assert_match "the gate has no map xg_pending: another version of xdpgate attached it" \
		"$ASSERT_OUT"
	# one from before the sets' flat IPv4 tables
	assert_ok rm "$pins/xg_sets4"
	assert_fail xg set list "$TE_DUT_IF"
	assert_match "the gate has no map xg_sets4: another version of xdpgate attached it" \
		"$ASSERT_OUT"
	assert_ok xg detach "$TE_DUT_IF"
	assert_fail test -e "$pins"
}
