// SPDX-License-Identifier: GPL-2.0
/* stats: live per-interval rates from the gate's counters, totals at the end. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "user/cli/commands.h"
#include "user/gate/counters.h"
#include "user/gate/caps.h"
#include "user/gate/gate.h"
#include "user/cli/json.h"
#include "user/util/log.h"
#include "user/util/signal.h"
#include "user/rules/load.h"
#include "user/cli/rules_print.h"
#include "user/pool/publish.h"
#include "user/cli/names.h"
#include "user/gate/pin.h"

struct stats_cfg {
	double interval;
	unsigned int count; /* 0: until SIGINT */
	bool json;
	bool reset;
};

static void human_interval(const char *ifname, const struct xg_snapshot *d)
{
	double t = d->t > 0 ? d->t : 1;
	int i;

	printf("%-10s rx %12.0f pkt/s %9.2f Mbit/s |", ifname, xg_counters_rx(d, 0) / t,
	       xg_counters_rx(d, 1) * 8 / t / 1e6);
	for (i = 0; i < XG_CNT_MAX; i++)
		if ((d->c[i].packets || i <= XG_VERDICT_DROP) && xg_counter_kept(d, (unsigned int)i))
			printf(" %s %.0f", xg_counter_name(i), d->c[i].packets / t);
	if (d->parse_off)
		printf(" | parse counters off");
	printf("\n");
	fflush(stdout);
}

static void json_interval(const char *ifname, const struct xg_snapshot *d)
{
	double t = d->t > 0 ? d->t : 1;
	int i;

	printf("{\"interface\":");
	xg_json_str(stdout, ifname);
	printf(",\"interval\":%.3f,\"rx_pps\":%.1f,\"rx_bps\":%.1f,\"parse_counters\":%s,"
	       "\"rates\":{",
	       d->t, xg_counters_rx(d, 0) / t, xg_counters_rx(d, 1) * 8 / t,
	       d->parse_off ? "false" : "true");
	for (i = 0; i < XG_CNT_MAX; i++)
		if (xg_counter_kept(d, (unsigned int)i))
			printf("%s\"%s\":{\"pps\":%.1f,\"bps\":%.1f}", i ? "," : "",
			       xg_counter_name(i), d->c[i].packets / t, d->c[i].bytes * 8 / t);
	printf("}}\n");
	fflush(stdout);
}

/* The counters a running `xdpgate run` publishes for this gate, as "pool":{...}. */
static void print_pool(const struct xg_gate *g)
{
	char path[PATH_MAX], buf[65536];
	size_t n = 0;
	FILE *f;

	if (xg_run_publish_path(g, path, sizeof(path)) || !(f = fopen(path, "re")))
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	if (n && buf[0] == '{' && buf[n - 1] == '}')
		printf(",\"pool\":%.*s", (int)n, buf);
}

static void print_totals(const struct stats_cfg *cfg, const struct xg_gate *g,
			 const struct xg_snapshot *d, const struct xg_gate_maps *m)
{
	const char *ifname = g->ifname;
	int i;

	if (cfg->json) {
		printf("{\"interface\":");
		xg_json_str(stdout, ifname);
		printf(",\"duration\":%.3f,\"totals\":{\"rx_packets\":%llu,\"rx_bytes\":%llu,",
		       d->t, (unsigned long long)xg_counters_rx(d, 0),
		       (unsigned long long)xg_counters_rx(d, 1));
		printf("\"parse_counters\":%s,\"counters\":{", d->parse_off ? "false" : "true");
		xg_json_counters(stdout, d);
		printf("}},");
		xg_rules_print(m, true, stdout); /* rule counters are since attach or reset */
		print_pool(g);
		printf("}\n");
		return;
	}
	printf("%s totals over %.1f s: rx %llu packets, %llu bytes |", ifname, d->t,
	       (unsigned long long)xg_counters_rx(d, 0), (unsigned long long)xg_counters_rx(d, 1));
	for (i = 0; i < XG_CNT_MAX; i++)
		if ((d->c[i].packets || i <= XG_VERDICT_DROP) && xg_counter_kept(d, (unsigned int)i))
			printf(" %s %llu", xg_counter_name(i), (unsigned long long)d->c[i].packets);
	if (d->parse_off)
		printf(" (parse counters off: 'counters parse' in the rules file)");
	printf("\nper rule, since attach or the last reset:\n");
	xg_rules_print(m, false, stdout);
}

static int stats_loop(const struct stats_cfg *cfg, const struct xg_gate *g,
		      const struct xg_gate_maps *m)
{
	const char *ifname = g->ifname;
	struct xg_snapshot first, prev, cur, d;
	int fd = m->stats, err;
	unsigned int n;

	err = xg_counters_read_gate(fd, m->config, &first);
	if (err)
		return err;
	prev = first;
	for (n = 0; !cfg->count || n < cfg->count; n++) {
		xg_sleep_until(first.t + cfg->interval * (n + 1));
		if (xg_stop_requested())
			break;
		err = xg_counters_read_gate(fd, m->config, &cur);
		if (err)
			return err;
		xg_counters_diff(&prev, &cur, &d);
		(cfg->json ? json_interval : human_interval)(ifname, &d);
		prev = cur;
	}
	xg_counters_diff(&first, &prev, &d);
	print_totals(cfg, g, &d, m);
	return 0;
}

static int do_stats(void *cfgp, int argc, char **argv)
{
	struct stats_cfg *cfg = cfgp;
	struct xg_gate_maps m;
	struct xg_gate g;
	int err;

	(void)argc;
	if (xg_require_caps("stats", XG_CAPS_READ) || xg_run_publish_dir(false) ||
	    xg_gate_init(&g, "stats", argv[0]) || xg_bpffs_ensure() ||
	    xg_gate_maps_open(&g, "stats", &m))
		return 1;
	if (cfg->reset) {
		err = xg_counters_reset(&m);
		if (err)
			pr_warn("stats: %s: resetting the counters failed\n", g.ifname);
		else
			printf("%s: counters reset\n", g.ifname);
		xg_gate_maps_close(&m);
		return err ? 1 : 0;
	}
	xg_stop_on_signals();
	err = stats_loop(cfg, &g, &m);
	xg_gate_maps_close(&m);
	if (err)
		pr_warn("stats: %s: reading counters failed: %s\n", g.ifname, strerror(-err));
	return err ? 1 : 0;
}

static void stats_defaults(void *cfgp)
{
	struct stats_cfg *cfg = cfgp;

	cfg->interval = 1.0;
}

static const struct xg_opt stats_opts[] = {
	XG_OPT_INTERVAL(struct stats_cfg, interval),
	XG_OPT_COUNT(struct stats_cfg, count, "stop after N reports (default: until Ctrl-C)"),
	XG_OPT_JSON(struct stats_cfg, json,
		    "one JSON object per line: each interval, then the totals"),
	{ .name = "reset",
	  .type = XG_OPT_FLAG,
	  .offset = offsetof(struct stats_cfg, reset),
	  .help = "zero the gate's and the rules' counters, then exit" },
	XG_OPT_END,
};

const struct xg_cmd xg_cmd_stats = {
	.name = "stats",
	.args = "IFACE",
	.min_args = 1,
	.max_args = 1,
	.summary = "Show live per-interval rates of the gate on IFACE.\n"
		   "Verdicts and parse outcomes each interval, then totals over the run.",
	.opts = stats_opts,
	.cfg_size = sizeof(struct stats_cfg),
	.defaults = stats_defaults,
	.run = do_stats,
};
