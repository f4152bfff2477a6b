// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stddef.h>
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
		s->w[i].sg = info.sg;
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

/* The fields of a worker's published counters, one table for the writer and the reader
 * (`top`); sec groups a field into a nested object. */
#define PF(sec, key, field)                                           \
	{                                                             \
		sec, key, offsetof(struct xg_pool_counters, field),   \
			sizeof(((struct xg_pool_counters *)0)->field) \
	}
static const struct pub_field {
	const char *sec, *key;
	size_t off, size;
} pub_fields[] = {
	PF(NULL, "rx", rx),
	PF(NULL, "tx", tx),
	PF(NULL, "handled", handled),
	PF("dropped", "malformed", dropped_malformed),
	PF("dropped", "tx_ring_full", dropped_tx_full),
	PF("dropped", "tx_bad_len", dropped_tx_bad_len),
	PF(NULL, "errors", errors),
	PF(NULL, "wakeups", wakeups),
	PF("xdp_statistics", "rx_dropped", xs.rx_dropped),
	PF("xdp_statistics", "rx_invalid_descs", xs.rx_invalid_descs),
	PF("xdp_statistics", "tx_invalid_descs", xs.tx_invalid_descs),
	PF("xdp_statistics", "rx_ring_full", xs.rx_ring_full),
	PF("xdp_statistics", "rx_fill_ring_empty_descs", xs.rx_fill_ring_empty_descs),
	PF("xdp_statistics", "tx_ring_empty_descs", xs.tx_ring_empty_descs),
	PF("rings", "rx", ring_rx),
	PF("rings", "fill", ring_fill),
	PF("rings", "tx", ring_tx),
	PF("rings", "completion", ring_comp),
	PF("rings", "size", ring_size),
	PF("rings", "fill_size", ring_fill_size),
};
#undef PF
#define NPUB_FIELDS (sizeof(pub_fields) / sizeof(pub_fields[0]))

static unsigned long long pub_get(const struct xg_pool_counters *c, const struct pub_field *pf)
{
	uint64_t v64;
	uint32_t v32;

	if (pf->size == sizeof(v64)) {
		memcpy(&v64, (const char *)c + pf->off, sizeof(v64));
		return v64;
	}
	memcpy(&v32, (const char *)c + pf->off, sizeof(v32));
	return v32;
}

static void pub_set(struct xg_pool_counters *c, const struct pub_field *pf, unsigned long long v)
{
	uint64_t v64 = v;
	uint32_t v32 = (uint32_t)v;

	if (pf->size == sizeof(v64))
		memcpy((char *)c + pf->off, &v64, sizeof(v64));
	else
		memcpy((char *)c + pf->off, &v32, sizeof(v32));
}

static void worker_json(FILE *f, const char *ifname, const struct xg_run_worker_snap *ws)
{
	const char *sec = NULL;
	bool first = false;
	size_t k;

	fprintf(f, "{\"interface\":\"%s\",", ifname);
	if (ws->out_ifname[0])
		fprintf(f, "\"out\":\"%s\",\"forward\":\"%s\",", ws->out_ifname,
			ws->out_shared ? "shared-umem" : "copy");
	fprintf(f, "\"queue\":%u,\"worker\":%u,\"mode\":\"%s\",\"multi_buffer\":%s", ws->queue,
		ws->slot, ws->zerocopy ? "zero-copy" : "copy", ws->sg ? "true" : "false");
	for (k = 0; k < NPUB_FIELDS; k++) {
		const struct pub_field *pf = &pub_fields[k];

		if (sec && (!pf->sec || strcmp(pf->sec, sec))) {
			fputc('}', f);
			sec = NULL;
		}
		if (pf->sec && !sec) {
			fprintf(f, ",\"%s\":{", pf->sec);
			sec = pf->sec;
			first = true;
		}
		fprintf(f, "%s\"%s\":%llu", first ? "" : ",", pf->key, pub_get(&ws->c, pf));
		first = false;
	}
	fprintf(f, "%s}", sec ? "}" : "");
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

void xg_run_publish_write(FILE *f, const struct xg_run_snap *s)
{
	fprintf(f, "{\"pid\":%d,\"t\":%.6f,", (int)getpid(), s->t);
	workers_json(f, s);
	fprintf(f, "}\n");
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
	xg_run_publish_write(f, s);
	if (fclose(f) == 0)
		rename(tmp, path); /* readers see a whole file or the previous one */
}

void xg_run_unpublish(const struct xg_pool *p)
{
	char path[PATH_MAX];

	if (!xg_run_publish_path(xg_pool_gate(p), path, sizeof(path)))
		unlink(path);
}

static int worker_read(json_t *w, struct xg_run_worker_snap *ws)
{
	json_t *q = json_object_get(w, "queue"), *v;
	size_t k;

	if (!json_is_integer(q))
		return -EINVAL;
	ws->queue = (unsigned int)json_integer_value(q);
	v = json_object_get(w, "worker");
	ws->slot = json_is_integer(v) ? (unsigned int)json_integer_value(v) : 0;
	v = json_object_get(w, "out");
	snprintf(ws->out_ifname, sizeof(ws->out_ifname), "%s",
		 json_is_string(v) ? json_string_value(v) : "");
	v = json_object_get(w, "forward");
	ws->out_shared = json_is_string(v) && !strcmp(json_string_value(v), "shared-umem");
	v = json_object_get(w, "mode");
	ws->zerocopy = json_is_string(v) && !strcmp(json_string_value(v), "zero-copy");
	ws->sg = json_is_true(json_object_get(w, "multi_buffer"));
	for (k = 0; k < NPUB_FIELDS; k++) {
		const struct pub_field *pf = &pub_fields[k];

		v = json_object_get(pf->sec ? json_object_get(w, pf->sec) : w, pf->key);
		if (!json_is_integer(v))
			return -EINVAL;
		pub_set(&ws->c, pf, (unsigned long long)json_integer_value(v));
	}
	return 0;
}

int xg_run_publish_read(const struct xg_gate *g, struct xg_run_snap *s)
{
	char path[PATH_MAX];

	memset(s, 0, sizeof(*s));
	if (xg_run_publish_path(g, path, sizeof(path)))
		return -EINVAL;
	return xg_run_publish_read_file(path, s);
}

int xg_run_publish_read_file(const char *path, struct xg_run_snap *s)
{
	json_t *root, *ws, *pid, *t;
	json_error_t jerr;
	int err = 0;
	size_t i;

	memset(s, 0, sizeof(*s));
	root = json_load_file(path, 0, &jerr);
	if (!root)
		return access(path, F_OK) ? -ENOENT : -EINVAL;
	pid = json_object_get(root, "pid");
	t = json_object_get(root, "t");
	ws = json_object_get(root, "workers");
	if (!json_is_integer(pid) || !json_is_number(t) || !json_is_array(ws) ||
	    json_array_size(ws) > XG_POOL_MAX_QUEUES)
		err = -EINVAL;
	else if (kill((pid_t)json_integer_value(pid), 0) && errno == ESRCH)
		err = -ENOENT; /* left by a run that was killed */
	for (i = 0; !err && i < json_array_size(ws); i++)
		err = worker_read(json_array_get(ws, i), &s->w[i]);
	if (!err && json_array_size(ws)) {
		json_t *ifn = json_object_get(json_array_get(ws, 0), "interface");

		snprintf(s->ifname, sizeof(s->ifname), "%s",
			 json_is_string(ifn) ? json_string_value(ifn) : "");
	}
	if (!err) {
		s->t = json_number_value(t);
		s->n = (unsigned int)json_array_size(ws);
	}
	json_decref(root);
	return err;
}
