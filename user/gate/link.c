// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/if_link.h>
#include <xdp/libxdp.h>

#include "user/gate/link.h"
#include "user/util/log.h"
#include "user/util/netdev.h"

void xg_explain_mtu_error(const char *cmd, const char *ifname)
{
	/* single-buffer XDP: headroom (256) + frame + skb_shared_info (320) in one page;
	 * this is veth's exact limit and the usual one elsewhere. The gate is frags-aware, so
	 * ERANGE means the driver (or the kernel) has no multi-buffer XDP for this MTU. */
	long limit = sysconf(_SC_PAGESIZE) - 256 - 320 - 14;
	int mtu = xg_netdev_mtu(ifname);
	char have[32] = "this MTU";

	if (mtu > 0)
		snprintf(have, sizeof(have), "MTU %d", mtu);
	pr_warn("%s: %s: native XDP at %s needs multi-buffer XDP (frags), which the driver "
		"does not support here (on veth the peer's MTU counts); use --mode skb or an MTU "
		"at most %ld\n",
		cmd, ifname, have, limit);
}

int xg_link_attach(int prog_fd, int ifindex, const char *ifname, int mode, const char *cmd)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	int fd;

	opts.flags = mode == XDP_MODE_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
	if (fd >= 0)
		return fd;
	fd = -errno;
	if (fd == -EOPNOTSUPP && mode != XDP_MODE_SKB)
		pr_warn("%s: %s: the driver does not support native XDP; try --mode skb\n", cmd,
			ifname);
	else if (fd == -ERANGE && mode != XDP_MODE_SKB)
		xg_explain_mtu_error(cmd, ifname);
	else if (fd == -EBUSY || fd == -EEXIST)
		pr_warn("%s: %s: another XDP program is attached; detach it first\n", cmd, ifname);
	else
		pr_warn("%s: %s: attaching failed: %s\n", cmd, ifname, strerror(-fd));
	return fd;
}

/* The XDP bpf_link running prog_id on ifindex, or 0. */
static __u32 xdp_link_id(int ifindex, __u32 prog_id)
{
	__u32 id = 0;

	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_LINK_TYPE_XDP &&
		    info.prog_id == prog_id && (int)info.xdp.ifindex == ifindex) {
			close(fd);
			return id;
		}
		close(fd);
	}
	return 0;
}

/* Does /proc/PID hold an fd on link_id? */
static bool pid_holds_link(const char *pid, __u32 link_id)
{
	char path[300], line[128];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/fdinfo", pid);
	d = opendir(path);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		FILE *f;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC);
		f = fd < 0 ? NULL : fdopen(fd, "r");
		if (!f) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		while (fgets(line, sizeof(line), f)) {
			unsigned long v;

			if (sscanf(line, "link_id: %lu", &v) == 1) {
				found = v == link_id;
				break;
			}
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

int xg_link_holder(int ifindex, __u32 prog_id, char *comm, size_t len)
{
	__u32 link_id = xdp_link_id(ifindex, prog_id);
	struct dirent *de;
	int pid = 0;
	DIR *d;

	if (!link_id)
		return 0;
	d = opendir("/proc");
	if (!d)
		return 0;
	while (!pid && (de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]) || !pid_holds_link(de->d_name, link_id))
			continue;
		pid = atoi(de->d_name);
	}
	closedir(d);
	if (pid && comm && len) {
		char path[64];
		FILE *f;

		snprintf(comm, len, "?");
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		f = fopen(path, "re");
		if (f) {
			if (fgets(comm, (int)len, f))
				comm[strcspn(comm, "\n")] = 0;
			fclose(f);
		}
	}
	return pid;
}
