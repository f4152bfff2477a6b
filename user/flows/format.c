// SPDX-License-Identifier: GPL-2.0
/* Text of flow keys (user/flows/format.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>

#include "user/flows/format.h"

void xg_flow_addr_text(const struct xg_flow_key *k, int dst, char *buf, size_t len)
{
	const void *a = dst ? k->dst : k->src;

	if (k->family == 4)
		inet_ntop(AF_INET, a, buf, (socklen_t)len);
	else if (k->family == 6)
		inet_ntop(AF_INET6, a, buf, (socklen_t)len);
	else
		snprintf(buf, len, "-");
}

static const char *proto_name(unsigned int p)
{
	switch (p) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	default:
		return NULL;
	}
}

void xg_flow_rule_text(const struct xg_flow_key *k, char *buf, size_t len)
{
	if (k->rule == XG_FLOW_RULE_DEFAULT)
		snprintf(buf, len, "default");
	else
		snprintf(buf, len, "rule %u", k->rule + 1U);
}

void xg_flow_group_text(const struct xg_flow_key *k, enum xg_flow_by by, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], r[16], p[8];
	const char *pn = proto_name(k->proto);

	if (by == XG_BY_SRC || by == XG_BY_DST) {
		xg_flow_addr_text(k, by == XG_BY_DST, buf, len);
		return;
	}
	xg_flow_rule_text(k, r, sizeof(r));
	if (by == XG_BY_RULE) {
		snprintf(buf, len, "%s", r);
		return;
	}
	xg_flow_addr_text(k, 0, s, sizeof(s));
	xg_flow_addr_text(k, 1, d, sizeof(d));
	if (!pn) {
		snprintf(p, sizeof(p), "%u", k->proto);
		pn = p;
	}
	if (k->sport || k->dport)
		snprintf(buf, len, "%s %s%s%s:%u > %s%s%s:%u vlan %u %s", pn,
			 k->family == 6 ? "[" : "", s, k->family == 6 ? "]" : "", k->sport,
			 k->family == 6 ? "[" : "", d, k->family == 6 ? "]" : "", k->dport, k->vlan,
			 r);
	else
		snprintf(buf, len, "%s %s > %s vlan %u %s", pn, s, d, k->vlan, r);
}
