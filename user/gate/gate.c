// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "common/xdpgate_structs.h"
#include "user/gate/gate.h"
#include "user/gate/maps.h"
#include "user/gate/link.h"
#include "user/util/log.h"
#include "user/gate/pin.h"
#include "user/gate/skel.h"

const char *xg_mode_name(int mode)
{
	switch (mode) {
	case XDP_MODE_NATIVE:
		return "native";
	case XDP_MODE_SKB:
		return "skb";
	case XDP_MODE_HW:
		return "hw";
	default:
		return "none";
	}
}

int xg_gate_init(struct xg_gate *g, const char *cmd, const char *ifname)
{
	memset(g, 0, sizeof(*g));
	if (strlen(ifname) >= IF_NAMESIZE || !(g->ifindex = (int)if_nametoindex(ifname))) {
		pr_warn("%s: no such interface '%s'\n", cmd, ifname);
		return -ENODEV;
	}
	snprintf(g->ifname, sizeof(g->ifname), "%s", ifname);
	xg_log_set_iface(g->ifname); /* what this thread now works on, for JSON log lines */
	return xg_pin_dir(g->ifindex, g->pin_dir, sizeof(g->pin_dir));
}

bool xg_gate_iface_gone(const struct xg_gate *g)
{
	char name[IF_NAMESIZE];

	/* a new interface given the old index has another name */
	return !if_indextoname((unsigned int)g->ifindex, name) || strcmp(name, g->ifname);
}

static struct xdp_program *find_ours(struct xdp_multiprog *mp)
{
	struct xdp_program *p;

	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		return p && !strcmp(xdp_program__name(p), XG_PROG_NAME) ? p : NULL;
	}
	for (p = xdp_multiprog__next_prog(NULL, mp); p; p = xdp_multiprog__next_prog(p, mp))
		if (!strcmp(xdp_program__name(p), XG_PROG_NAME))
			return p;
	return NULL;
}

/* Whether descriptor fd is a BPF program's, with id id. */
static bool fd_is_prog(int fd, __u32 id)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	char path[32], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	/* a map's descriptor would answer bpf_obj_get_info_by_fd too, with a map's info */
	return !strcmp(link, "anon_inode:bpf-prog") && !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	       info.id == id;
}

/* xdp_multiprog__get_from_ifindex, without the descriptor libxdp 1.3 (Debian 12's) leaks
 * on every call: it takes the attached program by id, keeps a dup of that descriptor
 * (xdp_program__from_fd) and never closes the original, so each SIGHUP reload of `run` held
 * one more until EMFILE. The original took the lowest free descriptor, the one free when
 * the call began; it is closed only when it holds the main program and libxdp does not use
 * it, so a fixed libxdp loses nothing, and a descriptor another thread took meanwhile (the
 * metrics server's accept) only makes this miss the leak once, never close someone else's. */
static struct xdp_multiprog *multiprog_get(int ifindex)
{
	int low = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct xdp_multiprog *mp;
	struct xdp_program *main_prog;

	if (low >= 0)
		close(low);
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (low < 0 || libxdp_get_error(mp))
		return mp;
	main_prog = xdp_multiprog__main_prog(mp);
	if (main_prog && xdp_program__fd(main_prog) != low &&
	    fd_is_prog(low, xdp_program__id(main_prog)))
		close(low);
	return mp;
}

int xg_gate_query(const struct xg_gate *g, struct xg_gate_info *info)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	int err;

	memset(info, 0, sizeof(*info));
	info->pinned = xg_pin_exists(g->pin_dir);
	mp = multiprog_get(g->ifindex);
	err = libxdp_get_error(mp);
	if (err == -ENOENT)
		return 0; /* nothing attached */
	if (err) /* e.g. EPERM without CAP_SYS_ADMIN: we cannot tell, so never say "not attached" */
		return err;
	info->mode = xdp_multiprog__attach_mode(mp);
	p = find_ours(mp);
	if (p) {
		info->attached = true;
		info->prog_id = xdp_program__id(p);
		if (!xdp_multiprog__is_legacy(mp))
			info->dispatcher_id = xdp_program__id(xdp_multiprog__main_prog(mp));
	} else if ((p = xdp_multiprog__main_prog(mp))) {
		info->other_prog_id = xdp_program__id(p);
		snprintf(info->other_prog_name, sizeof(info->other_prog_name), "%s",
			 xdp_program__name(p));
	}
	xdp_multiprog__close(mp);
	return 0;
}

static void explain_attach_error(const struct xg_gate *g, int mode, int err)
{
	char buf[256];

	if (err == -EOPNOTSUPP && mode == XDP_MODE_NATIVE) {
		pr_warn("attach: %s: the driver does not support native XDP; try --mode skb\n",
			g->ifname);
		return;
	}
	if (err == -EEXIST || err == -EBUSY) {
		pr_warn("attach: %s: another XDP program is attached; detach it first\n",
			g->ifname);
		return;
	}
	if (err == -ERANGE && mode == XDP_MODE_NATIVE) {
		xg_explain_mtu_error("attach", g->ifname);
		return;
	}
	libxdp_strerror(err, buf, sizeof(buf));
	pr_warn("attach: %s: attaching in %s mode failed: %s\n", g->ifname, xg_mode_name(mode),
		buf);
}

