/* SPDX-License-Identifier: GPL-2.0 */
/* Per-flow accounting (`flows exact|sample N` in a rule file): the gate's flow table and
 * its settings, shared by the gate and userspace. Explicit padding, sizes asserted.
 *
 * The table is a per-CPU LRU hash: each CPU counts its own frames without atomics, and
 * the reader sums the CPUs. A key absent from the table is inserted with BPF_NOEXIST; each
 * insert that succeeds is counted per CPU (XG_FLOW_INSERTS), so the entries the LRU threw
 * away are inserts - entries present - entries the exporter deleted (XG_FLOW_DELETED). */
#ifndef XG_FLOWS_H
#define XG_FLOWS_H

#include <linux/types.h>

/* The table's entries when the rule set given at attach has no `size` (or no `flows`). */
#define XG_FLOWS_SIZE_DEFAULT 65536
/* The most `size` may ask for: 4M flows (about 1 GiB of table on 2 CPUs). The loader also
 * refuses a table larger than half the memory available. */
#define XG_FLOWS_SIZE_MAX (1U << 22)
#define XG_FLOWS_SIZE_MIN 16
#define XG_FLOWS_RATE_MAX 1000000000U
/* the rule field of a frame no rule matched (the default verdict applied) */
#define XG_FLOW_RULE_DEFAULT 0xffff

struct xg_flow_key {
	__u8 src[16]; /* network order; IPv4 in src[0..3], the rest zero */
	__u8 dst[16];
	__u16 sport; /* host order; 0 without ports (ICMP type << 8 | code is not kept) */
	__u16 dport;
	__u16 vlan;   /* outer VID, 0 when untagged */
	__u16 rule;   /* the matching rule's index, XG_FLOW_RULE_DEFAULT for the default */
	__u8 proto;   /* IPPROTO_*, 0 when the frame is no IP */
	__u8 family;  /* 4, 6, or 0 (no IP: addresses zero) */
	__u8 verdict; /* enum xg_verdict the rule (or default) asked for */
	__u8 _pad;
};
_Static_assert(sizeof(struct xg_flow_key) == 44, "xg_flow_key layout");

/* One CPU's share of a flow. With sampling the counts are of sampled frames: the estimate
 * is count * rate. */
struct xg_flow_val {
	__u64 packets;
	__u64 bytes;
	/* bpf_ktime_get_coarse_ns: CLOCK_MONOTONIC at tick resolution (4 ms at HZ=250); the
	 * precise clock cost 22 ns more a frame in exact mode (docs/flows.md, What it costs) */
	__u64 first_ns;
	__u64 last_ns;
	__u32 rate; /* 1: exact; N: 1-in-N sampled */
	__u32 _pad;
};
_Static_assert(sizeof(struct xg_flow_val) == 40, "xg_flow_val layout");

/* Per slot (index: the slot): what the gate does with a frame when the slot has
 * XG_SLOT_FLOWS. rate 1: every frame; N: one frame in N, picked by bpf_get_prandom_u32. */
struct xg_flow_cfg {
	__u32 rate;
	__u32 _pad;
};
_Static_assert(sizeof(struct xg_flow_cfg) == 8, "xg_flow_cfg layout");

/* Per-CPU counters of the flow table (xg_flow_stats, a per-CPU array indexed by these). */
enum xg_flow_counter {
	XG_FLOW_INSERTS,     /* new keys inserted (BPF_NOEXIST succeeded) */
	XG_FLOW_INSERT_FAIL, /* an insert that failed (lost frames from the count) */
	XG_FLOW_DELETED,     /* entries the exporter deleted (written by userspace, CPU 0) */
	XG_FLOW_CNT_MAX,
};

#endif
