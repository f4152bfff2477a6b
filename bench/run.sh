#!/bin/bash
# bench/run.sh — the benchmark matrix behind `make bench`. See bench/README.md.
#
#   bench/run.sh [--quick] [--rows 'NAME ...'] [--runs N] [--duration S] [--sizes 'N ...']
#                [--rate PPS] [--out DIR] [--list] [--plan]
#   --plan: print the rows and sizes one round would run ("NAME SIZE"), then exit.
#   --sizes: only these frame sizes of each selected row (rows without them are left out).
#   --rate: pace `xdpgate gen` to PPS in every row that does not pace it itself (rows whose
#     sender is another program are left as they are): with every receiver keeping up, the
#     CPU ms/Mframe columns are what the receive models cost, not 1 / their ceiling.
#   --quick (or QUICK=1 in the environment): a smoke pass: of the default rows, the first
#     runnable one of each family (ROW_FAMILY: the name up to its first '-'), 1 run of 3 s
#     at the first of its ROW_QUICK_SIZES; with --rows, those rows at all their
#     ROW_QUICK_SIZES (or --sizes).
#   Defaults: 5 runs of 10 s. Exit status 0; 1 when a run failed; with BENCH_STRICT=1 also 3
#   when a row missed its expectation (ROW_EXPECT). BENCH_KEEP=1 keeps the work directory.
#
# Builds its own veth testbeds (testenv.sh), runs every selected row (bench/rows/*.sh) for
# N rounds, rows interleaved within each round (A B C, A B C, ...), samples the DUT's counter
# and /proc/stat once a second, then writes bench/results/DATE-HOST.{json,md,*.png} through
# bench/benchstat.py and bench/plot.sh. Every exit path kills what it started and removes
# the namespaces.
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
XG=${XDPGATE:-$ROOT/build/xdpgate}
PY=/usr/bin/python3
BENCH_GEN_CPU=${BENCH_GEN_CPU:-0}
BENCH_DUT_CPU=${BENCH_DUT_CPU:-1}
CEILING_GUESS=4000000
BPF_WIN=2 # seconds of kernel.bpf_stats_enabled after the sampled window (prog ns/frame)

QUICK=${QUICK:-}
[[ $QUICK == 0 ]] && QUICK=""
for a in "$@"; do [[ $a == --quick ]] && QUICK=1; done
RUNS=5 DURATION=10
[[ -n $QUICK ]] && RUNS=1 DURATION=3
OUT=$BENCH_DIR/results
SELECT=""
SIZES=""
RATE=""
LIST=0
PLAN_ONLY=0

usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2; }

while (($#)); do
	case $1 in
	--rows) SELECT=${2:-}; shift 2 || usage ;;
	--runs) RUNS=${2:-}; shift 2 || usage ;;
	--duration) DURATION=${2:-}; shift 2 || usage ;;
	--sizes) SIZES=${2:-}; shift 2 || usage ;;
	--rate) RATE=${2:-}; shift 2 || usage ;;
	--out) OUT=${2:-}; shift 2 || usage ;;
	--list) LIST=1; shift ;;
	--plan) PLAN_ONLY=1; shift ;;
	--quick) shift ;;
	-h | --help) usage ;;
	*) echo "bench: unknown option '$1'" >&2; usage ;;
	esac
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "bench: --runs: '$RUNS' is not a positive integer" >&2; exit 2; }
[[ -z $RATE || $RATE =~ ^[1-9][0-9]*$ ]] ||
	{ echo "bench: --rate: '$RATE' is not a positive integer" >&2; exit 2; }
[[ $DURATION =~ ^[0-9]+$ ]] && ((DURATION >= 3)) ||
	{ echo "bench: --duration: '$DURATION' must be an integer >= 3" >&2; exit 2; }

# shellcheck source=testenv/testenv.sh
source "$ROOT/testenv/testenv.sh"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

# ---- rows: read each file's metadata in a subshell ----

