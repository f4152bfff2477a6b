// SPDX-License-Identifier: GPL-2.0
/* `match` expressions: compiled by libpcap, numbered per rule set, evaluated by libpcap for
 * the reference classifier (design in match.h). */
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "user/rules/match.h"

_Static_assert(sizeof(struct xg_cbpf_insn) == sizeof(struct bpf_insn), "classic BPF layout");

int xg_match_compile(const char *expr, struct xg_cbpf_insn **insn, unsigned int *n, char *err,
		     size_t errlen)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	struct bpf_program prog_, *prog = &prog_;
	int ret = -1;

	if (!p) {
		snprintf(err, errlen, "libpcap cannot open a dead handle");
		return -1;
	}
	/* optimised: the program the gate runs is then as short as tcpdump's */
	if (pcap_compile(p, prog, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		snprintf(err, errlen, "%s", pcap_geterr(p));
		goto out;
	}
	if (prog->bf_len > XG_MATCH_INSNS_MAX) {
		snprintf(err, errlen,
			 "expression compiles to %u classic BPF instructions, over the limit of %d",
			 prog->bf_len, XG_MATCH_INSNS_MAX);
		pcap_freecode(prog);
		goto out;
	}
	*n = prog->bf_len;
	*insn = malloc(prog->bf_len * sizeof(**insn));
	if (*insn) {
		memcpy(*insn, prog->bf_insns, prog->bf_len * sizeof(**insn));
		ret = 0;
	} else {
		snprintf(err, errlen, "out of memory");
	}
	pcap_freecode(prog);
out:
	pcap_close(p);
	return ret;
}

int xg_match_set_build(const struct xg_ruleset *rs, struct xg_match_set *ms, char *err,
		       size_t errlen)
{
	char msg[XG_MATCH_ERR_MAX];
	unsigned int k;
	size_t i;

	memset(ms, 0, sizeof(*ms));
	if (rs->nmatch > XG_MATCH_MAX) {
		snprintf(err, errlen, "%u match expressions, over the limit of %d per rule set",
			 rs->nmatch, XG_MATCH_MAX);
		return -1;
	}
	for (i = 0; i < rs->n; i++) {
		const struct xg_rule *r = &rs->rules[i];

		if (!r->match[0] || r->match_idx >= rs->nmatch || ms->text[r->match_idx])
			continue;
		k = r->match_idx;
		if (xg_match_compile(r->match, &ms->insn[k], &ms->ninsn[k], msg, sizeof(msg))) {
			snprintf(err, errlen, "rule %zu (line %u): match \"%s\": %s", i + 1,
				 r->line, r->match, msg);
			xg_match_set_free(ms);
			return -1;
		}
		ms->text[r->match_idx] = r->match;
	}
	ms->n = rs->nmatch;
	return 0;
}

void xg_match_set_free(struct xg_match_set *ms)
{
	unsigned int i;

	for (i = 0; i < XG_MATCH_MAX; i++)
		free(ms->insn[i]);
	memset(ms, 0, sizeof(*ms));
}

uint8_t xg_match_eval(const struct xg_match_set *ms, const uint8_t *frame, uint32_t caplen,
		      uint32_t wirelen)
{
	struct pcap_pkthdr h = { .caplen = caplen, .len = wirelen };
	unsigned int i;
	uint8_t bits = 0;

	for (i = 0; i < ms->n && i < XG_MATCH_MAX; i++) {
		struct bpf_program p = { ms->ninsn[i], (struct bpf_insn *)ms->insn[i] };

		if (ms->insn[i] && pcap_offline_filter(&p, &h, frame))
			bits |= (uint8_t)(1u << i);
	}
	return bits;
}

void xg_match_number(struct xg_ruleset *rs, struct xg_rule *r)
{
	size_t i;

	r->match_idx = 0;
	if (!r->match[0])
		return;
	for (i = 0; i < rs->n; i++) {
		if (rs->rules[i].match[0] && !strcmp(rs->rules[i].match, r->match)) {
			r->match_idx = rs->rules[i].match_idx;
			return;
		}
	}
	/* numbers past 255 never reach a gate: the set is refused at XG_MATCH_MAX */
	r->match_idx = (uint8_t)(rs->nmatch < 255 ? rs->nmatch : 255);
	if (rs->nmatch < 255)
		rs->nmatch++;
}

void xg_match_unnumber(struct xg_ruleset *rs, const struct xg_rule *removed)
{
	size_t i;

	if (!removed->match[0])
		return;
	for (i = 0; i < rs->n; i++)
		if (rs->rules[i].match[0] && rs->rules[i].match_idx == removed->match_idx)
			return; /* still in use */
	for (i = 0; i < rs->n; i++)
		if (rs->rules[i].match[0] && rs->rules[i].match_idx > removed->match_idx)
			rs->rules[i].match_idx--;
	if (rs->nmatch)
		rs->nmatch--;
}

struct xg_capfilter {
	struct bpf_program prog;
};

int xg_capfilter_open(const char *expr, struct xg_capfilter **out, char *err, size_t errlen)
{
	struct xg_capfilter *f = calloc(1, sizeof(*f));
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	int ret = -1;

	if (!f || !p)
		snprintf(err, errlen, "out of memory");
	else if (pcap_compile(p, &f->prog, expr, 1, PCAP_NETMASK_UNKNOWN))
		snprintf(err, errlen, "%s", pcap_geterr(p));
	else
		ret = 0;
	if (p)
		pcap_close(p);
	if (ret)
		free(f);
	*out = ret ? NULL : f;
	return ret;
}

bool xg_capfilter_pass(const struct xg_capfilter *f, const uint8_t *frame, uint32_t caplen,
		       uint32_t wirelen)
{
	struct pcap_pkthdr h = { .caplen = caplen, .len = wirelen };

	return pcap_offline_filter(&f->prog, &h, frame) != 0;
}

void xg_capfilter_close(struct xg_capfilter *f)
{
	if (!f)
		return;
	pcap_freecode(&f->prog);
	free(f);
}
