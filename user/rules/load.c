// SPDX-License-Identifier: GPL-2.0
/* Who owns what during a reload: the slot named by config.active belongs to the running
 * gate and is never written; the other slot belongs to the loader. Before the loader
 * writes it, a grace period (synchronize_rcu, which the kernel runs for every update of a
 * map-in-map) lets frames that read the old `active` value finish. Then it writes the
 * slot's tables, its slot config (active unchanged), and finally flips `active`. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "user/gate/spec.h"
#include "user/util/log.h"
#include "user/rules/ct.h"
#include "user/rules/flows_load.h"
#include "user/rules/load.h"
#include "user/rules/match_load.h"
#include "user/rules/setload.h"
#include "user/rules/shape.h"

#define SLOT_IDX(slot, i) ((__u32)(slot)*XG_RULES_MAX_BPF + (__u32)(i))

/* Wait until no gate frame still runs with what it read before now. */
static int grace_period(void)
{
	int inner, outer, err = 0;
	__u32 key = 0;
	LIBBPF_OPTS(bpf_map_create_opts, opts);

	inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xg_grace_in", 4, 4, 1, NULL);
	if (inner < 0)
		return -errno;
	opts.inner_map_fd = inner;
	outer = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "xg_grace", 4, 4, 1, &opts);
	if (outer < 0 || bpf_map_update_elem(outer, &key, &inner, BPF_ANY))
		err = -errno;
	if (outer >= 0)
		close(outer);
	close(inner);
	return err;
}

/* Delete every key of a hash/LPM map whose slot byte (at slot_off) is slot. */
static int clear_slot_keys(int fd, size_t key_size, size_t slot_off, __u8 slot)
{
	unsigned char cur[64], kept[64];
	bool have_kept = false;

	while (!bpf_map_get_next_key(fd, have_kept ? kept : NULL, cur)) {
		if (cur[slot_off] != slot) {
			memcpy(kept, cur, key_size);
			have_kept = true;
		} else if (bpf_map_delete_elem(fd, cur) && errno != ENOENT) {
			return -errno;
		}
	}
	return 0;
}

static int write_eca(const struct xg_gate_maps *m, const struct xg_compiled *c, __u32 slot)
{
	__u32 *keys = malloc(XG_ECA_SIZE * sizeof(*keys)), i, n = XG_ECA_SIZE;
	int err;

	if (!keys)
		return -ENOMEM;
	for (i = 0; i < XG_ECA_SIZE; i++)
		keys[i] = slot * XG_ECA_SIZE + i;
	err = bpf_map_update_batch(m->ec, keys, c->eca, &n, NULL);
	free(keys);
	return err ? -errno : 0;
}

static int write_lpm(const struct xg_gate_maps *m, const struct xg_compiled *c, __u8 slot)
{
	size_t k, i;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < c->nlpm[k]; i++) {
			struct xg_lpm_key key = c->lpm[k][i].key;
			__u16 ec = c->lpm[k][i].ec;

			key.slot = slot;
			if (bpf_map_update_elem(k ? m->dst : m->src, &key, &ec, BPF_ANY))
				return -errno;
		}
	}
	return 0;
}

/* The IPv4 tables: the first level and the blocks in use, in one batch each field. */
static int write_dir4(const struct xg_gate_maps *m, const struct xg_compiled *c, __u32 slot)
{
	__u32 *keys = malloc(XG_DIR4_SLOT * sizeof(*keys)), i, n;
	size_t k;
	int err = 0;

	if (!keys)
		return -ENOMEM;
	for (k = 0; k < 2 && !err; k++) {
		if (!c->dir4[k])
			continue; /* no rule tests this field */
		n = XG_DIR4_L1 + c->nblocks[k] * XG_DIR4_BLOCK_SIZE;
		for (i = 0; i < n; i++)
			keys[i] = slot * XG_DIR4_SLOT + i;
		if (bpf_map_update_batch(k ? m->dst4 : m->src4, keys, c->dir4[k], &n, NULL))
			err = -errno;
	}
	free(keys);
	return err;
}

