// SPDX-License-Identifier: GPL-2.0
/* Prog layer of the rule engine: the real gate with rule sets compiled by
 * user/rules/compile.c and installed by user/rules/load.c, run with BPF_PROG_RUN.
 *
 *   table         hand-written cases for every field and action: XDP action, the frame
 *                 out (MACs swapped for tx), every gate counter, and which rule counted.
 *   differential  seeded random rule sets and frames (biased to hit rule values, cut
 *                 short, or random bytes); for every frame the gate's action and the rule
 *                 whose counter moved must be the reference classifier's. Sets are
 *                 installed as live reloads (slot flips). XG_SEED=N replays a run.
 *   scale         10,000 rules, the only match the last one.
 *
 * Needs root. If the gate cannot load every test fails and says why: a skipped prog layer
 * would look like a green one.
 */
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
#include "xdpgate.skel.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define IP_ALIGN 2
#define FRAME_MAX 2048
#define MSG_MAX 1024

struct rp_ctx {
	struct xdpgate_bpf *skel;
	struct xg_gate_maps m;
	int prog_fd;
	int ncpu;
	__u32 slot;		   /* active slot of the installed set */
	size_t nrules;		   /* rules of the installed set */
	bool small;		   /* it uses the small-set path (XG_SLOT_SMALL) */
	bool xsk4, xsk6;	   /* the xsk fast path (XG_SLOT_XSK_IP) takes IPv4, IPv6 */
	struct xg_counter_val *pc; /* batch buffer: XG_RULES_MAX_BPF x ncpu */
	__u32 *keys;		   /* batch keys: XG_RULES_MAX_BPF */
	char err[256];
};

/* Counters of the gate and of every live rule, summed over CPUs. */
struct snap {
	struct xg_counter_val stats[XG_CNT_MAX];
	struct xg_counter_val *rules; /* XG_RULES_MAX_BPF */
};

/* ---- the gate ---- */

static int load_gate(struct rp_ctx *x)
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
	err = xg_gate_prepare(&gp, &rs, true);
	if (err) {
		snprintf(x->err, sizeof(x->err), "xg_gate_prepare: %s (euid %d%s)", strerror(-err),
			 (int)geteuid(), geteuid() ? ", needs root" : "");
		return -1;
	}
	x->skel = gp.skel;
	x->m = gp.maps;
	x->prog_fd = bpf_program__fd(x->skel->progs.xdpgate);
	return 0;
}

static int group_setup(void **state)
{
	struct rp_ctx *x = calloc(1, sizeof(*x));

	if (!x)
		return -1;
	if (load_gate(x))
		fprintf(stderr, "# rules_prog_test: cannot load the gate: %s\n", x->err);
	*state = x;
	return 0;
}

static int group_teardown(void **state)
{
	struct rp_ctx *x = *state;

	xg_gate_maps_close(&x->m);
	xdpgate_bpf__destroy(x->skel);
	free(x->pc);
	free(x->keys);
	free(x);
	return 0;
}

static struct rp_ctx *ctx_of(void **state)
{
	struct rp_ctx *x = *state;

	if (!x->skel)
		fail_msg("the gate is not loaded: %s", x->err);
	return x;
}

/* Parse lines into rs ("default ..." lines included). */
static void parse_lines(const char *const *lines, size_t n, struct xg_ruleset *rs)
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

/* Compile rs and install it as a live reload (the inactive slot, then the flip), with
 * every counter zeroed so the test can predict them exactly. */
static void install(struct rp_ctx *x, const struct xg_ruleset *rs)
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

static void read_snap(struct rp_ctx *x, struct snap *s)
{
	struct xg_snapshot gs;

	if (xg_counters_read(x->m.stats, &gs))
		fail_msg("read xg_stats: %s", strerror(errno));
	memcpy(s->stats, gs.c, sizeof(gs.c));
	read_percpu(x, x->m.rule_stats, x->slot * XG_RULES_MAX_BPF, (__u32)x->nrules, s->rules);
}

static void snap_init(struct snap *s)
{
	s->rules = calloc(XG_RULES_MAX_BPF, sizeof(*s->rules));
	if (!s->rules)
		fail_msg("out of memory");
}

/* ---- one frame, checked completely ---- */

static __u32 xdp_of(__u32 verdict)
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

static const char *xdp_name(__u32 a)
{
	static const char *const n[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					 "XDP_REDIRECT" };

	return a < ARRAY_SIZE(n) ? n[a] : "?";
}

/* What the gate did with a frame, as far as the test can see. */
struct got {
	__u32 xdp;
	int rule;      /* the rule whose counter moved, -1: none; -2: several or a wrong amount */
	bool unparsed; /* the xsk fast path took it (XG_PARSE_UNPARSED) */
};

/* Whether the xsk fast path takes the frame: untagged IPv4 or IPv6 by its EtherType. */
static bool unparsed_frame(const struct rp_ctx *x, const uint8_t *data, size_t len)
{
	return len >= 14 && ((x->xsk4 && data[12] == 0x08 && data[13] == 0x00) ||
			     (x->xsk6 && data[12] == 0x86 && data[13] == 0xdd));
}

/* Run frame [data, len) against the installed set; compare everything with the rule the
 * reference picked (want, -1 for the default). before is updated to the state after.
 * Returns 0, or -1 with a description in msg. */
