// SPDX-License-Identifier: GPL-2.0
/* Painting a set's IPv4 prefixes into its flat table. Membership is "covered by some
 * prefix", so nothing is ever unpainted: a prefix marks what it covers XG_SET4_ALL, and
 * what lies under an entry already ALL is skipped. Taken shortest first (xg_set_finish's
 * order), no block or bitmap is made under a prefix painted later; in any other order the
 * result is the same set, with some words to spare. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/xdpgate_rules.h"
#include "user/rules/dir4.h"
#include "user/rules/set4.h"

/* size zeroed words at the end of t; their offset, or 0 when out of memory. */
static uint32_t set4_alloc(struct xg_set4 *t, uint32_t size)
{
	uint32_t off = (uint32_t)t->n;

	if (t->n + size > t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : XG_SET4_L1 * 2;
		uint32_t *nw;

		while (ncap < t->n + size)
			ncap *= 2;
		if (ncap > UINT32_MAX || !(nw = realloc(t->w, ncap * sizeof(*nw))))
			return 0;
		t->w = nw;
		t->cap = ncap;
	}
	memset(t->w + off, 0, size * sizeof(*t->w));
	t->n += size;
	return off;
}

/* The next level behind the entry at word at: made (size words) when the entry is NONE.
 * 1: the entry is ALL, nothing to paint under it; 0; -ENOMEM. */
static int set4_next(struct xg_set4 *t, uint32_t at, uint32_t size, uint32_t *off)
{
	uint32_t e = t->w[at];

	if (e == XG_SET4_ALL)
		return 1;
	if (e == XG_SET4_NONE) {
		e = set4_alloc(t, size);
		if (!e)
			return -ENOMEM;
		t->w[at] = e;
	}
	*off = e;
	return 0;
}

static int set4_paint(struct xg_set4 *t, const struct xg_prefix *p)
{
	uint32_t a = xg_dir4_addr(p->addr), off = 0, i;
	struct xg_dir4_span sp = xg_dir4_span(a, p->len);
	int r;

	if (sp.level > 1 && (r = set4_next(t, a >> 16, XG_SET4_BLOCK, &off)))
		return r < 0 ? r : 0;
	if (sp.level > 2 && (r = set4_next(t, off + ((a >> 8) & 0xff), XG_SET4_BITMAP, &off)))
		return r < 0 ? r : 0;
	for (i = sp.first; i < sp.first + sp.n; i++) {
		if (sp.level == 3)
			t->w[off + i / 32] |= 1u << (i % 32);
		else
			t->w[off + i] = XG_SET4_ALL; /* over a block too: the prefix covers it */
	}
	return 0;
}

int xg_set4_paint(struct xg_set4 *t, const struct xg_prefix *p, size_t n)
{
	size_t i;
	int err = 0;

	for (i = 0; i < n && !err; i++)
		if (p[i].family == 4)
			err = set4_paint(t, &p[i]);
	if (err)
		xg_set4_free(t);
	return err;
}

int xg_set4_build(const struct xg_set *s, struct xg_set4 *t)
{
	memset(t, 0, sizeof(*t));
	set4_alloc(t, XG_SET4_L1); /* level 1, at offset 0 */
	if (!t->w)
		return -ENOMEM;
	return xg_set4_paint(t, s->p, s->n);
}

#define SET4_WORD(off) ((off) < t->n ? t->w[off] : XG_SET4_NONE)

bool xg_set4_has(const struct xg_set4 *t, uint32_t a)
{
	return XG_SET4_HAS(SET4_WORD, a);
}

void xg_set4_free(struct xg_set4 *t)
{
	free(t->w);
	memset(t, 0, sizeof(*t));
}
