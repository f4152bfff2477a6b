// SPDX-License-Identifier: GPL-2.0
/* Prog layer: the real gate, loaded from its skeleton, run with BPF_PROG_RUN over the
 * shared frame table. After every frame it checks the verdict, that the frame comes back
 * untouched, and the exact change of every per-CPU counter. The parse outcome counted by
 * the BPF parser must equal both the table's and the userspace parser's, for whole frames
 * and every truncation: a differential test of one parser compiled twice. The gate is
 * loaded twice: with `counters parse` (every outcome counted), and without, where no parse
 * counter may move (the program for a set without rules parses nothing).
 *
 * Needs root (CAP_BPF + CAP_NET_ADMIN). If loading fails every test fails and says why:
 * a skipped prog layer would look like a green one.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "common/parse.h"
#include "common/xdpgate_structs.h"
#include "testenv/frame_cases.h"
#include "user/rules/load.h"
#include "user/util/frame_build.h"
#include "user/gate/skel.h"

#define IP_ALIGN 2 /* as the kernel places packets; keeps the userspace parse aligned */
#define ETH_MIN 14 /* BPF_PROG_RUN refuses shorter XDP input */

struct prog_ctx {
	struct xg_gate_prep gp;
	struct xdpgate_bpf *skel; /* gp.skel, NULL when the gate did not load */
	int prog_fd;
	int stats_fd;
	int cfg_fd;
	int ncpu;
	struct xg_counter_val *percpu; /* one lookup: a slot per possible CPU */
	char err[256];		       /* why the gate did not load; every test reports it */
	bool parse_counted;	       /* loaded with `counters parse` */
	struct prog_ctx *off;	       /* the same gate without (the group's second) */
};

/* What a configured default verdict must produce: the counter slot and the XDP action. */
struct verdict_want {
	__u32 cfg;
	__u32 slot;
	__u32 action;
};

static const struct verdict_want want_pass = { XG_VERDICT_PASS, XG_VERDICT_PASS, XDP_PASS };
static const struct verdict_want want_drop = { XG_VERDICT_DROP, XG_VERDICT_DROP, XDP_DROP };

static int load_gate(struct prog_ctx *x, bool parse_counted)
{
	struct xg_ruleset rs;
	int err;

	xg_gate_maps_init(&x->gp.maps); /* teardown releases gp whatever happens here */
	x->ncpu = libbpf_num_possible_cpus();
	if (x->ncpu <= 0) {
		snprintf(x->err, sizeof(x->err), "libbpf_num_possible_cpus: %d", x->ncpu);
		return -1;
	}
	x->percpu = calloc(x->ncpu, sizeof(*x->percpu));
	if (!x->percpu) {
		snprintf(x->err, sizeof(x->err), "out of memory");
		return -1;
	}
	/* an empty rule set: every frame meets the default verdict each test sets */
	xg_ruleset_init(&rs);
	rs.parse_counters = parse_counted;
	x->parse_counted = parse_counted;
	err = xg_rules_gate_prepare(&x->gp, &rs, true);
	if (err) {
		snprintf(x->err, sizeof(x->err), "gate prep: %s (euid %d%s)", strerror(-err),
			 (int)geteuid(), geteuid() ? ", needs root" : "");
		return -1;
	}
	x->skel = x->gp.skel;
	x->prog_fd = bpf_program__fd(x->skel->progs.xdpgate);
	x->stats_fd = bpf_map__fd(x->skel->maps.xg_stats);
	x->cfg_fd = bpf_map__fd(x->skel->maps.xg_config);
	return 0;
}

static int group_setup(void **state)
{
	struct prog_ctx *x = calloc(1, sizeof(*x));

	if (!x)
		return -1;
	x->off = calloc(1, sizeof(*x->off));
	if (!x->off) {
		free(x);
		return -1;
	}
	/* a failed load is reported by every test, not by a setup error TAP may not show */
	if (load_gate(x, true))
		fprintf(stderr, "# prog_test: cannot load the gate: %s\n", x->err);
	if (load_gate(x->off, false))
		fprintf(stderr, "# prog_test: cannot load the gate: %s\n", x->off->err);
	*state = x;
	return 0;
}

static int group_teardown(void **state)
{
	struct prog_ctx *x = *state;

	xg_gate_release(&x->off->gp);
	free(x->off->percpu);
	free(x->off);
	xg_gate_release(&x->gp);
	free(x->percpu);
	free(x);
	return 0;
}

static struct prog_ctx *ctx_of(void **state)
{
	struct prog_ctx *x = *state;

	if (!x->skel)
		fail_msg("the gate is not loaded: %s", x->err);
	return x;
}

