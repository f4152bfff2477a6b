// SPDX-License-Identifier: GPL-2.0
/* Prog layer of the rule engine: the real gate with rule sets compiled by
 * user/rules/compile.c and installed by user/rules/load.c, run with BPF_PROG_RUN
 * (testenv/rules_prog_lib.c).
 *
 *   table         hand-written cases for every field and action: XDP action, the frame
 *                 out (MACs swapped for tx), every gate counter, and which rule counted.
 *   log           `log [every N]`: the ring buffer's records, one in N, on both paths.
 *   revert        the flip back of a --confirm load, with its counters exact.
 *   overdue       a missed deadline honoured by the next change, or dropped if stale.
 *
 * rules_prog_diff_test.c has the differential test, the xsk fast path and the 10,000-rule set.
 * Needs root. If the gate cannot load every test fails and says why: a skipped prog layer
 * would look like a green one.
 */
#define _GNU_SOURCE /* sched_getcpu, CPU_SET */
#include <errno.h>
#include <sched.h>
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
#include "user/rules/apply.h"
#include "user/gate/skel.h"
#include "testenv/rules_prog_lib.h"

#define ARRAY_SIZE(a) RP_ARRAY_SIZE(a)

/* ---- table ---- */

/* clang-format off */
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
	struct rp_ctx *x = rp_ctx_of(state);
	uint8_t buf[IP_ALIGN + FRAME_MAX] __attribute__((aligned(8)));
	uint8_t *f = buf + IP_ALIGN;
	struct snap before, after;
	struct xg_ruleset rs;
	char msg[MSG_MAX];
	struct got got;
	size_t i, len;

	xg_ruleset_init(&rs);
	rp_snap_init(&before);
	rp_snap_init(&after);
	for (i = 0; i < ARRAY_SIZE(tcases); i++) {
		const struct tcase *c = &tcases[i];
		struct xg_pkt pkt = { 0 };
		int ref;

		if (!i || !same_rules(c, &tcases[i - 1])) {
			xg_ruleset_free(&rs);
			rp_parse_lines(c->rules, ARRAY_SIZE(c->rules), &rs);
			rp_install(x, &rs);
			rp_read_snap(x, &before);
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
		if (rp_xdp_of(ref < 0 ? rs.default_verdict : rs.rules[ref].action) != c->xdp)
			fail_msg("%s: table action %s, rule action gives %s", c->name,
				 rp_xdp_name(c->xdp),
				 rp_xdp_name(rp_xdp_of(ref < 0 ? rs.default_verdict
							       : rs.rules[ref].action)));
		if (rp_check_frame(x, &rs, f, len, c->want - 1, &before, &after, &got, msg))
			fail_msg("%s (%zu bytes): %s", c->name, len, msg);
	}
	xg_ruleset_free(&rs);
	free(before.rules);
	free(after.rules);
}

/* ---- the log modifier ---- */

struct log_read {
	struct xg_log_rec rec[64];
	size_t n;
};

static int log_got(void *ctx, void *data, size_t size)
{
	struct log_read *lr = ctx;

	if (size != sizeof(struct xg_log_rec))
		fail_msg("log record of %zu bytes, want %zu", size, sizeof(struct xg_log_rec));
	if (lr->n < ARRAY_SIZE(lr->rec))
		memcpy(&lr->rec[lr->n], data, size);
	lr->n++;
	return 0;
}

/* Run frame f n times on this CPU; XDP action of the last run. */
static __u32 run_frame(struct rp_ctx *x, const uint8_t *f, size_t len, unsigned int n)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f, .data_size_in = (__u32)len, .repeat = 1);

	while (n--)
		if (bpf_prog_test_run_opts(x->prog_fd, &opts))
			fail_msg("BPF_PROG_RUN: %s", strerror(errno));
	return opts.retval;
}

/* One log set, small (the words) or large (the cache): the records of 10 UDP frames of
 * `log every 3`, 2 TCP frames of `log`, 4 long frames and none of the rule without log. */
