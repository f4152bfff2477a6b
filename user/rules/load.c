// SPDX-License-Identifier: GPL-2.0
/* Who owns what during a reload: the slot named by config.active belongs to the running
 * gate and is never written; the other slot belongs to the loader. Before the loader
 * writes it, a grace period (synchronize_rcu, which the kernel runs for every update of a
 * map-in-map) lets frames that read the old `active` value finish. Then it writes the
 * slot's tables, its slot config (active unchanged), and finally flips `active`. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "user/gate/batch.h"
#include "user/gate/spec.h"
#include "user/util/log.h"
#include "user/rules/ct.h"
#include "user/rules/fill.h"
#include "user/rules/flows_load.h"
#include "user/rules/load.h"
#include "user/rules/match_load.h"
#include "user/rules/setload.h"
#include "user/rules/shape.h"
#include "user/rules/texts.h"

#define SLOT_IDX XG_SLOT_IDX

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

#define TOTALS_CHUNK 1024 /* rules whose per-CPU counters one batch reads */

/* The totals of rules [0, n) of slot (slot_rule_total of each), a batch per map. */
static int slot_totals(const struct xg_gate_maps *m, __u32 slot, __u32 n,
		       struct xg_counter_val *out)
{
	struct xg_counter_val *v;
	__u32 done, k, i;
	int ncpu, c, err;

	v = xg_percpu_buf(TOTALS_CHUNK * sizeof(*v), &ncpu);
	if (!v)
		return -ENOMEM;
	err = xg_array_read(m->rule_base, SLOT_IDX(slot, 0), n, out, sizeof(*out));
	for (done = 0; done < n && !err; done += k) {
		k = n - done < TOTALS_CHUNK ? n - done : TOTALS_CHUNK;
		err = xg_array_read(m->rule_stats, SLOT_IDX(slot, done), k, v,
				    (size_t)ncpu * sizeof(*v));
		for (i = 0; !err && i < k; i++) {
			for (c = 0; c < ncpu; c++) {
				out[done + i].packets += v[(size_t)i * ncpu + c].packets;
				out[done + i].bytes += v[(size_t)i * ncpu + c].bytes;
			}
		}
	}
	free(v);
	return err;
}

/* One past the highest old rule a new one takes over; 0: none does. */
static __u32 carried_span(const struct carry *cy)
{
	__u32 i, n = 0;

	for (i = 0; i < cy->n; i++)
		if (cy->from[i] >= 0 && (__u32)cy->from[i] + 1 > n)
			n = (__u32)cy->from[i] + 1;
	return n;
}

static int plan_carry(const struct xg_gate_maps *m, const struct xg_reload_texts *tx,
		      __u32 old_slot, struct carry *cy)
{
	__u32 cap = 64, j, *head, *next, i, old_n = tx->n_old;
	const char *texts = tx->old, *buf;
	struct xg_counter_val *tot = NULL;
	int err = -ENOMEM;

	while (cap < old_n * 2)
		cap *= 2;
	cy->n = tx->n_new;
	cy->from = malloc((cy->n + 1) * sizeof(*cy->from));
	cy->at = calloc(cy->n + 1, sizeof(*cy->at));
	head = malloc(cap * sizeof(*head));
	next = malloc((old_n + 1) * sizeof(*next));
	if (!cy->from || !cy->at || !head || !next)
		goto err;
	memset(head, 0xff, cap * sizeof(*head));
	for (j = old_n; j-- > 0;) {
		__u32 h = text_hash(texts + (size_t)j * XG_RULE_TEXT_BPF) & (cap - 1);

		next[j] = head[h];
		head[h] = j;
	}
	for (i = 0; i < cy->n; i++) {
		__u32 h, *p;

		buf = tx->set + (size_t)i * XG_RULE_TEXT_BPF;
		h = text_hash(buf) & (cap - 1);
		cy->from[i] = -1;
		for (p = &head[h]; *p != UINT32_MAX; p = &next[*p]) {
			if (strcmp(buf, texts + (size_t)*p * XG_RULE_TEXT_BPF))
				continue;
			cy->from[i] = (int)*p;
			*p = next[*p]; /* used: unlink */
			break;
		}
	}
	/* the old totals now, read in batches, for the rules taken over */
	old_n = carried_span(cy);
	tot = calloc(old_n + 1, sizeof(*tot));
	err = tot ? slot_totals(m, old_slot, old_n, tot) : -ENOMEM;
	for (i = 0; !err && i < cy->n; i++)
		if (cy->from[i] >= 0)
			cy->at[i] = tot[cy->from[i]];
err:
	free(tot);
	free(head);
	free(next);
	return err;
}

/* Write the carried totals as the new rules' base; with settle set, add what the old
 * rules counted since plan_carry() (the flip is done and the old slot quiet). A batch of
 * the rules taken over; the others keep their base. */
