/* SPDX-License-Identifier: GPL-2.0 */
/* The pool's counters: snapshots per worker (ours and the kernel's XDP_STATISTICS), the
 * per-interval report, the totals, and the JSON file `stats --json` reads. */
#ifndef XG_RUN_PUBLISH_H
#define XG_RUN_PUBLISH_H

#include <linux/if_xdp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "user/pool/pool.h"

struct xg_run_worker_snap {
	uint64_t rx, tx, handled, dropped_malformed, dropped_tx_full, errors, wakeups;
	struct xdp_statistics xs;
};

struct xg_run_snap {
	double t;
	unsigned int n;
	struct xg_run_worker_snap w[XG_POOL_MAX_QUEUES];
};

void xg_run_snapshot(const struct xg_pool *p, struct xg_run_snap *s);
void xg_run_report(const struct xg_pool *p, const struct xg_run_snap *a,
		   const struct xg_run_snap *b, bool json, FILE *f);
void xg_run_totals(const struct xg_pool *p, const struct xg_run_snap *s, double secs, bool json,
		   FILE *f);
/* Path of the published file for a gate; 0 or -1. */
int xg_run_publish_path(const struct xg_gate *g, char *path, size_t len);
void xg_run_publish(const struct xg_pool *p, const struct xg_run_snap *s);
void xg_run_unpublish(const struct xg_pool *p);

#endif
