// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "user/gate/gate.h"
#include "user/gate/pin.h"
#include "user/gate/stale.h"
#include "user/util/log.h"

static int map_id(int fd, __u32 *id)
{
	struct bpf_map_info mi = { 0 };
	__u32 len = sizeof(mi);

	if (bpf_obj_get_info_by_fd(fd, &mi, &len))
		return -errno;
	*id = mi.id;
	return 0;
}

bool xg_gate_maps_gone(const struct xg_gate *g, int config_fd)
{
	char path[PATH_MAX];
	__u32 held = 0, pinned = 0;
	int fd;
	bool gone;

	if (xg_gate_iface_gone(g) || xg_pin_path(g->pin_dir, "xg_config", path, sizeof(path)))
		return true;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return true;
	gone = map_id(fd, &pinned) || map_id(config_fd, &held) || pinned != held;
	close(fd);
	return gone;
}

/* Does program prog_id use map map_id? The kernel lists a program's maps by id. */
static int prog_uses_map(__u32 prog_id, __u32 map_id)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info), n, i, *ids;
	int fd = bpf_prog_get_fd_by_id(prog_id), ret = -ENOMEM;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno; /* it went away meanwhile */
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		ret = -errno;
		goto out;
	}
	n = info.nr_map_ids;
	ids = calloc(n ? n : 1, sizeof(*ids));
	if (!ids)
		goto out;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = n;
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	ret = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	for (i = 0; !ret && i < n && i < info.nr_map_ids; i++)
		if (ids[i] == map_id)
			ret = 1;
	free(ids);
out:
	close(fd);
	return ret;
}

int xg_gate_pins_live(const struct xg_gate *g, const char *cmd)
{
	struct bpf_map_info mi = { 0 };
	struct xg_gate_info info;
	char path[PATH_MAX];
	__u32 len = sizeof(mi);
	int fd, ret;

	if (xg_pin_path(g->pin_dir, "xg_config", path, sizeof(path)))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		ret = -errno;
		if (ret == -ENOENT && xg_pin_exists(g->pin_dir))
			return 0; /* a directory without the gate's config is nobody's */
		if (ret != -ENOENT)
			pr_warn("%s: cannot open %s: %s\n", cmd, path, strerror(-ret));
		return ret;
	}
	ret = bpf_obj_get_info_by_fd(fd, &mi, &len) ? -errno : 0;
	close(fd);
	if (ret) {
		pr_warn("%s: cannot examine %s: %s\n", cmd, path, strerror(-ret));
		return ret;
	}
	if (!g->ifindex)
		return 0;
	ret = xg_gate_query(g, &info);
	if (ret) { /* unknown is not stale: the caller must not remove these pins */
		pr_warn("%s: %s: cannot query the attached program: %s\n", cmd, g->ifname,
			strerror(-ret));
		return ret;
	}
	if (!info.attached)
		return 0;
	ret = prog_uses_map(info.prog_id, mi.id);
	if (ret < 0)
		pr_warn("%s: cannot examine program %u: %s\n", cmd, info.prog_id, strerror(-ret));
	return ret;
}

/* One if<N> entry of the namespace's pin directory, as a gate to examine. */
static int entry_gate(const char *ns_dir, const char *name, struct xg_gate *g)
{
	char *end;
	long idx;

	if (strncmp(name, "if", 2))
		return -1;
	idx = strtol(name + 2, &end, 10);
	if (*end || idx <= 0 || idx > 0x7fffffff)
		return -1;
	memset(g, 0, sizeof(*g));
	g->ifindex = (int)idx;
	if (snprintf(g->pin_dir, sizeof(g->pin_dir), "%s/%s", ns_dir, name) >=
	    (int)sizeof(g->pin_dir))
		return -1;
	if (!if_indextoname((unsigned int)idx, g->ifname))
		g->ifname[0] = '\0';
	return 0;
}

int xg_stale_each(const char *cmd, int (*fn)(const struct xg_stale *s, void *arg), void *arg)
{
	char ns_dir[PATH_MAX], *slash;
	struct dirent *de;
	int ret = 0, live;
	DIR *d;

	/* the namespace's directory is the parent of any interface's */
	if (xg_pin_dir(1, ns_dir, sizeof(ns_dir)))
		return -ENAMETOOLONG;
	slash = strrchr(ns_dir, '/');
	*slash = '\0';
	d = opendir(ns_dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!ret && (de = readdir(d))) {
		struct xg_stale s;
		struct xg_gate g;

		if (entry_gate(ns_dir, de->d_name, &g))
			continue;
		/* a gone interface's pins are stale whatever holds its old index now */
		live = g.ifname[0] ? xg_gate_pins_live(&g, cmd) : 0;
		if (live != 0)
			continue;
		s.ifindex = g.ifindex;
		memcpy(s.ifname, g.ifname, sizeof(s.ifname));
		memcpy(s.pin_dir, g.pin_dir, sizeof(s.pin_dir));
		ret = fn(&s, arg);
	}
	closedir(d);
	return ret;
}
