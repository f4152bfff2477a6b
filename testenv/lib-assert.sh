#!/bin/bash
# lib-assert.sh — assertions for integration tests (testenv/test-*.sh), sourced by the runner.
#
# How failures propagate: run-tests.sh runs every test function in its own bash with
# `set -eE -o pipefail` and `shopt -s inherit_errexit`. Each assert_* prints one
# "ASSERT FAILED: ..." line and returns 1, and errexit then ends the test right there
# (an ERR trap names the file and line). So write assertions as plain statements.
# Things that hide a failure from errexit, and so must be avoided in tests:
#   - `local x=$(cmd)`  (declare first, assign on the next line)
#   - an assert inside `if`, `while`, `!`, or on the left of && / || (errexit is off there)
# Use `|| true` only where a failure is really acceptable; to require one, use assert_fail.
#
# assert_ok and assert_fail keep the command's output (stdout+stderr) in ASSERT_OUT, for
# assert_match afterwards; they print it only when the assertion fails.

ASSERT_OUT=""

_assert_fail_msg() {
	echo "ASSERT FAILED: $*" >&2
	return 1
}

_assert_int() {
	[[ $1 =~ ^-?[0-9]+$ ]] || _assert_fail_msg "${2:+$2: }'$1' is not an integer"
}

# assert_eq EXPECTED ACTUAL [MSG]
assert_eq() {
	[[ $1 == "$2" ]] || _assert_fail_msg "${3:+$3: }expected '$1', got '$2'"
}

# assert_ne UNEXPECTED ACTUAL [MSG]
assert_ne() {
	[[ $1 != "$2" ]] || _assert_fail_msg "${3:+$3: }got '$2', which it must not be"
}

# assert_ge ACTUAL MIN [MSG]: integer ACTUAL >= MIN (reads like [ ACTUAL -ge MIN ]).
assert_ge() {
	_assert_int "$1" "${3:-}" && _assert_int "$2" "${3:-}" || return 1
	(($1 >= $2)) || _assert_fail_msg "${3:+$3: }expected >= $2, got $1"
}

# assert_le ACTUAL MAX [MSG]: integer ACTUAL <= MAX.
assert_le() {
	_assert_int "$1" "${3:-}" && _assert_int "$2" "${3:-}" || return 1
	(($1 <= $2)) || _assert_fail_msg "${3:+$3: }expected <= $2, got $1"
}

# assert_match REGEX STRING [MSG]: bash extended regex, unanchored.
assert_match() {
	[[ $2 =~ $1 ]] || _assert_fail_msg "${3:+$3: }'$2' does not match /$1/"
}

# assert_ok CMD...: CMD must exit 0.
assert_ok() {
	local rc=0
	ASSERT_OUT=$("$@" 2>&1) || rc=$?
	((rc == 0)) && return 0
	# || true: under errexit a bare failing call would end the test before the output
	_assert_fail_msg "'$*' exited $rc, expected success" || true
	printf '%s\n' "$ASSERT_OUT" | sed 's/^/    | /' >&2
	return 1
}

# assert_fail CMD...: CMD must exit non-zero, and cleanly: death by a signal (status > 128,
# e.g. a crash or an abort) is not the failure a bad-input test asks for.
assert_fail() {
	local rc=0
	ASSERT_OUT=$("$@" 2>&1) || rc=$?
	if ((rc != 0 && rc <= 128)); then
		return 0
	fi
	if ((rc == 0)); then
		_assert_fail_msg "'$*' succeeded, expected it to fail" || true
	else
		_assert_fail_msg "'$*' died with status $rc (signal $((rc - 128))), expected a clean failure" || true
	fi
	printf '%s\n' "$ASSERT_OUT" | sed 's/^/    | /' >&2
	return 1
}

# wait_until TIMEOUT_S CMD...: run CMD every 50 ms until it succeeds; 0 then. When TIMEOUT_S
# seconds (fractions allowed) pass first, one "ASSERT FAILED: timed out after ..." line
# naming CMD, CMD's last output, and status 1. This is how a test waits for an event: never
# a fixed sleep. The bound is generous (a loaded machine is slow); the event, not the bound,
# ends the wait. CMD runs in a subshell with its output captured: it cannot set variables.
wait_until() {
	local limit=$1 out="" end now
	shift
	end=$((${EPOCHREALTIME/./} + $(awk -v t="$limit" 'BEGIN { printf "%d", t * 1000000 }')))
	while :; do
		out=$("$@" 2>&1) && return 0
		now=${EPOCHREALTIME/./}
		((now < end)) || break
		sleep 0.05
	done
	_assert_fail_msg "timed out after ${limit}s waiting for: $*" || true
	[[ -z $out ]] || printf '%s\n' "$out" | tail -n 5 | sed 's/^/    | /' >&2
	return 1
}

# Predicates for wait_until. out_ge MIN CMD...: CMD prints an integer >= MIN.
out_ge() {
	local min=$1 v
	shift
	v=$("$@") || return 1
	if ! [[ $v =~ ^-?[0-9]+$ ]] || ((v < min)); then
		echo "$* printed '$v', want >= $min"
		return 1
	fi
}

# out_eq WANT CMD...: CMD prints exactly WANT.
out_eq() {
	local want=$1 v
	shift
	v=$("$@") || return 1
	[[ $v == "$want" ]] || { echo "$* printed '$v', want '$want'"; return 1; }
}

# file_has ERE FILE: a line of FILE matches ERE.
file_has() { grep -Eq -- "$1" "$2"; }

# gone PID: process PID has exited and been reaped (bash reaps its own children at once).
gone() { ! kill -0 "$1" 2>/dev/null; }
