// SPDX-License-Identifier: GPL-2.0
/* The rule language, text side: the line parser and its conditions, one parse_NAME per
 * field of XG_FIELDS (tokens and messages in lang_lex.c, the set, limit and log clauses in
 * lang_clause.c, files in lang_file.c, the container in ruleset.c). What a parsed rule
 * means is defined in ref.c, how it is written in format.c.
 *
 * The parser copies a line into a bounded buffer, cuts the comment, splits tokens in
 * place and remembers each token's 1-based column, so every error names file:line:col
 * and the offending token. Conditions that depend on each other (icmp-type names on the
 * proto, ports and flags on the proto, the families of src and dst) are checked once the
 * whole line is read, since conditions come in any order.
 *
 * Every rule the parser accepts has a canonical text (format.c) shorter than
 * XG_RULE_TEXT_MAX: that text is what the gate stores per rule and what `rules list`
 * re-parses. Only absurd rules (two long IPv6 prefixes and two full 16-range port lists)
 * come near the limit; they are refused rather than stored truncated.
 */
#include <stdlib.h>
#include <string.h>

#include "user/util/log.h"
#include "user/rules/lang.h"
#include "user/rules/lang_int.h"
#include "user/rules/match.h"

/* ---- names ---- */

static const struct xg_name_val icmp4_names[] = {
	{ "echo-reply", 0 },   { "dest-unreachable", 3 }, { "redirect", 5 },
	{ "echo-request", 8 }, { "time-exceeded", 11 },	  { NULL, 0 },
};

static const struct xg_name_val icmp6_names[] = {
	{ "dest-unreachable", 1 },
	{ "packet-too-big", 2 },
	{ "time-exceeded", 3 },
	{ "echo-request", 128 },
	{ "echo-reply", 129 },
	{ "router-solicitation", 133 },
	{ "router-advertisement", 134 },
	{ "neighbor-solicitation", 135 },
	{ "neighbor-advertisement", 136 },
	{ NULL, 0 },
};

/* ---- conditions ---- */

static int parse_prefix(const struct pctx *c, enum xg_field f, const struct tok *t,
			struct xg_prefix *p)
{
	char masked[64];
	struct showbuf sb;
	bool host;

	if (xg_prefix_parse(t->s, p, &host))
		return xg_perr(c, t->col, "invalid prefix '%s'", xg_tok_show(&sb, t->s));
	if (host && c->warn) {
		xg_prefix_text(p, masked, sizeof(masked));
		pr_warn("%s:%u: warning: %s %s has host bits set; using %s\n", c->file, c->lineno,
			xg_field_keyword(f), xg_tok_show(&sb, t->s), masked);
	}
	return 0;
}

/* PREFIX, or @NAME of a set: in a file the set must be defined above; a line alone (the
 * command line, a rule read back from a gate) names it, to be bound later. */
static int parse_addr(const struct pctx *c, enum xg_field f, const struct tok *t,
		      struct xg_prefix *p, char *set_name, const struct xg_set **sp)
{
	struct showbuf sb;

	if (t->s[0] != '@')
		return parse_prefix(c, f, t, p);
	if (!xg_set_name_ok(t->s + 1))
		return xg_perr(c, t->col, "invalid set name '%s'", xg_tok_show(&sb, t->s));
	if (c->rs) {
		*sp = xg_ruleset_set(c->rs, t->s + 1);
		if (!*sp)
			return xg_perr(c, t->col, "set '%s' is not defined before this line",
				       xg_tok_show(&sb, t->s + 1));
	}
	memset(p, 0, sizeof(*p));
	memcpy(set_name, t->s + 1, strlen(t->s + 1) + 1);
	return 0;
}

static int parse_src(const struct pctx *c, struct pstate *st, const struct tok *t)
{
	return parse_addr(c, XG_F_SRC, t, &st->r->src, st->r->src_set, &st->r->src_sp);
}

static int parse_dst(const struct pctx *c, struct pstate *st, const struct tok *t)
{
	return parse_addr(c, XG_F_DST, t, &st->r->dst, st->r->dst_set, &st->r->dst_sp);
}

/* A name from names, or a number up to max (hex after 0x when hex is set). */
static int parse_named(const struct pctx *c, const struct tok *t, const struct xg_name_val *names,
		       bool hex, unsigned long max, const char *what, unsigned long *v)
{
	const struct xg_name_val *nv = xg_name_find(names, t->s);
	struct showbuf sb;

	if (nv)
		*v = nv->val;
	else if (xg_parse_uint(t->s, hex, max, v))
		return xg_perr(c, t->col, "invalid %s '%s'", what, xg_tok_show(&sb, t->s));
	return 0;
}