# A row is a file, or one parameter of a family file (ROW_PARAMS="1 10 100": one row per
# word, the file sourced with ROW_PARAM set to it): its spec is FILE or FILE#PARAM.
row_source() {
	# shellcheck disable=SC2034 # read by the family's row file
	if [[ $1 == *#* ]]; then ROW_PARAM=${1##*#}; else ROW_PARAM=""; fi
	# shellcheck disable=SC1090
	source "${1%#*}"
}

# Prints "ORDER NAME SPEC" for every row.
row_index() {
	local f p
	for f in "$BENCH_DIR"/rows/*.sh; do
		[[ -e $f ]] || continue
		for p in $(ROW_PARAMS="" && row_source "$f" >/dev/null 2>&1 && echo "$ROW_PARAMS"); do
			echo "$f#$p"
		done
		(ROW_PARAMS="" && row_source "$f" >/dev/null 2>&1 && [[ -z $ROW_PARAMS ]]) && echo "$f"
	done | while read -r f; do
		(
			ROW_NAME="" ROW_ORDER=50
			row_source "$f" >/dev/null 2>&1 || exit 0
			[[ -n $ROW_NAME ]] && echo "$ROW_ORDER $ROW_NAME $f"
		)
	done | sort -k1,1n -k2,2
}

# One field of a row file's metadata, with the harness's default.
row_meta() {
	(
		ROW_DESC="" ROW_QUEUES=1 ROW_SIZES=64 ROW_QUICK_SIZES="" ROW_DEFAULT=1 ROW_QUICK=1
		ROW_REQUIRES="" ROW_GEN_THREADS=1 ROW_GEN_CPUS=$BENCH_GEN_CPU ROW_GEN_SATURATED=1
		ROW_NAPI=1 ROW_NAPI_CPU=$BENCH_DUT_CPU ROW_EXPECT="" ROW_FAMILY=""
		row_source "$1" >/dev/null 2>&1
		[[ -z $ROW_QUICK_SIZES ]] && ROW_QUICK_SIZES=${ROW_SIZES%% *}
		[[ -z $ROW_FAMILY ]] && ROW_FAMILY=${ROW_NAME%%-*}
		echo "${!2}"
	)
}

# Why a row cannot run here (missing command or file), or nothing.
row_missing() {
	local r
	for r in $(row_meta "$1" ROW_REQUIRES); do
		if [[ $r == */* ]]; then
			[[ $r == /* ]] || r=$ROOT/$r
			[[ -x $r ]] || { echo "needs $r"; return; }
		else
			command -v "$r" >/dev/null || { echo "needs $r"; return; }
		fi
	done
}

declare -a PLAN=()     # "FILE SIZE" entries, in round order
declare -A ROW_FILE=()

plan_rows() {
	local order name file sizes s want miss fam
	local -A family_done=()
	while read -r order name file; do
		ROW_FILE[$name]=$file
	done < <(row_index)
	if ((LIST)); then
		while read -r order name file; do
			printf '%-24s %s\n' "$name" "$(row_meta "$file" ROW_DESC)"
		done < <(row_index)
		exit 0
	fi
	for name in $SELECT; do
		[[ -n ${ROW_FILE[$name]:-} ]] || { echo "bench: no row '$name' (see --list)" >&2; exit 2; }
	done
	while read -r order name file; do
		if [[ -n $SELECT ]]; then
			want=0
			for s in $SELECT; do [[ $s == "$name" ]] && want=1; done
		else
			want=$(row_meta "$file" ROW_DEFAULT)
			[[ -n $QUICK ]] && ((want)) && want=$(row_meta "$file" ROW_QUICK)
		fi
		((want)) || continue
		if [[ -n $QUICK && -z $SELECT ]]; then
			fam=$(row_meta "$file" ROW_FAMILY)
			[[ -n ${family_done[$fam]:-} ]] && continue
		fi
		miss=$(row_missing "$file")
		if [[ -n $miss ]]; then
			bench_log "skipping row $name: $miss"
			continue
		fi
		[[ -n $QUICK && -z $SELECT ]] && family_done[$fam]=1
		if [[ -n $QUICK ]]; then sizes=$(row_meta "$file" ROW_QUICK_SIZES)
		else sizes=$(row_meta "$file" ROW_SIZES); fi
		# the smoke pass: one entry a family (its row's first quick size)
		[[ -n $QUICK && -z $SELECT && -z $SIZES ]] && sizes=${sizes%% *}
		for s in $sizes; do
			[[ -z $SIZES || " $SIZES " == *" $s "* ]] && PLAN+=("$file $s")
		done
	done < <(row_index)
	((${#PLAN[@]})) || { echo "bench: no row to run" >&2; exit 2; }
}

# ---- testbeds: one per queue count, shared by the rows that ask for it ----

declare -A BED=()
RUN_PID=""

bed_for() {
	local q=$1
	[[ -n ${BED[$q]:-} ]] && return 0
	te_setup --pairs 2 --peer-napi --queues "$q" || return 1
	install_traps # te_setup installs its own; ours also kill the background processes
	# GRO gives dut0 NAPI, so its NAPI can be threaded and moved off the generator's CPU.
	te_dut ethtool -K "$TE_DUT_IF" gro on >/dev/null || return 1
	BED[$q]=$TE_NAME
}

cleanup() {
	local rc=$?
	if [[ -n ${RUN_PID:-} ]]; then
		# the run's own EXIT trap kills its processes and runs row_teardown
		kill -TERM "$RUN_PID" 2>/dev/null
		wait "$RUN_PID" 2>/dev/null
		RUN_PID=""
	fi
	bench_kill_bg
	sysctl -qw kernel.bpf_stats_enabled=0 2>/dev/null
	te_cleanup_trap
	[[ -n ${WORK:-} && -d $WORK && -z ${BENCH_KEEP:-} ]] && rm -rf "$WORK"
	return $rc
}

install_traps() {
	trap 'cleanup' EXIT
	trap 'trap - INT; cleanup; exit 130' INT
	trap 'trap - TERM; cleanup; exit 143' TERM
}

# ---- one run ----

now() { echo "${EPOCHREALTIME/,/.}"; }

# /proc/stat's per-CPU lines and procs_running, and each side's own tasks' CPU time
# ("T tasks_dut J", "T tasks_gen J": clock ticks, neighbours in the VM not included).
sample_stat() {
	local t=$1 c rest
	while read -r c rest; do
		[[ $c == cpu[0-9]* || $c == procs_running ]] && echo "$t $c $rest"
	done </proc/stat
	echo "$t tasks_dut $(bench_task_jiffies dut)"
	echo "$t tasks_gen $(bench_task_jiffies gen)"
	return 0
}

# Wait until $1 (epoch seconds, fractional) without a fork when already past it.
sleep_until() {
	local d
	d=$(awk -v a="$1" -v b="$(now)" 'BEGIN { d = a - b; if (d > 0) printf "%.3f", d }')
	[[ -n $d ]] && sleep "$d"
	return 0
}

# Sample row_counter and /proc/stat at t0, t0+1, ... t0+DURATION into $1/samples and $1/stat.
sample_loop() {
	local dir=$1 t0 i c ta tb
	t0=$(now)
	for ((i = 0; i <= DURATION; i++)); do
		sleep_until "$(awk -v a="$t0" -v i="$i" 'BEGIN { printf "%.6f", a + i }')"
		ta=$(now)
		c=$(row_counter) || c=""
		tb=$(now)
		[[ $c =~ ^[0-9]+$ ]] || { echo "row_counter printed '$c'" >"$dir/counter-error"; return 1; }
		awk -v a="$ta" -v b="$tb" -v c="$c" 'BEGIN { printf "%.6f %s\n", (a + b) / 2, c }' \
			>>"$dir/samples"
		sample_stat "$ta" >>"$dir/stat"
	done
	return 0
}

# Where the row wants the DUT's NAPI: "softirq" (the generator's CPU) or a CPU number.
napi_where() { ((ROW_NAPI)) && echo "$ROW_NAPI_CPU" || echo softirq; }

placement_text() {
	local napi="NAPI in the sender's softirq (cpu $ROW_GEN_CPUS)"
	((ROW_NAPI)) && napi="NAPI threaded, kthread on cpu $ROW_NAPI_CPU"
	[[ -n ${ROW_PLACEMENT_NOTE:-} ]] && napi+=" ($ROW_PLACEMENT_NOTE)"
	echo "gen cpu $ROW_GEN_CPUS; $napi; receiver cpu $BENCH_DUT_CPU"
}

# The DUT's XDP program's own cost while the generator still runs, after the sampled window
# (bpf_stats add two clock reads a run, so they stay off while Mpps is measured):
# prints "bpf_ns=NS" (run_time_ns / run_cnt over BPF_WIN seconds), or nothing without a
# program on dut0.
prog_ns_window() {
	local id a b
	id=$(dut_xdp_prog_id) || return 0
	[[ -n $id ]] || return 0
	sysctl -qw kernel.bpf_stats_enabled=1 || return 0
	a=$(bpf_prog_stats "$id")
	sleep "$BPF_WIN"
	b=$(bpf_prog_stats "$id")
	sysctl -qw kernel.bpf_stats_enabled=0
	awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
		if (y[2] > x[2]) printf "bpf_ns=%.1f\nbpf_runs=%d\n", (y[1] - x[1]) / (y[2] - x[2]), y[2] - x[2] }'
}

# The body of one run, in a subshell so each row file's functions stay its own.
run_one() {
	local file=$1 size=$2 round=$3 dir=$4 q err="" genpid gargs
	row_setup() { :; }
	row_teardown() { :; }
	row_gen_args() { :; }
	row_counter() { dut_ethtool_xdp_packets; }
	ROW_QUEUES=1 ROW_GEN_THREADS=1 ROW_GEN_CPUS=$BENCH_GEN_CPU ROW_GEN_SATURATED=1 ROW_NAPI=1
	ROW_NAPI_CPU=$BENCH_DUT_CPU ROW_DESC="" ROW_EXPECT="" ROW_PLACEMENT_NOTE="" ROW_WARMUP=0
	row_source "$file"
	q=$ROW_QUEUES
	# shellcheck disable=SC1090
	source "$TE_STATE_DIR/${BED[$q]}.env"
	BENCH_SIZE=$size
	BENCH_GEN_CPUS=$ROW_GEN_CPUS
	BENCH_CEILING_PPS=$(cat "$WORK/ceiling" 2>/dev/null || echo $CEILING_GUESS)
	export BENCH_SIZE BENCH_CEILING_PPS
	gargs=$(row_gen_args)
	if [[ -n $RATE && $gargs != *--rate* ]]; then
		gargs+=" --rate $RATE"
		ROW_GEN_SATURATED=0
	fi
	{
		echo "row=$ROW_NAME"; echo "size=$size"; echo "round=$round"; echo "desc=$ROW_DESC"
		echo "queues=$q"; echo "gen_cpus=$ROW_GEN_CPUS"; echo "gen_threads=$ROW_GEN_THREADS"
		echo "gen_saturated=$ROW_GEN_SATURATED"; echo "dut_cpu=$BENCH_DUT_CPU"
		echo "expect=$ROW_EXPECT"; echo "start=$(date -Is)"
		echo "own_tasks=$((ROW_GEN_THREADS + (ROW_NAPI ? 1 : 0) + 1))"
		echo "warmup=$ROW_WARMUP"
		echo "placement=$(placement_text)"
	} >"$dir/meta"
	trap 'bench_kill_bg; row_teardown >/dev/null 2>&1' EXIT

	if ! row_setup; then err="row_setup failed"
	elif ! row_start; then err="row_start failed"
	elif ! dut_napi_place "$TE_DUT_IF" "$(napi_where)"; then err="NAPI placement did not hold"
	fi
	if [[ -z $err ]]; then
		# --no-marker: writing the per-frame marker dirties a cache line on the generator's
		# CPU that any DUT program reading L4 then has to fetch from it (measured: +75 ns a
		# frame for the gate, nothing for bare drop), an artifact NIC DMA does not have.
		# shellcheck disable=SC2086 # row_gen_args prints words
		taskset -c "$ROW_GEN_CPUS" nsenter --net="/run/netns/$TE_NS_GEN" -- \
			"$XG" gen "$TE_GEN_IF" --dst "$TE_DUT_IP4" --dst-mac "$TE_DUT_MAC" --size "$size" \
			--threads "$ROW_GEN_THREADS" --duration "$((DURATION + BPF_WIN + 1 + ROW_WARMUP))" --json \
			--no-marker $gargs \
			>"$dir/gen.json" 2>"$dir/gen.err" &
		genpid=$!
		bench_own_pid gen "$genpid"
		# a counter that lags the traffic (a report every few seconds) settles first
		((ROW_WARMUP)) && sleep "$ROW_WARMUP"
		sample_loop "$dir" || err="sampling failed: $(cat "$dir/counter-error" 2>/dev/null)"
		[[ -z $err ]] && prog_ns_window >>"$dir/meta"
		wait "$genpid" || err=${err:-"generator failed: $(head -c 200 "$dir/gen.err")"}
	fi
	bench_kill_bg
	row_teardown || err=${err:-"row_teardown failed"}
	trap - EXIT
	for ifc in $TE_DUT_IF ${TE_DUT_IF2:-}; do
		if ip -n "$TE_NS_DUT" -d link show dev "$ifc" | grep -q 'prog/xdp'; then
			err=${err:-"an XDP program was left on $ifc"}
			ip -n "$TE_NS_DUT" link set dev "$ifc" xdp off 2>/dev/null
		fi
	done
	[[ -n $err ]] && { echo "error=$err" >>"$dir/meta"; bench_log "$ROW_NAME@$size: $err"; }
	[[ -z $err ]]
}

# ---- main ----

facts() {
	echo "date=$(date -Is)"; echo "host=$(hostname -s)"; echo "kernel=$(uname -r)"
	echo "cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
	echo "nproc=$(nproc)"; echo "runs=$RUNS"; echo "duration=$DURATION"
	echo "quick=${QUICK:-0}"; echo "gen_cpu=$BENCH_GEN_CPU"; echo "dut_cpu=$BENCH_DUT_CPU"
	echo "xdpgate=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
	echo "bpf_win=$BPF_WIN"; echo "rate=$RATE"; echo "clk_tck=$(getconf CLK_TCK)"
}

main() {
	local tool n=0 total round entry file size name dir t_start stamp m rc=0
	((EUID == 0)) || { echo "bench: needs root" >&2; exit 1; }
	for tool in "$XG" "$PY" gnuplot ethtool taskset nsenter awk; do
		command -v "$tool" >/dev/null ||
			{ echo "bench: missing $tool (run 'make' and testenv/deps.sh)" >&2; exit 1; }
	done
	(($(nproc) >= 2)) || { echo "bench: needs 2 CPUs (generator and DUT)" >&2; exit 1; }
	plan_rows
	if ((PLAN_ONLY)); then
		for entry in "${PLAN[@]}"; do
			read -r file size <<<"$entry"
			echo "$(row_meta "$file" ROW_NAME) $size"
		done
		exit 0
	fi
	WORK=$(mktemp -d /tmp/xdpgate-bench.XXXXXX)
	BENCH_PIDFILE=$WORK/pids
	: >"$BENCH_PIDFILE"
	: >"$BENCH_PIDFILE.dut"
	: >"$BENCH_PIDFILE.gen"
	export BENCH_PIDFILE BENCH_DUT_CPU XG ROOT BENCH_DIR
	install_traps
	mkdir -p "$WORK/runs" "$OUT"
	facts >"$WORK/facts"
	t_start=$SECONDS
	total=$((RUNS * ${#PLAN[@]}))
	bench_log "${#PLAN[@]} row/size entries x $RUNS round(s) x ${DURATION} s"
	for ((round = 1; round <= RUNS; round++)); do
		for entry in "${PLAN[@]}"; do
			read -r file size <<<"$entry"
			name=$(row_meta "$file" ROW_NAME)
			bed_for "$(row_meta "$file" ROW_QUEUES)" || { echo "bench: testbed setup failed" >&2; exit 1; }
			n=$((n + 1))
			dir=$(printf '%s/runs/%04d' "$WORK" "$n")
			mkdir -p "$dir"
			bench_log "[$n/$total] round $round $name@$size"
			# In the background and reaped with `wait`, which a trapped INT/TERM
			# interrupts at once; a foreground child that catches SIGINT itself
			# (xdpgate does) would make bash skip our trap.
			(run_one "$file" "$size" "$round" "$dir") &
			RUN_PID=$!
			wait "$RUN_PID" || rc=1
			RUN_PID=""
			if [[ $name == bare-drop && $size == 64 ]]; then
				m=$("$PY" "$BENCH_DIR/benchstat.py" run-median "$dir")
				((m > 0)) && echo "$m" >"$WORK/ceiling"
			fi
		done
	done
	bench_log "measured in $((SECONDS - t_start)) s"
	echo "elapsed_s=$((SECONDS - t_start))" >>"$WORK/facts"
	stamp="$(date +%Y%m%d-%H%M%S)-$(hostname -s)"
	"$PY" "$BENCH_DIR/benchstat.py" report "$WORK" "$OUT/$stamp" ||
		{ [[ -n ${BENCH_STRICT:-} ]] && ((rc == 0)) && rc=3; }
	"$BENCH_DIR/plot.sh" "$WORK" "$OUT/$stamp" || rc=1
	bench_log "results: $OUT/$stamp.{json,md} and $stamp-*.png"
	return $rc
}

main
exit $?
