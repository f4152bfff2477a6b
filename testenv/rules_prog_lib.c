// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "common/parse.h"
#include "common/xdpgate_structs.h"
#include "user/util/frame_build.h"
#include "user/rules/rules.h"
#include "user/rules/compile.h"
#include "user/rules/load.h"
#include "user/rules/shape.h"
#include "user/gate/skel.h"
#include "common/ct_state.h"
#include "testenv/rules_prog_lib.h"

/* ---- the gate ---- */

static int load_gate(struct rp_ctx *x, const char *first_rule)
{
	struct xg_gate_prep gp;
	struct xg_ruleset rs;
	int err;

	xg_gate_maps_init(&x->m);
	xg_ruleset_init(&rs);
	x->ncpu = libbpf_num_possible_cpus();
	if (x->ncpu <= 0) {
		snprintf(x->err, sizeof(x->err), "libbpf_num_possible_cpus: %d", x->ncpu);
		return -1;
	}
	x->pc = calloc((size_t)XG_RULES_MAX_BPF * x->ncpu, sizeof(*x->pc));
	x->keys = calloc(XG_RULES_MAX_BPF, sizeof(*x->keys));
	if (!x->pc || !x->keys) {
		snprintf(x->err, sizeof(x->err), "out of memory");
		return -1;
	}
	/* an empty set first, as `attach --rules` does: the maps are in place before load */
	if (first_rule) {
		struct xg_rule r;
		uint32_t def;

		if (xg_rule_parse_line(first_rule, NULL, 1, &r, &def, x->err, sizeof(x->err)) !=
			    1 ||
		    xg_ruleset_insert(&rs, 0, &r))
			return -1;
	}
	err = xg_rules_gate_prepare(&gp, &rs, true);
	xg_ruleset_free(&rs);
	if (err) {
		snprintf(x->err, sizeof(x->err), "gate prep: %s (euid %d%s)", strerror(-err),
			 (int)geteuid(), geteuid() ? ", needs root" : "");
		return -1;
	}
	x->skel = gp.skel;
	x->m = gp.maps;
	x->prog_fd = bpf_program__fd(x->skel->progs.xdpgate);
	return 0;
}

static int group_setup(void **state, const char *first_rule)
{
	struct rp_ctx *x = calloc(1, sizeof(*x));

	if (!x)
		return -1;
	if (load_gate(x, first_rule))
		fprintf(stderr, "# rules_prog_test: cannot load the gate: %s\n", x->err);
	*state = x;
	return 0;
}

int rp_group_setup(void **state)
{
	return group_setup(state, NULL);
}

int rp_group_setup_ct(void **state)
{
	setenv("XG_TEST_CT_INJECT", "1", 1);
	return group_setup(state, "pass ct new");
}

int rp_group_teardown(void **state)
{
	struct rp_ctx *x = *state;

	xg_gate_maps_close(&x->m);
	xdpgate_bpf__destroy(x->skel);
	free(x->pc);
	free(x->keys);
	free(x);
	return 0;
}

struct rp_ctx *rp_ctx_of(void **state)
{
	struct rp_ctx *x = *state;

	if (!x->skel)
		fail_msg("the gate is not loaded: %s", x->err);
	return x;
}

/* Parse lines into rs ("default ..." lines included). */
void rp_parse_lines(const char *const *lines, size_t n, struct xg_ruleset *rs)
{
	char err[512];
	struct xg_rule r;
	uint32_t def;
	size_t i;
	int ret;

	xg_ruleset_init(rs);
	for (i = 0; i < n && lines[i]; i++) {
		ret = xg_rule_parse_line(lines[i], "case", (unsigned int)i + 1, &r, &def, err,
					 sizeof(err));
		if (ret < 0)
			fail_msg("rule '%s' does not parse: %s", lines[i], err);
		if (ret == 2) {
			rs->default_verdict = def;
			rs->has_default = true;
		} else if (ret == 1 && xg_ruleset_insert(rs, rs->n, &r)) {
			fail_msg("xg_ruleset_insert failed");
		}
	}
}

/* Compile rs and rp_install it as a live reload (the inactive slot, then the flip), with
 * every counter zeroed so the test can predict them exactly. */
