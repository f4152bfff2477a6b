/* SPDX-License-Identifier: GPL-2.0 */
/* Build Ethernet frames from a declarative spec: the generator's templates, and the tests
 * (parser, prog, rules), which describe frames as tables of designated initialisers.
 *
 * Zero means "default" wherever a zero on the wire would be useless (IHL, TCP doff, IP
 * version, EtherType, TTL); everything else is written exactly as given. Checksums and
 * length fields are computed. Truncated frames are made by passing a shorter length to
 * the code under test, not by the builder.
 */
#ifndef XG_FRAME_H
#define XG_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XG_FRAME_VLAN_MAX 3 /* one more than the parser walks */
#define XG_FRAME_EXT_MAX 8  /* more than XG_IPV6_EXT_MAX, to test the limit */

enum xg_frame_l3 {
	XG_L3_NONE = 0, /* payload follows the EtherType (ARP, anything else) */
	XG_L3_IPV4,
	XG_L3_IPV6,
};

struct xg_vlan_spec {
	uint16_t tpid; /* 0: 802.1ad for the outer of several tags, 802.1Q otherwise */
	uint16_t vid;  /* 12 bits */
	uint8_t pcp;   /* 3 bits */
};

struct xg_ipv4_spec {
	uint8_t saddr[4]; /* as on the wire: { 10, 0, 0, 1 } */
	uint8_t daddr[4];
	uint8_t ihl;	   /* 0: 5; 6..15 add NOP options; 1..4 write 20 bytes anyway */
	uint8_t version;   /* 0: 4 */
	uint8_t ttl;	   /* 0: 64 */
	uint16_t frag_off; /* in 8-byte units; nonzero means a later fragment */
	bool mf;	   /* more fragments */
};

struct xg_ipv6_ext_spec {
	uint8_t type;	   /* XG_IPPROTO_HOPOPTS, _ROUTING, _FRAGMENT, _DSTOPTS, _AH, _MOBILITY */
	uint8_t hdrlen;	   /* 8-byte units beyond the first 8 (AH: 4-byte units less 2), as on
			    * the wire; ignored for a fragment */
	uint16_t frag_off; /* fragment only: 8-byte units; nonzero means a later fragment */
	bool more;	   /* fragment only: M flag */
};

struct xg_ipv6_spec {
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint8_t version;   /* 0: 6 */
	uint8_t hop_limit; /* 0: 64 */
	uint8_t n_ext;
	struct xg_ipv6_ext_spec ext[XG_FRAME_EXT_MAX]; /* in chain order */
};

struct xg_tcp_spec {
	uint16_t sport; /* host order */
	uint16_t dport;
	uint8_t flags; /* byte 13: FIN=0x01 ... CWR=0x80 */
	uint8_t doff;  /* 0: 5; 6..15 add NOP options; 1..4 write 20 bytes anyway */
};

struct xg_udp_spec {
	uint16_t sport; /* host order */
	uint16_t dport;
};

struct xg_icmp_spec {
	uint8_t type;
	uint8_t code;
};

struct xg_frame_spec {
	uint8_t dst[6];
	uint8_t src[6];
	uint8_t n_vlan;				     /* 0..XG_FRAME_VLAN_MAX */
	struct xg_vlan_spec vlan[XG_FRAME_VLAN_MAX]; /* outermost first */
	uint16_t ethertype;			     /* innermost; 0: from l3 */
	enum xg_frame_l3 l3;
	struct xg_ipv4_spec ip4;
	struct xg_ipv6_spec ip6;
	/* IPv4 protocol / last IPv6 next header. TCP, UDP, ICMP (IPv4) and ICMPv6 (IPv6)
	 * get a header; other values only the payload. A later fragment gets no L4 header. */
	uint8_t l4_proto;
	struct xg_tcp_spec tcp;
	struct xg_udp_spec udp;
	struct xg_icmp_spec icmp;
	const uint8_t *payload; /* NULL: a counting pattern (0, 1, 2, ...) */
	size_t payload_len;
};

/* Where the builder put each header; lengths of headers not present are 0. */
struct xg_frame_layout {
	size_t l3_off;			  /* after the Ethernet header and tags */
	size_t l3_len;			  /* IPv4 with options, or the fixed IPv6 header */
	size_t ext_off[XG_FRAME_EXT_MAX]; /* IPv6 extension headers */
	size_t ext_len[XG_FRAME_EXT_MAX];
	size_t n_ext;  /* written; fewer than spec'd after a later frag */
	size_t l4_off; /* after L3 and extension headers */
	size_t l4_len; /* 0 when no L4 header is written */
	size_t len;    /* the whole frame */
};

/* Compute where every header goes. Returns the frame length, or 0 if the spec is invalid
 * (too many tags or extension headers). */
size_t xg_frame_layout(const struct xg_frame_spec *s, struct xg_frame_layout *lo);

/* Build the frame into buf. Returns its length, or 0 if the spec is invalid or the frame
 * does not fit in cap. */
size_t xg_frame_build(const struct xg_frame_spec *s, uint8_t *buf, size_t cap);

/* Internet checksum pieces: the ones' complement sum of big-endian 16-bit words (an odd
 * last byte padded), and its fold and inversion into the 16-bit checksum. A region that
 * includes a correct checksum folds to 0. */
uint32_t xg_csum_add(uint32_t sum, const uint8_t *p, size_t len);
uint16_t xg_csum_fold(uint32_t sum);
/* RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'): checksum hc after one 16-bit word m of what it
 * covers became m_new. Byte order does not matter as long as all three are read alike. */
uint16_t xg_csum_replace16(uint16_t hc, uint16_t m, uint16_t m_new);

/* True when the spec describes a later fragment (IPv4 offset or an IPv6 fragment header
 * with an offset): such frames carry no L4 header. */
bool xg_frame_is_later_frag(const struct xg_frame_spec *s);

#endif
