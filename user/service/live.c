// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "user/gate/pin.h"
#include "user/rules/apply.h"
#include "user/rules/compile.h"
#include "user/rules/load.h"
#include "user/service/live.h"

int xg_live_open(struct xg_live *l, const char *who, const char *ifname, enum xg_caps_need need)
{
	int err;

	xg_gate_maps_init(&l->m);
	l->lock_fd = -1;
	err = xg_require_caps(who, need);
	if (!err)
		err = xg_gate_init(&l->g, who, ifname);
	if (!err)
		err = xg_bpffs_ensure();
	if (!err)
		err = xg_gate_maps_open(&l->g, who, &l->m);
	if (err)
		return err;
	l->lock_fd = xg_gate_lock(&l->g, who);
	if (l->lock_fd < 0)
		return l->lock_fd;
	/* a deadline its timer missed (killed) is honoured before anything else changes */
	err = need == XG_CAPS_CHANGE ? xg_apply_overdue(&l->g, &l->m) : 0;
	return err == -ETIME ? 0 : err;
}

void xg_live_close(struct xg_live *l)
{
	xg_gate_maps_close(&l->m);
	if (l->lock_fd >= 0)
		close(l->lock_fd); /* drops the lock */
	l->lock_fd = -1;
}

int xg_live_gen(const struct xg_live *l, __u32 *gen)
{
	struct xg_config cfg;
	__u32 key = 0;

	if (bpf_map_lookup_elem(l->m.config, &key, &cfg))
		return -errno;
	*gen = cfg.slot[cfg.active & 1].gen;
	return 0;
}

int xg_live_install(struct xg_live *l, const struct xg_ruleset *rs, const struct xg_compiled *c)
{
	return xg_rules_install(&l->m, rs, c, false);
}

/* Fault injection for the tests (testenv/test-rules.sh): XG_FAULT_CONFIRM_KILL=armed kills
 * the process between recording a --confirm load and its flip, =flipped just after the
 * flip, as a crash or `kill -9` there would. */
static void injected_kill(const char *step)
{
	const char *e = getenv("XG_FAULT_CONFIRM_KILL");

	if (e && !strcmp(e, step))
		raise(SIGKILL);
}

int xg_live_load(struct xg_live *l, const struct xg_ruleset *rs, unsigned int confirm,
		 struct xg_pending *p)
{
	struct xg_compiled c;
	int err = 0;

	if (xg_rules_compile(rs, &c))
		return -EINVAL; /* the compiler names the rule; its -1 carries no errno */
	if (confirm) {
		err = xg_apply_arm(&l->g, &l->m, confirm, p);
		if (!err)
			injected_kill("armed");
	}
	if (!err) {
		err = xg_live_install(l, rs, &c);
		if (err && confirm)
			xg_pending_clear(&l->m); /* its timer finds the token gone and exits */
		else if (confirm)
			injected_kill("flipped");
		if (!err && confirm)
			xg_apply_restart_clock(&l->m, p); /* failing, the armed deadline holds */
	}
	xg_compiled_free(&c);
	return err;
}

int xg_live_replace(const char *who, const char *ifname, const struct xg_ruleset *rs)
{
	struct xg_live l;
	int err;

	err = xg_live_open(&l, who, ifname, XG_CAPS_CHANGE);
	if (!err)
		err = xg_live_load(&l, rs, 0, NULL);
	xg_live_close(&l);
	return err;
}
