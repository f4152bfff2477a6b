// SPDX-License-Identifier: GPL-2.0
/* Unit layer: what rules mean. The reference classifier over frames from the frame
 * builder (whole and cut short), first-match order, editing a rule set, and `rules check`
 * warnings.
 */
#define _GNU_SOURCE /* open_memstream */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/ct_state.h"
#include "common/parse.h"
#include "user/util/frame_build.h"
#include "user/rules/rules.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ERR_MAX 512

/* ---- the reference classifier ---- */

#define IP4(...)          \
	.l3 = XG_L3_IPV4, \
	.ip4 = { .saddr = { 10, 0, 0, 1 }, .daddr = { 192, 168, 1, 1 }, __VA_ARGS__ }
#define IP6(...)                                                                        \
	.l3 = XG_L3_IPV6, .ip6 = { .saddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },       \
				   .daddr = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2 }, \
				   __VA_ARGS__ }
#define TCP(sp, dp, fl) .l4_proto = IPPROTO_TCP, .tcp = { .sport = sp, .dport = dp, .flags = fl }
#define UDP(sp, dp) .l4_proto = IPPROTO_UDP, .udp = { .sport = sp, .dport = dp }
#define ICMP4(t) .l4_proto = IPPROTO_ICMP, .icmp = { .type = t }
#define ICMP6(t) .l4_proto = XG_IPPROTO_ICMPV6, .icmp = { .type = t }
#define TAG(v) .n_vlan = 1, .vlan = { { .vid = v } }
#define QINQ(o, i) .n_vlan = 2, .vlan = { { .vid = o }, { .vid = i } }
#define ARP_FRAME .ethertype = XG_ETH_P_ARP, .payload_len = 28
#define FRAG6(...) .n_ext = 1, .ext = { { .type = XG_IPPROTO_FRAGMENT, __VA_ARGS__ } }
#define EXT6(t, l) .n_ext = 1, .ext = { { .type = XG_IPPROTO_##t, .hdrlen = (l) } }

struct match_case {
	const char *rule;
	struct xg_frame_spec spec;
	size_t cut; /* bytes cut off the end of the frame */
	bool want;
};