static int check_frame(struct rp_ctx *x, const struct xg_ruleset *rs, const uint8_t *data,
		       size_t len, int want, struct snap *before, struct snap *after,
		       struct got *got, char *msg)
{
	uint8_t out[FRAME_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = (__u32)len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
	__u64 wantc[XG_CNT_MAX] = { 0 };
	struct xg_pkt pkt = { 0 };
	uint8_t frame[FRAME_MAX];
	__u32 verdict, xdp, i;
	int outcome, bad = 0;

	memcpy(frame, data, len);
	outcome = xg_parse_frame(frame, frame + len, &pkt);
	verdict = want >= 0 ? rs->rules[want].action : rs->default_verdict;
	xdp = xdp_of(verdict);
	if (bpf_prog_test_run_opts(x->prog_fd, &opts))
		fail_msg("BPF_PROG_RUN (%zu bytes): %s", len, strerror(errno));
	read_snap(x, after);
	got->xdp = opts.retval;
	got->rule = -1;
	got->unparsed = false;
	for (i = 0; i < x->nrules; i++) {
		__u64 dp = after->rules[i].packets - before->rules[i].packets;
		__u64 db = after->rules[i].bytes - before->rules[i].bytes;

		if (!dp && !db)
			continue;
		got->rule = got->rule == -1 && dp == 1 && db == len ? (int)i : -2;
	}
	msg[0] = '\0';
	if (got->xdp != xdp || got->rule != want) {
		snprintf(msg, MSG_MAX, "want %s by %s%d, got %s by %s%d", xdp_name(xdp),
			 want < 0 ? "the default " : "rule ", want + 1, xdp_name(got->xdp),
			 got->rule == -2 ? "several rules, or one by a wrong amount "
			 : got->rule < 0 ? "the default "
					 : "rule ",
			 got->rule + 1);
		bad = 1;
	}
	/* the frame comes back as it went in, but for tx, which swaps the MACs */
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
	wantc[XG_CNT_VERDICT + (verdict == XG_VERDICT_XSK ? XG_VERDICT_PASS : verdict)] = 1;
	if (unparsed_frame(x, data, len)) {
		wantc[XG_CNT_PARSE + XG_PARSE_UNPARSED] = 1; /* the fast path reads no more */
		got->unparsed = true;
	} else {
		wantc[XG_CNT_PARSE + outcome] = 1;
		if (pkt.frag == XG_FRAG_FIRST)
			wantc[XG_CNT_FRAG_FIRST] = 1;
		else if (pkt.frag == XG_FRAG_LATER)
			wantc[XG_CNT_FRAG_LATER] = 1;
	}
	if (verdict == XG_VERDICT_XSK)
		wantc[XG_CNT_XSK_UNBOUND] = 1;
	for (i = 0; !bad && i < XG_CNT_MAX; i++) {
		__u64 dp = after->stats[i].packets - before->stats[i].packets;
		__u64 db = after->stats[i].bytes - before->stats[i].bytes;

		if (dp != wantc[i] || db != wantc[i] * len) {
			snprintf(msg, MSG_MAX,
				 "gate counter %u moved +%llu pkts +%llu bytes, want +%llu", i,
				 (unsigned long long)dp, (unsigned long long)db,
				 (unsigned long long)wantc[i]);
			bad = 1;
		}
	}
	memcpy(before->stats, after->stats, sizeof(after->stats));
	memcpy(before->rules, after->rules, x->nrules * sizeof(*after->rules));
	return bad ? -1 : 0;
}

static void hex_line(const uint8_t *d, size_t len, char *buf, size_t size)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < len && o + 3 < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%02x", d[i]);
}

/* ---- table ---- */

/* clang-format off */
#define MACS .dst = { 0x02, 0, 0, 0, 0, 0x02 }, .src = { 0x02, 0, 0, 0, 0, 0x01 }
#define IP4(s0, s1, s2, s3, d0, d1, d2, d3, ...)                                            \
	MACS, .l3 = XG_L3_IPV4,                                                              \
	.ip4 = { .saddr = { s0, s1, s2, s3 }, .daddr = { d0, d1, d2, d3 }, __VA_ARGS__ }
#define V4 IP4(10, 1, 2, 3, 192, 168, 1, 200)
/* IPv6 addresses: 2001:db8::LAST, or (HI) fd00::LAST with the first byte HI */
#define IP6(shi, slo, dhi, dlo, ...)                                                        \
	MACS, .l3 = XG_L3_IPV6,                                                              \
	.ip6 = { .saddr = { shi, (shi) == 0x20 ? 0x01 : 0, (shi) == 0x20 ? 0x0d : 0,          \
			    (shi) == 0x20 ? 0xb8 : 0, [15] = slo },                          \
		 .daddr = { dhi, (dhi) == 0x20 ? 0x01 : 0, (dhi) == 0x20 ? 0x0d : 0,          \
			    (dhi) == 0x20 ? 0xb8 : 0, [15] = dlo }, __VA_ARGS__ }
#define V6 IP6(0x20, 1, 0xfd, 2)
#define V6X(...) IP6(0x20, 1, 0xfd, 2, __VA_ARGS__)
#define UDP(s, d) .l4_proto = IPPROTO_UDP, .udp = { .sport = (s), .dport = (d) }
#define TCP(s, d, fl) .l4_proto = IPPROTO_TCP, .tcp = { .sport = (s), .dport = (d), .flags = (fl) }
#define ICMP4(t) .l4_proto = IPPROTO_ICMP, .icmp = { .type = (t) }
#define ICMP6(t) .l4_proto = XG_IPPROTO_ICMPV6, .icmp = { .type = (t) }
#define TAGS1(a) .n_vlan = 1, .vlan = { { .vid = (a) } }
#define TAGS2(a, b) .n_vlan = 2, .vlan = { { .vid = (a) }, { .vid = (b) } }
#define ARP MACS, .ethertype = XG_ETH_P_ARP, .payload_len = 28
#define FRAG6(off, m)                                                                       \
	.n_ext = 1, .ext = { { .type = XG_IPPROTO_FRAGMENT, .frag_off = (off), .more = (m) } }

#define R(...) { __VA_ARGS__, NULL }

struct tcase {
	const char *name;
	const char *rules[8]; /* NULL-terminated; "default ..." allowed */
	struct xg_frame_spec f;
	size_t cut;	/* 0: the whole frame */
	int want;	/* 1-based rule, 0: the default */
	__u32 xdp;
};

#define OVL4 R("drop src 10.1.2.3/32", "tx src 10.1.0.0/16", "pass src 10.0.0.0/8", "default drop")
#define OVL6 R("pass src 2001:db8:0:1::/64", "tx src 2001:db8::/32", "default drop")
#define PORTS                                                                               \
	R("drop dport 80", "tx dport 1000-2000", "redirect lo sport 22,443,5000-5010",       \
	  "default pass")
#define MULTI                                                                               \
	R("drop src 10.0.0.0/8 dst 192.168.1.0/24 proto tcp dport 80 vlan 100 ether ipv4 "  \
	  "tcp-flags syn,!ack")

