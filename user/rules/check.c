// SPDX-License-Identifier: GPL-2.0
/* `rules check`: warnings about a rule set that parses but will not do what its author
 * meant.
 *
 * Shadowing: rule j can never match when one earlier rule i matches every frame j
 * matches. covers() decides that soundly but not completely: each of i's conditions must
 * be implied by j's, condition by condition. A rule covered only by several earlier rules
 * together (say dport 1-100 and dport 101-200 before dport 50-150) is not reported.
 *
 * Lock-out: ARP and IPv6 neighbour discovery are what keep a host reachable. Synthetic
 * frames of each kind go through the frame builder, the parser and the reference
 * classifier; a drop verdict (by a rule or by the default) is reported.
 *
 * Log flood: a rule with no condition and a plain `log` logs every frame the gate sees
 * from there on; at line rate the ring buffer overflows and records are lost.
 */
#include <string.h>

#include "user/util/frame_build.h"
#include "user/rules/rules.h"
#include "user/rules/match.h"

static bool prefix_covers(const struct xg_prefix *pi, const struct xg_prefix *pj)
{
	if (!pi->family)
		return true;
	if (pj->family != pi->family || pj->len < pi->len || pi->len > (pi->family == 4 ? 32 : 128))
		return false;
	return xg_addr_same_prefix(pi->addr, pj->addr, pi->len);
}

/* Some range of pi that contains port, or NULL. */
static const uint16_t *range_with(const struct xg_port_set *pi, uint32_t port)
{
	unsigned int k;

	for (k = 0; k < pi->n && k < XG_PORT_RANGES_MAX; k++)
		if (port >= pi->r[k].lo && port <= pi->r[k].hi)
			return &pi->r[k].lo;
	return NULL;
}

/* pj's set is inside pi's: walk each range of pj across the ranges of pi. */
static bool ports_cover(const struct xg_port_set *pi, const struct xg_port_set *pj)
{
	const uint16_t *lohi;
	unsigned int k;
	uint32_t x;

	if (!pi->n)
		return true;
	if (!pj->n)
		return false;
	for (k = 0; k < pj->n && k < XG_PORT_RANGES_MAX; k++) {
		for (x = pj->r[k].lo; x <= pj->r[k].hi; x = (uint32_t)lohi[1] + 1) {
			lohi = range_with(pi, x);
			if (!lohi)
				return false;
		}
	}
	return true;
}

/* The IP protocol every frame matching r has, or -1: tcp-flags and icmp-type imply one. */
static int implied_proto(const struct xg_rule *r)
{
	if (r->has_proto)
		return r->proto;
	if (r->has_tcp_flags)
		return IPPROTO_TCP;
	if (r->has_icmp_type)
		return r->icmp_family == 6 ? XG_IPPROTO_ICMPV6 : IPPROTO_ICMP;
	return -1;
}

/* Per field of XG_FIELDS: i's condition holds on every frame j's conditions accept. Asked
 * only when i has the condition. */
/* A set covers only a rule on the same set (its contents are not compared), and a prefix
 * no set. */
static bool covers_addr(const struct xg_prefix *pi, const char *si, const struct xg_prefix *pj,
			const char *sj)
{
	if (si[0] || sj[0])
		return !strcmp(si, sj);
	return prefix_covers(pi, pj);
}

static bool covers_src(const struct xg_rule *i, const struct xg_rule *j)
{
	return covers_addr(&i->src, i->src_set, &j->src, j->src_set);
}

static bool covers_dst(const struct xg_rule *i, const struct xg_rule *j)
{
	return covers_addr(&i->dst, i->dst_set, &j->dst, j->dst_set);
}

static bool covers_proto(const struct xg_rule *i, const struct xg_rule *j)
{
	return implied_proto(j) == i->proto;
}

static bool covers_sport(const struct xg_rule *i, const struct xg_rule *j)
{
	return ports_cover(&i->sport, &j->sport);
}

static bool covers_dport(const struct xg_rule *i, const struct xg_rule *j)
{
	return ports_cover(&i->dport, &j->dport);
}

static bool covers_vlan(const struct xg_rule *i, const struct xg_rule *j)
{
	return j->has_vlan && j->vlan == i->vlan;
}

static bool covers_ether(const struct xg_rule *i, const struct xg_rule *j)
{
	return j->has_ether && j->ether == i->ether;
}

/* j tests every bit i tests, the same way */
static bool covers_tcp_flags(const struct xg_rule *i, const struct xg_rule *j)
{
	return j->has_tcp_flags && !(i->flags_mask & ~j->flags_mask) &&
	       !((i->flags_value ^ j->flags_value) & i->flags_mask);
}

static bool covers_icmp_type(const struct xg_rule *i, const struct xg_rule *j)
{
	return j->has_icmp_type && j->icmp_family == i->icmp_family && j->icmp_type == i->icmp_type;
}

/* the same expression (what two different ones share is libpcap's to know, not ours) */
static bool covers_match(const struct xg_rule *i, const struct xg_rule *j)
{
	return j->match[0] && !strcmp(i->match, j->match);
}

/* every state j admits, i admits too */
static bool covers_ct(const struct xg_rule *i, const struct xg_rule *j)
{
	return j->ct_states && !(j->ct_states & ~i->ct_states);
}