static const struct match_case match_cases[] = {
	/* src / dst */
	{ "pass src 10.0.0.0/8", { IP4(), TCP(1, 80, 0) }, 0, true },
	{ "pass src 11.0.0.0/8", { IP4(), TCP(1, 80, 0) }, 0, false },
	{ "pass src 10.0.0.1", { IP4(), TCP(1, 80, 0) }, 0, true },
	{ "pass src 10.0.0.2", { IP4(), TCP(1, 80, 0) }, 0, false },
	{ "pass src 10.0.0.0/31", { IP4(), TCP(1, 80, 0) }, 0, true },
	{ "pass src 10.0.0.0/32", { IP4(), TCP(1, 80, 0) }, 0, false },
	{ "pass dst 192.168.1.0/24", { IP4(), UDP(1, 2) }, 0, true },
	{ "pass dst 192.168.0.0/24", { IP4(), UDP(1, 2) }, 0, false },
	{ "pass src 0.0.0.0/0", { IP4(), UDP(1, 2) }, 0, true },
	{ "pass src 0.0.0.0/0", { IP6(), UDP(1, 2) }, 0, false },
	{ "pass src ::/0", { IP4(), UDP(1, 2) }, 0, false },
	{ "pass src ::/0", { IP6(), UDP(1, 2) }, 0, true },
	{ "pass dst 0.0.0.0/0", { ARP_FRAME }, 0, false },
	{ "pass dst ::/0", { ARP_FRAME }, 0, false },
	{ "pass src ::/0", { IP6(), UDP(1, 2) }, 40 + 8, false }, /* truncated IPv6 header */
	{ "pass src 2001:db8::1", { IP6(), UDP(1, 2) }, 0, true },
	{ "pass src 2001:db8::/127", { IP6(), UDP(1, 2) }, 0, true },
	{ "pass src 2001:db8::/128", { IP6(), UDP(1, 2) }, 0, false },
	{ "pass dst 2001:db8:1::/48", { IP6(), UDP(1, 2) }, 0, true },
	{ "pass dst 2001:db8:2::/48", { IP6(), UDP(1, 2) }, 0, false },
	{ "pass dst 2001:db8::/31", { IP6(), UDP(1, 2) }, 0, true },
	{ "pass dst ::ffff:192.168.1.1", { IP4(), UDP(1, 2) }, 0, false },
	/* proto: an L3 fact, also on later fragments and cut L4 headers */
	{ "pass proto tcp", { IP4(), TCP(1, 2, 0) }, 0, true },
	{ "pass proto tcp", { IP4(), UDP(1, 2) }, 0, false },
	{ "pass proto tcp", { IP4(.frag_off = 10), TCP(1, 2, 0) }, 0, true },
	{ "pass proto tcp", { IP4(), TCP(1, 2, 0) }, 1, true },
	{ "pass proto udp", { IP6(FRAG6(.frag_off = 3)), UDP(1, 2) }, 0, true },
	{ "pass proto 0", { ARP_FRAME }, 0, false },
	{ "pass proto 0", { .ethertype = 0x88cc }, 0, false },
	{ "pass proto 47", { IP4(), .l4_proto = 47 }, 0, true },
	{ "pass proto icmpv6", { IP6(), ICMP6(128) }, 0, true },
	{ "pass proto icmpv6", { IP4(), ICMP4(0) }, 0, false },
	/* AH and Mobility headers are walked: proto is what follows them */
	{ "pass proto tcp dport 80", { IP6(EXT6(AH, 4)), TCP(1234, 80, 0) }, 0, true },
	{ "pass proto 51", { IP6(EXT6(AH, 4)), TCP(1234, 80, 0) }, 0, false },
	{ "pass proto tcp dport 80", { IP6(EXT6(AH, 4)), TCP(1234, 80, 0) }, 1, false },
	{ "pass proto tcp", { IP6(EXT6(AH, 4)), TCP(1234, 80, 0) }, 21, false }, /* cut in AH */
	{ "pass proto 50", { IP6(EXT6(AH, 1)), .l4_proto = 50, .payload_len = 8 }, 0, true },
	{ "pass proto icmpv6 icmp-type echo-request", { IP6(EXT6(AH, 2)), ICMP6(128) }, 0, true },
	{ "pass proto udp sport 7", { IP6(EXT6(MOBILITY, 1)), UDP(7, 9) }, 0, true },
	{ "pass proto 135", { IP6(EXT6(MOBILITY, 1)), .l4_proto = 59 }, 0, false },
	{ "pass proto 59", { IP6(EXT6(MOBILITY, 1)), .l4_proto = 59 }, 0, true },
	{ "pass proto 59", { IP6(EXT6(MOBILITY, 1)), .l4_proto = 59 }, 1, false },
	/* ports: need the TCP or UDP header itself */
	{ "pass dport 80", { IP4(), TCP(1234, 80, 0) }, 0, true },
	{ "pass dport 81", { IP4(), TCP(1234, 80, 0) }, 0, false },
	{ "pass dport 1-79,81-100", { IP4(), TCP(1234, 80, 0) }, 0, false },
	{ "pass dport 1-79,80-80", { IP4(), TCP(1234, 80, 0) }, 0, true },
	{ "pass dport 79-81", { IP6(), UDP(1234, 80) }, 0, true },
	{ "pass sport 1234", { IP4(), TCP(1234, 80, 0) }, 0, true },
	{ "pass sport 80", { IP4(), TCP(1234, 80, 0) }, 0, false },
	{ "pass sport 65535", { IP4(), UDP(65535, 0) }, 0, true },
	{ "pass dport 80", { IP4(.frag_off = 10), TCP(1234, 80, 0) }, 0, false },
	{ "pass dport 80", { IP6(FRAG6(.frag_off = 3)), TCP(1234, 80, 0) }, 0, false },
	{ "pass dport 80", { IP6(FRAG6(.more = true)), TCP(1234, 80, 0) }, 0, true },
	{ "pass dport 80", { IP4(), TCP(1234, 80, 0) }, 1, false },
	{ "pass dport 80", { IP4(), UDP(1234, 80) }, 1, false },
	{ "pass dport 0", { IP4(), ICMP4(8) }, 0, false },
	{ "pass sport 0-65535", { IP4(), .l4_proto = 47 }, 0, false },
	{ "pass sport 0-65535", { ARP_FRAME }, 0, false },
	/* vlan: the outer tag */
	{ "pass vlan 100", { TAG(100), IP4(), UDP(1, 2) }, 0, true },
	{ "pass vlan 100", { IP4(), UDP(1, 2) }, 0, false },
	{ "pass vlan 0", { IP4(), UDP(1, 2) }, 0, false },
	{ "pass vlan 0", { TAG(0), IP4(), UDP(1, 2) }, 0, true },
	{ "pass vlan 100", { QINQ(100, 200), IP4(), UDP(1, 2) }, 0, true },
	{ "pass vlan 200", { QINQ(100, 200), IP4(), UDP(1, 2) }, 0, false },
	{ "pass vlan 4095", { TAG(4095), ARP_FRAME }, 0, true },
	/* ether: the innermost EtherType */
	{ "pass ether ipv4", { QINQ(100, 200), IP4(), UDP(1, 2) }, 0, true },
	{ "pass ether 0x88a8", { QINQ(100, 200), IP4(), UDP(1, 2) }, 0, false },
	{ "pass ether 0x8100", { TAG(5), IP4(), UDP(1, 2) }, 0, false },
	{ "pass ether arp", { ARP_FRAME }, 0, true },
	{ "pass ether arp", { TAG(3), ARP_FRAME }, 0, true },
	{ "pass ether ipv6", { IP4(), UDP(1, 2) }, 0, false },
	{ "pass ether ipv6", { IP6(), UDP(1, 2) }, 40, true },
	{ "pass ether 0x88cc", { .ethertype = 0x88cc, .payload_len = 10 }, 0, true },
	/* tcp-flags */
	{ "pass tcp-flags syn,!ack", { IP4(), TCP(1, 2, 0x02) }, 0, true },
	{ "pass tcp-flags syn,!ack", { IP4(), TCP(1, 2, 0x12) }, 0, false },
	{ "pass tcp-flags syn,!ack", { IP4(), TCP(1, 2, 0x03) }, 0, true },
	{ "pass tcp-flags syn,!ack", { IP4(), TCP(1, 2, 0x10) }, 0, false },
	{ "pass tcp-flags syn,!ack", { IP6(), TCP(1, 2, 0xef) }, 0, true },
	{ "pass tcp-flags !syn", { IP4(), UDP(1, 2) }, 0, false },
	{ "pass tcp-flags !syn", { IP4(), TCP(1, 2, 0) }, 1, false },
	{ "pass tcp-flags !ack", { IP4(.frag_off = 1), TCP(1, 2, 0) }, 0, false },
	{ "pass tcp-flags cwr", { IP4(), TCP(1, 2, 0x80) }, 0, true },
	/* icmp-type: family from the proto */
	{ "pass icmp-type 8", { IP4(), ICMP4(8) }, 0, true },
	{ "pass icmp-type 8", { IP4(), ICMP4(0) }, 0, false },
	{ "pass icmp-type 8", { IP6(), ICMP6(8) }, 0, false },
	{ "pass icmp-type 0", { IP4(), TCP(1, 2, 0) }, 0, false },
	{ "pass icmp-type 0", { IP4(), ICMP4(0) }, 0, true },
	{ "pass icmp-type 8", { IP4(), ICMP4(8) }, 7, false },
	{ "pass proto icmpv6 icmp-type 128", { IP6(), ICMP6(128) }, 0, true },
	{ "pass proto icmpv6 icmp-type 128", { IP4(), ICMP4(128) }, 0, false },
	{ "pass proto icmpv6 icmp-type 128", { IP4(), ICMP6(128) }, 0, false },
	{ "pass proto icmpv6 icmp-type neighbor-solicitation", { IP6(), ICMP6(135) }, 0, true },
	{ "pass proto icmpv6 icmp-type echo-request",
	  { IP6(FRAG6(.more = true)), ICMP6(128) },
	  0,
	  true },
	/* everything at once, and a miss on each */
	{ "pass src 10.0.0.0/8 dst 192.168.1.1 proto tcp sport 1000-2000 dport 80,443 vlan 9 ether "
	  "ipv4 tcp-flags syn,!ack",
	  { TAG(9), IP4(), TCP(1500, 443, 0x02) },
	  0,
	  true },
	{ "pass src 10.0.0.0/8 proto tcp dport 80", { IP4(), TCP(1, 443, 0x02) }, 0, false },
	{ "pass src 10.0.0.0/8 proto tcp dport 443", { IP4(), UDP(1, 443) }, 0, false },
	{ "pass src 10.0.0.0/8 vlan 9 dport 443", { IP4(), TCP(1, 443, 0x02) }, 0, false },
	{ "pass dst 192.168.1.2 dport 443", { IP4(), TCP(1, 443, 0x02) }, 0, false },
	{ "pass", { ARP_FRAME }, 0, true },
	{ "pass", { ARP_FRAME }, 100, true }, /* even a truncated Ethernet header */
};

