// SPDX-License-Identifier: GPL-2.0
/* Test fixture: the shared frame table, and a model of how far the parser reads, used to
 * predict the outcome of every truncation of every frame. The model is written from the
 * header formats, not from parse.h, so it is a second opinion rather than a copy.
 */
#include "common/parse.h"
#include "testenv/frame_cases.h"

/* The table reads as one frame per entry; keep it out of the formatter. */
/* clang-format off */
#define MACS .dst = { 0x02, 0, 0, 0, 0, 0x02 }, .src = { 0x02, 0, 0, 0, 0, 0x01 }
#define IP4_ADDRS .saddr = { 10, 0, 0, 1 }, .daddr = { 192, 168, 1, 200 }
#define IP6_ADDRS                                                                        \
	.saddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 },                                \
	.daddr = { 0xfe, 0x80, [8] = 0x02, [14] = 0xab, [15] = 0xcd }

/* Ports and flags chosen so a missing byte swap shows: 0x1234 reads 0x3412 swapped. */
#define TCP_L4 .l4_proto = IPPROTO_TCP, .tcp = { .sport = 0x1234, .dport = 80, .flags = 0x12 }
#define UDP_L4 .l4_proto = IPPROTO_UDP, .udp = { .sport = 0xa0b1, .dport = 53 }
#define ICMP_L4 .l4_proto = IPPROTO_ICMP, .icmp = { .type = 8, .code = 3 }
#define ICMP6_L4 .l4_proto = XG_IPPROTO_ICMPV6, .icmp = { .type = 128, .code = 1 }

#define V4(...) MACS, .l3 = XG_L3_IPV4, .ip4 = { IP4_ADDRS, __VA_ARGS__ }
#define V6(...) MACS, .l3 = XG_L3_IPV6, .ip6 = { IP6_ADDRS, __VA_ARGS__ }

#define EXT(t, l) { .type = XG_IPPROTO_##t, .hdrlen = (l) }
#define FRAG(off, m) { .type = XG_IPPROTO_FRAGMENT, .frag_off = (off), .more = (m) }

#define OK4 .outcome = XG_PARSE_IPV4, .l4_ok = 1
#define OK6 .outcome = XG_PARSE_IPV6, .l4_ok = 1
#define IHL_CASE(n) { "ipv4_ihl" #n "_tcp", { V4(.ihl = n), TCP_L4, .payload_len = 9 }, OK4 }

