/* SPDX-License-Identifier: GPL-2.0 */
/* Printable names for the enums in common/xdpgate_consts.h (CLI, JSON, explain, tests). */
#ifndef XG_ENUM_NAMES_H
#define XG_ENUM_NAMES_H

const char *xg_verdict_name(unsigned int verdict);
const char *xg_parse_name(unsigned int outcome);
const char *xg_counter_name(unsigned int idx);

#endif
