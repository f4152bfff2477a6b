#!/bin/bash
# Integration tests of privilege: commands judge by capabilities, not the uid, and a
# permission error is an error that changes nothing. Run by run-tests.sh (errexit on).
# shellcheck shell=bash disable=SC2154 # TE_* and ROOT come from the runner and te_setup

XG=${XDPGATE:-$ROOT/build/xdpgate}

# Run xdpgate ARGS in the DUT namespace as root with DROP removed from the bounding set
# (so from the effective set of the command capsh executes).
xg_without() {
	local drop=$1
	shift
	te_dut capsh --drop="$drop" -- -c "$(printf '%q ' "$XG" "$@")"
}

# CMD must exit 1 with exactly one line, naming a missing capability.
assert_denied() {
	local rc=0 out
	out=$("$@" 2>&1) || rc=$?
	assert_eq 1 "$rc" "exit status of '$*'"
	assert_eq 1 "$(printf '%s\n' "$out" | wc -l)" "lines from '$*': $out"
	assert_match "permission denied: missing capabilit(y|ies) CAP_" "$out"
	ASSERT_OUT=$out
}

# Without CAP_BPF, CAP_NET_ADMIN and CAP_SYS_ADMIN, root can neither read nor change a live
# gate, and says so; the gate and its pins are untouched afterwards.
test_privilege_no_caps_live_gate() {
	local caps=cap_bpf,cap_net_admin,cap_sys_admin ifx
	te_setup
	assert_ok xg attach "$TE_DUT_IF" --mode skb --default pass
	assert_ok xg rules add "$TE_DUT_IF" "drop proto udp dport 9"
	ifx=$(te_dut ip -j link show "$TE_DUT_IF" | jq -r '.[0].ifindex')

	assert_denied xg_without "$caps" status
	assert_denied xg_without "$caps" status "$TE_DUT_IF"
	assert_denied xg_without "$caps" status "$TE_DUT_IF" --json
	assert_denied xg_without "$caps" rules list "$TE_DUT_IF"
	assert_denied xg_without "$caps" stats "$TE_DUT_IF"
	assert_denied xg_without "$caps" detach "$TE_DUT_IF"
	assert_denied xg_without "$caps" cleanup
	assert_denied xg_without "$caps" rules del "$TE_DUT_IF" 1
	# CAP_NET_ADMIN alone is what a policy change lacks
	assert_denied xg_without cap_net_admin rules add "$TE_DUT_IF" drop
	assert_match "missing capability CAP_NET_ADMIN " "$ASSERT_OUT"
	assert_denied xg_without cap_net_admin detach "$TE_DUT_IF"
	assert_match "missing capability CAP_NET_ADMIN " "$ASSERT_OUT"
	# reading needs CAP_SYS_ADMIN (the attached program by id), not CAP_NET_ADMIN
	assert_ok xg_without cap_net_admin,cap_bpf rules list "$TE_DUT_IF"
	assert_match "drop proto udp dport 9" "$ASSERT_OUT"

	assert_ok test -e "$(pin_dir)/if$ifx/xg_config"
	assert_ok xg status "$TE_DUT_IF"
	assert_match "xdpgate attached, skb mode" "$ASSERT_OUT"
	assert_ok xg rules list "$TE_DUT_IF"
	assert_match "drop proto udp dport 9" "$ASSERT_OUT"
	assert_ok xg detach "$TE_DUT_IF"
}

# A non-root user holding the capabilities is served (the 0700 root-owned pin root also
# needs CAP_DAC_OVERRIDE for another uid).
test_privilege_nonroot_with_caps() {
	local caps=cap_sys_admin,cap_net_admin,cap_dac_override
	te_setup
	assert_ok xg attach "$TE_DUT_IF" --mode skb
	assert_ok te_dut capsh --caps="$caps,cap_setuid,cap_setgid,cap_setpcap+eip" --keep=1 \
		--user=nobody --addamb="$caps" -- -c "$XG status $TE_DUT_IF && $XG rules add $TE_DUT_IF drop"
	assert_match "xdpgate attached" "$ASSERT_OUT"
	assert_ok xg rules list "$TE_DUT_IF"
	assert_match " drop" "$ASSERT_OUT"
	assert_ok xg detach "$TE_DUT_IF"
}