const struct xg_frame_case xg_frame_cases[] = {
	/* IPv4 */
	{ "ipv4_tcp", { V4(), TCP_L4, .payload_len = 16 }, OK4 },
	{ "ipv4_udp", { V4(), UDP_L4, .payload_len = 5 }, OK4 },
	{ "ipv4_udp_empty", { V4(), UDP_L4 }, OK4 },
	{ "ipv4_icmp", { V4(), ICMP_L4, .payload_len = 8 }, OK4 },
	{ "ipv4_gre_no_l4", { V4(), .l4_proto = 47, .payload_len = 12 },
	  .outcome = XG_PARSE_IPV4 },
	IHL_CASE(6), IHL_CASE(7), IHL_CASE(8), IHL_CASE(9), IHL_CASE(10),
	IHL_CASE(11), IHL_CASE(12), IHL_CASE(13), IHL_CASE(14), IHL_CASE(15),
	{ "ipv4_ihl4", { V4(.ihl = 4), TCP_L4 }, .outcome = XG_PARSE_BAD_IPV4 },
	{ "ipv4_ihl1", { V4(.ihl = 1), UDP_L4 }, .outcome = XG_PARSE_BAD_IPV4 },
	{ "ipv4_version6", { V4(.version = 6), TCP_L4 }, .outcome = XG_PARSE_BAD_IPV4 },
	{ "ipv4_version5_ihl6", { V4(.version = 5, .ihl = 6), UDP_L4 },
	  .outcome = XG_PARSE_BAD_IPV4 },
	{ "ipv4_tcp_doff4", { V4(), .l4_proto = IPPROTO_TCP, .tcp = { .doff = 4 } },
	  .outcome = XG_PARSE_TRUNC_L4 },
	{ "ipv4_tcp_doff15",
	  { V4(), .l4_proto = IPPROTO_TCP, .tcp = { .sport = 1, .dport = 2, .doff = 15 },
	    .payload_len = 3 },
	  OK4 },
	{ "ipv4_frag_first_tcp", { V4(.mf = true), TCP_L4, .payload_len = 24 }, OK4,
	  .frag = XG_FRAG_FIRST },
	{ "ipv4_frag_first_udp_ihl7", { V4(.mf = true, .ihl = 7), UDP_L4, .payload_len = 8 },
	  OK4, .frag = XG_FRAG_FIRST },
	{ "ipv4_frag_later", { V4(.mf = true, .frag_off = 185), TCP_L4, .payload_len = 40 },
	  .outcome = XG_PARSE_IPV4, .frag = XG_FRAG_LATER },
	{ "ipv4_frag_last", { V4(.frag_off = 1), UDP_L4, .payload_len = 3 },
	  .outcome = XG_PARSE_IPV4, .frag = XG_FRAG_LATER },
	{ "ipv4_frag_later_no_payload", { V4(.frag_off = 0x1fff), TCP_L4 },
	  .outcome = XG_PARSE_IPV4, .frag = XG_FRAG_LATER },
	{ "ipv4_frag_off_top_bit", { V4(.frag_off = 0x1000), UDP_L4 },
	  .outcome = XG_PARSE_IPV4, .frag = XG_FRAG_LATER },

	/* VLAN */
	{ "vlan_ipv4_tcp", { V4(), .n_vlan = 1, .vlan = { { .vid = 100, .pcp = 5 } }, TCP_L4 },
	  OK4 },
	{ "qinq_ipv4_udp",
	  { V4(), .n_vlan = 2, .vlan = { { .vid = 200 }, { .vid = 300 } }, UDP_L4 }, OK4 },
	{ "qinq_8100_8100_ipv6_tcp",
	  { V6(), .n_vlan = 2, .vlan = { { .tpid = 0x8100, .vid = 4095 }, { .vid = 1 } },
	    TCP_L4 },
	  OK6 },
	{ "vlan3_ipv4", { V4(), .n_vlan = 3, .vlan = { { .vid = 7 }, { .vid = 8 }, { .vid = 9 } },
			  UDP_L4 },
	  .outcome = XG_PARSE_OTHER },
	{ "vlan_arp", { MACS, .n_vlan = 1, .vlan = { { .vid = 10 } }, .ethertype = XG_ETH_P_ARP,
			.payload_len = 28 },
	  .outcome = XG_PARSE_ARP },
	{ "vlan_ipv6_udp_frag_first",
	  { V6(.n_ext = 1, .ext = { FRAG(0, true) }), .n_vlan = 1, .vlan = { { .vid = 42 } },
	    UDP_L4 },
	  OK6, .frag = XG_FRAG_FIRST },

	/* other EtherTypes, and bodies that do not match theirs */
	{ "arp", { MACS, .ethertype = XG_ETH_P_ARP, .payload_len = 28 },
	  .outcome = XG_PARSE_ARP },
	{ "lldp", { MACS, .ethertype = 0x88cc, .payload_len = 30 }, .outcome = XG_PARSE_OTHER },
	{ "eth_only", { MACS, .ethertype = 0x9000 }, .outcome = XG_PARSE_OTHER },
	{ "ethertype_ip_body_ipv6", { V6(), .ethertype = XG_ETH_P_IP, UDP_L4 },
	  .outcome = XG_PARSE_BAD_IPV4 },
	{ "ethertype_ipv6_body_ipv4", { V4(), .ethertype = XG_ETH_P_IPV6, TCP_L4 },
	  .outcome = XG_PARSE_BAD_IPV6 },

	/* IPv6 */
	{ "ipv6_tcp", { V6(), TCP_L4, .payload_len = 10 }, OK6 },
	{ "ipv6_udp", { V6(), UDP_L4, .payload_len = 1 }, OK6 },
	{ "ipv6_icmpv6", { V6(), ICMP6_L4, .payload_len = 4 }, OK6 },
	{ "ipv6_proto_icmpv4_no_l4", { V6(), .l4_proto = IPPROTO_ICMP, .payload_len = 8 },
	  .outcome = XG_PARSE_IPV6 },
	{ "ipv6_no_next_header", { V6(), .l4_proto = 59 }, .outcome = XG_PARSE_IPV6 },
	{ "ipv6_version4", { V6(.version = 4), UDP_L4 }, .outcome = XG_PARSE_BAD_IPV6 },
	{ "ipv6_tcp_doff4", { V6(), .l4_proto = IPPROTO_TCP, .tcp = { .doff = 4 } },
	  .outcome = XG_PARSE_TRUNC_L4 },
	{ "ipv6_hopopts_tcp", { V6(.n_ext = 1, .ext = { EXT(HOPOPTS, 0) }), TCP_L4 }, OK6 },
	{ "ipv6_routing_udp", { V6(.n_ext = 1, .ext = { EXT(ROUTING, 2) }), UDP_L4 }, OK6 },
	{ "ipv6_dstopts_icmpv6", { V6(.n_ext = 1, .ext = { EXT(DSTOPTS, 1) }), ICMP6_L4 }, OK6 },
	{ "ipv6_hopopts_2k_udp", { V6(.n_ext = 1, .ext = { EXT(HOPOPTS, 255) }), UDP_L4 }, OK6 },
	{ "ipv6_frag_atomic_tcp", { V6(.n_ext = 1, .ext = { FRAG(0, false) }), TCP_L4 }, OK6 },
	{ "ipv6_frag_first_tcp", { V6(.n_ext = 1, .ext = { FRAG(0, true) }), TCP_L4 }, OK6,
	  .frag = XG_FRAG_FIRST },
	{ "ipv6_frag_later_udp",
	  { V6(.n_ext = 1, .ext = { FRAG(100, true) }), UDP_L4, .payload_len = 32 },
	  .outcome = XG_PARSE_IPV6, .frag = XG_FRAG_LATER },
	{ "ipv6_frag_last_tcp", { V6(.n_ext = 1, .ext = { FRAG(8191, false) }), TCP_L4 },
	  .outcome = XG_PARSE_IPV6, .frag = XG_FRAG_LATER },
	{ "ipv6_frag_off_top_bit_udp", { V6(.n_ext = 1, .ext = { FRAG(0x1000, false) }), UDP_L4 },
	  .outcome = XG_PARSE_IPV6, .frag = XG_FRAG_LATER },
	{ "ipv6_hop_routing_frag_dst_tcp",
	  { V6(.n_ext = 4, .ext = { EXT(HOPOPTS, 0), EXT(ROUTING, 1), FRAG(0, true),
				    EXT(DSTOPTS, 0) }),
	    TCP_L4 },
	  OK6, .frag = XG_FRAG_FIRST },
	/* AH counts 4-byte units: hdrlen 4 is 24 bytes, not 40 */
	{ "ipv6_ah_tcp", { V6(.n_ext = 1, .ext = { EXT(AH, 4) }), TCP_L4, .payload_len = 6 }, OK6 },
	{ "ipv6_ah_min_udp", { V6(.n_ext = 1, .ext = { EXT(AH, 0) }), UDP_L4 }, OK6 },
	{ "ipv6_ah_1k_icmpv6", { V6(.n_ext = 1, .ext = { EXT(AH, 255) }), ICMP6_L4 }, OK6 },
	{ "ipv6_ah_esp", { V6(.n_ext = 1, .ext = { EXT(AH, 1) }), .l4_proto = 50,
			   .payload_len = 16 },
	  .outcome = XG_PARSE_IPV6 },
	{ "ipv6_mobility_no_next", { V6(.n_ext = 1, .ext = { EXT(MOBILITY, 1) }), .l4_proto = 59 },
	  .outcome = XG_PARSE_IPV6 },
	{ "ipv6_mobility_udp", { V6(.n_ext = 1, .ext = { EXT(MOBILITY, 2) }), UDP_L4 }, OK6 },
	{ "ipv6_hop_ah_frag_mobility_tcp",
	  { V6(.n_ext = 4, .ext = { EXT(HOPOPTS, 0), EXT(AH, 3), FRAG(0, true),
				    EXT(MOBILITY, 0) }),
	    TCP_L4 },
	  OK6, .frag = XG_FRAG_FIRST },
	{ "ipv6_ah_frag_later_udp",
	  { V6(.n_ext = 2, .ext = { EXT(AH, 2), FRAG(7, false) }), UDP_L4, .payload_len = 8 },
	  .outcome = XG_PARSE_IPV6, .frag = XG_FRAG_LATER },
	{ "ipv6_ext_chain_max_udp",
	  { V6(.n_ext = XG_IPV6_EXT_MAX,
	       .ext = { EXT(HOPOPTS, 0), EXT(DSTOPTS, 1), EXT(ROUTING, 0), FRAG(0, false),
			EXT(DSTOPTS, 0), EXT(DSTOPTS, 2) }),
	    UDP_L4 },
	  OK6 },
	{ "ipv6_ext_chain_max_later_frag",
	  { V6(.n_ext = XG_IPV6_EXT_MAX,
	       .ext = { EXT(HOPOPTS, 0), EXT(DSTOPTS, 0), EXT(ROUTING, 0), EXT(DSTOPTS, 0),
			EXT(DSTOPTS, 0), FRAG(3, true) }),
	    TCP_L4, .payload_len = 8 },
	  .outcome = XG_PARSE_IPV6, .frag = XG_FRAG_LATER },
	{ "ipv6_ext_chain_over_limit",
	  { V6(.n_ext = XG_IPV6_EXT_MAX + 1,
	       .ext = { EXT(HOPOPTS, 0), EXT(DSTOPTS, 0), EXT(ROUTING, 0), EXT(DSTOPTS, 0),
			EXT(DSTOPTS, 0), EXT(DSTOPTS, 0), EXT(DSTOPTS, 0) }),
	    TCP_L4 },
	  .outcome = XG_PARSE_IPV6_EXT_LIMIT },
	{ "ipv6_ext_chain_over_limit_frag_last",
	  { V6(.n_ext = XG_IPV6_EXT_MAX + 1,
	       .ext = { EXT(HOPOPTS, 0), EXT(DSTOPTS, 0), EXT(ROUTING, 0), EXT(DSTOPTS, 0),
			EXT(DSTOPTS, 0), EXT(DSTOPTS, 0), FRAG(0, true) }),
	    UDP_L4 },
	  .outcome = XG_PARSE_IPV6_EXT_LIMIT },
};

