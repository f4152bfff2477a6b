// SPDX-License-Identifier: GPL-2.0
/* The `flows` statement into the gate (user/rules/flows_load.h). */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/xdpgate_flows.h"
#include "user/gate/maps.h"
#include "user/rules/flows_load.h"
#include "user/rules/rules.h"
#include "user/util/log.h"
#include "user/gate/skel.h"

int xg_flows_size_table(struct xdpgate_bpf *skel, const struct xg_ruleset *rs)
{
	__u32 entries = xg_flows_conf_entries(&rs->flows);
	char msg[256];
	int err;

	if (xg_flows_table_fits(entries, msg, sizeof(msg))) {
		pr_warn("rules: line %u: %s; ask for a smaller 'size'\n", rs->flows.line, msg);
		return -E2BIG;
	}
	err = bpf_map__set_max_entries(skel->maps.xg_flows, entries);
	if (err)
		pr_warn("cannot size the flow table: %s\n", strerror(-err));
	return err;
}

int xg_flows_check_size(const struct xg_gate_maps *m, const struct xg_ruleset *rs)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (!rs->flows.size)
		return 0;
	if (bpf_obj_get_info_by_fd(m->flows, &info, &len))
		return -errno;
	if (rs->flows.size <= info.max_entries)
		return 0;
	pr_warn("rules: line %u: flows size %u is larger than the gate's table of %u entries, "
		"sized when it was attached; detach and attach to grow it\n",
		rs->flows.line, rs->flows.size, info.max_entries);
	return -E2BIG;
}

int xg_flows_write_slot(const struct xg_gate_maps *m, const struct xg_ruleset *rs, __u32 slot)
{
	struct xg_flow_cfg fc = { .rate = rs->flows.rate };

	return bpf_map_update_elem(m->flow_cfg, &slot, &fc, BPF_ANY) ? -errno : 0;
}

int xg_flows_read_slot(const struct xg_gate_maps *m, __u32 slot, __u32 *rate)
{
	struct xg_flow_cfg fc;

	if (bpf_map_lookup_elem(m->flow_cfg, &slot, &fc))
		return -errno;
	*rate = fc.rate;
	return 0;
}
