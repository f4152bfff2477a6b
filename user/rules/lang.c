// SPDX-License-Identifier: GPL-2.0
/* The rule language, text side: the rule set container, the line and file parsers, and
 * its conditions, one parse_NAME per field of XG_FIELDS. What a parsed rule means is
 * defined in ref.c, how it is written in format.c.
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
#define _GNU_SOURCE /* getc_unlocked */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "user/util/log.h"
#include "user/rules/lang.h"

#define XG_RULE_LINE_MAX 4096 /* characters in one line, newline excluded */
#define TOKEN_SHOW_MAX 64     /* characters of a token quoted in a message */

/* ---- the rule set ---- */

void xg_ruleset_init(struct xg_ruleset *rs)
{
	memset(rs, 0, sizeof(*rs));
	rs->default_verdict = XG_VERDICT_PASS;
}

void xg_ruleset_free(struct xg_ruleset *rs)
{
	size_t i;

	for (i = 0; i < rs->nsets; i++)
		xg_set_free(rs->sets[i]);
	free(rs->rules);
	xg_ruleset_init(rs);
}

int xg_ruleset_insert(struct xg_ruleset *rs, size_t at, const struct xg_rule *r)
{
	struct xg_rule copy = *r; /* r may point into rs->rules, which may move */

	if (at > rs->n)
		return -EINVAL;
	if (rs->n >= XG_RULES_MAX)
		return -E2BIG;
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 16;
		struct xg_rule *p = realloc(rs->rules, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		rs->rules = p;
		rs->cap = cap;
	}
	memmove(&rs->rules[at + 1], &rs->rules[at], (rs->n - at) * sizeof(copy));
	rs->rules[at] = copy;
	rs->n++;
	return 0;
}

int xg_ruleset_delete(struct xg_ruleset *rs, size_t at)
{
	if (at >= rs->n)
		return -EINVAL;
	memmove(&rs->rules[at], &rs->rules[at + 1], (rs->n - at - 1) * sizeof(rs->rules[0]));
	rs->n--;
	return 0;
}

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

/* ---- errors ---- */

struct pctx {
	const char *file; /* NULL: leave file and line out of messages */
	unsigned int lineno;
	char *err;
	size_t errlen;
	bool warn;	       /* print host-bit warnings (the file parser) */
	struct xg_ruleset *rs; /* the file parser's rule set, for its sets; NULL for a line */
};

/* A token as it may be quoted in a message: bytes outside printable ASCII escaped, long
 * tokens cut, so garbage input cannot put control characters on a terminal. */
struct showbuf {
	char s[4 * TOKEN_SHOW_MAX + 4];
};

