// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "user/util/log.h"
#include "user/util/enum_names.h"
#include "common/ct_state.h"
#include "user/rules/explain.h"
#include "user/rules/lang.h"
#include "user/rules/match.h"

/* Each condition alone: the reference classifier stays the only place that knows what a
 * condition means, and XG_FIELDS the only list of conditions. */
const char *xg_rule_failing_condition(const struct xg_rule *r, const struct xg_pkt *pkt)
{
	unsigned int f;

	for (f = 0; f < XG_F_MAX; f++)
		if (!xg_rule_cond_holds(r, (enum xg_field)f, pkt))
			return xg_field_keyword((enum xg_field)f);
	return NULL;
}

void xg_frame_describe(FILE *f, const struct xg_pkt *p, int outcome)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	fprintf(f, "%s, ether 0x%04x", xg_parse_name((unsigned int)outcome), p->eth_proto);
	if (p->vlan_depth)
		fprintf(f, ", vlan %u (%u tag%s)", p->vlan_id, p->vlan_depth,
			p->vlan_depth > 1 ? "s" : "");
	if (p->family) {
		inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->saddr, s, sizeof(s));
		inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->daddr, d, sizeof(d));
		fprintf(f, ", %s -> %s, proto %u", s, d, p->l4_proto);
	}
	if (p->frag)
		fprintf(f, ", %s fragment", p->frag == XG_FRAG_FIRST ? "first" : "later");
	if (p->l4_ok && (p->l4_proto == IPPROTO_TCP || p->l4_proto == IPPROTO_UDP))
		fprintf(f, ", ports %u -> %u", p->sport, p->dport);
	if (p->l4_ok && p->l4_proto == IPPROTO_TCP)
		fprintf(f, ", tcp flags 0x%02x", p->tcp_flags);
	if (p->l4_ok && (p->l4_proto == IPPROTO_ICMP || p->l4_proto == XG_IPPROTO_ICMPV6))
		fprintf(f, ", icmp type %u", p->icmp_type);
}

/* What libpcap says of each of the set's match expressions on this frame. */
static void explain_match(const struct xg_match_set *ms, uint8_t bits)
{
	unsigned int i;

	for (i = 0; i < ms->n; i++)
		printf("  match \"%s\": %s\n", ms->text[i] ? ms->text[i] : "?",
		       bits >> i & 1 ? "holds" : "does not hold");
}

static void explain_frame(const struct xg_ruleset *rs, const struct xg_match_set *ms,
			  unsigned int n, const uint8_t *buf, size_t len, size_t wirelen)
{
	uint8_t frame[XG_FRAME_MAX];
	struct xg_pkt pkt = { 0 };
	char text[XG_RULE_TEXT_MAX];
	int outcome, hit;
	size_t i;

	memcpy(frame, buf, len);
	outcome = xg_parse_frame(frame, frame + len, &pkt);
	pkt.match_bits = xg_match_eval(ms, frame, (uint32_t)len, (uint32_t)wirelen);
	/* explain sees no conntrack table: each frame is taken as a first packet */
	pkt.ct_state = (__u8)xg_ct_state_of(&pkt, XG_CTF_MISS);
	hit = xg_rules_classify(rs, &pkt);
	printf("frame %u (%zu bytes): %s\n", n, len,
	       xg_verdict_name(hit < 0 ? rs->default_verdict : rs->rules[hit].action));
	printf("  parsed: ");
	xg_frame_describe(stdout, &pkt, outcome);
	if (xg_ruleset_uses_ct(rs))
		printf(", ct %s (no conntrack entry assumed)",
		       pkt.ct_state ? xg_ct_state_names[pkt.ct_state] : "none");
	printf("\n");
	explain_match(ms, pkt.match_bits);
	for (i = 0; i < (hit < 0 ? rs->n : (size_t)hit); i++) {
		xg_rule_format(&rs->rules[i], text, sizeof(text));
		printf("  rule %zu (line %u) skipped: %s does not match: %s\n", i + 1,
		       rs->rules[i].line, xg_rule_failing_condition(&rs->rules[i], &pkt), text);
	}
	if (hit < 0) {
		printf("  no rule matches: default %s\n", xg_verdict_name(rs->default_verdict));
		return;
	}
	xg_rule_format(&rs->rules[hit], text, sizeof(text));
	printf("  rule %d (line %u) matches, every condition holds%s: %s\n", hit + 1,
	       rs->rules[hit].line,
	       rs->rules[hit].limit_rate ? " (while under its limit; over it, the frame goes on "
					   "to the next rule)"
					 : "",
	       text);
	if (rs->rules[hit].log_every)
		printf("  logged: one frame in %u that rule %d matches (per CPU)\n",
		       rs->rules[hit].log_every, hit + 1);
}

int xg_parse_hex_frame(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (isspace((unsigned char)*s) || *s == ':')
			continue;
		if (!isxdigit((unsigned char)*s) || n >= cap)
			return -1;
		v = isdigit((unsigned char)*s) ? *s - '0' : (tolower((unsigned char)*s) - 'a' + 10);
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	*len = n;
	return hi < 0 && n > 0 ? 0 : -1;
}

static int explain_pcap(const struct xg_ruleset *rs, const struct xg_match_set *ms,
			const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned int n = 0;
	pcap_t *p = pcap_open_offline(path, errbuf);
	int r;

	if (!p) {
		pr_warn("rules explain: %s: %s\n", path, errbuf);
		return -1;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		pr_warn("rules explain: %s: not an Ethernet capture\n", path);
		pcap_close(p);
		return -1;
	}
	while ((r = pcap_next_ex(p, &h, &data)) == 1)
		explain_frame(rs, ms, ++n, data,
			      h->caplen < XG_FRAME_MAX ? h->caplen : XG_FRAME_MAX, h->len);
	if (r == PCAP_ERROR)
		pr_warn("rules explain: %s: %s\n", path, pcap_geterr(p));
	pcap_close(p);
	return r == PCAP_ERROR ? -1 : 0;
}

int xg_rules_explain(const char *rules_file, const char *input)
{
	uint8_t *hex = malloc(XG_FRAME_MAX);
	char msg[XG_MATCH_ERR_MAX];
	struct xg_match_set ms;
	struct xg_ruleset rs;
	struct stat st;
	size_t len;
	int err;

	xg_ruleset_init(&rs);
	if (!hex || xg_rules_parse_file(rules_file, &rs)) {
		free(hex);
		return -1;
	}
	if (xg_match_set_build(&rs, &ms, msg, sizeof(msg))) {
		pr_warn("rules explain: %s: %s\n", rules_file, msg);
		xg_ruleset_free(&rs);
		free(hex);
		return -1;
	}
	if (!stat(input, &st)) {
		err = explain_pcap(&rs, &ms, input);
	} else if (!xg_parse_hex_frame(input, hex, XG_FRAME_MAX, &len)) {
		explain_frame(&rs, &ms, 1, hex, len, len);
		err = 0;
	} else {
		pr_warn("rules explain: '%s' is neither a pcap file nor a frame in hex\n", input);
		err = -1;
	}
	xg_match_set_free(&ms);
	xg_ruleset_free(&rs);
	free(hex);
	return err;
}
