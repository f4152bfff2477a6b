/* SPDX-License-Identifier: GPL-2.0 */
/* A gate made ready to load or attach: its skeleton opened, its maps created and filled
 * before the program exists, so the first frame it sees is classified by what the caller
 * put in them. What goes in (a rule set) is the caller's business: the gate knows no rules. */
#ifndef XG_GATE_PREP_H
#define XG_GATE_PREP_H

#include <stdbool.h>

#include "user/gate/maps.h"

struct xdpgate_bpf;

/* A gate ready to load or loaded: its skeleton, using maps that already hold a rule set. */
struct xg_gate_prep {
	struct xdpgate_bpf *skel;
	struct xg_gate_maps maps;
};

/* What the caller makes of a fresh gate, arg its own: shape, on the skeleton just opened
 * (rodata, map sizes: the maps do not exist yet), then fill, on the maps made. 0 or
 * -errno, with the message printed. */
struct xg_gate_fill {
	int (*shape)(struct xdpgate_bpf *skel, const void *arg);
	int (*fill)(const struct xg_gate_maps *m, const void *arg);
};

/* Open the gate's skeleton, create its maps and fill them, then with load set load the
 * program too (attach leaves loading to libxdp). 0 or -errno, with the message printed;
 * nothing is left to release on failure. */
int xg_gate_prepare(struct xg_gate_prep *gp, const struct xg_gate_fill *f, const void *arg,
		    bool load);
/* Close the maps and destroy the skeleton (a loaded program stays only where attached). */
void xg_gate_release(struct xg_gate_prep *gp);

#endif
