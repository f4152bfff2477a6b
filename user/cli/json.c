// SPDX-License-Identifier: GPL-2.0
#include "user/cli/json.h"
#include "user/cli/names.h"

void xg_json_counters(FILE *f, const struct xg_snapshot *s)
{
	int i;

	for (i = 0; i < XG_CNT_MAX; i++) {
		if (!xg_counter_kept(s, (unsigned int)i))
			continue; /* off: absent, never 0 */
		fprintf(f, "%s", i ? "," : ""); /* counter 0, a verdict, is always kept */
		xg_json_str(f, xg_counter_name(i));
		fprintf(f, ":{\"packets\":%llu,\"bytes\":%llu}",
			(unsigned long long)s->c[i].packets, (unsigned long long)s->c[i].bytes);
	}
}
