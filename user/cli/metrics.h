/* SPDX-License-Identifier: GPL-2.0 */
/* Prometheus metrics for `run`: the text exposition format over HTTP (libmicrohttpd), on a
 * thread of the server's own. Each scrape reads what `stats` reads: the gate's per-CPU
 * counters and per-rule counters from its pinned maps, and the pool's per-worker counters
 * (atomics the workers publish, plus XDP_STATISTICS), so a scrape never waits on a worker
 * nor a worker on a scrape. */
#ifndef XG_METRICS_H
#define XG_METRICS_H

#include <netinet/in.h>
#include <stdio.h>

#include "user/gate/counters.h"
#include "user/pool/l2switch.h"
#include "user/pool/publish.h"
#include "user/rules/rules.h"

struct xg_pool;
struct xg_metrics;

/* What one scrape shows for one interface. */
struct xg_metrics_view {
	const char *ifname;
	const struct xg_snapshot *gate;	     /* NULL: not readable */
	const struct xg_ruleset *rules;	     /* the live set; NULL: not readable */
	const struct xg_counter_val *rule_c; /* rules->n of them */
	const struct xg_run_snap *pool;
	const struct xg_l2_port *sw; /* --handler switch: the interface's port; else NULL */
};

/* Write the exposition text for the n interfaces' views v to f: each family once, with the
 * samples of every interface under it. */
void xg_metrics_render(FILE *f, const struct xg_metrics_view *v, size_t n);
/* s as a label value: backslash, double quote and newline escaped. */
void xg_metrics_label(FILE *f, const char *s);

/* Serve http://addr/metrics for the n pools p (each one's gate's maps opened from the
 * pins), one interface label each; sw[i] the switch port of p[i] or NULL (sw may be NULL).
 * 0, or -errno after one message. */
int xg_metrics_start(const struct sockaddr_in *addr, const struct xg_pool *const *p,
		     const struct xg_l2_port *const *sw, size_t n, struct xg_metrics **out);
/* Stop the server thread and free. NULL is a no-op. */
void xg_metrics_stop(struct xg_metrics *m);

#endif
