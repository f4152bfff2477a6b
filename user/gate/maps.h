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
		flows, flow_cfg, flow_stats;
	/* the gate's program is frags-aware, so `match` programs must be too (a progs map
	 * takes programs of one kind); known only for maps made here, not opened from pins */
	bool match_frags;
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
/* Make prog_fd (the gate's program, loaded) the continuation that `match` programs
 * tail-call (XG_MATCH_PROG_CONT of the progs map progs_fd). 0 or -errno (message printed). */
int xg_gate_match_cont(int progs_fd, int prog_fd);
/* Whether a slot of the gate whose config map is config_fd has a `match` set. */
bool xg_gate_has_match(int config_fd);
/* A new, empty trie of the kind the gate's set map holds. fd or -errno. */
int xg_set_trie_create(void);
/* A new flat IPv4 table of nelems values (struct xg_set4_elem) of the kind xg_sets4 holds,
 * mmapable so that it is filled with one copy. fd or -errno. */
int xg_set4_map_create(__u32 nelems);

#endif