static int write_bits(const struct xg_gate_maps *m, const struct xg_compiled *c, __u8 slot)
{
	struct xg_bits *v = calloc(1, sizeof(*v));
	struct xg_bits_key key = { .slot = slot, .field = XG_F_MAX };
	int f, err = 0;
	__u32 i;

	if (!v)
		return -ENOMEM;
	memset(v->w, 0xff, sizeof(v->w)); /* the all-ones vector of unused fields */
	if (bpf_map_update_elem(m->bits, &key, v, BPF_ANY))
		err = -errno;
	memset(v->w, 0, sizeof(v->w));
	for (f = 0; f < XG_F_MAX && !err; f++) {
		for (i = 0; i < c->f[f].n && !err; i++) {
			key = (struct xg_bits_key){ .slot = slot,
						    .field = (__u8)f,
						    .ec = (__u16)i };
			memcpy(v->w, c->f[f].cls[i].bits, c->nwords * sizeof(__u64));
			if (bpf_map_update_elem(m->bits, &key, v, BPF_ANY))
				err = -errno;
		}
	}
	free(v);
	return err;
}

/* Whether the slot can use the small-set words (see common/xdpgate_rules.h). */
static bool small_set(const struct xg_compiled *c)
{
	if (c->nrules > XG_SMALL_RULES)
		return false;
	return !((c->fields & (1u << XG_F_SRC)) && c->f[XG_F_SRC].n > XG_SMALL_EC) &&
	       !((c->fields & (1u << XG_F_DST)) && c->f[XG_F_DST].n > XG_SMALL_EC);
}

/* XG_SLOT_XSK_IP (common/xdpgate_rules.h): when every rule sends to AF_XDP on EtherType
 * IPv4 or IPv6 alone, the first rule of each of the two EtherTypes. */
static void xsk_fast(const struct xg_ruleset *rs, struct xg_slot_cfg *sc)
{
	__u32 r4 = XG_NO_RULE16, r6 = XG_NO_RULE16;
	size_t i;
	int f;

	sc->xsk_rule4 = sc->xsk_rule6 = XG_NO_RULE16;
	for (i = 0; i < rs->n; i++) {
		const struct xg_rule *r = &rs->rules[i];

		if (r->action != XG_VERDICT_XSK || !r->has_ether || r->limit_rate || r->log_every ||
		    (r->ether != XG_ETH_P_IP && r->ether != XG_ETH_P_IPV6))
			return;
		for (f = 0; f < XG_F_MAX; f++)
			if (f != XG_F_ETHER && xg_rule_has_cond(r, (enum xg_field)f))
				return;
		if (r->ether == XG_ETH_P_IP && r4 == XG_NO_RULE16)
			r4 = (__u32)i;
		if (r->ether == XG_ETH_P_IPV6 && r6 == XG_NO_RULE16)
			r6 = (__u32)i;
	}
	if (r4 == XG_NO_RULE16 && r6 == XG_NO_RULE16)
		return;
	sc->flags |= XG_SLOT_XSK_IP;
	sc->xsk_rule4 = (__u16)r4;
	sc->xsk_rule6 = (__u16)r6;
}

