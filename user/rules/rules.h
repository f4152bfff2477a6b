/* SPDX-License-Identifier: GPL-2.0 */
/* The rule language: parsed rules, the rule set, and the reference classifier that defines
 * what every rule means. The BPF classifier (compiled by user/rules/compile.c) must agree
 * with xg_rules_classify() on every frame; the differential test checks that it does.
 *
 * Syntax, one rule per line ('#' starts a comment):
 *   ACTION [src PREFIX|@SET] [dst PREFIX|@SET] [proto tcp|udp|icmp|icmpv6|NUM]
 *          [sport PORTS] [dport PORTS] [vlan ID] [ether arp|ipv4|ipv6|HEX]
 *          [tcp-flags FLAGS] [icmp-type TYPE] [match "EXPR"] [ct STATE[,STATE...]]
 *          [limit RATE [burst N]]
 *   ACTION  = pass | drop | tx | redirect IFACE | xsk
 *          [log [every N]]
 *   default pass|drop          (at most once; the verdict when no rule matches)
 *   set NAME FILE              (a prefix set, before the rules that name it; files only)
 *   flows exact|sample N [size N]  (per-flow accounting, at most once; user/rules/flows_conf.h)
 *   counters parse             (the parse-outcome counters, at most once; docs/counters.md)
 */
#ifndef XG_RULES_H
#define XG_RULES_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/parse.h"
#include "common/xdpgate_rules.h"
#include "user/rules/flows_conf.h"

/* A set is as large as the gate's maps hold, and a rule's text as large as the gate
 * stores: the parser refuses rules whose canonical text would not fit, NUL included. */
#define XG_RULES_MAX XG_RULES_MAX_BPF	  /* rules in one set */
#define XG_RULE_TEXT_MAX XG_RULE_TEXT_BPF /* canonical text of one rule, NUL included */
#define XG_PORT_RANGES_MAX 16		  /* ranges in one PORTS list */
/* Bytes in a rule file (README, Rules): far past any real set, it bounds the memory and
 * time spent on what is no rule file (/dev/zero, a mistaken path, a growing log). */
#define XG_RULES_FILE_MAX (64 << 20)
#define XG_LIMIT_RATE_MAX 1000000000 /* per second, and burst, before the unit */
/* the gate's cost of one unit, 1e9 << XG_LIMIT_SHIFT / rate, must stay at least 1 */
#define XG_LIMIT_UNITS_MAX (1000000000ULL << XG_LIMIT_SHIFT)
#define XG_LIMIT_BURST 5	  /* frames, when no burst is given (as nftables) */
#define XG_LIMIT_BYTE_BURST 65536 /* bytes, when no burst is given */

struct xg_prefix {
	uint8_t family;	  /* 0: any address; 4 or 6 */
	uint8_t len;	  /* prefix length; host bits of addr are zero */
	uint8_t addr[16]; /* network order; IPv4 in addr[0..3] */
};

/* A named prefix set (`set NAME FILE`): its prefixes sorted by family, length and address,
 * without duplicates, and the runs of equal family and length, for the reference lookup. A
 * set read back from a live gate is a name only (loaded false): its prefixes stay there. */
#define XG_SET_NAME_MAX XG_SET_NAME_BPF
struct xg_set {
	char name[XG_SET_NAME_MAX];
	bool loaded;
	struct xg_prefix *p;
	size_t n;
	unsigned int nruns;
	struct {
		uint8_t family, len;
		uint32_t first, n;
	} run[33 + 129];
};

struct xg_port_set {
	uint16_t n; /* 0: any port (no condition) */
	struct {
		uint16_t lo, hi; /* inclusive */
	} r[XG_PORT_RANGES_MAX];
};

struct xg_rule {
	uint32_t action;	       /* enum xg_verdict: PASS, DROP, TX, REDIRECT or XSK */
	char redirect_if[IF_NAMESIZE]; /* REDIRECT only */
	struct xg_prefix src, dst;
	/* src @NAME / dst @NAME: the set's name (empty: none), bound to the rule set's set of
	 * that name by the parser or xg_ruleset_bind_sets() */
	char src_set[XG_SET_NAME_MAX], dst_set[XG_SET_NAME_MAX];
	const struct xg_set *src_sp, *dst_sp;
	bool has_proto;
	uint8_t proto; /* IPPROTO_* (L4 protocol after IPv6 extension headers) */
	struct xg_port_set sport, dport;
	bool has_vlan;
	uint16_t vlan; /* outer tag's VID */
	bool has_ether;
	uint16_t ether; /* innermost EtherType */
	bool has_tcp_flags;
	uint8_t flags_mask, flags_value; /* match when (flags & mask) == value */
	bool has_icmp_type;
	uint8_t icmp_family; /* 4: ICMP, 6: ICMPv6 (from proto; ICMP when none given) */
	uint8_t icmp_type;
	/* ct STATE,...: bit s set for each enum xg_ct_state s named (common/ct_state.h); 0: no
	 * condition. A frame with no state (XG_CT_NONE) meets no ct condition. */
	uint8_t ct_states;
	/* limit RATE [burst N]: rate in frames (or bytes, limit_bytes) per second, burst in
	 * the same unit; limit_rate 0: no limit */
	uint64_t limit_rate, limit_burst;
	bool limit_bytes;
	uint32_t log_every; /* `log [every N]`: one matching frame in N to the log; 0: no log */
	/* match "EXPR": the pcap-filter text (empty: none) and its number in the rule set
	 * (user/rules/match.h), given by xg_ruleset_insert */
	char match[XG_MATCH_TEXT_MAX];
	uint8_t match_idx;
	unsigned int line; /* source line, 0 when from the command line */
};

