#!/bin/bash
# testenv.sh — the xdpgate test environment: two network namespaces, a generator ("gen")
# and a device under test ("dut"), joined by one or two veth pairs created inside them.
#
# As a command:
#   testenv.sh setup [--name N] [--queues Q] [--pairs 1|2] [--peer-napi] [--arp]
#                                       prints `export TE_...=...` lines: eval "$(testenv.sh setup)"
#   testenv.sh teardown [--name N | --all]
#   testenv.sh exec [--name N] [--ns gen|dut] -- CMD...     (default --ns dut)
#   testenv.sh status [--name N]                            (no name, several envs: lists them)
# Without --name, teardown/exec/status use $TE_NAME, else the only environment there is.
#
# As a library (source it; it does not change the caller's shell options):
#   te_setup [setup options]   create an environment, set the TE_* variables below, and
#                              install te_cleanup_trap on EXIT INT TERM so it is torn down
#                              on every exit path; call it again for a second environment
#                              (TE_* then describe the newest one).
#   te_gen CMD... / te_dut CMD...   run CMD in the current environment's gen / dut namespace
#   testenv_setup / testenv_teardown / testenv_exec / testenv_status   the commands above
#
# Variables set by setup (pair 2 only with --pairs 2):
#   TE_NAME TE_NS_GEN TE_NS_DUT TE_QUEUES TE_PAIRS
#   TE_GEN_IF=gen0 TE_DUT_IF=dut0 TE_GEN_MAC TE_DUT_MAC
#   TE_GEN_IP4=198.18.0.1 TE_DUT_IP4=198.18.0.2 TE_GEN_IP6=fd00:18::1 TE_DUT_IP6=fd00:18::2
#   TE_GEN_IF2=gen1 TE_DUT_IF2=dut1 TE_GEN_MAC2 TE_DUT_MAC2
#   TE_GEN_IP4_2=198.18.1.1 TE_DUT_IP4_2=198.18.1.2 TE_GEN_IP6_2=fd00:18:1::1 TE_DUT_IP6_2=fd00:18:1::2
#
# Quiet links: by default the veths carry no frame the test did not send. DAD and router
# solicitations are off, and ARP is off on the veths (IFF_NOARP): that is the only switch
# that stops MLD reports (the kernel joins no solicited-node groups on a NOARP device;
# `multicast off` does not stop them, measured). Neighbours are static both ways, so v4/v6
# between the listed addresses works; a packet to any OTHER address goes out with the
# sender's own MAC as destination. --arp keeps ARP/ND (and with them MLD) for tests that
# need real resolution.
#
# --peer-napi turns GRO on at the gen-side veths: a veth end only accepts XDP frames
# (XDP_TX bounced or redirected out of the DUT) when it has NAPI; without it they are
# dropped and counted as xdp errors.
#
# Commands run in a namespace through `nsenter --net`, not `ip netns exec`: the latter
# remounts /sys, which hides the bpffs the gate pins its maps in.

TE_STATE_DIR=${TE_STATE_DIR:-/run/xdpgate-testenv}
_TE_LIB=$(realpath "${BASH_SOURCE[0]}")
TE_PIN_ROOT=${TE_PIN_ROOT:-/sys/fs/bpf/xdpgate}
TE_VARS_PAIR2=(TE_GEN_IF2 TE_DUT_IF2 TE_GEN_MAC2 TE_DUT_MAC2
	TE_GEN_IP4_2 TE_DUT_IP4_2 TE_GEN_IP6_2 TE_DUT_IP6_2)

_te_err() { echo "testenv: $*" >&2; }

# Names become namespace names (NAME-gen) and state-file names: keep them short and
# free of anything a path or `ip` would interpret.
_te_valid_name() { [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,19}$ ]]; }

_te_state_file() { echo "$TE_STATE_DIR/$1.env"; }

_te_exists() { [[ -e /run/netns/$1-gen || -e /run/netns/$1-dut || -e $(_te_state_file "$1") ]]; }

# Pick a fresh name into _te_name. Not a $(...) helper: $RANDOM must advance in this shell.
# TE_NAME_PREFIX lets the test runner find whatever a test leaves behind.
_te_pick_name() {
	local i
	for i in 1 2 3 4 5 6 7 8; do
		_te_name="${TE_NAME_PREFIX:-xg$$-}$RANDOM"
		_te_exists "$_te_name" || return 0
	done
	_te_err "could not find a free environment name"
	return 1
}

_te_in() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

_te_need_root() {
	((EUID == 0)) && return 0
	_te_err "needs root (network namespaces, veths, bpffs)"
	return 1
}

# The gate pins maps in bpffs, which must be mounted in the root mount namespace.
_te_bpffs() {
	[[ $(stat -f -c %T /sys/fs/bpf 2>/dev/null) == bpf_fs ]] && return 0
	mkdir -p /sys/fs/bpf
	mount -t bpf bpf /sys/fs/bpf
}

