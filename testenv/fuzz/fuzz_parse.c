/* SPDX-License-Identifier: GPL-2.0 */
/* libFuzzer harness for the frame parser compiled for userspace: xg_parse_frame() on the
 * input bytes, then the reference classifier against a small fixed rule set. */
#include <stdlib.h>
#include <string.h>

#include "common/parse.h"
#include "user/rules/rules.h"

static const char *const RULES[] = {
	"drop src 10.0.0.0/8 proto tcp dport 22,80-90",
	"pass dst 2001:db8::/32 proto udp sport 53",
	"drop vlan 100 ether ipv4",
	"tx proto tcp tcp-flags syn,!ack",
	"xsk proto icmp icmp-type echo-request",
	"drop proto icmpv6 icmp-type 135",
	"pass ether arp",
	"drop proto 47",
};

static struct xg_ruleset rs;

static void setup(void)
{
	char err[256];
	struct xg_rule r;
	uint32_t def;

	xg_ruleset_init(&rs);
	for (size_t i = 0; i < sizeof(RULES) / sizeof(RULES[0]); i++) {
		if (xg_rule_parse_line(RULES[i], NULL, 0, &r, &def, err, sizeof(err)) != 1 ||
		    xg_ruleset_insert(&rs, rs.n, &r) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xg_pkt pkt;
	uint8_t *buf;
	int idx;

	if (!rs.rules)
		setup();
	/* A copy of exactly size bytes, so ASan catches any read past the frame's end. */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	memset(&pkt, 0, sizeof(pkt));
	(void)xg_parse_frame(buf, buf + size, &pkt);
	if (pkt.l3_off > size || pkt.l4_off > size)
		abort();
	idx = xg_rules_classify(&rs, &pkt);
	if (idx < -1 || idx >= (int)rs.n)
		abort();
	for (size_t i = 0; i < rs.n; i++) {
		bool m = xg_rule_matches(&rs.rules[i], &pkt);

		/* The first matching rule is the one classify picked. */
		if (m && (idx < 0 || (size_t)idx > i))
			abort();
		if ((size_t)idx == i && !m)
			abort();
	}
	free(buf);
	return 0;
}
