/* SPDX-License-Identifier: GPL-2.0 */
/* The flow maps of an attached gate, opened for reading (no rule lock: reading flows never
 * waits for, nor holds up, a rule change). */
#ifndef XG_FLOWS_OPEN_H
#define XG_FLOWS_OPEN_H

#include <stdint.h>

struct xg_gate;

struct xg_flow_fds {
	int flows, stats, cfg, config; /* -1 when closed */
};

/* Open g's flow maps for cmd. 0 or -errno (message printed). */
int xg_flow_fds_open(const struct xg_gate *g, const char *cmd, struct xg_flow_fds *f);
void xg_flow_fds_close(struct xg_flow_fds *f);
/* The active slot's sampling rate: 0 (no accounting), 1 (exact) or N. 0 or -errno. */
int xg_flow_fds_rate(const struct xg_flow_fds *f, uint32_t *rate);
/* The same from the fds of the gate's config and flow settings maps. */
int xg_flows_rate_of(int config_fd, int flow_cfg_fd, uint32_t *rate);
/* The table's size (its max_entries), 0 when the kernel would not say. */
uint32_t xg_flow_fds_size(const struct xg_flow_fds *f);

#endif
