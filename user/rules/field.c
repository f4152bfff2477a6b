// SPDX-License-Identifier: GPL-2.0
/* What the rest of user/rules shares about fields, below both the parser and the reference
 * classifier: each field's keyword and whether a rule has a condition on it (has_NAME, one
 * per row of XG_FIELDS), and the prefix helpers every address user needs. It calls nothing
 * else in user/rules, so the parser, formatter, sets and compiler link without ref.c. */
#include <string.h>

#include "user/rules/rules.h"

bool xg_addr_mask(uint8_t *addr, unsigned int len, size_t size)
{
	bool had = false;
	size_t i;

	for (i = len / 8; i < size; i++) {
		/* the bits of byte i that lie past len: all of them once i * 8 >= len */
		uint8_t host = i * 8 >= len ? 0xff : (uint8_t)(0xff >> (len % 8));

		had |= (addr[i] & host) != 0;
		addr[i] &= (uint8_t)~host;
	}
	return had;
}

bool xg_addr_same_prefix(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	uint8_t x[16], y[16];
	size_t n = (len + 7) / 8;

	memcpy(x, a, n);
	memcpy(y, b, n);
	xg_addr_mask(x, len, n);
	xg_addr_mask(y, len, n);
	return !memcmp(x, y, n);
}

static bool has_src(const struct xg_rule *r)
{
	return r->src.family != 0 || r->src_set[0];
}

static bool has_dst(const struct xg_rule *r)
{
	return r->dst.family != 0 || r->dst_set[0];
}

static bool has_proto(const struct xg_rule *r)
{
	return r->has_proto;
}

static bool has_sport(const struct xg_rule *r)
{
	return r->sport.n != 0;
}

static bool has_dport(const struct xg_rule *r)
{
	return r->dport.n != 0;
}

static bool has_vlan(const struct xg_rule *r)
{
	return r->has_vlan;
}

static bool has_ether(const struct xg_rule *r)
{
	return r->has_ether;
}

static bool has_tcp_flags(const struct xg_rule *r)
{
	return r->has_tcp_flags;
}

static bool has_icmp_type(const struct xg_rule *r)
{
	return r->has_icmp_type;
}

static bool has_match(const struct xg_rule *r)
{
	return r->match[0] != '\0';
}

static bool has_ct(const struct xg_rule *r)
{
	return r->ct_states != 0;
}

#define FIELD_ROW(id, name, keyword) [XG_F_##id] = { keyword, has_##name },
static const struct {
	const char *keyword;
	bool (*has)(const struct xg_rule *r);
} fields[XG_F_MAX] = { XG_FIELDS(FIELD_ROW) };
#undef FIELD_ROW

const char *xg_field_keyword(enum xg_field f)
{
	return (unsigned int)f < XG_F_MAX ? fields[f].keyword : "?";
}

bool xg_rule_has_cond(const struct xg_rule *r, enum xg_field f)
{
	return (unsigned int)f < XG_F_MAX && fields[f].has(r);
}
