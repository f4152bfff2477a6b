/* SPDX-License-Identifier: GPL-2.0 */
/* The top sources of each gate that counts flows, as Prometheus text: the N heaviest by
 * packets and by bytes since their flows began (estimates when sampled), so the label
 * count stays bounded by N per interface whatever the flood. */
#ifndef XG_FLOWS_PROM_H
#define XG_FLOWS_PROM_H

#include <stddef.h>
#include <stdio.h>

struct xg_flows_prom_if {
	const char *ifname;
	int config, flow_cfg, flows, stats; /* the gate's map fds */
};

#define XG_FLOWS_PROM_TOP 10

/* Write the families for ifs (interfaces without `flows` add nothing); label() writes a
 * label value escaped. */
void xg_flows_prom(FILE *f, const struct xg_flows_prom_if *ifs, size_t n,
		   void (*label)(FILE *f, const char *s));

#endif