static const struct tcase tcases[] = {
	/* src/dst, v4 */
	{ "v4 src /24 hit", R("drop src 10.1.2.0/24"), { V4, UDP(1, 2) }, 0, 1, XDP_DROP },
	{ "v4 src /24 miss", R("drop src 10.1.2.0/24"), { IP4(10, 1, 3, 3, 1, 1, 1, 1), UDP(1, 2) },
	  0, 0, XDP_PASS },
	{ "v4 overlap /32", OVL4, { V4, UDP(1, 2) }, 0, 1, XDP_DROP },
	{ "v4 overlap /16", OVL4, { IP4(10, 1, 200, 9, 1, 1, 1, 1), UDP(1, 2) }, 0, 2, XDP_TX },
	{ "v4 overlap /8", OVL4, { IP4(10, 200, 0, 1, 1, 1, 1, 1), UDP(1, 2) }, 0, 3, XDP_PASS },
	{ "v4 overlap none", OVL4, { IP4(11, 1, 2, 3, 1, 1, 1, 1), UDP(1, 2) }, 0, 0, XDP_DROP },
	{ "v4 overlap v6 frame", OVL4, { V6, UDP(1, 2) }, 0, 0, XDP_DROP },
	{ "v4 wide before narrow", R("pass src 10.0.0.0/8", "drop src 10.1.2.3/32", "default drop"),
	  { V4, TCP(1, 2, 0) }, 0, 1, XDP_PASS },
	{ "v4 /0 any v4", R("drop src 0.0.0.0/0"), { IP4(255, 255, 255, 255, 0, 0, 0, 0) }, 0, 1,
	  XDP_DROP },
	{ "v4 /0 not v6", R("drop src 0.0.0.0/0"), { V6, UDP(1, 2) }, 0, 0, XDP_PASS },
	{ "v4 /0 not arp", R("drop dst 0.0.0.0/0"), { ARP }, 0, 0, XDP_PASS },
	{ "v4 /0 truncated ipv4", R("drop dst 0.0.0.0/0"), { V4, UDP(1, 2) }, 30, 0, XDP_PASS },
	{ "v4 dst /32 hit", R("drop dst 192.168.1.200/32"), { V4, UDP(1, 2) }, 0, 1, XDP_DROP },
	{ "v4 dst /32 miss", R("drop dst 192.168.1.200/32"), { IP4(10, 1, 2, 3, 192, 168, 1, 201) },
	  0, 0, XDP_PASS },
	{ "v4 src rule, dst matches", R("drop src 192.168.1.200/32"), { V4 }, 0, 0, XDP_PASS },
	{ "v4 src and dst", R("tx src 10.0.0.0/8 dst 192.168.0.0/16", "default drop"),
	  { V4, UDP(1, 2) }, 0, 1, XDP_TX },
	{ "v4 src and dst, dst off", R("tx src 10.0.0.0/8 dst 192.168.0.0/16", "default drop"),
	  { IP4(10, 0, 0, 1, 192, 169, 0, 1) }, 0, 0, XDP_DROP },
	{ "v4 /8 vs v6 0a00::", R("drop src 10.0.0.0/8"), { IP6(0x0a, 1, 0xfd, 2) },
	  0, 0, XDP_PASS },
	/* src/dst, v6 */
	{ "v6 overlap /64", OVL6,
	  { MACS, .l3 = XG_L3_IPV6, .ip6 = { .saddr = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, [15] = 1 } } },
	  0, 1, XDP_PASS },
	{ "v6 overlap /32", OVL6, { V6, TCP(1, 2, 0) }, 0, 2, XDP_TX },
	{ "v6 overlap none", OVL6, { IP6(0xfd, 1, 0xfd, 2) }, 0, 0, XDP_DROP },
	{ "v6 overlap v4 frame", OVL6, { V4 }, 0, 0, XDP_DROP },
	{ "v6 /128 hit", R("drop src 2001:db8::1/128"), { V6, UDP(1, 2) }, 0, 1, XDP_DROP },
	{ "v6 /128 miss", R("drop src 2001:db8::1/128"), { IP6(0x20, 2, 0xfd, 2) },
	  0, 0, XDP_PASS },
	{ "v6 /0 any v6", R("drop dst ::/0"), { IP6(0xfd, 1, 0xff, 0xff) }, 0, 1, XDP_DROP },
	{ "v6 /0 not v4", R("drop dst ::/0"), { V4, UDP(1, 2) }, 0, 0, XDP_PASS },
	{ "v6 /8 vs v4 10/8", R("drop src a00::/8"), { V4 }, 0, 0, XDP_PASS },
	{ "v6 dst /127", R("drop dst fd00::2/127", "default drop", "tx"), { IP6(0x20, 1, 0xfd, 3) },
	  0, 1, XDP_DROP },
	{ "v6 dst /127 miss", R("drop dst fd00::2/127", "tx"), { IP6(0x20, 1, 0xfd, 4) }, 0, 2,
	  XDP_TX },
	/* proto */
	{ "proto udp", R("drop proto udp"), { V4, UDP(1, 2) }, 0, 1, XDP_DROP },
	{ "proto udp vs tcp", R("drop proto udp"), { V4, TCP(1, 2, 0) }, 0, 0, XDP_PASS },
	{ "proto 47", R("drop proto 47"), { V4, .l4_proto = 47, .payload_len = 20 },
	  0, 1, XDP_DROP },
	{ "proto 6 is tcp", R("drop proto 6"), { V6, TCP(1, 2, 0) }, 0, 1, XDP_DROP },
	{ "proto 0 not arp", R("drop proto 0"), { ARP }, 0, 0, XDP_PASS },
	{ "proto 0 on v4", R("drop proto 0"), { V4, .l4_proto = 0 }, 0, 1, XDP_DROP },
	{ "proto later frag", R("drop proto tcp"),
	  { IP4(10, 1, 2, 3, 1, 1, 1, 1, .frag_off = 100), TCP(1, 2, 0) }, 0, 1, XDP_DROP },
	{ "proto truncated l4", R("drop proto udp"), { V4, UDP(1, 53) }, 38, 1, XDP_DROP },
	{ "proto icmpv6 after ext", R("drop proto icmpv6"),
	  { V6X(.n_ext = 2, .ext = { { .type = XG_IPPROTO_HOPOPTS },
				     { .type = XG_IPPROTO_DSTOPTS, .hdrlen = 1 } }), ICMP6(128) },
	  0, 1, XDP_DROP },
	{ "proto icmp not v6 icmp", R("drop proto icmp"), { V6, ICMP6(128) }, 0, 0, XDP_PASS },
	{ "proto udp after ah", R("drop proto 51", "tx proto udp dport 53"),
	  { V6X(.n_ext = 1, .ext = { { .type = XG_IPPROTO_AH, .hdrlen = 4 } }), UDP(1, 53) },
	  0, 2, XDP_TX },
	{ "proto 59 after mobility", R("drop proto 135", "tx proto 59"),
	  { V6X(.n_ext = 1, .ext = { { .type = XG_IPPROTO_MOBILITY, .hdrlen = 1 } }),
	    .l4_proto = 59 },
	  0, 2, XDP_TX },
	/* ports */
	{ "dport single", PORTS, { V4, UDP(9, 80) }, 0, 1, XDP_DROP },
	{ "dport range low", PORTS, { V4, TCP(9, 1000, 0) }, 0, 2, XDP_TX },
	{ "dport range high", PORTS, { V6, UDP(9, 2000) }, 0, 2, XDP_TX },
	{ "dport range below", PORTS, { V4, UDP(9, 999) }, 0, 0, XDP_PASS },
	{ "dport range above", PORTS, { V4, UDP(9, 2001) }, 0, 0, XDP_PASS },
	{ "sport list first", PORTS, { V4, UDP(22, 9) }, 0, 3, XDP_REDIRECT },
	{ "sport list range", PORTS, { V6, TCP(5010, 9, 0) }, 0, 3, XDP_REDIRECT },
	{ "sport list gap", PORTS, { V4, TCP(444, 9, 0) }, 0, 0, XDP_PASS },
	{ "ports first match", PORTS, { V4, UDP(443, 80) }, 0, 1, XDP_DROP },
	{ "ports later frag v4", R("drop proto udp dport 53"),
	  { IP4(10, 1, 2, 3, 1, 1, 1, 1, .frag_off = 3), UDP(1, 53) }, 0, 0, XDP_PASS },
	{ "ports first frag v4", R("drop proto udp dport 53"),
	  { IP4(10, 1, 2, 3, 1, 1, 1, 1, .mf = true), UDP(1, 53) }, 0, 1, XDP_DROP },
	{ "ports later frag v6", R("drop dport 53"), { V6X(FRAG6(8, true)), UDP(1, 53) }, 0, 0,
	  XDP_PASS },
	{ "ports first frag v6", R("drop dport 53"), { V6X(FRAG6(0, true)), UDP(1, 53) }, 0, 1,
	  XDP_DROP },
	{ "ports truncated udp", R("drop dport 53"), { V4, UDP(1, 53) }, 41, 0, XDP_PASS },
	{ "ports udp header only", R("drop dport 53"), { V4, UDP(1, 53) }, 42, 1, XDP_DROP },
	{ "ports truncated tcp", R("drop dport 0-65535"), { V4, TCP(1, 53, 0) }, 53, 0, XDP_PASS },
	{ "ports icmp", R("drop sport 0-65535", "drop dport 0"), { V4, ICMP4(8) }, 0, 0, XDP_PASS },
	{ "ports icmpv6", R("drop dport 0-65535"), { V6, ICMP6(128) }, 0, 0, XDP_PASS },
	{ "ports other proto", R("drop dport 0-65535"), { V4, .l4_proto = 132, .payload_len = 12 },
	  0, 0, XDP_PASS },
	/* vlan and ether */
	{ "vlan one tag", R("drop vlan 100"), { V4, TAGS1(100), UDP(1, 2) }, 0, 1, XDP_DROP },
	{ "vlan qinq outer", R("drop vlan 100"), { V4, TAGS2(100, 200), UDP(1, 2) },
	  0, 1, XDP_DROP },
	{ "vlan qinq inner only", R("drop vlan 100"), { V4, TAGS2(200, 100), UDP(1, 2) }, 0, 0,
	  XDP_PASS },
	{ "vlan untagged", R("drop vlan 0"), { V4 }, 0, 0, XDP_PASS },
	{ "vlan 0 tag", R("drop vlan 0"), { V4, TAGS1(0) }, 0, 1, XDP_DROP },
	{ "vlan 4095", R("drop vlan 4095"), { ARP, TAGS1(4095) }, 0, 1, XDP_DROP },
	{ "ether innermost v6", R("drop ether ipv6"), { V6, TAGS2(5, 6), TCP(1, 2, 0) }, 0, 1,
	  XDP_DROP },
	{ "ether not outer tpid", R("drop ether 0x88a8"), { V4, TAGS2(5, 6) }, 0, 0, XDP_PASS },
	{ "ether arp", R("drop ether arp"), { ARP, TAGS1(7) }, 0, 1, XDP_DROP },
	{ "ether third tag", R("drop ether 0x8100"),
	  { V4, .n_vlan = 3, .vlan = { { .vid = 1 }, { .vid = 2 }, { .vid = 3 } } },
	  0, 1, XDP_DROP },
	{ "ether ipv4 truncated", R("drop ether ipv4"), { V4, UDP(1, 2) }, 20, 1, XDP_DROP },
	{ "ether hex", R("drop ether 0x88cc"), { MACS, .ethertype = 0x88cc, .payload_len = 40 }, 0,
	  1, XDP_DROP },
	/* tcp-flags */
	{ "flags syn", R("drop tcp-flags syn,!ack"), { V4, TCP(1, 2, 0x02) }, 0, 1, XDP_DROP },
	{ "flags syn+fin", R("drop tcp-flags syn,!ack"), { V4, TCP(1, 2, 0x03) }, 0, 1, XDP_DROP },
	{ "flags syn+ack", R("drop tcp-flags syn,!ack"), { V4, TCP(1, 2, 0x12) }, 0, 0, XDP_PASS },
	{ "flags ack", R("drop tcp-flags syn,!ack"), { V6, TCP(1, 2, 0x10) }, 0, 0, XDP_PASS },
	{ "flags udp", R("drop tcp-flags !syn"), { V4, UDP(1, 2) }, 0, 0, XDP_PASS },
	{ "flags later frag", R("drop tcp-flags !syn"),
	  { IP4(10, 1, 2, 3, 1, 1, 1, 1, .frag_off = 9), TCP(1, 2, 0) }, 0, 0, XDP_PASS },
	/* icmp-type */
	{ "icmp v4 echo", R("drop icmp-type 8"), { V4, ICMP4(8) }, 0, 1, XDP_DROP },
	{ "icmp v4 rule, v6 type 8", R("drop icmp-type 8"), { V6, ICMP6(8) }, 0, 0, XDP_PASS },
	{ "icmp v6 echo", R("drop proto icmpv6 icmp-type 128"), { V6, ICMP6(128) },
	  0, 1, XDP_DROP },
	{ "icmp v6 rule, v4 type 128", R("drop proto icmpv6 icmp-type 128"), { V4, ICMP4(128) }, 0,
	  0, XDP_PASS },
	{ "icmp named v6", R("drop proto icmpv6 icmp-type neighbor-solicitation"),
	  { V6, ICMP6(135) }, 0, 1, XDP_DROP },
	{ "icmp truncated", R("drop icmp-type 0"), { V4, ICMP4(0) }, 35, 0, XDP_PASS },
	{ "icmp type 0 vs udp", R("drop icmp-type 0"), { V4, UDP(0, 0) }, 0, 0, XDP_PASS },
	/* every field at once, and each one off */
	{ "multi all", MULTI, { V4, TAGS1(100), TCP(1, 80, 0x22) }, 0, 1, XDP_DROP },
	{ "multi src off", MULTI,
	  { IP4(11, 1, 2, 3, 192, 168, 1, 200), TAGS1(100), TCP(1, 80, 0x22) }, 0, 0, XDP_PASS },
	{ "multi dst off", MULTI,
	  { IP4(10, 1, 2, 3, 192, 168, 2, 200), TAGS1(100), TCP(1, 80, 0x22) }, 0, 0, XDP_PASS },
	{ "multi proto off", MULTI, { V4, TAGS1(100), UDP(1, 80) }, 0, 0, XDP_PASS },
	{ "multi dport off", MULTI, { V4, TAGS1(100), TCP(1, 81, 0x22) }, 0, 0, XDP_PASS },
	{ "multi vlan off", MULTI, { V4, TAGS1(101), TCP(1, 80, 0x22) }, 0, 0, XDP_PASS },
	{ "multi flags off", MULTI, { V4, TAGS1(100), TCP(1, 80, 0x12) }, 0, 0, XDP_PASS },
	/* order, defaults, actions */
	{ "first match wins", R("pass proto udp", "drop dport 53", "default drop"),
	  { V4, UDP(1, 53) }, 0, 1, XDP_PASS },
	{ "second matches", R("pass proto tcp", "drop dport 53", "default pass"),
	  { V4, UDP(1, 53) }, 0, 2, XDP_DROP },
	{ "no rules, default pass", R("default pass"), { V4 }, 0, 0, XDP_PASS },
	{ "no rules, default drop", R("default drop"), { V6 }, 0, 0, XDP_DROP },
	{ "no match, default drop", R("pass proto tcp", "default drop"), { ARP }, 0, 0, XDP_DROP },
	{ "action pass", R("pass", "default drop"), { V4 }, 0, 1, XDP_PASS },
	{ "action drop", R("drop"), { V4 }, 0, 1, XDP_DROP },
	{ "action tx", R("tx proto udp"), { V6, UDP(7, 7) }, 0, 1, XDP_TX },
	{ "action tx arp", R("tx ether arp"), { ARP }, 0, 1, XDP_TX },
	{ "action redirect", R("redirect lo dst 192.168.1.200/32"), { V4 }, 0, 1, XDP_REDIRECT },
	{ "action xsk unbound", R("xsk proto tcp", "default drop"), { V4, TCP(1, 2, 0) }, 0, 1,
	  XDP_PASS },
};
/* clang-format on */

