// SPDX-License-Identifier: GPL-2.0
#include "user/cli/json.h"
#include "user/cli/names.h"

void xg_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void xg_json_counters(FILE *f, const struct xg_snapshot *s)
{
	int i;

	for (i = 0; i < XG_CNT_MAX; i++) {
		fprintf(f, "%s", i ? "," : "");
		xg_json_str(f, xg_counter_name(i));
		fprintf(f, ":{\"packets\":%llu,\"bytes\":%llu}",
			(unsigned long long)s->c[i].packets, (unsigned long long)s->c[i].bytes);
	}
}
