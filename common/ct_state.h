/* SPDX-License-Identifier: GPL-2.0 */
/* Connection state (`ct STATE`, docs/conntrack.md): the frame's state as nftables' `ct state`
 * names it, derived from the kernel's conntrack entry of the frame (looked up by the gate with
 * bpf_xdp_ct_lookup) or from the frame alone where no entry exists yet. One derivation, shared
 * by the gate and the tests' reference: the rule language's meaning of each state is in
 * user/rules/ref.c; this file says which state a frame is in.
 *
 * The kfuncs look up TCP and UDP tuples only. So:
 *   - TCP, UDP: the frame's own tuple. A hit is `established` once the entry has seen a reply
 *     or the frame goes the reply way, `related` for an expected connection (a helper's
 *     expectation), else `new` (a retransmitted SYN, a second UDP request before any answer).
 *     A miss is what conntrack makes of a first packet: `new` for UDP, for a TCP SYN and for
 *     a bare ACK (nf_conntrack_tcp_loose=1, the default, picks such flows up); `invalid` for
 *     any other TCP segment (SYN-ACK, FIN, RST without an entry), as for a TCP flag
 *     combination conntrack refuses whatever the entry.
 *   - ICMP and ICMPv6 errors (unreachable, time exceeded, parameter problem, packet too big):
 *     `related` when the TCP/UDP header they quote belongs to an entry, else `invalid`.
 *   - ICMP queries and replies: no lookup exists for their tuple, so the type decides: a
 *     query (echo, timestamp, information, address mask, node information) is `new`, a reply
 *     `established`. A reply nobody asked for is therefore `established` here and `invalid`
 *     for nftables (docs/conntrack.md, "Where the gate differs").
 *   - ICMPv6 neighbour discovery and MLD: untracked for conntrack too; no state.
 *   - Frames without IP, later fragments and other protocols: no state (XG_CT_NONE), which no
 *     `ct` condition matches. */
#ifndef XG_CT_STATE_H
#define XG_CT_STATE_H

#include <linux/types.h>

#include "common/parse.h"
#include "common/xdpgate_rules.h"

enum xg_ct_state {
	XG_CT_NONE = 0, /* nothing to look up: matches no `ct` condition */
	XG_CT_NEW,
	XG_CT_ESTABLISHED,
	XG_CT_RELATED,
	XG_CT_INVALID,
	XG_CT_STATE_MAX,
};
_Static_assert(XG_CT_STATE_MAX == XG_CT_VALUES && XG_CNT_CT + XG_CT_STATE_MAX == XG_CNT_CT_ERROR,
	       "one EC array entry and one counter per state");

/* The gate's rodata xg_ct_mode, set at load: no ct code, the kernel's conntrack, or (tests)
 * the lookup's answer from a map. */
#define XG_CT_MODE_OFF 0
#define XG_CT_MODE_KERNEL 1
#define XG_CT_MODE_INJECT 2

/* What a lookup found (the gate: bpf_xdp_ct_lookup; tests: injected). */
enum xg_ct_found {
	XG_CTF_MISS = 0,    /* no entry (or the lookup failed: counted apart) */
	XG_CTF_NEW,	    /* an entry, frame in the original direction, no reply seen yet */
	XG_CTF_ESTABLISHED, /* an entry that saw a reply, or the frame goes the reply way */
	XG_CTF_EXPECTED,    /* an expected entry (IPS_EXPECTED), no reply seen yet */
	XG_CTF_MAX,
};

/* conntrack's status bits (include/uapi/linux/netfilter/nf_conntrack_common.h) */
#define XG_IPS_EXPECTED 0x1
#define XG_IPS_SEEN_REPLY 0x2

/* An entry's answer from its status and the frame's direction (1: reply). */
static __always_inline __u32 xg_ct_found_of(__u64 status, __u32 reply)
{
	if (reply || (status & XG_IPS_SEEN_REPLY))
		return XG_CTF_ESTABLISHED;
	return status & XG_IPS_EXPECTED ? XG_CTF_EXPECTED : XG_CTF_NEW;
}

/* What needs a lookup: the frame's tuple, the tuple an ICMP error quotes, or nothing. */
enum xg_ct_need {
	XG_CTN_NONE = 0, /* no state */
	XG_CTN_OWN,	 /* TCP/UDP: the frame's own tuple */
	XG_CTN_INNER,	 /* an ICMP error: the TCP/UDP tuple it quotes */
	XG_CTN_QUERY,	 /* ICMP query: new, no lookup */
	XG_CTN_REPLY,	 /* ICMP reply: established, no lookup */
	XG_CTN_INVALID,	 /* any other ICMP type: invalid, as conntrack's icmp_error() */
};