struct xg_ruleset {
	struct xg_rule *rules;
	size_t n, cap;
	uint32_t default_verdict; /* XG_VERDICT_PASS unless a `default` line says drop */
	bool has_default;
	struct xg_set *sets[XG_SET_RULESET_MAX]; /* each its own allocation: rules point to it */
	size_t nsets;
	unsigned int nmatch;	    /* distinct match expressions, numbered 0..nmatch-1 */
	struct xg_flows_conf flows; /* rate 0: no `flows` line */
	/* `counters parse`: its line (1 for a set read back from a gate); 0: no such line */
	unsigned int parse_counters;
};

void xg_ruleset_init(struct xg_ruleset *rs);
void xg_ruleset_free(struct xg_ruleset *rs);
/* Insert a copy of r before index at (at == rs->n appends). 0 or -ENOMEM/-E2BIG. */
int xg_ruleset_insert(struct xg_ruleset *rs, size_t at, const struct xg_rule *r);
/* Room for cap rules without moving them again. 0 or -ENOMEM. */
int xg_ruleset_reserve(struct xg_ruleset *rs, size_t cap);
int xg_ruleset_delete(struct xg_ruleset *rs, size_t at);
/* Some rule of rs has a `ct` condition (the gate then needs its connection-state code). */
bool xg_ruleset_uses_ct(const struct xg_ruleset *rs);

/* The set of rs named name, or NULL. */
struct xg_set *xg_ruleset_set(const struct xg_ruleset *rs, const char *name);
/* Bind every rule's set names to rs's sets, adding a name-only set for each name rs does
 * not have (rules read back from a gate, or added on the command line). 0, or -1 with the
 * message in err (more than XG_SET_RULESET_MAX sets). */
int xg_ruleset_bind_sets(struct xg_ruleset *rs, char *err, size_t errlen);
/* Read a set file (one prefix per line, '#' comments) into a new set. 0, or -1 with
 * "FILE:LINE: ..." in err. */
int xg_set_read(const char *path, const char *name, struct xg_set **out, char *err, size_t errlen);
/* Sort and deduplicate s->p and index its runs. */
void xg_set_finish(struct xg_set *s);
/* qsort order of prefixes: family, length, address (what xg_set_finish sorts by). */
int xg_prefix_cmp(const void *a, const void *b);
void xg_set_free(struct xg_set *s);
/* addr (network order, of family 4 or 6) lies in some prefix of s. */
bool xg_set_has(const struct xg_set *s, uint8_t family, const void *addr);
/* Parse one prefix ("ADDR[/LEN]"); host bits are cleared (*had_host set when there were
 * any). 0, or -1 when it is no prefix. */
int xg_prefix_parse(const char *s, struct xg_prefix *p, bool *had_host);

/* Parse one line. Returns 1 for a rule (in *r), 2 for a `default` line (in *def), 0 for a
 * blank or comment line, -1 on error with one message in err, formatted
 * "FILE:LINE:COL: what 'token'" (FILE and LINE left out when file is NULL). */
int xg_rule_parse_line(const char *line, const char *file, unsigned int lineno, struct xg_rule *r,
		       uint32_t *def, char *err, size_t errlen);
/* Parse a whole file into rs (which must be empty). 0, or -1 after printing the first
 * error as "xdpgate: FILE:LINE:COL: ...". Nothing is kept on error. Host bits set in a
 * prefix are masked with a warning naming file:line. */
int xg_rules_parse_file(const char *path, struct xg_ruleset *rs);
/* The same, with the error in err instead of printed. */
int xg_rules_parse_file_err(const char *path, struct xg_ruleset *rs, char *err, size_t errlen);
/* Canonical text of a rule (what `rules list` prints, and how counters follow rules). */
void xg_rule_format(const struct xg_rule *r, char *buf, size_t len);

/* The reference classifier: index of the first rule that matches the parsed frame, or -1
 * when none does (the default applies). The parse outcome is not needed: a parse that
 * stopped early leaves what it did not reach zero, which fails conditions on it. */
int xg_rules_classify(const struct xg_ruleset *rs, const struct xg_pkt *pkt);
bool xg_rule_matches(const struct xg_rule *r, const struct xg_pkt *pkt);
/* The log modifier's sampling: whether the nth frame (1-based) r matched on one CPU goes to
 * the log. The gate counts per CPU, so over K CPUs one frame in N is logged, give or take K. */
bool xg_rule_log_sampled(const struct xg_rule *r, uint64_t nth);

/* Per field (enum xg_field, rows of XG_FIELDS): the rule language's word for it and
 * whether r has a condition on it (field.c, which the parser links without the
 * classifier), and whether pkt meets that condition, true when r has none (ref.c). */
const char *xg_field_keyword(enum xg_field f);
bool xg_rule_has_cond(const struct xg_rule *r, enum xg_field f);
bool xg_rule_cond_holds(const struct xg_rule *r, enum xg_field f, const struct xg_pkt *pkt);

/* Prefix helpers (field.c). Clear the bits of addr (size bytes) past the first len; true if any were set. */
bool xg_addr_mask(uint8_t *addr, unsigned int len, size_t size);
/* a and b (16 bytes each at most) agree in their first len bits, len <= 128. */
bool xg_addr_same_prefix(const uint8_t *a, const uint8_t *b, unsigned int len);

/* `rules check`: print warnings (to f) for rules that can never match because an earlier
 * rule covers them, and for a default drop that blocks ARP or IPv6 neighbour discovery.
 * Returns the number of warnings. */
int xg_rules_check(const struct xg_ruleset *rs, const char *file, FILE *f);

#endif
