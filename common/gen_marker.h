/* SPDX-License-Identifier: GPL-2.0 */
/* The generator's payload marker, shared by the generator program and every receiver that
 * verifies delivery. It sits right after the L4 header (after the 8-byte echo header for
 * ICMP) when the frame has room for it. All fields in network byte order. */
#ifndef XG_GEN_MARKER_H
#define XG_GEN_MARKER_H

#include <linux/types.h>

#define XG_GEN_MAGIC 0x5847 /* "XG" */

struct xg_gen_marker {
	__be16 magic;
	__be16 thread; /* the CPU the frame was generated on */
	__be32 flow;   /* 0 .. flows-1; also selects source port and address */
	__be64 seq;    /* per thread, from 0, one per frame */
};
_Static_assert(sizeof(struct xg_gen_marker) == 16, "xg_gen_marker layout");

/* Most flows the generator varies: source port (and address) = base + flow. */
#define XG_GEN_MAX_FLOWS 65536

#endif