# Every setting that must hold before an interface gets addresses, for one namespace.
_te_ns_sysctls() {
	local ns=$1 c
	for c in all default; do
		_te_in "$ns" sysctl -q -w "net.ipv6.conf.$c.accept_dad=0" \
			"net.ipv6.conf.$c.router_solicitations=0" "net.ipv6.conf.$c.ndisc_notify=0"
	done
}

_te_if_sysctls() {
	local ns=$1 ifc=$2
	_te_in "$ns" sysctl -q -w "net.ipv6.conf.$ifc.accept_dad=0" \
		"net.ipv6.conf.$ifc.router_solicitations=0" "net.ipv6.conf.$ifc.ndisc_notify=0"
}

# Create pair number $1 (0 or 1). Runs under set -e inside _te_create's subshell.
# Fixed locally administered MACs (02:78:67 = "xg") make captured frames reproducible.
_te_make_pair() {
	local i=$1 gif="gen$1" dif="dut$1" gmac="02:78:67:00:0$1:01" dmac="02:78:67:00:0$1:02"
	local g4="198.18.$i.1" d4="198.18.$i.2" g6 d6
	local -a q=()
	if ((i == 0)); then g6=fd00:18::1 d6=fd00:18::2; else g6="fd00:18:$i::1" d6="fd00:18:$i::2"; fi
	((queues > 1)) && q=(numtxqueues "$queues" numrxqueues "$queues")

	ip -n "$ns_gen" link add "$gif" address "$gmac" "${q[@]}" type veth \
		peer name "$dif" address "$dmac" netns "$ns_dut" "${q[@]}"
	_te_if_sysctls "$ns_gen" "$gif"
	_te_if_sysctls "$ns_dut" "$dif"
	if ((!arp)); then
		ip -n "$ns_gen" link set dev "$gif" arp off
		ip -n "$ns_dut" link set dev "$dif" arp off
	fi
	ip -n "$ns_gen" addr add "$g4/24" dev "$gif"
	ip -n "$ns_dut" addr add "$d4/24" dev "$dif"
	ip -n "$ns_gen" addr add "$g6/64" dev "$gif" nodad
	ip -n "$ns_dut" addr add "$d6/64" dev "$dif" nodad
	ip -n "$ns_gen" neigh replace "$d4" dev "$gif" lladdr "$dmac" nud permanent
	ip -n "$ns_gen" neigh replace "$d6" dev "$gif" lladdr "$dmac" nud permanent
	ip -n "$ns_dut" neigh replace "$g4" dev "$dif" lladdr "$gmac" nud permanent
	ip -n "$ns_dut" neigh replace "$g6" dev "$dif" lladdr "$gmac" nud permanent
	ip -n "$ns_dut" link set dev "$dif" up
	ip -n "$ns_gen" link set dev "$gif" up
	if ((peer_napi)); then
		_te_in "$ns_gen" ethtool -K "$gif" gro on >/dev/null
	fi

	if ((i == 0)); then
		state+=(TE_GEN_IF "$gif" TE_DUT_IF "$dif" TE_GEN_MAC "$gmac" TE_DUT_MAC "$dmac"
			TE_GEN_IP4 "$g4" TE_DUT_IP4 "$d4" TE_GEN_IP6 "$g6" TE_DUT_IP6 "$d6")
	else
		state+=(TE_GEN_IF2 "$gif" TE_DUT_IF2 "$dif" TE_GEN_MAC2 "$gmac" TE_DUT_MAC2 "$dmac"
			TE_GEN_IP4_2 "$g4" TE_DUT_IP4_2 "$d4" TE_GEN_IP6_2 "$g6" TE_DUT_IP6_2 "$d6")
	fi
}

