/* SPDX-License-Identifier: GPL-2.0 */
/* An attached gate opened for a change (cmd_rules.c): its maps, under an exclusive lock
 * against other rule and set changes. */
#ifndef XG_CLI_LIVE_H
#define XG_CLI_LIVE_H

#include "user/gate/caps.h"
#include "user/gate/gate.h"
#include "user/gate/maps.h"

struct live {
	struct xg_gate g;
	struct xg_gate_maps m;
	int lock_fd;
};

/* Open ifname's gate for cmd and take the lock. 0 or -errno (message printed); call
 * live_close() either way. */
int live_open(struct live *l, const char *cmd, const char *ifname, enum xg_caps_need need);
void live_close(struct live *l);

#endif
