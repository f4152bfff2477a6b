// SPDX-License-Identifier: GPL-2.0
/* The exposition text is written into a memory stream per scrape and handed to
 * libmicrohttpd to free; the server runs its own thread over epoll
 * (MHD_USE_EPOLL_INTERNAL_THREAD: select() would refuse every connection once descriptor
 * numbers pass FD_SETSIZE), so the only shared state is read-only: the pool handles (whose
 * counters are atomics) and map fds of our own, plus the log limiter under its lock. With
 * several interfaces (`run IF1,IF2`) one scrape shows them all: each family's HELP and TYPE
 * once, then its samples for every interface, as the exposition format wants a family's
 * lines together.
 *
 * Starvation: a client may hold at most XG_METRICS_PER_IP connections (slow headers or
 * idle), each closed after XG_METRICS_IDLE_S seconds without a byte, and the server holds
 * XG_METRICS_CONNS in all, so it takes many addresses, not many sockets, to keep a
 * scraper out. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "user/cli/metrics.h"
#include "user/cli/names.h"
#include "user/gate/gate.h"
#include "user/gate/maps.h"
#include "user/pool/pool.h"
#include "user/rules/ct.h"
#include "user/rules/load.h"
#include "user/flows/prom.h"
#include "user/util/log.h"
#include "user/util/time.h"

#define XG_METRICS_PER_IP 8U
#define XG_METRICS_CONNS 256U
#define XG_METRICS_IDLE_S 5U
#define XG_METRICS_LOG_EVERY_S 10.0 /* at most one line from the server this often */

/* One interface of the run: its pool, its gate's maps. */
struct xg_metrics_if {
	const struct xg_pool *p;
	const struct xg_l2_port *sw;
	struct xg_gate_maps maps;
	char ifname[IF_NAMESIZE];
};

/* libmicrohttpd's own lines, limited: any client can provoke them. */
struct mhd_log_limit {
	pthread_mutex_t lock;
	double last;		  /* when a line was last written */
	bool said;		  /* one was */
	unsigned long suppressed; /* since then */
	atomic_bool starting;	  /* xg_metrics_start says a failure itself */
};

struct xg_metrics {
	struct MHD_Daemon *d;
	struct mhd_log_limit log;
	size_t n;
	struct xg_metrics_if ifs[]; /* n of them */
};

void xg_metrics_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP xdpgate_%s %s\n# TYPE xdpgate_%s %s\n", name, help, name, type);
}

/* Whether any of the n views has a gate (rules: a rule set) to show: a family's HELP
 * and TYPE are written once, before the samples of every interface. */
static bool any_gate(const struct xg_metrics_view *v, size_t n)
{
	for (; n; n--, v++)
		if (v->gate)
			return true;
	return false;
}

static bool any_rules(const struct xg_metrics_view *v, size_t n)
{
	for (; n; n--, v++)
		if (v->rules)
			return true;
	return false;
}

static void gate_metrics(FILE *f, const struct xg_metrics_view *vs, size_t n)
{
	static const char *const what[2] = { "packets", "bytes" };
	const struct xg_metrics_view *v, *end = vs + n;
	unsigned int i, k;
	char name[64];

	for (k = 0; k < 2; k++) {
		snprintf(name, sizeof(name), "verdict_%s_total", what[k]);
		head(f, name, "counter", "Frames (bytes) by the gate's verdict.");
		for (v = vs; v < end; v++)
			for (i = 0; v->gate && i < XG_VERDICT_MAX; i++) {
				const struct xg_counter_val *c = &v->gate->c[XG_CNT_VERDICT + i];

				fprintf(f, "xdpgate_%s{interface=\"%s\",verdict=\"%s\"} %llu\n",
					name, v->ifname, xg_verdict_name(i),
					(unsigned long long)(k ? c->bytes : c->packets));
			}
	}
	head(f, "parse_counters", "gauge",
	     "1: the live set keeps the parse counters ('counters parse'); 0: their series are "
	     "absent.");
	for (v = vs; v < end; v++)
		if (v->gate)
			fprintf(f, "xdpgate_parse_counters{interface=\"%s\"} %d\n", v->ifname,
				!v->gate->parse_off);
	head(f, "parse_packets_total", "counter", "Frames by how far the gate's parser got.");
	for (v = vs; v < end; v++)
		for (i = 0; v->gate && !v->gate->parse_off && i < XG_PARSE_MAX; i++)
			fprintf(f,
				"xdpgate_parse_packets_total{interface=\"%s\",outcome=\"%s\"} "
				"%llu\n",
				v->ifname, xg_parse_name(i),
				(unsigned long long)v->gate->c[XG_CNT_PARSE + i].packets);
	head(f, "other_packets_total", "counter",
	     "Other gate counters: IP fragments, xsk verdicts on a queue without a socket.");
	for (v = vs; v < end; v++)
		for (i = XG_CNT_FRAG_FIRST; v->gate && i < XG_CNT_MAX; i++) {
			if (!xg_counter_kept(v->gate, (unsigned int)i))
				continue;
			fprintf(f,
				"xdpgate_other_packets_total{interface=\"%s\",counter=\"%s\"} "
				"%llu\n",
				v->ifname, xg_counter_name(i),
				(unsigned long long)v->gate->c[i].packets);
		}
}