static int parse_proto(const struct pctx *c, struct pstate *st, const struct tok *t)
{
	unsigned long v;

	if (parse_named(c, t, xg_proto_names, false, 255, "protocol", &v))
		return -1;
	st->r->has_proto = true;
	st->r->proto = (uint8_t)v;
	return 0;
}

/* One item of a port list: N or A-B, copied out of the list (at most "65535-65535"). */
static int parse_port_item(const char *s, size_t len, uint16_t *lo, uint16_t *hi)
{
	char item[16], *dash;
	unsigned long a, b;

	if (!len || len >= sizeof(item))
		return -1;
	memcpy(item, s, len);
	item[len] = '\0';
	dash = strchr(item, '-');
	if (dash)
		*dash = '\0';
	if (xg_parse_uint(item, false, 65535, &a))
		return -1;
	b = a;
	if (dash && xg_parse_uint(dash + 1, false, 65535, &b))
		return -1;
	if (a > b)
		return -1;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

static int parse_ports(const struct pctx *c, const struct tok *t, struct xg_port_set *ps)
{
	const char *s = t->s, *comma;
	struct showbuf sb;
	size_t len;

	ps->n = 0;
	for (;;) {
		comma = strchr(s, ',');
		len = comma ? (size_t)(comma - s) : strlen(s);
		if (ps->n == XG_PORT_RANGES_MAX)
			return xg_perr(c, t->col, "more than %d port ranges in '%s'",
				       XG_PORT_RANGES_MAX, xg_tok_show(&sb, t->s));
		if (parse_port_item(s, len, &ps->r[ps->n].lo, &ps->r[ps->n].hi))
			return xg_perr(c, t->col, "invalid ports '%s'", xg_tok_show(&sb, t->s));
		ps->n++;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

static int parse_sport(const struct pctx *c, struct pstate *st, const struct tok *t)
{
	return parse_ports(c, t, &st->r->sport);
}

static int parse_dport(const struct pctx *c, struct pstate *st, const struct tok *t)
{
	return parse_ports(c, t, &st->r->dport);
}

static int parse_vlan(const struct pctx *c, struct pstate *st, const struct tok *t)
{
	unsigned long v;
	struct showbuf sb;

	if (xg_parse_uint(t->s, false, 4095, &v))
		return xg_perr(c, t->col, "invalid vlan '%s'", xg_tok_show(&sb, t->s));
	st->r->has_vlan = true;
	st->r->vlan = (uint16_t)v;
	return 0;
}

static int parse_ether(const struct pctx *c, struct pstate *st, const struct tok *t)
{
	unsigned long v;

	if (parse_named(c, t, xg_ether_names, true, 0xffff, "ethertype", &v))
		return -1;
	st->r->has_ether = true;
	st->r->ether = (uint16_t)v;
	return 0;
}

/* One flag name, optionally negated; returns its bit or 0. */
static uint8_t flag_bit(const char *s, size_t len, bool *neg)
{
	unsigned int i;

	*neg = len && s[0] == '!';
	if (*neg) {
		s++;
		len--;
	}
	for (i = 0; i < 8; i++)
		if (strlen(xg_tcp_flag_names[i]) == len && !memcmp(xg_tcp_flag_names[i], s, len))
			return (uint8_t)(1u << i);
	return 0;
}

static int parse_tcp_flags(const struct pctx *c, struct pstate *st, const struct tok *t)
{
	const char *s = t->s, *comma;
	uint8_t mask = 0, value = 0, bit;
	struct showbuf sb;
	size_t len;
	bool neg;

	for (;;) {
		comma = strchr(s, ',');
		len = comma ? (size_t)(comma - s) : strlen(s);
		bit = flag_bit(s, len, &neg);
		if (!bit)
			return xg_perr(c, t->col, "invalid tcp-flags '%s'", xg_tok_show(&sb, t->s));
		if (mask & bit)
			return xg_perr(c, t->col, "flag repeated in tcp-flags '%s'",
				       xg_tok_show(&sb, t->s));
		mask |= bit;
		if (!neg)
			value |= bit;
		if (!comma)
			break;
		s = comma + 1;
	}
	st->r->has_tcp_flags = true;
	st->r->flags_mask = mask;
	st->r->flags_value = value;
	return 0;
}

/* The type is resolved in finish_rule(): its names depend on a proto that may follow. */
static int parse_icmp_type(const struct pctx *c, struct pstate *st, const struct tok *t)
{
	(void)c;
	(void)t;
	st->r->has_icmp_type = true;
	return 0;
}

/* match "EXPR": libpcap must compile it (its message names the problem) */
static int parse_match(const struct pctx *c, struct pstate *st, const struct tok *t)
{
	char msg[XG_MATCH_ERR_MAX];
	struct xg_cbpf_insn *insn;
	struct showbuf sb;
	unsigned int n;

	if (t->s[0] == '"')
		return xg_perr(c, t->col, "unterminated quote in match '%s'",
			       xg_tok_show(&sb, t->s));
	if (strlen(t->s) >= XG_MATCH_TEXT_MAX)
		return xg_perr(c, t->col, "match expression longer than %d characters",
			       XG_MATCH_TEXT_MAX - 1);
	if (xg_match_compile(t->s, &insn, &n, msg, sizeof(msg)))
		return xg_perr(c, t->col, "match \"%s\": %s", xg_tok_show(&sb, t->s), msg);
	free(insn);
	strcpy(st->r->match, t->s);
	return 0;
}

/* STATE[,STATE...]: nftables' words; each at most once. */
static int parse_ct(const struct pctx *c, struct pstate *st, const struct tok *t)
{
	const char *s = t->s, *comma;
	struct showbuf sb;
	uint8_t states = 0;
	unsigned int i;
	size_t len;

	for (;;) {
		comma = strchr(s, ',');
		len = comma ? (size_t)(comma - s) : strlen(s);
		for (i = 1; i < 5; i++)
			if (strlen(xg_ct_state_names[i]) == len &&
			    !memcmp(xg_ct_state_names[i], s, len))
				break;
		if (i == 5)
			return xg_perr(c, t->col,
				       "invalid ct state '%s' (new, established, related, invalid)",
				       xg_tok_show(&sb, t->s));
		if (states & (1u << i))
			return xg_perr(c, t->col, "state repeated in ct '%s'",
				       xg_tok_show(&sb, t->s));
		states |= (uint8_t)(1u << i);
		if (!comma)
			break;
		s = comma + 1;
	}
	st->r->ct_states = states;
	return 0;
}

#define PARSE_ROW(id, name, keyword) [XG_F_##id] = parse_##name,
static int (*const parse_cond[XG_F_MAX])(const struct pctx *c, struct pstate *st,
					 const struct tok *t) = { XG_FIELDS(PARSE_ROW) };
#undef PARSE_ROW

/* ---- whole rules ---- */

static int resolve_icmp(const struct pctx *c, struct pstate *st)
{
	struct xg_rule *r = st->r;
	const struct tok *t = &st->val[XG_F_ICMP];
	const struct xg_name_val *nv;
	unsigned long v;
	struct showbuf sb;

	if (!xg_parse_uint(t->s, false, 255, &v)) {
		r->icmp_type = (uint8_t)v;
		return 0;
	}
	nv = xg_name_find(r->icmp_family == 6 ? icmp6_names : icmp4_names, t->s);
	if (nv) {
		r->icmp_type = (uint8_t)nv->val;
		return 0;
	}
	if (r->icmp_family == 4 && xg_name_find(icmp6_names, t->s))
		return xg_perr(c, t->col, "icmp-type '%s' is an ICMPv6 type: add proto icmpv6",
			       xg_tok_show(&sb, t->s));
	return xg_perr(c, t->col, "invalid icmp-type '%s'", xg_tok_show(&sb, t->s));
}

/* A condition that needs a protocol the rule's proto is not. */
static int check_needs(const struct pctx *c, const struct pstate *st, enum xg_field k,
		       const char *needs, int p1, int p2)
{
	struct showbuf sb;

	if (!st->kw_col[k] || !st->r->has_proto || st->r->proto == p1 || st->r->proto == p2)
		return 0;
	return xg_perr(c, st->kw_col[k], "'%s' needs proto %s, not '%s'", xg_field_keyword(k),
		       needs, xg_tok_show(&sb, st->val[XG_F_PROTO].s));
}

/* Combinations that could never match are errors, like a src and dst of two families. */
static int check_never(const struct pctx *c, const struct pstate *st)
{
	const struct xg_rule *r = st->r;
	static const enum xg_field l4[] = { XG_F_SPORT, XG_F_DPORT, XG_F_TCPFLAGS };
	enum xg_field later = st->kw_col[XG_F_DST] > st->kw_col[XG_F_SRC] ? XG_F_DST : XG_F_SRC;
	const struct xg_prefix *p = r->src.family ? &r->src : &r->dst;
	struct showbuf sb;
	size_t i;

	if (r->src.family && r->dst.family && r->src.family != r->dst.family)
		return xg_perr(c, st->val[later].col, "%s '%s' is not of the family of %s",
			       xg_field_keyword(later), xg_tok_show(&sb, st->val[later].s),
			       xg_field_keyword(later == XG_F_SRC ? XG_F_DST : XG_F_SRC));
	if (!r->has_icmp_type)
		return 0;
	for (i = 0; i < sizeof(l4) / sizeof(l4[0]); i++)
		if (st->kw_col[l4[i]])
			return xg_perr(c, st->kw_col[XG_F_ICMP], "'icmp-type' cannot go with '%s'",
				       xg_field_keyword(l4[i]));
	if (p->family && p->family != r->icmp_family)
		return xg_perr(c, st->kw_col[XG_F_ICMP],
			       "'icmp-type' with an IPv%u %s needs proto %s", p->family,
			       p == &r->src ? "src" : "dst", p->family == 6 ? "icmpv6" : "icmp");
	return 0;
}

static int finish_rule(const struct pctx *c, struct pstate *st)
{
	struct xg_rule *r = st->r;
	char text[XG_RULE_TEXT_MAX + 1];

	r->icmp_family = r->has_proto && r->proto == XG_IPPROTO_ICMPV6 ? 6 : 4;
	if (check_needs(c, st, XG_F_SPORT, "tcp or udp", IPPROTO_TCP, IPPROTO_UDP) ||
	    check_needs(c, st, XG_F_DPORT, "tcp or udp", IPPROTO_TCP, IPPROTO_UDP) ||
	    check_needs(c, st, XG_F_TCPFLAGS, "tcp", IPPROTO_TCP, IPPROTO_TCP) ||
	    check_needs(c, st, XG_F_ICMP, "icmp or icmpv6", IPPROTO_ICMP, XG_IPPROTO_ICMPV6))
		return -1;
	if (r->has_icmp_type && resolve_icmp(c, st))
		return -1;
	if (check_never(c, st))
		return -1;
	xg_rule_format(r, text, sizeof(text));
	if (strlen(text) >= XG_RULE_TEXT_MAX)
		return xg_perr(c, 1, "rule too long: its canonical text exceeds %d characters",
			       XG_RULE_TEXT_MAX - 1);
	return 0;
}

static int parse_action(const struct pctx *c, struct lexer *lx, const struct tok *t,
			struct xg_rule *r)
{
	const struct xg_name_val *nv = xg_name_find(xg_action_names, t->s);
	struct showbuf sb;
	struct tok ifn;
	size_t len;

	if (!nv)
		return xg_perr(c, t->col, "unknown action '%s'", xg_tok_show(&sb, t->s));
	r->action = nv->val;
	if (r->action != XG_VERDICT_REDIRECT)
		return 0;
	if (!xg_lex(lx, &ifn))
		return xg_perr(c, t->col, "missing value after '%s'", t->s);
	len = strlen(ifn.s);
	/* the kernel's own test (dev_valid_name): a quoted "" or "a b" would not read back */
	if (!len || len >= IF_NAMESIZE || !strcmp(ifn.s, ".") || !strcmp(ifn.s, "..") ||
	    strpbrk(ifn.s, "/: \t\r\n\v\f"))
		return xg_perr(c, ifn.col, "invalid interface name '%s'", xg_tok_show(&sb, ifn.s));
	memcpy(r->redirect_if, ifn.s, len + 1);
	return 0;
}

static int parse_default(const struct pctx *c, struct lexer *lx, const struct tok *kw,
			 uint32_t *def)
{
	struct showbuf sb;
	struct tok t, extra;

	if (!xg_lex(lx, &t))
		return xg_perr(c, kw->col, "missing value after 'default'");
	if (strcmp(t.s, "pass") && strcmp(t.s, "drop"))
		return xg_perr(c, t.col, "invalid default '%s' (pass or drop)",
			       xg_tok_show(&sb, t.s));
	if (xg_lex(lx, &extra))
		return xg_perr(c, extra.col, "unexpected '%s' after the default",
			       xg_tok_show(&sb, extra.s));
	if (def)
		*def = strcmp(t.s, "pass") ? XG_VERDICT_DROP : XG_VERDICT_PASS;
	return 2;
}

/* flows ...: the words are user/rules/flows_conf.c's; once a file. */
static int parse_flows(const struct pctx *c, struct lexer *lx, const struct tok *kw)
{
	struct xg_flows_conf fc = { 0 };
	unsigned int col = kw->col;
	char msg[256];

	if (!c->rs)
		return xg_perr(c, kw->col, "'flows' is set in a rule file, not on one line");
	if (c->rs->flows.line)
		return xg_perr(c, kw->col, "second 'flows' line (the first is line %u)",
			       c->rs->flows.line);
	if (xg_flows_conf_parse(lx->base, lx->p, &fc, msg, sizeof(msg), &col))
		return xg_perr(c, col, "%s", msg);
	fc.line = c->lineno;
	c->rs->flows = fc;
	return 0;
}

/* counters parse: the parse-outcome and fragment counters, which need every frame parsed to
 * L4 (docs/counters.md); once a file. */
static int parse_counters(const struct pctx *c, struct lexer *lx, const struct tok *kw)
{
	struct showbuf sb;
	struct tok t;

	if (!c->rs)
		return xg_perr(c, kw->col, "'counters' is set in a rule file, not on one line");
	if (c->rs->parse_counters)
		return xg_perr(c, kw->col, "second 'counters' line (the first is line %u)",
			       c->rs->parse_counters);
	if (!xg_lex(lx, &t))
		return xg_perr(c, kw->col, "missing value after 'counters' (parse)");
	if (strcmp(t.s, "parse"))
		return xg_perr(c, t.col, "unknown counters '%s' (parse)", xg_tok_show(&sb, t.s));
	if (xg_lex(lx, &t))
		return xg_perr(c, t.col, "unexpected '%s' after 'counters parse'",
			       xg_tok_show(&sb, t.s));
	c->rs->parse_counters = c->lineno ? c->lineno : 1;
	return 0;
}

static int find_cond(const char *s)
{
	int i;

	for (i = 0; i < XG_F_MAX; i++)
		if (!strcmp(xg_field_keyword((enum xg_field)i), s))
			return i;
	return -1;
}

static int parse_conds(const struct pctx *c, struct lexer *lx, struct pstate *st)
{
	struct showbuf sb;
	struct tok kw, val;
	bool have = false;
	int k;

	while (have || xg_lex(lx, &kw)) {
		have = false;
		if (!strcmp(kw.s, "limit") || !strcmp(kw.s, "burst")) {
			if (xg_parse_limit(c, lx, st, &kw))
				return -1;
			continue;
		}
		st->after_limit = false;
		if (!strcmp(kw.s, "log")) {
			if (xg_parse_log(c, lx, st, &kw, &kw, &have))
				return -1;
			continue;
		}
		k = find_cond(kw.s);
		if (k < 0)
			return xg_perr(c, kw.col, "unknown condition '%s'", xg_tok_show(&sb, kw.s));
		if (st->kw_col[k])
			return xg_perr(c, kw.col, "duplicate condition '%s'", kw.s);
		if (!xg_lex(lx, &val))
			return xg_perr(c, kw.col, "missing value after '%s'", kw.s);
		st->kw_col[k] = kw.col;
		st->val[k] = val;
		if (parse_cond[k](c, st, &val))
			return -1;
	}
	return 0;
}

int xg_lang_parse_line(const struct pctx *c, const char *line, struct xg_rule *r, uint32_t *def)
{
	char buf[XG_RULE_LINE_MAX + 1], *hash;
	size_t n = strnlen(line, XG_RULE_LINE_MAX + 1);
	struct pstate st = { .r = r };
	struct lexer lx = { buf, buf };
	struct tok t;

	memset(r, 0, sizeof(*r));
	if (n > XG_RULE_LINE_MAX)
		return xg_perr(c, XG_RULE_LINE_MAX + 1, "line longer than %d characters",
			       XG_RULE_LINE_MAX);
	memcpy(buf, line, n);
	buf[n] = '\0';
	hash = strchr(buf, '#');
	if (hash)
		*hash = '\0';
	if (!xg_lex(&lx, &t))
		return 0;
	if (!strcmp(t.s, "default"))
		return parse_default(c, &lx, &t, def);
	if (!strcmp(t.s, "set"))
		return xg_parse_set(c, &lx, &t);
	if (!strcmp(t.s, "flows"))
		return parse_flows(c, &lx, &t);
	if (!strcmp(t.s, "counters"))
		return parse_counters(c, &lx, &t);
	r->line = c->lineno;
	if (parse_action(c, &lx, &t, r) || parse_conds(c, &lx, &st) || finish_rule(c, &st))
		return -1;
	return 1;
}

int xg_rule_parse_line(const char *line, const char *file, unsigned int lineno, struct xg_rule *r,
		       uint32_t *def, char *err, size_t errlen)
{
	const struct pctx c = { file, lineno, err, errlen, false, NULL };

	if (err && errlen)
		err[0] = '\0';
	return xg_lang_parse_line(&c, line, r, def);
}
