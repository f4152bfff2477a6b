// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <linux/if_link.h>
#include <xdp/libxdp.h>

#include "user/gate/link.h"
#include "user/util/log.h"

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
	else if (fd == -EBUSY || fd == -EEXIST)
		pr_warn("%s: %s: another XDP program is attached; detach it first\n", cmd, ifname);
	else
		pr_warn("%s: %s: attaching failed: %s\n", cmd, ifname, strerror(-fd));
	return fd;
}
