/* SPDX-License-Identifier: GPL-2.0 */
/* The xsk engine's UMEM frames, prepared per flow so that sending writes little.
 *
 * At start every flow's varying fields (source address and port, IPv4 checksum, marker
 * flow, and the L4 checksum with the marker's seq at 0) are worked out once by the
 * reference rewrite (xg_gen_rewrite, the C twin of xdp/gen.bpf.c) and kept in a table. A
 * slot (one UMEM frame) remembers the flow it carries: sending frame seq from a slot then
 * writes the flow's fields only when the slot carried another flow, and, when frames carry
 * markers, the 8-byte seq and the L4 checksum computed from the flow's (seq 0) one. Nothing
 * is read from the frame, and with one flow and no marker nothing is written at all.
 * xsk_slots_test holds the result to the reference rewrite of the template. */
#ifndef XG_GEN_XSK_SLOTS_H
#define XG_GEN_XSK_SLOTS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <linux/types.h>

#include "common/endian.h"
#include "user/gen/engine.h"

/* A flow's fields as they sit in the frame (network order, raw bytes). */
struct xg_gen_flow_fields {
	uint32_t saddr, flow;
	uint16_t sport, ip_csum, l4_csum, pad;
};

struct xg_gen_slots {
	struct xg_gen_layout l;		 /* offsets; 0 = the frame has no such field */
	struct xg_gen_flow_fields *flow; /* per flow */
	uint32_t *slot_flow;		 /* per slot: the flow its frame carries */
	uint32_t flows, nslots;
	bool l4_fixed; /* no L4 checksum to write: none, or UDP/IPv4's 0 = none */
};

/* The flow frame seq carries: frames take the flows in turn. */
static inline uint32_t xg_gen_flow_of(uint64_t seq, uint32_t flows)
{
	return flows > 1 ? (uint32_t)(seq % flows) : 0;
}

/* Rewrite the frame at data (a copy of p's template, or a frame made by this function) as
 * frame seq of the thread on CPU cpu, patching checksums incrementally from what the frame
 * holds: the reference the slots are held to. */
void xg_gen_rewrite(const struct xg_gen_params *p, int cpu, uint8_t *data, uint64_t seq);

/* Build the flow table for the thread on CPU cpu and fill nslots frames of frame_size
 * bytes at area with flow 0's frame 0. 0 or -ENOMEM. */
int xg_gen_slots_init(struct xg_gen_slots *s, const struct xg_gen_params *p, int cpu, uint8_t *area,
		      uint32_t nslots, uint32_t frame_size);
void xg_gen_slots_free(struct xg_gen_slots *s);

static inline void xg_gen_put16(uint8_t *data, uint16_t off, uint16_t v)
{
	if (off)
		memcpy(data + off, &v, 2);
}

/* Make the frame of slot (at data) frame seq of flow. Inline: it runs once a frame. */
static inline void xg_gen_slot_write(struct xg_gen_slots *s, uint8_t *data, uint32_t slot,
				     uint64_t seq, uint32_t flow)
{
	const struct xg_gen_flow_fields *f = &s->flow[flow];
	const struct xg_gen_layout *l = &s->l;
	uint16_t w[4], c;
	uint32_t sum;
	uint64_t be;
	int i;

	if (s->slot_flow[slot] != flow) {
		if (l->saddr_off)
			memcpy(data + l->saddr_off, &f->saddr, 4);
		xg_gen_put16(data, l->sport_off, f->sport);
		xg_gen_put16(data, l->ip_csum_off, f->ip_csum);
		if (l->marker_off)
			memcpy(data + l->marker_off + 4, &f->flow, 4);
		else if (!s->l4_fixed)
			xg_gen_put16(data, l->l4_csum_off, f->l4_csum);
		s->slot_flow[slot] = flow;
	}
	if (!l->marker_off)
		return;
	be = xg_htonll(seq);
	memcpy(data + l->marker_off + 8, &be, 8);
	if (s->l4_fixed)
		return;
	/* RFC 1624 with the seq words 0 in the flow's checksum: ~(~HC + m') */
	memcpy(w, &be, 8);
	sum = (uint16_t)~f->l4_csum;
	for (i = 0; i < 4; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)~sum;
	if (!c && l->udp_csum) /* UDP's 0 would mean "no checksum" (RFC 768) */
		c = 0xffff;
	memcpy(data + l->l4_csum_off, &c, 2);
}

#endif
