/* SPDX-License-Identifier: GPL-2.0 */
/* Inside the rule parser only: what its units share. lang.c parses a line's action and
 * field conditions, lang_lex.c holds the tokens, numbers and error messages, lang_clause.c
 * the clauses that are no field (set, limit, log), lang_file.c reads whole files. */
#ifndef XG_RULES_LANG_INT_H
#define XG_RULES_LANG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "user/rules/rules.h"

#define XG_RULE_LINE_MAX 4096 /* characters in one line, newline excluded */
#define TOKEN_SHOW_MAX 64     /* characters of a token quoted in a message */

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

struct tok {
	char *s;
	unsigned int col; /* 1-based */
};

struct lexer {
	char *base, *p;
};

struct pstate {
	struct xg_rule *r;
	unsigned int limit_col; /* column of 'limit'; 0: not given */
	bool after_limit;	/* the token before was the limit's rate: 'burst' may follow */
	unsigned int log_col;	/* column of `log`; 0: not given */
	unsigned int kw_col[XG_F_MAX]; /* column of the keyword; 0: not given */
	struct tok val[XG_F_MAX];
};

const char *xg_tok_show(struct showbuf *b, const char *tok);
/* Format "FILE:LINE:COL: message" into the caller's buffer. Always returns -1. */
int __attribute__((format(printf, 3, 4)))
xg_perr(const struct pctx *c, unsigned int col, const char *fmt, ...);
/* The next token of lx into t; false at the end of the line. */
bool xg_lex(struct lexer *lx, struct tok *t);
/* Decimal (or hex after 0x when hex is set) without sign or spaces, at most max. */
int xg_parse_uint(const char *s, bool hex, unsigned long max, unsigned long *out);

/* lang_clause.c */
bool xg_set_name_ok(const char *s);
int xg_parse_set(const struct pctx *c, struct lexer *lx, const struct tok *kw);
int xg_parse_limit(const struct pctx *c, struct lexer *lx, struct pstate *st, const struct tok *kw);
int xg_parse_log(const struct pctx *c, struct lexer *lx, struct pstate *st, const struct tok *kw,
		 struct tok *next, bool *have);

/* lang.c: one line; the return of xg_rule_parse_line() */
int xg_lang_parse_line(const struct pctx *c, const char *line, struct xg_rule *r, uint32_t *def);

#endif
