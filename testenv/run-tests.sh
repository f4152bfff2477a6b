#!/bin/bash
# run-tests.sh [PATTERN] — the one test runner behind `make test`.
#
# Layers, in order:
#   unit/prog    every executable build/tests/*_test (cmocka), run with TAP output; each
#                "ok" line is a pass, each "not ok" a failure. A binary that crashes, times
#                out, exits non-zero without a "not ok", or reports fewer tests than its
#                plan counts one more failure. No test binaries at all is a failure.
#   integration  every function test_* in testenv/test-*.sh, each in a fresh bash under
#                `timeout`, with testenv.sh, lib-assert.sh and lib-xg.sh sourced and
#                errexit on (see lib-assert.sh). Tests create environments with te_setup,
#                which tears them down on exit; the runner then checks that no namespace
#                of the test is left, and a leftover is a failure (and is removed).
# PATTERN (bash regex) keeps only binaries and test functions whose names match.
# The last line printed is always the summary: "N passed, N failed[, N skipped]".
# Exit status: 0 when nothing failed.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
PATTERN=${1:-}
TEST_TIMEOUT=${TE_TEST_TIMEOUT:-120}
BIN_TIMEOUT=${TE_BIN_TIMEOUT:-300}

passed=0
failed=0
skipped=0
failed_names=()
matched=0

