/* SPDX-License-Identifier: GPL-2.0 */
/* Printing the live rule set with its per-rule counters (rules list, stats). */
#ifndef XG_RULES_PRINT_H
#define XG_RULES_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "user/rules/load.h"

/* Human: one line per rule "N  packets  bytes  text", then the default.
 * JSON: "rules":[{"n":1,"text":"...","packets":P,"bytes":B},...],"default":"pass"
 * (no surrounding braces, so callers can embed it). 0 or -1. */
int xg_rules_print(const struct xg_gate_maps *m, bool json, FILE *f);

#endif
