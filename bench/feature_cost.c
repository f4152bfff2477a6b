// SPDX-License-Identifier: GPL-2.0
/* feature_cost — what the optional features' code costs a rule set that uses none of them:
 * the gate's program for the set (rodata-specialised, user/gate/spec.c) against the program
 * the verifier makes for the same shape from the object compiled without the features'
 * code (build/xdpgate_nofeat.bpf.o), on the same maps, with BPF_PROG_RUN over one 64-byte
 * UDP frame to port 9, the two alternated round by round (docs/cost.md). Beside them, the
 * gate as attached: its entry, which tail-calls the set's program (the entry's own cost).
 *
 *   feature_cost [--rounds N] [--repeat N] RULE_LINE...   (each argument one line of the set)
 *
 * Prints, per round, ns a frame for each and the difference, then the medians. Needs root. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "user/gate/skel.h"
#include "user/gate/spec.h"
#include "user/rules/load.h"
#include "user/rules/shape.h"
#include "user/util/frame_build.h"
#include "xdpgate_nofeat.skel.h"

#define ROUNDS_MAX 100

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static int run_ns(int fd, const __u8 *frame, size_t len, unsigned int repeat, __u32 *ns)
{
	__u8 out[256];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = (__u32)len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	*ns = o.duration;
	return 0;
}

/* The featureless program of the live slot's shape, on the gate's maps: its fd or -errno. */
static int load_featureless(const struct xg_gate_maps *m)
{
	struct xdpgate_nofeat_bpf *s = xdpgate_nofeat_bpf__open();
	struct xg_config cfg;
	__u32 key = 0;
	int err;

	if (!s)
		return -errno;
	if (bpf_map_lookup_elem(m->config, &key, &cfg)) {
		err = -errno;
		goto out;
	}
	s->rodata->xg_shape = xg_shape_of(&cfg.slot[cfg.active & 1], cfg.active & 1, cfg.features);
	bpf_program__set_autoload(s->progs.xdpgate, false);
	err = xg_spec_reuse_maps(s->obj, m);
	if (err)
		goto out;
	err = xdpgate_nofeat_bpf__load(s);
	if (!err)
		err = dup(bpf_program__fd(s->progs.xdpgate_set));
out:
	xdpgate_nofeat_bpf__destroy(s);
	return err;
}

int main(int argc, char **argv)
{
	unsigned int rounds = 10, repeat = 1000000, r;
	__u32 full[ROUNDS_MAX], bare[ROUNDS_MAX], diff[ROUNDS_MAX], entry[ROUNDS_MAX], key = 0, id;
	struct xg_frame_spec spec = { .l3 = XG_L3_IPV4,
				      .ip4 = { { 198, 18, 0, 1 }, { 198, 18, 0, 2 } },
				      .l4_proto = 17,
				      .udp = { 1234, 9 },
				      .payload_len = 18 };
	struct xg_gate_prep gp;
	struct xg_ruleset rs;
	__u8 frame[128];
	int i = 1, full_fd, bare_fd, err;
	size_t len;

	for (; i + 1 < argc && !strncmp(argv[i], "--", 2); i += 2) {
		if (!strcmp(argv[i], "--rounds"))
			rounds = (unsigned int)strtoul(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--repeat"))
			repeat = (unsigned int)strtoul(argv[i + 1], NULL, 10);
		else
			break;
	}
	if (!rounds || rounds > ROUNDS_MAX || !repeat || i >= argc) {
		fprintf(stderr, "usage: feature_cost [--rounds 1-%d] [--repeat N] RULE_LINE...\n",
			ROUNDS_MAX);
		return 2;
	}
	xg_ruleset_init(&rs);
	for (; i < argc; i++) {
		char errbuf[256];
		struct xg_rule rule;
		__u32 def;
		int n = xg_rule_parse_line(argv[i], "arg", 1, &rule, &def, errbuf, sizeof(errbuf));

		if (n < 0) {
			fprintf(stderr, "feature_cost: %s\n", errbuf);
			return 2;
		}
		if (n == 0) { /* a default line */
			rs.default_verdict = def;
			rs.has_default = true;
		} else if (xg_ruleset_insert(&rs, rs.n, &rule)) {
			return 1;
		}
	}
	len = xg_frame_build(&spec, frame, sizeof(frame));
	err = xg_rules_gate_prepare(&gp, &rs, true);
	if (err)
		return 1;
	bare_fd = load_featureless(&gp.maps);
	full_fd = bpf_map_lookup_elem(gp.maps.gate_progs, &key, &id) ? -errno
								     : bpf_prog_get_fd_by_id(id);
	if (bare_fd < 0 || full_fd < 0) {
		fprintf(stderr, "feature_cost: cannot load both programs: %s\n",
			strerror(-(bare_fd < 0 ? bare_fd : full_fd)));
		return 1;
	}
	printf("round  gate ns  featureless ns  difference  entry+gate ns\n");
	for (r = 0; r < rounds; r++) {
		if (run_ns(full_fd, frame, len, repeat, &full[r]) ||
		    run_ns(bare_fd, frame, len, repeat, &bare[r]) ||
		    run_ns(bpf_program__fd(gp.skel->progs.xdpgate), frame, len, repeat,
			   &entry[r])) {
			fprintf(stderr, "feature_cost: BPF_PROG_RUN: %s\n", strerror(errno));
			return 1;
		}
		diff[r] = full[r] - bare[r]; /* unsigned: sorted as a signed value below */
		printf("%5u  %7u  %14u  %+10d  %13u\n", r + 1, full[r], bare[r], (int)diff[r],
		       entry[r]);
	}
	for (r = 0; r < rounds; r++)
		diff[r] += 1u << 31; /* sort signed differences as unsigned */
	qsort(full, rounds, sizeof(full[0]), cmp_u32);
	qsort(bare, rounds, sizeof(bare[0]), cmp_u32);
	qsort(diff, rounds, sizeof(diff[0]), cmp_u32);
	qsort(entry, rounds, sizeof(entry[0]), cmp_u32);
	printf("median %7u  %14u  %+10d  %13u\n", full[rounds / 2], bare[rounds / 2],
	       (int)(diff[rounds / 2] - (1u << 31)), entry[rounds / 2]);
	close(full_fd);
	close(bare_fd);
	xg_gate_release(&gp);
	xg_ruleset_free(&rs);
	return 0;
}
