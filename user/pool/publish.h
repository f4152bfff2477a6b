/* SPDX-License-Identifier: GPL-2.0 */
/* The pool's counters: snapshots per worker (ours and the kernel's XDP_STATISTICS), the
 * per-interval report, the totals, and the JSON file `stats --json` reads. */
#ifndef XG_RUN_PUBLISH_H
#define XG_RUN_PUBLISH_H

#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>

#include "user/pool/pool.h"

struct xg_run_worker_snap {
	unsigned int queue, slot;
	bool zerocopy;
	bool sg; /* multi-buffer (XDP_USE_SG) */
	/* forwarding: the output ("" none) and whether it shares the UMEM */
	char out_ifname[IF_NAMESIZE];
	bool out_shared;
	struct xg_pool_counters c;
};

struct xg_run_snap {
	char ifname[IF_NAMESIZE];
	bool show_ifname; /* text reports start with it (set by a run of several) */
	double t;
	unsigned int n;
	struct xg_run_worker_snap w[XG_POOL_MAX_QUEUES];
};

void xg_run_snapshot(const struct xg_pool *p, struct xg_run_snap *s);
void xg_run_report(const struct xg_run_snap *a, const struct xg_run_snap *b, bool json, FILE *f);
/* After the pool has stopped: s was taken before (XDP_STATISTICS need the sockets). */
void xg_run_totals(const char *ifname, const struct xg_run_snap *s, double secs, bool json,
		   FILE *f);
/* /run/xdpgate, where run publishes its counters for `stats --json`, is root's: 0700, its
 * files 0600 (reading counters needs CAP_SYS_ADMIN anyway). 0 when it is safe (made when
 * missing and create is set; absent is fine otherwise), or -errno after one line. */
int xg_run_publish_dir(bool create);
/* Path of the published file for a gate; 0 or -1. */
int xg_run_publish_path(const struct xg_gate *g, char *path, size_t len);
void xg_run_publish(const struct xg_pool *p, const struct xg_run_snap *s);
void xg_run_unpublish(const struct xg_pool *p);
/* Read what a `run` on gate g published last into s (another process's snapshot: its t is
 * on the same CLOCK_MONOTONIC). 0, -ENOENT when no live run publishes for g, -EINVAL when
 * the file is not what run writes. */
int xg_run_publish_read(const struct xg_gate *g, struct xg_run_snap *s);
/* The published file's text (this process's pid), and reading one back by path: the two
 * halves of the above, for tests. */
void xg_run_publish_write(FILE *f, const struct xg_run_snap *s);
int xg_run_publish_read_file(const char *path, struct xg_run_snap *s);

#endif