TMP=$(mktemp -d /tmp/xdpgate-tests.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

_matches() { [[ -z $PATTERN || $1 =~ $PATTERN ]]; }

_fail() {
	failed=$((failed + 1))
	failed_names+=("$1")
}

_indent() { sed 's/^/    /'; }

# ---- unit and prog: cmocka binaries ----

run_binary() {
	local bin=$1 name layer out rc=0 ok nok plan
	name=$(basename "$bin")
	layer=unit
	[[ $name == *prog* ]] && layer=prog
	out="$TMP/$name.out"
	# The subshell is the one that reaps the binary, so bash's "Segmentation fault"
	# notice lands in the captured output, not after the summary line.
	(
		CMOCKA_MESSAGE_OUTPUT=TAP timeout -k 10 "$BIN_TIMEOUT" "$bin" </dev/null
		r=$?
		exit $r
	) >"$out" 2>&1 || rc=$?
	ok=$(grep -c '^ok ' "$out")
	nok=$(grep -c '^not ok ' "$out")
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$out" | head -n1)
	passed=$((passed + ok))
	failed=$((failed + nok))
	while read -r t; do failed_names+=("$name: $t"); done < <(sed -n 's/^not ok [0-9]* - //p' "$out")

	local why=""
	if ((rc == 124 || rc == 137)); then
		why="timed out after ${BIN_TIMEOUT}s"
	elif ((rc > 128)); then
		why="crashed (signal $((rc - 128)))"
	elif ((rc != 0 && nok == 0)); then
		why="exited $rc without reporting a failed test"
	elif [[ -n $plan ]] && ((ok + nok < plan)); then
		why="reported $((ok + nok)) of $plan planned tests"
	fi
	[[ -n $why ]] && _fail "$name ($why)"

	if [[ -z $why ]] && ((nok == 0)); then
		echo "$layer $name: $ok ok"
	else
		echo "$layer $name: $ok ok, $nok not ok${why:+, $why}"
		_indent <"$out"
	fi
}

run_binaries() {
	local bins=() b
	for b in build/tests/*_test; do
		[[ -f $b && -x $b ]] && bins+=("$b")
	done
	if ((${#bins[@]} == 0)); then
		echo "unit: no test binaries in build/tests/ (run 'make' first)"
		_fail "unit: no test binaries"
		return
	fi
	for b in "${bins[@]}"; do
		_matches "$(basename "$b")" || continue
		matched=$((matched + 1))
		run_binary "$b"
	done
}

# ---- integration: test_* functions in testenv/test-*.sh ----

# Function names in definition order (declare -F would sort them).
list_tests() {
	sed -nE 's/^(function[[:space:]]+)?(test_[A-Za-z0-9_]+)[[:space:]]*\(\).*/\2/p' "$1"
}

# The body each test runs in: libraries, the test file, errexit, then the one function.
# The ERR trap reports the first failing command with its call stack, once per shell.
# shellcheck disable=SC2016 # expanded by the inner bash
INNER='
set -eE -o pipefail
shopt -s inherit_errexit
source "$ROOT/testenv/testenv.sh"
source "$ROOT/testenv/lib-assert.sh"
source "$ROOT/testenv/lib-xg.sh"
source "$1"
_on_err() {
	local i
	[[ -z ${_err_seen:-} ]] || return 0
	_err_seen=1
	echo "FAILED (status $1): $2" >&2
	for ((i = 1; i < ${#FUNCNAME[@]}; i++)); do
		[[ ${FUNCNAME[i]} == main ]] && break
		echo "  at ${BASH_SOURCE[i]##*/}:${BASH_LINENO[i - 1]} in ${FUNCNAME[i]}" >&2
	done
}
trap '\''_on_err $? "$BASH_COMMAND"'\'' ERR
"$2"
'

# Remove and report namespaces whose names start with $1; return 1 if there were any.
sweep_leftovers() {
	local prefix=$1 ns left=()
	while read -r ns _; do
		[[ $ns == "$prefix"* ]] && left+=("$ns")
	done < <(ip netns list 2>/dev/null)
	for ns in "$TE_STATE_DIR"/"$prefix"*.env; do
		[[ -e $ns ]] && left+=("$(basename "$ns")")
	done
	((${#left[@]} == 0)) && return 0
	echo "    left behind: ${left[*]} (removing)"
	for ns in "${left[@]}"; do
		ns=${ns%.env}
		testenv_teardown --name "${ns%-*}" >/dev/null 2>&1 ||
			ip netns delete "$ns" 2>/dev/null
	done
	return 1
}

run_test() {
	local file=$1 fn=$2 k=$3 out rc=0 prefix why=""
	out="$TMP/$fn.out"
	# Short, unique per run and test, so leftovers can be told apart from other runs'.
	prefix="xt$$-$k-"
	ROOT=$ROOT TE_NAME_PREFIX=$prefix timeout -k 10 "$TEST_TIMEOUT" \
		bash -c "$INNER" "$fn" "$file" "$fn" </dev/null >"$out" 2>&1 || rc=$?
	if ((rc == 124 || rc == 137)); then
		why=" (timed out after ${TEST_TIMEOUT}s)"
	elif ((rc != 0)); then
		why=" (exit $rc)"
	fi
	if ! sweep_leftovers "$prefix" >>"$out"; then
		why+=" (left namespaces behind)"
		rc=1
	fi
	if ((rc == 0)); then
		passed=$((passed + 1))
		echo "ok $fn"
	else
		_fail "$fn"
		echo "not ok $fn$why"
		_indent <"$out"
	fi
}

run_integration() {
	local files=() f fn k=0 tests
	for f in testenv/test-*.sh; do
		[[ -f $f ]] && files+=("$f")
	done
	((${#files[@]})) || return 0
	# The runner itself uses the library for leftover cleanup.
	# shellcheck disable=SC1091 # sourced by path at run time
	source "$ROOT/testenv/testenv.sh"
	for f in "${files[@]}"; do
		tests=$(list_tests "$f")
		for fn in $tests; do
			_matches "$fn" || continue
			matched=$((matched + 1))
			k=$((k + 1))
			if ((EUID != 0)); then
				_fail "$fn"
				echo "not ok $fn (NOT RUN: integration tests need root; run 'make test' as root)"
				continue
			fi
			run_test "$ROOT/$f" "$fn" "$k"
		done
	done
	if ((EUID != 0 && k > 0)); then
		echo "*** $k integration tests were NOT RUN because this is not root: counted as failed ***"
	fi
}

run_binaries
run_integration

if [[ -n $PATTERN ]] && ((matched == 0)); then
	echo "no test matches '$PATTERN'"
	_fail "pattern '$PATTERN' matched nothing"
fi

if ((failed > 0)); then
	echo "failed:"
	printf '  %s\n' "${failed_names[@]}"
fi
summary="$passed passed, $failed failed"
((skipped > 0)) && summary+=", $skipped skipped"
echo "$summary"
((failed == 0))
