/* SPDX-License-Identifier: GPL-2.0 */
/* Map values shared by the gate program and userspace. Explicit padding, sizes asserted,
 * so both sides agree byte for byte. */
#ifndef XG_STRUCTS_H
#define XG_STRUCTS_H

#include <linux/types.h>

/* One slot of the per-CPU stats array (index: enum xg_counter). */
struct xg_counter_val {
	__u64 packets;
	__u64 bytes;
};
_Static_assert(sizeof(struct xg_counter_val) == 16, "xg_counter_val layout");

/* The single entry of the config array map. Read by the gate on every frame. */
struct xg_config {
	__u32 default_verdict; /* enum xg_verdict: XG_VERDICT_PASS or XG_VERDICT_DROP */
	__u32 _pad;
};
_Static_assert(sizeof(struct xg_config) == 8, "xg_config layout");

#endif
