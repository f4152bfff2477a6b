# pool_row.sh — shared by the pool-* rows: start `xdpgate run` on dut0 and read the
# received count it publishes (/run/xdpgate/ns<inode>-if<ifindex>.json, refreshed every
# 0.2 s). A row sets POOL_ARGS (extra run options) and, for several queues, POOL_CPUS.
# shellcheck shell=bash disable=SC2154 # TE_*, XG, ROOT come from the harness

# Found once a row (row_start sets POOL_FILE): a counter read each second then forks one
# jq and nothing else.
pool_file() {
	local ino idx
	if [[ -z ${POOL_FILE:-} ]]; then
		ino=$(stat -L -c %i "/run/netns/$TE_NS_DUT")
		idx=$(ip -n "$TE_NS_DUT" -j link show "$TE_DUT_IF" | jq '.[0].ifindex')
		POOL_FILE="/run/xdpgate/ns$ino-if$idx.json"
	fi
	echo "$POOL_FILE"
}

row_start() {
	local i
	POOL_FILE=""
	pool_file >/dev/null
	if [[ -n ${POOL_CPUS:-} ]]; then
		# several workers: the pool pins one per queue over the CPUs it may use
		taskset -c "$POOL_CPUS" nsenter --net="/run/netns/$TE_NS_DUT" -- \
			"$XG" run "$TE_DUT_IF" --stats-interval 0.2 $POOL_ARGS >/dev/null 2>&1 &
		bench_own_pid dut $!
	else
		# shellcheck disable=SC2086 # POOL_ARGS is a list of words
		bench_bg_dut "$XG" run "$TE_DUT_IF" --stats-interval 0.2 $POOL_ARGS >/dev/null
	fi
	for ((i = 0; i < 50; i++)); do
		[[ -s $(pool_file) ]] && return 0
		sleep 0.1
	done
	bench_log "$ROW_NAME: xdpgate run did not start"
	return 1
}

row_counter() { jq '[.workers[].rx] | add' "$POOL_FILE" 2>/dev/null || echo 0; }
