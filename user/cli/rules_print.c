// SPDX-License-Identifier: GPL-2.0
#include "user/cli/json.h"
#include "user/cli/names.h"
#include "user/cli/rules_print.h"

int xg_rules_print(const struct xg_gate_maps *m, bool json, FILE *f)
{
	char text[XG_RULE_TEXT_MAX];
	struct xg_counter_val v;
	struct xg_ruleset rs;
	size_t i;
	int err;

	err = xg_rules_read(m, &rs);
	if (err)
		return err;
	if (json)
		fprintf(f, "\"rules\":[");
	else
		fprintf(f, "%5s %14s %16s  %s\n", "rule", "packets", "bytes", "text");
	for (i = 0; i < rs.n; i++) {
		xg_rule_format(&rs.rules[i], text, sizeof(text));
		xg_rule_counter(m, (unsigned int)i, &v);
		if (json) {
			fprintf(f, "%s{\"n\":%zu,\"text\":", i ? "," : "", i + 1);
			xg_json_str(f, text);
			fprintf(f, ",\"packets\":%llu,\"bytes\":%llu}",
				(unsigned long long)v.packets, (unsigned long long)v.bytes);
		} else {
			fprintf(f, "%5zu %14llu %16llu  %s\n", i + 1, (unsigned long long)v.packets,
				(unsigned long long)v.bytes, text);
		}
	}
	if (json)
		fprintf(f, "],\"default\":\"%s\"", xg_verdict_name(rs.default_verdict));
	else
		fprintf(f, "%5s %14s %16s  default %s\n", "-", "", "",
			xg_verdict_name(rs.default_verdict));
	xg_ruleset_free(&rs);
	return 0;
}