void rp_install(struct rp_ctx *x, const struct xg_ruleset *rs)
{
	struct xg_compiled c;
	struct xg_config cfg;
	__u32 key = 0;

	if (xg_rules_compile(rs, &c))
		fail_msg("xg_rules_compile failed for %zu rules", rs->n);
	if (xg_rules_install(&x->m, rs, &c, false)) {
		xg_compiled_free(&c);
		fail_msg("xg_rules_install failed for %zu rules", rs->n);
	}
	xg_compiled_free(&c);
	if (xg_counters_reset(&x->m))
		fail_msg("xg_counters_reset failed");
	if (bpf_map_lookup_elem(x->m.config, &key, &cfg))
		fail_msg("lookup xg_config: %s", strerror(errno));
	if (cfg.slot[cfg.active & 1].nrules != rs->n)
		fail_msg("active slot has %u rules, installed %zu", cfg.slot[cfg.active & 1].nrules,
			 rs->n);
	x->slot = cfg.active & 1;
	x->nrules = rs->n;
	x->small = cfg.slot[x->slot].flags & XG_SLOT_SMALL;
	x->xsk4 = (cfg.slot[x->slot].flags & XG_SLOT_XSK_IP) &&
		  cfg.slot[x->slot].xsk_rule4 != XG_NO_RULE16;
	x->xsk6 = (cfg.slot[x->slot].flags & XG_SLOT_XSK_IP) &&
		  cfg.slot[x->slot].xsk_rule6 != XG_NO_RULE16;
	x->ct = cfg.slot[x->slot].fields & (1u << XG_F_CT);
	x->parse_counted = cfg.slot[x->slot].flags & XG_SLOT_PARSE_CNT;
	x->depth = xg_shape_depth(cfg.slot[x->slot].fields, cfg.slot[x->slot].flags);
}

/* n entries of a per-CPU array from index first, summed over CPUs, in one syscall. */
static void read_percpu(struct rp_ctx *x, int fd, __u32 first, __u32 n, struct xg_counter_val *out)
{
	__u32 prev = first - 1, next = 0, count = n, i;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	int cpu;

	if (!n)
		return;
	if (bpf_map_lookup_batch(fd, first ? &prev : NULL, &next, x->keys, x->pc, &count, &opts) &&
	    errno != ENOENT)
		fail_msg("bpf_map_lookup_batch: %s", strerror(errno));
	if (count != n || x->keys[0] != first)
		fail_msg("batch lookup from %u: %u entries from %u, want %u", first, count,
			 x->keys[0], n);
	for (i = 0; i < n; i++) {
		out[i] = (struct xg_counter_val){ 0 };
		for (cpu = 0; cpu < x->ncpu; cpu++) {
			out[i].packets += x->pc[(size_t)i * x->ncpu + cpu].packets;
			out[i].bytes += x->pc[(size_t)i * x->ncpu + cpu].bytes;
		}
	}
}

void rp_read_snap(struct rp_ctx *x, struct snap *s)
{
	struct xg_snapshot gs;

	if (xg_counters_read(x->m.stats, &gs))
		fail_msg("read xg_stats: %s", strerror(errno));
	memcpy(s->stats, gs.c, sizeof(gs.c));
	read_percpu(x, x->m.rule_stats, x->slot * XG_RULES_MAX_BPF, (__u32)x->nrules, s->rules);
}

void rp_snap_init(struct snap *s)
{
	s->rules = calloc(XG_RULES_MAX_BPF, sizeof(*s->rules));
	if (!s->rules)
		fail_msg("out of memory");
}

/* ---- one frame, checked completely ---- */

__u32 rp_xdp_of(__u32 verdict)
{
	switch (verdict) {
	case XG_VERDICT_PASS:
	case XG_VERDICT_XSK: /* no socket bound in these tests: passed to the kernel */
		return XDP_PASS;
	case XG_VERDICT_DROP:
		return XDP_DROP;
	case XG_VERDICT_TX:
		return XDP_TX;
	case XG_VERDICT_REDIRECT:
		return XDP_REDIRECT;
	default:
		return XDP_ABORTED;
	}
}

const char *rp_xdp_name(__u32 a)
{
	static const char *const n[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					 "XDP_REDIRECT" };

	return a < RP_ARRAY_SIZE(n) ? n[a] : "?";
}

/* Whether the xsk fast path takes the frame: untagged IPv4 or IPv6 by its EtherType, read
 * from the first buffer (linear bytes). */