# Build the environment; run in a subshell with set -e so any failed step stops it.
_te_create() {
	set -euo pipefail
	local name=$1 queues=$2 pairs=$3 peer_napi=$4 arp=$5
	local ns_gen="$name-gen" ns_dut="$name-dut" ns i
	local -a state=()

	_te_bpffs
	mkdir -p "$TE_STATE_DIR"
	ip netns add "$ns_gen"
	ip netns add "$ns_dut"
	for ns in "$ns_gen" "$ns_dut"; do
		_te_ns_sysctls "$ns"
		ip -n "$ns" link set dev lo up
	done
	for ((i = 0; i < pairs; i++)); do
		_te_make_pair "$i"
	done

	# The namespace inode is what the gate names its pin directory after; teardown
	# removes that directory so a later namespace reusing the inode starts clean.
	state=(TE_NAME "$name" TE_NS_GEN "$ns_gen" TE_NS_DUT "$ns_dut" TE_QUEUES "$queues"
		TE_PAIRS "$pairs" TE_INO_GEN "$(stat -L -c %i "/run/netns/$ns_gen")"
		TE_INO_DUT "$(stat -L -c %i "/run/netns/$ns_dut")" "${state[@]}")
	local f tmp
	f=$(_te_state_file "$name")
	tmp="$f.tmp"
	: >"$tmp"
	for ((i = 0; i < ${#state[@]}; i += 2)); do
		printf '%s=%q\n' "${state[i]}" "${state[i + 1]}" >>"$tmp"
	done
	mv "$tmp" "$f"
}

# Load NAME's state file into this shell's TE_* variables.
_te_load() {
	local f v
	f=$(_te_state_file "$1")
	[[ -r $f ]] || { _te_err "no environment '$1' ($f missing)"; return 1; }
	for v in "${TE_VARS_PAIR2[@]}"; do unset "$v"; done
	# Written by _te_create with %q quoting, in a root-only directory.
	# shellcheck disable=SC1090
	source "$f"
}

# Resolve the environment name for teardown/exec/status into _te_name.
_te_resolve() {
	local given=$1 files
	if [[ -n $given ]]; then
		_te_name=$given
	elif [[ -n ${TE_NAME:-} ]]; then
		_te_name=$TE_NAME
	else
		files=("$TE_STATE_DIR"/*.env)
		[[ -e ${files[0]} ]] || files=()
		if ((${#files[@]} != 1)); then
			_te_err "say which environment: --name N (${#files[@]} exist in $TE_STATE_DIR)"
			return 1
		fi
		_te_name=$(basename "${files[0]}" .env)
	fi
	_te_valid_name "$_te_name" || { _te_err "bad environment name '$_te_name'"; return 1; }
}

testenv_setup() {
	local name="" queues=1 pairs=1 peer_napi=0 arp=0
	while (($#)); do
		case $1 in
		--name) name=${2:-}; shift 2 || { _te_err "--name needs a value"; return 1; } ;;
		--queues) queues=${2:-}; shift 2 || { _te_err "--queues needs a value"; return 1; } ;;
		--pairs) pairs=${2:-}; shift 2 || { _te_err "--pairs needs a value"; return 1; } ;;
		--peer-napi) peer_napi=1; shift ;;
		--arp) arp=1; shift ;;
		*) _te_err "setup: unknown option '$1'"; return 1 ;;
		esac
	done
	[[ $queues =~ ^[1-9][0-9]?$ ]] || { _te_err "--queues: '$queues' is not 1..99"; return 1; }
	[[ $pairs == 1 || $pairs == 2 ]] || { _te_err "--pairs: '$pairs' is not 1 or 2"; return 1; }
	_te_need_root || return 1
	if [[ -z $name ]]; then
		_te_pick_name || return 1
		name=$_te_name
	else
		_te_valid_name "$name" || { _te_err "bad name '$name' (1-20 of A-Za-z0-9_.-)"; return 1; }
		if _te_exists "$name"; then
			_te_err "environment '$name' already exists"
			return 1
		fi
	fi
	# A fresh bash, not a subshell: errexit is ignored inside anything run from an
	# `if`/`||` context (subshells included), and _te_create relies on it.
	local rc=0
	TE_STATE_DIR=$TE_STATE_DIR bash -c 'source "$1"; shift; _te_create "$@"' _ \
		"$_TE_LIB" "$name" "$queues" "$pairs" "$peer_napi" "$arp" || rc=$?
	if ((rc != 0)); then
		_te_err "setup of '$name' failed; removing what was created"
		testenv_teardown --name "$name" >/dev/null 2>&1
		return 1
	fi
	_te_load "$name"
}

# Tolerant of partial setup: every step may find nothing to remove.
testenv_teardown() {
	local name="" all=0 n f rc=0
	while (($#)); do
		case $1 in
		--name) name=${2:-}; shift 2 || { _te_err "--name needs a value"; return 1; } ;;
		--all) all=1; shift ;;
		*) _te_err "teardown: unknown option '$1'"; return 1 ;;
		esac
	done
	if ((all)); then
		for f in "$TE_STATE_DIR"/*.env; do
			[[ -e $f ]] || continue
			testenv_teardown --name "$(basename "$f" .env)" || rc=1
		done
		return $rc
	fi
	_te_resolve "$name" || return 1
	n=$_te_name
	local ino_gen="" ino_dut="" ns ino
	f=$(_te_state_file "$n")
	if [[ -r $f ]]; then
		ino_gen=$(sed -n 's/^TE_INO_GEN=//p' "$f")
		ino_dut=$(sed -n 's/^TE_INO_DUT=//p' "$f")
	fi
	for ns in "$n-gen" "$n-dut"; do
		[[ -e /run/netns/$ns ]] || continue
		ip netns delete "$ns" || { _te_err "could not delete namespace $ns"; rc=1; }
	done
	for ino in $ino_gen $ino_dut; do
		[[ $ino =~ ^[0-9]+$ && -d $TE_PIN_ROOT/ns$ino ]] && rm -rf "${TE_PIN_ROOT:?}/ns$ino"
	done
	rm -f "$f" "$f.tmp"
	if [[ ${TE_NAME:-} == "$n" ]]; then
		unset TE_NAME
	fi
	return $rc
}

testenv_exec() {
	local name="" which=dut ns
	while (($#)); do
		case $1 in
		--name) name=${2:-}; shift 2 || { _te_err "--name needs a value"; return 1; } ;;
		--ns) which=${2:-}; shift 2 || { _te_err "--ns needs a value"; return 1; } ;;
		--) shift; break ;;
		*) _te_err "exec: unknown option '$1' (put the command after --)"; return 1 ;;
		esac
	done
	(($#)) || { _te_err "exec: no command given (exec [--ns gen|dut] -- CMD...)"; return 1; }
	[[ $which == gen || $which == dut ]] || { _te_err "--ns: '$which' is not gen or dut"; return 1; }
	_te_resolve "$name" || return 1
	ns="$_te_name-$which"
	[[ -e /run/netns/$ns ]] || { _te_err "namespace $ns does not exist"; return 1; }
	_te_in "$ns" "$@"
}

testenv_status() {
	local name="" f ns
	while (($#)); do
		case $1 in
		--name) name=${2:-}; shift 2 || { _te_err "--name needs a value"; return 1; } ;;
		*) _te_err "status: unknown option '$1'"; return 1 ;;
		esac
	done
	if [[ -z $name && -z ${TE_NAME:-} ]]; then
		local -a files=("$TE_STATE_DIR"/*.env)
		if [[ ! -e ${files[0]} ]]; then
			echo "no environments"
			return 0
		fi
		if ((${#files[@]} > 1)); then
			for f in "${files[@]}"; do basename "$f" .env; done
			return 0
		fi
	fi
	_te_resolve "$name" || return 1
	f=$(_te_state_file "$_te_name")
	echo "environment $_te_name ($f)"
	[[ -r $f ]] && sed 's/^/  /' "$f"
	for ns in "$_te_name-gen" "$_te_name-dut"; do
		if [[ -e /run/netns/$ns ]]; then
			echo "namespace $ns:"
			ip -n "$ns" -br addr | sed 's/^/  /'
			{ ip -n "$ns" -d link show | grep -o "prog/xdp[a-z]* id [0-9]*" || true; } | sed "s/^/  xdp: /"
		else
			echo "namespace $ns: MISSING"
		fi
	done
}

# ---- library helpers for tests ----

te_gen() { _te_in "$TE_NS_GEN" "$@"; }
te_dut() { _te_in "$TE_NS_DUT" "$@"; }

_TE_OWNED=()

# Tear down every environment this shell created with te_setup. With a signal name as
# argument (as te_setup installs it) it then exits with that signal's status, so INT/TERM
# still end the shell; installed bare (trap te_cleanup_trap EXIT INT TERM) it only cleans.
te_cleanup_trap() {
	local rc=$? sig=${1:-} n
	for n in "${_TE_OWNED[@]}"; do
		testenv_teardown --name "$n" || true
	done
	_TE_OWNED=()
	case $sig in
	INT) trap - INT; exit 130 ;;
	TERM) trap - TERM; exit 143 ;;
	esac
	return $rc
}

te_setup() {
	testenv_setup "$@" || return 1
	_TE_OWNED+=("$TE_NAME")
	trap 'te_cleanup_trap' EXIT
	trap 'te_cleanup_trap INT' INT
	trap 'te_cleanup_trap TERM' TERM
}

# ---- command-line entry ----

_te_main() {
	set -euo pipefail
	local cmd=${1:-}
	(($#)) && shift
	case $cmd in
	setup)
		testenv_setup "$@"
		local v
		for v in TE_NAME TE_NS_GEN TE_NS_DUT TE_QUEUES TE_PAIRS TE_GEN_IF TE_DUT_IF \
			TE_GEN_MAC TE_DUT_MAC TE_GEN_IP4 TE_DUT_IP4 TE_GEN_IP6 TE_DUT_IP6 \
			"${TE_VARS_PAIR2[@]}"; do
			[[ -n ${!v:-} ]] && printf 'export %s=%q\n' "$v" "${!v}"
		done
		echo "testenv: created '$TE_NAME' (eval these lines, or pass --name $TE_NAME)" >&2
		;;
	teardown) testenv_teardown "$@" ;;
	exec) testenv_exec "$@" ;;
	status) testenv_status "$@" ;;
	*)
		sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" | sed -n '1,12p' >&2
		return 1
		;;
	esac
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	_te_main "$@"
fi
