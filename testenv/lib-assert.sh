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
