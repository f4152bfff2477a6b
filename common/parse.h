/* SPDX-License-Identifier: GPL-2.0 */
/* Frame parser shared by the gate program (BPF) and userspace (reference classifier,
 * tests). Every read is preceded by an `if (ptr + size > end)` check in the form the
 * verifier understands; loops are bounded and unrolled.
 *
 * Byte order of what lands in struct xg_pkt: addresses stay in network order (they are
 * compared as bytes/prefixes); EtherType, VLAN ID and ports are converted to host order.
 */
#ifndef XG_PARSE_H
#define XG_PARSE_H

#ifdef __bpf__
#include <linux/in.h>
#else
#include <netinet/in.h> /* before linux/ipv6.h, so libc-compat suppresses duplicates */
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#endif
#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include "common/endian.h"
#include "common/xdpgate_consts.h"

/* clang (BPF) is asked to unroll the bounded loops; gcc (userspace) does not know the
 * pragma and -Wall -Werror rejects unknown pragmas, and the loops are correct either way. */
#ifdef __clang__
#define XG_UNROLL _Pragma("unroll")
#else
#define XG_UNROLL
#endif

/* Userspace may parse frames at any address (AF_XDP headroom, pcap buffers): read the
 * headers through 1-byte-aligned typedefs there. BPF keeps natural alignment; the
 * verifier allows unaligned packet reads on this architecture. */
#ifdef __bpf__
#define XG_UNALIGNED
#else
#define XG_UNALIGNED __attribute__((aligned(1)))
#endif

#define XG_ETH_P_8021Q 0x8100
#define XG_ETH_P_8021AD 0x88A8
#define XG_ETH_P_IP 0x0800
#define XG_ETH_P_IPV6 0x86DD
#define XG_ETH_P_ARP 0x0806

#define XG_IPPROTO_HOPOPTS 0
#define XG_IPPROTO_ROUTING 43
#define XG_IPPROTO_FRAGMENT 44
#define XG_IPPROTO_ICMPV6 58
#define XG_IPPROTO_DSTOPTS 60
#define XG_IPPROTO_AH 51	/* authentication header: 4-byte length units (RFC 4302) */
#define XG_IPPROTO_MOBILITY 135 /* mobility header (RFC 6275) */

/* IPv4 frag_off, host order: fragment offset in 8-byte units, and More Fragments. */
#define XG_IP_OFFMASK 0x1fff
#define XG_IP_MF 0x2000
/* IPv6 fragment header's frag_off, host order: offset (already in bytes' place) and M. */
#define XG_IP6_OFFMASK 0xfff8
#define XG_IP6_MF 0x0001

/* How far a parse goes: the gate's program for a rule set parses only as deep as its rules
 * read (struct xg_shape); userspace always parses to L4. */
enum xg_depth {
	XG_DEPTH_NONE, /* no header read */
	XG_DEPTH_L2,   /* Ethernet and VLAN tags: the innermost EtherType */
	XG_DEPTH_L3,   /* and the IP header, IPv6 extension headers walked: addresses, protocol */
	XG_DEPTH_L4,   /* and the TCP, UDP or ICMP header */
};

/* What the parser learned about a frame. Zero it before parsing. */
struct xg_pkt {
	__u32 saddr[4]; /* network order; IPv4 uses saddr[0] */
	__u32 daddr[4];
	__u16 eth_proto; /* innermost EtherType, host order */
	__u16 vlan_id;	 /* outer tag's VID, host order; valid when vlan_depth > 0 */
	__u16 sport;	 /* host order; valid when l4_ok and TCP/UDP */
	__u16 dport;
	__u16 l3_off; /* offsets from the start of the frame */
	__u16 l4_off;
	__u8 vlan_depth; /* 0, 1 or 2 tags parsed */
	__u8 family;	 /* 0, 4 or 6 */
	__u8 l4_proto;	 /* IPPROTO_*; for IPv6, after the extension headers */
	__u8 l4_ok;	 /* 1 when the L4 header named by l4_proto was parsed */
	__u8 frag;	 /* enum xg_frag */
	__u8 tcp_flags;	 /* FIN=0x01 ... CWR=0x80, as on the wire (byte 13) */
	__u8 icmp_type;
	__u8 icmp_code;
	/* not the parser's: the rule set's `match` expressions that hold (bit i: expression i),
	 * from the gate's generated program or libpcap (user/rules/match.c); left 0 here */
	__u8 match_bits;
	__u8 ct_state; /* enum xg_ct_state: set by the gate's ct step, never by the parser */
};

struct xg_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* The start of every extension header but the fragment header. */
struct xg_ipv6_opt_hdr {
	__u8 nexthdr;
	__u8 hdrlen; /* in 8-byte units, not counting the first 8 bytes; AH: 4-byte units - 2 */
};

