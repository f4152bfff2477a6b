// SPDX-License-Identifier: GPL-2.0
/* The rule language, written side: its names (shared with the parser in lang.c) and the
 * canonical text of a rule, which is what `rules list` prints, what the gate stores per
 * rule and what the parser reads back to the same rule. Each field of XG_FIELDS has a
 * fmt_NAME here, called when the rule has that condition, in the table's order. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <string.h>

#include "user/rules/lang.h"

const struct xg_name_val xg_proto_names[] = {
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "icmp", IPPROTO_ICMP },
	{ "icmpv6", XG_IPPROTO_ICMPV6 },
	{ NULL, 0 },
};

const struct xg_name_val xg_ether_names[] = {
	{ "arp", XG_ETH_P_ARP },
	{ "ipv4", XG_ETH_P_IP },
	{ "ipv6", XG_ETH_P_IPV6 },
	{ NULL, 0 },
};

const struct xg_name_val xg_action_names[] = {
	{ "pass", XG_VERDICT_PASS },	     { "drop", XG_VERDICT_DROP }, { "tx", XG_VERDICT_TX },
	{ "redirect", XG_VERDICT_REDIRECT }, { "xsk", XG_VERDICT_XSK },	  { NULL, 0 },
};

const char *const xg_ct_state_names[5] = { NULL, "new", "established", "related", "invalid" };

const char *const xg_tcp_flag_names[8] = { "fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr" };

const struct xg_name_val *xg_name_find(const struct xg_name_val *t, const char *name)
{
	for (; t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

const char *xg_name_of(const struct xg_name_val *t, unsigned int val)
{
	for (; t->name; t++)
		if (t->val == val)
			return t->name;
	return NULL;
}

void xg_prefix_text(const struct xg_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, a, sizeof(a)))
		strcpy(a, "?");
	snprintf(buf, len, "%s/%u", a, p->len);
}

struct sbuf {
	char *p;
	size_t len, off;
};

static void __attribute__((format(printf, 2, 3))) sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->off + 1 >= b->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->off, b->len - b->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->off += (size_t)n < b->len - b->off ? (size_t)n : b->len - b->off - 1;
}

static void fmt_prefix(struct sbuf *b, const char *kw, const struct xg_prefix *p)
{
	char text[64];

	xg_prefix_text(p, text, sizeof(text));
	sb_add(b, " %s %s", kw, text);
}

static void fmt_src(struct sbuf *b, const char *kw, const struct xg_rule *r)
{
	if (r->src_set[0])
		sb_add(b, " %s @%s", kw, r->src_set);
	else
		fmt_prefix(b, kw, &r->src);
}

static void fmt_dst(struct sbuf *b, const char *kw, const struct xg_rule *r)
{
	if (r->dst_set[0])
		sb_add(b, " %s @%s", kw, r->dst_set);
	else
		fmt_prefix(b, kw, &r->dst);
}

/* A known name, else the number in fmt. */
static void fmt_named(struct sbuf *b, const char *kw, const struct xg_name_val *names,
		      unsigned int v, const char *fmt)
{
	const char *name = xg_name_of(names, v);
	char num[16];

	snprintf(num, sizeof(num), fmt, v);
	sb_add(b, " %s %s", kw, name ? name : num);
}

static void fmt_proto(struct sbuf *b, const char *kw, const struct xg_rule *r)
{
	fmt_named(b, kw, xg_proto_names, r->proto, "%u");
}

static void fmt_ports(struct sbuf *b, const char *kw, const struct xg_port_set *ps)
{
	unsigned int i;

	for (i = 0; i < ps->n && i < XG_PORT_RANGES_MAX; i++) {
		if (i)
			sb_add(b, ",%u", ps->r[i].lo);
		else
			sb_add(b, " %s %u", kw, ps->r[i].lo);
		if (ps->r[i].hi != ps->r[i].lo)
			sb_add(b, "-%u", ps->r[i].hi);
	}
}

