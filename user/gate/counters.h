/* SPDX-License-Identifier: GPL-2.0 */
/* Reading the gate's per-CPU counters and turning two snapshots into rates. */
#ifndef XG_COUNTERS_H
#define XG_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#include "common/xdpgate_consts.h"
#include "common/xdpgate_structs.h"
#include "user/util/time.h" /* xg_now, the clock of snapshots */

struct xg_snapshot {
	double t;			     /* CLOCK_MONOTONIC seconds */
	struct xg_counter_val c[XG_CNT_MAX]; /* summed over CPUs */
	/* the live set has no `counters parse`: the parse-outcome and fragment counters are
	 * not kept (shown as off, never as 0); set by xg_counters_read_gate */
	bool parse_off;
};

/* One zeroed value per possible CPU, the buffer a per-CPU map lookup or update takes; the
 * count in *ncpu. NULL when out of memory or the CPUs cannot be counted (*ncpu <= 0). */
void *xg_percpu_buf(size_t value_size, int *ncpu);
/* Read and sum the per-CPU stats map. 0 or -errno. */
int xg_counters_read(int stats_fd, struct xg_snapshot *s);
/* The same, and from the config map whether the live set keeps the parse counters. */
int xg_counters_read_gate(int stats_fd, int config_fd, struct xg_snapshot *s);
/* Counter idx is a parse outcome or a fragment count (kept only with `counters parse`). */
bool xg_counter_is_parse(unsigned int idx);
/* Counter idx has a value to show in s (not a parse counter the live set does not keep). */
bool xg_counter_kept(const struct xg_snapshot *s, unsigned int idx);
/* Zero every CPU's record. 0 or -errno. */
int xg_counters_zero(int stats_fd);
/* Frames seen = sum of the verdict counters. */
__u64 xg_counters_rx(const struct xg_snapshot *s, int bytes);
/* out = b - a, counter by counter (t too). */
void xg_counters_diff(const struct xg_snapshot *a, const struct xg_snapshot *b,
		      struct xg_snapshot *out);
#endif