/* The EC array's range of each array-indexed field. */
static const struct {
	int f;
	__u32 first, n;
} eca_ranges[] = {
	{ XG_F_PROTO, XG_ECA_PROTO, XG_ECA_SPORT - XG_ECA_PROTO },
	{ XG_F_SPORT, XG_ECA_SPORT, XG_ECA_DPORT - XG_ECA_SPORT },
	{ XG_F_DPORT, XG_ECA_DPORT, XG_ECA_VLAN - XG_ECA_DPORT },
	{ XG_F_VLAN, XG_ECA_VLAN, XG_ECA_ETHER - XG_ECA_VLAN },
	{ XG_F_ETHER, XG_ECA_ETHER, XG_ECA_TCPFLAGS - XG_ECA_ETHER },
	{ XG_F_TCPFLAGS, XG_ECA_TCPFLAGS, XG_ECA_ICMP - XG_ECA_TCPFLAGS },
	{ XG_F_ICMP, XG_ECA_ICMP, XG_ECA_MATCH - XG_ECA_ICMP },
	{ XG_F_MATCH, XG_ECA_MATCH, XG_ECA_CT - XG_ECA_MATCH },
	{ XG_F_CT, XG_ECA_CT, XG_ECA_SIZE - XG_ECA_CT },
};
_Static_assert(XG_F_CT == XG_F_MAX - 1, "eca_ranges has a row for each array-indexed field");

/* The slot's small-set words in one batch: each value's rule word through its class. */
static int write_w64(const struct xg_gate_maps *m, const struct xg_compiled *c, __u32 slot)
{
	__u32 n = XG_W64_SLOT, *keys = malloc(n * sizeof(*keys)), i, v;
	__u64 *w = calloc(n, sizeof(*w));
	size_t r;
	int err = 0;

	if (!keys || !w) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		keys[i] = slot * n + i;
	for (r = 0; r < sizeof(eca_ranges) / sizeof(eca_ranges[0]); r++) {
		const struct xg_field_ecs *fe = &c->f[eca_ranges[r].f];

		if (!(c->fields & (1u << eca_ranges[r].f)))
			continue;
		for (v = eca_ranges[r].first; v < eca_ranges[r].first + eca_ranges[r].n; v++)
			if (c->eca[v] < fe->n)
				w[v] = fe->cls[c->eca[v]].bits[0];
	}
	for (i = 0; i < c->f[XG_F_SRC].n && i < XG_SMALL_EC; i++)
		w[XG_W64_SRC + i] = c->f[XG_F_SRC].cls[i].bits[0];
	for (i = 0; i < c->f[XG_F_DST].n && i < XG_SMALL_EC; i++)
		w[XG_W64_DST + i] = c->f[XG_F_DST].cls[i].bits[0];
	if (bpf_map_update_batch(m->w64, keys, w, &n, NULL))
		err = -errno;
out:
	free(keys);
	free(w);
	return err;
}

/* Actions, texts, and zeroed counters of every rule in the slot. */
static int write_rules(const struct xg_gate_maps *m, const struct xg_ruleset *rs,
		       const struct xg_compiled *c, __u32 slot)
{
	char text[XG_RULE_TEXT_BPF];
	struct xg_counter_val *zero;
	int ncpu, err = 0;
	size_t r;

	zero = xg_percpu_buf(sizeof(*zero), &ncpu);
	if (!zero)
		return -ENOMEM;
	for (r = 0; r < rs->n && !err; r++) {
		__u32 idx = SLOT_IDX(slot, r);

		memset(text, 0, sizeof(text));
		xg_rule_format(&rs->rules[r], text, sizeof(text));
		if (bpf_map_update_elem(m->actions, &idx, &c->actions[r], BPF_ANY) ||
		    bpf_map_update_elem(m->rule_text, &idx, text, BPF_ANY) ||
		    bpf_map_update_elem(m->rule_stats, &idx, zero, BPF_ANY) ||
		    bpf_map_update_elem(m->rule_base, &idx, zero, BPF_ANY))
			err = -errno;
	}
	free(zero);
	return err;
}

/* The slot's buckets, full (tat 0), their clock starting now (the epoch: the gate's clock
 * is bpf_ktime_get_coarse_ns, CLOCK_MONOTONIC_COARSE), and every CPU's lease from them,
 * holding no room. */
