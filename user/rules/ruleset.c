// SPDX-License-Identifier: GPL-2.0
/* The rule set container: rules in order, the default, the sets they name. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "user/rules/match.h"
#include "user/rules/rules.h"
#include "user/util/bigmem.h"

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

int xg_ruleset_reserve(struct xg_ruleset *rs, size_t cap)
{
	struct xg_rule *p;

	if (cap <= rs->cap)
		return 0;
	p = malloc(cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	/* not realloc: the hint must come before the copy touches the pages (10,000 rules:
	 * 5.6 MiB) */
	xg_big_hint(p, cap * sizeof(*p));
	if (rs->n)
		memcpy(p, rs->rules, rs->n * sizeof(*p));
	free(rs->rules);
	rs->rules = p;
	rs->cap = cap;
	return 0;
}

int xg_ruleset_insert(struct xg_ruleset *rs, size_t at, const struct xg_rule *r)
{
	struct xg_rule copy = *r; /* r may point into rs->rules, which may move */

	if (at > rs->n)
		return -EINVAL;
	if (rs->n >= XG_RULES_MAX)
		return -E2BIG;
	if (rs->n == rs->cap && xg_ruleset_reserve(rs, rs->cap ? rs->cap * 2 : 16))
		return -ENOMEM;
	xg_match_number(rs, &copy);
	memmove(&rs->rules[at + 1], &rs->rules[at], (rs->n - at) * sizeof(copy));
	rs->rules[at] = copy;
	rs->n++;
	return 0;
}

int xg_ruleset_delete(struct xg_ruleset *rs, size_t at)
{
	struct xg_rule gone;

	if (at >= rs->n)
		return -EINVAL;
	gone = rs->rules[at];
	memmove(&rs->rules[at], &rs->rules[at + 1], (rs->n - at - 1) * sizeof(rs->rules[0]));
	rs->n--;
	xg_match_unnumber(rs, &gone);
	return 0;
}

bool xg_ruleset_uses_ct(const struct xg_ruleset *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (rs->rules[i].ct_states)
			return true;
	return false;
}