# Put DIR back as root's 0700 directory, whatever a test did to it.
dir_restore() {
	[[ -d $1 ]] || return 0
	chown root:root "$1"
	chmod 0700 "$1"
}

# CMD must exit 1 with exactly one line matching RE.
assert_refused() {
	local re=$1 rc=0 out
	shift
	out=$("$@" 2>&1) || rc=$?
	assert_eq 1 "$rc" "exit status of '$*'"
	assert_eq 1 "$(printf '%s\n' "$out" | wc -l)" "lines from '$*': $out"
	assert_match "$re" "$out"
}

# The pin root is trusted only when root owns it and no one else may write it: made 0700,
# refused (one line, why and how to fix) when another user owns it or its mode is 1777.
test_privilege_pin_root_checked() {
	local root=/sys/fs/bpf/xdpgate
	te_setup
	trap 'dir_restore '"$root"'; te_cleanup_trap' EXIT
	assert_ok xg status
	assert_eq "700 root" "$(stat -c '%a %U' "$root")" "pin root mode and owner"
	mkdir -p /run/xdpgate
	dir_restore /run/xdpgate # run's own directory is not what this test is about

	chown nobody "$root"
	assert_refused "$root is owned by uid 65534, not root: .*chown root:root $root" \
		xg attach "$TE_DUT_IF" --mode skb
	assert_refused "owned by uid 65534, not root" xg status
	assert_refused "owned by uid 65534, not root" xg run "$TE_DUT_IF" --duration 1
	assert_eq "" "$(te_dut ip -d link show "$TE_DUT_IF" | grep -o 'prog/xdp' || true)" \
		"nothing attached"
	chown root "$root"

	chmod 1777 "$root"
	assert_refused "$root is mode 1777, writable by group or others.*chmod 0700 $root" \
		xg attach "$TE_DUT_IF" --mode skb
	assert_refused "mode 1777" xg rules list "$TE_DUT_IF"
	chmod 0700 "$root"

	# a root-owned root that others may only read is tightened, not refused
	chmod 0755 "$root"
	assert_ok xg attach "$TE_DUT_IF" --mode skb
	assert_eq "700" "$(stat -c '%a' "$root")" "pin root tightened"
	assert_ok xg detach "$TE_DUT_IF"
}

# /run/xdpgate, where run publishes its counters, is root's alone: 0700, files 0600; run
# and stats refuse it when another user owns it or anyone may write it.
test_privilege_run_dir_checked() {
	local dir=/run/xdpgate pid json
	te_setup
	trap 'dir_restore '"$dir"'; te_cleanup_trap' EXIT
	mkdir -p "$dir"
	chown nobody "$dir"
	assert_refused "$dir is owned by uid 65534, not root" xg run "$TE_DUT_IF" --duration 1
	chown root "$dir"
	chmod 0777 "$dir"
	assert_refused "$dir is mode 0777, writable by group or others" \
		xg run "$TE_DUT_IF" --duration 1
	assert_ok xg attach "$TE_DUT_IF" --mode skb
	assert_refused "$dir is mode 0777" xg stats "$TE_DUT_IF" --count 1
	assert_ok xg detach "$TE_DUT_IF"
	chmod 0755 "$dir"

	nsenter --net="/run/netns/$TE_NS_DUT" -- "$XG" run "$TE_DUT_IF" >/dev/null 2>&1 &
	pid=$!
	json="$dir/$(basename "$(pin_dir)")-if$(te_dut ip -j link show "$TE_DUT_IF" | jq -r '.[0].ifindex').json"
	wait_until 10 test -e "$json"
	assert_eq "700 root" "$(stat -c '%a %U' "$dir")" "run dir mode and owner"
	assert_eq "600 root" "$(stat -c '%a %U' "$json")" "published counters mode and owner"
	kill -INT "$pid"
	wait "$pid"
}