static bool same_rules(const struct tcase *a, const struct tcase *b)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(a->rules); i++) {
		if (!a->rules[i] || !b->rules[i] || strcmp(a->rules[i], b->rules[i]))
			return !a->rules[i] && !b->rules[i];
	}
	return true;
}

static void test_table(void **state)
{
	struct rp_ctx *x = ctx_of(state);
	uint8_t buf[IP_ALIGN + FRAME_MAX] __attribute__((aligned(8)));
	uint8_t *f = buf + IP_ALIGN;
	struct snap before, after;
	struct xg_ruleset rs;
	char msg[MSG_MAX];
	struct got got;
	size_t i, len;

	xg_ruleset_init(&rs);
	snap_init(&before);
	snap_init(&after);
	for (i = 0; i < ARRAY_SIZE(tcases); i++) {
		const struct tcase *c = &tcases[i];
		struct xg_pkt pkt = { 0 };
		int ref;

		if (!i || !same_rules(c, &tcases[i - 1])) {
			xg_ruleset_free(&rs);
			parse_lines(c->rules, ARRAY_SIZE(c->rules), &rs);
			install(x, &rs);
			read_snap(x, &before);
		}
		len = xg_frame_build(&c->f, f, FRAME_MAX);
		if (!len)
			fail_msg("%s: the builder rejected the spec", c->name);
		if (c->cut) {
			if (c->cut > len)
				fail_msg("%s: cut %zu beyond the frame (%zu)", c->name, c->cut,
					 len);
			len = c->cut;
		}
		/* the table, the reference and the gate must all agree */
		xg_parse_frame(f, f + len, &pkt);
		ref = xg_rules_classify(&rs, &pkt);
		if (ref != c->want - 1)
			fail_msg("%s: the reference classifier picks %s%d, the table %s%d", c->name,
				 ref < 0 ? "the default " : "rule ", ref + 1,
				 c->want ? "rule " : "the default ", c->want);
		if (xdp_of(ref < 0 ? rs.default_verdict : rs.rules[ref].action) != c->xdp)
			fail_msg("%s: table action %s, rule action gives %s", c->name,
				 xdp_name(c->xdp),
				 xdp_name(xdp_of(ref < 0 ? rs.default_verdict
							 : rs.rules[ref].action)));
		if (check_frame(x, &rs, f, len, c->want - 1, &before, &after, &got, msg))
			fail_msg("%s (%zu bytes): %s", c->name, len, msg);
	}
	xg_ruleset_free(&rs);
	free(before.rules);
	free(after.rules);
}

