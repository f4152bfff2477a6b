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

w2_snap() { echo "${TMPDIR:-/tmp}/xdpgate-bench-$ROW_NAME.$$.snap"; }

row_gen_args() { echo "--flows 8"; }

# pool_row's start, and the pool's PID kept (the harness adds the generator's to the
# PID file after it)
eval "pool_$(declare -f row_start)"
row_start() {
	pool_row_start || return 1
	tail -n 1 "$BENCH_PIDFILE" >"$(w2_snap).pid"
}

# Each second, besides the count: the workers' frames and their threads' ns on CPU (the
# threads after the main one, in creation order), for row_teardown's line.
row_counter() {
	local pid tid ticks="" rx
	pid=$(cat "$(w2_snap).pid" 2>/dev/null)
	rx=$(jq -r '[.workers[].rx] | map(tostring) | join(" ")' "$(pool_file)" 2>/dev/null)
	for tid in $(ls "/proc/$pid/task" 2>/dev/null | sort -n | tail -n +2); do
		ticks+=" $(awk '{ print $1 }' "/proc/$pid/task/$tid/schedstat" 2>/dev/null)"
	done
	[[ -n $rx ]] && echo "$rx |$ticks" >"$(w2_snap)"
	jq '[.workers[].rx] | add' "$(pool_file)" 2>/dev/null || echo 0
}

row_teardown() {
	[[ -s $(w2_snap) ]] && bench_log "$ROW_NAME: $(awk -v hz=1e9 -F'|' '{
		n = split($1, rx, " "); split($2, t, " ")
		for (i = 1; i <= n; i++)
			printf "worker %d: %d frames, %.2f CPU s, %.2f Mframes per CPU s; ", i - 1,
				rx[i], t[i] / hz, t[i] ? rx[i] / (t[i] / hz) / 1e6 : 0
	}' "$(w2_snap)")"
	rm -f "$(w2_snap)" "$(w2_snap).pid"
	return 0
}
