/* SPDX-License-Identifier: GPL-2.0 */
/* The persistent gate on one interface: attach through libxdp (so xdp-loader and other
 * libxdp users see and keep it), pin its maps, find them again, detach. */
#ifndef XG_GATE_H
#define XG_GATE_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>

#include <linux/types.h>

#define XG_PROG_NAME "xdpgate"

struct xg_gate {
	int ifindex;
	char ifname[IF_NAMESIZE];
	char pin_dir[PATH_MAX];
};

struct xg_gate_info {
	bool attached; /* our program is on the interface */
	bool pinned;   /* our maps are pinned for it */
	int mode;      /* enum xdp_attach_mode */
	__u32 prog_id;	     /* the gate's entry, what is attached */
	__u32 set_prog_id;   /* the live rule set's program it hands frames to; 0: unknown */
	__u32 dispatcher_id; /* 0 when attached directly (no libxdp dispatcher) */
	__u32 other_prog_id; /* somebody else's program holds the interface */
	char other_prog_name[32];
};

/* Resolve ifname in the current namespace. Prints "no such interface" on failure. */
int xg_gate_init(struct xg_gate *g, const char *cmd, const char *ifname);
/* 0 with info filled (attached or not), or -errno when the kernel would not say. */
int xg_gate_query(const struct xg_gate *g, struct xg_gate_info *info);
/* The interface was deleted (or renamed) since xg_gate_init: one ioctl, cheap to poll. */
bool xg_gate_iface_gone(const struct xg_gate *g);
struct xdpgate_bpf;
/* Load skel, prepared with its rule set (xg_rules_gate_prepare without load), attach it through
 * libxdp and pin its maps. 0 or -errno (message printed). */
int xg_gate_attach(struct xg_gate *g, int mode, struct xdpgate_bpf *skel);
int xg_gate_detach(struct xg_gate *g);
/* Open a pinned map of this gate; prints "not attached" when it is missing. */
int xg_gate_map_fd(const struct xg_gate *g, const char *cmd, const char *map);
/* Take the gate's exclusive lock against other rule changes (flock on its pin directory).
 * The fd, to close to release it, or -errno (message printed, naming cmd). */
int xg_gate_lock(const struct xg_gate *g, const char *cmd);
/* "native", "skb", "hw" or "none" for an enum xdp_attach_mode. */
const char *xg_mode_name(int xdp_attach_mode);

#endif