static void check_log_set(struct rp_ctx *x, struct ring_buffer *rb, struct log_read *lr,
			  size_t pad_rules)
{
	static const struct xg_frame_spec udp = { V4, UDP(1, 9) }, tcp = { V4, TCP(1, 2, 0) },
					  big = { V4, UDP(1, 10), .payload_len = 400 },
					  arp = { ARP };
	uint8_t f[FRAME_MAX], fb[FRAME_MAX], fa[FRAME_MAX];
	size_t len, blen, alen, i, base = pad_rules;
	struct xg_ruleset rs;
	struct xg_config cfg;
	struct xg_rule r;
	char line[64], err[256];
	__u32 key = 0;

	xg_ruleset_init(&rs);
	for (i = 0; i < pad_rules; i++) { /* never match: sport 1 is used below */
		snprintf(line, sizeof(line), "drop proto udp sport %zu", 1000 + i);
		assert_int_equal(xg_rule_parse_line(line, NULL, 0, &r, NULL, err, sizeof(err)), 1);
		assert_int_equal(xg_ruleset_insert(&rs, rs.n, &r), 0);
	}
	static const char *const tail[] = { "drop proto udp dport 9 log every 3",
					    "pass proto tcp log", "pass dport 10 log every 2",
					    "tx ether arp" };
	for (i = 0; i < ARRAY_SIZE(tail); i++) {
		assert_int_equal(xg_rule_parse_line(tail[i], NULL, 0, &r, NULL, err, sizeof(err)),
				 1);
		assert_int_equal(xg_ruleset_insert(&rs, rs.n, &r), 0);
	}
	rp_install(x, &rs);
	assert_int_equal(bpf_map_lookup_elem(x->m.config, &key, &cfg), 0);
	assert_true(cfg.slot[x->slot].flags & XG_SLOT_LOG);
	assert_int_equal(!!(cfg.slot[x->slot].flags & XG_SLOT_SMALL), pad_rules == 0);
	len = xg_frame_build(&udp, f, sizeof(f));
	blen = xg_frame_build(&big, fb, sizeof(fb));
	alen = xg_frame_build(&arp, fa, sizeof(fa));
	assert_int_equal(run_frame(x, f, len, 10), XDP_DROP);
	lr->n = 0;
	ring_buffer__consume(rb);
	assert_int_equal(lr->n, 4); /* frames 1, 4, 7, 10 */
	for (i = 0; i < 4; i++) {
		assert_int_equal(lr->rec[i].rule, base);
		assert_int_equal(lr->rec[i].verdict, XG_VERDICT_DROP);
		assert_int_equal(lr->rec[i].len, len);
		assert_int_equal(lr->rec[i].caplen, len);
		assert_int_equal(lr->rec[i].gen, cfg.slot[x->slot].gen);
		assert_memory_equal(lr->rec[i].data, f, len);
		if (i)
			assert_true(lr->rec[i].ts_ns >= lr->rec[i - 1].ts_ns);
	}
	len = xg_frame_build(&tcp, f, sizeof(f));
	assert_int_equal(run_frame(x, f, len, 2), XDP_PASS);
	assert_int_equal(run_frame(x, fb, blen, 4), XDP_PASS);
	assert_int_equal(run_frame(x, fa, alen, 3), XDP_TX); /* no log on this rule */
	lr->n = 0;
	ring_buffer__consume(rb);
	assert_int_equal(lr->n, 4); /* 2 TCP, long frames 1 and 3 */
	assert_int_equal(lr->rec[0].rule, base + 1);
	assert_int_equal(lr->rec[1].rule, base + 1);
	assert_int_equal(lr->rec[1].verdict, XG_VERDICT_PASS);
	assert_int_equal(lr->rec[2].rule, base + 2);
	assert_int_equal(lr->rec[2].len, blen);
	assert_int_equal(lr->rec[2].caplen, XG_LOG_SNAP);
	assert_memory_equal(lr->rec[2].data, fb, XG_LOG_SNAP);
	assert_int_equal(lr->rec[3].rule, base + 2);
	xg_ruleset_free(&rs);
}

static void test_log(void **state)
{
	struct rp_ctx *x = rp_ctx_of(state);
	static const char *const nolog[] = { "drop proto udp", NULL };
	uint8_t f[FRAME_MAX];
	struct log_read lr = { .n = 0 };
	struct ring_buffer *rb;
	struct xg_ruleset rs;
	cpu_set_t one, was;
	size_t len;

	/* the sample counter is per CPU: stay on one */
	assert_int_equal(sched_getaffinity(0, sizeof(was), &was), 0);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	rb = ring_buffer__new(bpf_map__fd(x->skel->maps.xg_log), log_got, &lr, NULL);
	assert_non_null(rb);
	ring_buffer__consume(rb); /* whatever earlier tests left */
	check_log_set(x, rb, &lr, 0);
	check_log_set(x, rb, &lr, 70);

	/* a set without log writes nothing, and its slot has no log flag */
	rp_parse_lines(nolog, ARRAY_SIZE(nolog), &rs);
	rp_install(x, &rs);
	len = xg_frame_build(&(struct xg_frame_spec){ V4, UDP(1, 9) }, f, sizeof(f));
	assert_int_equal(run_frame(x, f, len, 5), XDP_DROP);
	lr.n = 0;
	ring_buffer__consume(rb);
	assert_int_equal(lr.n, 0);
	xg_ruleset_free(&rs);
	ring_buffer__free(rb);
	sched_setaffinity(0, sizeof(was), &was);
}

/* ---- the revert of a --confirm load ---- */

static __u32 active_gen(struct rp_ctx *x)
{
	struct xg_config cfg;
	__u32 key = 0;

	assert_int_equal(bpf_map_lookup_elem(x->m.config, &key, &cfg), 0);
	return cfg.slot[cfg.active & 1].gen;
}

static __u64 live_packets(struct rp_ctx *x, unsigned int i)
{
	struct xg_counter_val v;

	assert_int_equal(xg_rule_counter(&x->m, i, &v), 0);
	return v.packets;
}

