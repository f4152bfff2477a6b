// SPDX-License-Identifier: GPL-2.0
/* run's option table, which is also what an [interface NAME] section of the config file may
 * say, its link to the service layer's settings and their one check, and its interface list. */
#include <stdio.h>
#include <string.h>

#include <xdp/libxdp.h>

#include "user/cli/commands.h"
#include "user/cli/names.h"
#include "user/cli/run_cfg.h"
#include "user/rules/ct.h"
#include "user/util/log.h"

static const struct xg_opt_enum steer_modes[] = {
	{ "flow", 0 },
	{ "symmetric", 1 },
	{ NULL, 0 },
};

static const struct xg_opt_enum wait_modes[] = {
	{ "poll", XG_WAIT_POLL },
	{ "busy-poll", XG_WAIT_BUSY_POLL },
	{ "spin", XG_WAIT_SPIN },
	{ NULL, 0 },
};

_Static_assert(XG_OPT_QUEUES_MAX <= XG_POOL_MAX_QUEUES, "--queues lists more than the pool serves");

void xg_run_defaults(void *cfgp)
{
	struct run_cfg *cfg = cfgp;

	xg_run_spec_defaults(&cfg->spec);
	cfg->interval = 1.0;
}

void xg_run_cfg_spec(const struct run_cfg *cfg, const char *ifname, struct xg_run_spec *s)
{
	*s = cfg->spec;
	s->ifname = ifname;
	s->nqueues = cfg->queues.n;
	memcpy(s->queues, cfg->queues.q, cfg->queues.n * sizeof(cfg->queues.q[0]));
}

#define O(f) offsetof(struct run_cfg, f)
const struct xg_opt xg_run_opts[] = {
	{ .name = "rules",
	  .short_name = 'r',
	  .type = XG_OPT_STRING,
	  .offset = O(spec.rules),
	  .metavar = "FILE",
	  .help = "rule set (rules with action xsk reach the pool; default: all IP traffic)" },
	{ .name = "config",
	  .short_name = 'C',
	  .type = XG_OPT_STRING,
	  .offset = O(config),
	  .metavar = "FILE",
	  .help = "settings from FILE's [interface IFACE] section (see `config check`)" },
	{ .name = "metrics",
	  .type = XG_OPT_STRING,
	  .offset = O(metrics),
	  .metavar = "ADDR:PORT",
	  .help = "serve Prometheus metrics on http://ADDR:PORT/metrics (like 127.0.0.1:9464)" },
	{ .name = "ipfix",
	  .type = XG_OPT_STRING,
	  .offset = O(ipfix),
	  .metavar = "HOST:PORT",
	  .help = "export every interface's flows (rule files with 'flows') as IPFIX to "
		  "HOST:PORT, as 'xdpgate export' does with its default timeouts" },
	{ .name = "queues",
	  .short_name = 'q',
	  .type = XG_OPT_QUEUES,
	  .offset = O(queues),
	  .metavar = "all|LIST",
	  .help = "queues to serve, like 0,2-3 (default all)",
	  .max = 255 /* the gate's xskmap has 256 entries */ },
	{ .name = "handler",
	  .short_name = 'H',
	  .type = XG_OPT_STRING,
	  .offset = O(spec.handler),
	  .metavar = "NAME",
	  .help = "count | count:verify | reflect | pcap:FILE[,rotate=MB] | forward:OUT[,copy] | "
		  "forward:map,IN=OUT,...[,copy] | switch (default count)" },
	{ .name = "workers-per-queue",
	  .type = XG_OPT_UINT,
	  .offset = O(spec.per_queue),
	  .metavar = "N",
	  .help = "sockets and workers on each queue, sharing its UMEM (default 1)",
	  .min = 1,
	  .max = 16 },
	{ .name = "steer",
	  .type = XG_OPT_ENUM,
	  .offset = O(spec.steer),
	  .help = "how the gate spreads a queue's flows over its workers: by 5-tuple hash, or "
		  "symmetric (both directions alike) (default flow)",
	  .enum_vals = steer_modes },
	{ .name = "zerocopy",
	  .short_name = 'z',
	  .type = XG_OPT_FLAG,
	  .offset = O(spec.zerocopy),
	  .help = "zero-copy or fail" },
	{ .name = "copy",
	  .short_name = 'c',
	  .type = XG_OPT_FLAG,
	  .offset = O(spec.copy),
	  .help = "copy mode (default: zero-copy, else copy)" },
	{ .name = "wait",
	  .short_name = 'w',
	  .type = XG_OPT_ENUM,
	  .offset = O(spec.wait),
	  .help = "how idle workers wait (default poll)",
	  .enum_vals = wait_modes },
	{ .name = "batch",
	  .short_name = 'b',
	  .type = XG_OPT_UINT,
	  .offset = O(spec.batch),
	  .metavar = "N",
	  .help = "frames per batch (default 64, max 256)",
	  .min = 1,
	  .max = 256 },
	{ .name = "frame-size",
	  .type = XG_OPT_UINT,
	  .offset = O(spec.frame_size),
	  .metavar = "2048|4096",
	  .help = "UMEM frame size",
	  .min = 2048,
	  .max = 4096 },
	{ .name = "ring-size",
	  .type = XG_OPT_UINT,
	  .offset = O(spec.ring_size),
	  .metavar = "N",
	  .help = "ring descriptors (default 2048)",
	  .min = 64,
	  .max = 16384 },
	{ .name = "mode",
	  .short_name = 'm',
	  .type = XG_OPT_ENUM,
	  .offset = O(spec.mode),
	  .help = "attach mode of our own gate (default native)",
	  .enum_vals = xg_attach_modes },
	XG_OPT_CT_MAX(struct run_cfg, spec.ct_max),
	XG_OPT_DURATION(struct run_cfg, duration, "stop after S seconds"),
	XG_OPT_INTERVAL(struct run_cfg, interval),
	XG_OPT_JSON(struct run_cfg, json, "reports as JSON lines"),
	XG_OPT_END,
};
#undef O

