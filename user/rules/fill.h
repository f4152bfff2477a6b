/* SPDX-License-Identifier: GPL-2.0 */
/* Writing a compiled rule set into one slot of a gate's tables (not its config). */
#ifndef XG_RULES_FILL_H
#define XG_RULES_FILL_H

#include "user/gate/maps.h"
#include "user/rules/compile.h"
#include "user/rules/texts.h"

/* Write c/rs (texts from tx) into slot, whose sets xg_sets_place has placed (sc). The slot
 * must be idle: no frame reads it. 0 or -errno; on failure the slot is half written (its
 * config still names what it held, and the gate does not read it). */
int xg_slot_fill(const struct xg_gate_maps *m, const struct xg_ruleset *rs,
		 const struct xg_compiled *c, const struct xg_reload_texts *tx,
		 const struct xg_slot_cfg *sc, __u8 slot);

#endif