static void fmt_sport(struct sbuf *b, const char *kw, const struct xg_rule *r)
{
	fmt_ports(b, kw, &r->sport);
}

static void fmt_dport(struct sbuf *b, const char *kw, const struct xg_rule *r)
{
	fmt_ports(b, kw, &r->dport);
}

static void fmt_vlan(struct sbuf *b, const char *kw, const struct xg_rule *r)
{
	sb_add(b, " %s %u", kw, r->vlan);
}

static void fmt_ether(struct sbuf *b, const char *kw, const struct xg_rule *r)
{
	fmt_named(b, kw, xg_ether_names, r->ether, "0x%04x");
}

static void fmt_tcp_flags(struct sbuf *b, const char *kw, const struct xg_rule *r)
{
	bool first = true;
	unsigned int i;

	for (i = 0; i < 8; i++) {
		if (!(r->flags_mask & (1u << i)))
			continue;
		if (first)
			sb_add(b, " %s ", kw);
		else
			sb_add(b, ",");
		sb_add(b, "%s%s", r->flags_value & (1u << i) ? "" : "!", xg_tcp_flag_names[i]);
		first = false;
	}
}

static void fmt_icmp_type(struct sbuf *b, const char *kw, const struct xg_rule *r)
{
	sb_add(b, " %s %u", kw, r->icmp_type);
}

static void fmt_match(struct sbuf *b, const char *kw, const struct xg_rule *r)
{
	sb_add(b, " %s \"%s\"", kw, r->match);
}

/* " ct new,established": the states in the order of enum xg_ct_state */
static void fmt_ct(struct sbuf *b, const char *kw, const struct xg_rule *r)
{
	const char *sep = " ";
	unsigned int s;

	sb_add(b, " %s", kw);
	for (s = 1; s < 5; s++) {
		if (!(r->ct_states & (1u << s)))
			continue;
		sb_add(b, "%s%s", sep, xg_ct_state_names[s]);
		sep = ",";
	}
}

/* " limit RATE burst N", the rate in the largest unit that divides it. */
static void fmt_limit(struct sbuf *b, const struct xg_rule *r)
{
	unsigned long long v = r->limit_rate;
	const char *unit = "/s";

	if (r->limit_bytes) {
		unit = v % (1u << 20) == 0 ? "mbytes/s" : v % 1024 == 0 ? "kbytes/s" : "bytes/s";
		v /= v % (1u << 20) == 0 ? 1u << 20 : v % 1024 == 0 ? 1024 : 1;
	}
	sb_add(b, " limit %llu%s burst %llu", v, unit, (unsigned long long)r->limit_burst);
}

void xg_rule_format(const struct xg_rule *r, char *buf, size_t len)
{
#define FMT_ROW(id, name, keyword) [XG_F_##id] = fmt_##name,
	static void (*const fmt[XG_F_MAX])(struct sbuf * b, const char *kw,
					   const struct xg_rule *r) = { XG_FIELDS(FMT_ROW) };
#undef FMT_ROW
	struct sbuf b = { buf, len, 0 };
	const char *name;
	unsigned int f;

	if (!len)
		return;
	buf[0] = '\0';
	name = xg_name_of(xg_action_names, r->action);
	sb_add(&b, "%s", name ? name : "?");
	if (r->action == XG_VERDICT_REDIRECT)
		sb_add(&b, " %.*s", IF_NAMESIZE - 1, r->redirect_if);
	for (f = 0; f < XG_F_MAX; f++)
		if (xg_rule_has_cond(r, (enum xg_field)f))
			fmt[f](&b, xg_field_keyword((enum xg_field)f), r);
	if (r->limit_rate)
		fmt_limit(&b, r);
	if (r->log_every == 1)
		sb_add(&b, " log");
	else if (r->log_every)
		sb_add(&b, " log every %u", r->log_every);
}
