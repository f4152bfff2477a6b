// SPDX-License-Identifier: GPL-2.0
/* attach and detach: the persistent gate's lifecycle. */
#include <stddef.h>
#include <stdio.h>

#include <xdp/libxdp.h>

#include "../common/xdpgate_consts.h"
#include "commands.h"
#include "gate.h"
#include "names.h"
#include "pin.h"

struct attach_cfg {
	int mode;
	int default_verdict;
};

static int do_attach(void *cfgp, int argc, char **argv)
{
	struct attach_cfg *cfg = cfgp;
	struct xg_gate_info info;
	struct xg_gate g;
	int err;

	(void)argc;
	err = xg_require_root("attach");
	if (!err)
		err = xg_gate_init(&g, "attach", argv[0]);
	if (!err)
		err = xg_bpffs_ensure();
	if (!err)
		err = xg_gate_attach(&g, cfg->mode, (__u32)cfg->default_verdict);
	if (err)
		return 1;
	xg_gate_query(&g, &info);
	printf("%s: xdpgate attached in %s mode, program id %u%s, default %s\n", g.ifname,
	       xg_mode_name(info.mode), info.prog_id,
	       info.dispatcher_id ? " (via libxdp dispatcher)" : "",
	       xg_verdict_name((unsigned int)cfg->default_verdict));
	return 0;
}

static const struct xg_opt attach_opts[] = {
	{ "mode", 'm', XG_OPT_ENUM, offsetof(struct attach_cfg, mode), NULL,
	  "attach mode (default native)", xg_attach_modes, 0, 0 },
	{ "default", 'd', XG_OPT_ENUM, offsetof(struct attach_cfg, default_verdict), NULL,
	  "verdict for frames no rule matches (default pass)", xg_default_verdicts, 0, 0 },
	{ NULL, 0, 0, 0, NULL, NULL, NULL, 0, 0 },
};

static void attach_defaults(void *cfgp)
{
	struct attach_cfg *cfg = cfgp;

	cfg->mode = XDP_MODE_NATIVE;
	cfg->default_verdict = XG_VERDICT_PASS;
}

const struct xg_cmd xg_cmd_attach = {
	.name = "attach",
	.args = "IFACE",
	.min_args = 1,
	.max_args = 1,
	.summary = "Attach the gate to IFACE (persistent, through libxdp).\n"
		   "It stays after the command exits; its maps are pinned under " XG_PIN_ROOT "/.",
	.opts = attach_opts,
	.cfg_size = sizeof(struct attach_cfg),
	.defaults = attach_defaults,
	.run = do_attach,
};

static int do_detach(void *cfg, int argc, char **argv)
{
	struct xg_gate g;

	(void)cfg;
	(void)argc;
	if (xg_require_root("detach") || xg_gate_init(&g, "detach", argv[0]) || xg_bpffs_ensure() ||
	    xg_gate_detach(&g))
		return 1;
	printf("%s: xdpgate detached\n", g.ifname);
	return 0;
}

static const struct xg_opt no_opts[] = {
	{ NULL, 0, 0, 0, NULL, NULL, NULL, 0, 0 },
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
