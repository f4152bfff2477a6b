// SPDX-License-Identifier: GPL-2.0
/* Reading texts walks the whole hash in batches (both slots: one walk is cheaper than a
 * lookup each of one slot's), into buffers on huge pages (user/util/bigmem.h). Writing
 * skips every text the target slot already holds, which is most of them when `rules add`
 * or `del` changes one rule of a large set: the slot then holds the set of two changes
 * ago. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "user/gate/batch.h"
#include "user/rules/texts.h"
#include "user/util/bigmem.h"

#define TRIM_BUDGET 1024 /* stale texts a reload deletes at most */

static char *texts_alloc(__u32 n)
{
	return xg_big_alloc(((size_t)n + 1) * XG_RULE_TEXT_BPF);
}

void xg_texts_buf_free(char *p, __u32 n)
{
	xg_big_free(p, ((size_t)n + 1) * XG_RULE_TEXT_BPF);
}

/* Up to two ranges of the map's keys, each copied into its own array. */
struct take {
	char *to[2];
	__u32 first[2], n[2];
};

static int take_text(const void *key, const void *val, void *ctx)
{
	const struct take *tk = ctx;
	__u32 r, j;
	char *t;

	for (r = 0; r < 2; r++) {
		j = *(const __u32 *)key - tk->first[r];
		if (!tk->to[r] || j >= tk->n[r])
			continue;
		t = tk->to[r] + (size_t)j * XG_RULE_TEXT_BPF;
		memcpy(t, val, XG_RULE_TEXT_BPF);
		t[XG_RULE_TEXT_BPF - 1] = '\0';
	}
	return 0;
}

static int walk(const struct xg_gate_maps *m, struct take *tk)
{
	if (!tk->n[0] && !tk->n[1])
		return 0;
	return xg_batch_each(m->rule_text, sizeof(__u32), XG_RULE_TEXT_BPF, take_text, tk);
}

char *xg_slot_texts(const struct xg_gate_maps *m, __u32 slot, __u32 n)
{
	struct take tk = { .to = { texts_alloc(n) },
			   .first = { XG_SLOT_IDX(slot, 0) },
			   .n = { n } };

	if (tk.to[0] && walk(m, &tk)) {
		xg_texts_buf_free(tk.to[0], n);
		return NULL;
	}
	return tk.to[0];
}

int xg_texts_prepare(const struct xg_gate_maps *m, const struct xg_ruleset *rs, __u32 old_slot,
		     __u32 n_old, int target, struct xg_reload_texts *tx)
{
	struct take tk = { .first = { XG_SLOT_IDX(old_slot, 0),
				      target < 0 ? 0 : XG_SLOT_IDX(target, 0) },
			   .n = { n_old, target < 0 ? 0 : (__u32)rs->n } };
	__u32 i;

	tx->n_new = (__u32)rs->n;
	tx->n_old = n_old;
	tx->set = texts_alloc(tx->n_new);
	tx->old = tk.to[0] = texts_alloc(n_old);
	tx->cur = tk.to[1] = texts_alloc(tx->n_new);
	if (!tx->set || !tx->old || !tx->cur)
		return -ENOMEM;
	for (i = 0; i < tx->n_new; i++)
		xg_rule_format(&rs->rules[i], tx->set + (size_t)i * XG_RULE_TEXT_BPF,
			       XG_RULE_TEXT_BPF);
	return walk(m, &tk);
}

void xg_texts_free(struct xg_reload_texts *tx)
{
	xg_texts_buf_free(tx->set, tx->n_new);
	xg_texts_buf_free(tx->old, tx->n_old);
	xg_texts_buf_free(tx->cur, tx->n_new);
	memset(tx, 0, sizeof(*tx));
}

static void text_key(void *out, __u32 i, const void *arg)
{
	*(__u32 *)out = XG_SLOT_IDX(*(const __u8 *)arg, i);
}

int xg_texts_write(const struct xg_gate_maps *m, const struct xg_reload_texts *tx, __u8 slot)
{
	__u32 *keys = malloc(((size_t)tx->n_new + 1) * sizeof(*keys)), i, n = 0;
	__u32 budget = TRIM_BUDGET;
	char *vals = texts_alloc(tx->n_new);
	int err = 0;

	if (!keys || !vals)
		err = -ENOMEM;
	for (i = 0; !err && i < tx->n_new; i++) {
		const char *t = tx->set + (size_t)i * XG_RULE_TEXT_BPF;

		if (!strcmp(t, tx->cur + (size_t)i * XG_RULE_TEXT_BPF))
			continue; /* the slot holds it already */
		keys[n] = XG_SLOT_IDX(slot, i);
		memcpy(vals + (size_t)n++ * XG_RULE_TEXT_BPF, t, XG_RULE_TEXT_BPF);
	}
	if (!err && n && bpf_map_update_batch(m->rule_text, keys, vals, &n, NULL))
		err = -errno;
	if (!err)
		err = xg_batch_trim(m->rule_text, sizeof(__u32), XG_RULE_TEXT_BPF, text_key, &slot,
				    tx->n_new, XG_RULES_MAX_BPF, &budget);
	free(keys);
	xg_texts_buf_free(vals, tx->n_new);
	return err;
}
