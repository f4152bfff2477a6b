// SPDX-License-Identifier: GPL-2.0
/* The gate's flow table from userspace (user/flows/table.h). The table is a per-CPU LRU
 * hash: a lookup returns one value per possible CPU, which are summed here; a CPU that
 * never saw the flow holds zeroes (first_ns 0). Entries may vanish between get_next_key
 * and lookup (the LRU evicts under us): those are skipped, not errors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "user/flows/table.h"

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct xg_flow_key));
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void sum_cpus(struct xg_flow_rec *r, const struct xg_flow_val *v, int ncpus)
{
	int c;

	for (c = 0; c < ncpus; c++) {
		if (!v[c].first_ns)
			continue;
		r->packets += v[c].packets;
		r->bytes += v[c].bytes;
		if (!r->first_ns || v[c].first_ns < r->first_ns)
			r->first_ns = v[c].first_ns;
		if (v[c].last_ns > r->last_ns)
			r->last_ns = v[c].last_ns;
		if (v[c].rate > r->rate)
			r->rate = v[c].rate;
	}
}

static int push(struct xg_flow_snap *s, const struct xg_flow_rec *r)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		struct xg_flow_rec *nr = realloc(s->r, cap * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		s->r = nr;
		s->cap = cap;
	}
	s->r[s->n++] = *r;
	return 0;
}

static int read_counters(int stats_fd, struct xg_flow_snap *s, int ncpus)
{
	__u64 *v = calloc((size_t)ncpus, sizeof(*v));
	__u32 i;
	int c;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < XG_FLOW_CNT_MAX; i++) {
		s->counters[i] = 0;
		if (bpf_map_lookup_elem(stats_fd, &i, v)) {
			free(v);
			return -errno;
		}
		for (c = 0; c < ncpus; c++)
			s->counters[i] += v[c];
	}
	free(v);
	return 0;
}

/* Keys read twice (a walk restarted by an eviction) kept once. */
static void dedup(struct xg_flow_snap *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		if (!n || key_cmp(&s->r[n - 1].k, &s->r[i].k))
			s->r[n++] = s->r[i];
	s->n = n;
}

static uint64_t walk_max(int fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 1U << 22 : 2ULL * info.max_entries;
}

int xg_flow_snap_read(int flows_fd, int stats_fd, struct xg_flow_snap *s)
{
	int ncpus = libbpf_num_possible_cpus(), err = 0;
	struct xg_flow_key key, next;
	struct xg_flow_val *v;
	void *prev = NULL;
	uint64_t steps = 0, max = walk_max(flows_fd);

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	v = calloc((size_t)ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->n = 0;
	s->read_ns = mono_ns();
	/* a key evicted under the walk makes get_next_key start again from the first: bounded
	 * to twice the table, duplicates dropped after the sort */
	while (!err && steps++ < max && !bpf_map_get_next_key(flows_fd, prev, &next)) {
		struct xg_flow_rec r = { .k = next };

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(flows_fd, &key, v))
			continue; /* evicted meanwhile */
		sum_cpus(&r, v, ncpus);
		if (r.packets)
			err = push(s, &r);
	}
	free(v);
	if (!err && stats_fd >= 0)
		err = read_counters(stats_fd, s, ncpus);
	if (!err) {
		qsort(s->r, s->n, sizeof(*s->r), key_cmp);
		dedup(s);
	}
	return err;
}

void xg_flow_snap_free(struct xg_flow_snap *s)
{
	free(s->r);
	memset(s, 0, sizeof(*s));
}

const struct xg_flow_rec *xg_flow_snap_find(const struct xg_flow_snap *s,
					    const struct xg_flow_key *k)
{
	return s->n ? bsearch(k, s->r, s->n, sizeof(*s->r), key_cmp) : NULL;
}

uint64_t xg_flow_snap_evicted(const struct xg_flow_snap *s)
{
	uint64_t gone = s->n + s->counters[XG_FLOW_DELETED];

	return s->counters[XG_FLOW_INSERTS] > gone ? s->counters[XG_FLOW_INSERTS] - gone : 0;
}

static struct xg_flow_key project(const struct xg_flow_key *k, enum xg_flow_by by)
{
	struct xg_flow_key p = { 0 };

	switch (by) {
	case XG_BY_SRC:
		memcpy(p.src, k->src, sizeof(p.src));
		p.family = k->family;
		break;
	case XG_BY_DST:
		memcpy(p.dst, k->dst, sizeof(p.dst));
		p.family = k->family;
		break;
	case XG_BY_RULE:
		p.rule = k->rule;
		p.verdict = k->verdict;
		break;
	default:
		p = *k;
	}
	return p;
}

static int group_cmp(const void *a, const void *b)
{
	const struct xg_flow_group *x = a, *y = b;

	if (x->pps != y->pps)
		return x->pps < y->pps ? 1 : -1;
	if (x->packets != y->packets)
		return x->packets < y->packets ? 1 : -1;
	return key_cmp(&x->k, &y->k);
}

static void add_to(struct xg_flow_group *g, const struct xg_flow_rec *r,
		   const struct xg_flow_rec *old, double secs)
{
	uint64_t rate = r->rate ? r->rate : 1;

	g->packets += r->packets * rate;
	g->bytes += r->bytes * rate;
	if (secs > 0) {
		/* an entry evicted and made again counts from zero: never a negative rate */
		uint64_t dp =
			old && r->packets >= old->packets ? r->packets - old->packets : r->packets;
		uint64_t db = old && r->bytes >= old->bytes ? r->bytes - old->bytes : r->bytes;

		g->pps += (double)(dp * rate) / secs;
		g->bps += (double)(db * rate) * 8 / secs;
	}
	if (r->rate > g->rate)
		g->rate = r->rate;
	g->nflows++;
}

long xg_flow_group(const struct xg_flow_snap *prev, const struct xg_flow_snap *cur,
		   enum xg_flow_by by, struct xg_flow_group **out)
{
	double secs = prev ? (double)(cur->read_ns - prev->read_ns) / 1e9 : 0;
	struct xg_flow_group *g = calloc(cur->n ? cur->n : 1, sizeof(*g));
	size_t i, n = 0;

	if (!g)
		return -ENOMEM;
	/* project every flow, sort the projections, then merge equal neighbours in place (the
	 * group written, n - 1, is never past the one read, i) */
	for (i = 0; i < cur->n; i++) {
		g[i].k = project(&cur->r[i].k, by);
		g[i].rate = (uint32_t)i; /* the flow's index, until merged */
	}
	qsort(g, cur->n, sizeof(*g), key_cmp);
	for (i = 0; i < cur->n; i++) {
		const struct xg_flow_rec *r = &cur->r[g[i].rate];
		struct xg_flow_group *to;

		if (!n || key_cmp(&g[n - 1].k, &g[i].k)) {
			to = &g[n++];
			to->k = g[i].k;
			to->packets = to->bytes = 0;
			to->pps = to->bps = 0;
			to->nflows = 0;
			to->rate = 0;
		} else {
			to = &g[n - 1];
		}
		add_to(to, r, prev ? xg_flow_snap_find(prev, &r->k) : NULL, secs);
	}
	qsort(g, n, sizeof(*g), group_cmp);
	*out = g;
	return (long)n;
}
