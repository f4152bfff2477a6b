/* SPDX-License-Identifier: GPL-2.0 */
/* Compile a rule set into the gate's tables (design in common/xdpgate_rules.h): per field,
 * equivalence classes (ECs) of values accepted by the same rules, and one bit-vector of
 * rules per EC. ECs are found with Zobrist hashing (each rule has a random 64-bit key; a
 * set of rules hashes to the XOR of its keys), so a value's class costs O(1) to update as
 * a sweep adds or removes rules, and a bit-vector is built once per class, not per value. */
#ifndef XG_RULES_COMPILE_H
#define XG_RULES_COMPILE_H

#include <stddef.h>
#include <stdint.h>

#include "common/xdpgate_rules.h"
#include "user/rules/match.h"
#include "user/rules/rules.h"

struct xg_lpm_entry {
	struct xg_lpm_key key; /* slot left 0: the loader sets it */
	uint16_t ec;
};

struct xg_ec_class {
	uint64_t *bits; /* nwords words */
};

struct xg_field_ecs {
	uint32_t n; /* classes */
	uint32_t cap;
	struct xg_ec_class *cls;
	/* open-addressing index hash -> class, for interning */
	uint64_t *hkeys;
	uint32_t *hvals;
	uint32_t hcap;
	/* the classes' bit-vectors in blocks: block b holds XG_EC_BLOCK << b of them, one
	 * allocation for many, the large ones on huge pages (user/util/bigmem.h) */
	uint64_t **blocks;
	uint32_t nblocks;
};
#define XG_EC_BLOCK 256

struct xg_compiled {
	uint32_t nrules, nwords, fields, default_verdict;
	uint16_t *eca;		     /* XG_ECA_SIZE entries */
	struct xg_lpm_entry *lpm[2]; /* [0] src, [1] dst */
	size_t nlpm[2];
	uint32_t *dir4[2];   /* IPv4 DIR-16-8-8 table of one slot (XG_DIR4_SLOT entries) */
	uint32_t nblocks[2]; /* blocks in use: the loader writes L1 and these only */
	struct xg_field_ecs f[XG_F_MAX];
	struct xg_rule_action *actions; /* nrules */
	/* the sets tested on src ([0]) and dst ([1]), by name, in the order of their
	 * membership bits, and the stride of one bit in the field's classes */
	uint32_t nsets[2];
	char set_name[2][XG_SET_FIELD_MAX][XG_SET_NAME_MAX];
	uint32_t set_stride[2];
	uint32_t nlimits;			 /* each rule's id + 1 is in its action */
	struct xg_bucket buckets[XG_LIMITS_MAX]; /* tat 0: full at the first frame */
	struct xg_lease leases[XG_LIMITS_MAX];	 /* every CPU's: no room held, the cost */
	struct xg_match_set match;		 /* the `match` expressions, compiled by libpcap */
};

/* Compile rs. Redirect targets are resolved to ifindexes in the caller's namespace. Returns
 * 0, or -1 after printing one line naming the problem (an unknown redirect interface, a
 * field with more than 65535 classes, too many rules). */
int xg_rules_compile(const struct xg_ruleset *rs, struct xg_compiled *c);
void xg_compiled_free(struct xg_compiled *c);

#endif