static const char *show(struct showbuf *b, const char *tok)
{
	size_t i, o = 0;

	for (i = 0; tok[i] && i < TOKEN_SHOW_MAX; i++) {
		unsigned char ch = (unsigned char)tok[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			b->s[o++] = (char)ch;
		else
			o += (size_t)snprintf(b->s + o, sizeof(b->s) - o, "\\x%02x", ch);
	}
	if (tok[i])
		o += (size_t)snprintf(b->s + o, sizeof(b->s) - o, "...");
	b->s[o] = '\0';
	return b->s;
}

/* Format "FILE:LINE:COL: message" into the caller's buffer. Always returns -1. */
static int __attribute__((format(printf, 3, 4)))
perr(const struct pctx *c, unsigned int col, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!c->err || !c->errlen)
		return -1;
	if (c->file)
		n = snprintf(c->err, c->errlen, "%s:%u:%u: ", c->file, c->lineno, col);
	else
		n = snprintf(c->err, c->errlen, "%u: ", col);
	if (n < 0 || (size_t)n >= c->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- tokens ---- */

struct tok {
	char *s;
	unsigned int col; /* 1-based */
};

struct lexer {
	char *base, *p;
};

static bool is_sep(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static bool lex(struct lexer *lx, struct tok *t)
{
	char *p = lx->p;

	while (is_sep(*p))
		p++;
	if (!*p) {
		lx->p = p;
		return false;
	}
	t->s = p;
	t->col = (unsigned int)(p - lx->base) + 1;
	while (*p && !is_sep(*p))
		p++;
	if (*p)
		*p++ = '\0';
	lx->p = p;
	return true;
}

/* Decimal (or hex after 0x when hex is set) without sign or spaces, at most max. */
static int parse_uint(const char *s, bool hex, unsigned long max, unsigned long *out)
{
	unsigned long v = 0, base = 10;
	int d;

	if (hex && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -1;
		v = v * base + (unsigned long)d;
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

/* ---- conditions ---- */

struct pstate {
	struct xg_rule *r;
	unsigned int limit_col; /* column of 'limit'; 0: not given */
	bool after_limit;	/* the token before was the limit's rate: 'burst' may follow */
	unsigned int log_col;	/* column of `log`; 0: not given */
	unsigned int kw_col[XG_F_MAX]; /* column of the keyword; 0: not given */
	struct tok val[XG_F_MAX];
};

static int parse_prefix(const struct pctx *c, enum xg_field f, const struct tok *t,
			struct xg_prefix *p)
{
	char masked[64];
	struct showbuf sb;
	bool host;

	if (xg_prefix_parse(t->s, p, &host))
		return perr(c, t->col, "invalid prefix '%s'", show(&sb, t->s));
	if (host && c->warn) {
		xg_prefix_text(p, masked, sizeof(masked));
		pr_warn("%s:%u: warning: %s %s has host bits set; using %s\n", c->file, c->lineno,
			xg_field_keyword(f), show(&sb, t->s), masked);
	}
	return 0;
}

/* A set name: 1 to XG_SET_NAME_MAX - 1 of [A-Za-z0-9_.-]. */
static bool set_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n && n < XG_SET_NAME_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
			 "QRSTUVWXYZ0123456789_.-") == n;
}

/* PREFIX, or @NAME of a set: in a file the set must be defined above; a line alone (the
 * command line, a rule read back from a gate) names it, to be bound later. */
static int parse_addr(const struct pctx *c, enum xg_field f, const struct tok *t,
		      struct xg_prefix *p, char *set_name, const struct xg_set **sp)
{
	struct showbuf sb;

	if (t->s[0] != '@')
		return parse_prefix(c, f, t, p);
	if (!set_name_ok(t->s + 1))
		return perr(c, t->col, "invalid set name '%s'", show(&sb, t->s));
	if (c->rs) {
		*sp = xg_ruleset_set(c->rs, t->s + 1);
		if (!*sp)
			return perr(c, t->col, "set '%s' is not defined before this line",
				    show(&sb, t->s + 1));
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
	else if (parse_uint(t->s, hex, max, v))
		return perr(c, t->col, "invalid %s '%s'", what, show(&sb, t->s));
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
	if (parse_uint(item, false, 65535, &a))
		return -1;
	b = a;
	if (dash && parse_uint(dash + 1, false, 65535, &b))
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
			return perr(c, t->col, "more than %d port ranges in '%s'",
				    XG_PORT_RANGES_MAX, show(&sb, t->s));
		if (parse_port_item(s, len, &ps->r[ps->n].lo, &ps->r[ps->n].hi))
			return perr(c, t->col, "invalid ports '%s'", show(&sb, t->s));
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

	if (parse_uint(t->s, false, 4095, &v))
		return perr(c, t->col, "invalid vlan '%s'", show(&sb, t->s));
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
			return perr(c, t->col, "invalid tcp-flags '%s'", show(&sb, t->s));
		if (mask & bit)
			return perr(c, t->col, "flag repeated in tcp-flags '%s'", show(&sb, t->s));
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

	if (!parse_uint(t->s, false, 255, &v)) {
		r->icmp_type = (uint8_t)v;
		return 0;
	}
	nv = xg_name_find(r->icmp_family == 6 ? icmp6_names : icmp4_names, t->s);
	if (nv) {
		r->icmp_type = (uint8_t)nv->val;
		return 0;
	}
	if (r->icmp_family == 4 && xg_name_find(icmp6_names, t->s))
		return perr(c, t->col, "icmp-type '%s' is an ICMPv6 type: add proto icmpv6",
			    show(&sb, t->s));
	return perr(c, t->col, "invalid icmp-type '%s'", show(&sb, t->s));
}

/* A condition that needs a protocol the rule's proto is not. */
static int check_needs(const struct pctx *c, const struct pstate *st, enum xg_field k,
		       const char *needs, int p1, int p2)
{
	struct showbuf sb;

	if (!st->kw_col[k] || !st->r->has_proto || st->r->proto == p1 || st->r->proto == p2)
		return 0;
	return perr(c, st->kw_col[k], "'%s' needs proto %s, not '%s'", xg_field_keyword(k), needs,
		    show(&sb, st->val[XG_F_PROTO].s));
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
		return perr(c, st->val[later].col, "%s '%s' is not of the family of %s",
			    xg_field_keyword(later), show(&sb, st->val[later].s),
			    xg_field_keyword(later == XG_F_SRC ? XG_F_DST : XG_F_SRC));
	if (!r->has_icmp_type)
		return 0;
	for (i = 0; i < sizeof(l4) / sizeof(l4[0]); i++)
		if (st->kw_col[l4[i]])
			return perr(c, st->kw_col[XG_F_ICMP], "'icmp-type' cannot go with '%s'",
				    xg_field_keyword(l4[i]));
	if (p->family && p->family != r->icmp_family)
		return perr(c, st->kw_col[XG_F_ICMP], "'icmp-type' with an IPv%u %s needs proto %s",
			    p->family, p == &r->src ? "src" : "dst",
			    p->family == 6 ? "icmpv6" : "icmp");
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
		return perr(c, 1, "rule too long: its canonical text exceeds %d characters",
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
		return perr(c, t->col, "unknown action '%s'", show(&sb, t->s));
	r->action = nv->val;
	if (r->action != XG_VERDICT_REDIRECT)
		return 0;
	if (!lex(lx, &ifn))
		return perr(c, t->col, "missing value after '%s'", t->s);
	len = strlen(ifn.s);
	if (len >= IF_NAMESIZE || strchr(ifn.s, '/'))
		return perr(c, ifn.col, "invalid interface name '%s'", show(&sb, ifn.s));
	memcpy(r->redirect_if, ifn.s, len + 1);
	return 0;
}

static int parse_default(const struct pctx *c, struct lexer *lx, const struct tok *kw,
			 uint32_t *def)
{
	struct showbuf sb;
	struct tok t, extra;

	if (!lex(lx, &t))
		return perr(c, kw->col, "missing value after 'default'");
	if (strcmp(t.s, "pass") && strcmp(t.s, "drop"))
		return perr(c, t.col, "invalid default '%s' (pass or drop)", show(&sb, t.s));
	if (lex(lx, &extra))
		return perr(c, extra.col, "unexpected '%s' after the default", show(&sb, extra.s));
	if (def)
		*def = strcmp(t.s, "pass") ? XG_VERDICT_DROP : XG_VERDICT_PASS;
	return 2;
}

/* The set file's path: relative to the rule file's directory unless absolute. */
static int set_path(const struct pctx *c, const char *file, char *out, size_t len)
{
	const char *slash = c->file ? strrchr(c->file, '/') : NULL;
	int n;

	if (file[0] == '/' || !slash)
		n = snprintf(out, len, "%s", file);
	else
		n = snprintf(out, len, "%.*s/%s", (int)(slash - c->file), c->file, file);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* set NAME FILE: read FILE whole into a new set of the file's rule set. */
static int parse_set(const struct pctx *c, struct lexer *lx, const struct tok *kw)
{
	char path[4096], msg[512];
	struct tok name, file, extra;
	struct showbuf sb;
	struct xg_set *s;

	if (!c->rs)
		return perr(c, kw->col, "a set is defined in a rule file, not on one line");
	if (!lex(lx, &name) || !lex(lx, &file))
		return perr(c, kw->col, "'set' needs a name and a file: set NAME FILE");
	if (lex(lx, &extra))
		return perr(c, extra.col, "unexpected '%s' after the set file", show(&sb, extra.s));
	if (!set_name_ok(name.s))
		return perr(c, name.col, "invalid set name '%s'", show(&sb, name.s));
	if (xg_ruleset_set(c->rs, name.s))
		return perr(c, name.col, "set '%s' defined twice", name.s);
	if (c->rs->nsets >= XG_SET_RULESET_MAX)
		return perr(c, kw->col, "more than %d sets in one rule file", XG_SET_RULESET_MAX);
	if (set_path(c, file.s, path, sizeof(path)))
		return perr(c, file.col, "set file path too long");
	if (xg_set_read(path, name.s, &s, msg, sizeof(msg)))
		return perr(c, file.col, "set '%s': %s", name.s, msg);
	c->rs->sets[c->rs->nsets++] = s;
	return 0;
}

/* flows ...: the words are user/rules/flows_conf.c's; once a file. */
static int parse_flows(const struct pctx *c, struct lexer *lx, const struct tok *kw)
{
	struct xg_flows_conf fc = { 0 };
	unsigned int col = kw->col;
	char msg[256];

	if (!c->rs)
		return perr(c, kw->col, "'flows' is set in a rule file, not on one line");
	if (c->rs->flows.line)
		return perr(c, kw->col, "second 'flows' line (the first is line %u)",
			    c->rs->flows.line);
	if (xg_flows_conf_parse(lx->base, lx->p, &fc, msg, sizeof(msg), &col))
		return perr(c, col, "%s", msg);
	fc.line = c->lineno;
	c->rs->flows = fc;
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

/* RATE: N/s (frames), or N bytes/s, kbytes/s, mbytes/s (1024-based, as nftables). */
static int parse_rate(const struct pctx *c, const struct tok *t, struct xg_rule *r)
{
	static const struct {
		const char *unit;
		unsigned long mul;
	} units[] = { { "/s", 0 }, { "bytes/s", 1 }, { "kbytes/s", 1024 }, { "mbytes/s", 1 << 20 } };
	char num[24];
	size_t n = strspn(t->s, "0123456789"), i;
	unsigned long v;
	struct showbuf sb;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(t->s + n, units[i].unit))
			break;
	if (!n || n >= sizeof(num) || i == sizeof(units) / sizeof(units[0]))
		return perr(c, t->col, "invalid limit '%s' (N/s, or N bytes/s, kbytes/s, mbytes/s)",
			    show(&sb, t->s));
	memcpy(num, t->s, n);
	num[n] = '\0';
	if (parse_uint(num, false, XG_LIMIT_RATE_MAX, &v))
		return perr(c, t->col, "limit '%s' is over %d per second", show(&sb, t->s),
			    XG_LIMIT_RATE_MAX);
	if (!v)
		return perr(c, t->col, "limit of 0: a rate must be at least 1 per second");
	r->limit_bytes = units[i].mul != 0;
	r->limit_rate = (uint64_t)v * (units[i].mul ? units[i].mul : 1);
	if (r->limit_rate > XG_LIMIT_UNITS_MAX)
		return perr(c, t->col, "limit '%s' is over %llu bytes per second", show(&sb, t->s),
			    (unsigned long long)XG_LIMIT_UNITS_MAX);
	r->limit_burst = r->limit_bytes ? XG_LIMIT_BYTE_BURST : XG_LIMIT_BURST;
	return 0;
}

static int parse_limit(const struct pctx *c, struct lexer *lx, struct pstate *st,
		       const struct tok *kw)
{
	struct showbuf sb;
	struct tok val;
	unsigned long v;

	if (!strcmp(kw->s, "burst")) {
		if (!st->after_limit)
			return perr(c, kw->col, "'burst' goes right after 'limit RATE'");
		if (!lex(lx, &val))
			return perr(c, kw->col, "missing value after 'burst'");
		if (parse_uint(val.s, false, XG_LIMIT_RATE_MAX, &v) || !v)
			return perr(c, val.col, "invalid burst '%s' (1 to %d)", show(&sb, val.s),
				    XG_LIMIT_RATE_MAX);
		st->r->limit_burst = v;
		st->after_limit = false;
		return 0;
	}
	if (st->limit_col)
		return perr(c, kw->col, "duplicate condition 'limit'");
	if (!lex(lx, &val))
		return perr(c, kw->col, "missing value after 'limit'");
	st->limit_col = kw->col;
	if (parse_rate(c, &val, st->r))
		return -1;
	st->after_limit = true;
	return 0;
}

/* The modifier `log [every N]`, its keyword in kw. An `every` is optional: a token that is
 * not one is left in next (*have set) for the conditions. */
static int parse_log(const struct pctx *c, struct lexer *lx, struct pstate *st,
		     const struct tok *kw, struct tok *next, bool *have)
{
	struct showbuf sb;
	unsigned long n;
	struct tok val;

	if (st->log_col)
		return perr(c, kw->col, "duplicate modifier 'log'");
	st->log_col = kw->col;
	st->r->log_every = 1;
	if (!lex(lx, next))
		return 0;
	if (strcmp(next->s, "every")) {
		*have = true;
		return 0;
	}
	if (!lex(lx, &val))
		return perr(c, next->col, "missing value after 'every'");
	if (parse_uint(val.s, false, UINT32_MAX, &n) || !n)
		return perr(c, val.col, "invalid sample rate '%s' (1 to %u: log one frame in N)",
			    show(&sb, val.s), UINT32_MAX);
	st->r->log_every = (uint32_t)n;
	return 0;
}

static int parse_conds(const struct pctx *c, struct lexer *lx, struct pstate *st)
{
	struct showbuf sb;
	struct tok kw, val;
	bool have = false;
	int k;

	while (have || lex(lx, &kw)) {
		have = false;
		if (!strcmp(kw.s, "limit") || !strcmp(kw.s, "burst")) {
			if (parse_limit(c, lx, st, &kw))
				return -1;
			continue;
		}
		st->after_limit = false;
		if (!strcmp(kw.s, "log")) {
			if (parse_log(c, lx, st, &kw, &kw, &have))
				return -1;
			continue;
		}
		k = find_cond(kw.s);
		if (k < 0)
			return perr(c, kw.col, "unknown condition '%s'", show(&sb, kw.s));
		if (st->kw_col[k])
			return perr(c, kw.col, "duplicate condition '%s'", kw.s);
		if (!lex(lx, &val))
			return perr(c, kw.col, "missing value after '%s'", kw.s);
		st->kw_col[k] = kw.col;
		st->val[k] = val;
		if (parse_cond[k](c, st, &val))
			return -1;
	}
	return 0;
}

static int parse_line(const struct pctx *c, const char *line, struct xg_rule *r, uint32_t *def)
{
	char buf[XG_RULE_LINE_MAX + 1], *hash;
	size_t n = strnlen(line, XG_RULE_LINE_MAX + 1);
	struct pstate st = { .r = r };
	struct lexer lx = { buf, buf };
	struct tok t;

	memset(r, 0, sizeof(*r));
	if (n > XG_RULE_LINE_MAX)
		return perr(c, XG_RULE_LINE_MAX + 1, "line longer than %d characters",
			    XG_RULE_LINE_MAX);
	memcpy(buf, line, n);
	buf[n] = '\0';
	hash = strchr(buf, '#');
	if (hash)
		*hash = '\0';
	if (!lex(&lx, &t))
		return 0;
	if (!strcmp(t.s, "default"))
		return parse_default(c, &lx, &t, def);
	if (!strcmp(t.s, "set"))
		return parse_set(c, &lx, &t);
	if (!strcmp(t.s, "flows"))
		return parse_flows(c, &lx, &t);
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
	return parse_line(&c, line, r, def);
}

/* ---- files ---- */

static int add_line(struct pctx *c, const char *line, struct xg_ruleset *rs, unsigned int *def_line)
{
	struct xg_rule r;
	uint32_t def;
	int ret = parse_line(c, line, &r, &def);

	if (ret < 0)
		return -1;
	if (ret == 2) {
		if (*def_line)
			return perr(c, 1, "second 'default' line (the first is line %u)",
				    *def_line);
		*def_line = c->lineno;
		rs->default_verdict = def;
		rs->has_default = true;
	} else if (ret == 1) {
		if (rs->n >= XG_RULES_MAX)
			return perr(c, 1, "more than %d rules", XG_RULES_MAX);
		if (xg_ruleset_insert(rs, rs->n, &r))
			return perr(c, 1, "out of memory");
	}
	return 0;
}

/* One line into buf (XG_RULE_LINE_MAX characters and the NUL), read a byte at a time so
 * that nothing past the limit is ever held: a 300 MB line without a newline costs 4 KiB.
 * Returns 1 for a line (its length in *len, the column of its first NUL byte in *nul or
 * 0), 0 at the end of the file, -E2BIG for a line or a file over its limit, -EIO (errno
 * kept) when reading fails: an error is never taken for the end of the file. */
static int read_line(FILE *f, char *buf, size_t *len, unsigned int *nul, size_t *total)
{
	size_t n = 0;
	int ch;

	*nul = 0;
	while ((ch = getc_unlocked(f)) != EOF) {
		if (++*total > XG_RULES_FILE_MAX)
			return -EFBIG;
		if (ch == '\n')
			break;
		if (n == XG_RULE_LINE_MAX)
			return -E2BIG;
		if (!ch && !*nul)
			*nul = (unsigned int)n + 1;
		buf[n++] = (char)ch;
	}
	if (ch == EOF && ferror(f))
		return -EIO;
	buf[n] = '\0';
	*len = n;
	return ch == EOF && !n ? 0 : 1;
}

/* Regular files are measured before reading; pipes and devices are bound while read. */
static int open_rules(const char *path, FILE **out, char *err, size_t errlen)
{
	struct stat st;
	FILE *f = fopen(path, "r");

	*out = NULL;
	if (!f) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode) && st.st_size > XG_RULES_FILE_MAX) {
		snprintf(err, errlen, "%s: %lld bytes, a rule file holds at most %d MiB", path,
			 (long long)st.st_size, XG_RULES_FILE_MAX >> 20);
		fclose(f);
		return -1;
	}
	*out = f;
	return 0;
}

static int read_rules(FILE *f, struct pctx *c, struct xg_ruleset *rs)
{
	char line[XG_RULE_LINE_MAX + 1];
	unsigned int def_line = 0, nul;
	size_t n, total = 0;
	int ret;

	for (;;) {
		c->lineno++;
		ret = read_line(f, line, &n, &nul, &total);
		if (ret <= 0)
			break;
		if (nul)
			ret = perr(c, nul, "NUL byte in line");
		else
			ret = add_line(c, line, rs, &def_line);
		if (ret)
			return -1;
	}
	if (ret == -E2BIG)
		return perr(c, XG_RULE_LINE_MAX + 1, "line longer than %d characters",
			    XG_RULE_LINE_MAX);
	if (ret == -EFBIG)
		snprintf(c->err, c->errlen, "%s: more than %d MiB, the most a rule file holds",
			 c->file, XG_RULES_FILE_MAX >> 20);
	else if (ret == -EIO)
		snprintf(c->err, c->errlen, "cannot read %s: %s", c->file, strerror(errno));
	return ret ? -1 : 0;
}

int xg_rules_parse_file_err(const char *path, struct xg_ruleset *rs, char *err, size_t errlen)
{
	struct pctx c = { path, 0, err, errlen, true, rs };
	FILE *f;
	int ret;

	if (rs->n || rs->has_default) {
		snprintf(err, errlen, "%s: rule set not empty", path);
		return -1;
	}
	if (open_rules(path, &f, err, errlen))
		return -1;
	ret = read_rules(f, &c, rs);
	fclose(f);
	if (ret)
		xg_ruleset_free(rs);
	return ret;
}

int xg_rules_parse_file(const char *path, struct xg_ruleset *rs)
{
	char err[512];

	if (!xg_rules_parse_file_err(path, rs, err, sizeof(err)))
		return 0;
	pr_warn("%s\n", err);
	return -1;
}
