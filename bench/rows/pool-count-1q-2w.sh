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

# Each second, besides the count: the workers' frames and sleeps and their threads' ns on
# CPU (the threads after the main one, in creation order), for row_teardown's line. One jq
# and no other process a second, as pool-count-poll's counter: the harness's own forks
# take CPU from the generator and the workers it measures.
row_counter() {
	local pid tid ticks="" out sum=0 rx="" wk="" t _
	pid=$(<"$(w2_snap).pid")
	out=$(jq -r '([.workers[].rx] | add, (map(tostring) | join(" "))),
		([.workers[].wakeups] | map(tostring) | join(" "))' "$(pool_file)" 2>/dev/null)
	{ read -r sum; read -r rx; read -r wk; } <<<"$out"
	# same-length thread ids: the glob's order is creation order
	for tid in "/proc/$pid/task/"*; do
		[[ ${tid##*/} == "$pid" ]] && continue
		read -r t _ <"$tid/schedstat" 2>/dev/null && ticks+=" $t"
	done
	[[ -n $rx ]] && echo "$rx |$ticks |$wk" >"$(w2_snap)"
	echo "${sum:-0}"
}

row_teardown() {
	[[ -s $(w2_snap) ]] && bench_log "$ROW_NAME: $(awk -v hz=1e9 -F'|' '{
		n = split($1, rx, " "); split($2, t, " "); split($3, wk, " ")
		for (i = 1; i <= n; i++)
			printf "worker %d: %d frames, %.2f CPU s, %.2f Mframes per CPU s, %d sleeps; ",
				i - 1, rx[i], t[i] / hz, t[i] ? rx[i] / (t[i] / hz) / 1e6 : 0, wk[i]
	}' "$(w2_snap)")"
	rm -f "$(w2_snap)" "$(w2_snap).pid"
	return 0
}