/* Connection state: the state a frame gets from a lookup's answer (common/ct_state.h, the
 * gate's and the reference's one derivation), and `ct` conditions on it. */
struct ct_case {
	struct xg_frame_spec spec;
	unsigned int found; /* enum xg_ct_found */
	unsigned int want;  /* enum xg_ct_state */
};

static const struct ct_case ct_cases[] = {
	{ { IP4(), TCP(1, 22, 0x02) }, XG_CTF_MISS, XG_CT_NEW },	    /* SYN */
	{ { IP4(), TCP(1, 22, 0x10) }, XG_CTF_MISS, XG_CT_NEW },	    /* bare ACK: loose */
	{ { IP4(), TCP(1, 22, 0x18) }, XG_CTF_MISS, XG_CT_NEW },	    /* PSH is ignored */
	{ { IP4(), TCP(1, 22, 0x12) }, XG_CTF_MISS, XG_CT_INVALID },	    /* SYN-ACK */
	{ { IP4(), TCP(1, 22, 0x11) }, XG_CTF_MISS, XG_CT_INVALID },	    /* FIN-ACK */
	{ { IP4(), TCP(1, 22, 0x04) }, XG_CTF_MISS, XG_CT_INVALID },	    /* RST */
	{ { IP6(), TCP(1, 22, 0x03) }, XG_CTF_ESTABLISHED, XG_CT_INVALID }, /* SYN-FIN */
	{ { IP6(), TCP(1, 22, 0x11) }, XG_CTF_ESTABLISHED, XG_CT_ESTABLISHED },
	{ { IP6(), TCP(1, 22, 0x02) }, XG_CTF_NEW, XG_CT_NEW }, /* a SYN again */
	{ { IP4(), UDP(1, 53) }, XG_CTF_MISS, XG_CT_NEW },
	{ { IP4(), UDP(1, 53) }, XG_CTF_EXPECTED, XG_CT_RELATED },
	{ { IP4(), UDP(1, 53) }, XG_CTF_ESTABLISHED, XG_CT_ESTABLISHED },
	{ { IP4(), ICMP4(8) }, XG_CTF_MISS, XG_CT_NEW },
	{ { IP4(), ICMP4(0) }, XG_CTF_MISS, XG_CT_ESTABLISHED },
	{ { IP4(), ICMP4(3) }, XG_CTF_MISS, XG_CT_INVALID },
	{ { IP4(), ICMP4(3) }, XG_CTF_ESTABLISHED, XG_CT_RELATED },
	{ { IP4(), ICMP4(9) }, XG_CTF_ESTABLISHED, XG_CT_INVALID }, /* router advertisement */
	{ { IP6(), ICMP6(128) }, XG_CTF_MISS, XG_CT_NEW },
	{ { IP6(), ICMP6(129) }, XG_CTF_MISS, XG_CT_ESTABLISHED },
	{ { IP6(), ICMP6(2) }, XG_CTF_NEW, XG_CT_RELATED },
	{ { IP6(), ICMP6(135) }, XG_CTF_ESTABLISHED, XG_CT_NONE }, /* ND: untracked */
	{ { IP4(), .l4_proto = 47 }, XG_CTF_ESTABLISHED, XG_CT_NONE },
	{ { ARP_FRAME }, XG_CTF_ESTABLISHED, XG_CT_NONE },
};

