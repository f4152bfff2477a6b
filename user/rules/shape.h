/* SPDX-License-Identifier: GPL-2.0 */
/* What a slot's set asks of its gate program (struct xg_shape, common/xdpgate_rules.h): its
 * paths, fields and features, and how deep the program parses. */
#ifndef XG_RULES_SHAPE_H
#define XG_RULES_SHAPE_H

#include <linux/types.h>

#include "common/xdpgate_rules.h"

/* The parse depth (enum xg_depth) a set with these fields and XG_SLOT_* flags reads. */
__u32 xg_shape_depth(__u32 fields, __u32 flags);
/* The shape of the program for slot, whose config is sc, on a gate loaded with features
 * (XG_FEAT_*: where its `ct` answers come from). */
struct xg_shape xg_shape_of(const struct xg_slot_cfg *sc, __u32 slot, __u32 features);

#endif
