// SPDX-License-Identifier: GPL-2.0
/* flows: the heaviest flows, sources, destinations or rules of a gate with `flows` in its
 * rule set, with their rates over one interval. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "user/cli/commands.h"
#include "user/flows/format.h"
#include "user/flows/open.h"
#include "user/gate/caps.h"
#include "user/flows/table.h"
#include "user/gate/gate.h"
#include "user/util/jsonstr.h"
#include "user/util/log.h"

struct flows_cfg {
	unsigned int top;
	int by; /* enum xg_flow_by */
	double interval;
	bool json;
};

static const struct xg_opt_enum by_vals[] = {
	{ "flow", XG_BY_FLOW }, { "src", XG_BY_SRC }, { "dst", XG_BY_DST },
	{ "rule", XG_BY_RULE }, { NULL, 0 },
};

static void print_human(const struct flows_cfg *cfg, const char *ifname, uint32_t rate,
			const struct xg_flow_snap *s, const struct xg_flow_group *g, size_t n)
{
	char text[160];
	size_t i;

	printf("%s: %s, %zu flows in the table, %llu evicted, %llu lost inserts\n", ifname,
	       rate > 1 ? "sampled" : "exact", s->n, (unsigned long long)xg_flow_snap_evicted(s),
	       (unsigned long long)s->counters[XG_FLOW_INSERT_FAIL]);
	if (rate > 1)
		printf("sampled 1 in %u: packets and bytes are estimates (count x %u)\n", rate,
		       rate);
	printf("%12s %10s %14s %12s %7s  %s\n", "pkt/s", "Mbit/s", "packets", "bytes", "flows",
	       by_vals[cfg->by].name);
	for (i = 0; i < n && i < cfg->top; i++) {
		xg_flow_group_text(&g[i].k, (enum xg_flow_by)cfg->by, text, sizeof(text));
		printf("%12.0f %10.2f %14llu %12llu %7u  %s\n", g[i].pps, g[i].bps / 1e6,
		       (unsigned long long)g[i].packets, (unsigned long long)g[i].bytes,
		       g[i].nflows, text);
	}
}

static void print_json(const struct flows_cfg *cfg, const char *ifname, uint32_t rate,
		       const struct xg_flow_snap *s, const struct xg_flow_group *g, size_t n)
{
	char a[64], r[16];
	size_t i;

	printf("{\"iface\":");
	xg_json_str(stdout, ifname);
	printf(",\"by\":\"%s\",\"rate\":%u,\"flows\":%zu,\"evicted\":%llu,\"lost_inserts\":%llu,"
	       "\"top\":[",
	       by_vals[cfg->by].name, rate, s->n, (unsigned long long)xg_flow_snap_evicted(s),
	       (unsigned long long)s->counters[XG_FLOW_INSERT_FAIL]);
	for (i = 0; i < n && i < cfg->top; i++) {
		const struct xg_flow_key *k = &g[i].k;

		printf("%s{\"packets\":%llu,\"bytes\":%llu,\"pps\":%.1f,\"bps\":%.1f,\"flows\":%u,"
		       "\"sampling\":%u",
		       i ? "," : "", (unsigned long long)g[i].packets,
		       (unsigned long long)g[i].bytes, g[i].pps, g[i].bps, g[i].nflows, g[i].rate);
		if (cfg->by == XG_BY_SRC || cfg->by == XG_BY_FLOW) {
			xg_flow_addr_text(k, 0, a, sizeof(a));
			printf(",\"src\":\"%s\"", a);
		}
		if (cfg->by == XG_BY_DST || cfg->by == XG_BY_FLOW) {
			xg_flow_addr_text(k, 1, a, sizeof(a));
			printf(",\"dst\":\"%s\"", a);
		}
		if (cfg->by == XG_BY_FLOW)
			printf(",\"proto\":%u,\"sport\":%u,\"dport\":%u,\"vlan\":%u", k->proto,
			       k->sport, k->dport, k->vlan);
		if (cfg->by == XG_BY_RULE || cfg->by == XG_BY_FLOW) {
			xg_flow_rule_text(k, r, sizeof(r));
			printf(",\"rule\":\"%s\"", r);
		}
		printf("}");
	}
	printf("]}\n");
}

