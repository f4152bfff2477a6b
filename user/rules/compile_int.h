/* SPDX-License-Identifier: GPL-2.0 */
/* Inside the rule compiler only: what compile.c and compile_addr.c share. */
#ifndef XG_RULES_COMPILE_INT_H
#define XG_RULES_COMPILE_INT_H

#include <stdint.h>

#include "user/rules/compile.h"

#define NO_VALUE UINT32_MAX

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

/* Class of the rule set with hash h. When new, its bit-vector is copied from bits.
 * Returns the class id, or -1 (message printed). */
int xg_ec_intern(struct fctx *x, uint64_t h, const uint64_t *bits);
/* A new class with a copy of bits, appended. 0 or -1 (message printed). */
int xg_ec_add(struct fctx *x, const uint64_t *bits);
void xg_bit_set(uint64_t *b, uint32_t r);
/* The classes of address field f (XG_F_SRC or XG_F_DST). 0 or -1 (message printed). */
int xg_build_lpm(struct fctx *x, int f);

#endif
