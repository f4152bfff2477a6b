// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "user/gate/counters.h"

int xg_counters_read(int stats_fd, struct xg_snapshot *s)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xg_counter_val *vals;
	__u32 key;
	int cpu;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	memset(s, 0, sizeof(*s));
	s->t = xg_now();
	for (key = 0; key < XG_CNT_MAX; key++) {
		if (bpf_map_lookup_elem(stats_fd, &key, vals)) {
			int err = -errno;

			free(vals);
			return err;
		}
		for (cpu = 0; cpu < ncpu; cpu++) {
			s->c[key].packets += vals[cpu].packets;
			s->c[key].bytes += vals[cpu].bytes;
		}
	}
	free(vals);
	return 0;
}

__u64 xg_counters_rx(const struct xg_snapshot *s, int bytes)
{
	__u64 sum = 0;
	int i;

	for (i = 0; i < XG_VERDICT_MAX; i++)
		sum += bytes ? s->c[XG_CNT_VERDICT + i].bytes : s->c[XG_CNT_VERDICT + i].packets;
	return sum;
}

void xg_counters_diff(const struct xg_snapshot *a, const struct xg_snapshot *b,
		      struct xg_snapshot *out)
{
	int i;

	out->t = b->t - a->t;
	for (i = 0; i < XG_CNT_MAX; i++) {
		out->c[i].packets = b->c[i].packets - a->c[i].packets;
		out->c[i].bytes = b->c[i].bytes - a->c[i].bytes;
	}
}