/* Parse spec's frame, less cut bytes, from the very end of a heap block (ASan). */
static int parse_spec(const struct xg_frame_spec *s, size_t cut, struct xg_pkt *pkt)
{
	uint8_t buf[512], *block;
	size_t len = xg_frame_build(s, buf, sizeof(buf));
	int ret;

	assert_true(len > 0);
	len = cut < len ? len - cut : 0;
	block = malloc(len + 1);
	assert_non_null(block);
	memcpy(block + 1, buf, len);
	memset(pkt, 0, sizeof(*pkt));
	ret = xg_parse_frame(block + 1, block + 1 + len, pkt);
	free(block);
	return ret;
}

static void test_matches(void **state)
{
	char err[ERR_MAX];
	struct xg_pkt pkt;
	struct xg_rule r;
	size_t i;
	int outcome;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(match_cases); i++) {
		const struct match_case *m = &match_cases[i];

		if (xg_rule_parse_line(m->rule, NULL, 0, &r, NULL, err, sizeof(err)) != 1)
			fail_msg("case %zu '%s': %s", i, m->rule, err);
		outcome = parse_spec(&m->spec, m->cut, &pkt);
		if (xg_rule_matches(&r, &pkt) != m->want)
			fail_msg("case %zu '%s' (cut %zu, outcome %d): match %d, want %d", i,
				 m->rule, m->cut, outcome, !m->want, m->want);
	}
}

