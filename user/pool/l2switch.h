/* SPDX-License-Identifier: GPL-2.0 */
/* A learning L2 switch over the interfaces of one run (--handler switch): each interface is
 * a port; a frame's source MAC is learned against the port it came in on (l2table.h), and the
 * frame goes to the port its destination MAC was learned on, or to every other port when
 * that is unknown, broadcast or multicast. A frame for the port it came in on is dropped
 * and counted (same_port: the hairpin a switch never makes).
 *
 * Each port has one worker (its interface's one queue socket: refused otherwise). A worker
 * copies a frame into a single-producer single-consumer handoff ring towards each port it
 * goes to (n - 1 rings of flooding: a copy per port), and recycles the received frame at
 * once; each port's worker empties the rings towards it into free frames of its own UMEM
 * and sends them on its own socket (the handler's produce()). So every UMEM frame stays
 * with the one worker that owns it (the pool's frame accounting and the DEBUG checks are
 * those of reflect), no socket has two owners (an interface is input and output at once,
 * on a one-queue veth too, which forwarding by descriptor cannot do), and nothing locks:
 * the rings are lock-free with one writer and one reader each. The cost is two copies a
 * frame. */
#ifndef XG_L2SWITCH_H
#define XG_L2SWITCH_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "user/pool/l2table.h"

struct xg_l2_switch;

/* What the pool's handler_ctx points at for one interface of the switch. */
struct xg_l2_port {
	struct xg_l2_switch *sw;
	unsigned int index;
	const char *ifname;
	atomic_bool taken; /* a worker serves it */
	/* frames in, sent to one port, flooded (once each, not per copy), dropped as for the
	 * port they came in on, copies lost to a full handoff ring, frames too long for it */
	_Atomic uint64_t in, unicast, flooded, same_port, ring_full, too_long;
};

/* A switch over n (2 ..  XG_L2_PORTS_MAX) ports named names[i]; entries age after age_s
 * (0: XG_L2_AGE_S). NULL after one line. */
struct xg_l2_switch *xg_l2_switch_new(const char *const *names, unsigned int n, uint32_t age_s);
struct xg_l2_port *xg_l2_switch_port(struct xg_l2_switch *sw, unsigned int i);
/* One line a port: its counters, and the table's. */
void xg_l2_switch_report(const struct xg_l2_switch *sw, FILE *f);
void xg_l2_switch_free(struct xg_l2_switch *sw);

#endif
