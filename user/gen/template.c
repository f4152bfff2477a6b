// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "common/gen_marker.h"
#include "common/parse.h"
#include "user/util/frame_build.h"
#include "user/gen/template.h"

static uint8_t l4_proto(enum xg_gen_proto proto, int family)
{
	if (proto == XG_GEN_TCP)
		return IPPROTO_TCP;
	if (proto == XG_GEN_UDP)
		return IPPROTO_UDP;
	return family == 4 ? IPPROTO_ICMP : XG_IPPROTO_ICMPV6;
}

static void fill_spec(const struct xg_gen_frame_req *r, struct xg_frame_spec *s,
		      const uint8_t *payload, size_t payload_len)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->dst, r->dst_mac, 6);
	memcpy(s->src, r->src_mac, 6);
	s->l3 = r->family == 4 ? XG_L3_IPV4 : XG_L3_IPV6;
	if (r->family == 4) {
		memcpy(s->ip4.saddr, r->src, 4);
		memcpy(s->ip4.daddr, r->dst, 4);
	} else {
		memcpy(s->ip6.saddr, r->src, 16);
		memcpy(s->ip6.daddr, r->dst, 16);
	}
	s->l4_proto = l4_proto(r->proto, r->family);
	s->udp.sport = s->tcp.sport = r->sport;
	s->udp.dport = s->tcp.dport = r->dport;
	s->tcp.flags = 0x02;			 /* SYN: what a TCP flood test sends */
	s->icmp.type = r->family == 4 ? 8 : 128; /* echo request */
	s->payload = payload;
	s->payload_len = payload_len;
}

/* Header bytes before the payload, FCS excluded. */
static size_t header_len(enum xg_gen_proto proto, int family)
{
	struct xg_gen_frame_req r = { .proto = proto, .family = family };
	struct xg_frame_layout lo;
	struct xg_frame_spec s;
	static const uint8_t none[1];

	fill_spec(&r, &s, none, 0);
	return xg_frame_layout(&s, &lo);
}

unsigned int xg_gen_min_size(enum xg_gen_proto proto, int family)
{
	return (unsigned int)header_len(proto, family) + XG_GEN_FCS;
}

unsigned int xg_gen_marker_size(enum xg_gen_proto proto, int family)
{
	return xg_gen_min_size(proto, family) + (unsigned int)sizeof(struct xg_gen_marker);
}

static void describe(const struct xg_gen_frame_req *r, const struct xg_frame_layout *fl,
		     size_t payload_len, struct xg_gen_layout *lo)
{
	size_t l3 = fl->l3_off, l4 = fl->l4_off;

	memset(lo, 0, sizeof(*lo));
	if (r->family == 4) {
		lo->saddr_off = (uint16_t)(l3 + 12);
		lo->ip_csum_off = (uint16_t)(l3 + 10);
		lo->saddr_base = xg_ntohl(*(const uint32_t *)r->src);
	} else {
		lo->saddr_off = (uint16_t)(l3 + 8 + 12); /* the address's last word */
		lo->saddr_base = xg_ntohl(*(const uint32_t *)(r->src + 12));
	}
	lo->sport_base = r->sport;
	/* the ICMP echo identifier plays the source port's part */
	lo->sport_off = (uint16_t)(r->proto == XG_GEN_ICMP ? l4 + 4 : l4);
	lo->l4_csum_off = (uint16_t)(l4 + (r->proto == XG_GEN_TCP   ? 16
					   : r->proto == XG_GEN_UDP ? 6
								    : 2));
	lo->l4_csum_has_addr = !(r->proto == XG_GEN_ICMP && r->family == 4);
	lo->udp_csum = r->proto == XG_GEN_UDP;
	if (payload_len >= sizeof(struct xg_gen_marker))
		lo->marker_off = (uint16_t)(l4 + fl->l4_len);
}

size_t xg_gen_build(const struct xg_gen_frame_req *r, uint8_t *buf, struct xg_gen_layout *lo)
{
	uint8_t payload[XG_GEN_MAX_SIZE] = { 0 };
	struct xg_gen_marker *m = (struct xg_gen_marker *)payload;
	size_t hdr = header_len(r->proto, r->family), payload_len, len;
	struct xg_frame_layout fl;
	struct xg_frame_spec s;

	if (r->size > XG_GEN_MAX_SIZE || r->size < hdr + XG_GEN_FCS)
		return 0;
	payload_len = r->size - XG_GEN_FCS - hdr;
	/* the marker of frame 0 goes into the template, so its checksums already cover it */
	if (payload_len >= sizeof(*m))
		m->magic = xg_htons(XG_GEN_MAGIC);
	fill_spec(r, &s, payload, payload_len);
	len = xg_frame_build(&s, buf, XG_GEN_MAX_SIZE);
	if (!len || !xg_frame_layout(&s, &fl))
		return 0;
	describe(r, &fl, payload_len, lo);
	return len;
}
