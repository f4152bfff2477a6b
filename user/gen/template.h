/* SPDX-License-Identifier: GPL-2.0 */
/* Building the generator's template frame and the map of its varying fields. */
#ifndef XG_GEN_TEMPLATE_H
#define XG_GEN_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "user/gen/engine.h"

#define XG_GEN_FCS 4	     /* --size counts the FCS, as RFC 2544 and xdpsock do */
#define XG_GEN_MAX_SIZE 9018 /* a full 9000-byte MTU frame with FCS (xsk engine) */
/* The live engine's largest: BPF_PROG_RUN runs live frames in one page, after the
 * headroom (256) and before skb_shared_info (320), with FCS */
#define XG_GEN_LIVE_MAX_SIZE (4096 - 256 - 320 + XG_GEN_FCS)

enum xg_gen_proto { XG_GEN_UDP, XG_GEN_TCP, XG_GEN_ICMP };

struct xg_gen_frame_req {
	enum xg_gen_proto proto;
	int family;	   /* 4 or 6 */
	unsigned int size; /* with FCS */
	uint8_t src_mac[6], dst_mac[6];
	uint8_t src[16], dst[16]; /* network order; IPv4 in the first 4 bytes */
	uint16_t sport, dport;
};

/* Smallest --size (with FCS) that holds the headers of this protocol and family. */
unsigned int xg_gen_min_size(enum xg_gen_proto proto, int family);
/* Smallest --size whose frames carry the sequence marker. */
unsigned int xg_gen_marker_size(enum xg_gen_proto proto, int family);
/* Build the template into buf (at least XG_GEN_MAX_SIZE bytes) and describe where the
 * per-frame fields are. Returns the frame length without FCS, or 0 when size is out of
 * range (the caller has checked it). */
size_t xg_gen_build(const struct xg_gen_frame_req *r, uint8_t *buf, struct xg_gen_layout *lo);

#endif
