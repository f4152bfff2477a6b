// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "user/util/log.h"
#include "user/rules/compile.h"
#include "user/rules/dir4.h"

#define NO_VALUE UINT32_MAX

static uint64_t zkey(uint32_t r)
{
	uint64_t z = (uint64_t)r * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Shared state while compiling one field. */
struct fctx {
	struct xg_compiled *c;
	struct xg_field_ecs *fe;
	const struct xg_ruleset *rs;
	const char *name;
	uint64_t *z;	 /* zobrist key of every rule */
	uint64_t hw;	 /* hash of the rules without a condition on this field */
	uint64_t *wbits; /* their bit-vector */
};

static int grow_index(struct xg_field_ecs *fe)
{
	uint32_t ncap = fe->hcap ? fe->hcap * 2 : 1024, i;
	uint64_t *k = calloc(ncap, sizeof(*k));
	uint32_t *v = malloc(ncap * sizeof(*v));

	if (!k || !v) {
		free(k);
		free(v);
		return -ENOMEM;
	}
	memset(v, 0xff, ncap * sizeof(*v));
	for (i = 0; i < fe->hcap; i++) {
		uint32_t j = (uint32_t)fe->hkeys[i] & (ncap - 1);

		if (fe->hvals[i] == NO_VALUE)
			continue;
		while (v[j] != NO_VALUE)
			j = (j + 1) & (ncap - 1);
		k[j] = fe->hkeys[i];
		v[j] = fe->hvals[i];
	}
	free(fe->hkeys);
	free(fe->hvals);
	fe->hkeys = k;
	fe->hvals = v;
	fe->hcap = ncap;
	return 0;
}

#ifdef XG_DEBUG
/* A hash collision would merge two classes silently: make it loud. */
static void check_same_set(const struct fctx *x, uint32_t cls, const uint64_t *bits)
{
	if (!memcmp(x->fe->cls[cls].bits, bits, x->c->nwords * sizeof(uint64_t)))
		return;
	pr_warn("rules: Zobrist hash collision in class %u of %s; aborting\n", cls, x->name);
	abort();
}
#else
static void check_same_set(const struct fctx *x, uint32_t cls, const uint64_t *bits)
{
	(void)x;
	(void)cls;
	(void)bits;
}
#endif

/* A new class with a copy of bits, appended. 0 or -1 (message printed). */
static int add_class(struct fctx *x, const uint64_t *bits)
{
	struct xg_field_ecs *fe = x->fe;

	if (fe->n >= 65535) {
		pr_warn("rules: more than 65535 classes of %s values; split the rule set\n",
			x->name);
		return -1;
	}
	if (fe->n == fe->cap) {
		uint32_t ncap = fe->cap ? fe->cap * 2 : 64;
		struct xg_ec_class *n = realloc(fe->cls, ncap * sizeof(*n));

		if (!n)
			return -1;
		fe->cls = n;
		fe->cap = ncap;
	}
	fe->cls[fe->n].bits = malloc(x->c->nwords * sizeof(uint64_t));
	if (!fe->cls[fe->n].bits)
		return -1;
	memcpy(fe->cls[fe->n].bits, bits, x->c->nwords * sizeof(uint64_t));
	fe->n++;
	return 0;
}

/* Class of the rule set with hash h. When new, its bit-vector is copied from bits.
 * Returns the class id, or -1 (message printed). */
static int intern(struct fctx *x, uint64_t h, const uint64_t *bits)
{
	struct xg_field_ecs *fe = x->fe;
	uint32_t j;

	if ((fe->n + 1) * 2 > fe->hcap && grow_index(fe))
		return -1;
	/* Equal hashes are taken for equal rule sets without comparing the bit-vectors. For
	 * two different sets the XOR of the keys of the rules in one but not the other is 0
	 * with probability 2^-64 (keys as random), and a field has at most 65535 classes, so
	 * by the birthday bound some two of them collide with probability at most
	 * 65535^2 / 2 / 2^64 < 2^-33 (about 1e-10) per field and compile. DEBUG builds check. */
	for (j = (uint32_t)h & (fe->hcap - 1); fe->hvals[j] != NO_VALUE;
	     j = (j + 1) & (fe->hcap - 1))
		if (fe->hkeys[j] == h) {
			check_same_set(x, fe->hvals[j], bits);
			return (int)fe->hvals[j];
		}
	if (add_class(x, bits))
		return -1;
	fe->hkeys[j] = h;
	fe->hvals[j] = fe->n - 1;
	return (int)fe->n - 1;
}

static void set_bit(uint64_t *b, uint32_t r)
{
	b[r / 64] |= 1ULL << (r % 64);
}

static void toggle_bit(uint64_t *b, uint32_t r)
{
	b[r / 64] ^= 1ULL << (r % 64);
}

/* The index a rule's equality condition selects in its field's array range. */
static uint32_t proto_index(const struct xg_rule *r)
{
	return r->proto;
}

static uint32_t vlan_index(const struct xg_rule *r)
{
	return r->vlan;
}

static uint32_t ether_index(const struct xg_rule *r)
{
	return r->ether;
}

static uint32_t icmp_index(const struct xg_rule *r)
{
	return (r->icmp_family == 6 ? XG_ICMP6_BASE : 0u) + r->icmp_type;
}

/* Equality fields: each value's rule set is W plus the rules naming exactly it. Values
 * 0..nvals-1 are looked up at base + value, and none (NO_VALUE: the field has no such
 * entry) at base + none. */
static int build_eq(struct fctx *x, enum xg_field f, uint32_t (*index)(const struct xg_rule *r),
		    uint32_t base, uint32_t nvals, uint32_t none)
{
	uint32_t n = (uint32_t)x->rs->n, v, r, *head, *next;
	uint64_t *bits = malloc(x->c->nwords * sizeof(uint64_t));
	int err = -1, ec;

	head = malloc(nvals * sizeof(*head));
	next = malloc((n + 1) * sizeof(*next));
	if (!bits || !head || !next)
		goto out;
	memset(head, 0xff, nvals * sizeof(*head));
	for (r = n; r-- > 0;) {
		if (!xg_rule_has_cond(&x->rs->rules[r], f))
			continue;
		v = index(&x->rs->rules[r]);
		next[r] = head[v];
		head[v] = r; /* built backwards, so lists run in rule order */
	}
	for (v = 0; v < nvals; v++) {
		uint64_t h = x->hw;

		for (r = head[v]; r != NO_VALUE; r = next[r])
			h ^= x->z[r];
		memcpy(bits, x->wbits, x->c->nwords * sizeof(uint64_t));
		for (r = head[v]; r != NO_VALUE; r = next[r])
			set_bit(bits, r);
		if ((ec = intern(x, h, bits)) < 0)
			goto out;
		x->c->eca[base + v] = (uint16_t)ec;
	}
	if (none != NO_VALUE) {
		if ((ec = intern(x, x->hw, x->wbits)) < 0)
			goto out;
		x->c->eca[base + none] = (uint16_t)ec;
	}
	err = 0;
out:
	free(bits);
	free(head);
	free(next);
	return err;
}

/* TCP flags: a rule accepts flag byte v when (v & mask) == value. */
static int build_tcpflags(struct fctx *x)
{
	uint64_t *bits = malloc(x->c->nwords * sizeof(uint64_t));
	uint32_t v, r;
	int ec;

	if (!bits)
		return -1;
	for (v = 0; v <= XG_TCPFLAGS_NONE; v++) {
		uint64_t h = x->hw;

		memcpy(bits, x->wbits, x->c->nwords * sizeof(uint64_t));
		for (r = 0; v < XG_TCPFLAGS_NONE && r < x->rs->n; r++) {
			const struct xg_rule *ru = &x->rs->rules[r];

			if (ru->has_tcp_flags && (v & ru->flags_mask) == ru->flags_value) {
				h ^= x->z[r];
				set_bit(bits, r);
			}
		}
		if ((ec = intern(x, h, bits)) < 0) {
			free(bits);
			return -1;
		}
		x->c->eca[XG_ECA_TCPFLAGS + v] = (uint16_t)ec;
	}
	free(bits);
	return 0;
}

struct port_event {
	uint32_t pos;
	uint32_t rule;
};

static int cmp_event(const void *a, const void *b)
{
	const struct port_event *x = a, *y = b;

	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int cmp_range(const void *a, const void *b)
{
	const uint16_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* A rule's ranges sorted and merged, so each port toggles the rule at most once. */
static size_t merged_ranges(const struct xg_port_set *ps, uint16_t out[][2])
{
	size_t i, n = 0;

	for (i = 0; i < ps->n; i++) {
		out[i][0] = ps->r[i].lo;
		out[i][1] = ps->r[i].hi;
	}
	qsort(out, ps->n, sizeof(out[0]), cmp_range);
	for (i = 0; i < ps->n; i++) {
		if (n && (uint32_t)out[i][0] <= (uint32_t)out[n - 1][1] + 1) {
			if (out[i][1] > out[n - 1][1])
				out[n - 1][1] = out[i][1];
			continue;
		}
		out[n][0] = out[i][0];
		out[n][1] = out[i][1];
		n++;
	}
	return n;
}

static size_t port_events(const struct xg_ruleset *rs, int f, struct port_event *ev)
{
	uint16_t rg[XG_PORT_RANGES_MAX][2];
	size_t r, i, n = 0, k;

	for (r = 0; r < rs->n; r++) {
		const struct xg_port_set *ps =
			f == XG_F_SPORT ? &rs->rules[r].sport : &rs->rules[r].dport;

		k = merged_ranges(ps, rg);
		for (i = 0; i < k; i++) {
			ev[n++] = (struct port_event){ rg[i][0], (uint32_t)r };
			if (rg[i][1] < XG_PORT_NONE - 1)
				ev[n++] =
					(struct port_event){ (uint32_t)rg[i][1] + 1, (uint32_t)r };
		}
	}
	qsort(ev, n, sizeof(*ev), cmp_event);
	return n;
}

/* Ports: sweep 0..65535; at each range boundary the rule toggles in or out of the set. */
static int build_ports(struct fctx *x, int f, uint32_t base)
{
	struct port_event *ev = malloc(x->rs->n * XG_PORT_RANGES_MAX * 2 * sizeof(*ev) + 1);
	uint64_t *bits = malloc(x->c->nwords * sizeof(uint64_t)), h = x->hw;
	size_t n, e = 0;
	uint32_t p = 0, end;
	int ec, err = -1;

	if (!ev || !bits)
		goto out;
	n = port_events(x->rs, f, ev);
	memcpy(bits, x->wbits, x->c->nwords * sizeof(uint64_t));
	while (p < XG_PORT_NONE) {
		for (; e < n && ev[e].pos == p; e++) {
			h ^= x->z[ev[e].rule];
			toggle_bit(bits, ev[e].rule);
		}
		end = e < n ? ev[e].pos : XG_PORT_NONE;
		if ((ec = intern(x, h, bits)) < 0)
			goto out;
		for (; p < end; p++)
			x->c->eca[base + p] = (uint16_t)ec;
	}
	if ((ec = intern(x, x->hw, x->wbits)) < 0)
		goto out;
	x->c->eca[base + XG_PORT_NONE] = (uint16_t)ec;
	err = 0;
out:
	free(ev);
	free(bits);
	return err;
}

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
				set_bit(sbits + (size_t)i * nw, (uint32_t)r);
	for (m = 1; m < 1u << n; m++) {
		for (ec = 0; ec < nec; ec++) {
			memcpy(bits, x->fe->cls[ec].bits, nw * sizeof(uint64_t));
			for (i = 0; i < n; i++)
				for (w = 0; (m & (1u << i)) && w < nw; w++)
					bits[w] |= sbits[(size_t)i * nw + w];
			if (add_class(x, bits))
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
static int build_lpm(struct fctx *x, int f)
{
	uint64_t *bits = malloc(x->c->nwords * sizeof(uint64_t));
	uint32_t *next = malloc((x->rs->n + 1) * sizeof(*next));
	struct xg_lpm_entry *out;
	struct pfx_set s = { 0 };
	size_t i, n = 0, k = f == XG_F_SRC ? 0 : 1;
	int err = -1, ec;

	x->c->dir4[k] = calloc(XG_DIR4_SLOT, sizeof(uint32_t));
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
			set_bit(bits, r);
		}
		if ((ec = intern(x, p->hash, bits)) < 0)
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
	if ((ec = intern(x, x->hw, x->wbits)) < 0)
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

/* One builder per field of XG_FIELDS: the kind of lookup the gate does for it. */
static int build_src(struct fctx *x)
{
	return build_lpm(x, XG_F_SRC);
}

static int build_dst(struct fctx *x)
{
	return build_lpm(x, XG_F_DST);
}

static int build_proto(struct fctx *x)
{
	return build_eq(x, XG_F_PROTO, proto_index, XG_ECA_PROTO, XG_PROTO_NONE, XG_PROTO_NONE);
}

static int build_sport(struct fctx *x)
{
	return build_ports(x, XG_F_SPORT, XG_ECA_SPORT);
}

static int build_dport(struct fctx *x)
{
	return build_ports(x, XG_F_DPORT, XG_ECA_DPORT);
}

static int build_vlan(struct fctx *x)
{
	return build_eq(x, XG_F_VLAN, vlan_index, XG_ECA_VLAN, XG_VLAN_NONE, XG_VLAN_NONE);
}

static int build_ether(struct fctx *x)
{
	return build_eq(x, XG_F_ETHER, ether_index, XG_ECA_ETHER, XG_ETHER_VALUES, NO_VALUE);
}

static int build_tcp_flags(struct fctx *x)
{
	return build_tcpflags(x);
}

static int build_icmp_type(struct fctx *x)
{
	return build_eq(x, XG_F_ICMP, icmp_index, XG_ECA_ICMP, XG_ICMP_NONE, XG_ICMP_NONE);
}

/* match: the field's value is the set of expressions that hold; a rule accepts the values
 * with its expression's bit set. */
static int build_match(struct fctx *x)
{
	uint64_t *bits = malloc(x->c->nwords * sizeof(uint64_t));
	uint32_t v, r;
	int ec;

	for (v = 0; bits && v < XG_MATCH_VALUES; v++) {
		uint64_t h = x->hw;

		memcpy(bits, x->wbits, x->c->nwords * sizeof(uint64_t));
		for (r = 0; r < x->rs->n; r++) {
			const struct xg_rule *ru = &x->rs->rules[r];

			if (ru->match[0] && ru->match_idx < XG_MATCH_MAX &&
			    (v >> ru->match_idx & 1)) {
				h ^= x->z[r];
				set_bit(bits, r);
			}
		}
		if ((ec = intern(x, h, bits)) < 0)
			break;
		x->c->eca[XG_ECA_MATCH + v] = (uint16_t)ec;
	}
	free(bits);
	return bits && v == XG_MATCH_VALUES ? 0 : -1;
}

static int build_field(struct xg_compiled *c, const struct xg_ruleset *rs, uint64_t *z,
		       enum xg_field f)
{
#define BUILD_ROW(id, name, keyword) [XG_F_##id] = build_##name,
	static int (*const build[XG_F_MAX])(struct fctx * x) = { XG_FIELDS(BUILD_ROW) };
#undef BUILD_ROW
	struct fctx x = { .c = c, .fe = &c->f[f], .rs = rs, .name = xg_field_keyword(f), .z = z };
	int err;
	size_t r;

	x.wbits = calloc(c->nwords, sizeof(uint64_t));
	if (!x.wbits)
		return -1;
	for (r = 0; r < rs->n; r++) {
		if (xg_rule_has_cond(&rs->rules[r], f))
			continue;
		x.hw ^= z[r];
		set_bit(x.wbits, (uint32_t)r);
	}
	err = build[f](&x);
	free(x.wbits);
	return err;
}

static int resolve_actions(const struct xg_ruleset *rs, struct xg_compiled *c)
{
	size_t r;

	c->actions = calloc(rs->n + 1, sizeof(*c->actions));
	if (!c->actions)
		return -1;
	for (r = 0; r < rs->n; r++) {
		const struct xg_rule *ru = &rs->rules[r];

		c->actions[r].verdict = ru->action;
		c->actions[r].log_every = ru->log_every;
		if (ru->action != XG_VERDICT_REDIRECT)
			continue;
		c->actions[r].ifindex = if_nametoindex(ru->redirect_if);
		if (!c->actions[r].ifindex) {
			char at[24] = ""; /* command-line rules have no line */

			if (ru->line)
				snprintf(at, sizeof(at), " (line %u)", ru->line);
			pr_warn("rules: rule %zu%s: redirect target '%s' does not exist\n", r + 1,
				at, ru->redirect_if);
			return -1;
		}
	}
	return 0;
}

/* One bucket per limited rule, and the lease each CPU starts with (common/xdpgate_rules.h).
 * After resolve_actions: the rule's action names its limit. */
static int build_limits(const struct xg_ruleset *rs, struct xg_compiled *c)
{
	size_t r;

	for (r = 0; r < rs->n; r++) {
		const struct xg_rule *ru = &rs->rules[r];
		struct xg_bucket *b = &c->buckets[c->nlimits];
		struct xg_lease *l = &c->leases[c->nlimits];
		unsigned __int128 burst;

		if (!ru->limit_rate)
			continue;
		if (c->nlimits == XG_LIMITS_MAX) {
			pr_warn("rules: more than %d rules with a limit\n", XG_LIMITS_MAX);
			return -1;
		}
		l->bytes = ru->limit_bytes;
		l->cost = (1000000000ULL << XG_LIMIT_SHIFT) / ru->limit_rate;
		burst = (unsigned __int128)l->cost * ru->limit_burst;
		/* tat + bursts stay clear of 2^64 for XG_LIMIT_CLOCK_NS after the epoch */
		b->burst = burst > XG_LIMIT_BURST_CAP ? XG_LIMIT_BURST_CAP : (uint64_t)burst;
		b->lease = XG_LIMIT_LEASE_NS << XG_LIMIT_SHIFT;
		if (b->lease > b->burst)
			b->lease = b->burst;
		c->actions[r].limit = ++c->nlimits;
	}
	return 0;
}

int xg_rules_compile(const struct xg_ruleset *rs, struct xg_compiled *c)
{
	char msg[XG_MATCH_ERR_MAX];
	uint64_t *z = NULL;
	size_t r;
	int f;

	memset(c, 0, sizeof(*c));
	if (rs->n > XG_RULES_MAX_BPF) {
		pr_warn("rules: %zu rules, at most %d fit\n", rs->n, XG_RULES_MAX_BPF);
		return -1;
	}
	c->nrules = (uint32_t)rs->n;
	c->nwords = (uint32_t)((rs->n + 63) / 64) ? (uint32_t)((rs->n + 63) / 64) : 1;
	c->default_verdict = rs->default_verdict;
	c->eca = calloc(XG_ECA_SIZE, sizeof(*c->eca));
	z = malloc((rs->n + 1) * sizeof(*z));
	if (!c->eca || !z || resolve_actions(rs, c) || build_limits(rs, c))
		goto err;
	if (xg_match_set_build(rs, &c->match, msg, sizeof(msg))) {
		pr_warn("rules: %s\n", msg);
		goto err;
	}
	for (r = 0; r < rs->n; r++)
		z[r] = zkey((uint32_t)r);
	for (f = 0; f < XG_F_MAX; f++) {
		for (r = 0; r < rs->n && !xg_rule_has_cond(&rs->rules[r], f); r++)
			;
		if (r == rs->n)
			continue; /* no rule tests this field: the gate skips it */
		c->fields |= 1u << f;
		if (build_field(c, rs, z, f))
			goto err;
	}
	free(z);
	return 0;
err:
	free(z);
	xg_compiled_free(c);
	return -1;
}

void xg_compiled_free(struct xg_compiled *c)
{
	uint32_t i;
	int f;

	for (f = 0; f < XG_F_MAX; f++) {
		for (i = 0; i < c->f[f].n; i++)
			free(c->f[f].cls[i].bits);
		free(c->f[f].cls);
		free(c->f[f].hkeys);
		free(c->f[f].hvals);
	}
	free(c->eca);
	free(c->lpm[0]);
	free(c->lpm[1]);
	free(c->dir4[0]);
	free(c->dir4[1]);
	free(c->actions);
	xg_match_set_free(&c->match);
	memset(c, 0, sizeof(*c));
}
