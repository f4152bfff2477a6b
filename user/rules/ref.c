// SPDX-License-Identifier: GPL-2.0
/* The reference classifier: what every rule means, written for clarity, not speed. The
 * BPF classifier (user/rules/compile.c builds its maps) must agree with it frame by frame.
 *
 * It reads only struct xg_pkt: a parse that stopped early leaves the fields it did not
 * reach zero and l4_ok 0, so a truncated frame simply fails the conditions on what was
 * cut off. proto is an L3 fact: it matches later fragments and frames whose L4 header is
 * cut short, while port, tcp-flags and icmp-type conditions need the L4 header itself
 * (l4_ok). Each field of XG_FIELDS has a match_NAME here (its has_NAME is in field.c);
 * match_NAME is asked only when the rule has the condition.
 *
 * A `limit` is not decided here: it depends on the gate's clock and on the frames before,
 * not on this frame. The reference answers as if every limit had room (the rule a frame
 * reaches while under its rates); BPF_PROG_RUN and live tests hold the buckets to their
 * rates, and a limited rule that is over its rate passes the frame on down the list.
 */
#include <string.h>

#include "user/rules/rules.h"

/* addr (network order) lies inside the prefix of the same family. */
static bool prefix_has(const struct xg_prefix *p, const __u32 addr[4], __u8 family)
{
	if (family != p->family || p->len > (p->family == 4 ? 32 : 128))
		return false;
	return xg_addr_same_prefix((const uint8_t *)addr, p->addr, p->len);
}

static bool ports_have(const struct xg_port_set *ps, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < ps->n && i < XG_PORT_RANGES_MAX; i++)
		if (port >= ps->r[i].lo && port <= ps->r[i].hi)
			return true;
	return false;
}

static bool is_tcp_udp(const struct xg_pkt *pkt)
{
	return pkt->l4_ok && (pkt->l4_proto == IPPROTO_TCP || pkt->l4_proto == IPPROTO_UDP);
}

/* An address condition is a prefix or a set (@NAME): a frame's address is in the set when
 * some prefix of it contains the address; a frame without L3 is in no set. */
static bool match_src(const struct xg_rule *r, const struct xg_pkt *pkt)
{
	if (r->src_set[0])
		return xg_set_has(r->src_sp, pkt->family, pkt->saddr);
	return prefix_has(&r->src, pkt->saddr, pkt->family);
}

static bool match_dst(const struct xg_rule *r, const struct xg_pkt *pkt)
{
	if (r->dst_set[0])
		return xg_set_has(r->dst_sp, pkt->family, pkt->daddr);
	return prefix_has(&r->dst, pkt->daddr, pkt->family);
}

static bool match_proto(const struct xg_rule *r, const struct xg_pkt *pkt)
{
	return pkt->family && pkt->l4_proto == r->proto;
}

static bool match_sport(const struct xg_rule *r, const struct xg_pkt *pkt)
{
	return is_tcp_udp(pkt) && ports_have(&r->sport, pkt->sport);
}

static bool match_dport(const struct xg_rule *r, const struct xg_pkt *pkt)
{
	return is_tcp_udp(pkt) && ports_have(&r->dport, pkt->dport);
}

static bool match_vlan(const struct xg_rule *r, const struct xg_pkt *pkt)
{
	return pkt->vlan_depth > 0 && pkt->vlan_id == r->vlan;
}

static bool match_ether(const struct xg_rule *r, const struct xg_pkt *pkt)
{
	return pkt->eth_proto == r->ether;
}

static bool match_tcp_flags(const struct xg_rule *r, const struct xg_pkt *pkt)
{
	return pkt->l4_ok && pkt->l4_proto == IPPROTO_TCP &&
	       (pkt->tcp_flags & r->flags_mask) == r->flags_value;
}

static bool match_icmp_type(const struct xg_rule *r, const struct xg_pkt *pkt)
{
	bool v4 = r->icmp_family == 4 && pkt->family == 4 && pkt->l4_proto == IPPROTO_ICMP;
	bool v6 = r->icmp_family == 6 && pkt->family == 6 && pkt->l4_proto == XG_IPPROTO_ICMPV6;

	return pkt->l4_ok && (v4 || v6) && pkt->icmp_type == r->icmp_type;
}

/* The expression's result comes with the frame (libpcap's, user/rules/match.c). */
static bool match_match(const struct xg_rule *r, const struct xg_pkt *pkt)
{
	return r->match_idx < 8 && (pkt->match_bits >> r->match_idx & 1);
}

/* The frame's connection state is an input (pkt->ct_state, from the kernel's conntrack at
 * the gate, common/ct_state.h): a condition holds when it names that state. No state
 * (XG_CT_NONE: no IP, untracked ICMPv6, other protocols) meets no condition. */
static bool match_ct(const struct xg_rule *r, const struct xg_pkt *pkt)
{
	return pkt->ct_state != 0 && pkt->ct_state < 8 && (r->ct_states >> pkt->ct_state) & 1;
}

#define MATCH_ROW(id, name, keyword) [XG_F_##id] = match_##name,
static bool (*const field_match[XG_F_MAX])(const struct xg_rule *r,
					   const struct xg_pkt *pkt) = { XG_FIELDS(MATCH_ROW) };
#undef MATCH_ROW

bool xg_rule_cond_holds(const struct xg_rule *r, enum xg_field f, const struct xg_pkt *pkt)
{
	return !xg_rule_has_cond(r, f) || field_match[f](r, pkt);
}

bool xg_rule_matches(const struct xg_rule *r, const struct xg_pkt *pkt)
{
	unsigned int f;

	for (f = 0; f < XG_F_MAX; f++)
		if (!xg_rule_cond_holds(r, (enum xg_field)f, pkt))
			return false;
	return true;
}

int xg_rules_classify(const struct xg_ruleset *rs, const struct xg_pkt *pkt)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (xg_rule_matches(&rs->rules[i], pkt))
			return (int)i;
	return -1;
}

bool xg_rule_log_sampled(const struct xg_rule *r, uint64_t nth)
{
	return r->log_every && nth && (nth - 1) % r->log_every == 0;
}
