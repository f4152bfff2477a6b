/* SPDX-License-Identifier: GPL-2.0 */
/* The interface settings AF_XDP busy polling wants (kernel Documentation/networking/af_xdp
 * "Preferred busy polling"): napi_defer_hard_irqs and gro_flush_timeout, so that the
 * device's own interrupt or softirq stays off while the worker's syscalls poll NAPI. Set
 * for the pool's lifetime, the old values put back when it stops. */
#ifndef XG_NAPI_TUNE_H
#define XG_NAPI_TUNE_H

#include <net/if.h>
#include <stdbool.h>

#define XG_BUSY_DEFER_HARD_IRQS 2
#define XG_BUSY_GRO_FLUSH_NS 200000

struct xg_napi_tune {
	bool applied;
	char ifname[IF_NAMESIZE];
	long old_defer, old_gro; /* what was there before */
};

/* Write defer and gro_ns for ifname (in the caller's network namespace). 0, or -errno after
 * one line naming the interface; nothing is changed on failure. */
int xg_napi_tune_apply(struct xg_napi_tune *t, const char *ifname, long defer, long gro_ns);
/* Put the old values back (no-op when nothing was applied). */
void xg_napi_tune_restore(struct xg_napi_tune *t);

#endif
