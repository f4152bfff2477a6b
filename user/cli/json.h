/* SPDX-License-Identifier: GPL-2.0 */
/* Just enough JSON output: strings escaped, counters as objects. */
#ifndef XG_JSON_H
#define XG_JSON_H

#include <stdio.h>

#include "user/gate/counters.h"
#include "user/util/jsonstr.h" /* xg_json_str */

/* "name":{"packets":N,"bytes":N} for each counter, comma separated, no braces around. */
void xg_json_counters(FILE *f, const struct xg_snapshot *s);

#endif
