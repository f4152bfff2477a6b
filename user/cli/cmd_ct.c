// SPDX-License-Identifier: GPL-2.0
/* ct: the kernel's connection tracking table that the gate's `ct` rules read (it is the
 * namespace's, so IFACE names the namespace and the gate): `ct list` as `conntrack -L`
 * prints it, from /proc/net/nf_conntrack; `ct count` its size, its limit, what the kernel
 * evicted or refused, and whether the gate's tracking table is in place (docs/conntrack.md). */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user/cli/commands.h"
#include "user/cli/json.h"
#include "user/gate/gate.h"
#include "user/rules/ct.h"
#include "user/util/log.h"

#define CT_PROC "/proc/net/nf_conntrack"

struct ct_cfg {
	bool json;
};

static int ct_count(const struct ct_cfg *cfg, const struct xg_gate *g)
{
	struct xg_ct_kstats k;
	char table[32];
	bool on;

	if (xg_ct_kstats_read(&k))
		return 1;
	on = xg_ct_tracking_present(g->ifindex);
	xg_ct_table_name(g->ifindex, table, sizeof(table));
	if (cfg->json) {
		printf("{\"interface\":");
		xg_json_str(stdout, g->ifname);
		printf(",\"count\":%ld,\"max\":%ld,\"early_drop\":%llu,\"drop\":%llu,"
		       "\"insert_failed\":%llu,\"invalid\":%llu,\"tracking_table\":",
		       k.count, k.max, (unsigned long long)k.early_drop, (unsigned long long)k.drop,
		       (unsigned long long)k.insert_failed, (unsigned long long)k.invalid);
		xg_json_str(stdout, on ? table : "");
		printf("}\n");
		return 0;
	}
	printf("%s: %ld connections tracked (nf_conntrack_max %ld, host-wide); tracking table "
	       "inet %s %s\n",
	       g->ifname, k.count, k.max, table, on ? "present" : "absent");
	printf("  evicted early (early_drop) %llu, refused (drop) %llu, insert_failed %llu, "
	       "invalid %llu\n",
	       (unsigned long long)k.early_drop, (unsigned long long)k.drop,
	       (unsigned long long)k.insert_failed, (unsigned long long)k.invalid);
	return 0;
}

/* The key=value words of one direction, as a JSON object. */
static void dir_json(const char *name, char *const *kv, int n)
{
	int i;

	printf(",\"%s\":{", name);
	for (i = 0; i < n; i++) {
		const char *eq = strchr(kv[i], '=');

		printf("%s\"%.*s\":", i ? "," : "", (int)(eq - kv[i]), kv[i]);
		xg_json_str(stdout, eq + 1);
	}
	printf("}");
}

/* One line of /proc/net/nf_conntrack as JSON: "FAMILY N PROTO N TIMEOUT [STATE] src=..
 * dst=.. [sport=.. dport=..] [FLAG] src=.. (the reply) ... [FLAG] mark=.. zone=.. use=..". */
static void entry_json(char *line, bool first)
{
	char *w[64], *kv[2][8], *save, *t;
	int n = 0, nkv[2] = { 0, 0 }, d = -1, i, nflags = 0;

	for (t = strtok_r(line, " \n", &save); t && n < 64; t = strtok_r(NULL, " \n", &save))
		w[n++] = t;
	if (n < 5)
		return;
	printf("%s{\"family\":", first ? "" : ",");
	xg_json_str(stdout, w[0]);
	printf(",\"proto\":");
	xg_json_str(stdout, w[2]);
	printf(",\"timeout\":%ld", strtol(w[4], NULL, 10));
	for (i = 5; i < n; i++) {
		if (!strncmp(w[i], "src=", 4) && d < 1)
			d++;
		if (strchr(w[i], '=') && d >= 0 && nkv[d] < 8 && strncmp(w[i], "mark=", 5) &&
		    strncmp(w[i], "zone=", 5) && strncmp(w[i], "use=", 4))
			kv[d][nkv[d]++] = w[i];
		else if (i == 5 && !strchr(w[i], '=') && w[i][0] != '[') {
			printf(",\"state\":");
			xg_json_str(stdout, w[i]);
		}
	}
	dir_json("orig", kv[0], nkv[0]);
	dir_json("reply", kv[1], nkv[1]);
	printf(",\"flags\":[");
	for (i = 5; i < n; i++) {
		if (w[i][0] != '[')
			continue;
		w[i][strcspn(w[i], "]")] = '\0';
		printf("%s", nflags++ ? "," : "");
		xg_json_str(stdout, w[i] + 1);
	}
	printf("]}");
}

static int ct_list(const struct ct_cfg *cfg)
{
	char line[1024];
	FILE *f = fopen(CT_PROC, "r");
	bool first = true;

	if (!f) {
		pr_warn("ct: cannot open %s (the kernel needs CONFIG_NF_CONNTRACK_PROCFS; "
			"`conntrack -L` reads the same table)\n",
			CT_PROC);
		return 1;
	}
	if (cfg->json)
		printf("{\"entries\":[");
	while (fgets(line, sizeof(line), f)) {
		if (cfg->json) {
			entry_json(line, first);
		} else {
			/* "ipv4 2 tcp 6 ...": from the protocol on, as conntrack -L */
			char *p = line + strspn(line, "ipv46 ");

			p += strspn(p, "0123456789 ");
			fputs(p, stdout);
		}
		first = false;
	}
	if (cfg->json)
		printf("]}\n");
	fclose(f);
	return 0;
}

static int do_ct(void *cfgp, int argc, char **argv)
{
	const struct ct_cfg *cfg = cfgp;
	struct xg_gate g;

	(void)argc;
	if (strcmp(argv[0], "list") && strcmp(argv[0], "count")) {
		pr_warn("ct: unknown subcommand '%s' (list or count)\n", argv[0]);
		return 2;
	}
	if (xg_gate_init(&g, "ct", argv[1]))
		return 1;
	return !strcmp(argv[0], "list") ? ct_list(cfg) : ct_count(cfg, &g);
}

static const struct xg_opt ct_opts[] = {
	XG_OPT_JSON(struct ct_cfg, json, "JSON output"),
	XG_OPT_END,
};

const struct xg_cmd xg_cmd_ct = {
	.name = "ct",
	.args = "list|count IFACE",
	.min_args = 2,
	.max_args = 2,
	.summary = "Show the connection tracking table that 'ct' rules read (IFACE's\n"
		   "namespace's): list its entries as conntrack -L does, or count them.",
	.opts = ct_opts,
	.cfg_size = sizeof(struct ct_cfg),
	.run = do_ct,
};
