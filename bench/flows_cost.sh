#!/bin/bash
# flows_cost.sh [ROUNDS] [SECONDS]: the gate's own cost per frame (kernel.bpf_stats_enabled:
# run_time_ns / run_cnt of the xdpgate program) with no flow accounting, `flows sample
# 1000` and `flows exact`, on 1 flow, and exact on 1,000,000 sources, interleaved round by
# round on one gate (`rules load` switches in place). Traffic: `xdpgate gen` (live engine)
# from the generator namespace pinned to CPU 1; on veth the gate runs in the receiving
# NAPI poll on the sender's CPU, so both are on CPU 1. Prints one line per run, then the
# median per configuration. Root; a testenv namespace pair of its own. XG_BASE=BINARY adds
# a row "base" each round: the same traffic through BINARY's gate (another build, e.g. the
# commit before flows) with no flows, attached in place of ours for that run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
SECS=${2:-3}
XG=$PWD/build/xdpgate
# shellcheck source=../testenv/testenv.sh
source testenv/testenv.sh
te_setup --name flcost >/dev/null
D=$(mktemp -d /tmp/flcost.XXXXXX)
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
trap 'sysctl -qw kernel.bpf_stats_enabled=$old_stats; rm -rf "$D"; te_cleanup_trap' EXIT
sysctl -qw kernel.bpf_stats_enabled=1

printf 'drop proto udp\n' >"$D/none.rules"
printf 'flows sample 1000\ndrop proto udp\n' >"$D/sample.rules"
printf 'flows exact\ndrop proto udp\n' >"$D/exact.rules"
attach() { # BINARY
	te_dut "$1" detach "$TE_DUT_IF" >/dev/null 2>&1 || true
	id=$(te_dut "$1" attach "$TE_DUT_IF" --rules "$D/none.rules" |
		sed -n 's/.*program id \([0-9]*\).*/\1/p')
}
attach "$XG"

prog() { bpftool prog show id "$id" -j | jq -r "\"\(.run_time_ns // 0) \(.run_cnt // 0)\""; }

run() { # NAME RULES FLOWS
	local t0 c0 t1 c1
	[[ $2 == base ]] || te_dut "$XG" rules load "$TE_DUT_IF" "$D/$2.rules" >/dev/null
	read -r t0 c0 < <(prog)
	te_gen taskset -c 1 "$XG" gen "$TE_GEN_IF" --dst "$TE_DUT_IP4" --dst-mac "$TE_DUT_MAC" \
		--flows "$3" --duration "$SECS" >/dev/null 2>&1
	read -r t1 c1 < <(prog)
	awk -v n="$1" -v dt=$((t1 - t0)) -v dc=$((c1 - c0)) -v s="$SECS" \
		'BEGIN { printf "%-14s %8.1f ns/frame %6.3f Mpps\n", n, dt / dc, dc / s / 1e6 }' |
		tee -a "$D/all"
}

for ((r = 1; r <= ROUNDS; r++)); do
	if [[ -n ${XG_BASE:-} ]]; then
		attach "$XG_BASE"
		run base base 1
		attach "$XG"
	fi
	run none none 1
	run sample1000 sample 1
	run exact exact 1
	run exact-64k exact 65536
done
echo "median of $ROUNDS:"
for n in base none sample1000 exact exact-64k; do
	grep -q "^$n " "$D/all" || continue
	awk -v n="$n" '$1 == n { print $2, $4 }' "$D/all" | sort -n |
		awk -v n="$n" '{ a[NR] = $1; b[NR] = $2 } END { m = int((NR + 1) / 2);
			printf "%-14s %8.1f ns/frame %6.3f Mpps\n", n, a[m], b[m] }'
done
te_dut "$XG" flows "$TE_DUT_IF" --top 1 --interval 0.1 | head -1