/* ---- differential ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static uint32_t rn(uint32_t n) /* 0..n-1 */
{
	return (uint32_t)(rnd() % n);
}

static bool chance(unsigned int percent)
{
	return rn(100) < percent;
}

static const uint8_t pool4[][4] = {
	{ 10, 0, 0, 0 },   { 10, 1, 0, 0 },	 { 10, 1, 2, 0 },
	{ 10, 1, 2, 3 },   { 192, 168, 1, 200 }, { 172, 16, 5, 0 },
	{ 198, 18, 0, 1 }, { 0, 0, 0, 0 },	 { 255, 255, 255, 255 },
};
static const uint8_t pool6[][16] = {
	{ 0x20, 0x01, 0x0d, 0xb8 },
	{ 0x20, 0x01, 0x0d, 0xb8, 0, 1 },
	{ 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
	{ 0xfd, 0x00, 0, 0x18, [15] = 1 },
	{ 0xfd, 0x00, 0, 0x18, [15] = 2 },
	{ 0xfe, 0x80, [15] = 0xab },
	{ 0x0a, 0x01, 0x02, 0x03 }, /* looks like 10.1.2.3 in its first bytes */
	{ 0 },
};
static const uint16_t pool_ports[] = { 0, 1, 22, 53, 80, 443, 1000, 2000, 5000, 8080, 65535 };
static const uint16_t pool_vlans[] = { 0, 1, 10, 100, 4095 };
static const uint8_t pool_icmp[] = { 0, 3, 8, 11, 128, 129, 135, 255 };
static const uint8_t pool_protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, XG_IPPROTO_ICMPV6,
				       47,	    0,		 132,	       255 };
static const uint16_t pool_ethers[] = { XG_ETH_P_IP, XG_ETH_P_IPV6,  XG_ETH_P_ARP,
					0x88cc,	     XG_ETH_P_8021Q, 0x0000 };
static const char *const flag_names[8] = { "fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr" };

#define PICK(a) (a)[rn(ARRAY_SIZE(a))]

/* An address near the pool: a pool entry with, sometimes, some low bytes random. */
static void near_addr(uint8_t *a, int fam)
{
	size_t alen = fam == 4 ? 4 : 16, i;

	memcpy(a, fam == 4 ? PICK(pool4) : PICK(pool6), alen);
	if (chance(40))
		a[alen - 1] = (uint8_t)rnd();
	if (chance(15))
		for (i = alen / 2; i < alen; i++)
			a[i] = (uint8_t)rnd();
	if (chance(5))
		for (i = 0; i < alen; i++)
			a[i] = (uint8_t)rnd();
}