static void rule_metrics(FILE *f, const struct xg_metrics_view *vs, size_t n)
{
	static const char *const what[2] = { "packets", "bytes" };
	const struct xg_metrics_view *v, *end = vs + n;
	unsigned int k;
	char text[512], name[64];
	size_t i;

	for (k = 0; k < 2; k++) {
		snprintf(name, sizeof(name), "rule_%s_total", what[k]);
		head(f, name, "counter", "Frames (bytes) matched by each rule of the live set.");
		for (v = vs; v < end; v++)
			for (i = 0; v->rules && i < v->rules->n; i++) {
				xg_rule_format(&v->rules->rules[i], text, sizeof(text));
				fprintf(f, "xdpgate_%s{interface=\"%s\",rule=\"%zu\",text=\"", name,
					v->ifname, i + 1);
				xg_metrics_label(f, text);
				fprintf(f, "\"} %llu\n",
					(unsigned long long)(k ? v->rule_c[i].bytes
							       : v->rule_c[i].packets));
			}
	}
}

/* The per-worker counters, one table so names, help and fields are written once. */
#define WF(field) offsetof(struct xg_pool_counters, field)
static const struct {
	const char *name, *reason, *help;
	size_t off;
} worker_fields[] = {
	{ "worker_rx_packets_total", NULL, "Frames a worker received.", WF(rx) },
	{ "worker_tx_packets_total", NULL, "Frames a worker sent.", WF(tx) },
	{ "worker_handled_packets_total", NULL, "Frames the handler handled.", WF(handled) },
	{ "worker_dropped_packets_total", "malformed",
	  "Frames dropped by the pool or the kernel's socket, by reason.", WF(dropped_malformed) },
	{ "worker_dropped_packets_total", "tx_ring_full", NULL, WF(dropped_tx_full) },
	{ "worker_dropped_packets_total", "tx_bad_len", NULL, WF(dropped_tx_bad_len) },
	{ "worker_dropped_packets_total", "kernel_rx_dropped", NULL, WF(xs.rx_dropped) },
	{ "worker_dropped_packets_total", "kernel_rx_ring_full", NULL, WF(xs.rx_ring_full) },
	{ "worker_dropped_packets_total", "kernel_rx_invalid_descs", NULL,
	  WF(xs.rx_invalid_descs) },
	{ "worker_dropped_packets_total", "kernel_tx_invalid_descs", NULL,
	  WF(xs.tx_invalid_descs) },
	{ "worker_fill_ring_empty_total", NULL,
	  "Times the kernel found the fill ring empty (XDP_STATISTICS).",
	  WF(xs.rx_fill_ring_empty_descs) },
	{ "worker_tx_ring_empty_total", NULL,
	  "Times the kernel found the TX ring empty (XDP_STATISTICS).",
	  WF(xs.tx_ring_empty_descs) },
	{ "worker_errors_total", NULL, "Handler errors.", WF(errors) },
	{ "worker_wakeups_total", NULL, "Wake-up syscalls a worker made.", WF(wakeups) },
};
#undef WF
_Static_assert(sizeof(((struct xg_pool_counters *)0)->xs.rx_dropped) == sizeof(uint64_t),
	       "worker_fields reads every field as 8 bytes");