/* Every frame j matches, i matches too. */
static bool covers(const struct xg_rule *i, const struct xg_rule *j)
{
#define COVERS_ROW(id, name, keyword) [XG_F_##id] = covers_##name,
	static bool (*const field_covers[XG_F_MAX])(
		const struct xg_rule *, const struct xg_rule *) = { XG_FIELDS(COVERS_ROW) };
#undef COVERS_ROW
	unsigned int f;

	if (i->limit_rate)
		return false; /* over its rate, i lets frames through to j */
	for (f = 0; f < XG_F_MAX; f++)
		if (xg_rule_has_cond(i, (enum xg_field)f) && !field_covers[f](i, j))
			return false;
	return true;
}

static void where(FILE *f, const char *file, unsigned int line)
{
	if (file && line)
		fprintf(f, "%s:%u: ", file, line);
	else if (file)
		fprintf(f, "%s: ", file);
}

static int check_shadowed(const struct xg_ruleset *rs, const char *file, FILE *f)
{
	const struct xg_rule *ri, *rj;
	int warnings = 0;
	size_t i, j;

	for (j = 1; j < rs->n; j++) {
		rj = &rs->rules[j];
		for (i = 0; i < j; i++) {
			ri = &rs->rules[i];
			if (!covers(ri, rj))
				continue;
			where(f, file, rj->line);
			fprintf(f, "warning: rule %zu can never match: rule %zu", j + 1, i + 1);
			if (ri->line)
				fprintf(f, " (line %u)", ri->line);
			fprintf(f, " covers it\n");
			warnings++;
			break;
		}
	}
	return warnings;
}

struct lockout_case {
	const char *what;
	struct xg_frame_spec spec;
};

#define LL(x)                          \
	{                              \
		0xfe, 0x80, [15] = (x) \
	}

static const struct lockout_case lockout_cases[] = {
	{ "ARP", { .ethertype = XG_ETH_P_ARP, .payload_len = 28 } },
	{ "IPv6 neighbour discovery (neighbor-solicitation)",
	  { .l3 = XG_L3_IPV6,
	    .ip6 = { .saddr = LL(1),
		     .daddr = { 0xff, 0x02, [11] = 1, [12] = 0xff, [15] = 2 },
		     .hop_limit = 255 },
	    .l4_proto = XG_IPPROTO_ICMPV6,
	    .icmp = { .type = 135 },
	    .payload_len = 16 } },
	{ "IPv6 neighbour discovery (neighbor-advertisement)",
	  { .l3 = XG_L3_IPV6,
	    .ip6 = { .saddr = LL(2), .daddr = LL(1), .hop_limit = 255 },
	    .l4_proto = XG_IPPROTO_ICMPV6,
	    .icmp = { .type = 136 },
	    .payload_len = 16 } },
};

static int check_lockout(const struct xg_ruleset *rs, const struct xg_match_set *ms,
			 const char *file, FILE *f, const struct lockout_case *lc)
{
	uint8_t frame[256];
	struct xg_pkt pkt;
	size_t len = xg_frame_build(&lc->spec, frame, sizeof(frame));
	int idx;

	memset(&pkt, 0, sizeof(pkt));
	xg_parse_frame(frame, frame + len, &pkt);
	pkt.match_bits = xg_match_eval(ms, frame, (uint32_t)len, (uint32_t)len);
	idx = xg_rules_classify(rs, &pkt);
	if (idx < 0 && rs->default_verdict == XG_VERDICT_DROP) {
		where(f, file, 0);
		fprintf(f, "warning: default drop blocks %s\n", lc->what);
		return 1;
	}
	if (idx >= 0 && rs->rules[idx].action == XG_VERDICT_DROP) {
		where(f, file, rs->rules[idx].line);
		fprintf(f, "warning: rule %d drops %s\n", idx + 1, lc->what);
		return 1;
	}
	return 0;
}

static int check_log_flood(const struct xg_ruleset *rs, const char *file, FILE *f)
{
	int warnings = 0, k;
	size_t i;

	for (i = 0; i < rs->n; i++) {
		const struct xg_rule *r = &rs->rules[i];

		for (k = 0; k < XG_F_MAX && !xg_rule_has_cond(r, (enum xg_field)k); k++)
			;
		if (r->log_every != 1 || k < XG_F_MAX)
			continue;
		where(f, file, r->line);
		fprintf(f,
			"warning: rule %zu logs every frame, with no condition ('log every N' "
			"samples one in N)\n",
			i + 1);
		warnings++;
	}
	return warnings;
}

int xg_rules_check(const struct xg_ruleset *rs, const char *file, FILE *f)
{
	int warnings = check_shadowed(rs, file, f) + check_log_flood(rs, file, f);
	struct xg_match_set ms;
	char msg[XG_MATCH_ERR_MAX];
	size_t i;

	if (xg_match_set_build(rs, &ms, msg, sizeof(msg))) {
		where(f, file, 0);
		fprintf(f, "warning: %s\n", msg); /* the lockout checks run without match */
		warnings++;
	}
	for (i = 0; i < sizeof(lockout_cases) / sizeof(lockout_cases[0]); i++)
		warnings += check_lockout(rs, &ms, file, f, &lockout_cases[i]);
	xg_match_set_free(&ms);
	return warnings;
}