# After setup, run's workers hold no capability (TX kicks need none: the reflect handler
# still answers pings) and its main thread only CAP_NET_ADMIN, CAP_SYS_ADMIN and CAP_BPF,
# with which a SIGHUP reload and the teardown still work.
test_privilege_run_drops_caps() {
	local out pid t n=0 rules
	te_setup --peer-napi
	rules=$(mktemp /tmp/xg-caps-XXXXXX.rules)
	out=$(mktemp /tmp/xg-run-XXXXXX)
	printf 'xsk proto icmp\ndrop proto udp dport 9\n' >"$rules"
	nsenter --net="/run/netns/$TE_NS_DUT" -- "$XG" run "$TE_DUT_IF" --handler reflect \
		--rules "$rules" >"$out" 2>&1 &
	pid=$!
	wait_until 15 file_has "Ctrl-C to stop" "$out"
	assert_ok te_gen ping -c 3 -i 0.2 -W 1 "$TE_DUT_IP4"
	for t in /proc/"$pid"/task/*; do
		if [[ ${t##*/} == "$pid" ]]; then
			assert_eq "0000008000201000" "$(awk '/^CapEff/ {print $2}' "$t/status")" \
				"main thread CapEff (cap_net_admin,cap_sys_admin,cap_bpf)"
			assert_eq "0000008000201000" "$(awk '/^CapPrm/ {print $2}' "$t/status")" \
				"main thread CapPrm"
		else
			assert_eq "0000000000000000" "$(awk '/^CapEff/ {print $2}' "$t/status")" \
				"worker ${t##*/} CapEff"
			assert_eq "0000000000000000" "$(awk '/^CapPrm/ {print $2}' "$t/status")" \
				"worker ${t##*/} CapPrm"
			n=$((n + 1))
		fi
	done
	assert_ge "$n" 1 "worker threads seen"
	printf 'xsk proto icmp\ndrop proto udp dport 10\n' >"$rules"
	kill -HUP "$pid"
	wait_until 10 file_has "SIGHUP: 2 rules from" "$out"
	assert_ok xg rules list "$TE_DUT_IF"
	assert_match "drop proto udp dport 10" "$ASSERT_OUT"
	kill -INT "$pid"
	wait "$pid"
	assert_match "tx 3" "$(cat "$out")"
	assert_eq "" "$(te_dut ip -d link show "$TE_DUT_IF" | grep -o 'prog/xdp' || true)" \
		"detached at teardown"
	assert_fail test -e "$(pin_dir)"
	rm -f "$rules" "$out"
}

# The metrics server's thread is made after the main thread's drop: it holds no more than
# the main thread (cap_net_admin, cap_sys_admin, cap_bpf), and still serves.
test_privilege_metrics_thread_caps() {
	local out pid t eff more=0
	te_setup
	out=$(mktemp /tmp/xg-run-XXXXXX)
	nsenter --net="/run/netns/$TE_NS_DUT" -- "$XG" run "$TE_DUT_IF" --metrics 127.0.0.1:19466 \
		>"$out" 2>&1 &
	pid=$!
	wait_until 15 file_has "Ctrl-C to stop" "$out"
	assert_ok te_dut curl -sf http://127.0.0.1:19466/metrics
	assert_match "xdpgate_" "$ASSERT_OUT"
	for t in /proc/"$pid"/task/*; do
		eff=$(awk '/^CapEff/ {print $2}' "$t/status")
		[[ $eff == 0000008000201000 || $eff == 0000000000000000 ]] || more=$((more + 1))
	done
	assert_eq 0 "$more" "threads holding more than the main thread's capabilities"
	kill -INT "$pid"
	wait "$pid"
	rm -f "$out"
}
