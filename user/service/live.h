/* SPDX-License-Identifier: GPL-2.0 */
/* The live gate of an interface opened for a change: its pinned maps, under the exclusive
 * lock that orders every rule and set change (rules, set, a run's reload, an embedding
 * program). Replacing its rule set goes through the two-slot swap (user/rules/load.c), so
 * every frame is classified by the old set or the new one; a --confirm load records its
 * revert before the flip (user/rules/apply.c). */
#ifndef XG_SERVICE_LIVE_H
#define XG_SERVICE_LIVE_H

#include "common/xdpgate_structs.h"
#include "user/gate/caps.h"
#include "user/gate/gate.h"
#include "user/gate/maps.h"

struct xg_ruleset;
struct xg_compiled;

struct xg_live {
	struct xg_gate g;
	struct xg_gate_maps m;
	int lock_fd;
};

/* Open ifname's gate and take its lock; who starts the messages of the gate layer (a
 * command's or program's name). A change (XG_CAPS_CHANGE) first honours a --confirm deadline
 * that passed with no timer to act on it. 0 or -errno (message printed); call
 * xg_live_close() either way. */
int xg_live_open(struct xg_live *l, const char *who, const char *ifname, enum xg_caps_need need);
void xg_live_close(struct xg_live *l);
/* The generation of the live set. 0 or -errno. */
int xg_live_gen(const struct xg_live *l, __u32 *gen);
/* Make c (compiled from rs) the live set. 0 or -errno (message printed); on failure the old
 * set stays. */
int xg_live_install(struct xg_live *l, const struct xg_ruleset *rs, const struct xg_compiled *c);
/* Compile rs and make it the live set; with confirm > 0 (seconds), revert unless confirmed
 * in time, the revert armed before the flip (p: its record). 0 or -errno (message printed,
 * the compiler naming the rule); on failure the old set stays and nothing is pending. */
int xg_live_load(struct xg_live *l, const struct xg_ruleset *rs, unsigned int confirm,
		 struct xg_pending *p);
/* Open ifname's gate, make rs its live set, close it: xg_live_load without --confirm. */
int xg_live_replace(const char *who, const char *ifname, const struct xg_ruleset *rs);

#endif