static void test_ct(void **state)
{
	static const char *const rules[] = { NULL, "pass ct new", "pass ct established",
					     "pass ct related", "pass ct invalid" };
	char err[ERR_MAX];
	struct xg_rule r;
	struct xg_pkt pkt;
	unsigned int s;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ct_cases); i++) {
		const struct ct_case *c = &ct_cases[i];

		parse_spec(&c->spec, 0, &pkt);
		pkt.ct_state = (__u8)xg_ct_state_of(&pkt, c->found);
		if (pkt.ct_state != c->want)
			fail_msg("ct case %zu: state %u, want %u", i, pkt.ct_state, c->want);
		/* the condition holds for the frame's state alone; no state meets none */
		for (s = 1; s < XG_CT_STATE_MAX; s++) {
			if (xg_rule_parse_line(rules[s], NULL, 0, &r, NULL, err, sizeof(err)) != 1)
				fail_msg("%s", err);
			if (xg_rule_matches(&r, &pkt) != (s == c->want))
				fail_msg("ct case %zu: '%s' %s", i, rules[s],
					 s == c->want ? "does not match" : "matches");
		}
	}
}

/* Helper: a rule set from lines (line numbers from 1), default from `default` lines. */
static void build_set(struct xg_ruleset *rs, const char *text)
{
	char line[1024], err[ERR_MAX];
	const char *p = text, *nl;
	unsigned int lineno = 0;
	struct xg_rule r;
	uint32_t def;
	size_t len;
	int ret;

	xg_ruleset_init(rs);
	while (*p) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		assert_true(len < sizeof(line));
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl ? 1 : 0);
		ret = xg_rule_parse_line(line, "x.conf", ++lineno, &r, &def, err, sizeof(err));
		if (ret < 0)
			fail_msg("%s", err);
		if (ret == 1)
			assert_int_equal(xg_ruleset_insert(rs, rs->n, &r), 0);
		if (ret == 2)
			rs->default_verdict = def;
	}
}

