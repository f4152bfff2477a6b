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

#include "testenv/gen_cases.h"
#include "user/gen/xsk_slots.h"

#define FRAMES 300
#define CPU 3
#define NSLOTS GEN_NSLOTS
#define SLOT GEN_SLOT

static void run_case(const struct gen_case *c, uint32_t flows)
{
	static uint8_t frame[XG_GEN_MAX_SIZE], want[XG_GEN_MAX_SIZE];
	static struct gen_slot_rig r;
	struct xg_gen_params p;
	uint64_t seq;

	gen_case_build(c, frame, &p);
	p.flows = flows;
	gen_slots_open(&r, &p, CPU);
	for (seq = 0; seq < FRAMES; seq++) {
		memcpy(want, frame, p.frame_len);
		xg_gen_rewrite(&p, CPU, want, seq);
		gen_assert_same_frame(gen_slots_next(&r, seq), want, p.frame_len, &p.layout, seq);
	}
	gen_slots_close(&r);
}

static void test_slots_match_the_reference(void **state)
{
	(void)state;
	gen_for_each_case(run_case);
}

/* One flow and no marker: the prepared frame is the template and sending writes nothing. */
static void test_no_marker_one_flow_is_the_template(void **state)
{
	static uint8_t frame[XG_GEN_MAX_SIZE], area[NSLOTS * SLOT], before[NSLOTS * SLOT];
	const struct gen_case c = { XG_GEN_UDP, 4, 60 };
	struct xg_gen_slots s;
	struct xg_gen_params p;
	uint64_t seq;

	(void)state;
	gen_case_build(&c, frame, &p);
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