static bool unparsed_frame(const struct rp_ctx *x, const uint8_t *data, size_t linear)
{
	return linear >= 14 && ((x->xsk4 && data[12] == 0x08 && data[13] == 0x00) ||
				(x->xsk6 && data[12] == 0x86 && data[13] == 0xdd));
}

/* What the gate must do with frame [data, len) whose first buffer holds linear bytes: the
 * counters that move by one (wantc), the verdict, and the rule (want, or -1). The program
 * parses as deep as the set reads (x->depth): a multi-buffer frame whose parse to that depth
 * over the first buffer stops at a truncation is refused (dropped, counted hdr_split); any
 * other parse over the first buffer must be the whole frame's to that depth. Parse outcomes
 * are counted only with `counters parse`. */
static int expect(const struct rp_ctx *x, const struct xg_ruleset *rs, const uint8_t *data,
		  size_t len, size_t linear, int *want, __u32 *verdict, __u64 *wantc,
		  struct got *got, char *msg)
{
	struct xg_pkt pkt = { 0 }, lin = { 0 };
	uint8_t frame[JUMBO_MAX];
	int outcome, lin_outcome;

	memcpy(frame, data, len);
	/* depth none: nothing read, nothing cut short */
	outcome = x->depth ? xg_parse_frame_to(frame, frame + len, &pkt, (int)x->depth) : 0;
	lin_outcome = x->depth ? xg_parse_frame_to(frame, frame + linear, &lin, (int)x->depth) : 0;
	*verdict = *want >= 0 ? rs->rules[*want].action : rs->default_verdict;
	if (unparsed_frame(x, data, linear)) {
		if (x->parse_counted) /* the fast path reads no more */
			wantc[XG_CNT_PARSE + XG_PARSE_UNPARSED] = 1;
		got->unparsed = true;
	} else if (x->depth && linear < len && XG_PARSE_TRUNCATED(lin_outcome)) {
		if (x->parse_counted)
			wantc[XG_CNT_PARSE + lin_outcome] = 1;
		wantc[XG_CNT_HDR_SPLIT] = 1;
		got->refused = true;
		*verdict = XG_VERDICT_DROP;
		*want = -1;
	} else if (lin_outcome != outcome || memcmp(&lin, &pkt, sizeof(pkt))) {
		snprintf(msg, MSG_MAX, "the parse of the first %zu bytes is not the whole frame's",
			 linear);
		return -1;
	} else if (x->parse_counted) {
		wantc[XG_CNT_PARSE + outcome] = 1;
		if (pkt.frag == XG_FRAG_FIRST)
			wantc[XG_CNT_FRAG_FIRST] = 1;
		else if (pkt.frag == XG_FRAG_LATER)
			wantc[XG_CNT_FRAG_LATER] = 1;
	}
	wantc[XG_CNT_VERDICT + (*verdict == XG_VERDICT_XSK ? XG_VERDICT_PASS : *verdict)] = 1;
	if (*verdict == XG_VERDICT_XSK)
		wantc[XG_CNT_XSK_UNBOUND] = 1;
	if (x->ct && !got->unparsed && !got->refused)
		wantc[XG_CNT_CT + (x->ct_want < XG_CT_STATE_MAX ? x->ct_want : 0)] = 1;
	return 0;
}

/* The rule whose counter moved by one frame of len bytes: -1 none, -2 several or wrong. */
static int moved_rule(const struct rp_ctx *x, const struct snap *before, const struct snap *after,
		      size_t len)
{
	int rule = -1;
	__u32 i;

	for (i = 0; i < x->nrules; i++) {
		__u64 dp = after->rules[i].packets - before->rules[i].packets;
		__u64 db = after->rules[i].bytes - before->rules[i].bytes;

		if (!dp && !db)
			continue;
		rule = rule == -1 && dp == 1 && db == len ? (int)i : -2;
	}
	return rule;
}

/* Whether the gate's own counters moved by wantc (whole-frame bytes); msg says which not. */
static int counters_moved(const struct snap *before, const struct snap *after, const __u64 *wantc,
			  size_t len, char *msg)
{
	__u32 i;

	for (i = 0; i < XG_CNT_MAX; i++) {
		__u64 dp = after->stats[i].packets - before->stats[i].packets;
		__u64 db = after->stats[i].bytes - before->stats[i].bytes;

		if (dp != wantc[i] || db != wantc[i] * len) {
			snprintf(msg, MSG_MAX,
				 "gate counter %u moved +%llu pkts +%llu bytes, want +%llu", i,
				 (unsigned long long)dp, (unsigned long long)db,
				 (unsigned long long)wantc[i]);
			return -1;
		}
	}
	return 0;
}

