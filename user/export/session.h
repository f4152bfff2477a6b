/* SPDX-License-Identifier: GPL-2.0 */
/* One gate's export as a service embeds it (`run --ipfix`): the gate's flow maps opened,
 * an exporter on them, polled by the caller's loop, flushed and summed up at the end. */
#ifndef XG_EXPORT_SESSION_H
#define XG_EXPORT_SESSION_H

#include <stdbool.h>
#include <stdio.h>

#include "user/export/exporter.h"
#include "user/flows/open.h"

struct xg_gate;

struct xg_export_session {
	struct xg_flow_fds fds;
	struct xg_exporter x;
	bool on;
};

/* Export g's flows to cfg's collector. 0 or -errno (message printed, naming cmd). */
int xg_export_session_start(struct xg_export_session *s, const struct xg_gate *g, const char *cmd,
			    const struct xg_export_cfg *cfg);
/* One poll (flush: every flow with unsent counts); a table that cannot be read is said
 * once a poll, never fatal. */
void xg_export_session_poll(struct xg_export_session *s, bool flush);
/* Flush, print the summary line to out, close. Nothing when not started. */
void xg_export_session_stop(struct xg_export_session *s, const char *ifname, FILE *out);

#endif
