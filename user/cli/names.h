/* SPDX-License-Identifier: GPL-2.0 */
/* The CLI's option values for enums (and, through util/enum_names.h, their printable
 * names). */
#ifndef XG_NAMES_H
#define XG_NAMES_H

#include "user/cli/opts.h"
#include "user/util/enum_names.h"

extern const struct xg_opt_enum xg_default_verdicts[]; /* pass, drop */
extern const struct xg_opt_enum xg_attach_modes[];     /* native, skb */

#endif