static void pool_metrics(FILE *f, const struct xg_metrics_view *vs, size_t n)
{
	const struct xg_metrics_view *v, *end = vs + n;
	size_t k;
	unsigned int i;

	for (k = 0; k < sizeof(worker_fields) / sizeof(worker_fields[0]); k++) {
		if (worker_fields[k].help)
			head(f, worker_fields[k].name, "counter", worker_fields[k].help);
		for (v = vs; v < end; v++)
			for (i = 0; v->pool && i < v->pool->n; i++) {
				const char *c =
					(const char *)&v->pool->w[i].c + worker_fields[k].off;
				uint64_t val;

				memcpy(&val, c, sizeof(val)); /* uint64_t or __u64: both 8 bytes */
				fprintf(f, "xdpgate_%s{interface=\"%s\",queue=\"%u\"",
					worker_fields[k].name, v->ifname, v->pool->w[i].queue);
				if (worker_fields[k].reason)
					fprintf(f, ",reason=\"%s\"", worker_fields[k].reason);
				fprintf(f, "} %llu\n", (unsigned long long)val);
			}
	}
}

#define RF(field) offsetof(struct xg_pool_counters, field)
static const struct {
	const char *ring;
	size_t off;
} ring_fields[] = {
	{ "rx", RF(ring_rx) },
	{ "fill", RF(ring_fill) },
	{ "tx", RF(ring_tx) },
	{ "completion", RF(ring_comp) },
};
#undef RF

static void ring_metrics(FILE *f, const struct xg_metrics_view *vs, size_t n)
{
	const struct xg_metrics_view *v, *end = vs + n;
	unsigned int i;
	uint32_t val;
	size_t k;

	head(f, "worker_ring_entries", "gauge", "Entries in a worker's AF_XDP ring now.");
	for (v = vs; v < end; v++)
		for (k = 0; v->pool && k < sizeof(ring_fields) / sizeof(ring_fields[0]); k++)
			for (i = 0; i < v->pool->n; i++) {
				memcpy(&val, (const char *)&v->pool->w[i].c + ring_fields[k].off,
				       sizeof(val));
				fprintf(f,
					"xdpgate_worker_ring_entries{interface=\"%s\",queue=\"%u\","
					"ring=\"%s\"} %u\n",
					v->ifname, v->pool->w[i].queue, ring_fields[k].ring, val);
			}
	head(f, "worker_ring_size", "gauge", "Descriptors in a worker's rings (rx and tx, fill).");
	for (v = vs; v < end; v++)
		for (i = 0; v->pool && i < v->pool->n; i++)
			fprintf(f,
				"xdpgate_worker_ring_size{interface=\"%s\",queue=\"%u\",ring="
				"\"rx\"} "
				"%u\n"
				"xdpgate_worker_ring_size{interface=\"%s\",queue=\"%u\",ring="
				"\"fill\"} "
				"%u\n",
				v->ifname, v->pool->w[i].queue, v->pool->w[i].c.ring_size,
				v->ifname, v->pool->w[i].queue, v->pool->w[i].c.ring_fill_size);
}

/* The switch's per-port counters, live atomics (one writer each: the port's worker). */
#define SF(field) offsetof(struct xg_l2_port, field)
static const struct {
	const char *outcome;
	size_t off;
} switch_fields[] = {
	{ "in", SF(in) },
	{ "unicast", SF(unicast) },
	{ "flooded", SF(flooded) },
	{ "same_port", SF(same_port) },
	{ "handoff_full", SF(ring_full) },
	{ "too_long", SF(too_long) },
};
#undef SF

static void switch_metrics(FILE *f, const struct xg_metrics_view *vs, size_t n)
{
	const struct xg_metrics_view *v, *end = vs + n;
	size_t k;

	head(f, "switch_packets_total", "counter",
	     "The learning switch's frames by port and outcome (copies lost for handoff_full).");
	for (v = vs; v < end; v++)
		for (k = 0; v->sw && k < sizeof(switch_fields) / sizeof(switch_fields[0]); k++)
			fprintf(f,
				"xdpgate_switch_packets_total{interface=\"%s\",outcome=\"%s\"} "
				"%llu\n",
				v->ifname, switch_fields[k].outcome,
				(unsigned long long)atomic_load_explicit(
					(const _Atomic uint64_t *)((const char *)v->sw +
								   switch_fields[k].off),
					memory_order_relaxed));
}

static bool any_switch(const struct xg_metrics_view *v, size_t n)
{
	for (; n; n--, v++)
		if (v->sw)
			return true;
	return false;
}

static bool any_pool(const struct xg_metrics_view *v, size_t n)
{
	for (; n; n--, v++)
		if (v->pool)
			return true;
	return false;
}