/* clang-format on */

const size_t xg_frame_cases_n = sizeof(xg_frame_cases) / sizeof(xg_frame_cases[0]);

unsigned int xg_case_eth_proto(const struct xg_frame_spec *s)
{
	if (s->n_vlan > 2)
		return s->vlan[2].tpid ? s->vlan[2].tpid : XG_ETH_P_8021Q;
	if (s->ethertype)
		return s->ethertype;
	if (s->l3 == XG_L3_IPV4)
		return XG_ETH_P_IP;
	return s->l3 == XG_L3_IPV6 ? XG_ETH_P_IPV6 : 0;
}

/* Bytes of L4 header the parser needs before it reports the L4 fields. */
static size_t l4_need(const struct xg_frame_spec *s)
{
	switch (s->l4_proto) {
	case IPPROTO_TCP:
		/* the fixed header is read before doff is judged */
		return s->tcp.doff > 5 ? s->tcp.doff * 4u : 20u;
	case IPPROTO_UDP:
		return 8;
	case IPPROTO_ICMP:
		return s->l3 == XG_L3_IPV4 ? 4 : 0; /* type, code, checksum */
	case XG_IPPROTO_ICMPV6:
		return s->l3 == XG_L3_IPV6 ? 4 : 0;
	default:
		return 0;
	}
}

