// SPDX-License-Identifier: GPL-2.0
/* Unit layer: xg_parse_frame() in userspace, over the shared frame table (whole frames
 * and every truncation of each), plus a few literal checks that do not trust the builder.
 *
 * Each frame is copied to the very end of its own heap block, so ASan reports any read
 * past the cut. It starts 2 bytes into the block, as the kernel places packets
 * (NET_IP_ALIGN), so the IP header is 4-byte aligned as parse.h's struct reads expect.
 */
#define _GNU_SOURCE /* asprintf */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/parse.h"
#include "testenv/frame_cases.h"
#include "user/util/frame_build.h"

#define IP_ALIGN 2

/* A heap copy of the first len bytes of frame that ends exactly where the block ends. */
static uint8_t *frame_copy(const uint8_t *frame, size_t len, uint8_t **block)
{
	*block = malloc(IP_ALIGN + len);
	assert_non_null(*block);
	memcpy(*block + IP_ALIGN, frame, len);
	return *block + IP_ALIGN;
}

static int parse_cut(const uint8_t *frame, size_t len, struct xg_pkt *pkt)
{
	uint8_t *block, *data = frame_copy(frame, len, &block);
	int ret;

	memset(pkt, 0, sizeof(*pkt));
	ret = xg_parse_frame(data, data + len, pkt);
	free(block);
	return ret;
}

static size_t build_case(const struct xg_frame_case *c, uint8_t *buf)
{
	size_t len = xg_frame_build(&c->spec, buf, XG_CASE_FRAME_MAX);

	if (!len)
		fail_msg("%s: the builder rejected the spec", c->name);
	return len;
}

static void check_addrs(const struct xg_frame_spec *s, const struct xg_pkt *p)
{
	static const __u32 zero[4];

	if (s->l3 == XG_L3_IPV6) {
		assert_memory_equal(p->saddr, s->ip6.saddr, 16);
		assert_memory_equal(p->daddr, s->ip6.daddr, 16);
		return;
	}
	assert_memory_equal(&p->saddr[0], s->ip4.saddr, 4);
	assert_memory_equal(&p->daddr[0], s->ip4.daddr, 4);
	assert_memory_equal(&p->saddr[1], zero, 12);
	assert_memory_equal(&p->daddr[1], zero, 12);
}

/* L4 fields: set from the header when it was parsed, left zero otherwise. */
static void check_l4(const struct xg_frame_case *c, const struct xg_pkt *p)
{
	const struct xg_frame_spec *s = &c->spec;
	int tcp = c->l4_ok && s->l4_proto == IPPROTO_TCP;
	int udp = c->l4_ok && s->l4_proto == IPPROTO_UDP;
	int icmp = c->l4_ok && !tcp && !udp;

	assert_int_equal(p->l4_ok, c->l4_ok);
	assert_int_equal(p->sport, tcp ? s->tcp.sport : udp ? s->udp.sport : 0);
	assert_int_equal(p->dport, tcp ? s->tcp.dport : udp ? s->udp.dport : 0);
	assert_int_equal(p->tcp_flags, tcp ? s->tcp.flags : 0);
	assert_int_equal(p->icmp_type, icmp ? s->icmp.type : 0);
	assert_int_equal(p->icmp_code, icmp ? s->icmp.code : 0);
}

/* Everything xg_pkt says about a whole frame, derived from its spec and layout. */
static void check_pkt(const struct xg_frame_case *c, const struct xg_pkt *p)
{
	const struct xg_frame_spec *s = &c->spec;
	int l3 = c->outcome == XG_PARSE_IPV4 || c->outcome == XG_PARSE_IPV6 ||
		 c->outcome == XG_PARSE_TRUNC_L4 || c->outcome == XG_PARSE_IPV6_EXT_LIMIT;
	struct xg_frame_layout lo;

	xg_frame_layout(s, &lo);
	assert_int_equal(p->eth_proto, xg_case_eth_proto(s));
	assert_int_equal(p->vlan_depth, s->n_vlan < 2 ? s->n_vlan : 2);
	assert_int_equal(p->vlan_id, s->n_vlan ? s->vlan[0].vid : 0);
	assert_int_equal(p->frag, c->frag);
	if (!l3) {
		assert_int_equal(p->family, 0);
		assert_int_equal(p->l3_off, 0);
		return;
	}
	assert_int_equal(p->family, s->l3 == XG_L3_IPV4 ? 4 : 6);
	assert_int_equal(p->l3_off, lo.l3_off);
	check_addrs(s, p);
	check_l4(c, p);
	if (c->outcome == XG_PARSE_IPV6_EXT_LIMIT) {
		assert_int_equal(p->l4_proto, s->ip6.ext[XG_IPV6_EXT_MAX].type);
		return;
	}
	assert_int_equal(p->l4_proto, s->l4_proto);
	/* a later fragment has no L4 header, so no L4 offset either */
	assert_int_equal(p->l4_off, c->frag == XG_FRAG_LATER ? 0 : lo.l4_off);
}