static int check_free(const struct xg_gate *g)
{
	struct xg_gate_info info;
	int err = xg_gate_query(g, &info);

	if (err) {
		pr_warn("attach: %s: cannot query the attached program: %s\n", g->ifname,
			strerror(-err));
		return err;
	}
	if (info.attached) {
		char comm[32];
		int pid = xg_link_holder(g->ifindex, info.prog_id, comm, sizeof(comm));

		if (pid) {
			pr_warn("attach: %s: xdpgate is already attached (program id %u, %s mode), "
				"held by process %d (%s); stop that process to release it\n",
				g->ifname, info.prog_id, xg_mode_name(info.mode), pid, comm);
			return -EBUSY;
		}
		pr_warn("attach: %s: xdpgate is already attached (program id %u, %s mode); "
			"detach it first\n",
			g->ifname, info.prog_id, xg_mode_name(info.mode));
		return -EEXIST;
	}
	if (info.pinned) {
		pr_info("%s: removing stale pins in %s\n", g->ifname, g->pin_dir);
		xg_pin_remove(g->pin_dir);
	}
	return 0;
}

static int load_and_attach(struct xg_gate *g, struct xdpgate_bpf *skel, int mode)
{
	struct xdp_program *prog;
	int err;

	/* by name: the entry, not the slots' programs (the same section) */
	DECLARE_LIBXDP_OPTS(xdp_program_opts, opts, .obj = skel->obj, .prog_name = XG_PROG_NAME);

	prog = xdp_program__create(&opts);
	err = (int)libxdp_get_error(prog);
	if (err) {
		pr_warn("attach: cannot prepare the gate program: %s\n", strerror(-err));
		return err;
	}
	/* multi-buffer XDP: libxdp loads it with BPF_F_XDP_HAS_FRAGS, so native mode takes
	 * any MTU the driver does */
	err = xdp_program__set_xdp_frags_support(prog, true);
	if (err) {
		pr_warn("attach: cannot mark the gate program frags-aware: %s\n", strerror(-err));
		goto out;
	}
	err = xdp_program__attach(prog, g->ifindex, mode, 0);
	if (err) {
		explain_attach_error(g, mode, err);
		goto out;
	}
	err = xg_pin_mkdir(g->pin_dir);
	if (!err)
		err = bpf_object__pin_maps(skel->obj, g->pin_dir);
	if (err) {
		pr_warn("attach: %s: pinning maps in %s failed: %s\n", g->ifname, g->pin_dir,
			strerror(-err));
		xdp_program__detach(prog, g->ifindex, mode, 0);
		xg_pin_remove(g->pin_dir);
	}
out:
	xdp_program__close(prog);
	return err;
}

/* skel comes from xg_gate_prepare (prep.h), not loaded: its maps hold the rule set before the
 * program exists, so the first frame the gate sees is classified by it and nothing is
 * half-applied. */
int xg_gate_attach(struct xg_gate *g, int mode, struct xdpgate_bpf *skel)
{
	int err = check_free(g);

	return err ? err : load_and_attach(g, skel, mode);
}

int xg_gate_detach(struct xg_gate *g)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	int err = 0;

	mp = multiprog_get(g->ifindex);
	p = libxdp_get_error(mp) ? NULL : find_ours(mp);
	if (!p) {
		bool stale = xg_pin_exists(g->pin_dir);

		if (stale)
			xg_pin_remove(g->pin_dir);
		pr_warn("detach: %s: xdpgate is not attached%s\n", g->ifname,
			stale ? " (removed stale pinned maps)" : "");
		err = -ENOENT;
		goto out;
	}
	err = xdp_program__detach(p, g->ifindex, xdp_multiprog__attach_mode(mp), 0);
	if (err) {
		char buf[256];

		char comm[32];
		int pid = err == -EBUSY ? xg_link_holder(g->ifindex, xdp_program__id(p), comm,
							 sizeof(comm))
					: 0;

		if (pid) {
			pr_warn("detach: %s: held by process %d (%s) through a bpf_link; stop that "
				"process to detach\n",
				g->ifname, pid, comm);
			goto out;
		}
		libxdp_strerror(err, buf, sizeof(buf));
		pr_warn("detach: %s: %s\n", g->ifname, buf);
		goto out;
	}
	xg_pin_remove(g->pin_dir);
out:
	if (!libxdp_get_error(mp))
		xdp_multiprog__close(mp);
	return err;
}

int xg_gate_map_fd(const struct xg_gate *g, const char *cmd, const char *map)
{
	char path[PATH_MAX];
	int fd;

	if (xg_pin_path(g->pin_dir, map, path, sizeof(path)))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		int err = -errno;

		if (err == -ENOENT && !access(g->pin_dir, F_OK)) /* the others are there */
			pr_warn("%s: %s: the gate has no map %s: another version of xdpgate "
				"attached it ('xdpgate detach %s', then attach again)\n",
				cmd, g->ifname, map, g->ifname);
		else if (err == -ENOENT)
			pr_warn("%s: %s: xdpgate is not attached (no maps at %s)\n", cmd, g->ifname,
				g->pin_dir);
		else
			pr_warn("%s: %s: cannot open %s: %s\n", cmd, g->ifname, path,
				strerror(-err));
		return err;
	}
	return fd;
}

int xg_gate_lock(const struct xg_gate *g, const char *cmd)
{
	int fd = open(g->pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err;

	if (fd >= 0 && !flock(fd, LOCK_EX))
		return fd;
	err = -errno;
	pr_warn("%s: %s: cannot lock %s: %s\n", cmd, g->ifname, g->pin_dir, strerror(-err));
	if (fd >= 0)
		close(fd);
	return err;
}