struct order_case {
	struct xg_frame_spec spec;
	int want;
};

static void test_first_match(void **state)
{
	static const struct order_case cases[] = {
		{ { IP4(), TCP(1, 2, 0) }, 0 },
		{ { .l3 = XG_L3_IPV4, .ip4 = { .saddr = { 10, 0, 0, 2 } }, UDP(1, 2) }, 1 },
		{ { .l3 = XG_L3_IPV4, .ip4 = { .saddr = { 11, 0, 0, 2 } }, UDP(1, 2) }, 2 },
		{ { IP6(), UDP(1, 2) }, 2 },
		{ { IP6(), TCP(1, 2, 0) }, 3 },
		{ { ARP_FRAME }, -1 },
	};
	struct xg_ruleset rs;
	struct xg_pkt pkt;
	size_t i;

	(void)state;
	build_set(&rs, "pass src 10.0.0.1\ndrop src 10.0.0.0/8\n# c\ntx proto udp\nxsk proto tcp\n"
		       "redirect eth0 src 10.0.0.1");
	assert_int_equal(rs.n, 5);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		parse_spec(&cases[i].spec, 0, &pkt);
		assert_int_equal(xg_rules_classify(&rs, &pkt), cases[i].want);
	}
	xg_ruleset_free(&rs);
	assert_int_equal(xg_rules_classify(&rs, &pkt), -1);
}

/* Insert and delete against a plain array of line numbers as the model. */
static void test_ruleset_edit(void **state)
{
	unsigned int model[128];
	struct xg_ruleset rs;
	struct xg_rule r;
	size_t i, at, n = 0;

	(void)state;
	xg_ruleset_init(&rs);
	assert_int_equal(rs.default_verdict, XG_VERDICT_PASS);
	memset(&r, 0, sizeof(r));
	assert_int_equal(xg_ruleset_insert(&rs, 1, &r), -EINVAL);
	assert_int_equal(xg_ruleset_delete(&rs, 0), -EINVAL);
	for (i = 0; i < 40; i++) {
		at = (i * 7) % (n + 1);
		r.line = (unsigned int)i;
		assert_int_equal(xg_ruleset_insert(&rs, at, &r), 0);
		memmove(&model[at + 1], &model[at], (n - at) * sizeof(model[0]));
		model[at] = r.line;
		n++;
	}
	for (i = 0; i < 10; i++) {
		at = (i * 5) % n;
		assert_int_equal(xg_ruleset_delete(&rs, at), 0);
		memmove(&model[at], &model[at + 1], (n - at - 1) * sizeof(model[0]));
		n--;
	}
	/* a copy of a rule already in the set, inserted while the array has to grow */
	while (rs.n < rs.cap) {
		assert_int_equal(xg_ruleset_insert(&rs, rs.n, &rs.rules[0]), 0);
		model[n++] = model[0];
	}
	assert_int_equal(xg_ruleset_insert(&rs, 0, &rs.rules[rs.n - 1]), 0);
	memmove(&model[1], &model[0], n * sizeof(model[0]));
	n++;
	assert_int_equal(rs.n, n);
	for (i = 0; i < n; i++)
		assert_int_equal(rs.rules[i].line, model[i]);
	assert_int_equal(xg_ruleset_delete(&rs, rs.n), -EINVAL);
	while (rs.n < XG_RULES_MAX)
		assert_int_equal(xg_ruleset_insert(&rs, rs.n, &r), 0);
	assert_int_equal(xg_ruleset_insert(&rs, 0, &r), -E2BIG);
	xg_ruleset_free(&rs);
	assert_int_equal(rs.n, 0);
	assert_null(rs.rules);
}

/* ---- rules check ---- */

struct check_case {
	const char *rules, *out;
	int warnings;
};

#define LOCKOUT_ND                                                                                \
	"x.conf: warning: default drop blocks IPv6 neighbour discovery (neighbor-solicitation)\n" \
	"x.conf: warning: default drop blocks IPv6 neighbour discovery (neighbor-advertisement)\n"