static void set_default_verdict(struct prog_ctx *x, __u32 verdict)
{
	struct xg_config cfg = { .slot[0].default_verdict = verdict };
	__u32 key = 0;

	if (bpf_map_update_elem(x->cfg_fd, &key, &cfg, BPF_ANY))
		fail_msg("update xg_config: %s", strerror(errno));
}

static void read_counters(struct prog_ctx *x, struct xg_counter_val *out)
{
	struct xg_snapshot s;
	int err = xg_counters_read(x->stats_fd, &s);

	if (err)
		fail_msg("read xg_stats: %s", strerror(-err));
	memcpy(out, s.c, sizeof(s.c));
}

/* Run one frame; the frame must come back byte for byte (the gate never writes). */
static __u32 run_frame(struct prog_ctx *x, const char *name, const uint8_t *data, size_t len)
{
	uint8_t out[XG_CASE_FRAME_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = (__u32)len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

	if (bpf_prog_test_run_opts(x->prog_fd, &opts))
		fail_msg("%s len %zu: BPF_PROG_RUN: %s", name, len, strerror(errno));
	if (opts.data_size_out != len || memcmp(out, data, len))
		fail_msg("%s len %zu: frame changed (%u bytes out)", name, len, opts.data_size_out);
	return opts.retval;
}

static const char *counter_name(int i, char *buf, size_t size)
{
	if (i < XG_CNT_PARSE)
		snprintf(buf, size, "verdict[%d]", i - XG_CNT_VERDICT);
	else if (i < XG_CNT_FRAG_FIRST)
		snprintf(buf, size, "parse[%d]", i - XG_CNT_PARSE);
	else
		snprintf(buf, size, i == XG_CNT_FRAG_FIRST ? "frag_first" : "frag_later");
	return buf;
}

/* Every counter moves by exactly what this frame should add: one parse outcome, one
 * verdict, the fragment extra if any; packets by 1 and bytes by the frame length. */
static void check_deltas(const char *name, size_t len, const struct xg_counter_val *before,
			 const struct xg_counter_val *after, const __u64 *want)
{
	char cname[32];
	__u64 dp, db;
	int i;

	for (i = 0; i < XG_CNT_MAX; i++) {
		dp = after[i].packets - before[i].packets;
		db = after[i].bytes - before[i].bytes;
		if (dp != want[i] || db != want[i] * len)
			fail_msg("%s len %zu: counter %s moved +%llu pkts +%llu bytes, want +%llu",
				 name, len, counter_name(i, cname, sizeof(cname)),
				 (unsigned long long)dp, (unsigned long long)db,
				 (unsigned long long)want[i]);
	}
}

static void check_frame(struct prog_ctx *x, const char *name, const uint8_t *data, size_t len,
			int outcome, const struct verdict_want *v)
{
	struct xg_counter_val before[XG_CNT_MAX], after[XG_CNT_MAX];
	__u64 want[XG_CNT_MAX] = { 0 };
	struct xg_pkt pkt = { 0 };
	int user = xg_parse_frame((void *)data, (void *)(data + len), &pkt);
	__u32 ret;

	if (user != outcome)
		fail_msg("%s len %zu: userspace parse %d, table/model %d", name, len, user,
			 outcome);
	read_counters(x, before);
	ret = run_frame(x, name, data, len);
	read_counters(x, after);
	if (ret != v->action)
		fail_msg("%s len %zu: XDP action %u, want %u", name, len, ret, v->action);
	want[XG_CNT_VERDICT + v->slot] = 1;
	if (x->parse_counted) {
		want[XG_CNT_PARSE + outcome] = 1;
		if (pkt.frag == XG_FRAG_FIRST)
			want[XG_CNT_FRAG_FIRST] = 1;
		else if (pkt.frag == XG_FRAG_LATER)
			want[XG_CNT_FRAG_LATER] = 1;
	}
	check_deltas(name, len, before, after, want);
}

/* Builds case c at IP_ALIGN in buf; returns the frame start. */
static uint8_t *build_case(const struct xg_frame_case *c, uint8_t *buf, size_t *len)
{
	*len = xg_frame_build(&c->spec, buf + IP_ALIGN, XG_CASE_FRAME_MAX);
	if (!*len)
		fail_msg("%s: the builder rejected the spec", c->name);
	return buf + IP_ALIGN;
}

static void run_whole_frames(void **state, const struct verdict_want *v)
{
	struct prog_ctx *x = ctx_of(state);
	uint8_t buf[IP_ALIGN + XG_CASE_FRAME_MAX] __attribute__((aligned(8)));
	size_t i, len;
	uint8_t *f;

	set_default_verdict(x, v->cfg);
	for (i = 0; i < xg_frame_cases_n; i++) {
		f = build_case(&xg_frame_cases[i], buf, &len);
		check_frame(x, xg_frame_cases[i].name, f, len, xg_frame_cases[i].outcome, v);
	}
}

static void test_default_pass(void **state)
{
	run_whole_frames(state, &want_pass);
}

static void test_default_drop(void **state)
{
	run_whole_frames(state, &want_drop);
}

/* Without `counters parse`: the same verdicts, and only the verdict counters move. */
static void test_parse_counters_off(void **state)
{
	struct prog_ctx *x = ctx_of(state);

	if (!x->off->skel)
		fail_msg("the gate without parse counters is not loaded: %s", x->off->err);
	run_whole_frames((void **)&x->off, &want_drop);
	run_whole_frames((void **)&x->off, &want_pass);
}

/* Every cut the kernel accepts, for every case; the verdict alternates by case so both
 * defaults see truncated frames. */
static void test_truncations(void **state)
{
	struct prog_ctx *x = ctx_of(state);
	uint8_t buf[IP_ALIGN + XG_CASE_FRAME_MAX] __attribute__((aligned(8)));
	size_t i, cut, len;
	uint8_t *f;

	for (i = 0; i < xg_frame_cases_n; i++) {
		const struct xg_frame_case *c = &xg_frame_cases[i];
		const struct verdict_want *v = i % 2 ? &want_drop : &want_pass;

		set_default_verdict(x, v->cfg);
		f = build_case(c, buf, &len);
		for (cut = ETH_MIN; cut <= len; cut++)
			check_frame(x, c->name, f, cut, xg_case_expect(c, cut), v);
	}
}

/* BPF_PROG_RUN rejects XDP input shorter than an Ethernet header, so TRUNC_ETH is
 * covered by the unit layer only; make sure nothing is counted for such input. */
static void test_short_input_refused(void **state)
{
	struct prog_ctx *x = ctx_of(state);
	struct xg_counter_val before[XG_CNT_MAX], after[XG_CNT_MAX];
	static const __u64 none[XG_CNT_MAX];
	uint8_t frame[ETH_MIN] = { 0 };
	size_t len;

	for (len = 0; len < ETH_MIN; len++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = (__u32)len,
			    .repeat = 1);

		read_counters(x, before);
		assert_int_not_equal(bpf_prog_test_run_opts(x->prog_fd, &opts), 0);
		read_counters(x, after);
		check_deltas("short", len, before, after, none);
	}
}

