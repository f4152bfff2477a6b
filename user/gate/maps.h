/* SPDX-License-Identifier: GPL-2.0 */
/* The gate's maps by fd: created for a gate that is not loaded yet, or opened from the pins
 * of an attached one. What goes into them is the rules loader's business. */
#ifndef XG_GATE_MAPS_H
#define XG_GATE_MAPS_H

#include <stdbool.h>

#include <linux/types.h>

struct xdpgate_bpf;
struct xg_gate;

/* The maps a rule set lives in. All fds, -1 when closed. */
struct xg_gate_maps {
	int config, ec, src, dst, src4, dst4, bits, w64, actions, rule_stats, rule_text, rule_base,
		stats, pending, sets, sets4, set_info, limits, leases, match_progs, match_scratch,
		flows, flow_cfg, flow_stats, gate_progs, cache, xsks, xsk_steer, log, ct_inject, variants,
		variant_info;
};

/* Every fd closed (-1): the state close() and the error paths expect. */
void xg_gate_maps_init(struct xg_gate_maps *m);
/* Open the pinned maps of an attached gate. 0 or -errno (message printed, naming cmd). */
int xg_gate_maps_open(const struct xg_gate *g, const char *cmd, struct xg_gate_maps *m);
/* Create maps like the skeleton's (before it is loaded) and make the skeleton use them,
 * so a rule set can be in place before the program first runs. 0 or -errno (message
 * printed). */
int xg_gate_maps_create(struct xdpgate_bpf *skel, struct xg_gate_maps *m);
void xg_gate_maps_close(struct xg_gate_maps *m);
/* The fd of the gate's map named name, or -1 (not one of the gate's maps). */
int xg_gate_maps_fd(const struct xg_gate_maps *m, const char *name);
/* A new, empty trie of the kind the gate's set map holds. fd or -errno. */
int xg_set_trie_create(void);
/* A new flat IPv4 table of nelems values (struct xg_set4_elem) of the kind xg_sets4 holds,
 * mmapable so that it is filled with one copy. fd or -errno. */
int xg_set4_map_create(__u32 nelems);

#endif
