// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "user/gate/counters.h"
#include "user/pool/publish.h"

#define RUN_DIR "/run/xdpgate"

void xg_run_snapshot(const struct xg_pool *p, struct xg_run_snap *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->t = xg_now();
	s->n = p->nworkers;
	for (i = 0; i < p->nworkers; i++) {
		const struct xg_worker_stats *st = &p->w[i].st;
		struct xg_run_worker_snap *w = &s->w[i];
		socklen_t len = sizeof(w->xs);

		w->rx = atomic_load(&st->rx);
		w->tx = atomic_load(&st->tx);
		w->handled = atomic_load(&st->handled);
		w->dropped_malformed = atomic_load(&st->dropped_malformed);
		w->dropped_tx_full = atomic_load(&st->dropped_tx_full);
		w->errors = atomic_load(&st->errors);
		w->wakeups = atomic_load(&st->wakeups);
		if (p->w[i].q.xsk)
			getsockopt(xg_xsk_fd(&p->w[i].q), SOL_XDP, XDP_STATISTICS, &w->xs, &len);
	}
}

void xg_run_report(const struct xg_pool *p, const struct xg_run_snap *a,
		   const struct xg_run_snap *b, bool json, FILE *f)
{
	double dt = b->t - a->t > 0 ? b->t - a->t : 1;
	unsigned int i;

	for (i = 0; i < b->n; i++) {
		const struct xg_run_worker_snap *x = &a->w[i], *y = &b->w[i];

		if (json)
			fprintf(f,
				"{\"queue\":%u,\"interval\":%.3f,\"rx_pps\":%.1f,\"tx_pps\":%.1f,"
				"\"rx_dropped\":%llu,\"rx_ring_full\":%llu}\n",
				p->w[i].queue, dt, (y->rx - x->rx) / dt, (y->tx - x->tx) / dt,
				(unsigned long long)(y->xs.rx_dropped - x->xs.rx_dropped),
				(unsigned long long)(y->xs.rx_ring_full - x->xs.rx_ring_full));
		else
			fprintf(f,
				"queue %-3u rx %12.0f pkt/s  tx %12.0f pkt/s  kernel drops %llu\n",
				p->w[i].queue, (y->rx - x->rx) / dt, (y->tx - x->tx) / dt,
				(unsigned long long)(y->xs.rx_dropped - x->xs.rx_dropped +
						     y->xs.rx_ring_full - x->xs.rx_ring_full));
	}
	fflush(f);
}

static void worker_json(FILE *f, unsigned int queue, bool zc, const struct xg_run_worker_snap *w)
{
	fprintf(f,
		"{\"queue\":%u,\"mode\":\"%s\",\"rx\":%llu,\"tx\":%llu,\"handled\":%llu,"
		"\"dropped\":{\"malformed\":%llu,\"tx_ring_full\":%llu},\"errors\":%llu,"
		"\"wakeups\":%llu,\"xdp_statistics\":{\"rx_dropped\":%llu,\"rx_invalid_descs\":%"
		"llu,"
		"\"tx_invalid_descs\":%llu,\"rx_ring_full\":%llu,\"rx_fill_ring_empty_descs\":%llu,"
		"\"tx_ring_empty_descs\":%llu}}",
		queue, zc ? "zero-copy" : "copy", (unsigned long long)w->rx,
		(unsigned long long)w->tx, (unsigned long long)w->handled,
		(unsigned long long)w->dropped_malformed, (unsigned long long)w->dropped_tx_full,
		(unsigned long long)w->errors, (unsigned long long)w->wakeups,
		(unsigned long long)w->xs.rx_dropped, (unsigned long long)w->xs.rx_invalid_descs,
		(unsigned long long)w->xs.tx_invalid_descs, (unsigned long long)w->xs.rx_ring_full,
		(unsigned long long)w->xs.rx_fill_ring_empty_descs,
		(unsigned long long)w->xs.tx_ring_empty_descs);
}

static void workers_json(FILE *f, const struct xg_pool *p, const struct xg_run_snap *s)
{
	unsigned int i;

	fprintf(f, "\"workers\":[");
	for (i = 0; i < s->n; i++) {
		fprintf(f, "%s", i ? "," : "");
		worker_json(f, p->w[i].queue, p->w[i].q.zerocopy, &s->w[i]);
	}
	fprintf(f, "]");
}

void xg_run_totals(const struct xg_pool *p, const struct xg_run_snap *s, double secs, bool json,
		   FILE *f)
{
	unsigned int i;

	if (json) {
		fprintf(f, "{\"interface\":\"%s\",\"duration\":%.3f,", p->g.ifname, secs);
		workers_json(f, p, s);
		fprintf(f, "}\n");
		return;
	}
	for (i = 0; i < s->n; i++) {
		const struct xg_run_worker_snap *w = &s->w[i];

		fprintf(f,
			"queue %u totals over %.1f s: rx %llu, tx %llu, handled %llu, dropped: "
			"malformed %llu, tx ring full %llu; kernel: rx_dropped %llu, rx_ring_full "
			"%llu, fill ring empty %llu\n",
			p->w[i].queue, secs, (unsigned long long)w->rx, (unsigned long long)w->tx,
			(unsigned long long)w->handled, (unsigned long long)w->dropped_malformed,
			(unsigned long long)w->dropped_tx_full,
			(unsigned long long)w->xs.rx_dropped,
			(unsigned long long)w->xs.rx_ring_full,
			(unsigned long long)w->xs.rx_fill_ring_empty_descs);
	}
	fflush(f);
}

int xg_run_publish_path(const struct xg_gate *g, char *path, size_t len)
{
	const char *ns = strstr(g->pin_dir, "/ns");
	int n;

	if (!ns)
		return -1;
	/* same identity as the pin directory: ns<inode>/if<ifindex> -> ns<inode>-if<ifindex> */
	n = snprintf(path, len, "%s%s.json", RUN_DIR, ns);
	if (n < 0 || (size_t)n >= len)
		return -1;
	path[strlen(RUN_DIR) + (strchr(ns + 1, '/') - ns)] = '-';
	return 0;
}

void xg_run_publish(const struct xg_pool *p, const struct xg_run_snap *s)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *f;

	if (xg_run_publish_path(&p->g, path, sizeof(path)))
		return;
	mkdir(RUN_DIR, 0755);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return;
	fprintf(f, "{\"pid\":%d,", (int)getpid());
	workers_json(f, p, s);
	fprintf(f, "}\n");
	if (fclose(f) == 0)
		rename(tmp, path); /* readers see a whole file or the previous one */
}

void xg_run_unpublish(const struct xg_pool *p)
{
	char path[PATH_MAX];

	if (!xg_run_publish_path(&p->g, path, sizeof(path)))
		unlink(path);
}
