// SPDX-License-Identifier: GPL-2.0
/* The reference classifier: what every rule means, written for clarity, not speed. The
 * BPF classifier (user/rules/compile.c builds its maps) must agree with it frame by frame.
 *
 * It reads only struct xg_pkt. The parse outcome is accepted for future use but not
 * needed: a parse that stopped early leaves the fields it did not reach zero and l4_ok 0,
 * so a truncated frame simply fails the conditions on what was cut off. proto is an L3
 * fact: it matches later fragments and frames whose L4 header is cut short, while port,
 * tcp-flags and icmp-type conditions need the L4 header itself (l4_ok).
 */
#include <string.h>

#include "user/rules/rules.h"

/* addr (network order) lies inside the prefix of the same family. */
static bool prefix_has(const struct xg_prefix *p, const __u32 addr[4], __u8 family)
{
	unsigned int full = p->len / 8, rem = p->len % 8;
	uint8_t a[16], m;

	if (family != p->family || p->len > (p->family == 4 ? 32 : 128))
		return false;
	memcpy(a, addr, sizeof(a));
	if (memcmp(a, p->addr, full))
		return false;
	if (!rem)
		return true;
	m = (uint8_t)(0xff << (8 - rem));
	return (a[full] & m) == (p->addr[full] & m);
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

static bool icmp_matches(const struct xg_rule *r, const struct xg_pkt *pkt)
{
	bool v4 = r->icmp_family == 4 && pkt->family == 4 && pkt->l4_proto == IPPROTO_ICMP;
	bool v6 = r->icmp_family == 6 && pkt->family == 6 && pkt->l4_proto == XG_IPPROTO_ICMPV6;

	return pkt->l4_ok && (v4 || v6) && pkt->icmp_type == r->icmp_type;
}

bool xg_rule_matches(const struct xg_rule *r, const struct xg_pkt *pkt, int outcome)
{
	(void)outcome; /* the fields already say how far the parse got */
	if (r->src.family && !prefix_has(&r->src, pkt->saddr, pkt->family))
		return false;
	if (r->dst.family && !prefix_has(&r->dst, pkt->daddr, pkt->family))
		return false;
	if (r->has_proto && (!pkt->family || pkt->l4_proto != r->proto))
		return false;
	if (r->sport.n && !(is_tcp_udp(pkt) && ports_have(&r->sport, pkt->sport)))
		return false;
	if (r->dport.n && !(is_tcp_udp(pkt) && ports_have(&r->dport, pkt->dport)))
		return false;
	if (r->has_vlan && !(pkt->vlan_depth > 0 && pkt->vlan_id == r->vlan))
		return false;
	if (r->has_ether && pkt->eth_proto != r->ether)
		return false;
	if (r->has_tcp_flags && !(pkt->l4_ok && pkt->l4_proto == IPPROTO_TCP &&
				  (pkt->tcp_flags & r->flags_mask) == r->flags_value))
		return false;
	if (r->has_icmp_type && !icmp_matches(r, pkt))
		return false;
	return true;
}

int xg_rules_classify(const struct xg_ruleset *rs, const struct xg_pkt *pkt, int outcome)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (xg_rule_matches(&rs->rules[i], pkt, outcome))
			return (int)i;
	return -1;
}