/* Two reads cfg->interval apart: the rates are what happened between them. */
static int read_twice(const struct flows_cfg *cfg, const struct xg_flow_fds *f,
		      struct xg_flow_snap *a, struct xg_flow_snap *b)
{
	struct timespec ts = { (time_t)cfg->interval,
			       (long)((cfg->interval - (double)(time_t)cfg->interval) * 1e9) };
	int err = xg_flow_snap_read(f->flows, f->stats, a);

	if (!err)
		nanosleep(&ts, NULL);
	return err ? err : xg_flow_snap_read(f->flows, f->stats, b);
}

static int do_flows(void *cfgp, int argc, char **argv)
{
	struct flows_cfg *cfg = cfgp;
	struct xg_flow_snap a = { 0 }, b = { 0 };
	struct xg_flow_group *g = NULL;
	struct xg_flow_fds f;
	struct xg_gate gate;
	uint32_t rate = 0;
	long n = 0;
	int err;

	(void)argc;
	if (xg_require_caps("flows", XG_CAPS_READ))
		return 1;
	err = xg_gate_init(&gate, "flows", argv[0]);
	if (err)
		return 1;
	err = xg_flow_fds_open(&gate, "flows", &f);
	if (err)
		return 1;
	err = xg_flow_fds_rate(&f, &rate);
	if (!err && !rate) {
		pr_warn("flows: %s: flow accounting is off (add 'flows exact' or 'flows sample N' "
			"to the rule file)\n",
			gate.ifname);
		xg_flow_fds_close(&f);
		return 1;
	}
	if (!err)
		err = read_twice(cfg, &f, &a, &b);
	if (!err) {
		n = xg_flow_group(&a, &b, (enum xg_flow_by)cfg->by, &g);
		err = n < 0 ? (int)n : 0;
	}
	if (!err && cfg->json)
		print_json(cfg, gate.ifname, rate, &b, g, (size_t)n);
	else if (!err)
		print_human(cfg, gate.ifname, rate, &b, g, (size_t)n);
	else
		pr_warn("flows: %s: reading the flow table failed: %s\n", gate.ifname,
			strerror(-err));
	free(g);
	xg_flow_snap_free(&a);
	xg_flow_snap_free(&b);
	xg_flow_fds_close(&f);
	return err ? 1 : 0;
}

static void flows_defaults(void *cfgp)
{
	struct flows_cfg *cfg = cfgp;

	cfg->top = 10;
	cfg->by = XG_BY_SRC;
	cfg->interval = 1.0;
}

static const struct xg_opt flows_opts[] = {
	{ .name = "top",
	  .short_name = 'n',
	  .type = XG_OPT_UINT,
	  .offset = offsetof(struct flows_cfg, top),
	  .metavar = "N",
	  .help = "show the N heaviest (default 10)",
	  .min = 1,
	  .max = 1000000 },
	{ .name = "by",
	  .short_name = 'b',
	  .type = XG_OPT_ENUM,
	  .offset = offsetof(struct flows_cfg, by),
	  .help = "group by source (default), destination, whole flow or rule",
	  .enum_vals = by_vals },
	{ .name = "interval",
	  .short_name = 'i',
	  .type = XG_OPT_DOUBLE,
	  .offset = offsetof(struct flows_cfg, interval),
	  .metavar = "S",
	  .help = "seconds between the two reads the rates come from (default 1)" },
	XG_OPT_JSON(struct flows_cfg, json, "one JSON object"),
	XG_OPT_END,
};

static int flows_check(const void *cfgp, int argc, char **argv)
{
	const struct flows_cfg *cfg = cfgp;

	(void)argc;
	(void)argv;
	if (cfg->interval > 3600) {
		pr_warn("flows: --interval %.0f: at most 3600 seconds\n", cfg->interval);
		return -1;
	}
	return 0;
}

const struct xg_cmd xg_cmd_flows = {
	.name = "flows",
	.args = "IFACE",
	.min_args = 1,
	.max_args = 1,
	.summary = "Show the heaviest sources, destinations, flows or rules of the gate on IFACE\n"
		   "(its rule file needs 'flows exact' or 'flows sample N'), with their rates\n"
		   "over one interval. Sampled counts are shown scaled by the sampling rate.",
	.opts = flows_opts,
	.cfg_size = sizeof(struct flows_cfg),
	.defaults = flows_defaults,
	.check = flows_check,
	.run = do_flows,
};
