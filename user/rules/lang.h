/* SPDX-License-Identifier: GPL-2.0 */
/* Inside user/rules: the words of the rule language, shared by the parser (lang.c) and
 * the formatter (format.c), so that what one reads the other writes. */
#ifndef XG_RULES_LANG_H
#define XG_RULES_LANG_H

#include <stddef.h>

#include "user/rules/rules.h"

struct xg_name_val {
	const char *name;
	unsigned int val;
};

/* Each ends with a { NULL, 0 } entry. */
extern const struct xg_name_val xg_proto_names[];
extern const struct xg_name_val xg_ether_names[];
extern const struct xg_name_val xg_action_names[];
/* The words of `ct`, by enum xg_ct_state (index 0, no state, has none). */
extern const char *const xg_ct_state_names[5];
/* In wire bit order (FIN first), so the formatter prints them in that order. */
extern const char *const xg_tcp_flag_names[8];

/* The entry named name, or NULL. */
const struct xg_name_val *xg_name_find(const struct xg_name_val *t, const char *name);
/* The name of val, or NULL. */
const char *xg_name_of(const struct xg_name_val *t, unsigned int val);
/* "ADDR/LEN" */
void xg_prefix_text(const struct xg_prefix *p, char *buf, size_t len);

#endif
