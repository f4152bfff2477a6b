// SPDX-License-Identifier: GPL-2.0
/* attach and detach: the persistent gate's lifecycle. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include <xdp/libxdp.h>

#include "common/xdpgate_consts.h"
#include "user/cli/commands.h"
#include "user/cli/config.h"
#include "user/gate/caps.h"
#include "user/gate/gate.h"
#include "user/util/log.h"
#include "user/rules/ct.h"
#include "user/rules/load.h"
#include "user/rules/rules.h"
#include "user/cli/names.h"
#include "user/gate/pin.h"

struct attach_cfg {
	int mode;
	int default_verdict; /* -1: not given */
	const char *rules, *config;
	unsigned int ct_max; /* 0: not given */
};

static int check_attach(const void *cfgp, int argc, char **argv)
{
	const struct attach_cfg *cfg = cfgp;

	(void)argv;
	if (cfg->config && (cfg->rules || cfg->default_verdict >= 0)) {
		pr_warn("attach: --config takes the rules from the file: drop --rules and "
			"--default\n");
		return -1;
	}
	if (!cfg->config && argc != 1) {
		pr_warn("attach: name an interface, or give --config FILE\n");
		return -1;
	}
	if (cfg->rules && cfg->default_verdict >= 0) {
		pr_warn("attach: --default and --rules exclude each other (put a 'default' line "
			"in the rules file)\n");
		return -1;
	}
	return 0;
}

/* The rule set to attach with: the file's, or an empty one with --default. */
static int attach_ruleset(const struct attach_cfg *cfg, struct xg_ruleset *rs)
{
	xg_ruleset_init(rs);
	if (cfg->rules && xg_rules_parse_file(cfg->rules, rs))
		return -EINVAL; /* the parser names the line; its -1 carries no errno */
	if (cfg->rules)
		return 0;
	if (cfg->default_verdict >= 0)
		rs->default_verdict = (uint32_t)cfg->default_verdict;
	return 0;
}

/* With --config: the mode, the rules and ct-max of IFACE's section (or the only one's),
 * the [log] settings; everything else in the file is run's. The file is read whole and checked as
 * `config check` does, so a bad key anywhere refuses the attach. */
static int attach_conf(struct attach_cfg *cfg, int argc, char **argv, struct xg_conf *conf,
		       const char **ifname)
{
	const struct xg_conf_iface *ifc;

	if (xg_conf_load(cfg->config, &xg_run_conf_schema, conf)) {
		pr_warn("%s\n", conf->err);
		return -1;
	}
	ifc = xg_conf_pick(conf, "attach", argc ? argv[0] : NULL);
	if (!ifc)
		return -1;
	xg_conf_enum(conf, ifc, "mode", &cfg->mode);
	cfg->rules = xg_conf_string(conf, ifc, "rules");
	if (!cfg->ct_max) /* the command line's wins */
		cfg->ct_max = xg_conf_uint(conf, ifc, "ct-max");
	*ifname = ifc->name;
	xg_conf_apply_log(conf);
	return 0;
}

/* The prepared gate onto g, with the kernel's conntrack on first for a set with `ct`
 * (before the first frame is classified: docs/conntrack.md); gp is released. The tracking
 * table is touched only when the interface has no gate of ours: one that has keeps its
 * table while xg_gate_attach refuses, saying who holds it. */
static int attach_gate(const struct attach_cfg *cfg, struct xg_gate *g, const struct xg_ruleset *rs,
		       struct xg_gate_prep *gp)
{
	struct xg_gate_info info = { 0 };
	bool ct = xg_ruleset_uses_ct(rs);
	int err = 0;

	if (!xg_gate_query(g, &info) && info.attached) {
		err = xg_gate_attach(g, cfg->mode, gp->skel); /* it refuses, naming the holder */
		xg_gate_release(gp);
		return err;
	}
	if (cfg->ct_max && !ct) {
		pr_warn("attach: --ct-max: the rules use no 'ct', so the gate tracks no "
			"connections\n");
		err = -EINVAL;
	}
	if (!err && ct && cfg->ct_max)
		err = xg_ct_set_max("attach", cfg->ct_max);
	if (!err && ct)
		err = xg_ct_tracking_on(g->ifindex);
	if (!err)
		err = xg_gate_attach(g, cfg->mode, gp->skel);
	if (err && ct)
		xg_ct_tracking_off(g->ifindex);
	if (!err && !ct) /* one a killed `run` left, as its pins */
		xg_ct_tracking_off(g->ifindex);
	xg_gate_release(gp);
	return err;
}

