/* SPDX-License-Identifier: GPL-2.0 */
/* Map values shared by the gate program and userspace. Explicit padding, sizes asserted,
 * so both sides agree byte for byte. */
#ifndef XG_STRUCTS_H
#define XG_STRUCTS_H

#include <linux/types.h>

#include "common/xdpgate_consts.h"
#include "common/xdpgate_rules.h"

/* One slot of the per-CPU stats array (index: enum xg_counter). */
struct xg_counter_val {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct xg_counter_val) == 16, "xg_counter_val layout");

/* The single entry of the per-CPU stats map: every frame counter of one CPU in one record,
 * so the gate makes one lookup a frame for all of them (index: enum xg_counter). */
struct xg_stats_rec {
	struct xg_counter_val c[XG_CNT_MAX];
};

/* The single entry of the config array map. Read by the gate once per frame. A reload
 * writes the inactive slot first (readers ignore it), then flips `active`: only that one
 * byte changes in the second write, so no reader sees a half-written configuration. */
struct xg_config {
	__u32 active; /* 0 or 1: the slot frames are classified with */
	__u32 _pad;
	struct xg_slot_cfg slot[2];
};
_Static_assert(sizeof(struct xg_config) == 104, "xg_config layout");

#endif
