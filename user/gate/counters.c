// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/xdpgate_rules.h"
#include "user/gate/counters.h"

void *xg_percpu_buf(size_t value_size, int *ncpu)
{
	*ncpu = libbpf_num_possible_cpus();
	return *ncpu > 0 ? calloc((size_t)*ncpu, value_size) : NULL;
}

int xg_counters_read(int stats_fd, struct xg_snapshot *s)
{
	int ncpu, cpu, i, err = 0;
	struct xg_stats_rec *recs = xg_percpu_buf(sizeof(*recs), &ncpu);
	__u32 key = 0;

	if (!recs)
		return ncpu <= 0 ? -EINVAL : -ENOMEM;
	memset(s, 0, sizeof(*s));
	s->t = xg_now();
	if (bpf_map_lookup_elem(stats_fd, &key, recs))
		err = -errno;
	for (cpu = 0; !err && cpu < ncpu; cpu++) {
		for (i = 0; i < XG_CNT_MAX; i++) {
			s->c[i].packets += recs[cpu].c[i].packets;
			s->c[i].bytes += recs[cpu].c[i].bytes;
		}
	}
	free(recs);
	return err;
}

int xg_counters_read_gate(int stats_fd, int config_fd, struct xg_snapshot *s)
{
	struct xg_config cfg;
	__u32 key = 0;
	int err = xg_counters_read(stats_fd, s);

	if (!err && !bpf_map_lookup_elem(config_fd, &key, &cfg))
		s->parse_off = !(cfg.slot[cfg.active & 1].flags & XG_SLOT_PARSE_CNT);
	return err;
}

bool xg_counter_is_parse(unsigned int idx)
{
	return idx >= XG_CNT_PARSE && idx <= XG_CNT_FRAG_LATER;
}

bool xg_counter_kept(const struct xg_snapshot *s, unsigned int idx)
{
	return !(s->parse_off && xg_counter_is_parse(idx));
}

int xg_counters_zero(int stats_fd)
{
	int ncpu, err = 0;
	struct xg_stats_rec *recs = xg_percpu_buf(sizeof(*recs), &ncpu);
	__u32 key = 0;

	if (!recs)
		return ncpu <= 0 ? -EINVAL : -ENOMEM;
	if (bpf_map_update_elem(stats_fd, &key, recs, BPF_ANY))
		err = -errno;
	free(recs);
	return err;
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
	out->parse_off = b->parse_off;
	for (i = 0; i < XG_CNT_MAX; i++) {
		out->c[i].packets = b->c[i].packets - a->c[i].packets;
		out->c[i].bytes = b->c[i].bytes - a->c[i].bytes;
	}
}
