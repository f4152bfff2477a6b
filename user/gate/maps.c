// SPDX-License-Identifier: GPL-2.0
/* One table names the gate's maps; init, open, create and close all walk it, so a map
 * added to the gate is added here once. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "user/gate/gate.h"
#include "user/gate/maps.h"
#include "user/gate/stale.h"
#include "user/util/log.h"
#include "common/xdpgate_structs.h"
#include "user/gate/skel.h"

struct map_ref {
	const char *name;
	size_t off;
};

#define M(field, name)                                     \
	{                                                  \
		name, offsetof(struct xg_gate_maps, field) \
	}
static const struct map_ref map_refs[] = {
	M(config, "xg_config"),
	M(ec, "xg_ec"),
	M(src, "xg_src"),
	M(dst, "xg_dst"),
	M(src4, "xg_src4"),
	M(dst4, "xg_dst4"),
	M(bits, "xg_bits"),
	M(w64, "xg_w64"),
	M(actions, "xg_actions"),
	M(rule_stats, "xg_rule_stats"),
	M(rule_text, "xg_rule_text"),
	M(rule_base, "xg_rule_base"),
	M(stats, "xg_stats"),
	M(sets, "xg_sets"),
	M(sets4, "xg_sets4"),
	M(set_info, "xg_set_info"),
	M(limits, "xg_limits"),
	M(leases, "xg_leases"),
	M(pending, "xg_pending"),
	M(match_progs, "xg_match_progs"),
	M(match_scratch, "xg_match_scratch"),
	M(flows, "xg_flows"),
	M(flow_cfg, "xg_flow_cfg"),
	M(flow_stats, "xg_flow_stats"),
	M(gate_progs, "xg_gate_progs"),
	M(cache, "xg_cache"),
	M(xsks, "xg_xsks"),
	M(xsk_steer, "xg_xsk_steer"),
	M(log, "xg_log"),
	M(ct_inject, "xg_ct_inject"),
	M(variants, "xg_variants"),
	M(variant_info, "xg_variant_info"),
};
#undef M
#define NREFS (sizeof(map_refs) / sizeof(map_refs[0]))

static int *ref_fd(struct xg_gate_maps *m, size_t i)
{
	return (int *)((char *)m + map_refs[i].off);
}

void xg_gate_maps_init(struct xg_gate_maps *m)
{
	size_t i;

	for (i = 0; i < NREFS; i++)
		*ref_fd(m, i) = -1;
}

void xg_gate_maps_close(struct xg_gate_maps *m)
{
	size_t i;

	for (i = 0; i < NREFS; i++) {
		if (*ref_fd(m, i) >= 0)
			close(*ref_fd(m, i));
	}
	xg_gate_maps_init(m);
}

int xg_gate_maps_open(const struct xg_gate *g, const char *cmd, struct xg_gate_maps *m)
{
	size_t i;
	int live;

	xg_gate_maps_init(m);
	/* counters read or rules written on maps no program uses would mislead: refuse */
	live = xg_gate_pins_live(g, cmd);
	if (!live) {
		pr_warn("%s: %s: xdpgate is not attached (stale maps at %s; 'xdpgate cleanup %s' "
			"removes them)\n",
			cmd, g->ifname, g->pin_dir, g->ifname);
		return -ENOENT;
	}
	if (live < 0 && live != -ENOENT)
		return live;
	for (i = 0; i < NREFS; i++) {
		int fd = xg_gate_map_fd(g, cmd, map_refs[i].name);

		if (fd < 0) {
			xg_gate_maps_close(m);
			return fd;
		}
		*ref_fd(m, i) = fd;
	}
	return 0;
}

int xg_set_trie_create(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	int fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "xg_set", sizeof(struct xg_set_key), 1,
				XG_SET_PREFIXES_MAX, &opts);

	return fd < 0 ? -errno : fd;
}

int xg_set4_map_create(__u32 nelems)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE | BPF_F_INNER_MAP);
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xg_set4", sizeof(__u32),
				sizeof(struct xg_set4_elem), nelems, &opts);

	return fd < 0 ? -errno : fd;
}

/* A map like map (key, value, size, flags); a map of maps with a template of its inner
 * maps, made like the object's. */
static int create_like(const struct bpf_map *map, const char *name)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	const struct bpf_map *im = bpf_map__inner_map((struct bpf_map *)map);
	int inner = -1, fd;

	opts.map_flags = bpf_map__map_flags(map);
	if (im) {
		inner = create_like(im, "xg_inner");
		if (inner < 0)
			return inner;
		opts.inner_map_fd = (__u32)inner;
	}
	fd = bpf_map_create(bpf_map__type(map), name, bpf_map__key_size(map),
			    bpf_map__value_size(map), bpf_map__max_entries(map), &opts);
	if (fd < 0)
		fd = -errno;
	if (inner >= 0)
		close(inner);
	return fd;
}

int xg_gate_maps_create(struct xdpgate_bpf *skel, struct xg_gate_maps *m)
{
	size_t i;
	int err;

	xg_gate_maps_init(m);
	for (i = 0; i < NREFS; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(skel->obj, map_refs[i].name);
		int fd;

		if (!map) {
			err = -ENOENT;
			pr_warn("the gate object has no map %s\n", map_refs[i].name);
			goto err;
		}
		fd = create_like(map, map_refs[i].name);
		err = fd < 0 ? fd : bpf_map__reuse_fd(map, fd);
		if (err) {
			pr_warn("cannot create map %s: %s\n", map_refs[i].name, strerror(-err));
			if (fd >= 0)
				close(fd);
			goto err;
		}
		*ref_fd(m, i) = fd;
	}
	return 0;
err:
	xg_gate_maps_close(m);
	return err;
}

int xg_gate_maps_fd(const struct xg_gate_maps *m, const char *name)
{
	size_t i;

	for (i = 0; i < NREFS; i++)
		if (!strcmp(map_refs[i].name, name))
			return *ref_fd((struct xg_gate_maps *)m, i);
	return -1;
}