/* IFACE[,IFACE...] (run's argument) into names (split in list): each named once, none
 * empty. */
int xg_run_split_names(const char *arg, char *list, size_t len, const char **names, unsigned int *n)
{
	char *tok, *save = NULL;
	unsigned int i;

	*n = 0;
	if (snprintf(list, len, "%s", arg) >= (int)len || !*arg || *arg == ',' ||
	    arg[strlen(arg) - 1] == ',' || strstr(arg, ",,")) {
		pr_warn("run: '%s' is not a list of interfaces (IFACE[,IFACE...])\n", arg);
		return -1;
	}
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < *n; i++)
			if (!strcmp(names[i], tok)) {
				pr_warn("run: %s is named twice\n", tok);
				return -1;
			}
		if (*n == XG_RUN_MAX_IFACES) {
			pr_warn("run: more than %u interfaces\n", XG_RUN_MAX_IFACES);
			return -1;
		}
		names[(*n)++] = tok;
	}
	return 0;
}

/* What an [interface NAME] section may set: run's options by their long names. */
static const char *const conf_keys[] = {
	"rules",      "queues",	   "handler", "zerocopy",	   "copy",  "wait",   "batch",
	"frame-size", "ring-size", "mode",    "workers-per-queue", "steer", "ct-max", NULL,
};

/* The service's one check, for a key of the file: the keys before it passed, so what it
 * finds wrong is this key, or this key with one set before. */
static int conf_check(const void *cfgp, const char *key, char *why, size_t len)
{
	struct xg_run_spec s;
	const char *culprit;

	(void)key;
	xg_run_cfg_spec(cfgp, "", &s);
	return xg_run_spec_check(&s, &culprit, why, len);
}

const struct xg_conf_schema xg_run_conf_schema = {
	.check = conf_check,
	.opts = xg_run_opts,
	.keys = conf_keys,
	.cfg_size = sizeof(struct run_cfg),
	.defaults = xg_run_defaults,
};

int xg_run_conf_specs(const char *path, struct xg_conf *conf, const char **names, unsigned int *n,
		      struct xg_run_spec *specs)
{
	const struct xg_conf_iface *ifc;
	unsigned int i;

	if (xg_conf_load(path, &xg_run_conf_schema, conf)) {
		pr_warn("%s\n", conf->err);
		return -1;
	}
	for (i = 0; !*n && i < conf->nifaces; i++)
		names[i] = conf->ifaces[i].name;
	if (!*n)
		*n = conf->nifaces;
	if (!*n) {
		pr_warn("run: %s: no [interface] section\n", path);
		return -1;
	}
	for (i = 0; i < *n; i++) {
		ifc = xg_conf_pick(conf, "run", names[i]);
		if (!ifc)
			return -1;
		xg_run_cfg_spec(ifc->cfg, names[i], &specs[i]);
	}
	return 0;
}
