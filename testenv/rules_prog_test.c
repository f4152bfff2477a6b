// SPDX-License-Identifier: GPL-2.0
/* Prog layer of the rule engine: the real gate with rule sets compiled by
 * user/rules/compile.c and installed by user/rules/load.c, run with BPF_PROG_RUN
 * (testenv/rules_prog_lib.c).
 *
 *   table         hand-written cases for every field and action: XDP action, the frame
 *                 out (MACs swapped for tx), every gate counter, and which rule counted.
 *
 * rules_prog_diff_test.c has the differential test, the xsk fast path and the 10,000-rule set.
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests_name("rules_prog", tests, rp_group_setup, rp_group_teardown);
}
