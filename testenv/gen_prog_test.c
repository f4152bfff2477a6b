// SPDX-License-Identifier: GPL-2.0
/* Prog layer: the two generator engines make the same frames. The live engine's program
 * (xdp/gen.bpf.c, loaded from its skeleton with the rodata the engine gives it) is run with
 * BPF_PROG_RUN on each template, once per frame, pinned to one CPU (its seq is per CPU);
 * every output frame must equal the xsk engine's prepared frame of the same seq, written
 * into slots picked in a scrambled order, byte for byte (a checksum's two zeros alike).
 * Every protocol and family, with and without markers, over 1, 3 and 7 flows.
 *
 * Needs root (CAP_BPF): a program that does not load fails the test, and says why. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "gen.skel.h"
#include "testenv/gen_cases.h"
#include "user/gen/xsk_slots.h"

#define FRAMES 100
#define CPU 0

static void run_case(const struct gen_case *c, uint32_t flows)
{
	static uint8_t frame[XG_GEN_MAX_SIZE], out[XG_GEN_MAX_SIZE];
	static struct gen_slot_rig r;
	struct xg_gen_params p;
	struct gen_bpf *skel;
	uint64_t seq;
	int err;

	gen_case_build(c, frame, &p);
	p.engine = XG_GEN_LIVE;
	p.flows = flows;
	p.threads = 1;
	skel = gen_bpf__open();
	if (!skel)
		fail_msg("gen_bpf__open: %s (euid %d)", strerror(errno), (int)geteuid());
	xg_gen_live_config(skel, &p);
	err = gen_bpf__load(skel);
	if (err) {
		gen_bpf__destroy(skel);
		fail_msg("gen_bpf__load: %s (euid %d%s)", strerror(-err), (int)geteuid(),
			 geteuid() ? ", needs root" : "");
	}
	gen_slots_open(&r, &p, CPU);
	for (seq = 0; seq < FRAMES; seq++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = p.frame_len,
			    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

		assert_int_equal(
			0, bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdpgate_gen), &o));
		assert_int_equal(XDP_TX, o.retval);
		assert_int_equal(p.frame_len, o.data_size_out);
		gen_assert_same_frame(gen_slots_next(&r, seq), out, p.frame_len, &p.layout, seq);
	}
	gen_slots_close(&r);
	gen_bpf__destroy(skel);
}

static void test_xsk_frames_are_the_live_engines(void **state)
{
	(void)state;
	gen_for_each_case(run_case);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xsk_frames_are_the_live_engines),
	};
	cpu_set_t set;

	/* the program's seq and the marker's thread are per CPU: stay on one */
	CPU_ZERO(&set);
	CPU_SET(CPU, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "gen_prog_test: cannot pin to CPU %d: %s\n", CPU, strerror(errno));
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
