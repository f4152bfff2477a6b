/* SPDX-License-Identifier: GPL-2.0 */
/* The rules' canonical texts in a gate (xg_rule_text: one per rule of each slot, how
 * `rules list` reads a set back and how counters follow rules), read and written in
 * batches for a reload. */
#ifndef XG_RULES_TEXTS_H
#define XG_RULES_TEXTS_H

#include <stdbool.h>

#include "user/gate/maps.h"
#include "user/rules/rules.h"

/* Index of rule i of slot in the per-rule maps. */
#define XG_SLOT_IDX(slot, i) ((__u32)(slot)*XG_RULES_MAX_BPF + (__u32)(i))

/* The texts a reload works with, each array XG_RULE_TEXT_BPF bytes a rule. */
struct xg_reload_texts {
	char *set; /* the new set's, formatted once */
	char *old; /* the old slot's rules' (empty where one is missing) */
	char *cur; /* what the target slot holds at the new set's indices now (empty: none) */
	__u32 n_new, n_old;
};

/* Format rs's texts and read, in one walk of the map, those of rules [0, n_old) of
 * old_slot and, unless target < 0, what slot target holds at [0, rs->n). 0 or -errno;
 * free with xg_texts_free either way. */
int xg_texts_prepare(const struct xg_gate_maps *m, const struct xg_ruleset *rs, __u32 old_slot,
		     __u32 n_old, int target, struct xg_reload_texts *tx);
void xg_texts_free(struct xg_reload_texts *tx);
/* The new texts into slot: only where it holds another text (tx->cur); what lies past
 * the new set is trimmed on a budget. 0 or -errno. */
int xg_texts_write(const struct xg_gate_maps *m, const struct xg_reload_texts *tx, __u8 slot);
/* The texts of rules [0, n) of slot (empty where one is missing), NULL on failure; free
 * with xg_texts_buf_free(p, n). */
char *xg_slot_texts(const struct xg_gate_maps *m, __u32 slot, __u32 n);
void xg_texts_buf_free(char *p, __u32 n);

#endif
