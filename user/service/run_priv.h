/* SPDX-License-Identifier: GPL-2.0 */
/* The run set's insides, shared by run.c (settings, start, stop) and reload.c. */
#ifndef XG_SERVICE_RUN_PRIV_H
#define XG_SERVICE_RUN_PRIV_H

#include "user/pool/l2switch.h"
#include "user/rules/rules.h"
#include "user/service/run.h"

/* One interface: its settings (the strings its own copies), its pool and what feeds it. */
struct run_iface {
	struct xg_run_spec spec;
	char *ifname, *rules, *handler; /* what spec's strings point at */
	struct xg_pool_cfg pc;		/* handler_arg points into handler */
	struct xg_ruleset rs;
	struct xg_pool *p;
};

struct xg_run_set {
	struct run_iface ifs[XG_RUN_MAX_IFACES];
	unsigned int n;
	const char *log_name;
	unsigned int applies;	 /* reloads that passed their checks, so far */
	struct xg_l2_switch *sw; /* --handler switch: its ports are the interfaces using it */
};

/* Settings of a running pool that a reload cannot change without restarting it differ. */
bool xg_run_needs_restart(const struct xg_run_spec *a, const struct xg_run_spec *b);
/* Restart r's workers with handler spec (checked). 0, -1 (nothing changed) or -EIO. */
int xg_run_switch_handler(struct xg_run_set *set, unsigned int i, const char *spec);
/* r takes the strings *rules and *handler (each pointer NULL after, r's old ones freed): its
 * spec, and its pool's handler argument, now point into them. */
void xg_run_iface_take(struct run_iface *r, char **rules, char **handler);

#endif
