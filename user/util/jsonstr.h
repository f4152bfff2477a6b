/* SPDX-License-Identifier: GPL-2.0 */
/* A JSON string literal: what the CLI's JSON output and the JSON log lines share. */
#ifndef XG_UTIL_JSONSTR_H
#define XG_UTIL_JSONSTR_H

#include <stdio.h>

/* s, quoted, with '"', '\\' and control characters escaped. */
void xg_json_str(FILE *f, const char *s);

#endif
