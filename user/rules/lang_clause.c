// SPDX-License-Identifier: GPL-2.0
/* The clauses of the rule language that are no field of XG_FIELDS: `set NAME FILE`, the
 * `limit RATE [burst N]` condition and the `log [every N]` modifier. */
#include <stdio.h>
#include <string.h>

#include "user/rules/lang_int.h"

/* A set name: 1 to XG_SET_NAME_MAX - 1 of [A-Za-z0-9_.-]. */
bool xg_set_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n && n < XG_SET_NAME_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
			 "QRSTUVWXYZ0123456789_.-") == n;
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
int xg_parse_set(const struct pctx *c, struct lexer *lx, const struct tok *kw)
{
	char path[4096], msg[512];
	struct tok name, file, extra;
	struct showbuf sb;
	struct xg_set *s;

	if (!c->rs)
		return xg_perr(c, kw->col, "a set is defined in a rule file, not on one line");
	if (!xg_lex(lx, &name) || !xg_lex(lx, &file))
		return xg_perr(c, kw->col, "'set' needs a name and a file: set NAME FILE");
	if (xg_lex(lx, &extra))
		return xg_perr(c, extra.col, "unexpected '%s' after the set file",
			       xg_tok_show(&sb, extra.s));
	if (!xg_set_name_ok(name.s))
		return xg_perr(c, name.col, "invalid set name '%s'", xg_tok_show(&sb, name.s));
	if (xg_ruleset_set(c->rs, name.s))
		return xg_perr(c, name.col, "set '%s' defined twice", name.s);
	if (c->rs->nsets >= XG_SET_RULESET_MAX)
		return xg_perr(c, kw->col, "more than %d sets in one rule file",
			       XG_SET_RULESET_MAX);
	if (set_path(c, file.s, path, sizeof(path)))
		return xg_perr(c, file.col, "set file path too long");
	if (xg_set_read(path, name.s, &s, msg, sizeof(msg)))
		return xg_perr(c, file.col, "set '%s': %s", name.s, msg);
	c->rs->sets[c->rs->nsets++] = s;
	return 0;
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
		return xg_perr(c, t->col,
			       "invalid limit '%s' (N/s, or N bytes/s, kbytes/s, mbytes/s)",
			       xg_tok_show(&sb, t->s));
	memcpy(num, t->s, n);
	num[n] = '\0';
	if (xg_parse_uint(num, false, XG_LIMIT_RATE_MAX, &v))
		return xg_perr(c, t->col, "limit '%s' is over %d per second",
			       xg_tok_show(&sb, t->s), XG_LIMIT_RATE_MAX);
	if (!v)
		return xg_perr(c, t->col, "limit of 0: a rate must be at least 1 per second");
	r->limit_bytes = units[i].mul != 0;
	r->limit_rate = (uint64_t)v * (units[i].mul ? units[i].mul : 1);
	if (r->limit_rate > XG_LIMIT_UNITS_MAX)
		return xg_perr(c, t->col, "limit '%s' is over %llu bytes per second",
			       xg_tok_show(&sb, t->s), (unsigned long long)XG_LIMIT_UNITS_MAX);
	r->limit_burst = r->limit_bytes ? XG_LIMIT_BYTE_BURST : XG_LIMIT_BURST;
	return 0;
}

int xg_parse_limit(const struct pctx *c, struct lexer *lx, struct pstate *st, const struct tok *kw)
{
	struct showbuf sb;
	struct tok val;
	unsigned long v;

	if (!strcmp(kw->s, "burst")) {
		if (!st->after_limit)
			return xg_perr(c, kw->col, "'burst' goes right after 'limit RATE'");
		if (!xg_lex(lx, &val))
			return xg_perr(c, kw->col, "missing value after 'burst'");
		if (xg_parse_uint(val.s, false, XG_LIMIT_RATE_MAX, &v) || !v)
			return xg_perr(c, val.col, "invalid burst '%s' (1 to %d)",
				       xg_tok_show(&sb, val.s), XG_LIMIT_RATE_MAX);
		st->r->limit_burst = v;
		st->after_limit = false;
		return 0;
	}
	if (st->limit_col)
		return xg_perr(c, kw->col, "duplicate condition 'limit'");
	if (!xg_lex(lx, &val))
		return xg_perr(c, kw->col, "missing value after 'limit'");
	st->limit_col = kw->col;
	if (parse_rate(c, &val, st->r))
		return -1;
	st->after_limit = true;
	return 0;
}

/* The modifier `log [every N]`, its keyword in kw. An `every` is optional: a token that is
 * not one is left in next (*have set) for the conditions. */
int xg_parse_log(const struct pctx *c, struct lexer *lx, struct pstate *st, const struct tok *kw,
		 struct tok *next, bool *have)
{
	struct showbuf sb;
	unsigned long n;
	struct tok val;

	if (st->log_col)
		return xg_perr(c, kw->col, "duplicate modifier 'log'");
	st->log_col = kw->col;
	st->r->log_every = 1;
	if (!xg_lex(lx, next))
		return 0;
	if (strcmp(next->s, "every")) {
		*have = true;
		return 0;
	}
	if (!xg_lex(lx, &val))
		return xg_perr(c, next->col, "missing value after 'every'");
	if (xg_parse_uint(val.s, false, UINT32_MAX, &n) || !n)
		return xg_perr(c, val.col, "invalid sample rate '%s' (1 to %u: log one frame in N)",
			       xg_tok_show(&sb, val.s), UINT32_MAX);
	st->r->log_every = (uint32_t)n;
	return 0;
}