struct xg_ipv6_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset in the upper 13 bits (XG_IP6_OFFMASK), M flag in bit 0 */
	__be32 id;
};

/* type, code, checksum: all ICMP and ICMPv6 messages have at least these. */
struct xg_icmp_min {
	__u8 type;
	__u8 code;
	__be16 csum;
};

/* Header views for reading from a frame (see XG_UNALIGNED). */
typedef struct tcphdr XG_UNALIGNED xg_tcphdr_t;
typedef struct udphdr XG_UNALIGNED xg_udphdr_t;
typedef struct xg_icmp_min XG_UNALIGNED xg_icmp_min_t;
typedef struct iphdr XG_UNALIGNED xg_iphdr_t;
typedef struct ipv6hdr XG_UNALIGNED xg_ipv6hdr_t;
typedef struct xg_ipv6_frag_hdr XG_UNALIGNED xg_ipv6_frag_hdr_t;
typedef struct xg_ipv6_opt_hdr XG_UNALIGNED xg_ipv6_opt_hdr_t;
typedef struct ethhdr XG_UNALIGNED xg_ethhdr_t;
typedef struct xg_vlan_hdr XG_UNALIGNED xg_vlan_hdr_t;

static __always_inline int xg_parse_l4(void *pos, void *end, void *data, struct xg_pkt *p)
{
	p->l4_off = (__u16)(pos - data);
	if (p->l4_proto == IPPROTO_TCP) {
		xg_tcphdr_t *th = pos;

		if ((void *)(th + 1) > end || th->doff < 5)
			return XG_PARSE_TRUNC_L4;
		/* verifier: doff is 4 bits, so the header is at most 60 bytes */
		if (pos + th->doff * 4 > end)
			return XG_PARSE_TRUNC_L4;
		p->sport = xg_ntohs(th->source);
		p->dport = xg_ntohs(th->dest);
		p->tcp_flags = ((__u8 *)th)[13];
		p->l4_ok = 1;
	} else if (p->l4_proto == IPPROTO_UDP) {
		xg_udphdr_t *uh = pos;

		if ((void *)(uh + 1) > end)
			return XG_PARSE_TRUNC_L4;
		p->sport = xg_ntohs(uh->source);
		p->dport = xg_ntohs(uh->dest);
		p->l4_ok = 1;
	} else if ((p->l4_proto == IPPROTO_ICMP && p->family == 4) ||
		   (p->l4_proto == XG_IPPROTO_ICMPV6 && p->family == 6)) {
		xg_icmp_min_t *ih = pos;

		if ((void *)(ih + 1) > end)
			return XG_PARSE_TRUNC_L4;
		p->icmp_type = ih->type;
		p->icmp_code = ih->code;
		p->l4_ok = 1;
	}
	return p->family == 4 ? XG_PARSE_IPV4 : XG_PARSE_IPV6;
}

static __always_inline int xg_parse_ipv4(void *pos, void *end, void *data, struct xg_pkt *p,
					 int depth)
{
	xg_iphdr_t *ip = pos;
	__u16 frag_off;
	__u32 hlen;

	if ((void *)(ip + 1) > end)
		return XG_PARSE_TRUNC_IPV4;
	if (ip->version != 4 || ip->ihl < 5)
		return XG_PARSE_BAD_IPV4;
	hlen = ip->ihl * 4;
	/* verifier: ihl is 4 bits, so options end at most 60 bytes in */
	if (pos + hlen > end)
		return XG_PARSE_TRUNC_IPV4;
	p->family = 4;
	p->l3_off = (__u16)(pos - data);
	p->saddr[0] = ip->saddr;
	p->daddr[0] = ip->daddr;
	p->l4_proto = ip->protocol;
	frag_off = xg_ntohs(ip->frag_off);
	if (frag_off & XG_IP_OFFMASK) {
		p->frag = XG_FRAG_LATER;
		return XG_PARSE_IPV4; /* no L4 header in a later fragment */
	}
	if (frag_off & XG_IP_MF)
		p->frag = XG_FRAG_FIRST;
	if (depth < XG_DEPTH_L4)
		return XG_PARSE_IPV4;
	return xg_parse_l4(pos + hlen, end, data, p);
}

/* Headers walked on the way to L4. ESP (50) is not among them: what follows it is
 * encrypted, so ESP is the frame's L4 protocol. */
static __always_inline int xg_ipv6_is_ext(__u8 nh)
{
	return nh == XG_IPPROTO_HOPOPTS || nh == XG_IPPROTO_ROUTING || nh == XG_IPPROTO_FRAGMENT ||
	       nh == XG_IPPROTO_DSTOPTS || nh == XG_IPPROTO_AH || nh == XG_IPPROTO_MOBILITY;
}

