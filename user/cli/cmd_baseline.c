// SPDX-License-Identifier: GPL-2.0
/* baseline: hold a bare reference program (drop, tx, redirect, pass) on an interface for
 * as long as the command runs. For benchmarks and test beds, not for production. */
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "bare.skel.h"
#include "user/cli/commands.h"
#include "user/gate/caps.h"
#include "user/gate/gate.h"
#include "user/gate/link.h"
#include "user/util/log.h"
#include "user/util/signal.h"
#include "user/cli/names.h"

enum baseline_prog { BASE_DROP, BASE_TX, BASE_REDIRECT, BASE_PASS, BASE_DROP_READ };

static const char *const prog_names[] = { "drop", "tx", "redirect", "pass", "drop-read" };

struct baseline_cfg {
	int mode;
	const char *to;
	double duration;
};

static int parse_prog(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(prog_names) / sizeof(prog_names[0]); i++)
		if (!strcmp(s, prog_names[i]))
			return (int)i;
	pr_warn("baseline: unknown program '%s' (expected drop|drop-read|tx|redirect|pass)\n", s);
	return -1;
}

static int check_baseline(const void *cfgp, int argc, char **argv)
{
	const struct baseline_cfg *cfg = cfgp;
	int which = argc > 0 ? parse_prog(argv[0]) : -1;

	if (which == BASE_REDIRECT && !cfg->to) {
		pr_warn("baseline: redirect needs --to IFACE\n");
		return -1;
	}
	return which < 0 ? -1 : 0;
}

static struct bpf_program *pick(struct bare_bpf *skel, int which)
{
	switch (which) {
	case BASE_DROP:
		return skel->progs.bare_drop;
	case BASE_TX:
		return skel->progs.bare_tx;
	case BASE_REDIRECT:
		return skel->progs.bare_redirect;
	case BASE_DROP_READ:
		return skel->progs.bare_drop_read;
	default:
		return skel->progs.bare_pass;
	}
}

static int hold(const struct baseline_cfg *cfg, int link_fd)
{
	double waited = 0;

	xg_stop_on_signals();
	printf("attached; Ctrl-C to detach\n");
	fflush(stdout);
	while (!xg_stop_requested() && (cfg->duration <= 0 || waited < cfg->duration)) {
		usleep(100 * 1000);
		waited += 0.1;
	}
	close(link_fd);
	return 0;
}

static int do_baseline(void *cfgp, int argc, char **argv)
{
	struct baseline_cfg *cfg = cfgp;
	struct bare_bpf *skel = NULL;
	struct xg_gate g, to;
	int which, link_fd, err = 1;

	(void)argc;
	which = parse_prog(argv[0]); /* check_baseline knows it is there */
	if (xg_require_caps("baseline", XG_CAPS_RUN) || xg_gate_init(&g, "baseline", argv[1]))
		return 1;
	if (which == BASE_REDIRECT && xg_gate_init(&to, "baseline", cfg->to))
		return 1;
	skel = bare_bpf__open();
	if (!skel)
		return 1;
	if (which == BASE_REDIRECT)
		skel->rodata->redirect_ifindex = (__u32)to.ifindex;
	if (bare_bpf__load(skel)) {
		pr_warn("baseline: cannot load the bare programs\n");
		goto out;
	}
	link_fd = xg_link_attach(bpf_program__fd(pick(skel, which)), g.ifindex, g.ifname, cfg->mode,
				 "baseline");
	if (link_fd >= 0)
		err = hold(cfg, link_fd);
out:
	bare_bpf__destroy(skel);
	return err;
}

static void baseline_defaults(void *cfgp)
{
	((struct baseline_cfg *)cfgp)->mode = XDP_MODE_NATIVE;
}

static const struct xg_opt baseline_opts[] = {
	{ .name = "mode",
	  .short_name = 'm',
	  .type = XG_OPT_ENUM,
	  .offset = offsetof(struct baseline_cfg, mode),
	  .help = "attach mode (default native)",
	  .enum_vals = xg_attach_modes },
	{ .name = "to",
	  .type = XG_OPT_IFACE,
	  .offset = offsetof(struct baseline_cfg, to),
	  .metavar = "IFACE",
	  .help = "redirect target" },
	XG_OPT_DURATION(struct baseline_cfg, duration,
			"detach after S seconds (default: at Ctrl-C)"),
	XG_OPT_END,
};

const struct xg_cmd xg_cmd_baseline = {
	.name = "baseline",
	.args = "drop|drop-read|tx|redirect|pass IFACE",
	.min_args = 2,
	.max_args = 2,
	.summary = "Hold a bare reference XDP program on IFACE while running (benchmarks).\n"
		   "drop: the ceiling; drop-read: drop after reading the EtherType; tx: swap\n"
		   "MACs and bounce; redirect: to --to IFACE;\n"
		   "pass: gives a veth end NAPI. Attached through a bpf_link: gone on exit.",
	.opts = baseline_opts,
	.cfg_size = sizeof(struct baseline_cfg),
	.defaults = baseline_defaults,
	.check = check_baseline,
	.run = do_baseline,
};
