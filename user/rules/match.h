/* SPDX-License-Identifier: GPL-2.0 */
/* `match "EXPR"` conditions (docs/match.md): pcap-filter expressions compiled by libpcap
 * for Ethernet frames. libpcap defines what they mean: the reference classifier runs the
 * compiled classic BPF with pcap_offline_filter, and the gate runs a translation of the
 * same instructions (user/rules/cbpf.c) that must agree with it on every frame.
 *
 * A rule set numbers its distinct expressions 0.. in the order they were added (each rule
 * holds its expression's number in match_idx); a frame's match value is the set of those
 * that hold, bit i for expression i (struct xg_pkt's match_bits). */
#ifndef XG_RULES_MATCH_H
#define XG_RULES_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "user/rules/rules.h"

#define XG_MATCH_ERR_MAX 512 /* bytes of a message: libpcap's and the rule it is about */

/* One classic BPF instruction, as libpcap's struct bpf_insn and the kernel's sock_filter
 * (neither header can be included beside linux/bpf.h and libbpf's). */
struct xg_cbpf_insn {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

/* Compile expr for DLT_EN10MB into *insn (n instructions, the caller frees). 0, or -1 with
 * libpcap's message (or the instruction limit, XG_MATCH_INSNS_MAX) in err. */
int xg_match_compile(const char *expr, struct xg_cbpf_insn **insn, unsigned int *n, char *err,
		     size_t errlen);

/* The distinct expressions of a rule set, compiled, by number. */
struct xg_match_set {
	unsigned int n;
	const char *text[XG_MATCH_MAX]; /* point into the rule set's rules */
	struct xg_cbpf_insn *insn[XG_MATCH_MAX];
	unsigned int ninsn[XG_MATCH_MAX];
};

/* Compile the expressions of rs (n 0 when it has none). 0, or -1 with one line in err:
 * more than XG_MATCH_MAX expressions, or one libpcap refuses (named with its rule's line). */
int xg_match_set_build(const struct xg_ruleset *rs, struct xg_match_set *ms, char *err,
		       size_t errlen);
void xg_match_set_free(struct xg_match_set *ms);
/* The expressions that hold on a frame of caplen bytes captured of wirelen, as libpcap's
 * pcap_offline_filter says: bit i for expression i. */
uint8_t xg_match_eval(const struct xg_match_set *ms, const uint8_t *frame, uint32_t caplen,
		      uint32_t wirelen);

/* Number r's expression within rs (whose other rules are numbered): the number of a rule
 * with the same text, else the next free one. rs->nmatch counts the numbers in use. */
void xg_match_number(struct xg_ruleset *rs, struct xg_rule *r);
/* After rule at was deleted (removed is its copy): renumber so numbers stay dense. */
void xg_match_unnumber(struct xg_ruleset *rs, const struct xg_rule *removed);

/* A capture filter (`log --filter`, the pcap handler's filter=): an expression compiled
 * for Ethernet frames and run by libpcap in userspace, without the gate's limits. */
struct xg_capfilter;
/* 0, or -1 with libpcap's message in err. */
int xg_capfilter_open(const char *expr, struct xg_capfilter **out, char *err, size_t errlen);
/* Whether a frame of caplen bytes (of wirelen on the wire) passes the filter. */
bool xg_capfilter_pass(const struct xg_capfilter *f, const uint8_t *frame, uint32_t caplen,
		       uint32_t wirelen);
void xg_capfilter_close(struct xg_capfilter *f);

#endif
