/* SPDX-License-Identifier: GPL-2.0 */
/* The generator's template cases, shared by the tests that hold the xsk engine's prepared
 * frames to the reference rewrite (xsk_slots_test) and to the live engine's program
 * (gen_prog_test). */
#ifndef XG_TEST_GEN_CASES_H
#define XG_TEST_GEN_CASES_H

#include <stddef.h>
#include <stdint.h>

#include "user/gen/engine.h"
#include "user/gen/template.h"
#include "user/gen/xsk_slots.h"

struct gen_case {
	enum xg_gen_proto proto;
	int family;
	unsigned int size;
};

extern const struct gen_case gen_cases[];
extern const size_t gen_ncases;

/* Build c's template into frame (XG_GEN_MAX_SIZE bytes) and p's frame and layout. */
void gen_case_build(const struct gen_case *c, uint8_t *frame, struct xg_gen_params *p);
/* Fails the test unless got equals want, a checksum's two zeros (0x0000, 0xffff) alike. */
void gen_assert_same_frame(const uint8_t *got, const uint8_t *want, size_t len,
			   const struct xg_gen_layout *l, uint64_t seq);

/* The xsk engine's side: its prepared frames in a few slots, each frame written into a slot
 * picked in a scrambled order (as the free list hands them out: a slot changes flow often). */
#define GEN_NSLOTS 5
#define GEN_SLOT 2048
struct gen_slot_rig {
	struct xg_gen_slots s;
	uint8_t area[GEN_NSLOTS * GEN_SLOT];
	uint32_t flows;
	uint64_t x;
};
void gen_slots_open(struct gen_slot_rig *r, const struct xg_gen_params *p, int cpu);
/* Frame seq as the engine writes it; returns where. */
uint8_t *gen_slots_next(struct gen_slot_rig *r, uint64_t seq);
void gen_slots_close(struct gen_slot_rig *r);

/* run(case, flows) for every case over 1, 3 and 7 flows. */
void gen_for_each_case(void (*run)(const struct gen_case *c, uint32_t flows));

#endif
