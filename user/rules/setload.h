/* SPDX-License-Identifier: GPL-2.0 */
/* Prefix sets in a gate's maps (design atop setload.c). */
#ifndef XG_RULES_SETLOAD_H
#define XG_RULES_SETLOAD_H

#include <stdbool.h>

#include "user/gate/maps.h"
#include "user/rules/compile.h"
#include "user/rules/rules.h"

/* Fill the trie fd with n prefixes in batches. 0 or -errno. */
int xg_set_trie_fill(int fd, const struct xg_prefix *p, size_t n);
/* A set name as a rule file may define it: 1 to XG_SET_NAME_MAX - 1 of [A-Za-z0-9_.-]
 * (no other can be in a gate). 0, or -EINVAL with why in err ("set name is empty", ...). */
int xg_set_name_check(const char *name, char *err, size_t errlen);
/* The id of the gate's set named name (preferring one pref uses), or -ENOENT. */
int xg_set_id(const struct xg_gate_maps *m, const char *name, const struct xg_slot_cfg *pref);
/* For a slot about to be filled: give every set c tests an id in sc (sets rs holds the
 * prefixes of go into ids live does not use; the others are the gate's sets by name). On
 * failure the ids it filled are freed. 0 or -errno (message printed for a missing set). */
int xg_sets_place(const struct xg_gate_maps *m, const struct xg_ruleset *rs,
		  const struct xg_compiled *c, const struct xg_slot_cfg *live,
		  struct xg_slot_cfg *sc);
/* Free every set id keep does not use (after a flip and its grace period). */
void xg_sets_release(const struct xg_gate_maps *m, const struct xg_slot_cfg *keep);
/* Replace set id's trie with a new one holding s, in one pointer swap. 0 or -errno. */
int xg_set_replace(const struct xg_gate_maps *m, __u32 id, const struct xg_set *s);
/* An fd of set id's live trie, or -errno. */
int xg_set_trie_open(const struct xg_gate_maps *m, __u32 id);
/* Read the prefixes of set id into s (sorted). 0 or -errno. */
int xg_set_read_live(const struct xg_gate_maps *m, __u32 id, struct xg_set *s);
/* Add (or delete) n prefixes in set id's live trie; *changed counts those that were not
 * already there (or were). 0 or -errno (-E2BIG past XG_SET_PREFIXES_MAX). */
int xg_set_edit(const struct xg_gate_maps *m, __u32 id, const struct xg_prefix *p, size_t n,
		bool add, size_t *changed);

#endif