static int write_limits(const struct xg_gate_maps *m, const struct xg_compiled *c, __u32 slot)
{
	struct xg_lease *per_cpu;
	int ncpu, cpu, err = 0;
	struct timespec ts;
	__u64 epoch;
	__u32 i;

	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts))
		return -errno;
	epoch = (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
	per_cpu = xg_percpu_buf(sizeof(*per_cpu), &ncpu);
	if (!per_cpu)
		return -ENOMEM;
	for (i = 0; i < c->nlimits && !err; i++) {
		struct xg_bucket b = c->buckets[i];
		__u32 k = slot * XG_LIMITS_MAX + i;

		b.epoch = epoch;
		for (cpu = 0; cpu < ncpu; cpu++)
			per_cpu[cpu] = c->leases[i];
		if (bpf_map_update_elem(m->limits, &k, &b, BPF_ANY) ||
		    bpf_map_update_elem(m->leases, &k, per_cpu, BPF_ANY))
			err = -errno;
	}
	free(per_cpu);
	return err;
}

static int clear_slot(const struct xg_gate_maps *m, __u8 slot, __u32 old_n)
{
	__u32 i;
	int err;

	err = clear_slot_keys(m->src, sizeof(struct xg_lpm_key), 4, slot);
	if (!err)
		err = clear_slot_keys(m->dst, sizeof(struct xg_lpm_key), 4, slot);
	if (!err)
		err = clear_slot_keys(m->bits, sizeof(struct xg_bits_key), 0, slot);
	for (i = 0; i < old_n && !err; i++) {
		__u32 idx = SLOT_IDX(slot, i);

		if (bpf_map_delete_elem(m->rule_text, &idx) && errno != ENOENT)
			err = -errno;
	}
	return err;
}

/* Total of rule i in slot: carried base plus the per-CPU live counters. */
static int slot_rule_total(const struct xg_gate_maps *m, __u32 slot, __u32 i,
			   struct xg_counter_val *out)
{
	__u32 idx = SLOT_IDX(slot, i);
	struct xg_counter_val *v;
	int ncpu, c, err = 0;

	v = xg_percpu_buf(sizeof(*v), &ncpu);
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(m->rule_base, &idx, out) ||
	    bpf_map_lookup_elem(m->rule_stats, &idx, v))
		err = -errno;
	for (c = 0; !err && c < ncpu; c++) {
		out->packets += v[c].packets;
		out->bytes += v[c].bytes;
	}
	free(v);
	return err;
}

/* Per-rule counters follow rules by canonical text: a new rule takes over the counts of
 * the first unused old rule with the same text. */
struct carry {
	__u32 n;
	int *from;		   /* old index per new rule, -1: a new rule */
	struct xg_counter_val *at; /* the old total when taken over */
};

