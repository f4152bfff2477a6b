// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "user/util/time.h"
#include "user/util/log.h"
#include "user/rules/bench.h"
#include "user/rules/explain.h"
#include "user/rules/load.h"
#include "user/gate/skel.h"

/* the longest frame rules bench runs: BPF_PROG_RUN takes one page, less its headroom */
#define PROG_RUN_FRAME_MAX 4096

static const char *xdp_action_name(__u32 a)
{
	static const char *const names[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					     "XDP_REDIRECT" };

	return a < 5 ? names[a] : "?";
}

static int run(struct xdpgate_bpf *skel, const __u8 *frame, size_t len, unsigned int repeat,
	       int json, size_t nrules, double load_ms)
{
	__u8 out[PROG_RUN_FRAME_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = (__u32)len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = repeat);

	int err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdpgate), &opts);

	if (err) {
		pr_warn("rules bench: BPF_PROG_RUN failed: %s\n", strerror(-err));
		return err;
	}
	if (json)
		printf("{\"rules\":%zu,\"repeat\":%u,\"ns_per_frame\":%u,\"verdict\":\"%s\","
		       "\"load_ms\":%.1f}\n",
		       nrules, repeat, opts.duration, xdp_action_name(opts.retval), load_ms);
	else
		printf("%zu rules: %u ns/frame over %u runs, %s (install took %.1f ms)\n", nrules,
		       opts.duration, repeat, xdp_action_name(opts.retval), load_ms);
	return 0;
}

int xg_rules_bench(const char *file, const char *hex, unsigned int repeat, int json)
{
	__u8 *frame = malloc(XG_FRAME_MAX);
	struct xg_gate_prep gp;
	struct xg_ruleset rs;
	size_t len = 0;
	double t0;
	int err = -ENOMEM;

	xg_ruleset_init(&rs);
	if (!frame)
		goto out;
	err = -EINVAL; /* the parser names the line */
	if (xg_rules_parse_file(file, &rs))
		goto out;
	if (xg_parse_hex_frame(hex, frame, XG_FRAME_MAX, &len) || len > PROG_RUN_FRAME_MAX) {
		pr_warn("rules bench: '%s' is not a frame in hex (up to %d bytes)\n", hex,
			PROG_RUN_FRAME_MAX);
		err = -EINVAL;
		goto out;
	}
	t0 = xg_now();
	err = xg_rules_gate_prepare(&gp, &rs, true);
	if (err)
		goto out;
	err = run(gp.skel, frame, len, repeat, json, rs.n, (xg_now() - t0) * 1e3);
	xg_gate_release(&gp);
out:
	xg_ruleset_free(&rs);
	free(frame);
	return err;
}
