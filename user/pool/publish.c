// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "user/gate/counters.h"
#include "user/gate/gate.h"
#include "user/pool/publish.h"
#include "user/util/secdir.h"

#define RUN_DIR "/run/xdpgate"

void xg_run_snapshot(const struct xg_pool *p, struct xg_run_snap *s)
{
	struct xg_pool_worker_info info;
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->t = xg_now();
	s->n = xg_pool_nworkers(p);
	snprintf(s->ifname, sizeof(s->ifname), "%s", xg_pool_ifname(p));
	for (i = 0; i < s->n; i++) {
		xg_pool_worker_info(p, i, &info);
		s->w[i].queue = info.queue;
		s->w[i].slot = info.slot;
		s->w[i].zerocopy = info.zerocopy;
		snprintf(s->w[i].out_ifname, sizeof(s->w[i].out_ifname), "%s", info.out_ifname);
		s->w[i].out_shared = info.out_shared;
		xg_pool_counters(p, i, &s->w[i].c);
	}
}

/* Whether the queues have several workers: then text lines name the worker too. */
static bool several_a_queue(const struct xg_run_snap *s)
{
	return s->n > 1 && s->w[1].slot;
}

/* "IFACE queue N" or "queue N", and " worker K" with several workers a queue. */
static void who(FILE *f, const struct xg_run_snap *s, unsigned int i)
{
	fprintf(f, "%s%squeue %u", s->show_ifname ? s->ifname : "", s->show_ifname ? " " : "",
		s->w[i].queue);
	if (several_a_queue(s))
		fprintf(f, " worker %u", s->w[i].slot);
}

static void interval_line(FILE *f, const struct xg_run_snap *b, unsigned int i,
			  const struct xg_pool_counters *x, const struct xg_pool_counters *y,
			  double dt)
{
	who(f, b, i);
	fprintf(f, "  rx %12.0f pkt/s  tx %12.0f pkt/s  kernel drops %llu\n", (y->rx - x->rx) / dt,
		(y->tx - x->tx) / dt,
		(unsigned long long)(y->xs.rx_dropped - x->xs.rx_dropped + y->xs.rx_ring_full -
				     x->xs.rx_ring_full));
}

void xg_run_report(const struct xg_run_snap *a, const struct xg_run_snap *b, bool json, FILE *f)
{
	double dt = b->t - a->t > 0 ? b->t - a->t : 1;
	unsigned int i;

	for (i = 0; i < b->n; i++) {
		const struct xg_pool_counters *x = &a->w[i].c, *y = &b->w[i].c;

		if (json)
			fprintf(f,
				"{\"interface\":\"%s\",\"queue\":%u,\"worker\":%u,"
				"\"interval\":%.3f,\"rx_pps\":%.1f,\"tx_pps\":%.1f,"
				"\"rx_dropped\":%llu,\"rx_ring_full\":%llu}\n",
				b->ifname, b->w[i].queue, b->w[i].slot, dt, (y->rx - x->rx) / dt,
				(y->tx - x->tx) / dt,
				(unsigned long long)(y->xs.rx_dropped - x->xs.rx_dropped),
				(unsigned long long)(y->xs.rx_ring_full - x->xs.rx_ring_full));
		else
			interval_line(f, b, i, x, y, dt);
	}
	fflush(f);
}

static void worker_json(FILE *f, const char *ifname, const struct xg_run_worker_snap *ws)
{
	const struct xg_pool_counters *w = &ws->c;

	fprintf(f, "{\"interface\":\"%s\",", ifname);
	if (ws->out_ifname[0])
		fprintf(f, "\"out\":\"%s\",\"forward\":\"%s\",", ws->out_ifname,
			ws->out_shared ? "shared-umem" : "copy");
	fprintf(f,
		"\"queue\":%u,\"worker\":%u,\"mode\":\"%s\",\"rx\":%llu,\"tx\":%llu,\"handled\":%"
		"llu,"
		"\"dropped\":{\"malformed\":%llu,\"tx_ring_full\":%llu,\"tx_bad_len\":%llu},"
		"\"errors\":%llu,\"wakeups\":%llu,\"xdp_statistics\":{\"rx_dropped\":%llu,"
		"\"rx_invalid_descs\":%llu,\"tx_invalid_descs\":%llu,\"rx_ring_full\":%llu,"
		"\"rx_fill_ring_empty_descs\":%llu,\"tx_ring_empty_descs\":%llu}}",
		ws->queue, ws->slot, ws->zerocopy ? "zero-copy" : "copy", (unsigned long long)w->rx,
		(unsigned long long)w->tx, (unsigned long long)w->handled,
		(unsigned long long)w->dropped_malformed, (unsigned long long)w->dropped_tx_full,
		(unsigned long long)w->dropped_tx_bad_len, (unsigned long long)w->errors,
		(unsigned long long)w->wakeups, (unsigned long long)w->xs.rx_dropped,
		(unsigned long long)w->xs.rx_invalid_descs,
		(unsigned long long)w->xs.tx_invalid_descs, (unsigned long long)w->xs.rx_ring_full,
		(unsigned long long)w->xs.rx_fill_ring_empty_descs,
		(unsigned long long)w->xs.tx_ring_empty_descs);
}

static void workers_json(FILE *f, const struct xg_run_snap *s)
{
	unsigned int i;

	fprintf(f, "\"workers\":[");
	for (i = 0; i < s->n; i++) {
		fprintf(f, "%s", i ? "," : "");
		worker_json(f, s->ifname, &s->w[i]);
	}
	fprintf(f, "]");
}

void xg_run_totals(const char *ifname, const struct xg_run_snap *s, double secs, bool json, FILE *f)
{
	unsigned int i;

	if (json) {
		fprintf(f, "{\"interface\":\"%s\",\"duration\":%.3f,", ifname, secs);
		workers_json(f, s);
		fprintf(f, "}\n");
		return;
	}
	for (i = 0; i < s->n; i++) {
		const struct xg_pool_counters *w = &s->w[i].c;

		who(f, s, i);
		fprintf(f,
			" totals over %.1f s: rx %llu, tx %llu, handled %llu, dropped: "
			"malformed %llu, tx ring full %llu, tx bad length %llu; kernel: rx_dropped "
			"%llu, rx_ring_full %llu, fill ring empty %llu\n",
			secs, (unsigned long long)w->rx, (unsigned long long)w->tx,
			(unsigned long long)w->handled, (unsigned long long)w->dropped_malformed,
			(unsigned long long)w->dropped_tx_full,
			(unsigned long long)w->dropped_tx_bad_len,
			(unsigned long long)w->xs.rx_dropped,
			(unsigned long long)w->xs.rx_ring_full,
			(unsigned long long)w->xs.rx_fill_ring_empty_descs);
	}
	fflush(f);
}

int xg_run_publish_dir(bool create)
{
	int err = xg_secure_dir(RUN_DIR, create);

	return err == -ENOENT && !create ? 0 : err;
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
	int fd;

	if (xg_run_publish_path(xg_pool_gate(p), path, sizeof(path)))
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* root only, like the directory (xg_run_publish_dir, checked before the pool starts) */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return;
	}
	fprintf(f, "{\"pid\":%d,", (int)getpid());
	workers_json(f, s);
	fprintf(f, "}\n");
	if (fclose(f) == 0)
		rename(tmp, path); /* readers see a whole file or the previous one */
}

void xg_run_unpublish(const struct xg_pool *p)
{
	char path[PATH_MAX];

	if (!xg_run_publish_path(xg_pool_gate(p), path, sizeof(path)))
		unlink(path);
}