/* TCP flags as conntrack's tcp_valid_flags() takes them (PSH, ECE, CWR ignored) */
#define XG_TCP_FIN 0x01
#define XG_TCP_SYN 0x02
#define XG_TCP_RST 0x04
#define XG_TCP_ACK 0x10
#define XG_TCP_URG 0x20
static __always_inline int xg_ct_tcp_flags_ok(__u8 f)
{
	f &= XG_TCP_FIN | XG_TCP_SYN | XG_TCP_RST | XG_TCP_ACK | XG_TCP_URG;
	return f == XG_TCP_SYN || f == (XG_TCP_SYN | XG_TCP_URG) ||
	       f == (XG_TCP_SYN | XG_TCP_ACK) || f == XG_TCP_RST ||
	       f == (XG_TCP_RST | XG_TCP_ACK) || f == (XG_TCP_FIN | XG_TCP_ACK) ||
	       f == (XG_TCP_FIN | XG_TCP_ACK | XG_TCP_URG) || f == XG_TCP_ACK ||
	       f == (XG_TCP_ACK | XG_TCP_URG);
}

static __always_inline __u32 xg_ct_icmp4_need(__u8 type)
{
	switch (type) {
	case 8:
	case 13:
	case 15:
	case 17: /* echo, timestamp, info, address mask requests */
		return XG_CTN_QUERY;
	case 0:
	case 14:
	case 16:
	case 18:
		return XG_CTN_REPLY;
	case 3:
	case 4:
	case 5:
	case 11:
	case 12: /* unreachable ... parameter problem */
		return XG_CTN_INNER;
	default:
		return XG_CTN_INVALID;
	}
}

static __always_inline __u32 xg_ct_icmp6_need(__u8 type)
{
	if (type >= 1 && type <= 4)
		return XG_CTN_INNER;
	if (type == 128 || type == 139)
		return XG_CTN_QUERY;
	if (type == 129 || type == 140)
		return XG_CTN_REPLY;
	if ((type >= 130 && type <= 136) || type == 143)
		return XG_CTN_NONE; /* MLD, neighbour discovery: untracked */
	return XG_CTN_INVALID;
}

/* What the frame needs looked up (XG_CTN_OWN for TCP/UDP: its own tuple). */
static __always_inline __u32 xg_ct_need(const struct xg_pkt *p)
{
	if ((p->family != 4 && p->family != 6) || !p->l4_ok)
		return XG_CTN_NONE;
	if (p->l4_proto == IPPROTO_TCP || p->l4_proto == IPPROTO_UDP)
		return XG_CTN_OWN;
	if (p->family == 4 && p->l4_proto == IPPROTO_ICMP)
		return xg_ct_icmp4_need(p->icmp_type);
	if (p->family == 6 && p->l4_proto == XG_IPPROTO_ICMPV6)
		return xg_ct_icmp6_need(p->icmp_type);
	return XG_CTN_NONE;
}

/* The frame's state, given what the lookup xg_ct_need() asked for found (XG_CTF_MISS when
 * it asked none). */
static __always_inline __u32 xg_ct_state_of(const struct xg_pkt *p, __u32 found)
{
	__u32 need = xg_ct_need(p);

	switch (need) {
	case XG_CTN_QUERY:
		return XG_CT_NEW;
	case XG_CTN_REPLY:
		return XG_CT_ESTABLISHED;
	case XG_CTN_INNER:
		return found != XG_CTF_MISS ? XG_CT_RELATED : XG_CT_INVALID;
	case XG_CTN_INVALID:
		return XG_CT_INVALID;
	case XG_CTN_OWN:
		break;
	default:
		return XG_CT_NONE;
	}
	if (p->l4_proto == IPPROTO_TCP && !xg_ct_tcp_flags_ok(p->tcp_flags))
		return XG_CT_INVALID;
	if (found == XG_CTF_ESTABLISHED)
		return XG_CT_ESTABLISHED;
	if (found == XG_CTF_EXPECTED)
		return XG_CT_RELATED;
	if (found == XG_CTF_NEW || p->l4_proto == IPPROTO_UDP)
		return XG_CT_NEW;
	/* a TCP miss: conntrack's tcp_new() starts an entry for a SYN or (loose) a bare ACK */
	if ((p->tcp_flags & (XG_TCP_SYN | XG_TCP_ACK | XG_TCP_FIN | XG_TCP_RST)) == XG_TCP_SYN ||
	    (p->tcp_flags & (XG_TCP_SYN | XG_TCP_ACK | XG_TCP_FIN | XG_TCP_RST)) == XG_TCP_ACK)
		return XG_CT_NEW;
	return XG_CT_INVALID;
}

#endif
