// SPDX-License-Identifier: GPL-2.0
/* The rule compiler (compile.h): per field, its classes and their rule bit-vectors; the
 * address fields (prefixes, the IPv4 DIR-16-8-8 table, sets) are in compile_addr.c. */
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "user/util/bigmem.h"
#include "user/util/log.h"
#include "user/rules/compile_int.h"

static uint64_t zkey(uint32_t r)
{
	uint64_t z = (uint64_t)r * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

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
static size_t ec_block_bytes(const struct xg_compiled *c, uint32_t b)
{
	return ((size_t)XG_EC_BLOCK << b) * c->nwords * sizeof(uint64_t);
}

int xg_ec_add(struct fctx *x, const uint64_t *bits)
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
	/* blocks 0..b-1 hold XG_EC_BLOCK * (2^b - 1) classes */
	if (fe->n == XG_EC_BLOCK * ((1u << fe->nblocks) - 1)) {
		uint64_t **nb = realloc(fe->blocks, (fe->nblocks + 1) * sizeof(*nb));

		if (!nb)
			return -1;
		fe->blocks = nb;
		nb[fe->nblocks] = xg_big_alloc(ec_block_bytes(x->c, fe->nblocks));
		if (!nb[fe->nblocks])
			return -1;
		fe->nblocks++;
	}
	fe->cls[fe->n].bits =
		fe->blocks[fe->nblocks - 1] +
		(fe->n - XG_EC_BLOCK * ((1u << (fe->nblocks - 1)) - 1)) * x->c->nwords;
	memcpy(fe->cls[fe->n].bits, bits, x->c->nwords * sizeof(uint64_t));
	fe->n++;
	return 0;
}

/* Class of the rule set with hash h. When new, its bit-vector is copied from bits.
 * Returns the class id, or -1 (message printed). */
int xg_ec_intern(struct fctx *x, uint64_t h, const uint64_t *bits)
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
	if (xg_ec_add(x, bits))
		return -1;
	fe->hkeys[j] = h;
	fe->hvals[j] = fe->n - 1;
	return (int)fe->n - 1;
}

void xg_bit_set(uint64_t *b, uint32_t r)
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
			xg_bit_set(bits, r);
		if ((ec = xg_ec_intern(x, h, bits)) < 0)
			goto out;
		x->c->eca[base + v] = (uint16_t)ec;
	}
	if (none != NO_VALUE) {
		if ((ec = xg_ec_intern(x, x->hw, x->wbits)) < 0)
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
				xg_bit_set(bits, r);
			}
		}
		if ((ec = xg_ec_intern(x, h, bits)) < 0) {
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
		if ((ec = xg_ec_intern(x, h, bits)) < 0)
			goto out;
		for (; p < end; p++)
			x->c->eca[base + p] = (uint16_t)ec;
	}
	if ((ec = xg_ec_intern(x, x->hw, x->wbits)) < 0)
		goto out;
	x->c->eca[base + XG_PORT_NONE] = (uint16_t)ec;
	err = 0;
out:
	free(ev);
	free(bits);
	return err;
}

/* One builder per field of XG_FIELDS: the kind of lookup the gate does for it. */
static int build_src(struct fctx *x)
{
	return xg_build_lpm(x, XG_F_SRC);
}

static int build_dst(struct fctx *x)
{
	return xg_build_lpm(x, XG_F_DST);
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
				xg_bit_set(bits, r);
			}
		}
		if ((ec = xg_ec_intern(x, h, bits)) < 0)
			break;
		x->c->eca[XG_ECA_MATCH + v] = (uint16_t)ec;
	}
	free(bits);
	return bits && v == XG_MATCH_VALUES ? 0 : -1;
}

/* ct: a set of states per rule, so each state value's rules are W plus those naming it */
static int build_ct(struct fctx *x)
{
	uint64_t *bits = malloc(x->c->nwords * sizeof(uint64_t));
	uint32_t v, r;
	int ec, err = -1;

	if (!bits)
		return -1;
	for (v = 0; v < XG_CT_VALUES; v++) {
		uint64_t h = x->hw;

		memcpy(bits, x->wbits, x->c->nwords * sizeof(uint64_t));
		for (r = 0; r < x->rs->n; r++) {
			if (!((x->rs->rules[r].ct_states >> v) & 1))
				continue;
			h ^= x->z[r];
			xg_bit_set(bits, r);
		}
		if ((ec = xg_ec_intern(x, h, bits)) < 0)
			goto out;
		x->c->eca[XG_ECA_CT + v] = (uint16_t)ec;
	}
	err = 0;
out:
	free(bits);
	return err;
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
		xg_bit_set(x.wbits, (uint32_t)r);
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
		for (i = 0; i < c->f[f].nblocks; i++)
			xg_big_free(c->f[f].blocks[i], ec_block_bytes(c, i));
		free(c->f[f].blocks);
		free(c->f[f].cls);
		free(c->f[f].hkeys);
		free(c->f[f].hvals);
	}
	free(c->eca);
	free(c->lpm[0]);
	free(c->lpm[1]);
	xg_big_free(c->dir4[0], XG_DIR4_SLOT * sizeof(uint32_t));
	xg_big_free(c->dir4[1], XG_DIR4_SLOT * sizeof(uint32_t));
	free(c->actions);
	xg_match_set_free(&c->match);
	memset(c, 0, sizeof(*c));
}
