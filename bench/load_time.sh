#!/bin/bash
# bench/load_time.sh — how long `xdpgate rules load` and `rules add` take on a live gate,
# in the best and the worst order (issue 22's load-time targets). Wall time of the xdpgate
# process alone (started and timed inside the DUT namespace), ms; no traffic.
#
#   bench/load_time.sh [--runs N] [--xdpgate PATH] [--out FILE]
#   Defaults: 10 runs; build/xdpgate; bench/results/DATE-HHMMSS-HOST-load.md.
# Prints one Markdown table (median, min, max over the runs) and writes it to --out.
# Cases, each on a freshly attached gate (`attach` with no rules), interleaved run by run:
#   load-1-fresh        `rules load` of one rule (`drop proto udp dport 9`); the slot it
#                       writes has never held a set
#   load-1-after-10k    the same, onto a slot that held 10,000 rules, with 10,000 others live
#                       (attach, load 10k A, load 10k B, then the timed load): the worst order
#   load-10k-fresh      10,000 rules (bench/gen_rules.py, seed 1) onto a fresh gate
#   load-10k-after-10k  the same onto a slot that held 10,000 other rules (seeds 2, 3 first)
#   add-10k             `rules add` of one rule to the live 10,000-rule set, the slot it
#                       writes holding 10,000 other rules (load B, load A, then add)
#   add-10k-again       a second `rules add` right after the first: the slot then holds the
#                       set of one change ago (the usual order when rules are added one by one)
# Targets (issue 22): load of one rule < 50 ms, of 10,000 < 500 ms, add to 10,000 < 200 ms,
# in the worst order as well as the best. The testbed comes from testenv/testenv.sh (addresses
# 198.18.0.0/15, fd00::/8) and is removed on every exit path.
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
XG=$ROOT/build/xdpgate
RUNS=10 OUT=""
CASES="load-1-fresh load-1-after-10k load-10k-fresh load-10k-after-10k add-10k add-10k-again"

while (($#)); do
	case $1 in
	--runs) RUNS=$2; shift 2 ;;
	--xdpgate) XG=$(realpath "$2"); shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	*) sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
((EUID == 0)) || { echo "load_time: needs root" >&2; exit 1; }
[[ -x $XG ]] || { echo "load_time: no $XG (run make)" >&2; exit 1; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "load_time: --runs wants a positive number" >&2; exit 2; }
[[ -n $OUT ]] || OUT=$BENCH_DIR/results/$(date +%Y%m%d-%H%M%S)-$(hostname -s)-load.md

WORK=$(mktemp -d /tmp/xdpgate-loadtime.XXXXXX) || exit 1
# shellcheck source=testenv/testenv.sh disable=SC1091
source "$ROOT/testenv/testenv.sh"
# te_setup's trap tears the testbed down on EXIT INT TERM; the work directory goes with it
_lt_cleanup() {
	[[ -n ${TE_NAME:-} ]] && te_dut "$XG" detach "$TE_DUT_IF" >/dev/null 2>&1
	rm -rf "$WORK"
}
te_setup >/dev/null || { rm -rf "$WORK"; exit 1; }
trap '_lt_cleanup; te_cleanup_trap' EXIT
trap '_lt_cleanup; te_cleanup_trap INT' INT
trap '_lt_cleanup; te_cleanup_trap TERM' TERM

printf 'drop proto udp dport 9\ndefault pass\n' >"$WORK/one" || exit 1
for s in 1 2 3; do
	/usr/bin/python3 "$BENCH_DIR/gen_rules.py" 10000 --seed "$s" >"$WORK/r10k-$s" || exit 1
done

xg() { te_dut "$XG" "$@" >/dev/null; }

# The wall time of one xdpgate command in the DUT namespace, ms, on stdout.
# shellcheck disable=SC2016 # expanded by the inner shell
timed() {
	te_dut /bin/bash -c 's=$EPOCHREALTIME; "$@" >/dev/null || exit 1; e=$EPOCHREALTIME
		echo $(( (${e/./} - ${s/./}) / 1000 ))' timed "$XG" "$@"
}

# One case on a fresh gate: the set-up loads, then the timed command; prints the ms.
one() {
	local ms
	xg attach "$TE_DUT_IF" || return 1
	case $1 in
	load-1-fresh) ms=$(timed rules load "$TE_DUT_IF" "$WORK/one") ;;
	load-1-after-10k)
		xg rules load "$TE_DUT_IF" "$WORK/r10k-1" && xg rules load "$TE_DUT_IF" "$WORK/r10k-2" &&
			ms=$(timed rules load "$TE_DUT_IF" "$WORK/one") ;;
	load-10k-fresh) ms=$(timed rules load "$TE_DUT_IF" "$WORK/r10k-1") ;;
	load-10k-after-10k)
		xg rules load "$TE_DUT_IF" "$WORK/r10k-2" && xg rules load "$TE_DUT_IF" "$WORK/r10k-3" &&
			ms=$(timed rules load "$TE_DUT_IF" "$WORK/r10k-1") ;;
	add-10k | add-10k-again)
		xg rules load "$TE_DUT_IF" "$WORK/r10k-2" && xg rules load "$TE_DUT_IF" "$WORK/r10k-1" &&
			ms=$(timed rules add "$TE_DUT_IF" 'drop proto udp dport 7')
		[[ $1 == add-10k-again && -n ${ms:-} ]] &&
			ms=$(timed rules add "$TE_DUT_IF" 'drop proto udp dport 8') ;;
	esac
	xg detach "$TE_DUT_IF" || return 1
	[[ ${ms:-} =~ ^[0-9]+$ ]] || return 1
	echo "$ms"
}

for ((r = 1; r <= RUNS; r++)); do
	for c in $CASES; do
		ms=$(one "$c") || { echo "load_time: $c failed in run $r" >&2; exit 1; }
		echo "$c $ms" >>"$WORK/results"
	done
	echo "load_time: run $r of $RUNS done" >&2
done

# what was measured: the binary, and the commit when it is this tree's
WHAT=$XG
[[ $XG == "$ROOT"/* ]] &&
	WHAT="${XG#"$ROOT"/} of $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')"
mkdir -p "$(dirname "$OUT")" || exit 1
/usr/bin/python3 - "$WORK/results" "$CASES" "$RUNS" "$WHAT" >"$OUT" <<'PY' || exit 1
import os, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    c, ms = line.split()
    rows.setdefault(c, []).append(int(ms))
target = [("load-10k", 500), ("load-1", 50), ("add-10k", 200)]  # longest prefix first
print("| case | ms median | min | max | target | median meets it |")
print("| --- | --- | --- | --- | --- | --- |")
for c in sys.argv[2].split():
    v = rows[c]
    t = next(ms for k, ms in target if c.startswith(k))
    m = statistics.median(v)
    print("| %s | %.0f | %d | %d | < %d | %s |" % (c, m, min(v), max(v), t,
                                                    "yes" if m < t else "no"))
print()
print("Wall time of the xdpgate process in the DUT namespace, %s interleaved runs, each case "
      "on a freshly attached gate; %s, %s CPUs, load average %s at the end."
      % (sys.argv[3], sys.argv[4], os.cpu_count(), open("/proc/loadavg").read().split()[0]))
PY
cat "$OUT"
echo "load_time: written to $OUT" >&2
