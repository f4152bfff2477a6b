# pool-count-1q-2w — pool-count-poll with two workers on the one queue (--workers-per-queue
# shellcheck shell=bash disable=SC2034 # ROW_* and POOL_* are read by bench/run.sh and pool_row.sh
# 2: two sockets on one UMEM, the fill ring shared under a lock per batch), flows spread by
# the gate's hash (the generator's 8 flows). Two CPUs leave no core to scale onto: the
# generator's softirq on CPU0 does the kernel's half (the copy into the UMEM), so both
# workers sit on CPU1, where pool-count-poll's one worker sits: a worker on CPU0 took that
# CPU from the generator and its copy (0.68x of one worker, bench/results/20261202-020704).
# The ratio is then what sharing a queue costs. Besides the rate the row logs each worker's
# frames and CPU time (its thread's time on CPU from schedstat, in ns): frames per CPU
# second is the per-core cost that scales on a bigger machine.
ROW_NAME=pool-count-1q-2w
ROW_DESC="AF_XDP pool, count handler, 2 workers on one queue"
ROW_ORDER=64
ROW_NAPI=0
POOL_ARGS="--handler count --wait poll --workers-per-queue 2"
POOL_CPUS=1
ROW_EXPECT="vs:pool-count-poll>=0.95"
# shellcheck source=bench/pool_row.sh
source "$ROOT/bench/pool_row.sh"

W2_SNAP="${TMPDIR:-/tmp}/xdpgate-bench-$ROW_NAME.$$.snap"

row_gen_args() { echo "--flows 8"; }

# pool_row's start, and the pool's PID kept (the harness adds the generator's to the
# PID file after it)
eval "pool_$(declare -f row_start)"
row_start() {
	pool_row_start || return 1
	W2_PID=$(tail -n 1 "$BENCH_PIDFILE")
}

# Each second, besides the count: the workers' frames and sleeps and their threads' ns on
# CPU (the threads after the main one, in creation order), for row_teardown's line. One jq
# a second and no other process, as pool-count-poll's counter: the harness's own forks
# take CPU from the generator and the workers it measures.
row_counter() {
	local -a tids=()
	local tid ticks="" out sum=0 rx="" wk="" t i j _
	out=$(jq -r '([.workers[].rx] | add, (map(tostring) | join(" "))),
		([.workers[].wakeups] | map(tostring) | join(" "))' "$POOL_FILE" 2>/dev/null)
	{ read -r sum; read -r rx; read -r wk; } <<<"$out"
	for tid in "/proc/$W2_PID/task/"*; do
		[[ ${tid##*/} == "$W2_PID" ]] || tids+=("${tid##*/}")
	done
	# numeric order is creation order (the glob's is by string: 9999 after 10000)
	for ((i = 1; i < ${#tids[@]}; i++)); do
		for ((j = i; j > 0 && tids[j - 1] > tids[j]; j--)); do
			t=${tids[j]} tids[j]=${tids[j - 1]} tids[j - 1]=$t
		done
	done
	for tid in "${tids[@]}"; do
		read -r t _ 2>/dev/null <"/proc/$W2_PID/task/$tid/schedstat" && ticks+=" $t"
	done
	[[ -n $rx ]] && echo "$rx |$ticks |$wk" >"$W2_SNAP"
	echo "${sum:-0}"
}

row_teardown() {
	[[ -s $W2_SNAP ]] && bench_log "$ROW_NAME: $(awk -v hz=1e9 -F'|' '{
		n = split($1, rx, " "); split($2, t, " "); split($3, wk, " ")
		for (i = 1; i <= n; i++)
			printf "worker %d: %d frames, %.2f CPU s, %.2f Mframes per CPU s, %d sleeps; ",
				i - 1, rx[i], t[i] / hz, t[i] ? rx[i] / (t[i] / hz) / 1e6 : 0, wk[i]
	}' "$W2_SNAP")"
	rm -f "$W2_SNAP"
	return 0
}
