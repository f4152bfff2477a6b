// SPDX-License-Identifier: GPL-2.0
/* cleanup: remove what a gate left behind when it went without detaching (the interface
 * deleted under `attach`, `run` killed by SIGKILL): pinned maps no attached program uses,
 * and the counters file a killed `run` published. Only what is proven stale goes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "user/cli/commands.h"
#include "user/gate/caps.h"
#include "user/gate/gate.h"
#include "user/gate/pin.h"
#include "user/gate/stale.h"
#include "user/pool/publish.h"
#include "user/rules/ct.h"
#include "user/util/log.h"

static int remove_stale(const struct xg_stale *st, void *arg)
{
	unsigned int *n = arg;
	struct xg_gate g = { .ifindex = st->ifindex };
	char path[PATH_MAX];

	memcpy(g.pin_dir, st->pin_dir, sizeof(g.pin_dir));
	if (!xg_run_publish_path(&g, path, sizeof(path)))
		unlink(path); /* a killed run's counters, named like its pins */
	xg_pin_remove(st->pin_dir);
	xg_ct_tracking_off(st->ifindex); /* the conntrack table of a killed run with `ct` */
	if (xg_pin_exists(st->pin_dir)) {
		pr_warn("cleanup: cannot remove %s\n", st->pin_dir);
		return -EIO;
	}
	printf("removed stale pinned maps of %s: %s\n",
	       st->ifname[0] ? st->ifname : "a gone interface", st->pin_dir);
	(*n)++;
	return 0;
}

static int cleanup_one(const char *ifname)
{
	struct xg_stale st = { 0 };
	struct xg_gate g;
	unsigned int n = 0;
	int live;

	if (xg_gate_init(&g, "cleanup", ifname))
		return 1;
	live = xg_gate_pins_live(&g, "cleanup");
	if (live == -ENOENT) {
		printf("%s: no pinned maps\n", g.ifname);
		return 0;
	}
	if (live > 0) {
		pr_warn("cleanup: %s: the attached gate uses these maps ('xdpgate detach %s' "
			"removes it)\n",
			g.ifname, g.ifname);
		return 1;
	}
	if (live < 0)
		return 1;
	st.ifindex = g.ifindex;
	memcpy(st.ifname, g.ifname, sizeof(st.ifname));
	memcpy(st.pin_dir, g.pin_dir, sizeof(st.pin_dir));
	return remove_stale(&st, &n) ? 1 : 0;
}

static int do_cleanup(void *cfgp, int argc, char **argv)
{
	unsigned int n = 0;

	(void)cfgp;
	if (xg_require_caps("cleanup", XG_CAPS_CHANGE) || xg_bpffs_ensure())
		return 1;
	if (argc)
		return cleanup_one(argv[0]);
	if (xg_stale_each("cleanup", remove_stale, &n))
		return 1;
	if (!n)
		printf("nothing stale in this network namespace\n");
	return 0;
}

static const struct xg_opt cleanup_opts[] = {
	XG_OPT_END,
};

const struct xg_cmd xg_cmd_cleanup = {
	.name = "cleanup",
	.args = "[IFACE]",
	.min_args = 0,
	.max_args = 1,
	.summary = "Remove pinned maps no attached program uses, in this network namespace.\n"
		   "What a gate leaves when its interface is deleted or `run` is killed; with\n"
		   "IFACE, that interface's only. Maps an attached gate uses are never touched.",
	.opts = cleanup_opts,
	.run = do_cleanup,
};
