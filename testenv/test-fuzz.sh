#!/bin/bash
# The libFuzzer harnesses (testenv/fuzz/, built by `make` into build/fuzz/): each test
# replays its seed corpus, then fuzzes for TE_FUZZ_SECONDS (default 10) from a scratch copy
# of it. Any crash, sanitizer report, leak or failed round-trip check exits non-zero and
# fails the test; the input that did it is left in build/fuzz/NAME-crash-*. `make fuzz`
# runs them longer. Run by run-tests.sh (errexit on; see lib-assert.sh).
# shellcheck shell=bash disable=SC2154 # ROOT comes from the runner

FUZZ_SECONDS=${TE_FUZZ_SECONDS:-10}

fuzz_run() {
	local name=$1 bin="$ROOT/build/fuzz/$1" seeds="$ROOT/testenv/fuzz/corpus/$1" work
	[[ -x $bin ]] || {
		echo "$bin is missing (run 'make')" >&2
		return 1
	}
	assert_ge "$(find "$seeds" -type f | wc -l)" 3 "seed files in $seeds"
	work=$(mktemp -d /tmp/xg-fuzz.XXXXXX)
	trap 'rm -rf "$work"' EXIT
	# Every seed on its own, then a bounded run that may add to the scratch corpus.
	assert_ok "$bin" -runs=0 -artifact_prefix="$ROOT/build/fuzz/$name-" "$seeds"
	assert_match "INITED" "$ASSERT_OUT" "$name replayed its seeds"
	cp "$seeds"/* "$work"/
	assert_ok "$bin" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 \
		-artifact_prefix="$ROOT/build/fuzz/$name-" "$work"
	assert_match "stat::number_of_executed_units" "$ASSERT_OUT" "$name ran to the end"
	grep -E '^(Done|stat::number_of_executed_units|stat::average_exec_per_sec)' <<<"$ASSERT_OUT"
}

# The rule language: every line that parses formats to canonical text that parses again to
# the same text; whole inputs also go through the file parser.
test_fuzz_rules() { fuzz_run fuzz_rules; }

# The frame parser compiled for userspace, and the reference classifier on a fixed set.
test_fuzz_parse() { fuzz_run fuzz_parse; }

# `rules explain` hex input.
test_fuzz_hex() { fuzz_run fuzz_hex; }

# The config file: any input loads, or fails with an error naming the file.
test_fuzz_config() { fuzz_run fuzz_config; }
