// SPDX-License-Identifier: GPL-2.0
/* The flow maps of an attached gate (user/flows/open.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "common/xdpgate_flows.h"
#include "common/xdpgate_structs.h"
#include "user/flows/open.h"
#include "user/gate/gate.h"

void xg_flow_fds_close(struct xg_flow_fds *f)
{
	int *fds[] = { &f->flows, &f->stats, &f->cfg, &f->config };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

int xg_flow_fds_open(const struct xg_gate *g, const char *cmd, struct xg_flow_fds *f)
{
	static const char *const names[] = { "xg_flows", "xg_flow_stats", "xg_flow_cfg",
					     "xg_config" };
	int *fds[] = { &f->flows, &f->stats, &f->cfg, &f->config };
	size_t i;

	for (i = 0; i < 4; i++)
		*fds[i] = -1;
	for (i = 0; i < 4; i++) {
		int fd = xg_gate_map_fd(g, cmd, names[i]);

		if (fd < 0) {
			xg_flow_fds_close(f);
			return fd;
		}
		*fds[i] = fd;
	}
	return 0;
}

int xg_flows_rate_of(int config_fd, int flow_cfg_fd, uint32_t *rate)
{
	struct xg_config cfg;
	struct xg_flow_cfg fc;
	__u32 key = 0, slot;

	if (bpf_map_lookup_elem(config_fd, &key, &cfg))
		return -errno;
	slot = cfg.active & 1;
	if (!(cfg.slot[slot].flags & XG_SLOT_FLOWS)) {
		*rate = 0;
		return 0;
	}
	if (bpf_map_lookup_elem(flow_cfg_fd, &slot, &fc))
		return -errno;
	*rate = fc.rate;
	return 0;
}

int xg_flow_fds_rate(const struct xg_flow_fds *f, uint32_t *rate)
{
	return xg_flows_rate_of(f->config, f->cfg, rate);
}

uint32_t xg_flow_fds_size(const struct xg_flow_fds *f)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(f->flows, &info, &len) ? 0 : info.max_entries;
}
