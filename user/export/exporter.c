// SPDX-License-Identifier: GPL-2.0
/* The IPFIX exporter (user/export/exporter.h).
 *
 * Counts: the table holds each flow's running totals; the exporter remembers what it last
 * sent per flow and sends the difference (packetDeltaCount, octetDeltaCount). A flow the
 * LRU evicted between two polls takes its unsent difference with it: the gate counts
 * inserts, so `flows` shows those evictions. Idle flows are sent and then deleted from the
 * table (counted in XG_FLOW_DELETED, so evictions stay inserts - present - deleted).
 *
 * Time: the gate stamps CLOCK_MONOTONIC; records carry Unix-epoch milliseconds, converted
 * with the offset between the two clocks at each poll. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "user/export/exporter.h"
#include "user/export/ipfix.h"
#include "user/util/log.h"

#define ERR_LOG_NS (10ULL * 1000000000ULL) /* at most one send-error line per 10 s */

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int xg_export_addr_parse(const char *s, struct xg_export_cfg *cfg, char *why, size_t len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV }, *res;
	char host[256], *port;
	int err;

	if (strlen(s) >= sizeof(host)) {
		snprintf(why, len, "too long");
		return -1;
	}
	strcpy(host, s);
	if (host[0] == '[') {
		char *end = strchr(host, ']');

		if (!end || end[1] != ':') {
			snprintf(why, len, "want [IPV6]:PORT");
			return -1;
		}
		*end = '\0';
		port = end + 2;
		memmove(host, host + 1, strlen(host + 1) + 1);
		hints.ai_flags |= AI_NUMERICHOST;
	} else {
		port = strrchr(host, ':');
		if (!port || strchr(host, ':') != port) {
			snprintf(why, len, "want HOST:PORT (an IPv6 address in brackets)");
			return -1;
		}
		*port++ = '\0';
	}
	if (!host[0] || !*port || strspn(port, "0123456789") != strlen(port) || atoi(port) < 1 ||
	    atoi(port) > 65535 || strlen(port) > 5) {
		snprintf(why, len, "want HOST:PORT with a port from 1 to 65535");
		return -1;
	}
	err = getaddrinfo(host, port, &hints, &res);
	if (err) {
		snprintf(why, len, "%s", gai_strerror(err));
		return -1;
	}
	memcpy(&cfg->addr, res->ai_addr, res->ai_addrlen);
	cfg->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int xg_exporter_open(struct xg_exporter *x, const struct xg_export_cfg *cfg,
		     const struct xg_flow_fds *fds)
{
	memset(x, 0, sizeof(*x));
	x->cfg = *cfg;
	x->fds = fds;
	x->sock = socket(cfg->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (x->sock < 0 || connect(x->sock, (const struct sockaddr *)&cfg->addr, cfg->addrlen)) {
		int err = -errno;

		pr_warn("export: cannot open the socket to the collector: %s\n", strerror(-err));
		if (x->sock >= 0)
			close(x->sock);
		x->sock = -1;
		return err;
	}
	return 0;
}

void xg_exporter_close(struct xg_exporter *x)
{
	if (x->sock >= 0)
		close(x->sock);
	x->sock = -1;
	free(x->st);
	x->st = NULL;
	xg_flow_snap_free(&x->snap);
}

/* A failed send: counted, and said at most once per ERR_LOG_NS with the count since. */
static void send_failed(struct xg_exporter *x, uint32_t nrecs, int err, uint64_t now)
{
	x->stats.send_errors++;
	x->stats.lost_records += nrecs;
	x->errs_logged++;
	if (x->log_ns && now - x->log_ns < ERR_LOG_NS)
		return;
	pr_warn("export: sending to the collector failed: %s (%llu failure%s since the last "
		"report; export goes on)\n",
		strerror(err), (unsigned long long)x->errs_logged, x->errs_logged == 1 ? "" : "s");
	x->log_ns = now;
	x->errs_logged = 0;
}

struct out {
	struct xg_exporter *x;
	struct xg_ipfix_msg m;
	uint64_t now_mono, now_real;
};

static void out_begin(struct out *o)
{
	struct xg_exporter *x = o->x;
	int tmpl = !x->template_due_ns || o->now_mono >= x->template_due_ns;

	xg_ipfix_begin(&o->m, (uint32_t)(o->now_real / 1000000000ULL), x->seq, x->cfg.domain, tmpl);
	if (tmpl)
		x->template_due_ns = o->now_mono + x->cfg.template_ns;
}

static void out_send(struct out *o)
{
	struct xg_exporter *x = o->x;

	xg_ipfix_finish(&o->m);
	/* the sequence number counts records sent, lost ones included (RFC 7011 3.1): the
	 * collector sees the loss as a gap */
	x->seq += o->m.nrecs;
	if (send(x->sock, o->m.buf, o->m.len, MSG_DONTWAIT) < 0) {
		send_failed(x, o->m.nrecs, errno, o->now_mono);
		/* the templates may not have arrived either: resend them with the next */
		x->template_due_ns = 0;
	} else {
		x->stats.messages++;
		x->stats.records += o->m.nrecs;
	}
	o->m.len = 0;
}

static uint64_t to_ms(const struct out *o, uint64_t mono_ns)
{
	return (o->now_real - (o->now_mono - mono_ns)) / 1000000ULL;
}

static void out_rec(struct out *o, const struct xg_flow_rec *r, const struct xg_export_flow *s)
{
	struct xg_ipfix_rec ir = { .family = r->k.family,
				   .sport = r->k.sport,
				   .dport = r->k.dport,
				   .vlan = r->k.vlan,
				   .proto = r->k.proto,
				   .packets = r->packets - s->packets,
				   .bytes = r->bytes - s->bytes,
				   .end_ms = to_ms(o, r->last_ns),
				   .sampling = r->rate ? r->rate : 1,
				   .obs_point =
					   r->k.rule == XG_FLOW_RULE_DEFAULT ? 0 : r->k.rule + 1U };

	/* a flow's later records start after its previous one ended */
	ir.start_ms = to_ms(o, s->packets ? s->last_ns : r->first_ns);
	memcpy(ir.src, r->k.src, 16);
	memcpy(ir.dst, r->k.dst, 16);
	if (!o->m.len)
		out_begin(o);
	if (xg_ipfix_add(&o->m, &ir)) {
		out_send(o);
		out_begin(o);
		xg_ipfix_add(&o->m, &ir); /* fits in an empty message: cannot fail */
	}
}

static const struct xg_export_flow *state_find(const struct xg_exporter *x,
					       const struct xg_flow_key *k)
{
	size_t lo = 0, hi = x->nst;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = memcmp(&x->st[mid].k, k, sizeof(*k));

		if (!c)
			return &x->st[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Add n to the exporter's deletions (CPU 0's slot: the gate never writes this index). */
static void count_deleted(struct xg_exporter *x, uint64_t n)
{
	int ncpus = libbpf_num_possible_cpus();
	__u32 idx = XG_FLOW_DELETED;
	__u64 *v;

	x->stats.deleted += n;
	if (!n || ncpus <= 0 || !(v = calloc((size_t)ncpus, sizeof(*v))))
		return;
	if (!bpf_map_lookup_elem(x->fds->stats, &idx, v)) {
		v[0] += n;
		bpf_map_update_elem(x->fds->stats, &idx, v, BPF_ANY);
	}
	free(v);
}

int xg_exporter_poll(struct xg_exporter *x, bool flush)
{
	struct out o = { .x = x };
	struct xg_export_flow *nst;
	uint64_t deleted = 0;
	size_t i, n = 0;
	int err = xg_flow_snap_read(x->fds->flows, x->fds->stats, &x->snap);

	if (err)
		return err;
	o.now_mono = clock_ns(CLOCK_MONOTONIC);
	o.now_real = clock_ns(CLOCK_REALTIME);
	nst = calloc(x->snap.n ? x->snap.n : 1, sizeof(*nst));
	if (!nst)
		return -ENOMEM;
	for (i = 0; i < x->snap.n; i++) {
		const struct xg_flow_rec *r = &x->snap.r[i];
		const struct xg_export_flow *old = state_find(x, &r->k);
		struct xg_export_flow s = { .k = r->k, .exported_ns = r->first_ns };
		bool idle = o.now_mono > r->last_ns && o.now_mono - r->last_ns >= x->cfg.idle_ns;
		bool fresh;

		if (old)
			s = *old;
		fresh = r->packets > s.packets;
		if (r->k.family != 4 && r->k.family != 6) {
			x->stats.non_ip += fresh ? r->packets - s.packets : 0;
		} else if (fresh &&
			   (flush || idle || o.now_mono - s.exported_ns >= x->cfg.active_ns)) {
			out_rec(&o, r, &s);
		} else if (!idle) {
			nst[n++] = s; /* nothing due: keep what was last sent */
			continue;
		}
		if (idle && !flush && !bpf_map_delete_elem(x->fds->flows, &r->k)) {
			deleted++;
			continue;
		}
		s.packets = r->packets;
		s.bytes = r->bytes;
		s.last_ns = r->last_ns;
		s.exported_ns = o.now_mono;
		nst[n++] = s;
	}
	if (o.m.len)
		out_send(&o);
	free(x->st);
	x->st = nst;
	x->nst = n;
	count_deleted(x, deleted);
	return 0;
}
