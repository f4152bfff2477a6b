/* SPDX-License-Identifier: GPL-2.0 */
/* The gate's skeleton, after the types its rodata names (struct xg_shape): bpftool's
 * generated header includes none of them. Include this, never xdpgate.skel.h itself. */
#ifndef XG_GATE_SKEL_H
#define XG_GATE_SKEL_H

#include "common/ct_state.h"
#include "common/xdpgate_rules.h"
#include "xdpgate.skel.h"

#endif
