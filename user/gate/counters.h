/* SPDX-License-Identifier: GPL-2.0 */
/* Reading the gate's per-CPU counters and turning two snapshots into rates. */
#ifndef XG_COUNTERS_H
#define XG_COUNTERS_H

#include <stddef.h>

#include <linux/types.h>

#include "common/xdpgate_consts.h"
#include "common/xdpgate_structs.h"
#include "user/util/time.h" /* xg_now, the clock of snapshots */

struct xg_snapshot {
	double t;			     /* CLOCK_MONOTONIC seconds */
	struct xg_counter_val c[XG_CNT_MAX]; /* summed over CPUs */
};

/* One zeroed value per possible CPU, the buffer a per-CPU map lookup or update takes; the
 * count in *ncpu. NULL when out of memory or the CPUs cannot be counted (*ncpu <= 0). */
void *xg_percpu_buf(size_t value_size, int *ncpu);
/* Read and sum the per-CPU stats map. 0 or -errno. */
int xg_counters_read(int stats_fd, struct xg_snapshot *s);
/* Zero every CPU's record. 0 or -errno. */
int xg_counters_zero(int stats_fd);
/* Frames seen = sum of the verdict counters. */
__u64 xg_counters_rx(const struct xg_snapshot *s, int bytes);
/* out = b - a, counter by counter (t too). */
void xg_counters_diff(const struct xg_snapshot *a, const struct xg_snapshot *b,
		      struct xg_snapshot *out);
#endif
