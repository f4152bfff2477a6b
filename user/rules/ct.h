/* SPDX-License-Identifier: GPL-2.0 */
/* Connection state for the gate (docs/conntrack.md): whether a rule set needs it, the gate's
 * specialisation at load, the kernel support it needs, and the netfilter table that keeps the
 * namespace's conntrack running while a gate with `ct` is attached. */
#ifndef XG_RULES_CT_H
#define XG_RULES_CT_H

#include <stdbool.h>
#include <stdint.h>

#include "user/rules/rules.h"

struct xdpgate_bpf;

/* Set the gate's xg_ct_mode for rs before load: off for a set without `ct` (no ct code runs),
 * else the kernel's conntrack (XG_TEST_CT_INJECT=1 in the environment: the tests' injected
 * answers). With `ct`, the kernel must have the conntrack kfuncs; whoever attaches the gate
 * turns tracking on (xg_ct_tracking_on). 0, or -EOPNOTSUPP after one line saying what is
 * missing. */
int xg_ct_specialise(struct xdpgate_bpf *skel, const struct xg_ruleset *rs);
/* XG_FEAT_CT_INJECT when the tests ask for injected `ct` answers (XG_TEST_CT_INJECT=1), else 0. */
__u32 xg_ct_injected(void);
/* Whether the kernel has bpf_xdp_ct_lookup (in vmlinux or nf_conntrack's module BTF). */
bool xg_ct_kfuncs_present(void);
/* The nftables table (inet xdpgate_ct_IFINDEX) whose `ct state` rule makes the kernel track
 * the namespace's connections. on: create it (replacing one left behind); off: delete it if
 * present. 0, or -1 after one line naming what failed. */
int xg_ct_tracking_on(int ifindex);
int xg_ct_tracking_off(int ifindex);
/* The table is in place (nft lists it). */
bool xg_ct_tracking_present(int ifindex);
/* The table's name for ifindex. */
void xg_ct_table_name(int ifindex, char *buf, size_t len);

/* The namespace's conntrack table as the kernel counts it: its size and limit (count and max,
 * -1 where unreadable), and from /proc/net/stat/nf_conntrack, summed over CPUs, what it
 * evicted or refused: early_drop (a non-assured entry dropped to make room when the table is
 * full), drop (a new connection refused: the table full and nothing to evict),
 * insert_failed, invalid (frames conntrack could not track). */
struct xg_ct_kstats {
	long count, max;
	uint64_t early_drop, drop, insert_failed, invalid;
};
/* 0, or -1 after one line (nf_conntrack not loaded in this namespace). */
int xg_ct_kstats_read(struct xg_ct_kstats *k);

/* The largest net.netfilter.nf_conntrack_max the kernel takes (an int; 0, unbounded, is
 * refused: the table must stay bounded). */
#define XG_CT_MAX_LIMIT 2147483647UL
/* Set net.netfilter.nf_conntrack_max to max (who: the command, for the message). The limit
 * is host-wide: one value for every network namespace (each counts its own entries against
 * it), writable only from the initial namespace. Already max: nothing to do. 0, or -1 after
 * one line. */
int xg_ct_set_max(const char *who, unsigned long max);

#endif