static void test_case_whole(void **state)
{
	const struct xg_frame_case *c = *state;
	uint8_t buf[XG_CASE_FRAME_MAX];
	size_t len = build_case(c, buf);
	struct xg_pkt pkt;

	/* the model must agree with the table before it is trusted for the cuts */
	assert_int_equal(xg_case_expect(c, len), c->outcome);
	assert_int_equal(parse_cut(buf, len, &pkt), c->outcome);
	check_pkt(c, &pkt);
}

/* Every cut from 0 bytes to the whole frame: the outcome the model predicts, L4 never
 * claimed on a short frame, and once the outcome is final nothing else differs either. */
static void test_case_cuts(void **state)
{
	const struct xg_frame_case *c = *state;
	uint8_t buf[XG_CASE_FRAME_MAX];
	size_t cut, len = build_case(c, buf);
	struct xg_pkt whole, pkt;
	int got, want;

	parse_cut(buf, len, &whole);
	for (cut = 0; cut <= len; cut++) {
		got = parse_cut(buf, cut, &pkt);
		want = xg_case_expect(c, cut);
		if (got != want)
			fail_msg("%s cut at %zu of %zu: outcome %d, want %d", c->name, cut, len,
				 got, want);
		if (got == (int)c->outcome)
			assert_memory_equal(&pkt, &whole, sizeof(pkt));
		else
			assert_int_equal(pkt.l4_ok, 0);
	}
}

/* Offsets and host-order fields as literals, so a builder bug cannot hide a parser bug. */
static void test_literal_vlan_tcp(void **state)
{
	static const uint8_t src[4] = { 10, 0, 0, 1 };
	const struct xg_frame_spec s = {
		.n_vlan = 1,
		.vlan = { { .vid = 0xabc, .pcp = 7 } },
		.l3 = XG_L3_IPV4,
		.ip4 = { .saddr = { 10, 0, 0, 1 } },
		.l4_proto = IPPROTO_TCP,
		.tcp = { .sport = 0x1234, .dport = 0xfedc, .flags = 0xff },
	};
	uint8_t buf[128];
	struct xg_pkt pkt;

	(void)state;
	assert_int_equal(xg_frame_build(&s, buf, sizeof(buf)), 58);
	assert_int_equal(parse_cut(buf, 58, &pkt), XG_PARSE_IPV4);
	assert_int_equal(pkt.vlan_id, 0xabc);
	assert_int_equal(pkt.eth_proto, 0x0800);
	assert_int_equal(pkt.l3_off, 18);
	assert_int_equal(pkt.l4_off, 38);
	assert_int_equal(pkt.sport, 0x1234);
	assert_int_equal(pkt.dport, 0xfedc);
	assert_int_equal(pkt.tcp_flags, 0xff);
	assert_memory_equal(pkt.saddr, src, 4);
}

static void test_literal_qinq_ipv6_ext(void **state)
{
	const struct xg_frame_spec s = {
		.n_vlan = 2,
		.vlan = { { .vid = 0x111 }, { .vid = 0x222 } },
		.l3 = XG_L3_IPV6,
		.ip6 = { .n_ext = 2,
			 .ext = { { .type = XG_IPPROTO_HOPOPTS, .hdrlen = 1 },
				  { .type = XG_IPPROTO_FRAGMENT, .more = true } } },
		.l4_proto = IPPROTO_UDP,
		.udp = { .sport = 0x8001, .dport = 0x0102 },
	};
	uint8_t buf[128];
	struct xg_pkt pkt;

	(void)state;
	assert_int_equal(xg_frame_build(&s, buf, sizeof(buf)), 22 + 40 + 16 + 8 + 8);
	assert_int_equal(buf[12] << 8 | buf[13], 0x88a8); /* outer tag is 802.1ad */
	assert_int_equal(parse_cut(buf, 94, &pkt), XG_PARSE_IPV6);
	assert_int_equal(pkt.vlan_id, 0x111);
	assert_int_equal(pkt.vlan_depth, 2);
	assert_int_equal(pkt.eth_proto, 0x86dd);
	assert_int_equal(pkt.l3_off, 22);
	assert_int_equal(pkt.l4_off, 86);
	assert_int_equal(pkt.frag, XG_FRAG_FIRST);
	assert_int_equal(pkt.sport, 0x8001);
	assert_int_equal(pkt.dport, 0x0102);
}

