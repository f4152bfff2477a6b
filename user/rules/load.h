/* SPDX-License-Identifier: GPL-2.0 */
/* Installing a compiled rule set into a gate's maps, atomically (see the two slots in
 * common/xdpgate_rules.h), and reading the live set and its counters back. */
#ifndef XG_RULES_LOAD_H
#define XG_RULES_LOAD_H

#include <stdbool.h>

#include "user/gate/counters.h"
#include "user/gate/gate.h"
#include "user/rules/rules.h"
#include "user/rules/compile.h"

struct xdpgate_bpf;

/* The maps a rule set lives in. All fds, -1 when closed. */
struct xg_gate_maps {
	int config, ec, src, dst, src4, dst4, bits, w64, actions, rule_stats, rule_text, rule_base,
		stats;
};

/* Every fd closed (-1): the state close() and the error paths expect. */
void xg_gate_maps_init(struct xg_gate_maps *m);
/* Open the pinned maps of an attached gate (message on failure, naming cmd). */
int xg_gate_maps_open(const struct xg_gate *g, const char *cmd, struct xg_gate_maps *m);
/* Create maps like the skeleton's (before it is loaded) and make the skeleton use them,
 * so a rule set can be in place before the program first runs. */
int xg_gate_maps_create(struct xdpgate_bpf *skel, struct xg_gate_maps *m);
void xg_gate_maps_close(struct xg_gate_maps *m);

/* Install c/rs into the inactive slot and flip to it; on a fresh gate (initial) write
 * slot 0 and make it active. Per-rule counters follow rules by their text. 0 or -1. */
int xg_rules_install(const struct xg_gate_maps *m, const struct xg_ruleset *rs,
		     const struct xg_compiled *c, bool initial);
/* The live rule set (parsed back from the stored canonical texts). 0 or -1. */
int xg_rules_read(const struct xg_gate_maps *m, struct xg_ruleset *rs);
/* Packets and bytes of live rule i (carried base plus per-CPU counters). */
int xg_rule_counter(const struct xg_gate_maps *m, unsigned int i, struct xg_counter_val *out);
/* Zero the gate's counters and the live set's rule counters. */
int xg_counters_reset(const struct xg_gate_maps *m);

#endif
