/* SPDX-License-Identifier: GPL-2.0 */
/* The flat IPv4 table of a prefix set (layout in common/xdpgate_rules.h, XG_SET4_*). */
#ifndef XG_RULES_SET4_H
#define XG_RULES_SET4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "user/rules/rules.h"

struct xg_set4 {
	uint32_t *w;
	size_t n, cap; /* words in use (a multiple of XG_SET4_GROUP), allocated */
};

/* The table of s's IPv4 prefixes (any order; shortest first wastes nothing), into t,
 * which xg_set4_free releases. 0 or -ENOMEM. */
int xg_set4_build(const struct xg_set *s, struct xg_set4 *t);
/* Paint the IPv4 ones of n prefixes into t as well (painting only ever adds addresses).
 * 0 or -ENOMEM (t is then freed). */
int xg_set4_paint(struct xg_set4 *t, const struct xg_prefix *p, size_t n);
/* Is host-order address a in the table (the gate's walk, XG_SET4_HAS)? */
bool xg_set4_has(const struct xg_set4 *t, uint32_t a);
void xg_set4_free(struct xg_set4 *t);

#endif
