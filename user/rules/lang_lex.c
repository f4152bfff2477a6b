// SPDX-License-Identifier: GPL-2.0
/* The rule parser's tokens, numbers and error messages (lang_int.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "user/rules/lang_int.h"

const char *xg_tok_show(struct showbuf *b, const char *tok)
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
int xg_perr(const struct pctx *c, unsigned int col, const char *fmt, ...)
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

static bool is_sep(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

bool xg_lex(struct lexer *lx, struct tok *t)
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
	if (*p == '"' && strchr(p + 1, '"')) { /* "a quoted value": spaces and all, no quotes */
		t->s = p + 1;
		p = strchr(p + 1, '"');
		*p++ = '\0';
		lx->p = p;
		return true;
	}
	while (*p && !is_sep(*p))
		p++;
	if (*p)
		*p++ = '\0';
	lx->p = p;
	return true;
}

/* Decimal (or hex after 0x when hex is set) without sign or spaces, at most max. */
int xg_parse_uint(const char *s, bool hex, unsigned long max, unsigned long *out)
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
