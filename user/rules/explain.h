/* SPDX-License-Identifier: GPL-2.0 */
/* `rules explain`: run frames from a pcap file or a hex string through the reference
 * classifier and say which rule each one hits, and why the rules before it do not. */
#ifndef XG_RULES_EXPLAIN_H
#define XG_RULES_EXPLAIN_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "user/rules/rules.h"

/* Largest frame the rule tools read from a pcap file or a hex string: 64 KiB holds any
 * IPv4 or IPv6 packet short of a jumbogram. Longer captured frames are cut to it. */
#define XG_FRAME_MAX 65536

/* Name of the first condition of r that pkt fails ("src", "dport", ...), NULL if none. */
const char *xg_rule_failing_condition(const struct xg_rule *r, const struct xg_pkt *pkt);
/* A frame as hex digits; spaces, colons and newlines between bytes are ignored.
 * 0, or -1 when s is not hex or longer than cap bytes. */
int xg_parse_hex_frame(const char *s, uint8_t *out, size_t cap, size_t *len);
/* One line's worth (no newline) of what the parser found in a frame: outcome, EtherType,
 * VLAN, addresses, protocol, fragment, ports, TCP flags, ICMP type. */
void xg_frame_describe(FILE *f, const struct xg_pkt *p, int outcome);
/* 0, or -1 after one error line. */
int xg_rules_explain(const char *rules_file, const char *input);

#endif
