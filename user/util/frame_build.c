// SPDX-License-Identifier: GPL-2.0
/* Test fixture: frame builder. Every field is stored byte by byte in network order, so
 * the builder works at any buffer alignment and never relies on the structs under test.
 * Headers go in one pass, outermost first; checksums last, once the lengths are known.
 */
#include <string.h>

#include "common/parse.h"
#include "user/util/frame_build.h"

#define ETH_HDR_LEN 14
#define VLAN_HDR_LEN 4
#define IPV4_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define UDP_HDR_LEN 8
#define ICMP_HDR_LEN 8 /* type, code, checksum and the 4-byte rest (id/seq) */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

uint32_t xg_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

uint16_t xg_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t xg_csum_replace16(uint16_t hc, uint16_t m, uint16_t m_new)
{
	uint32_t sum = (uint16_t)~hc + (uint32_t)(uint16_t)~m + m_new;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

bool xg_frame_is_later_frag(const struct xg_frame_spec *s)
{
	int i;

	if (s->l3 == XG_L3_IPV4)
		return s->ip4.frag_off != 0;
	if (s->l3 != XG_L3_IPV6)
		return false;
	for (i = 0; i < s->ip6.n_ext && i < XG_FRAME_EXT_MAX; i++)
		if (s->ip6.ext[i].type == XG_IPPROTO_FRAGMENT && s->ip6.ext[i].frag_off)
			return true;
	return false;
}

static uint8_t hdr_units(uint8_t v)
{
	return v >= 5 ? v : 5; /* IHL / doff below 5 still write the fixed header */
}

static size_t l4_hdr_len(const struct xg_frame_spec *s)
{
	if (xg_frame_is_later_frag(s))
		return 0;
	switch (s->l4_proto) {
	case IPPROTO_TCP:
		return hdr_units(s->tcp.doff) * 4u;
	case IPPROTO_UDP:
		return UDP_HDR_LEN;
	case IPPROTO_ICMP:
		return s->l3 == XG_L3_IPV4 ? ICMP_HDR_LEN : 0;
	case XG_IPPROTO_ICMPV6:
		return s->l3 == XG_L3_IPV6 ? ICMP_HDR_LEN : 0;
	default:
		return 0;
	}
}

/* IPv6 extension headers up to and including a later fragment header: what follows
 * a later fragment header belongs to the fragmented part and is not built. */
static size_t layout_ext(const struct xg_frame_spec *s, struct xg_frame_layout *lo, size_t off)
{
	int i;

	for (i = 0; i < s->ip6.n_ext; i++) {
		const struct xg_ipv6_ext_spec *e = &s->ip6.ext[i];

		lo->ext_off[i] = off;
		if (e->type == XG_IPPROTO_FRAGMENT)
			lo->ext_len[i] = 8u;
		else if (e->type == XG_IPPROTO_AH)
			lo->ext_len[i] = (e->hdrlen + 2u) * 4u;
		else
			lo->ext_len[i] = (e->hdrlen + 1u) * 8u;
		off += lo->ext_len[i];
		lo->n_ext = i + 1;
		if (e->type == XG_IPPROTO_FRAGMENT && e->frag_off)
			break;
	}
	return off;
}

size_t xg_frame_layout(const struct xg_frame_spec *s, struct xg_frame_layout *lo)
{
	size_t off;

	memset(lo, 0, sizeof(*lo));
	if (s->n_vlan > XG_FRAME_VLAN_MAX || s->ip6.n_ext > XG_FRAME_EXT_MAX)
		return 0;
	off = ETH_HDR_LEN + s->n_vlan * VLAN_HDR_LEN;
	lo->l3_off = off;
	if (s->l3 == XG_L3_IPV4)
		lo->l3_len = hdr_units(s->ip4.ihl) * 4u;
	else if (s->l3 == XG_L3_IPV6)
		lo->l3_len = IPV6_HDR_LEN;
	off += lo->l3_len;
	if (s->l3 == XG_L3_IPV6)
		off = layout_ext(s, lo, off);
	lo->l4_off = off;
	lo->l4_len = s->l3 == XG_L3_NONE ? 0 : l4_hdr_len(s);
	lo->len = off + lo->l4_len + s->payload_len;
	return lo->len;
}

static uint16_t default_ethertype(const struct xg_frame_spec *s)
{
	if (s->ethertype)
		return s->ethertype;
	if (s->l3 == XG_L3_IPV4)
		return XG_ETH_P_IP;
	if (s->l3 == XG_L3_IPV6)
		return XG_ETH_P_IPV6;
	return 0;
}

static void build_eth(const struct xg_frame_spec *s, uint8_t *buf)
{
	uint8_t *p = buf + ETH_HDR_LEN - 2; /* the EtherType/TPID slot */
	int i;

	memcpy(buf, s->dst, 6);
	memcpy(buf + 6, s->src, 6);
	for (i = 0; i < s->n_vlan; i++) {
		const struct xg_vlan_spec *v = &s->vlan[i];
		uint16_t tpid = v->tpid;

		if (!tpid)
			tpid = (i == 0 && s->n_vlan > 1) ? XG_ETH_P_8021AD : XG_ETH_P_8021Q;
		put16(p, tpid);
		put16(p + 2, (uint16_t)((v->pcp & 7) << 13 | (v->vid & 0x0fff)));
		p += VLAN_HDR_LEN;
	}
	put16(p, default_ethertype(s));
}

static void build_ipv4(const struct xg_frame_spec *s, const struct xg_frame_layout *lo,
		       uint8_t *buf)
{
	const struct xg_ipv4_spec *ip = &s->ip4;
	uint8_t *p = buf + lo->l3_off;
	uint8_t ihl = ip->ihl ? ip->ihl : 5;

	p[0] = (uint8_t)((ip->version ? ip->version : 4) << 4 | (ihl & 0x0f));
	p[1] = 0;
	put16(p + 2, (uint16_t)(lo->len - lo->l3_off));
	put16(p + 4, 0x1234);
	put16(p + 6, (uint16_t)((ip->mf ? XG_IP_MF : 0) | (ip->frag_off & XG_IP_OFFMASK)));
	p[8] = ip->ttl ? ip->ttl : 64;
	p[9] = s->l4_proto;
	memcpy(p + 12, ip->saddr, 4);
	memcpy(p + 16, ip->daddr, 4);
	memset(p + IPV4_HDR_LEN, 1, lo->l3_len - IPV4_HDR_LEN); /* NOP options */
	put16(p + 10, 0);
	put16(p + 10, xg_csum_fold(xg_csum_add(0, p, lo->l3_len)));
}

/* Next header value for the header after ext[i]: the next extension, or L4. */
static uint8_t ext_next(const struct xg_frame_spec *s, int i)
{
	return i + 1 < s->ip6.n_ext ? s->ip6.ext[i + 1].type : s->l4_proto;
}

static void build_ext(const struct xg_frame_spec *s, const struct xg_frame_layout *lo, uint8_t *buf,
		      int i)
{
	const struct xg_ipv6_ext_spec *e = &s->ip6.ext[i];
	uint8_t *p = buf + lo->ext_off[i];
	size_t len = lo->ext_len[i];

	memset(p, 0, len);
	p[0] = ext_next(s, i);
	if (e->type == XG_IPPROTO_FRAGMENT) {
		put16(p + 2, (uint16_t)(((e->frag_off << 3) & XG_IP6_OFFMASK) |
					(e->more ? XG_IP6_MF : 0)));
		put32(p + 4, 0x12345678);
		return;
	}
	p[1] = e->hdrlen;
	if (e->type == XG_IPPROTO_HOPOPTS || e->type == XG_IPPROTO_DSTOPTS) {
		/* one PadN option fills the options area, so the header is well-formed */
		p[2] = 1;
		p[3] = (uint8_t)(len - 4);
	}
	if (e->type == XG_IPPROTO_AH) {
		put32(p + 4, 0x1000); /* SPI; sequence number and ICV stay 0 */
		return;
	}
	if (e->type == XG_IPPROTO_MOBILITY) {
		p[2] = 0; /* MH type: binding refresh request; checksum left 0 */
		return;
	}
	/* routing: type 0, segments left 0, which receivers must ignore */
}

static void build_ipv6(const struct xg_frame_spec *s, const struct xg_frame_layout *lo,
		       uint8_t *buf)
{
	const struct xg_ipv6_spec *ip = &s->ip6;
	uint8_t *p = buf + lo->l3_off;
	size_t i;

	put32(p, (uint32_t)(ip->version ? ip->version : 6) << 28);
	put16(p + 4, (uint16_t)(lo->len - lo->l3_off - IPV6_HDR_LEN));
	p[6] = ip->n_ext ? ip->ext[0].type : s->l4_proto;
	p[7] = ip->hop_limit ? ip->hop_limit : 64;
	memcpy(p + 8, ip->saddr, 16);
	memcpy(p + 24, ip->daddr, 16);
	for (i = 0; i < lo->n_ext; i++)
		build_ext(s, lo, buf, (int)i);
}

static void build_l4_hdr(const struct xg_frame_spec *s, uint8_t *p, size_t hlen, size_t l4len)
{
	memset(p, 0, hlen);
	switch (s->l4_proto) {
	case IPPROTO_TCP:
		put16(p, s->tcp.sport);
		put16(p + 2, s->tcp.dport);
		put32(p + 4, 1); /* seq */
		p[12] = (uint8_t)((s->tcp.doff ? s->tcp.doff : 5) << 4);
		p[13] = s->tcp.flags;
		put16(p + 14, 65535);
		memset(p + 20, 1, hlen - 20); /* NOP options */
		break;
	case IPPROTO_UDP:
		put16(p, s->udp.sport);
		put16(p + 2, s->udp.dport);
		put16(p + 4, (uint16_t)l4len);
		break;
	default: /* ICMP, ICMPv6 */
		p[0] = s->icmp.type;
		p[1] = s->icmp.code;
		put32(p + 4, 0x00010001); /* id 1, seq 1 */
		break;
	}
}

/* Checksum of the L4 header and payload, with the pseudo-header where the protocol has
 * one, so generated frames are also accepted by a real stack. Fragments get a checksum
 * over what is present only: nothing reassembles them in our tests. */
static void l4_csum(const struct xg_frame_spec *s, const struct xg_frame_layout *lo, uint8_t *buf)
{
	static const size_t csum_at[256] = {
		[IPPROTO_TCP] = 16,
		[IPPROTO_UDP] = 6,
		[IPPROTO_ICMP] = 2,
		[XG_IPPROTO_ICMPV6] = 2,
	};
	size_t l4len = lo->len - lo->l4_off;
	uint8_t *p = buf + lo->l4_off;
	uint8_t *ip = buf + lo->l3_off;
	uint32_t sum = 0;
	uint16_t c;

	if (s->l3 == XG_L3_IPV4 && s->l4_proto != IPPROTO_ICMP)
		sum = xg_csum_add(0, ip + 12, 8) + s->l4_proto + (uint32_t)l4len;
	else if (s->l3 == XG_L3_IPV6)
		sum = xg_csum_add(0, ip + 8, 32) + s->l4_proto + (uint32_t)l4len;
	c = xg_csum_fold(xg_csum_add(sum, p, l4len));
	if (s->l4_proto == IPPROTO_UDP && c == 0)
		c = 0xffff; /* 0 means "no checksum" in UDP */
	put16(p + csum_at[s->l4_proto], c);
}

static void build_payload(const struct xg_frame_spec *s, uint8_t *p)
{
	size_t i;

	if (s->payload) {
		memcpy(p, s->payload, s->payload_len);
		return;
	}
	for (i = 0; i < s->payload_len; i++)
		p[i] = (uint8_t)i;
}

size_t xg_frame_build(const struct xg_frame_spec *s, uint8_t *buf, size_t cap)
{
	struct xg_frame_layout lo;
	size_t len = xg_frame_layout(s, &lo);

	if (!len || len > cap)
		return 0;
	build_eth(s, buf);
	if (s->l3 == XG_L3_IPV4)
		build_ipv4(s, &lo, buf);
	else if (s->l3 == XG_L3_IPV6)
		build_ipv6(s, &lo, buf);
	build_payload(s, buf + lo.l4_off + lo.l4_len);
	if (lo.l4_len) {
		build_l4_hdr(s, buf + lo.l4_off, lo.l4_len, len - lo.l4_off);
		l4_csum(s, &lo, buf);
	}
	return len;
}
