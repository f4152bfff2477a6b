// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/gen_marker.h"
#include "user/gen/xsk_slots.h"
#include "user/util/frame_build.h"

/* The checksum at csum after n 16-bit words changed, word by word (ones' complement sums
 * associate, so this equals one update over all of them). The checksum is read with memcpy:
 * fields sit at any even offset of a frame. */
static void csum_replace(uint8_t *csum, const uint16_t *oldw, const uint16_t *neww, int n)
{
	uint16_t c;
	int i;

	memcpy(&c, csum, 2);
	for (i = 0; i < n; i++)
		c = xg_csum_replace16(c, oldw[i], neww[i]);
	memcpy(csum, &c, 2);
}

/* Overwrite n 16-bit words at off with v and patch the checksums that cover them. */
static void patch(uint8_t *data, const struct xg_gen_layout *l, uint16_t off, const void *v, int n,
		  bool in_ip_hdr, bool in_l4_csum)
{
	uint16_t old[8], c;

	memcpy(old, data + off, (size_t)n * 2);
	if (in_ip_hdr && l->ip_csum_off)
		csum_replace(data + l->ip_csum_off, old, v, n);
	if (in_l4_csum && l->l4_csum_off) {
		memcpy(&c, data + l->l4_csum_off, 2);
		/* UDP over IPv4 may carry 0 = no checksum; keep it so, else never emit 0 */
		if (!(l->udp_csum && c == 0)) {
			csum_replace(data + l->l4_csum_off, old, v, n);
			memcpy(&c, data + l->l4_csum_off, 2);
			if (l->udp_csum && c == 0)
				memset(data + l->l4_csum_off, 0xff, 2);
		}
	}
	memcpy(data + off, v, (size_t)n * 2);
}

void xg_gen_rewrite(const struct xg_gen_params *p, int cpu, uint8_t *data, uint64_t seq)
{
	const struct xg_gen_layout *l = &p->layout;
	uint32_t flow = xg_gen_flow_of(seq, p->flows);
	struct xg_gen_marker m;

	if (p->flows > 1 && l->saddr_off) {
		uint32_t a = xg_htonl(l->saddr_base + flow);

		patch(data, l, l->saddr_off, &a, 2, true, l->l4_csum_has_addr);
	}
	if (p->flows > 1 && l->sport_off) {
		uint16_t port = xg_htons((uint16_t)(l->sport_base + flow));

		patch(data, l, l->sport_off, &port, 1, false, true);
	}
	if (l->marker_off) {
		m.magic = xg_htons(XG_GEN_MAGIC);
		m.thread = xg_htons((uint16_t)cpu); /* as live frames: the CPU */
		m.flow = xg_htonl(flow);
		m.seq = xg_htonll(seq);
		patch(data, l, l->marker_off, &m, 8, false, true);
	}
}

static void get16(const uint8_t *data, uint16_t off, uint16_t *v)
{
	if (off)
		memcpy(v, data + off, 2);
}

/* Flow f's fields: the reference rewrite of the template as frame f (flow f, seq f), with
 * the seq words taken back out of the L4 checksum so that it holds seq 0. */
static void flow_fields(const struct xg_gen_params *p, int cpu, uint8_t *scratch, uint32_t f,
			struct xg_gen_flow_fields *out)
{
	const struct xg_gen_layout *l = &p->layout;
	uint16_t w[4], c = 0;
	uint64_t be;
	int i;

	memcpy(scratch, p->frame, p->frame_len);
	xg_gen_rewrite(p, cpu, scratch, f);
	memset(out, 0, sizeof(*out));
	if (l->saddr_off)
		memcpy(&out->saddr, scratch + l->saddr_off, 4);
	get16(scratch, l->sport_off, &out->sport);
	get16(scratch, l->ip_csum_off, &out->ip_csum);
	get16(scratch, l->l4_csum_off, &c);
	if (l->marker_off) {
		memcpy(&out->flow, scratch + l->marker_off + 4, 4);
		memcpy(&be, scratch + l->marker_off + 8, 8);
		memcpy(w, &be, 8);
		for (i = 0; i < 4; i++)
			c = xg_csum_replace16(c, w[i], 0);
	}
	out->l4_csum = c;
}

int xg_gen_slots_init(struct xg_gen_slots *s, const struct xg_gen_params *p, int cpu, uint8_t *area,
		      uint32_t nslots, uint32_t frame_size)
{
	uint32_t flows = p->flows > 1 ? p->flows : 1, i;
	uint8_t *scratch;
	uint16_t c = 0;

	memset(s, 0, sizeof(*s));
	s->l = p->layout;
	if (p->flows <= 1) /* the template's address and port stay */
		s->l.saddr_off = s->l.sport_off = 0;
	get16(p->frame, s->l.l4_csum_off, &c);
	s->l4_fixed = !s->l.l4_csum_off || (s->l.udp_csum && c == 0);
	s->flows = flows;
	s->nslots = nslots;
	s->flow = calloc(flows, sizeof(*s->flow));
	s->slot_flow = calloc(nslots, sizeof(*s->slot_flow));
	scratch = malloc(p->frame_len);
	if (!s->flow || !s->slot_flow || !scratch) {
		free(scratch);
		xg_gen_slots_free(s);
		return -ENOMEM;
	}
	for (i = 0; i < flows; i++)
		flow_fields(p, cpu, scratch, i, &s->flow[i]);
	/* every slot starts as frame 0 (flow 0, seq 0) */
	memcpy(scratch, p->frame, p->frame_len);
	xg_gen_rewrite(p, cpu, scratch, 0);
	for (i = 0; i < nslots; i++)
		memcpy(area + (size_t)i * frame_size, scratch, p->frame_len);
	free(scratch);
	return 0;
}

void xg_gen_slots_free(struct xg_gen_slots *s)
{
	free(s->flow);
	free(s->slot_flow);
	s->flow = NULL;
	s->slot_flow = NULL;
}
