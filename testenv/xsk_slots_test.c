// SPDX-License-Identifier: GPL-2.0
/* Unit layer: the xsk engine's prepared frames (user/gen/xsk_slots.h) against the reference
 * rewrite (xg_gen_rewrite, the C twin of xdp/gen.bpf.c) of the template. For every protocol
 * and family, with and without markers, over 1, 3 and 7 flows, frames 0..N are written into
 * slots picked in a scrambled order (as the free list hands them out, so a slot changes
 * flow often): each must equal the reference frame seq byte for byte, except that a
 * checksum may be 0x0000 where the reference has 0xffff or back (the same ones' complement
 * zero). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "user/gen/template.h"
#include "user/gen/xsk_slots.h"

#define NSLOTS 5
#define SLOT 2048
#define FRAMES 300
#define CPU 3

struct tcase {
	enum xg_gen_proto proto;
	int family;
	unsigned int size;
};

static const struct tcase cases[] = {
	{ XG_GEN_UDP, 4, 64 },	{ XG_GEN_ICMP, 4, 64 },	 { XG_GEN_TCP, 4, 128 },
	{ XG_GEN_UDP, 6, 128 }, { XG_GEN_ICMP, 6, 128 }, { XG_GEN_TCP, 6, 128 },
	{ XG_GEN_UDP, 4, 60 }, /* no room for the marker */
	{ XG_GEN_TCP, 6, 90 }, /* nor here */
};

static bool is_csum(const struct xg_gen_layout *l, size_t i)
{
	size_t o = i & ~(size_t)1;

	return (l->ip_csum_off && o == l->ip_csum_off) || (l->l4_csum_off && o == l->l4_csum_off);
}

/* Equal, with a checksum's two zeros alike. */
static void assert_same_frame(const uint8_t *got, const uint8_t *want, size_t len,
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

static void build(const struct tcase *c, uint8_t *frame, struct xg_gen_params *p)
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

static void run_case(const struct tcase *c, uint32_t flows)
{
	static uint8_t frame[XG_GEN_MAX_SIZE], want[XG_GEN_MAX_SIZE], area[NSLOTS * SLOT];
	struct xg_gen_slots s;
	struct xg_gen_params p;
	uint64_t seq, x = 0x9e3779b97f4a7c15ULL;
	uint32_t slot;

	build(c, frame, &p);
	p.flows = flows;
	assert_int_equal(0, xg_gen_slots_init(&s, &p, CPU, area, NSLOTS, SLOT));
	for (seq = 0; seq < FRAMES; seq++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift: any scrambled order */
		slot = (uint32_t)(x % NSLOTS);
		xg_gen_slot_write(&s, area + (size_t)slot * SLOT, slot, seq,
				  flows > 1 ? (uint32_t)(seq % flows) : 0);
		memcpy(want, frame, p.frame_len);
		xg_gen_rewrite(&p, CPU, want, seq);
		assert_same_frame(area + (size_t)slot * SLOT, want, p.frame_len, &p.layout, seq);
	}
	xg_gen_slots_free(&s);
}

static void test_slots_match_the_reference(void **state)
{
	static const uint32_t flows[] = { 1, 3, 7 };
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (j = 0; j < sizeof(flows) / sizeof(flows[0]); j++)
			run_case(&cases[i], flows[j]);
}

/* One flow and no marker: the prepared frame is the template and sending writes nothing. */
static void test_no_marker_one_flow_is_the_template(void **state)
{
	static uint8_t frame[XG_GEN_MAX_SIZE], area[NSLOTS * SLOT], before[NSLOTS * SLOT];
	const struct tcase c = { XG_GEN_UDP, 4, 60 };
	struct xg_gen_slots s;
	struct xg_gen_params p;
	uint64_t seq;

	(void)state;
	build(&c, frame, &p);
	p.flows = 1;
	assert_int_equal(0, p.layout.marker_off);
	assert_int_equal(0, xg_gen_slots_init(&s, &p, CPU, area, NSLOTS, SLOT));
	assert_memory_equal(area, frame, p.frame_len);
	memcpy(before, area, sizeof(area));
	for (seq = 0; seq < 50; seq++)
		xg_gen_slot_write(&s, area + (seq % NSLOTS) * SLOT, (uint32_t)(seq % NSLOTS), seq,
				  0);
	assert_memory_equal(area, before, sizeof(area));
	xg_gen_slots_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots_match_the_reference),
		cmocka_unit_test(test_no_marker_one_flow_is_the_template),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
