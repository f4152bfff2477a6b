/* SPDX-License-Identifier: GPL-2.0 */
/* Pinned maps that outlived their gate: the interface deleted under `attach`, a `run`
 * killed by SIGKILL. Pins are proven live only when the program attached to their
 * interface uses the pinned xg_config; anything else is stale, and no command acts on
 * it but `cleanup`. */
#ifndef XG_GATE_STALE_H
#define XG_GATE_STALE_H

#include <limits.h>
#include <stdbool.h>
#include <net/if.h>

struct xg_gate;

/* 1: the attached program uses g's pinned maps; 0: they are stale; -ENOENT: g has no
 * pins; another -errno when they cannot be examined (message printed, naming cmd). */
int xg_gate_pins_live(const struct xg_gate *g, const char *cmd);

/* The gate whose xg_config the caller holds (config_fd) is gone: its interface deleted,
 * the gate detached, or attached again with new maps. A reader that keeps map fds open
 * (top, log) would otherwise show the dead gate's frozen counters forever. Says nothing. */
bool xg_gate_maps_gone(const struct xg_gate *g, int config_fd);

struct xg_stale {
	int ifindex;
	char ifname[IF_NAMESIZE]; /* "" when the interface is gone */
	char pin_dir[PATH_MAX];
};

/* Call fn for each stale pin directory of the caller's network namespace, stopping at
 * the first non-zero return, which is returned. 0 also when there are none. */
int xg_stale_each(const char *cmd, int (*fn)(const struct xg_stale *s, void *arg), void *arg);

#endif
