#!/bin/bash
# bench/progrun.sh — BPF_PROG_RUN ns/frame of the gate in each configuration beside the bare
# programs, one CPU, interleaved rounds. No interface and no traffic: the same 64-byte UDP
# frame (to port 9) repeated, so every cost is warm in cache; it isolates the program's own
# instructions from the veth path that the Mpps rows also pay.
#
#   bench/progrun.sh [--rounds N] [--repeat N] [--cpu C] [--xdpgate PATH]
#   Defaults: 5 rounds of 5,000,000 repeats on CPU 1. Prints one Markdown table (median,
#   min, max ns/frame over the rounds, and the median's ratio to bare-drop-read's).
# Gate configurations: `default drop` (no rule), the one rule `drop proto udp dport 9`,
# 10,000 rules from bench/gen_rules.py (the frame hits the last), and the pool's default set
# (`xsk ether ipv4`, `xsk ether ipv6`: the xsk fast path), the one rule with
# `log every 1000` (the drop log's cost; no reader, so the ring buffer fills and later
# samples are counted lost), the one rule with a limit it never reaches (gate-limit: the
# frames spend their CPU's lease of the shared bucket), and `drop src @feed` over sets of 10 and 1,000,000
# prefixes from bench/gen_sets.py
# (no socket bound under PROG_RUN: the gate passes it, as on an unbound queue).
# Bare programs through bpftool's `prog run` (the objects `make` builds, loaded and pinned
# under a private bpffs directory, removed on exit).
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
XG=$ROOT/build/xdpgate
ROUNDS=5 REPEAT=5000000 CPU=1

while (($#)); do
	case $1 in
	--rounds) ROUNDS=$2; shift 2 ;;
	--repeat) REPEAT=$2; shift 2 ;;
	--cpu) CPU=$2; shift 2 ;;
	--xdpgate) XG=$2; shift 2 ;;
	*) sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
((EUID == 0)) || { echo "progrun: needs root" >&2; exit 1; }
[[ -x $XG ]] || { echo "progrun: no $XG (run make)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/xdpgate-progrun.XXXXXX)
PIN=/sys/fs/bpf/xdpgate-progrun-$$
trap 'rm -rf "$WORK" "$PIN"' EXIT
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || exit 1

# 64 bytes without FCS: Ethernet, IPv4 198.18.0.1 -> 198.18.0.2, UDP 1234 -> 9, zeros.
FRAME_HEX=0200000000020200000000010800450000320000000040110000c6120001c612000204d20009001e0000
FRAME_HEX+=$(printf '0%.0s' $(seq 1 44))
/usr/bin/python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))' "$FRAME_HEX" >"$WORK/frame.bin" || exit 1

printf 'default drop\n' >"$WORK/gate-drop"
printf 'drop proto udp dport 9\ndefault pass\n' >"$WORK/gate-rule1"
/usr/bin/python3 "$BENCH_DIR/gen_rules.py" 10000 >"$WORK/gate-rules10k" || exit 1
printf 'xsk ether ipv4\nxsk ether ipv6\n' >"$WORK/gate-xsk-all"
printf 'drop proto udp dport 9 log every 1000\ndefault pass\n' >"$WORK/gate-rule1-log"
printf 'drop proto udp dport 9 limit 1000000000/s burst 1000000000\ndefault pass\n' >"$WORK/gate-limit"
for n in 10 1000000; do
	/usr/bin/python3 "$BENCH_DIR/gen_sets.py" "$n" >"$WORK/set$n.txt" || exit 1
	printf 'set feed set%s.txt\ndrop src @feed\ndefault pass\n' "$n" >"$WORK/gate-set$n"
done
bpftool prog loadall "$ROOT/build/bare.bpf.o" "$PIN" || exit 1

CONFIGS="bare-drop bare-drop-read gate-drop gate-rule1 gate-rules10k gate-xsk-all gate-rule1-log"
CONFIGS+=" gate-limit gate-set10 gate-set1000000"

one() {
	case $1 in
	bare-*)
		taskset -c "$CPU" bpftool prog run pinned "$PIN/${1//-/_}" data_in "$WORK/frame.bin" \
			repeat "$REPEAT" | sed -n 's/.*duration (average): \([0-9]*\)ns.*/\1/p' ;;
	gate-*)
		taskset -c "$CPU" "$XG" rules bench "$WORK/$1" "$FRAME_HEX" -n "$REPEAT" --json |
			sed -n 's/.*"ns_per_frame":\([0-9]*\).*/\1/p' ;;
	esac
}

for ((r = 1; r <= ROUNDS; r++)); do
	for c in $CONFIGS; do
		ns=$(one "$c")
		[[ $ns =~ ^[0-9]+$ ]] || { echo "progrun: $c gave no figure" >&2; exit 1; }
		echo "$c $ns" >>"$WORK/results"
	done
done

/usr/bin/python3 - "$WORK/results" "$CONFIGS" "$CPU" "$REPEAT" "$ROUNDS" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    c, ns = line.split()
    rows.setdefault(c, []).append(int(ns))
base = statistics.median(rows["bare-drop-read"])
print("| program | ns/frame median | min | max | ratio to bare-drop-read (speed) |")
print("| --- | --- | --- | --- | --- |")
for c in sys.argv[2].split():
    v = rows[c]
    m = statistics.median(v)
    print("| %s | %.0f | %d | %d | %.2f |" % (c, m, min(v), max(v), base / m))
print()
print("BPF_PROG_RUN on cpu %s, %s repeats of one 64-byte UDP frame, %s interleaved rounds; "
      "includes the kernel's per-repeat loop overhead, which bare-drop shows." % tuple(sys.argv[3:6]))
PY