static const struct check_case check_cases[] = {
	{ "", "", 0 },
	{ "drop src 10.0.0.0/8\npass src 10.1.0.0/16 proto tcp",
	  "x.conf:2: warning: rule 2 can never match: rule 1 (line 1) covers it\n", 1 },
	{ "pass src 10.1.0.0/16\ndrop src 10.0.0.0/8", "", 0 },
	{ "pass src 10.0.0.0/8\npass src 10.0.0.0/7", "", 0 },
	{ "pass src 10.0.0.0/8\npass src 10.0.0.0/8",
	  "x.conf:2: warning: rule 2 can never match: "
	  "rule 1 (line 1) covers it\n",
	  1 },
	{ "pass src ::/0\npass src 10.0.0.0/8", "", 0 },
	{ "pass dst 2001:db8::/32\n# c\npass dst 2001:db8:ff00::/40 dport 22",
	  "x.conf:3: warning: rule 2 can never match: rule 1 (line 1) covers it\n", 1 },
	{ "pass dport 1-1000\ndrop proto tcp dport 22,80-90",
	  "x.conf:2: warning: rule 2 can never match: rule 1 (line 1) covers it\n", 1 },
	{ "pass dport 1-10,11-20,30\ndrop dport 5-20,30",
	  "x.conf:2: warning: rule 2 can never match: rule 1 (line 1) covers it\n", 1 },
	{ "pass dport 1-10,12-20\ndrop dport 5-20", "", 0 },
	{ "pass dport 0-65535\ndrop dport 65535",
	  "x.conf:2: warning: rule 2 can never match: rule "
	  "1 (line 1) covers it\n",
	  1 },
	{ "pass dport 80\ntx", "", 0 }, /* no port set is wider than none */
	{ "pass proto tcp dport 80\npass dport 80", "", 0 },
	{ "pass proto tcp\npass tcp-flags syn",
	  "x.conf:2: warning: rule 2 can never match: rule 1 "
	  "(line 1) covers it\n",
	  1 },
	{ "pass proto udp\npass tcp-flags syn", "", 0 },
	{ "pass tcp-flags syn\ndrop tcp-flags syn,!ack",
	  "x.conf:2: warning: rule 2 can never match: rule 1 (line 1) covers it\n", 1 },
	{ "pass tcp-flags syn,!ack\ndrop tcp-flags syn", "", 0 },
	{ "pass tcp-flags !ack\ndrop tcp-flags ack", "", 0 },
	{ "pass proto icmp\ndrop icmp-type 8",
	  "x.conf:2: warning: rule 2 can never match: rule 1 "
	  "(line 1) covers it\n",
	  1 },
	{ "pass proto icmp\ndrop proto icmpv6 icmp-type 8", "", 0 },
	{ "pass icmp-type 8\ndrop proto icmp icmp-type 8",
	  "x.conf:2: warning: rule 2 can never match: rule 1 (line 1) covers it\n", 1 },
	{ "pass icmp-type 8\ndrop proto icmpv6 icmp-type 8", "", 0 },
	{ "pass vlan 5\npass vlan 5 ether ipv4\npass vlan 6\npass ether ipv4\npass ether ipv4 "
	  "vlan 6",
	  "x.conf:2: warning: rule 2 can never match: rule 1 (line 1) covers it\n"
	  "x.conf:5: warning: rule 5 can never match: rule 3 (line 3) covers it\n",
	  2 },
	/* a cover by several rules together is not detected */
	{ "pass dport 1-100\npass dport 101-200\npass dport 50-150", "", 0 },
	/* ARP and neighbour discovery */
	{ "default drop", "x.conf: warning: default drop blocks ARP\n" LOCKOUT_ND, 3 },
	{ "pass ether arp\npass proto icmpv6 icmp-type neighbor-solicitation\npass proto icmpv6 "
	  "icmp-type neighbor-advertisement\ndefault drop",
	  "", 0 },
	{ "pass proto icmpv6\ndefault drop", "x.conf: warning: default drop blocks ARP\n", 1 },
	{ "pass src fe80::/10\ndefault drop", "x.conf: warning: default drop blocks ARP\n", 1 },
	{ "tx ether arp\npass ether ipv6\ndefault drop", "", 0 },
	{ "drop ether arp\npass", "x.conf:1: warning: rule 1 drops ARP\n", 1 },
	{ "pass dst 10.0.0.0/8\ndrop\n",
	  "x.conf:2: warning: rule 2 drops ARP\n"
	  "x.conf:2: warning: rule 2 drops IPv6 neighbour discovery (neighbor-solicitation)\n"
	  "x.conf:2: warning: rule 2 drops IPv6 neighbour discovery (neighbor-advertisement)\n",
	  3 },
	{ "drop vlan 5\ndrop proto tcp\ndefault drop\npass ether arp\npass ether ipv6", "", 0 },
	{ "drop\npass ether arp\npass proto icmpv6",
	  "x.conf:2: warning: rule 2 can never match: rule 1 (line 1) covers it\n"
	  "x.conf:3: warning: rule 3 can never match: rule 1 (line 1) covers it\n"
	  "x.conf:1: warning: rule 1 drops ARP\n"
	  "x.conf:1: warning: rule 1 drops IPv6 neighbour discovery (neighbor-solicitation)\n"
	  "x.conf:1: warning: rule 1 drops IPv6 neighbour discovery (neighbor-advertisement)\n",
	  5 },
	/* log: every frame, with no condition */
	{ "pass ether arp\npass log",
	  "x.conf:2: warning: rule 2 logs every frame, with no condition ('log every N' samples "
	  "one in N)\n",
	  1 },
	{ "pass ether arp log\npass log every 1000", "", 0 },
	/* ct: a rule admitting every state another admits covers it */
	{ "pass ether arp\npass ct established,new\npass ct new",
	  "x.conf:3: warning: rule 3 can never match: rule 2 (line 2) covers it\n", 1 },
	{ "pass ether arp\npass ct new\npass ct established,new", "", 0 },
};

