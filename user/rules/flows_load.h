/* SPDX-License-Identifier: GPL-2.0 */
/* The `flows` statement into the gate: the table's size before the program loads, the
 * rate of a slot when a rule set is written into it. */
#ifndef XG_RULES_FLOWS_LOAD_H
#define XG_RULES_FLOWS_LOAD_H

#include <linux/types.h>

struct xdpgate_bpf;
struct xg_gate_maps;
struct xg_ruleset;

/* Size the (not yet created) flow table of skel as rs asks. 0, or -E2BIG when the table
 * would not fit in memory (message printed): nothing is created or attached. */
int xg_flows_size_table(struct xdpgate_bpf *skel, const struct xg_ruleset *rs);
/* 0, or -E2BIG (message printed) when rs asks for a larger table than the gate's, which
 * is sized once, when attached. */
int xg_flows_check_size(const struct xg_gate_maps *m, const struct xg_ruleset *rs);
/* Write rs's rate into slot's flow settings. 0 or -errno. */
int xg_flows_write_slot(const struct xg_gate_maps *m, const struct xg_ruleset *rs, __u32 slot);
/* The rate of slot (0: no accounting), 0 or -errno. */
int xg_flows_read_slot(const struct xg_gate_maps *m, __u32 slot, __u32 *rate);

#endif
