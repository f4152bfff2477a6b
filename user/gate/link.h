/* SPDX-License-Identifier: GPL-2.0 */
/* Process-lifetime XDP attachment through a bpf_link: the kernel removes it when the
 * last fd goes, even when the process is killed with SIGKILL. */
#ifndef XG_LINK_H
#define XG_LINK_H

/* Attach prog_fd to ifindex in mode (enum xdp_attach_mode). Returns a link fd or -errno,
 * with one line printed naming ifname and the reason. */
int xg_link_attach(int prog_fd, int ifindex, const char *ifname, int mode, const char *cmd);

/* One line for ERANGE from a native attach: frags missing at the MTU, the limit, what to do. */
void xg_explain_mtu_error(const char *cmd, const char *ifname);

#include <stddef.h>
#include <linux/types.h>
/* The pid of a process holding the XDP bpf_link that runs prog_id on ifindex (`run`
 * attaches that way), with its comm in comm; 0 when none is found (attached without a
 * link, or /proc hides it). */
int xg_link_holder(int ifindex, __u32 prog_id, char *comm, size_t len);

#endif
