// SPDX-License-Identifier: GPL-2.0
/* export: IPFIX from a gate's flow table to a collector, in the foreground, until SIGINT
 * or SIGTERM, which flush every flow's unsent counts first. The exporter is
 * user/export/exporter.c; this parses, loops and prints. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "user/cli/commands.h"
#include "user/export/session.h"
#include "user/flows/open.h"
#include "user/gate/caps.h"
#include "user/gate/gate.h"
#include "user/util/log.h"
#include "user/util/signal.h"

struct export_cfg {
	const char *ipfix;
	double active, idle, tmpl;
};

static uint64_t secs_ns(double s)
{
	return (uint64_t)(s * 1e9);
}

/* Sleep up to ns in steps short enough to see a stop request at once. */
static void nap(uint64_t ns)
{
	while (ns && !xg_stop_requested()) {
		uint64_t step = ns < 100000000ULL ? ns : 100000000ULL;
		struct timespec ts = { 0, (long)step };

		nanosleep(&ts, NULL);
		ns -= step;
	}
}

static int export_loop(struct xg_exporter *x, const struct xg_gate *g, uint64_t poll_ns)
{
	int err = 0;

	while (!err && !xg_stop_requested()) {
		err = xg_exporter_poll(x, false);
		if (!err)
			nap(poll_ns);
		if (xg_gate_iface_gone(g)) {
			pr_warn("export: %s: the interface is gone\n", g->ifname);
			return -ENODEV;
		}
	}
	return err;
}

static int do_export(void *cfgp, int argc, char **argv)
{
	struct export_cfg *cfg = cfgp;
	struct xg_export_cfg ec = { .active_ns = secs_ns(cfg->active),
				    .idle_ns = secs_ns(cfg->idle),
				    .template_ns = secs_ns(cfg->tmpl) };
	uint64_t poll_ns = ec.idle_ns / 2 < 1000000000ULL ? ec.idle_ns / 2 : 1000000000ULL;
	struct xg_export_session s;
	struct xg_gate g;
	uint32_t rate = 0;
	char why[256];
	int err;

	(void)argc;
	if (xg_export_addr_parse(cfg->ipfix, &ec, why, sizeof(why))) {
		pr_warn("export: --ipfix '%.64s': %s\n", cfg->ipfix, why);
		return 2;
	}
	if (xg_require_caps("export", XG_CAPS_READ) || xg_gate_init(&g, "export", argv[0]) ||
	    xg_export_session_start(&s, &g, "export", &ec))
		return 1;
	if (!xg_flow_fds_rate(&s.fds, &rate) && !rate)
		pr_warn("export: %s: flow accounting is off for now (no 'flows' in the rule set); "
			"exporting whatever a later rule set counts\n",
			g.ifname);
	xg_stop_on_signals();
	pr_info("export: %s: IPFIX to %s (active %g s, idle %g s)\n", g.ifname, cfg->ipfix,
		cfg->active, cfg->idle);
	err = export_loop(&s.x, &g, poll_ns ? poll_ns : 1000000ULL);
	if (err && err != -ENODEV)
		pr_warn("export: %s: reading the flow table failed: %s\n", g.ifname,
			strerror(-err));
	xg_export_session_stop(&s, g.ifname, stdout); /* the flush: every open flow */
	return err ? 1 : 0;
}

static void export_defaults(void *cfgp)
{
	struct export_cfg *cfg = cfgp;

	cfg->active = 60;
	cfg->idle = 15;
	cfg->tmpl = 30;
}

static int export_check(const void *cfgp, int argc, char **argv)
{
	const struct export_cfg *cfg = cfgp;

	(void)argc;
	(void)argv;
	if (!cfg->ipfix) {
		pr_warn("export: --ipfix HOST:PORT is required\n");
		return -1;
	}
	if (cfg->active > 86400 || cfg->idle > 86400 || cfg->tmpl > 86400) {
		pr_warn("export: --active, --idle and --template: at most 86400 seconds\n");
		return -1;
	}
	return 0;
}

static const struct xg_opt export_opts[] = {
	{ .name = "ipfix",
	  .type = XG_OPT_STRING,
	  .offset = offsetof(struct export_cfg, ipfix),
	  .metavar = "HOST:PORT",
	  .help = "the IPFIX collector (UDP); an IPv6 address in brackets" },
	{ .name = "active",
	  .type = XG_OPT_DOUBLE,
	  .offset = offsetof(struct export_cfg, active),
	  .metavar = "S",
	  .help = "a long flow's counts are sent every S seconds (default 60)" },
	{ .name = "idle",
	  .type = XG_OPT_DOUBLE,
	  .offset = offsetof(struct export_cfg, idle),
	  .metavar = "S",
	  .help = "a flow silent for S seconds is sent and ended (default 15)" },
	{ .name = "template",
	  .type = XG_OPT_DOUBLE,
	  .offset = offsetof(struct export_cfg, tmpl),
	  .metavar = "S",
	  .help = "the templates are resent every S seconds (default 30)" },
	XG_OPT_END,
};

const struct xg_cmd xg_cmd_export = {
	.name = "export",
	.args = "IFACE",
	.min_args = 1,
	.max_args = 1,
	.summary = "Export the flows of the gate on IFACE (its rule file needs 'flows') as IPFIX\n"
		   "(RFC 7011) over UDP, in the foreground. SIGTERM sends every flow's unsent\n"
		   "counts, then exits. A collector that is down never blocks: failures are\n"
		   "counted and logged at most once per 10 seconds.",
	.opts = export_opts,
	.cfg_size = sizeof(struct export_cfg),
	.defaults = export_defaults,
	.check = export_check,
	.run = do_export,
};
