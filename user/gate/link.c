// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/if_link.h>
#include <xdp/libxdp.h>

#include "user/gate/link.h"
#include "user/util/log.h"

/* The interface's MTU by SIOCGIFMTU (sysfs shows the mount's namespace, not ours), or -1. */
static int if_mtu(const char *ifname)
{
	struct ifreq ifr = { 0 };
	int fd, mtu = -1;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (!ioctl(fd, SIOCGIFMTU, &ifr))
		mtu = ifr.ifr_mtu;
	close(fd);
	return mtu;
}

void xg_explain_mtu_error(const char *cmd, const char *ifname)
{
	/* single-buffer XDP: headroom (256) + frame + skb_shared_info (320) in one page;
	 * this is veth's exact limit and the usual one elsewhere */
	long limit = sysconf(_SC_PAGESIZE) - 256 - 320 - 14;
	int mtu = if_mtu(ifname);
	char have[64] = "";

	if (mtu > 0)
		snprintf(have, sizeof(have), "%s has %d; ", ifname, mtu);
	pr_warn("%s: %s: the MTU is too large for native XDP: a frame must fit in one page, "
		"MTU at most %ld (%son veth the peer's MTU counts); use --mode skb or a "
		"smaller MTU\n",
		cmd, ifname, limit, have);
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
