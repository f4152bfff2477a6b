// SPDX-License-Identifier: GPL-2.0
/* Prog layer: the gate's program for a rule set is built for that set alone (struct xg_shape,
 * common/xdpgate_rules.h). For a set that uses none of the optional features (prefix sets,
 * limits, log, match, ct, flows, parse counters), the program the verifier makes from the
 * gate's object must be the one it makes from the object compiled without those features
 * (build/xdpgate_nofeat.bpf.o), but for a small residue (clang's register choices around
 * the code the verifier removed). The time a frame takes on each is measured by
 * bench/feature_cost.sh (docs/cost.md). A shape that does use a feature must give a longer
 * program, so the check can fail.
 *
 * Needs root (CAP_BPF + CAP_SYS_ADMIN); without it every test fails and says why. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "user/gate/skel.h"
#include "user/rules/shape.h"
#include "xdpgate_nofeat.skel.h"

struct lens {
	__u32 xlated, jited;
};

static struct lens info_of(int fd, const char *which)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		fail_msg("%s: prog info: %s", which, strerror(errno));
	return (struct lens){ info.xlated_prog_len, info.jited_prog_len };
}

static struct lens load_full(const struct xg_shape *sh)
{
	struct xdpgate_bpf *s = xdpgate_bpf__open();
	struct lens l;
	int err;

	if (!s)
		fail_msg("open the gate object: %s", strerror(errno));
	bpf_program__set_autoload(s->progs.xdpgate, false);
	s->rodata->xg_shape = *sh;
	err = xdpgate_bpf__load(s);
	if (err) {
		xdpgate_bpf__destroy(s);
		fail_msg("load the gate's program: %s (root?)", strerror(-err));
	}
	l = info_of(bpf_program__fd(s->progs.xdpgate_set), "gate");
	xdpgate_bpf__destroy(s);
	return l;
}

static struct lens load_nofeat(const struct xg_shape *sh)
{
	struct xdpgate_nofeat_bpf *s = xdpgate_nofeat_bpf__open();
	struct lens l;
	int err;

	if (!s)
		fail_msg("open the featureless object: %s", strerror(errno));
	bpf_program__set_autoload(s->progs.xdpgate, false);
	s->rodata->xg_shape = *sh;
	err = xdpgate_nofeat_bpf__load(s);
	if (err) {
		xdpgate_nofeat_bpf__destroy(s);
		fail_msg("load the featureless program: %s (root?)", strerror(-err));
	}
	l = info_of(bpf_program__fd(s->progs.xdpgate_set), "featureless");
	xdpgate_nofeat_bpf__destroy(s);
	return l;
}

#define F(f) (1u << (f))

static struct xg_shape shape(__u32 flags, __u32 fields)
{
	struct xg_shape s = { .slot = 1, .flags = flags, .fields = fields };

	s.depth = xg_shape_depth(fields, flags);
	return s;
}

/* Sets without features: default only, one port rule, a prefix rule set in the cache path,
 * VLAN and EtherType, the pool's xsk default set, and every non-feature field at once. Each
 * program may exceed the featureless build's only by a residue (the registers clang chose
 * around code the verifier then removed, and the reads of the shape that decided it):
 * at most 256 bytes or 8% (measured: 19 to 124 instructions). A feature's code left in
 * would pass that (the features add 31 instructions and up to several hundred). */
static void test_unused_features_leave_no_code(void **state)
{
	const struct xg_shape shapes[] = {
		shape(0, 0),
		shape(XG_SLOT_RULES | XG_SLOT_SMALL, F(XG_F_PROTO) | F(XG_F_DPORT)),
		shape(XG_SLOT_RULES, F(XG_F_SRC) | F(XG_F_DST) | F(XG_F_PROTO) | F(XG_F_DPORT)),
		shape(XG_SLOT_RULES | XG_SLOT_SMALL, F(XG_F_VLAN) | F(XG_F_ETHER)),
		shape(XG_SLOT_RULES | XG_SLOT_SMALL | XG_SLOT_XSK_IP, F(XG_F_ETHER)),
		shape(XG_SLOT_RULES, F(XG_F_SRC) | F(XG_F_DST) | F(XG_F_PROTO) | F(XG_F_SPORT) |
					     F(XG_F_DPORT) | F(XG_F_VLAN) | F(XG_F_ETHER) |
					     F(XG_F_TCPFLAGS) | F(XG_F_ICMP)),
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		struct lens a = load_full(&shapes[i]), b = load_nofeat(&shapes[i]);
		__u32 bound = b.xlated * 8 / 100 > 256 ? b.xlated * 8 / 100 : 256;

		print_message("# shape %zu: %u xlated bytes, featureless %u\n", i, a.xlated,
			      b.xlated);
		if (a.xlated < b.xlated || a.xlated - b.xlated > bound)
			fail_msg("shape %zu (flags %#x fields %#x): %u xlated bytes, the featureless "
				 "build's %u: more than %u over",
				 i, shapes[i].flags, shapes[i].fields, a.xlated, b.xlated, bound);
	}
}

/* Each feature a set uses adds its code: the check above is not blind. */
static void test_used_features_add_code(void **state)
{
	const __u32 base = XG_SLOT_RULES | XG_SLOT_SMALL,
		    fields = F(XG_F_SRC) | F(XG_F_PROTO) | F(XG_F_DPORT);
	const __u32 feats[] = { XG_SLOT_SRC_SETS, XG_SLOT_LIMITS,  XG_SLOT_LOG,
				XG_SLOT_MATCH,	  XG_SLOT_FLOWS,   XG_SLOT_PARSE_CNT };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(feats) / sizeof(feats[0]); i++) {
		struct xg_shape sh = shape(base | feats[i], fields);
		struct lens a = load_full(&sh), b = load_nofeat(&sh);

		if (a.xlated <= b.xlated)
			fail_msg("feature %#x: the gate's program (%u bytes) is no longer than the "
				 "featureless one (%u)",
				 feats[i], a.xlated, b.xlated);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unused_features_leave_no_code),
		cmocka_unit_test(test_used_features_add_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
