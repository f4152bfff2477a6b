#!/bin/bash
# Shared by the test files that start `xdpgate run` (test-run.sh, test-config.sh).
# shellcheck shell=bash disable=SC2154 # TE_* come from te_setup, XG from the test file

# run_bg OUT ARGS...: `xdpgate run ARGS` in the DUT namespace in the background, output in
# OUT; waits until it serves (or fails: its output goes to stderr, status 1). Sets RUN_PID.
run_bg() {
	local out=$1
	shift
	# nsenter execs the command, so $! is xdpgate itself (a function would add a shell)
	nsenter --net="/run/netns/$TE_NS_DUT" -- "$XG" run "$@" >"$out" 2>&1 &
	RUN_PID=$!
	if ! wait_until 15 run_up "$out" "$RUN_PID" || ! grep -q "Ctrl-C to stop" "$out"; then
		cat "$out" >&2
		return 1
	fi
}

# run_up OUT PID: the run writing OUT serves, or has exited (its output says why).
run_up() { grep -q "Ctrl-C to stop" "$1" || gone "$2"; }