/* Back to the old set by the flip alone, its counters exact: a rule with a twin (same
 * text) in the undone set takes the twin's total; the others keep theirs. */
static void test_revert(void **state)
{
	struct rp_ctx *x = rp_ctx_of(state);
	static const char *const a[] = { "drop proto udp dport 9", "pass proto tcp",
					 "tx ether arp" };
	static const char *const b[] = { "pass proto tcp", "drop proto udp" };
	static const struct xg_frame_spec udp = { V4, UDP(1, 9) }, tcp = { V4, TCP(1, 2, 0) };
	struct xg_ruleset ra, rb, back;
	struct xg_compiled c;
	uint8_t fu[FRAME_MAX], ft[FRAME_MAX];
	size_t lu = xg_frame_build(&udp, fu, sizeof(fu)), lt = xg_frame_build(&tcp, ft, sizeof(ft));
	char text[XG_RULE_TEXT_MAX];
	__u32 gen_a;
	size_t i;

	rp_parse_lines(a, ARRAY_SIZE(a), &ra);
	rp_parse_lines(b, ARRAY_SIZE(b), &rb);
	rp_install(x, &ra);
	gen_a = active_gen(x);
	run_frame(x, fu, lu, 5);
	run_frame(x, ft, lt, 2);
	assert_int_equal(xg_rules_compile(&rb, &c), 0);
	assert_int_equal(xg_rules_install(&x->m, &rb, &c, false), 0);
	xg_compiled_free(&c);
	assert_int_equal(live_packets(x, 0), 2); /* carried from a's twin */
	run_frame(x, fu, lu, 3);
	run_frame(x, ft, lt, 4);
	assert_int_equal(live_packets(x, 0), 6);
	assert_int_equal(live_packets(x, 1), 3);

	assert_int_equal(xg_rules_revert(&x->m, gen_a + 7), -ESTALE); /* not what the slot holds */
	assert_int_equal(xg_rules_revert(&x->m, gen_a), 0);
	assert_int_equal(active_gen(x), gen_a);
	assert_int_equal(xg_rules_read(&x->m, &back), 0);
	assert_int_equal(back.n, ra.n);
	for (i = 0; i < ra.n; i++) {
		xg_rule_format(&back.rules[i], text, sizeof(text));
		assert_string_equal(text, a[i]);
	}
	assert_int_equal(live_packets(x, 0), 5); /* as at the load */
	assert_int_equal(live_packets(x, 1), 6); /* 2 before, 4 counted by its twin */
	assert_int_equal(live_packets(x, 2), 0);
	assert_int_equal(run_frame(x, fu, lu, 1), XDP_DROP); /* a classifies again */
	assert_int_equal(live_packets(x, 0), 6);
	xg_ruleset_free(&back);
	xg_ruleset_free(&ra);
	xg_ruleset_free(&rb);
}

/* A killed timer's deadline, honoured by the next change: a revert when the old set is
 * still in its slot; when it is not (nothing to go back to), the record is dropped, for
 * kept it would refuse every change to come. */
static void test_overdue(void **state)
{
	struct rp_ctx *x = rp_ctx_of(state);
	static const char *const a[] = { "drop proto udp" }, *const b[] = { "pass proto udp" };
	struct xg_gate g = { .ifname = "rp0" };
	struct xg_pending p = { .token = 3, .deadline_ns = 1, .secs = 1 };
	struct xg_ruleset ra, rb;
	__u32 key = 0, gen_a;

	rp_parse_lines(a, ARRAY_SIZE(a), &ra);
	rp_parse_lines(b, ARRAY_SIZE(b), &rb);
	rp_install(x, &ra);
	gen_a = active_gen(x);
	rp_install(x, &rb);
	p.gen = active_gen(x);
	assert_int_equal(xg_apply_overdue(&g, &x->m), 0); /* nothing pending */

	p.prev_gen = gen_a + 7; /* the slot holds another set */
	assert_int_equal(bpf_map_update_elem(x->m.pending, &key, &p, BPF_ANY), 0);
	assert_int_equal(xg_apply_overdue(&g, &x->m), -ETIME);
	assert_int_equal(active_gen(x), p.gen);
	assert_int_equal(xg_pending_read(x->m.pending, &p), 0);
	assert_true(p.token == 0);

	p = (struct xg_pending){
		.token = 5, .deadline_ns = 1, .gen = active_gen(x), .prev_gen = gen_a
	};
	assert_int_equal(bpf_map_update_elem(x->m.pending, &key, &p, BPF_ANY), 0);
	assert_int_equal(xg_apply_overdue(&g, &x->m), -ETIME);
	assert_int_equal(active_gen(x), gen_a);
	assert_int_equal(xg_pending_read(x->m.pending, &p), 0);
	assert_true(p.token == 0);
	xg_ruleset_free(&ra);
	xg_ruleset_free(&rb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_revert),
		cmocka_unit_test(test_overdue),
	};

	return cmocka_run_group_tests_name("rules_prog", tests, rp_group_setup, rp_group_teardown);
}
