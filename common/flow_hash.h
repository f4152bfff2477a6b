/* SPDX-License-Identifier: GPL-2.0 */
/* The flow hash that spreads one queue's xsk frames over its sockets (--workers-per-queue),
 * shared by the gate program and the unit tests. Over the 5-tuple: IPv4/IPv6 addresses (an
 * IPv6 address folded to 32 bits), the protocol, and TCP/UDP/SCTP ports when the L4 header
 * directly follows and the frame is not a fragment (a fragment hashes on addresses and
 * protocol only, so all fragments of a datagram go to one socket, the first one too).
 * Anything else (VLAN tags, ARP, short frames) hashes to 0. Symmetric: the two directions
 * of a conversation hash alike (the endpoints are put in order first).
 * Fields are read as whole words in network order (one load and one byte swap: this hash
 * runs on the sender's CPU in copy mode, where every nanosecond is the rate); userspace
 * frames may sit at any alignment, so there the word goes through memcpy. */
#ifndef XG_FLOW_HASH_H
#define XG_FLOW_HASH_H

#include <linux/types.h>

#ifndef __bpf__
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define xg_be16(v) __builtin_bswap16(v)
#define xg_be32(v) __builtin_bswap32(v)
#else
#define xg_be16(v) (v)
#define xg_be32(v) (v)
#endif

#ifdef __bpf__
/* packet loads need no alignment here (the verifier checks it only when asked to) */
static __always_inline __u32 xg_load16(const __u8 *p)
{
	return xg_be16(*(const __u16 *)p);
}

static __always_inline __u32 xg_load32(const __u8 *p)
{
	return xg_be32(*(const __u32 *)p);
}
#else
static __always_inline __u32 xg_load16(const __u8 *p)
{
	__u16 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return xg_be16(v);
}

static __always_inline __u32 xg_load32(const __u8 *p)
{
	__u32 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return xg_be32(v);
}
#endif

/* murmur3's finaliser: every input bit reaches every output bit */
static __always_inline __u32 xg_mix32(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return h;
}

static __always_inline __u32 xg_flow_hash(const void *data, const void *data_end, int symmetric)
{
	const __u8 *p = data, *end = data_end, *ip = p + 14, *l4;
	__u32 sa, da, sp = 0, dp = 0, proto, t, et, frag = 0;

	if (ip > end)
		return 0;
	et = xg_load16(p + 12);
	if (et == 0x0800) {
		if (ip + 20 > end || (ip[0] & 0xf) < 5)
			return 0;
		proto = ip[9];
		sa = xg_load32(ip + 12);
		da = xg_load32(ip + 16);
		frag = xg_load16(ip + 6) & 0x3fff; /* MF or an offset */
		l4 = ip + (ip[0] & 0xf) * 4;
	} else if (et == 0x86DD) {
		if (ip + 40 > end)
			return 0;
		proto = ip[6];
		sa = xg_load32(ip + 8) ^ xg_load32(ip + 12) ^ xg_load32(ip + 16) ^
		     xg_load32(ip + 20);
		da = xg_load32(ip + 24) ^ xg_load32(ip + 28) ^ xg_load32(ip + 32) ^
		     xg_load32(ip + 36);
		l4 = ip + 40;
	} else {
		return 0;
	}
	/* verifier: l4 is at most 60 bytes past ip, checked against end before the read */
	if ((proto == 6 || proto == 17 || proto == 132) && !frag && l4 + 4 <= end) {
		sp = xg_load16(l4);
		dp = xg_load16(l4 + 2);
	}
	if (symmetric && (sa > da || (sa == da && sp > dp))) {
		t = sa;
		sa = da;
		da = t;
		t = sp;
		sp = dp;
		dp = t;
	}
	return xg_mix32(xg_mix32(xg_mix32(sa * 0x9e3779b1U + proto) ^ da) ^ (sp << 16 | dp));
}

#endif