void xg_metrics_render(FILE *f, const struct xg_metrics_view *v, size_t n)
{
	if (any_gate(v, n))
		gate_metrics(f, v, n);
	if (any_rules(v, n))
		rule_metrics(f, v, n);
	if (any_pool(v, n)) {
		pool_metrics(f, v, n);
		ring_metrics(f, v, n);
	}
	if (any_switch(v, n))
		switch_metrics(f, v, n);
}

/* What one interface's part of a scrape read: freed by scrape_free. */
struct scrape_if {
	struct xg_counter_val *rule_c;
	struct xg_snapshot gate;
	struct xg_run_snap pool;
	struct xg_ruleset rs;
};

/* `flows` in a gate's rule set: its top sources (user/flows/prom.c). */
static void scrape_flows(FILE *f, const struct xg_metrics *m)
{
	struct xg_flows_prom_if *fi = calloc(m->n ? m->n : 1, sizeof(*fi));
	size_t i;

	for (i = 0; fi && i < m->n; i++)
		fi[i] = (struct xg_flows_prom_if){ m->ifs[i].ifname, m->ifs[i].maps.config,
						   m->ifs[i].maps.flow_cfg, m->ifs[i].maps.flows,
						   m->ifs[i].maps.flow_stats };
	if (fi)
		xg_flows_prom(f, fi, m->n, xg_metrics_label);
	free(fi);
}

/* A rule set with `ct` reads the kernel's conntrack table, one for the namespace: its size
 * and what it evicted or refused (user/rules/ct.h), once a scrape, without an interface. */
static void scrape_ct(FILE *f, const struct xg_metrics_view *v, size_t n)
{
	static const struct {
		const char *name, *type, *help;
	} fam[] = {
		{ "conntrack_entries", "gauge", "connections in the kernel's table" },
		{ "conntrack_max", "gauge", "its limit, nf_conntrack_max (host-wide)" },
		{ "conntrack_early_drop_total", "counter",
		  "entries not assured evicted to make room in a full table" },
		{ "conntrack_drop_total", "counter",
		  "new connections refused: the table full, nothing to evict" },
		{ "conntrack_insert_failed_total", "counter", "entries that failed to insert" },
	};
	struct xg_ct_kstats k;
	uint64_t val[5];
	size_t i;

	for (i = 0; i < n && !(v[i].rules && xg_ruleset_uses_ct(v[i].rules)); i++)
		;
	if (i == n || xg_ct_kstats_read(&k))
		return;
	val[0] = (uint64_t)k.count;
	val[1] = k.max < 0 ? 0 : (uint64_t)k.max;
	val[2] = k.early_drop;
	val[3] = k.drop;
	val[4] = k.insert_failed;
	for (i = 0; i < 5; i++) {
		head(f, fam[i].name, fam[i].type, fam[i].help);
		fprintf(f, "xdpgate_%s %llu\n", fam[i].name, (unsigned long long)val[i]);
	}
}

/* One scrape: read every interface, then render them all, family by family. */
static char *scrape(struct xg_metrics *m, size_t *len)
{
	struct xg_metrics_view *v = calloc(m->n, sizeof(*v));
	struct scrape_if *s = calloc(m->n, sizeof(*s));
	char *buf = NULL;
	size_t i;
	FILE *f;

	for (i = 0; v && s && i < m->n; i++) {
		v[i].ifname = m->ifs[i].ifname;
		xg_ruleset_init(&s[i].rs);
		if (!xg_counters_read_gate(m->ifs[i].maps.stats, m->ifs[i].maps.config, &s[i].gate))
			v[i].gate = &s[i].gate;
		if (!xg_rules_read_counters(&m->ifs[i].maps, &s[i].rs, &s[i].rule_c)) {
			v[i].rules = &s[i].rs;
			v[i].rule_c = s[i].rule_c;
		}
		xg_run_snapshot(m->ifs[i].p, &s[i].pool);
		v[i].pool = &s[i].pool;
		v[i].sw = m->ifs[i].sw;
	}
	f = v && s ? open_memstream(&buf, len) : NULL;
	if (f) {
		xg_metrics_render(f, v, m->n);
		scrape_flows(f, m);
		scrape_ct(f, v, m->n);
		if (fclose(f)) {
			free(buf);
			buf = NULL;
		}
	}
	for (i = 0; s && i < m->n; i++) {
		free(s[i].rule_c);
		xg_ruleset_free(&s[i].rs);
	}
	free(s);
	free(v);
	return buf;
}