static void test_check(void **state)
{
	struct xg_ruleset rs;
	size_t i, len;
	char *out;
	FILE *f;
	int n;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(check_cases); i++) {
		const struct check_case *c = &check_cases[i];

		build_set(&rs, c->rules);
		f = open_memstream(&out, &len);
		assert_non_null(f);
		n = xg_rules_check(&rs, "x.conf", f);
		fclose(f);
		if (strcmp(out, c->out) || n != c->warnings)
			fail_msg("case %zu: %d warnings:\n%s\nwant %d:\n%s", i, n, out, c->warnings,
				 c->out);
		free(out);
		xg_ruleset_free(&rs);
	}
}

/* Rules from the command line have no file or line. */
static void test_check_no_file(void **state)
{
	struct xg_ruleset rs;
	struct xg_rule r;
	char err[ERR_MAX], *out;
	size_t len;
	FILE *f;

	(void)state;
	xg_ruleset_init(&rs);
	rs.default_verdict = XG_VERDICT_DROP;
	assert_int_equal(xg_rule_parse_line("pass", NULL, 0, &r, NULL, err, sizeof(err)), 1);
	assert_int_equal(xg_ruleset_insert(&rs, 0, &r), 0);
	assert_int_equal(xg_ruleset_insert(&rs, 0, &r), 0);
	f = open_memstream(&out, &len);
	assert_non_null(f);
	assert_int_equal(xg_rules_check(&rs, NULL, f), 1);
	fclose(f);
	assert_string_equal(out, "warning: rule 2 can never match: rule 1 covers it\n");
	free(out);
	xg_ruleset_free(&rs);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches),	      cmocka_unit_test(test_first_match),
		cmocka_unit_test(test_ruleset_edit),  cmocka_unit_test(test_check),
		cmocka_unit_test(test_check_no_file), cmocka_unit_test(test_ct),
	};

	return cmocka_run_group_tests_name("rules_match", tests, NULL, NULL);
}
