/* SPDX-License-Identifier: GPL-2.0 */
/* The gate's flow table read from userspace: every flow summed over the CPUs, the table's
 * counters, and flows grouped (by source, destination, rule or whole flow) with rates
 * between two reads. Used by `flows` and by the IPFIX exporter. */
#ifndef XG_FLOWS_TABLE_H
#define XG_FLOWS_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "common/xdpgate_flows.h"

/* One flow, all CPUs summed; counts are of accounted frames (estimate: count * rate). */
struct xg_flow_rec {
	struct xg_flow_key k;
	uint64_t packets, bytes, first_ns, last_ns;
	uint32_t rate;
};

struct xg_flow_snap {
	struct xg_flow_rec *r; /* sorted by key */
	size_t n, cap;
	uint64_t counters[XG_FLOW_CNT_MAX]; /* enum xg_flow_counter, summed */
	uint64_t read_ns;		    /* CLOCK_MONOTONIC when read */
};

/* Read the table (flows_fd) and its counters (stats_fd) into s (zeroed, or a snapshot
 * to reuse). 0 or -errno. */
int xg_flow_snap_read(int flows_fd, int stats_fd, struct xg_flow_snap *s);
void xg_flow_snap_free(struct xg_flow_snap *s);
/* The flow with key k in s, or NULL. */
const struct xg_flow_rec *xg_flow_snap_find(const struct xg_flow_snap *s,
					    const struct xg_flow_key *k);
/* Entries the LRU evicted: inserts - present - deleted by the exporter (never below 0). */
uint64_t xg_flow_snap_evicted(const struct xg_flow_snap *s);

enum xg_flow_by { XG_BY_FLOW, XG_BY_SRC, XG_BY_DST, XG_BY_RULE };

/* A group of flows: the key with what the grouping ignores zeroed. packets and bytes are
 * estimates (sampled counts times their rate); the rates are per second between the two
 * reads (0 when there was one). */
struct xg_flow_group {
	struct xg_flow_key k;
	uint64_t packets, bytes;
	double pps, bps;
	uint32_t rate; /* the sampling rate of its flows (the largest, if they differ) */
	uint32_t nflows;
};

/* Group cur (with rates against prev, which may be NULL) by by, heaviest first by packets
 * per second then packets. The groups in *out (caller frees), their number, or -ENOMEM. */
long xg_flow_group(const struct xg_flow_snap *prev, const struct xg_flow_snap *cur,
		   enum xg_flow_by by, struct xg_flow_group **out);

#endif
