#!/bin/bash
# Self-checks of the test environment itself (testenv.sh), run by run-tests.sh.
# shellcheck shell=bash disable=SC2154 # TE_* come from te_setup

# Both ends reachable over v4 and v6; teardown removes both namespaces.
test_testenv_setup_teardown() {
	te_setup
	local name=$TE_NAME gen=$TE_NS_GEN dut=$TE_NS_DUT
	assert_ok te_gen ping -c 3 -W 1 "$TE_DUT_IP4"
	assert_ok te_gen ping -c 3 -W 1 "$TE_DUT_IP6"
	assert_ok te_dut ping -c 1 -W 1 "$TE_GEN_IP4"
	assert_ok test -e "/run/netns/$gen"
	assert_ok test -e "/run/netns/$dut"
	testenv_teardown --name "$name"
	assert_fail test -e "/run/netns/$gen"
	assert_fail test -e "/run/netns/$dut"
	assert_fail test -e "$TE_STATE_DIR/$name.env"
}

# Two environments coexist, with distinct names and working links each.
test_testenv_two_at_once() {
	te_setup
	local a=$TE_NAME a_dut=$TE_NS_DUT
	te_setup --pairs 2
	local b=$TE_NAME
	assert_ne "$a" "$b" "environment names"
	assert_ne "$a_dut" "$TE_NS_DUT" "DUT namespaces"
	assert_ok nsenter --net="/run/netns/$a-gen" -- ping -c 1 -W 1 198.18.0.2
	assert_ok te_gen ping -c 1 -W 1 "$TE_DUT_IP4"
	assert_ok te_gen ping -c 1 -W 1 "$TE_DUT_IP6_2"
	assert_ok testenv_exec --name "$a" --ns dut -- ip link show dut0
	assert_fail testenv_exec --name "$a" --ns dut -- ip link show dut1
}

# --queues 2 gives both veth ends two rx and two tx queues.
test_testenv_queues() {
	te_setup --queues 2
	local q
	q=$(ip netns exec "$TE_NS_DUT" ls /sys/class/net/dut0/queues | tr '\n' ' ')
	assert_eq "rx-0 rx-1 tx-0 tx-1 " "$q" "dut0 queues"
	q=$(ip netns exec "$TE_NS_GEN" ls /sys/class/net/gen0/queues | tr '\n' ' ')
	assert_eq "rx-0 rx-1 tx-0 tx-1 " "$q" "gen0 queues"
}

# A fresh environment is quiet: no MLD, RS, DAD or ARP frame crosses the veth unasked.
test_testenv_quiet_links() {
	te_setup
	sleep 3 # not an event but its absence: a window for unasked frames to show
	local rx
	rx=$(te_dut cat /proc/net/dev | awk '$1 == "dut0:" { print $3 }')
	assert_eq 0 "$rx" "frames received on dut0 with no traffic sent"
}

# Bad arguments fail with a message, and leave nothing behind.
test_testenv_bad_args() {
	assert_fail testenv_setup --pairs 3
	assert_match "pairs" "$ASSERT_OUT"
	assert_fail testenv_setup --queues 0
	assert_fail testenv_setup --name 'a/b'
	assert_fail testenv_exec --name nosuchenv -- true
}
