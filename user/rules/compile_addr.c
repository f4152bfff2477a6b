// SPDX-License-Identifier: GPL-2.0
/* The rule compiler's address fields (src, dst): the prefixes rules name, each a class of
 * its own rules plus its parent's; IPv4 painted into the DIR-16-8-8 table, IPv6 as LPM
 * entries; and the membership bits of the sets a field tests, which multiply its classes. */
#include <stdlib.h>
#include <string.h>

#include "user/util/bigmem.h"
#include "user/util/log.h"
#include "user/rules/compile_int.h"
#include "user/rules/dir4.h"

struct pfx {
	uint8_t family, len;
	uint8_t addr[16];
	uint32_t head; /* rules with exactly this prefix, linked through next[] */
	int cls;
	uint64_t hash; /* zobrist hash of the rules whose prefix contains this one */
};

struct pfx_set {
	struct pfx *p;
	size_t n;
	uint32_t *idx; /* open addressing over p, NO_VALUE = empty */
	uint32_t cap;
};

static uint32_t pfx_hash(uint8_t family, uint8_t len, const uint8_t *addr)
{
	uint32_t h = 2166136261u ^ family ^ ((uint32_t)len << 8);
	int i;

	for (i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 16777619u;
	return h;
}

/* Index of the prefix in s, adding it when add is set; NO_VALUE when absent. */
static uint32_t pfx_find(struct pfx_set *s, uint8_t family, uint8_t len, const uint8_t *addr,
			 bool add)
{
	uint32_t j = pfx_hash(family, len, addr) & (s->cap - 1);

	for (; s->idx[j] != NO_VALUE; j = (j + 1) & (s->cap - 1)) {
		const struct pfx *p = &s->p[s->idx[j]];

		if (p->family == family && p->len == len && !memcmp(p->addr, addr, 16))
			return s->idx[j];
	}
	if (!add)
		return NO_VALUE;
	s->p[s->n] = (struct pfx){ .family = family, .len = len, .head = NO_VALUE, .cls = -1 };
	memcpy(s->p[s->n].addr, addr, 16);
	s->idx[j] = (uint32_t)s->n;
	return (uint32_t)s->n++;
}

/* The longest other prefix of the set that contains p (the /0 root always does). */
static uint32_t pfx_parent(struct pfx_set *s, const struct pfx *p)
{
	uint8_t a[16];
	int l;

	for (l = p->len - 1; l >= 0; l--) {
		uint32_t i;

		memcpy(a, p->addr, 16);
		xg_addr_mask(a, (unsigned int)l, sizeof(a));
		i = pfx_find(s, p->family, (uint8_t)l, a, false);
		if (i != NO_VALUE)
			return i;
	}
	return NO_VALUE;
}

static int cmp_pfx_len(const void *a, const void *b)
{
	const struct pfx *x = a, *y = b;

	return x->len < y->len ? -1 : x->len > y->len;
}

static int pfx_set_init(struct pfx_set *s, size_t max)
{
	s->cap = 64;
	while (s->cap < max * 2)
		s->cap *= 2;
	s->n = 0;
	s->p = calloc(max, sizeof(*s->p));
	s->idx = malloc(s->cap * sizeof(*s->idx));
	if (!s->p || !s->idx)
		return -1;
	memset(s->idx, 0xff, s->cap * sizeof(*s->idx));
	return 0;
}

static void pfx_reindex(struct pfx_set *s)
{
	size_t i;

	memset(s->idx, 0xff, s->cap * sizeof(*s->idx));
	for (i = 0; i < s->n; i++) {
		uint32_t j = pfx_hash(s->p[i].family, s->p[i].len, s->p[i].addr) & (s->cap - 1);

		while (s->idx[j] != NO_VALUE)
			j = (j + 1) & (s->cap - 1);
		s->idx[j] = (uint32_t)i;
	}
}

/* Collect every distinct prefix (plus a /0 root per family), rules linked to their own. */
static int collect_prefixes(struct fctx *x, int f, struct pfx_set *s, uint32_t *next)
{
	static const uint8_t zero[16];
	size_t r;

	if (pfx_set_init(s, x->rs->n + 2))
		return -1;
	pfx_find(s, 4, 0, zero, true);
	pfx_find(s, 6, 0, zero, true);
	for (r = 0; r < x->rs->n; r++) {
		const struct xg_prefix *pr =
			f == XG_F_SRC ? &x->rs->rules[r].src : &x->rs->rules[r].dst;

		if (pr->family)
			pfx_find(s, pr->family, pr->len, pr->addr, true);
	}
	/* shorter prefixes first, so a parent has its class before its children */
	qsort(s->p, s->n, sizeof(*s->p), cmp_pfx_len);
	pfx_reindex(s);
	for (r = x->rs->n; r-- > 0;) {
		const struct xg_prefix *pr =
			f == XG_F_SRC ? &x->rs->rules[r].src : &x->rs->rules[r].dst;
		uint32_t i;

		if (!pr->family)
			continue;
		i = pfx_find(s, pr->family, pr->len, pr->addr, false);
		next[r] = s->p[i].head;
		s->p[i].head = (uint32_t)r;
	}
	return 0;
}

/* The block behind entry *e, made (filled with *e's class) when *e is still a class. */
static int dir4_block(struct xg_compiled *c, size_t k, uint32_t *e)
{
	uint32_t b, i;

	if (*e & XG_DIR4_BLOCK)
		return (int)(*e & 0xffff);
	if (c->nblocks[k] >= XG_DIR4_BLOCKS) {
		pr_warn("rules: IPv4 %s prefixes longer than /16 need more than %d blocks\n",
			k ? "dst" : "src", XG_DIR4_BLOCKS);
		return -1;
	}
	b = c->nblocks[k]++;
	for (i = 0; i < XG_DIR4_BLOCK_SIZE; i++)
		c->dir4[k][XG_DIR4_L1 + b * XG_DIR4_BLOCK_SIZE + i] = *e;
	*e = XG_DIR4_BLOCK | b;
	return (int)b;
}

/* Paint an IPv4 prefix's class over the addresses it covers. Prefixes come shortest
 * first, so a longer prefix overwrites the shorter ones it lies in. */
static int dir4_paint(struct xg_compiled *c, size_t k, const struct pfx *p)
{
	uint32_t a = xg_dir4_addr(p->addr), *e = c->dir4[k], i;
	struct xg_dir4_span sp = xg_dir4_span(a, p->len);
	int b;

	if (sp.level > 1) {
		if ((b = dir4_block(c, k, &e[a >> 16])) < 0)
			return -1;
		e = &c->dir4[k][XG_DIR4_L1 + (uint32_t)b * XG_DIR4_BLOCK_SIZE];
	}
	if (sp.level > 2) {
		if ((b = dir4_block(c, k, &e[(a >> 8) & 0xff])) < 0)
			return -1;
		e = &c->dir4[k][XG_DIR4_L1 + (uint32_t)b * XG_DIR4_BLOCK_SIZE];
	}
	for (i = 0; i < sp.n; i++)
		e[sp.first + i] = (uint32_t)p->cls;
	return 0;
}

static const char *rule_set_name(const struct xg_rule *r, size_t k)
{
	return k ? r->dst_set : r->src_set;
}

/* The sets the rules test on field k, in order of first use, into c. 0 or -1. */
static int field_sets(struct fctx *x, size_t k)
{
	struct xg_compiled *c = x->c;
	uint32_t i;
	size_t r;

	for (r = 0; r < x->rs->n; r++) {
		const char *name = rule_set_name(&x->rs->rules[r], k);

		if (!name[0])
			continue;
		for (i = 0; i < c->nsets[k] && strcmp(c->set_name[k][i], name); i++)
			;
		if (i < c->nsets[k])
			continue;
		if (c->nsets[k] == XG_SET_FIELD_MAX) {
			pr_warn("rules: more than %d sets tested on %s\n", XG_SET_FIELD_MAX,
				x->name);
			return -1;
		}
		snprintf(c->set_name[k][c->nsets[k]++], XG_SET_NAME_MAX, "%s", name);
	}
	return 0;
}

/* Sets on an address field: the gate adds stride * (membership bits) to an address's
 * prefix class, so every prefix class ec gets a copy for each combination m of sets,
 * accepting its own rules and those of the sets in m. Rules on a set are in no prefix
 * class (they have a condition on the field, and no prefix). */
static int expand_sets(struct fctx *x, size_t k)
{
	uint32_t nec = x->fe->n, n, m, ec, i, w, nw = x->c->nwords;
	uint64_t *sbits, *bits;
	int err = -1;
	size_t r;

	if (field_sets(x, k))
		return -1;
	n = x->c->nsets[k];
	if (!n)
		return 0;
	if ((uint64_t)nec << n > 65535) {
		pr_warn("rules: %u classes of %s with %u sets exceed 65535\n", nec, x->name, n);
		return -1;
	}
	sbits = calloc((size_t)n * nw, sizeof(uint64_t));
	bits = malloc(nw * sizeof(uint64_t));
	if (!sbits || !bits)
		goto out;
	for (r = 0; r < x->rs->n; r++)
		for (i = 0; i < n; i++)
			if (!strcmp(rule_set_name(&x->rs->rules[r], k), x->c->set_name[k][i]))
				xg_bit_set(sbits + (size_t)i * nw, (uint32_t)r);
	for (m = 1; m < 1u << n; m++) {
		for (ec = 0; ec < nec; ec++) {
			memcpy(bits, x->fe->cls[ec].bits, nw * sizeof(uint64_t));
			for (i = 0; i < n; i++)
				for (w = 0; (m & (1u << i)) && w < nw; w++)
					bits[w] |= sbits[(size_t)i * nw + w];
			if (xg_ec_add(x, bits))
				goto out;
		}
	}
	x->c->set_stride[k] = nec;
	err = 0;
out:
	free(sbits);
	free(bits);
	return err;
}

/* Addresses: the rule set of a prefix node is its parent's plus the rules naming it; an
 * address takes the class of its longest matching node. */
int xg_build_lpm(struct fctx *x, int f)
{
	uint64_t *bits = malloc(x->c->nwords * sizeof(uint64_t));
	uint32_t *next = malloc((x->rs->n + 1) * sizeof(*next));
	struct xg_lpm_entry *out;
	struct pfx_set s = { 0 };
	size_t i, n = 0, k = f == XG_F_SRC ? 0 : 1;
	int err = -1, ec;

	x->c->dir4[k] = xg_big_alloc(XG_DIR4_SLOT * sizeof(uint32_t));
	if (!bits || !next || !x->c->dir4[k] || collect_prefixes(x, f, &s, next))
		goto out;
	out = calloc(s.n + 1, sizeof(*out));
	if (!out)
		goto out;
	x->c->lpm[k] = out;
	for (i = 0; i < s.n; i++) {
		struct pfx *p = &s.p[i];
		uint32_t par = pfx_parent(&s, p), r;

		p->hash = par == NO_VALUE ? x->hw : s.p[par].hash;
		memcpy(bits, par == NO_VALUE ? x->wbits : x->fe->cls[s.p[par].cls].bits,
		       x->c->nwords * sizeof(uint64_t));
		for (r = p->head; r != NO_VALUE; r = next[r]) {
			p->hash ^= x->z[r];
			xg_bit_set(bits, r);
		}
		if ((ec = xg_ec_intern(x, p->hash, bits)) < 0)
			goto out;
		p->cls = ec;
		if (p->family == 4) {
			if (dir4_paint(x->c, k, p))
				goto out;
			continue;
		}
		out[n].key.prefixlen = 16 + p->len;
		out[n].key.family = p->family;
		memcpy(out[n].key.addr, p->addr, 16);
		out[n++].ec = (uint16_t)ec;
	}
	/* frames without L3 (family 0): only the rules without an address condition */
	if ((ec = xg_ec_intern(x, x->hw, x->wbits)) < 0)
		goto out;
	out[n].key.prefixlen = 16;
	out[n++].ec = (uint16_t)ec;
	x->c->nlpm[k] = n;
	err = expand_sets(x, k);
out:
	free(bits);
	free(next);
	free(s.p);
	free(s.idx);
	return err;
}
