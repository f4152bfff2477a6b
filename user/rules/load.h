/* SPDX-License-Identifier: GPL-2.0 */
/* Installing a compiled rule set into a gate's maps, atomically (see the two slots in
 * common/xdpgate_rules.h), and reading the live set and its counters back. */
#ifndef XG_RULES_LOAD_H
#define XG_RULES_LOAD_H

#include <stdbool.h>

#include "user/gate/counters.h"
#include "user/gate/maps.h"
#include "user/gate/prep.h"
#include "user/rules/rules.h"
#include "user/rules/compile.h"

/* Compile rs, then prepare a gate (user/gate/prep.h) whose maps hold it, so the first
 * frame the program sees is classified by rs; with load set, load the program too. 0 or
 * -errno, with the message printed; nothing is left to release on failure. */
int xg_rules_gate_prepare(struct xg_gate_prep *gp, const struct xg_ruleset *rs, bool load);

/* Install c/rs into the inactive slot and flip to it; on a fresh gate (initial) write
 * slot 0 and make it active. Per-rule counters follow rules by their text. 0 or -errno
 * (message printed). */
int xg_rules_install(const struct xg_gate_maps *m, const struct xg_ruleset *rs,
		     const struct xg_compiled *c, bool initial);
/* Undo the last install: flip back to the inactive slot, which must still hold the set of
 * generation prev_gen, with its counters as they were, plus what its rules' twins (same
 * text) counted in the set being undone; clears the pending record. 0 or -errno (message
 * printed; -ESTALE: the slot holds another set). */
int xg_rules_revert(const struct xg_gate_maps *m, __u32 prev_gen);
/* Forget a pending --confirm load (its timer then exits). 0 or -errno. */
int xg_pending_clear(const struct xg_gate_maps *m);
/* The live rule set (parsed back from the stored canonical texts). 0 or -errno (message
 * printed). */
int xg_rules_read(const struct xg_gate_maps *m, struct xg_ruleset *rs);
/* Packets and bytes of live rule i (carried base plus per-CPU counters). */
int xg_rule_counter(const struct xg_gate_maps *m, unsigned int i, struct xg_counter_val *out);
/* The live set and each rule's counters (*c: rs->n of them, the caller frees), as `stats`,
 * `top` and the metrics read them. 0 or -errno; on error *c is NULL. */
int xg_rules_read_counters(const struct xg_gate_maps *m, struct xg_ruleset *rs,
			   struct xg_counter_val **c);
/* Zero the gate's counters and the live set's rule counters. */
int xg_counters_reset(const struct xg_gate_maps *m);

#endif
