/* SPDX-License-Identifier: GPL-2.0 */
/* The IPFIX exporter: polls a gate's flow table, sends each flow's new counts as an IPFIX
 * data record (user/export/ipfix.h) over UDP when the flow has been active for the active
 * timeout or idle for the idle timeout, deletes idle flows from the table, and resends the
 * templates every template interval. The socket is non-blocking and connected: a
 * collector that is down costs a counted, rate-limited error, never a wait. */
#ifndef XG_EXPORT_EXPORTER_H
#define XG_EXPORT_EXPORTER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "user/flows/open.h"
#include "user/flows/table.h"

struct xg_export_cfg {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	uint64_t active_ns, idle_ns, template_ns;
	uint32_t domain; /* observation domain: the interface index */
};

struct xg_export_stats {
	uint64_t messages, records, send_errors, lost_records, non_ip, deleted;
};

/* A flow as last exported: its counts then, and when. */
struct xg_export_flow {
	struct xg_flow_key k;
	uint64_t packets, bytes, exported_ns, last_ns;
};

struct xg_exporter {
	struct xg_export_cfg cfg;
	const struct xg_flow_fds *fds;
	int sock;
	uint32_t seq;
	uint64_t template_due_ns;  /* 0: with the next message */
	struct xg_export_flow *st; /* sorted by key */
	size_t nst;
	struct xg_flow_snap snap;
	struct xg_export_stats stats;
	uint64_t log_ns, errs_logged; /* the bounded error log */
};

/* Parse "HOST:PORT" or "[V6]:PORT" into cfg's address. 0, or -1 with why. */
int xg_export_addr_parse(const char *s, struct xg_export_cfg *cfg, char *why, size_t len);
/* 0 or -errno (message printed). */
int xg_exporter_open(struct xg_exporter *x, const struct xg_export_cfg *cfg,
		     const struct xg_flow_fds *fds);
/* One poll: export what is due (every flow with new counts when flush is set). 0, or
 * -errno when the table cannot be read (sending never fails a poll). */
int xg_exporter_poll(struct xg_exporter *x, bool flush);
void xg_exporter_close(struct xg_exporter *x);

#endif
