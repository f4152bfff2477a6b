/* SPDX-License-Identifier: GPL-2.0 */
/* Printable names for the enums in common/xdpgate_consts.h (CLI, JSON, tests). */
#ifndef XG_NAMES_H
#define XG_NAMES_H

#include "user/cli/opts.h"

extern const struct xg_opt_enum xg_default_verdicts[]; /* pass, drop */
extern const struct xg_opt_enum xg_attach_modes[];     /* native, skb */

const char *xg_verdict_name(unsigned int verdict);
const char *xg_parse_name(unsigned int outcome);
const char *xg_counter_name(unsigned int idx);

#endif
