/* SPDX-License-Identifier: GPL-2.0 */
/* Text of flow keys, shared by `flows` and `top`. */
#ifndef XG_FLOWS_FORMAT_H
#define XG_FLOWS_FORMAT_H

#include <stddef.h>

#include "user/flows/table.h"

/* The address of key (src or dst) as text; "-" when the flow has no IP. */
void xg_flow_addr_text(const struct xg_flow_key *k, int dst, char *buf, size_t len);
/* What a group's key holds for by, e.g. "198.18.0.1" or "tcp 198.18.0.1:80 > ...". */
void xg_flow_group_text(const struct xg_flow_key *k, enum xg_flow_by by, char *buf, size_t len);
/* The rule of a key: "rule N" (1-based) or "default". */
void xg_flow_rule_text(const struct xg_flow_key *k, char *buf, size_t len);

#endif