int rp_check_frame(struct rp_ctx *x, const struct xg_ruleset *rs, const uint8_t *data, size_t len,
		   int want, struct snap *before, struct snap *after, struct got *got, char *msg)
{
	return rp_check_split(x, rs, data, len, len, want, before, after, got, msg);
}

/* Run frame [data, len) against the installed set, its first buffer linear bytes (the
 * rest in BPF_PROG_RUN's frags, which the kernel builds for a frags-aware program when
 * data_size_in is past the context's data_end); compare everything with the rule the
 * reference picked (want, -1 for the default). before is updated to the state after.
 * Returns 0, or -1 with a description in msg. */
int rp_check_split(struct rp_ctx *x, const struct xg_ruleset *rs, const uint8_t *data, size_t len,
		   size_t linear, int want, struct snap *before, struct snap *after,
		   struct got *got, char *msg)
{
	uint8_t out[JUMBO_MAX], frame[JUMBO_MAX];
	struct xdp_md ctx = { .data_end = (__u32)linear };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = (__u32)len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
	__u64 wantc[XG_CNT_MAX] = { 0 };
	__u32 verdict, xdp;
	int bad;

	if (len > JUMBO_MAX || linear > len)
		fail_msg("frame of %zu bytes split at %zu: too long", len, linear);
	if (linear < len) {
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
	}
	memset(got, 0, sizeof(*got));
	msg[0] = '\0';
	bad = expect(x, rs, data, len, linear, &want, &verdict, wantc, got, msg);
	xdp = rp_xdp_of(verdict);
	if (bpf_prog_test_run_opts(x->prog_fd, &opts))
		fail_msg("BPF_PROG_RUN (%zu bytes, %zu in the first buffer): %s", len, linear,
			 strerror(errno));
	rp_read_snap(x, after);
	got->xdp = opts.retval;
	got->rule = moved_rule(x, before, after, len);
	if (!bad && (got->xdp != xdp || got->rule != want)) {
		snprintf(msg, MSG_MAX, "want %s by %s%d, got %s by %s%d", rp_xdp_name(xdp),
			 want < 0 ? "the default " : "rule ", want + 1, rp_xdp_name(got->xdp),
			 got->rule == -2 ? "several rules, or one by a wrong amount "
			 : got->rule < 0 ? "the default "
					 : "rule ",
			 got->rule + 1);
		bad = 1;
	}
	/* the frame comes back as it went in (every buffer), but for tx, which swaps the MACs */
	memcpy(frame, data, len);
	if (!bad && xdp == XDP_TX) {
		memcpy(frame, data + 6, 6);
		memcpy(frame + 6, data, 6);
	}
	if (!bad && (opts.data_size_out != len || memcmp(out, frame, len))) {
		snprintf(msg, MSG_MAX, "frame out (%u bytes) is not the frame %s",
			 opts.data_size_out,
			 xdp == XDP_TX ? "with its MACs swapped" : "that went in");
		bad = 1;
	}
	if (!bad)
		bad = counters_moved(before, after, wantc, len, msg);
	memcpy(before->stats, after->stats, sizeof(after->stats));
	memcpy(before->rules, after->rules, x->nrules * sizeof(*after->rules));
	return bad ? -1 : 0;
}

void rp_hex_line(const uint8_t *d, size_t len, char *buf, size_t size)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < len && o + 3 < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%02x", d[i]);
}

static uint64_t rp_rng_state;

void rp_rng_seed(uint64_t seed)
{
	rp_rng_state = seed;
}

uint64_t rp_rnd(void)
{
	uint64_t z = (rp_rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

uint32_t rp_rn(uint32_t n)
{
	return (uint32_t)(rp_rnd() % n);
}

void rp_print_rules(const struct xg_ruleset *rs)
{
	char text[XG_RULE_TEXT_MAX];
	size_t i;

	for (i = 0; i < rs->nsets; i++)
		fprintf(stderr, "#   set %s: %zu prefixes\n", rs->sets[i]->name, rs->sets[i]->n);
	for (i = 0; i < rs->n; i++) {
		xg_rule_format(&rs->rules[i], text, sizeof(text));
		fprintf(stderr, "#   %zu: %s\n", i + 1, text);
	}
}