static size_t add(char *b, size_t off, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static size_t add(char *b, size_t off, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (off >= size)
		return off;
	va_start(ap, fmt);
	n = vsnprintf(b + off, size - off, fmt, ap);
	va_end(ap);
	return n > 0 ? off + (size_t)n : off;
}

static size_t add_prefix(char *b, size_t o, size_t size, const char *kw, int fam)
{
	static const uint8_t len4[] = { 0, 1, 8, 12, 16, 17, 20, 23, 24, 25, 28, 31, 32 };
	static const uint8_t len6[] = { 0, 4, 8, 16, 32, 47, 48, 64, 96, 112, 120, 127, 128 };
	uint8_t a[16];
	char s[64];
	unsigned int i;

	near_addr(a, fam);
	if (fam == 4) {
		snprintf(s, sizeof(s), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return add(b, o, size, " %s %s/%u", kw, s, PICK(len4));
	}
	o = add(b, o, size, " %s ", kw);
	for (i = 0; i < 16; i += 2)
		o = add(b, o, size, "%s%x", i ? ":" : "", (unsigned int)(a[i] << 8 | a[i + 1]));
	return add(b, o, size, "/%u", PICK(len6));
}

static uint16_t near_port(void)
{
	uint16_t p = PICK(pool_ports);

	if (chance(20))
		p = (uint16_t)(p + rn(3) - 1);
	return chance(10) ? (uint16_t)rnd() : p;
}

static size_t add_ports(char *b, size_t o, size_t size, const char *kw)
{
	unsigned int n = chance(70) ? 1 : 1 + rn(chance(10) ? XG_PORT_RANGES_MAX : 4), i;

	o = add(b, o, size, " %s ", kw);
	for (i = 0; i < n; i++) {
		uint32_t lo = near_port(), hi = lo;

		if (chance(40))
			hi = lo + (chance(50) ? rn(3) : rn(3000));
		if (hi > 65535)
			hi = 65535;
		o = add(b, o, size, "%s%u", i ? "," : "", lo);
		if (hi != lo || chance(10))
			o = add(b, o, size, "-%u", hi);
	}
	return o;
}

static size_t add_flags(char *b, size_t o, size_t size)
{
	unsigned int n = 1 + rn(3), used = 0, i, f;

	o = add(b, o, size, " tcp-flags ");
	for (i = 0; i < n; i++) {
		do
			f = rn(8);
		while (used & (1u << f));
		used |= 1u << f;
		o = add(b, o, size, "%s%s%s", i ? "," : "", chance(40) ? "!" : "", flag_names[f]);
	}
	return o;
}

/* One random rule, valid by construction (the parser refuses rules that can never match,
 * like src and dst of two families, so the generator does not write them). */
static void random_rule(char *b, size_t size)
{
	static const char *const actions[] = { "pass", "drop", "tx", "redirect lo", "xsk" };
	int fam = rn(3) == 0 ? 0 : (chance(50) ? 4 : 6), kind = (int)rn(6);
	size_t o = add(b, 0, size, "%s", PICK(actions));
	const char *proto = NULL;
	char num[8];

	if (fam && chance(60))
		o = add_prefix(b, o, size, "src", fam);
	if (fam && chance(50))
		o = add_prefix(b, o, size, "dst", fam);
	switch (kind) {
	case 1: /* ports, maybe flags */
		proto = chance(30) ? NULL : chance(50) ? "tcp" : "udp";
		break;
	case 2: /* flags */
		proto = chance(50) ? "tcp" : NULL;
		break;
	case 3: /* icmp-type */
		if (fam == 6 || (fam == 0 && chance(50)))
			proto = "icmpv6";
		else
			proto = chance(50) ? "icmp" : NULL;
		break;
	case 4: /* proto only */
		snprintf(num, sizeof(num), "%u", PICK(pool_protos));
		proto = chance(50) ? num : chance(50) ? "tcp" : "udp";
		break;
	default:
		break;
	}
	if (proto)
		o = add(b, o, size, " proto %s", proto);
	if (kind == 1 && chance(70))
		o = add_ports(b, o, size, "sport");
	if (kind == 1 && chance(70))
		o = add_ports(b, o, size, "dport");
	if (chance(15))
		o = add(b, o, size, " vlan %u", chance(80) ? PICK(pool_vlans) : rn(4096));
	if (chance(15))
		o = add(b, o, size, " ether 0x%04x", PICK(pool_ethers));
	if (kind == 2 || (kind == 1 && (!proto || !strcmp(proto, "tcp")) && chance(30)))
		o = add_flags(b, o, size);
	if (kind == 3)
		o = add(b, o, size, " icmp-type %u", PICK(pool_icmp));
	(void)o;
}

static void random_ruleset(struct xg_ruleset *rs, size_t n)
{
	char line[XG_RULE_TEXT_MAX + 64], err[512];
	struct xg_rule r;
	uint32_t def;
	size_t i;

	xg_ruleset_init(rs);
	rs->default_verdict = chance(50) ? XG_VERDICT_PASS : XG_VERDICT_DROP;
	rs->has_default = true;
	for (i = 0; i < n; i++) {
		if (i > n / 2 && chance(1))
			snprintf(line, sizeof(line), "%s", chance(50) ? "tx" : "drop");
		else
			random_rule(line, sizeof(line));
		if (xg_rule_parse_line(line, "gen", (unsigned int)i + 1, &r, &def, err,
				       sizeof(err)) != 1)
			fail_msg("generated rule '%s' does not parse: %s", line, err);
		if (xg_ruleset_insert(rs, rs->n, &r))
			fail_msg("xg_ruleset_insert failed");
	}
}

static void random_l4(struct xg_frame_spec *s, int fam)
{
	unsigned int k = rn(100);

	if (k < 35) {
		s->l4_proto = IPPROTO_TCP;
		s->tcp.sport = near_port();
		s->tcp.dport = near_port();
		s->tcp.flags = chance(50) ? (uint8_t)(1u << rn(8)) | (chance(50) ? 0x10 : 0)
					  : (uint8_t)rnd();
		s->tcp.doff = chance(95) ? 0 : (uint8_t)rn(16);
	} else if (k < 70) {
		s->l4_proto = IPPROTO_UDP;
		s->udp.sport = near_port();
		s->udp.dport = near_port();
	} else if (k < 90) {
		s->l4_proto = (fam == 4) != chance(10) ? IPPROTO_ICMP : XG_IPPROTO_ICMPV6;
		s->icmp.type = chance(80) ? PICK(pool_icmp) : (uint8_t)rnd();
		s->icmp.code = (uint8_t)rnd();
	} else {
		s->l4_proto = chance(50) ? PICK(pool_protos) : (uint8_t)rnd();
		/* an extension header type as the last next header would need the header */
		if (xg_ipv6_is_ext(s->l4_proto))
			s->l4_proto = 47;
	}
}

static void random_ipv6_ext(struct xg_ipv6_spec *ip6)
{
	static const uint8_t types[] = { XG_IPPROTO_HOPOPTS, XG_IPPROTO_ROUTING,
					 XG_IPPROTO_DSTOPTS, XG_IPPROTO_FRAGMENT,
					 XG_IPPROTO_AH,	     XG_IPPROTO_MOBILITY };
	unsigned int i;

	if (chance(80))
		return;
	ip6->n_ext = (uint8_t)(chance(90) ? 1 + rn(3) : XG_IPV6_EXT_MAX + 1);
	for (i = 0; i < ip6->n_ext; i++) {
		ip6->ext[i].type = PICK(types);
		ip6->ext[i].hdrlen = (uint8_t)(chance(70) ? 0 : rn(3));
		if (ip6->ext[i].type == XG_IPPROTO_FRAGMENT) {
			ip6->ext[i].frag_off = (uint16_t)(chance(50) ? 0 : 1 + rn(100));
			ip6->ext[i].more = chance(50);
		}
	}
}

/* A frame from a random spec biased to rule values, sometimes cut short; or random bytes.
 * Returns its length (at least the 14 bytes BPF_PROG_RUN takes). */
static size_t random_frame(uint8_t *f, size_t cap)
{
	struct xg_frame_spec s;
	unsigned int k = rn(100), i;
	size_t len;

	if (k < 4) { /* random bytes, sometimes with a plausible EtherType and version */
		len = 14 + rn(120);
		for (i = 0; i < len; i++)
			f[i] = (uint8_t)rnd();
		if (chance(70)) {
			uint16_t et = PICK(pool_ethers);

			f[12] = (uint8_t)(et >> 8);
			f[13] = (uint8_t)et;
			f[14] = chance(50) ? 0x45 : 0x60;
		}
		return len;
	}
	memset(&s, 0, sizeof(s));
	memcpy(s.dst, "\x02\x00\x00\x00\x00\x02", 6);
	memcpy(s.src, "\x02\x00\x00\x00\x00\x01", 6);
	k = rn(100);
	s.n_vlan = (uint8_t)(k < 70 ? 0 : k < 90 ? 1 : k < 98 ? 2 : 3);
	for (i = 0; i < s.n_vlan; i++) {
		s.vlan[i].vid = chance(80) ? PICK(pool_vlans) : (uint16_t)rn(4096);
		s.vlan[i].pcp = (uint8_t)rn(8);
	}
	k = rn(100);
	if (k < 8) {
		s.l3 = XG_L3_NONE;
		s.ethertype = chance(50) ? XG_ETH_P_ARP : PICK(pool_ethers);
		if (s.ethertype == XG_ETH_P_IP || s.ethertype == XG_ETH_P_IPV6 || !s.ethertype)
			s.ethertype = 0x88cc;
		s.payload_len = rn(60);
	} else if (k < 54) {
		s.l3 = XG_L3_IPV4;
		near_addr(s.ip4.saddr, 4);
		near_addr(s.ip4.daddr, 4);
		s.ip4.ihl = (uint8_t)(chance(90) ? 0 : 5 + rn(11));
		if (chance(8))
			s.ip4.frag_off = (uint16_t)(1 + rn(0x1fff));
		s.ip4.mf = chance(10);
		if (chance(1))
			s.ip4.version = (uint8_t)rn(16);
		random_l4(&s, 4);
	} else {
		s.l3 = XG_L3_IPV6;
		near_addr(s.ip6.saddr, 6);
		near_addr(s.ip6.daddr, 6);
		if (chance(1))
			s.ip6.version = (uint8_t)rn(16);
		random_ipv6_ext(&s.ip6);
		random_l4(&s, 6);
	}
	if (s.l3 != XG_L3_NONE)
		s.payload_len = rn(48);
	len = xg_frame_build(&s, f, cap);
	if (!len)
		fail_msg("the builder rejected a random spec");
	if (chance(20))
		len = 14 + rn((uint32_t)(len - 14 + 1));
	return len;
}

static void report(const struct xg_ruleset *rs, unsigned int set, uint64_t seed, const uint8_t *f,
		   size_t len, const char *msg)
{
	char text[XG_RULE_TEXT_MAX], hex[2 * FRAME_MAX + 1];
	size_t i;

	fprintf(stderr, "# DISAGREEMENT: seed %" PRIu64 " (XG_SEED=%" PRIu64 " replays), set %u\n",
		seed, seed, set);
	fprintf(stderr, "# rule set (%zu rules, default %s):\n", rs->n,
		rs->default_verdict == XG_VERDICT_DROP ? "drop" : "pass");
	for (i = 0; i < rs->n; i++) {
		xg_rule_format(&rs->rules[i], text, sizeof(text));
		fprintf(stderr, "#   %zu: %s\n", i + 1, text);
	}
	hex_line(f, len, hex, sizeof(hex));
	fprintf(stderr, "# frame (%zu bytes): %s\n# %s\n", len, hex, msg);
}

#define DIFF_SETS 20
#define DIFF_FRAMES 5000

static void test_differential(void **state)
{
	struct rp_ctx *x = ctx_of(state);
	uint8_t buf[IP_ALIGN + FRAME_MAX] __attribute__((aligned(8)));
	uint8_t *f = buf + IP_ALIGN;
	const char *env = getenv("XG_SEED");
	uint64_t seed, *want_n;
	struct snap before, after;
	unsigned int set, bad = 0, frames = 0, flips = 0, matched = 0, later = 0, small = 0;
	struct xg_counter_val v;
	struct xg_ruleset rs;
	char msg[MSG_MAX];
	struct got got;
	size_t i, n;

	seed = env && *env ? strtoull(env, NULL, 0)
			   : ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
	fprintf(stderr, "# differential: seed %" PRIu64 " (XG_SEED=%" PRIu64 " replays)\n", seed,
		seed);
	rng_state = seed;
	snap_init(&before);
	snap_init(&after);
	want_n = calloc(XG_RULES_MAX_BPF, sizeof(*want_n));
	if (!want_n)
		fail_msg("out of memory");
	for (set = 0; set < DIFF_SETS && !bad; set++) {
		__u32 slot_before = x->slot;

		/* sizes from 1 to 300, small ones often */
		n = set == 0 ? 300 : set == 1 ? 1 : 1 + rn(chance(50) ? 300 : 30);
		random_ruleset(&rs, n);
		install(x, &rs);
		flips += x->slot != slot_before;
		small += x->small;
		read_snap(x, &before);
		memset(want_n, 0, n * sizeof(*want_n));
		for (i = 0; i < DIFF_FRAMES && bad < 5; i++) {
			struct xg_pkt pkt = { 0 };
			uint8_t copy[FRAME_MAX];
			size_t len = random_frame(f, FRAME_MAX);
			int ref;

			memcpy(copy, f, len);
			xg_parse_frame(copy, copy + len, &pkt);
			ref = xg_rules_classify(&rs, &pkt);
			frames++;
			if (ref >= 0) {
				want_n[ref]++;
				matched++;
				later += ref > 0;
			}
			if (check_frame(x, &rs, f, len, ref, &before, &after, &got, msg)) {
				report(&rs, set, seed, f, len, msg);
				bad++;
			}
		}
		/* the counters as `rules list` reads them agree with the reference's picks */
		for (i = 0; i < rs.n && !bad; i++) {
			if (xg_rule_counter(&x->m, (unsigned int)i, &v))
				fail_msg("xg_rule_counter %zu failed", i);
			if (v.packets != want_n[i])
				fail_msg("seed %" PRIu64 " set %u: rule %zu: %llu, want %llu", seed,
					 set, i + 1, (unsigned long long)v.packets,
					 (unsigned long long)want_n[i]);
		}
		xg_ruleset_free(&rs);
	}
	free(want_n);
	free(before.rules);
	free(after.rules);
	if (bad)
		fail_msg("seed %" PRIu64 ": %u disagreements (details above)", seed, bad);
	fprintf(stderr,
		"# differential: %u frames over %u sets (%u matched a rule, %u a rule after the "
		"first), %u slot flips, %u sets on the small-set path, 0 disagreements\n",
		frames, set, matched, later, flips, small);
	assert_true(frames >= 100000);
	assert_true(flips >= DIFF_SETS - 1);
	/* both classifiers of the gate were held to the reference */
	assert_true(small > 0 && small < set);
}

/* The pool's default set takes the xsk fast path: untagged IPv4/IPv6 frames are sent to
 * their rule unparsed, every other frame is classified in full; both as the reference
 * says, over random frames (tags, other EtherTypes, truncations included). */
static void test_xsk_fast(void **state)
{
	static const char *const sets[][3] = {
		{ "xsk ether ipv4", "xsk ether ipv6", NULL },
		{ "xsk ether ipv6", "xsk ether ipv4", "xsk ether ipv4" },
		{ "xsk ether ipv4", NULL, NULL },
	};
	struct rp_ctx *x = ctx_of(state);
	uint8_t buf[IP_ALIGN + FRAME_MAX] __attribute__((aligned(8)));
	uint8_t *f = buf + IP_ALIGN;
	unsigned int s, i, unparsed = 0, parsed = 0;
	struct snap before, after;
	struct xg_ruleset rs;
	char msg[MSG_MAX];
	struct got got;

	snap_init(&before);
	snap_init(&after);
	for (s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
		parse_lines(sets[s], 3, &rs);
		install(x, &rs);
		assert_true(x->xsk4);
		read_snap(x, &before);
		for (i = 0; i < 5000; i++) {
			struct xg_pkt pkt = { 0 };
			uint8_t copy[FRAME_MAX];
			size_t len = random_frame(f, FRAME_MAX);
			int outcome, ref;

			memcpy(copy, f, len);
			outcome = xg_parse_frame(copy, copy + len, &pkt);
			ref = xg_rules_classify(&rs, &pkt);
			(void)outcome;
			if (check_frame(x, &rs, f, len, ref, &before, &after, &got, msg))
				fail_msg("set %u frame %u (%zu bytes): %s", s, i, len, msg);
			unparsed += got.unparsed;
			parsed += !got.unparsed;
		}
		xg_ruleset_free(&rs);
	}
	/* a set with another condition is classified in full */
	parse_lines((const char *const[]){ "xsk ether ipv4 proto udp", NULL }, 2, &rs);
	install(x, &rs);
	assert_false(x->xsk4 || x->xsk6);
	xg_ruleset_free(&rs);
	free(before.rules);
	free(after.rules);
	fprintf(stderr, "# xsk fast path: %u frames unparsed, %u classified in full\n", unparsed,
		parsed);
	assert_true(unparsed > 1000 && parsed > 1000);
}

/* ---- scale ---- */

#define SCALE_RULES 10000

static void test_scale(void **state)
{
	struct rp_ctx *x = ctx_of(state);
	uint8_t buf[IP_ALIGN + FRAME_MAX] __attribute__((aligned(8)));
	uint8_t *f = buf + IP_ALIGN;
	struct xg_frame_spec hit = { MACS, .l3 = XG_L3_IPV4,
				     .ip4 = { .saddr = { 203, 0, 113, 7 },
					      .daddr = { 198, 51, 100, 1 } },
				     UDP(4242, 4242) };
	struct xg_frame_spec miss6 = hit;
	struct snap before, after;
	struct xg_ruleset rs;
	char msg[MSG_MAX], line[256];
	struct got got;
	struct xg_rule r;
	struct xg_counter_val v;
	unsigned int i;
	uint32_t def;
	size_t len;
	int ref;

	rng_state = 12345;
	xg_ruleset_init(&rs);
	rs.default_verdict = XG_VERDICT_DROP;
	for (i = 0; i < SCALE_RULES; i++) {
		static const char *const protos[] = { "tcp", "udp", "icmp", "47" };
		const char *p = protos[(i / 2) % 4];
		size_t o;

		if (i == SCALE_RULES - 1) {
			snprintf(line, sizeof(line), "tx src 203.0.113.7/32 proto udp dport 4242");
		} else if (i % 2) { /* v6 prefixes inside 2001:db8::/32 */
			o = (size_t)snprintf(line, sizeof(line), "%s src 2001:db8:%x:%x::/%u",
					     i % 3 ? "drop" : "pass", rn(65536), rn(65536),
					     32 + rn(97));
			if (p[0] != 'i')
				o += (size_t)snprintf(line + o, sizeof(line) - o, " proto %s", p);
			if (p[0] == 't' || p[0] == 'u')
				snprintf(line + o, sizeof(line) - o, " dport %u-%u", i,
					 i + rn(500));
		} else { /* v4 prefixes inside 10.0.0.0/8 */
			o = (size_t)snprintf(line, sizeof(line), "%s dst 10.%u.%u.%u/%u",
					     i % 3 ? "pass" : "drop", rn(256), rn(256), rn(256),
					     8 + 4 * rn(7));
			if (p[0] != 'i')
				o += (size_t)snprintf(line + o, sizeof(line) - o, " proto %s", p);
			if (p[0] == 't' || p[0] == 'u')
				snprintf(line + o, sizeof(line) - o, " sport %u-%u,%u", i,
					 i + rn(50), 60000 + i % 5000);
		}
		if (xg_rule_parse_line(line, "scale", i + 1, &r, &def, msg, sizeof(msg)) != 1)
			fail_msg("rule '%s': %s", line, msg);
		if (xg_ruleset_insert(&rs, rs.n, &r))
			fail_msg("xg_ruleset_insert failed");
	}
	install(x, &rs);
	snap_init(&before);
	snap_init(&after);
	read_snap(x, &before);

	/* only the last rule matches: the earlier v4 rules want a dst in 10/8, the v6 ones a
	 * v6 src; the reference must agree that it is the last */
	len = xg_frame_build(&hit, f, FRAME_MAX);
	{
		struct xg_pkt pkt = { 0 };
		uint8_t copy[FRAME_MAX];

		memcpy(copy, f, len);
		xg_parse_frame(copy, copy + len, &pkt);
		ref = xg_rules_classify(&rs, &pkt);
	}
	if (ref != SCALE_RULES - 1)
		fail_msg("the scale frame matches rule %d by the reference, not the last", ref + 1);
	if (check_frame(x, &rs, f, len, ref, &before, &after, &got, msg))
		fail_msg("scale, last rule: %s", msg);
	assert_int_equal(got.xdp, XDP_TX);

	/* and a frame no rule matches gets the default */
	miss6.l3 = XG_L3_IPV6;
	memcpy(miss6.ip6.saddr, "\xfd\x00\x00\x01", 4);
	len = xg_frame_build(&miss6, f, FRAME_MAX);
	if (check_frame(x, &rs, f, len, -1, &before, &after, &got, msg))
		fail_msg("scale, default: %s", msg);
	assert_int_equal(got.xdp, XDP_DROP);
	if (xg_rule_counter(&x->m, SCALE_RULES - 1, &v))
		fail_msg("xg_rule_counter failed");
	assert_int_equal(v.packets, 1);
	xg_ruleset_free(&rs);
	free(before.rules);
	free(after.rules);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_scale),
		cmocka_unit_test(test_xsk_fast),
	};

	return cmocka_run_group_tests_name("rules_prog", tests, group_setup, group_teardown);
}
