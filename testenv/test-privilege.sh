#!/bin/bash
# Integration tests of privilege: commands judge by capabilities, not the uid, and a
# permission error is an error that changes nothing. Run by run-tests.sh (errexit on).
# shellcheck shell=bash disable=SC2154 # TE_* and ROOT come from the runner and te_setup

XG=${XDPGATE:-$ROOT/build/xdpgate}

xg() { te_dut "$XG" "$@"; }

pin_dir() {
	echo "/sys/fs/bpf/xdpgate/ns$(stat -L -c %i "/run/netns/$TE_NS_DUT")"
}

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
