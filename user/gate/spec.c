// SPDX-License-Identifier: GPL-2.0
/* The gate's object opened again for each program: its programs but xdpgate_set left out,
 * its shape in the rodata, every map the gate's own (reused by fd), so the program loaded
 * shares the live gate's tables and counters and differs from other shapes only in what
 * the verifier removed. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/xdpgate_structs.h"
#include "common/ct_state.h"
#include "user/gate/skel.h"
#include "user/gate/spec.h"
#include "user/util/log.h"
#include "xdpgate_noct.skel.h"

int xg_spec_reuse_maps(struct bpf_object *obj, const struct xg_gate_maps *m)
{
	struct bpf_map *map;
	int fd, err;

	bpf_object__for_each_map(map, obj) {
		if (bpf_map__is_internal(map)) /* the rodata: this program's own */
			continue;
		fd = xg_gate_maps_fd(m, bpf_map__name(map));
		if (fd < 0) {
			pr_warn("the gate's map %s is not open\n", bpf_map__name(map));
			return -ENOENT;
		}
		err = bpf_map__reuse_fd(map, fd);
		if (err) {
			pr_warn("cannot use the gate's map %s: %s\n", bpf_map__name(map),
				strerror(-err));
			return err;
		}
	}
	return 0;
}

/* Load the program of shape from skeleton type T (the gate's object, or the one without
 * connection tracking): its fd, or -errno (message printed). SET_CT sets the ct mode where
 * the object has one. */
#define SPEC_LOAD(T, SET_CT)                                                                 \
	static int spec_load_##T(const struct xg_gate_maps *m, const struct xg_shape *shape)  \
	{                                                                                    \
		struct T *skel = T##__open();                                                \
		int err, fd;                                                                 \
                                                                                             \
		if (!skel) {                                                                 \
			err = -errno;                                                        \
			pr_warn("cannot open the gate object: %s\n", strerror(-err));        \
			return err;                                                          \
		}                                                                            \
		bpf_program__set_autoload(skel->progs.xdpgate, false);                       \
		skel->rodata->xg_shape = *shape;                                             \
		SET_CT;                                                                      \
		err = xg_spec_reuse_maps(skel->obj, m);                                      \
		if (!err) {                                                                  \
			err = T##__load(skel);                                               \
			if (err)                                                             \
				pr_warn("cannot load the gate's program for this rule set: "  \
					"%s\n",                                              \
					strerror(-err));                                     \
		}                                                                            \
		fd = err ? err : dup(bpf_program__fd(skel->progs.xdpgate_set));              \
		if (fd < 0 && !err) {                                                        \
			fd = -errno;                                                         \
			pr_warn("cannot keep the gate's program: %s\n", strerror(-fd));      \
		}                                                                            \
		T##__destroy(skel);                                                          \
		return fd;                                                                   \
	}
SPEC_LOAD(xdpgate_bpf, skel->rodata->xg_ct_mode = shape->ct_mode)
SPEC_LOAD(xdpgate_noct_bpf, (void)0)

/* A set with `ct` needs the gate's object; any other the one without its code, which loads
 * without parsing the kernel's BTF. */
static int spec_load(const struct xg_gate_maps *m, const struct xg_shape *shape)
{
	return shape->ct_mode != XG_CT_MODE_OFF ? spec_load_xdpgate_bpf(m, shape)
						: spec_load_xdpgate_noct_bpf(m, shape);
}

/* The kept variants (xg_variant_info): all XG_VARIANTS_MAX, or -errno. */
static int read_variants(const struct xg_gate_maps *m, struct xg_variant *v)
{
	__u32 i;

	for (i = 0; i < XG_VARIANTS_MAX; i++)
		if (bpf_map_lookup_elem(m->variant_info, &i, &v[i]))
			return -errno;
	return 0;
}

/* This build's objects, as a number: a program kept by another build of xdpgate (an
 * upgrade under a live gate) is never reused. */
static __u32 build_id(void)
{
	size_t n1, n2, i;
	const unsigned char *a = xdpgate_bpf__elf_bytes(&n1), *b = xdpgate_noct_bpf__elf_bytes(&n2);
	__u32 h = 2166136261u;

	for (i = 0; i < n1; i++)
		h = (h ^ a[i]) * 16777619u;
	for (i = 0; i < n2; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* The kept program of shape (its fd; its entry *at), or -1: none. An entry whose program
 * is not the one xg_variants holds (a half-written entry, a program gone) is passed over,
 * and *at names it, so the new program replaces it. */
static int variant_find(const struct xg_gate_maps *m, const struct xg_variant *v,
			const struct xg_shape *shape, __u32 build, __u32 *at)
{
	__u32 i, id;

	for (i = 0; i < XG_VARIANTS_MAX; i++) {
		if (!v[i].prog_id || v[i].build != build ||
		    memcmp(&v[i].shape, shape, sizeof(*shape)))
			continue;
		*at = i;
		/* a lookup of a progs map from userspace gives the program's id */
		if (bpf_map_lookup_elem(m->variants, &i, &id) || id != v[i].prog_id)
			continue;
		return bpf_prog_get_fd_by_id(id);
	}
	return -1;
}

/* Keep prog_fd (of shape) in the least recently used entry, or the one it was found in. A
 * failure only loses the reuse: the program goes live all the same. */
static void variant_keep(const struct xg_gate_maps *m, const struct xg_variant *v, __u32 at,
			 const struct xg_shape *shape, __u32 build, int prog_fd)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info), i, lru = 0;
	struct xg_variant nv = { .shape = *shape, .build = build }, none = { 0 };
	__u64 last = 0;

	for (i = 0; i < XG_VARIANTS_MAX; i++) {
		last = v[i].used > last ? v[i].used : last;
		if (v[i].used < v[lru].used)
			lru = i;
	}
	if (at >= XG_VARIANTS_MAX)
		at = lru;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return;
	nv.prog_id = info.id;
	nv.used = last + 1;
	/* the entry is empty while its program changes: never a description of another */
	if (!bpf_map_update_elem(m->variant_info, &at, &none, BPF_ANY) &&
	    !bpf_map_update_elem(m->variants, &at, &prog_fd, BPF_ANY))
		bpf_map_update_elem(m->variant_info, &at, &nv, BPF_ANY);
}

int xg_spec_install(const struct xg_gate_maps *m, const struct xg_shape *shape)
{
	struct xg_variant v[XG_VARIANTS_MAX];
	__u32 slot = shape->slot & 1, at = XG_VARIANTS_MAX, build = build_id();
	int err = 0, fd = -1;

	if (!read_variants(m, v))
		fd = variant_find(m, v, shape, build, &at);
	if (fd < 0) {
		fd = spec_load(m, shape);
		if (fd < 0)
			return fd;
	}
	if (bpf_map_update_elem(m->gate_progs, &slot, &fd, BPF_ANY)) {
		err = -errno;
		pr_warn("cannot put the rule set's program in the gate: %s\n", strerror(-err));
	} else if (!read_variants(m, v)) {
		variant_keep(m, v, at, shape, build, fd);
	}
	close(fd); /* the progs maps hold it */
	return err;
}

__u32 xg_spec_live_id(int config_fd, int progs_fd)
{
	struct xg_config cfg;
	__u32 key = 0, id = 0;

	if (bpf_map_lookup_elem(config_fd, &key, &cfg))
		return 0;
	key = cfg.active & 1;
	/* a lookup of a progs map from userspace gives the program's id */
	return bpf_map_lookup_elem(progs_fd, &key, &id) ? 0 : id;
}
