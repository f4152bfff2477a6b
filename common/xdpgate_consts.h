/* SPDX-License-Identifier: GPL-2.0 */
/* Enumerations shared by the gate program and userspace: verdicts, counters, limits. */
#ifndef XG_CONSTS_H
#define XG_CONSTS_H

/* What the gate decides for a frame. Userspace names them; BPF maps them to XDP_*. */
enum xg_verdict {
	XG_VERDICT_PASS = 0,
	XG_VERDICT_DROP,
	XG_VERDICT_TX,
	XG_VERDICT_REDIRECT,
	XG_VERDICT_XSK,
	XG_VERDICT_ABORTED,
	XG_VERDICT_MAX,
};

/* How far the parser got. Exactly one outcome per frame, so outcomes sum to rx, as
 * verdicts do. The first four are well-formed frames; the rest name the layer at which
 * the frame was too short or invalid. */
enum xg_parse {
	XG_PARSE_IPV4 = 0,
	XG_PARSE_IPV6,
	XG_PARSE_ARP,
	XG_PARSE_OTHER,
	XG_PARSE_TRUNC_ETH,
	XG_PARSE_TRUNC_VLAN,
	XG_PARSE_TRUNC_IPV4,
	XG_PARSE_BAD_IPV4, /* version != 4 or IHL < 5 */
	XG_PARSE_TRUNC_IPV6,
	XG_PARSE_BAD_IPV6, /* version != 6 */
	XG_PARSE_TRUNC_IPV6_EXT,
	XG_PARSE_IPV6_EXT_LIMIT, /* more extension headers than the walk allows */
	XG_PARSE_TRUNC_L4,	 /* TCP/UDP/ICMP header cut short (or TCP doff < 5) */
	XG_PARSE_UNPARSED,	 /* not parsed: the gate's xsk fast path (XG_SLOT_XSK_IP) */
	XG_PARSE_MAX,
};

/* Index into the per-CPU stats array: verdicts, then parse outcomes, then extras that
 * are not part of either sum: every frame the parser saw a fragment marker in, whatever
 * its outcome (a first fragment may still have a truncated L4 header). */
enum xg_counter {
	XG_CNT_VERDICT = 0,
	XG_CNT_PARSE = XG_CNT_VERDICT + XG_VERDICT_MAX,
	XG_CNT_FRAG_FIRST = XG_CNT_PARSE + XG_PARSE_MAX,
	XG_CNT_FRAG_LATER,
	XG_CNT_XSK_UNBOUND, /* xsk verdict on a queue with no socket: passed to the kernel */
	XG_CNT_LOG_LOST,    /* a sampled frame the log's ring buffer had no room for */
	XG_CNT_HDR_SPLIT,   /* multi-buffer frame whose headers cross the first buffer: dropped */
	XG_CNT_CT,	    /* frames of a set with `ct`, by state: XG_CNT_CT + enum xg_ct_state */
	XG_CNT_CT_ERROR = XG_CNT_CT + 5, /* lookups that failed other than "no entry" (5 states:
					  * common/ct_state.h asserts it) */
	XG_CNT_MAX,
};

/* An outcome that stopped at a header cut short (not one found invalid): in a multi-buffer
 * frame that header may go on in the next buffer (XG_CNT_HDR_SPLIT). */
#define XG_PARSE_TRUNCATED(o)                                                                     \
	((o) == XG_PARSE_TRUNC_ETH || (o) == XG_PARSE_TRUNC_VLAN || (o) == XG_PARSE_TRUNC_IPV4 || \
	 (o) == XG_PARSE_TRUNC_IPV6 || (o) == XG_PARSE_TRUNC_IPV6_EXT || (o) == XG_PARSE_TRUNC_L4)

/* Walk at most this many IPv6 extension headers before giving up on finding L4. */
#define XG_IPV6_EXT_MAX 6

/* Fragment state of a parsed frame. */
enum xg_frag {
	XG_FRAG_NONE = 0,
	XG_FRAG_FIRST, /* offset 0, more fragments: carries the L4 header */
	XG_FRAG_LATER, /* offset != 0: no L4 header */
};

#endif