static int do_attach(void *cfgp, int argc, char **argv)
{
	struct attach_cfg *cfg = cfgp;
	struct xg_conf conf = { 0 };
	const char *ifname = argc ? argv[0] : NULL;
	struct xg_gate_info info;
	struct xg_gate_prep gp;
	struct xg_ruleset rs;
	struct xg_gate g;
	int err;

	xg_ruleset_init(&rs);
	err = xg_require_caps("attach", XG_CAPS_CHANGE);
	if (!err && cfg->config)
		err = attach_conf(cfg, argc, argv, &conf, &ifname);
	if (!err)
		err = xg_gate_init(&g, "attach", ifname);
	if (!err)
		err = attach_ruleset(cfg, &rs);
	if (!err)
		err = xg_bpffs_ensure();
	if (!err)
		err = xg_rules_gate_prepare(&gp, &rs, false);
	if (!err)
		err = attach_gate(cfg, &g, &rs, &gp);
	if (err) {
		xg_ruleset_free(&rs);
		xg_conf_free(&conf);
		return 1;
	}
	xg_gate_query(&g, &info);
	printf("%s: xdpgate attached in %s mode, program id %u%s, %zu rule%s, default %s\n",
	       g.ifname, xg_mode_name(info.mode), info.prog_id,
	       info.dispatcher_id ? " (via libxdp dispatcher)" : "", rs.n, rs.n == 1 ? "" : "s",
	       xg_verdict_name(rs.default_verdict));
	xg_ruleset_free(&rs);
	xg_conf_free(&conf);
	return 0;
}

static const struct xg_opt attach_opts[] = {
	{ .name = "mode",
	  .short_name = 'm',
	  .type = XG_OPT_ENUM,
	  .offset = offsetof(struct attach_cfg, mode),
	  .help = "attach mode (default native)",
	  .enum_vals = xg_attach_modes },
	{ .name = "default",
	  .short_name = 'd',
	  .type = XG_OPT_ENUM,
	  .offset = offsetof(struct attach_cfg, default_verdict),
	  .help = "verdict for frames no rule matches (default pass)",
	  .enum_vals = xg_default_verdicts },
	{ .name = "rules",
	  .short_name = 'r',
	  .type = XG_OPT_STRING,
	  .offset = offsetof(struct attach_cfg, rules),
	  .metavar = "FILE",
	  .help = "attach with the rule set in FILE" },
	{ .name = "config",
	  .short_name = 'C',
	  .type = XG_OPT_STRING,
	  .offset = offsetof(struct attach_cfg, config),
	  .metavar = "FILE",
	  .help = "mode, rules and ct-max from FILE's [interface IFACE] section (as `run "
		  "--config`)" },
	XG_OPT_CT_MAX(struct attach_cfg, ct_max),
	XG_OPT_END,
};

static void attach_defaults(void *cfgp)
{
	struct attach_cfg *cfg = cfgp;

	cfg->mode = XDP_MODE_NATIVE;
	cfg->default_verdict = -1;
}

const struct xg_cmd xg_cmd_attach = {
	.name = "attach",
	.args = "[IFACE]",
	.min_args = 0,
	.max_args = 1,
	.summary = "Attach the gate to IFACE (persistent, through libxdp).\n"
		   "It stays after the command exits; its maps are pinned under " XG_PIN_ROOT
		   "/.\nWith --config, IFACE's section of the file (IFACE may be left out when\n"
		   "the file has one interface).",
	.opts = attach_opts,
	.cfg_size = sizeof(struct attach_cfg),
	.defaults = attach_defaults,
	.check = check_attach,
	.run = do_attach,
};

static int do_detach(void *cfg, int argc, char **argv)
{
	struct xg_gate g;

	(void)cfg;
	(void)argc;
	if (xg_require_caps("detach", XG_CAPS_CHANGE) || xg_gate_init(&g, "detach", argv[0]) ||
	    xg_bpffs_ensure() || xg_gate_detach(&g))
		return 1;
	xg_ct_tracking_off(g.ifindex); /* the gate's conntrack table, if it had `ct` */
	printf("%s: xdpgate detached\n", g.ifname);
	return 0;
}

static const struct xg_opt no_opts[] = {
	XG_OPT_END,
};

const struct xg_cmd xg_cmd_detach = {
	.name = "detach",
	.args = "IFACE",
	.min_args = 1,
	.max_args = 1,
	.summary = "Detach the gate from IFACE and remove its pinned maps.",
	.opts = no_opts,
	.run = do_detach,
};