static enum xg_parse expect_l4(const struct xg_frame_case *c, const struct xg_frame_layout *lo,
			       size_t len)
{
	if (len < lo->l4_off + l4_need(&c->spec))
		return XG_PARSE_TRUNC_L4;
	return c->outcome;
}

static enum xg_parse expect_ipv4(const struct xg_frame_case *c, const struct xg_frame_layout *lo,
				 size_t len)
{
	if (len < lo->l3_off + 20)
		return XG_PARSE_TRUNC_IPV4;
	if (c->outcome == XG_PARSE_BAD_IPV4)
		return c->outcome; /* judged on the fixed header alone */
	if (len < lo->l3_off + lo->l3_len)
		return XG_PARSE_TRUNC_IPV4;
	if (xg_frame_is_later_frag(&c->spec))
		return c->outcome;
	return expect_l4(c, lo, len);
}

static enum xg_parse expect_ipv6(const struct xg_frame_case *c, const struct xg_frame_layout *lo,
				 size_t len)
{
	size_t i, walked = lo->n_ext < XG_IPV6_EXT_MAX ? lo->n_ext : XG_IPV6_EXT_MAX;

	if (len < lo->l3_off + 40)
		return XG_PARSE_TRUNC_IPV6;
	if (c->outcome == XG_PARSE_BAD_IPV6)
		return c->outcome;
	for (i = 0; i < walked; i++)
		if (len < lo->ext_off[i] + lo->ext_len[i])
			return XG_PARSE_TRUNC_IPV6_EXT;
	/* past the walk limit, or past a later fragment header, nothing more is read */
	if (lo->n_ext > XG_IPV6_EXT_MAX || xg_frame_is_later_frag(&c->spec))
		return c->outcome;
	return expect_l4(c, lo, len);
}

enum xg_parse xg_case_expect(const struct xg_frame_case *c, size_t len)
{
	const struct xg_frame_spec *s = &c->spec;
	size_t tags = s->n_vlan < 2 ? s->n_vlan : 2; /* the parser walks two */
	struct xg_frame_layout lo;

	xg_frame_layout(s, &lo);
	if (len < 14)
		return XG_PARSE_TRUNC_ETH;
	if (len < 14 + 4 * tags)
		return XG_PARSE_TRUNC_VLAN;
	switch (xg_case_eth_proto(s)) {
	case XG_ETH_P_IP:
		return expect_ipv4(c, &lo, len);
	case XG_ETH_P_IPV6:
		return expect_ipv6(c, &lo, len);
	default:
		return c->outcome; /* ARP, others, a third tag: nothing past the type */
	}
}