static __u32 text_hash(const char *s)
{
	__u32 h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static char *old_texts(const struct xg_gate_maps *m, __u32 slot, __u32 n)
{
	char *t = calloc((size_t)n + 1, XG_RULE_TEXT_BPF);
	__u32 j;

	for (j = 0; t && j < n; j++) {
		__u32 idx = SLOT_IDX(slot, j);

		if (bpf_map_lookup_elem(m->rule_text, &idx, t + (size_t)j * XG_RULE_TEXT_BPF))
			t[(size_t)j * XG_RULE_TEXT_BPF] = '\0';
	}
	return t;
}

static int plan_carry(const struct xg_gate_maps *m, const struct xg_ruleset *rs, __u32 old_slot,
		      __u32 old_n, struct carry *cy)
{
	__u32 cap = 64, j, *head, *next, i;
	char *texts = old_texts(m, old_slot, old_n), buf[XG_RULE_TEXT_BPF];

	while (cap < old_n * 2)
		cap *= 2;
	cy->n = (__u32)rs->n;
	cy->from = malloc((rs->n + 1) * sizeof(*cy->from));
	cy->at = calloc(rs->n + 1, sizeof(*cy->at));
	head = malloc(cap * sizeof(*head));
	next = malloc((old_n + 1) * sizeof(*next));
	if (!texts || !cy->from || !cy->at || !head || !next)
		goto err;
	memset(head, 0xff, cap * sizeof(*head));
	for (j = old_n; j-- > 0;) {
		__u32 h = text_hash(texts + (size_t)j * XG_RULE_TEXT_BPF) & (cap - 1);

		next[j] = head[h];
		head[h] = j;
	}
	for (i = 0; i < rs->n; i++) {
		__u32 h, *p;

		xg_rule_format(&rs->rules[i], buf, sizeof(buf));
		h = text_hash(buf) & (cap - 1);
		cy->from[i] = -1;
		for (p = &head[h]; *p != UINT32_MAX; p = &next[*p]) {
			if (strcmp(buf, texts + (size_t)*p * XG_RULE_TEXT_BPF))
				continue;
			cy->from[i] = (int)*p;
			*p = next[*p]; /* used: unlink */
			break;
		}
		if (cy->from[i] >= 0)
			slot_rule_total(m, old_slot, (__u32)cy->from[i], &cy->at[i]);
	}
	free(texts);
	free(head);
	free(next);
	return 0;
err:
	free(texts);
	free(head);
	free(next);
	return -ENOMEM;
}

/* Write the carried totals as the new rules' base; with settle set, add what the old
 * rules counted since plan_carry() (the flip is done and the old slot quiet). */
static int apply_carry(const struct xg_gate_maps *m, const struct carry *cy, __u32 old_slot,
		       __u32 new_slot, bool settle)
{
	struct xg_counter_val now, v;
	__u32 i, idx;

	for (i = 0; i < cy->n; i++) {
		if (cy->from[i] < 0)
			continue;
		v = cy->at[i];
		if (settle) {
			if (slot_rule_total(m, old_slot, (__u32)cy->from[i], &now))
				return -errno;
			idx = SLOT_IDX(new_slot, i);
			if (bpf_map_lookup_elem(m->rule_base, &idx, &v))
				return -errno;
			v.packets += now.packets - cy->at[i].packets;
			v.bytes += now.bytes - cy->at[i].bytes;
		}
		idx = SLOT_IDX(new_slot, i);
		if (bpf_map_update_elem(m->rule_base, &idx, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int write_config(const struct xg_gate_maps *m, const struct xg_config *cfg)
{
	__u32 key = 0;

	return bpf_map_update_elem(m->config, &key, cfg, BPF_ANY) ? -errno : 0;
}

/* Fault injection for the tests (testenv/test-rules.sh): XG_FAULT_FILL_STEP=N makes step N
 * of filling a slot fail as a map update would, after the steps before it have written
 * their part, so a reload can be made to fail half-way. */
static int injected_fault(int step)
{
	const char *e = getenv("XG_FAULT_FILL_STEP");

	return e && atoi(e) == step ? -EIO : 0;
}

/* What the gate reads of a slot: its sizes, generation and the paths it may take. */
static struct xg_slot_cfg slot_cfg(const struct xg_ruleset *rs, const struct xg_compiled *c,
				   __u32 gen)
{
	struct xg_slot_cfg sc = { .default_verdict = c->default_verdict,
				  .nrules = c->nrules,
				  .nwords = c->nwords,
				  .fields = c->fields,
				  .gen = gen,
				  .flags = small_set(c) ? XG_SLOT_SMALL : 0,
				  .nlimits = (__u16)c->nlimits };
	__u32 k;
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (rs->rules[i].log_every)
			sc.flags |= XG_SLOT_LOG;
	if (c->match.n)
		sc.flags |= XG_SLOT_MATCH;
	xsk_fast(rs, &sc);
	/* flows: no xsk shortcut, which skips the parse the flow key is made from */
	if (rs->flows.rate)
		sc.flags = (sc.flags & ~(__u32)XG_SLOT_XSK_IP) | XG_SLOT_FLOWS;
	for (k = 0; k < 2; k++) {
		if (c->nsets[k])
			sc.flags |= XG_SLOT_SRC_SETS << k;
		if (c->nsets[k] && c->set_stride[k] == 1)
			sc.flags |= XG_SLOT_SRC_SETS_ONLY << k;
	}
	if (c->nrules)
		sc.flags |= XG_SLOT_RULES;
	if (c->nlimits)
		sc.flags |= XG_SLOT_LIMITS;
	if (rs->parse_counters)
		sc.flags |= XG_SLOT_PARSE_CNT;
	return sc;
}

static int fill_slot(const struct xg_gate_maps *m, const struct xg_ruleset *rs,
		     const struct xg_compiled *c, const struct xg_slot_cfg *sc, __u8 slot,
		     __u32 old_n)
{
	int err = xg_flows_write_slot(m, rs, slot);

	if (!err)
		err = clear_slot(m, slot, old_n);

	if (!err)
		err = write_eca(m, c, slot);
	if (!err)
		err = injected_fault(1);
	if (!err)
		err = write_lpm(m, c, slot);
	if (!err)
		err = write_dir4(m, c, slot);
	if (!err)
		err = write_bits(m, c, slot);
	if (!err)
		err = injected_fault(2);
	if (!err && (sc->flags & XG_SLOT_SMALL))
		err = write_w64(m, c, slot);
	if (!err)
		err = write_limits(m, c, slot);
	if (!err)
		err = write_rules(m, rs, c, slot);
	if (!err)
		err = injected_fault(3);
	return err;
}

/* A change while a --confirm load is pending accepts the pending set: it becomes the set the
 * change replaces, and its timer, finding its token gone, exits without reverting. This
 * comes before the idle slot (the revert's target) is written: a revert must never flip to
 * a slot half rewritten, even when this change then fails. A record whose previous
 * generation is still live was armed for this very install (xg_apply_arm writes it first)
 * and stays. */
static int accept_pending(const struct xg_gate_maps *m, __u32 live_gen)
{
	struct xg_pending p;
	__u32 key = 0;

	if (bpf_map_lookup_elem(m->pending, &key, &p))
		return -errno;
	if (!p.token || p.prev_gen == live_gen)
		return 0;
	pr_info("rules: the pending set (generation %u) is accepted: this change replaces it\n",
		p.gen);
	return xg_pending_clear(m);
}

int xg_pending_clear(const struct xg_gate_maps *m)
{
	struct xg_pending none = { 0 };
	__u32 key = 0;

	return bpf_map_update_elem(m->pending, &key, &none, BPF_ANY) ? -errno : 0;
}

int xg_rules_install(const struct xg_gate_maps *m, const struct xg_ruleset *rs,
		     const struct xg_compiled *c, bool initial)
{
	struct carry cy = { 0 };
	struct xg_slot_cfg sc;
	struct xg_config cfg;
	__u32 key = 0, old, t;
	int err, mfd = -1;

	if (bpf_map_lookup_elem(m->config, &key, &cfg))
		return -errno;
	old = cfg.active & 1;
	t = initial ? 0 : 1 - old;
	/* first: a match program the verifier refuses leaves everything as it was */
	if (c->match.n && (mfd = xg_match_prog_load(m, &c->match, t)) < 0)
		return -EINVAL;
	if (initial) {
		cfg.features = xg_ruleset_uses_ct(rs) ? XG_FEAT_CT | xg_ct_injected() : 0;
	} else if (xg_ruleset_uses_ct(rs) && !(cfg.features & XG_FEAT_CT)) {
		pr_warn("rules: the set uses 'ct', but this gate was loaded without connection "
			"tracking: detach it and attach it with this set\n");
		err = -EOPNOTSUPP;
		goto refused;
	}
	if (!initial) {
		err = xg_flows_check_size(m, rs); /* before anything changes; says why */
		if (err)
			goto refused;
		err = accept_pending(m, cfg.slot[cfg.active & 1].gen);
		if (err)
			goto out;
	}
	sc = slot_cfg(rs, c,
		      (cfg.slot[0].gen > cfg.slot[1].gen ? cfg.slot[0].gen : cfg.slot[1].gen) + 1);
	/* frames that read `active` before the last flip may still use slot t */
	err = initial ? 0 : grace_period();
	if (!err && mfd >= 0 && bpf_map_update_elem(m->match_progs, &t, &mfd, BPF_ANY))
		err = -errno;
	if (!err)
		err = xg_sets_place(m, rs, c, initial ? &sc : &cfg.slot[old], &sc);
	if (!err)
		err = fill_slot(m, rs, c, &sc, (__u8)t, cfg.slot[t].nrules);
	if (!err && !initial)
		err = plan_carry(m, rs, old, cfg.slot[old].nrules, &cy);
	if (!err && !initial)
		err = apply_carry(m, &cy, old, t, false);
	if (!err) {
		struct xg_shape shape = xg_shape_of(&sc, t, cfg.features);

		err = xg_spec_install(m, &shape); /* the slot's program, before it goes live */
	}
	if (err) {
		if (!initial)
			xg_sets_release(m, &cfg.slot[old]); /* what this reload placed */
		goto out;
	}
	cfg.slot[t] = sc;
	err = write_config(m, &cfg); /* readers still use the other slot */
	if (!err && !initial) {
		cfg.active = t; /* the flip: one byte changes */
		err = write_config(m, &cfg);
	}
	if (!err && !initial) {
		err = grace_period();
		if (!err)
			err = apply_carry(m, &cy, old, t, true);
	}
	if (!err)
		xg_sets_release(m, &sc); /* the sets only the old slot used */
out:
	if (mfd >= 0)
		close(mfd); /* the progs map holds it */
	free(cy.from);
	free(cy.at);
	if (err)
		pr_warn("rules: writing the rule set failed: %s\n", strerror(-err));
	return err;
refused: /* said in one line, nothing written */
	if (mfd >= 0)
		close(mfd);
	return err;
}

static int read_active(const struct xg_gate_maps *m, struct xg_config *cfg)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(m->config, &key, cfg) ? -errno : 0;
}

/* The set in slot s, parsed back from its texts. */
static int read_slot(const struct xg_gate_maps *m, const struct xg_config *cfg, __u32 s,
		     struct xg_ruleset *rs)
{
	char text[XG_RULE_TEXT_BPF], msg[256];
	struct xg_rule r;
	__u32 i, def;

	xg_ruleset_init(rs);
	rs->default_verdict = cfg->slot[s].default_verdict;
	rs->has_default = true;
	for (i = 0; i < cfg->slot[s].nrules; i++) {
		__u32 idx = SLOT_IDX(s, i);

		if (bpf_map_lookup_elem(m->rule_text, &idx, text) ||
		    xg_rule_parse_line(text, NULL, 0, &r, &def, msg, sizeof(msg)) != 1 ||
		    xg_ruleset_insert(rs, rs->n, &r)) {
			pr_warn("rules: the live rule %u cannot be read back\n", i + 1);
			xg_ruleset_free(rs);
			return -EIO;
		}
	}
	if (xg_flows_read_slot(m, s, &rs->flows.rate))
		rs->flows.rate = 0; /* a gate from before flows: none */
	rs->parse_counters = cfg->slot[s].flags & XG_SLOT_PARSE_CNT ? 1 : 0;
	if (xg_ruleset_bind_sets(rs, msg, sizeof(msg))) {
		pr_warn("rules: %s\n", msg);
		xg_ruleset_free(rs);
		return -EIO;
	}
	return 0;
}

int xg_rules_read(const struct xg_gate_maps *m, struct xg_ruleset *rs)
{
	struct xg_config cfg;
	int err;

	xg_ruleset_init(rs);
	err = read_active(m, &cfg);
	if (err) {
		pr_warn("rules: cannot read the gate's configuration: %s\n", strerror(-err));
		return err;
	}
	return read_slot(m, &cfg, cfg.active & 1, rs);
}

/* Before the flip back: each rule of the old set that has a twin (same text) in the pending
 * set takes over the twin's total, its own live counters zeroed (the slot is idle: the
 * load's grace period has passed). The others keep what they had when the load flipped. */
static int carry_back(const struct xg_gate_maps *m, const struct carry *cy, __u32 from, __u32 to)
{
	struct xg_counter_val *zero;
	int ncpu, err = 0;
	__u32 i, idx;

	zero = xg_percpu_buf(sizeof(*zero), &ncpu);
	if (!zero)
		return -ENOMEM;
	for (i = 0; i < cy->n && !err; i++) {
		idx = SLOT_IDX(to, i);
		if (cy->from[i] >= 0 && bpf_map_update_elem(m->rule_stats, &idx, zero, BPF_ANY))
			err = -errno;
	}
	free(zero);
	return err ? err : apply_carry(m, cy, from, to, false);
}

int xg_rules_revert(const struct xg_gate_maps *m, __u32 prev_gen)
{
	struct xg_ruleset rs;
	struct carry cy = { 0 };
	struct xg_config cfg;
	__u32 a, t;
	int err;

	err = read_active(m, &cfg);
	if (err)
		return err;
	a = cfg.active & 1;
	t = 1 - a;
	if (cfg.slot[t].gen != prev_gen) {
		pr_warn("rules: the previous set (generation %u) is gone: nothing to revert to\n",
			prev_gen);
		return -ESTALE;
	}
	err = read_slot(m, &cfg, t, &rs);
	if (err)
		return err;
	err = plan_carry(m, &rs, a, cfg.slot[a].nrules, &cy);
	if (!err)
		err = carry_back(m, &cy, a, t);
	if (!err) {
		cfg.active = t; /* the flip back; slot t's tables never changed */
		err = write_config(m, &cfg);
	}
	if (!err)
		err = grace_period();
	if (!err)
		err = apply_carry(m, &cy, a, t, true);
	if (!err)
		err = xg_pending_clear(m);
	free(cy.from);
	free(cy.at);
	xg_ruleset_free(&rs);
	if (err)
		pr_warn("rules: reverting failed: %s\n", strerror(-err));
	return err;
}

int xg_rule_counter(const struct xg_gate_maps *m, unsigned int i, struct xg_counter_val *out)
{
	struct xg_config cfg;
	int err;

	memset(out, 0, sizeof(*out));
	err = read_active(m, &cfg);
	return err ? err : slot_rule_total(m, cfg.active & 1, i, out);
}

int xg_rules_read_counters(const struct xg_gate_maps *m, struct xg_ruleset *rs,
			   struct xg_counter_val **c)
{
	int err = xg_rules_read(m, rs);
	size_t i;

	*c = NULL;
	if (err)
		return err;
	*c = calloc(rs->n ? rs->n : 1, sizeof(**c));
	if (!*c)
		return -ENOMEM;
	for (i = 0; i < rs->n; i++)
		xg_rule_counter(m, (unsigned int)i, &(*c)[i]);
	return 0;
}

int xg_counters_reset(const struct xg_gate_maps *m)
{
	struct xg_counter_val *zero;
	struct xg_config cfg;
	__u32 i, s, idx;
	int ncpu, err;

	err = read_active(m, &cfg);
	if (err)
		return err;
	zero = xg_percpu_buf(sizeof(*zero), &ncpu);
	if (!zero)
		return -ENOMEM;
	s = cfg.active & 1;
	err = xg_counters_zero(m->stats);
	for (i = 0; i < cfg.slot[s].nrules && !err; i++) {
		idx = SLOT_IDX(s, i);
		if (bpf_map_update_elem(m->rule_stats, &idx, zero, BPF_ANY) ||
		    bpf_map_update_elem(m->rule_base, &idx, zero, BPF_ANY))
			err = -errno;
	}
	free(zero);
	return err;
}