static const struct xg_frame_case *find_case(const char *name)
{
	size_t i;

	for (i = 0; i < xg_frame_cases_n; i++)
		if (!strcmp(xg_frame_cases[i].name, name))
			return &xg_frame_cases[i];
	fail_msg("no frame case %s", name);
	return NULL;
}

/* Bytes the builder cannot be asked for (IHL 0, any IP version), patched in place. */
static void test_patched_versions(void **state)
{
	const struct xg_frame_case *v4 = find_case("ipv4_tcp"), *v6 = find_case("ipv6_tcp");
	uint8_t buf4[XG_CASE_FRAME_MAX], buf6[XG_CASE_FRAME_MAX];
	size_t len4, len6;
	struct xg_pkt pkt;
	int ver;

	(void)state;
	len4 = build_case(v4, buf4);
	len6 = build_case(v6, buf6);
	for (ver = 0; ver < 16; ver++) {
		buf4[14] = (uint8_t)(ver << 4 | 5);
		assert_int_equal(parse_cut(buf4, len4, &pkt),
				 ver == 4 ? XG_PARSE_IPV4 : XG_PARSE_BAD_IPV4);
		buf6[14] = (uint8_t)(ver << 4);
		assert_int_equal(parse_cut(buf6, len6, &pkt),
				 ver == 6 ? XG_PARSE_IPV6 : XG_PARSE_BAD_IPV6);
	}
	buf4[14] = 0x40; /* IHL 0 */
	assert_int_equal(parse_cut(buf4, len4, &pkt), XG_PARSE_BAD_IPV4);
}

/* The fixture itself: checksums that verify, lengths that add up, bad specs refused. */
static void test_builder(void **state)
{
	const struct xg_frame_spec s = {
		.l3 = XG_L3_IPV4,
		.ip4 = { .saddr = { 1, 2, 3, 4 }, .ihl = 7 },
		.l4_proto = IPPROTO_UDP,
		.payload_len = 11,
	};
	const struct xg_frame_spec bad = { .n_vlan = XG_FRAME_VLAN_MAX + 1 };
	uint8_t buf[128];
	uint32_t sum = 0;
	size_t i;

	(void)state;
	assert_int_equal(xg_frame_build(&s, buf, sizeof(buf)), 14 + 28 + 8 + 11);
	assert_int_equal(xg_frame_build(&s, buf, 14 + 28 + 8 + 10), 0);
	assert_int_equal(xg_frame_build(&bad, buf, sizeof(buf)), 0);
	for (i = 14; i < 14 + 28; i += 2)
		sum += (uint32_t)buf[i] << 8 | buf[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	assert_int_equal(sum, 0xffff); /* a correct header sums to all ones */
	assert_int_equal(buf[16] << 8 | buf[17], 28 + 8 + 11);	  /* IPv4 total length */
	assert_int_equal(buf[42 + 4] << 8 | buf[42 + 5], 8 + 11); /* UDP length */
	assert_int_equal(buf[50], 0);				  /* counting payload */
	assert_int_equal(buf[60], 10);
}

static char *case_name(const char *kind, const struct xg_frame_case *c)
{
	char *name;

	if (asprintf(&name, "%s/%s", kind, c->name) < 0)
		return NULL;
	return name;
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_literal_vlan_tcp),
		cmocka_unit_test(test_literal_qinq_ipv6_ext),
		cmocka_unit_test(test_patched_versions),
		cmocka_unit_test(test_builder),
	};
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
	size_t i, n = nfixed + 2 * xg_frame_cases_n;
	struct CMUnitTest *tests = calloc(n, sizeof(*tests));
	int ret;

	if (!tests)
		return 1;
	memcpy(tests, fixed, sizeof(fixed));
	/* one test per table row and kind, so TAP names the failing frame */
	for (i = 0; i < xg_frame_cases_n; i++) {
		struct CMUnitTest *w = &tests[nfixed + 2 * i], *t = w + 1;
		void *c = (void *)&xg_frame_cases[i];

		*w = (struct CMUnitTest){ case_name("whole", c), test_case_whole, NULL, NULL, c };
		*t = (struct CMUnitTest){ case_name("cuts", c), test_case_cuts, NULL, NULL, c };
	}
	ret = _cmocka_run_group_tests("parse", tests, n, NULL, NULL);
	for (i = nfixed; i < n; i++)
		free((char *)tests[i].name);
	free(tests);
	return ret;
}