/* A short fixed answer; a 405 says which methods are allowed. */
static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned int status,
				  const char *text)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_len, void **req_cls)
{
	struct xg_metrics *m = cls;
	struct MHD_Response *r;
	enum MHD_Result ret;
	char *body;
	size_t len = 0;

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)req_cls;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET or HEAD\n");
	if (strcmp(url, "/metrics"))
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "see /metrics\n");
	body = scrape(m, &len);
	if (!body)
		return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "cannot read the counters\n");
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* libmicrohttpd's own messages ("Server reached connection limit", a client's broken
 * request) come here instead of raw to stderr: through our logger (the "xdpgate: " prefix,
 * JSON under --log-json), and at most one every XG_METRICS_LOG_EVERY_S seconds, since any
 * client can provoke them; the others are counted, and the count said with the next line
 * or at stop. While starting, a failure is said by xg_metrics_start with the address asked
 * for (libmicrohttpd names port 0 there), so the library's lines are debug output then. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct mhd_log_limit *l = cls;
	unsigned long skipped;
	double now = xg_now();
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (n = strlen(msg); n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'); n--)
		msg[n - 1] = '\0';
	if (atomic_load(&l->starting)) {
		pr_debug("metrics: %s\n", msg);
		return;
	}
	pthread_mutex_lock(&l->lock);
	if (l->said && now - l->last < XG_METRICS_LOG_EVERY_S) {
		l->suppressed++;
		pthread_mutex_unlock(&l->lock);
		return;
	}
	skipped = l->suppressed;
	l->suppressed = 0;
	l->said = true;
	l->last = now;
	pthread_mutex_unlock(&l->lock);
	if (skipped)
		pr_warn("metrics: %s (%lu lines before it not shown)\n", msg, skipped);
	else
		pr_warn("metrics: %s\n", msg);
}

static void metrics_free(struct xg_metrics *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		xg_gate_maps_close(&m->ifs[i].maps);
	pthread_mutex_destroy(&m->log.lock);
	free(m);
}

static struct MHD_Daemon *daemon_start(struct xg_metrics *m, const struct sockaddr_in *addr)
{
	return MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
				on_request, m, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, &m->log,
				MHD_OPTION_SOCK_ADDR, addr, MHD_OPTION_CONNECTION_LIMIT,
				XG_METRICS_CONNS, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
				XG_METRICS_PER_IP, MHD_OPTION_CONNECTION_TIMEOUT, XG_METRICS_IDLE_S,
				MHD_OPTION_END);
}

int xg_metrics_start(const struct sockaddr_in *addr, const struct xg_pool *const *p,
		     const struct xg_l2_port *const *sw, size_t n, struct xg_metrics **out)
{
	struct xg_metrics *m = calloc(1, sizeof(*m) + n * sizeof(m->ifs[0]));
	char a[INET_ADDRSTRLEN];
	int err;

	*out = NULL;
	if (!m)
		return -ENOMEM;
	pthread_mutex_init(&m->log.lock, NULL);
	atomic_init(&m->log.starting, true);
	for (; m->n < n; m->n++) {
		struct xg_metrics_if *mi = &m->ifs[m->n];

		mi->p = p[m->n];
		mi->sw = sw ? sw[m->n] : NULL;
		snprintf(mi->ifname, sizeof(mi->ifname), "%s", xg_pool_ifname(mi->p));
		err = xg_gate_maps_open(xg_pool_gate(mi->p), "metrics", &mi->maps);
		if (err) {
			metrics_free(m);
			return err;
		}
	}
	errno = 0;
	m->d = daemon_start(m, addr);
	if (!m->d) {
		err = errno ? -errno : -EADDRINUSE;
		inet_ntop(AF_INET, &addr->sin_addr, a, sizeof(a));
		pr_warn("metrics: cannot listen on %s:%u: %s\n", a, ntohs(addr->sin_port),
			strerror(-err));
		metrics_free(m);
		return err;
	}
	atomic_store(&m->log.starting, false);
	*out = m;
	return 0;
}

void xg_metrics_stop(struct xg_metrics *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->d);
	if (m->log.suppressed)
		pr_warn("metrics: %lu more lines from the HTTP server, not shown\n",
			m->log.suppressed);
	metrics_free(m);
}
