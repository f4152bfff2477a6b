/* SPDX-License-Identifier: GPL-2.0 */
/* Safe apply: a rule set installed with a deadline, reverted by a detached timer unless
 * confirmed (design note atop apply.c). Every function expects the gate's lock held. */
#ifndef XG_RULES_APPLY_H
#define XG_RULES_APPLY_H

#include <stdbool.h>

#include "common/xdpgate_structs.h"
#include "user/gate/gate.h"
#include "user/gate/maps.h"

/* CLOCK_BOOTTIME in ns: the deadline's clock (it counts a suspend, as a user's wait does). */
__u64 xg_boottime_ns(void);
/* The pending record from the xg_pending map fd. 0 or -errno. */
int xg_pending_read(int fd, struct xg_pending *p);
/* Milliseconds to the pending record's revert (0 once due). */
unsigned long long xg_pending_left_ms(const struct xg_pending *p);
/* Just BEFORE installing a set over the live one: record the install pending for secs
 * (reverting to the live generation) and start its timer (filled into out), so that a
 * process killed at any point after leaves the revert armed. If the install then fails,
 * xg_pending_clear() the record. 0 or -errno (message printed; nothing recorded). */
int xg_apply_arm(const struct xg_gate *g, const struct xg_gate_maps *m, unsigned int secs,
		 struct xg_pending *out);
/* Once the armed set is live: its SECS count from now (as the user sees them), not from the
 * arming. A process killed before this keeps the earlier deadline. 0 or -errno. */
int xg_apply_restart_clock(const struct xg_gate_maps *m, struct xg_pending *p);
/* Honour a deadline that passed with no timer to act on it (the timer was killed): revert
 * now, with a warning. A record whose load never took effect (killed before its flip) is
 * dropped, with a warning, and 0. 0 when nothing was due, -ETIME when it reverted (or, the previous
 * set being gone, dropped the record), other -errno (the record kept: retried next time). */
int xg_apply_overdue(const struct xg_gate *g, const struct xg_gate_maps *m);
/* Keep the pending set (was: the record); call xg_apply_overdue first. -ENOENT: nothing
 * pending. */
int xg_apply_confirm(const struct xg_gate_maps *m, struct xg_pending *was);
/* The pending record's timer process still runs. */
bool xg_apply_timer_alive(const struct xg_pending *p);

#endif
