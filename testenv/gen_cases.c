// SPDX-License-Identifier: GPL-2.0
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "testenv/gen_cases.h"

const struct gen_case gen_cases[] = {
	{ XG_GEN_UDP, 4, 64 },	{ XG_GEN_ICMP, 4, 64 },	 { XG_GEN_TCP, 4, 128 },
	{ XG_GEN_UDP, 6, 128 }, { XG_GEN_ICMP, 6, 128 }, { XG_GEN_TCP, 6, 128 },
	{ XG_GEN_UDP, 4, 60 }, /* no room for the marker */
	{ XG_GEN_TCP, 6, 90 }, /* nor here */
};
const size_t gen_ncases = sizeof(gen_cases) / sizeof(gen_cases[0]);

static bool is_csum(const struct xg_gen_layout *l, size_t i)
{
	size_t o = i & ~(size_t)1;

	return (l->ip_csum_off && o == l->ip_csum_off) || (l->l4_csum_off && o == l->l4_csum_off);
}

/* Equal, with a checksum's two zeros alike. */
void gen_assert_same_frame(const uint8_t *got, const uint8_t *want, size_t len,
			   const struct xg_gen_layout *l, uint64_t seq)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (got[i] == want[i])
			continue;
		if (is_csum(l, i) && (got[i] ^ want[i]) == 0xff &&
		    (got[i] == 0 || got[i] == 0xff) && (got[i ^ 1] ^ want[i ^ 1]) == 0xff &&
		    got[i] == got[i ^ 1])
			continue;
		fail_msg("frame %llu: byte %zu is 0x%02x, the reference has 0x%02x",
			 (unsigned long long)seq, i, got[i], want[i]);
	}
}

void gen_case_build(const struct gen_case *c, uint8_t *frame, struct xg_gen_params *p)
{
	struct xg_gen_frame_req r = {
		.proto = c->proto,
		.family = c->family,
		.size = c->size,
		.src_mac = { 2, 0, 0, 0, 0, 1 },
		.dst_mac = { 2, 0, 0, 0, 0, 2 },
		.sport = 1234,
		.dport = 9,
	};

	if (c->family == 4) {
		memcpy(r.src, (uint8_t[]){ 198, 18, 0, 1 }, 4);
		memcpy(r.dst, (uint8_t[]){ 198, 18, 0, 2 }, 4);
	} else {
		memcpy(r.src, (uint8_t[]){ 0xfd, 0, 0, 0x18, [15] = 1 }, 16);
		memcpy(r.dst, (uint8_t[]){ 0xfd, 0, 0, 0x18, [15] = 2 }, 16);
	}
	memset(p, 0, sizeof(*p));
	p->engine = XG_GEN_XSK;
	p->frame = frame;
	p->frame_len = xg_gen_build(&r, frame, &p->layout);
	assert_true(p->frame_len > 0);
}

void gen_slots_open(struct gen_slot_rig *r, const struct xg_gen_params *p, int cpu)
{
	r->flows = p->flows;
	r->x = 0x9e3779b97f4a7c15ULL;
	assert_int_equal(0, xg_gen_slots_init(&r->s, p, cpu, r->area, GEN_NSLOTS, GEN_SLOT));
}

uint8_t *gen_slots_next(struct gen_slot_rig *r, uint64_t seq)
{
	uint32_t slot;

	r->x ^= r->x << 13, r->x ^= r->x >> 7, r->x ^= r->x << 17; /* xorshift */
	slot = (uint32_t)(r->x % GEN_NSLOTS);
	xg_gen_slot_write(&r->s, r->area + (size_t)slot * GEN_SLOT, slot, seq,
			  xg_gen_flow_of(seq, r->flows));
	return r->area + (size_t)slot * GEN_SLOT;
}

void gen_slots_close(struct gen_slot_rig *r)
{
	xg_gen_slots_free(&r->s);
}

void gen_for_each_case(void (*run)(const struct gen_case *c, uint32_t flows))
{
	static const uint32_t flows[] = { 1, 3, 7 };
	size_t i, j;

	for (i = 0; i < gen_ncases; i++)
		for (j = 0; j < sizeof(flows) / sizeof(flows[0]); j++)
			run(&gen_cases[i], flows[j]);
}