static int apply_carry(const struct xg_gate_maps *m, const struct carry *cy, __u32 old_slot,
		       __u32 new_slot, bool settle)
{
	__u32 span = carried_span(cy), *keys = NULL, i, nk = 0;
	struct xg_counter_val *v = NULL, *now = NULL, *base = NULL;
	int err = 0;

	if (!span)
		return 0; /* no rule taken over */
	keys = malloc(cy->n * sizeof(*keys));
	v = malloc(cy->n * sizeof(*v));
	if (settle) {
		now = calloc(span, sizeof(*now));
		base = calloc(cy->n, sizeof(*base));
	}
	if (!keys || !v || (settle && (!now || !base)))
		err = -ENOMEM;
	if (!err && settle)
		err = slot_totals(m, old_slot, span, now);
	if (!err && settle)
		err = xg_array_read(m->rule_base, SLOT_IDX(new_slot, 0), cy->n, base,
				    sizeof(*base));
	for (i = 0; !err && i < cy->n; i++) {
		if (cy->from[i] < 0)
			continue;
		v[nk] = cy->at[i];
		if (settle) {
			v[nk] = base[i];
			v[nk].packets += now[cy->from[i]].packets - cy->at[i].packets;
			v[nk].bytes += now[cy->from[i]].bytes - cy->at[i].bytes;
		}
		keys[nk++] = SLOT_IDX(new_slot, i);
	}
	if (!err && bpf_map_update_batch(m->rule_base, keys, v, &nk, NULL))
		err = -errno;
	free(keys);
	free(v);
	free(now);
	free(base);
	return err;
}

static int write_config(const struct xg_gate_maps *m, const struct xg_config *cfg)
{
	__u32 key = 0;

	return bpf_map_update_elem(m->config, &key, cfg, BPF_ANY) ? -errno : 0;
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
	struct xg_reload_texts tx = { 0 };
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
	if (!err) /* what both slots hold of the texts, for the carry and to skip equal ones */
		err = xg_texts_prepare(m, rs, old, initial ? 0 : cfg.slot[old].nrules,
				       initial ? -1 : (int)t, &tx);
	if (!err)
		err = xg_slot_fill(m, rs, c, &tx, &sc, (__u8)t);
	if (!err && !initial)
		err = plan_carry(m, &tx, old, &cy);
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
	xg_texts_free(&tx);
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
	char *texts, msg[256];
	struct xg_rule r;
	__u32 i, def;
	int err = 0;

	xg_ruleset_init(rs);
	rs->default_verdict = cfg->slot[s].default_verdict;
	rs->has_default = true;
	/* room at once (and one more, which `rules add` inserts); failing, inserts grow it */
	(void)xg_ruleset_reserve(rs, cfg->slot[s].nrules + 1);
	texts = xg_slot_texts(m, s, cfg->slot[s].nrules);
	for (i = 0; i < cfg->slot[s].nrules && !err; i++) {
		const char *text = texts ? texts + (size_t)i * XG_RULE_TEXT_BPF : "";

		if (xg_rule_parse_line(text, NULL, 0, &r, &def, msg, sizeof(msg)) != 1 ||
		    xg_ruleset_insert(rs, rs->n, &r)) {
			pr_warn("rules: the live rule %u cannot be read back\n", i + 1);
			err = -EIO;
		}
	}
	xg_texts_buf_free(texts, cfg->slot[s].nrules);
	if (!err && xg_flows_read_slot(m, s, &rs->flows.rate))
		rs->flows.rate = 0; /* a gate from before flows: none */
	rs->parse_counters = cfg->slot[s].flags & XG_SLOT_PARSE_CNT ? 1 : 0;
	if (!err && xg_ruleset_bind_sets(rs, msg, sizeof(msg))) {
		pr_warn("rules: %s\n", msg);
		err = -EIO;
	}
	if (err)
		xg_ruleset_free(rs);
	return err;
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
	__u32 *keys = malloc((cy->n + 1) * sizeof(*keys)), i, nk = 0;
	int ncpu, err = 0;

	zero = xg_percpu_buf((cy->n + 1) * sizeof(*zero), &ncpu);
	if (!zero || !keys)
		err = -ENOMEM;
	for (i = 0; !err && i < cy->n; i++)
		if (cy->from[i] >= 0)
			keys[nk++] = SLOT_IDX(to, i);
	if (!err && nk && bpf_map_update_batch(m->rule_stats, keys, zero, &nk, NULL))
		err = -errno;
	free(zero);
	free(keys);
	return err ? err : apply_carry(m, cy, from, to, false);
}

int xg_rules_revert(const struct xg_gate_maps *m, __u32 prev_gen)
{
	struct xg_reload_texts tx = { 0 };
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
	err = xg_texts_prepare(m, &rs, a, cfg.slot[a].nrules, -1, &tx);
	if (!err)
		err = plan_carry(m, &tx, a, &cy);
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
	xg_texts_free(&tx);
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