/* Values outside enum xg_verdict must abort and be counted as aborted. */
static void test_out_of_range_verdict(void **state)
{
	static const __u32 bad[] = { XG_VERDICT_MAX, XG_VERDICT_MAX + 1, 0xffffffffu };
	const struct xg_frame_case *c = &xg_frame_cases[0];
	struct prog_ctx *x = ctx_of(state);
	uint8_t buf[IP_ALIGN + XG_CASE_FRAME_MAX] __attribute__((aligned(8)));
	size_t i, len;
	uint8_t *f = build_case(c, buf, &len);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct verdict_want v = { bad[i], XG_VERDICT_ABORTED, XDP_ABORTED };

		set_default_verdict(x, bad[i]);
		check_frame(x, c->name, f, len, c->outcome, &v);
	}
}

/* TX, REDIRECT and XSK are valid enum values the gate does not act on yet: it returns
 * XDP_ABORTED for them, so it must count them as aborted too, or the verdict counters
 * stop describing what happened to the traffic. */
static void test_unsupported_verdict(void **state)
{
	static const __u32 unsupported[] = { XG_VERDICT_TX, XG_VERDICT_REDIRECT, XG_VERDICT_XSK };
	const struct xg_frame_case *c = &xg_frame_cases[0];
	struct prog_ctx *x = ctx_of(state);
	uint8_t buf[IP_ALIGN + XG_CASE_FRAME_MAX] __attribute__((aligned(8)));
	size_t i, len;
	uint8_t *f = build_case(c, buf, &len);

	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
		const struct verdict_want v = { unsupported[i], XG_VERDICT_ABORTED, XDP_ABORTED };

		set_default_verdict(x, unsupported[i]);
		check_frame(x, c->name, f, len, c->outcome, &v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_pass),
		cmocka_unit_test(test_default_drop),
		cmocka_unit_test(test_parse_counters_off),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_short_input_refused),
		cmocka_unit_test(test_out_of_range_verdict),
		cmocka_unit_test(test_unsupported_verdict),
	};

	return cmocka_run_group_tests_name("prog", tests, group_setup, group_teardown);
}
