/* SPDX-License-Identifier: GPL-2.0 */
/* Each slot's gate program (struct xg_shape, common/xdpgate_rules.h): built for one shape
 * on the gate's own maps and put where the gate's entry jumps for that slot. */
#ifndef XG_GATE_SPEC_H
#define XG_GATE_SPEC_H

#include "common/xdpgate_rules.h"
#include "user/gate/maps.h"

struct bpf_object;

/* Make every map of obj (a gate object, opened, not loaded) m's own, but its rodata. 0 or
 * -errno (message printed). */
int xg_spec_reuse_maps(struct bpf_object *obj, const struct xg_gate_maps *m);
/* Load the program of shape on the maps m and make it xg_gate_progs[shape->slot]. The slot
 * must not be the active one (the caller flips to it after). 0 or -errno (message printed). */
int xg_spec_install(const struct xg_gate_maps *m, const struct xg_shape *shape);
/* The id of the program of the active slot (what the gate runs now), or 0: none, or the
 * maps cannot be read. */
__u32 xg_spec_live_id(int config_fd, int progs_fd);

#endif
