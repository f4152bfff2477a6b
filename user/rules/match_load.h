/* SPDX-License-Identifier: GPL-2.0 */
/* Putting a rule set's `match` program in the gate (user/rules/cbpf.h): loaded before any
 * map is touched, so a program the verifier refuses leaves the live set as it was. */
#ifndef XG_RULES_MATCH_LOAD_H
#define XG_RULES_MATCH_LOAD_H

#include <stdbool.h>

#include "user/gate/maps.h"
#include "user/rules/match.h"

/* Translate and load ms's program for slot of the gate of m: it tail-calls that slot's gate
 * program back (xg_gate_progs[slot]). Its fd, or -1 with one line printed naming the limit
 * the verifier or the translator hit. */
int xg_match_prog_load(const struct xg_gate_maps *m, const struct xg_match_set *ms, __u32 slot);

#endif
