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
	__u32 active;	/* 0 or 1: the slot frames are classified with */
	__u32 features; /* XG_FEAT_*: what the loaded program can do (userspace reads it) */
	struct xg_slot_cfg slot[2];
};
_Static_assert(sizeof(struct xg_config) == 104, "xg_config layout");
/* The program has the connection-state code (loaded for a set with `ct`): a reload may
 * bring `ct` rules only then. */
#define XG_FEAT_CT 0x1
#define XG_FEAT_CT_INJECT 0x2 /* tests: its `ct` answers are injected (XG_CT_MODE_INJECT) */

/* Userspace only (the gate never reads it): a `rules load --confirm` waiting for
 * `rules confirm` (README "Safe apply"). token 0: nothing pending. The pending set is the
 * active slot's (generation gen); a revert flips back to the other slot, which still holds
 * the set of generation prev_gen. */
struct xg_pending {
	__u64 token;	   /* random, names this pending load to its timer */
	__u64 deadline_ns; /* CLOCK_BOOTTIME */
	__u32 gen;
	__u32 prev_gen;
	__u32 timer_pid; /* the detached process that reverts at the deadline */
	__u32 secs;	 /* as given to --confirm */
};
_Static_assert(sizeof(struct xg_pending) == 32, "xg_pending layout");

/* The single entry of the xsk steering map, written by `xdpgate run`: with per_queue N > 1
 * the xsk action sends a frame to xg_xsks[queue * N + slot], the slot picked by the flow
 * hash (common/flow_hash.h), symmetric when asked. 0 or 1: xg_xsks[queue]. */
#define XG_XSKS_MAX 256 /* entries of the gate's xg_xsks: queue * per_queue + slot */

struct xg_xsk_steer {
	__u32 per_queue;
	__u32 symmetric;
};
_Static_assert(sizeof(struct xg_xsk_steer) == 8, "xg_xsk_steer layout");

#endif