static __always_inline int xg_parse_ipv6(void *pos, void *end, void *data, struct xg_pkt *p,
					 int depth)
{
	xg_ipv6hdr_t *ip6 = pos;
	__u8 nh;
	int i;

	if ((void *)(ip6 + 1) > end)
		return XG_PARSE_TRUNC_IPV6;
	if (ip6->version != 6)
		return XG_PARSE_BAD_IPV6;
	p->family = 6;
	p->l3_off = (__u16)(pos - data);
	__builtin_memcpy(p->saddr, &ip6->saddr, 16);
	__builtin_memcpy(p->daddr, &ip6->daddr, 16);
	nh = ip6->nexthdr;
	pos = ip6 + 1;

	XG_UNROLL
	for (i = 0; i < XG_IPV6_EXT_MAX; i++) {
		if (!xg_ipv6_is_ext(nh))
			break;
		if (nh == XG_IPPROTO_FRAGMENT) {
			xg_ipv6_frag_hdr_t *fh = pos;

			if ((void *)(fh + 1) > end)
				return XG_PARSE_TRUNC_IPV6_EXT;
			nh = fh->nexthdr;
			pos = fh + 1;
			if (xg_ntohs(fh->frag_off) & XG_IP6_OFFMASK) {
				p->l4_proto = nh;
				p->frag = XG_FRAG_LATER;
				return XG_PARSE_IPV6;
			}
			if (xg_ntohs(fh->frag_off) & XG_IP6_MF)
				p->frag = XG_FRAG_FIRST;
		} else {
			xg_ipv6_opt_hdr_t *oh = pos;
			__u32 len;

			/* every such header is at least 8 bytes */
			if (pos + 8 > end)
				return XG_PARSE_TRUNC_IPV6_EXT;
			if (nh == XG_IPPROTO_AH)
				len = (oh->hdrlen + 2) * 4;
			else
				len = (oh->hdrlen + 1) * 8;
			/* verifier: hdrlen is a byte, so len <= 2048 (AH: 1028) */
			if (pos + len > end)
				return XG_PARSE_TRUNC_IPV6_EXT;
			nh = oh->nexthdr;
			pos += len;
		}
	}
	p->l4_proto = nh;
	if (xg_ipv6_is_ext(nh))
		return XG_PARSE_IPV6_EXT_LIMIT;
	if (depth < XG_DEPTH_L4)
		return XG_PARSE_IPV6;
	return xg_parse_l4(pos, end, data, p);
}

/* Parse one frame [data, end) down to depth (enum xg_depth, at least XG_DEPTH_L2; a
 * constant where the verifier should drop the rest). Returns enum xg_parse; fills *p as far
 * as it got. A frame cut short below depth is not seen as truncated. */
static __always_inline int xg_parse_frame_to(void *data, void *end, struct xg_pkt *p, int depth)
{
	xg_ethhdr_t *eth = data;
	void *pos;
	__u16 proto;
	int i;

	if ((void *)(eth + 1) > end)
		return XG_PARSE_TRUNC_ETH;
	proto = xg_ntohs(eth->h_proto);
	pos = eth + 1;

	XG_UNROLL
	for (i = 0; i < 2; i++) {
		xg_vlan_hdr_t *vh = pos;

		if (proto != XG_ETH_P_8021Q && proto != XG_ETH_P_8021AD)
			break;
		if ((void *)(vh + 1) > end)
			return XG_PARSE_TRUNC_VLAN;
		if (i == 0)
			p->vlan_id = xg_ntohs(vh->tci) & 0x0fff;
		p->vlan_depth++;
		proto = xg_ntohs(vh->proto);
		pos = vh + 1;
	}
	p->eth_proto = proto;
	if (depth < XG_DEPTH_L3) /* the outcome as far as the EtherType tells */
		return proto == XG_ETH_P_IP	? XG_PARSE_IPV4
		       : proto == XG_ETH_P_IPV6 ? XG_PARSE_IPV6
		       : proto == XG_ETH_P_ARP	? XG_PARSE_ARP
						: XG_PARSE_OTHER;

	switch (proto) {
	case XG_ETH_P_IP:
		return xg_parse_ipv4(pos, end, data, p, depth);
	case XG_ETH_P_IPV6:
		return xg_parse_ipv6(pos, end, data, p, depth);
	case XG_ETH_P_ARP:
		return XG_PARSE_ARP;
	default:
		return XG_PARSE_OTHER; /* includes a third VLAN tag: not walked */
	}
}

/* The whole parse, to L4. */
static __always_inline int xg_parse_frame(void *data, void *end, struct xg_pkt *p)
{
	return xg_parse_frame_to(data, end, p, XG_DEPTH_L4);
}

#endif
