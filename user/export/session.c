// SPDX-License-Identifier: GPL-2.0
/* One gate's export inside a longer-running command (user/export/session.h). */
#include <string.h>

#include "user/export/session.h"
#include "user/gate/gate.h"
#include "user/util/log.h"

int xg_export_session_start(struct xg_export_session *s, const struct xg_gate *g, const char *cmd,
			    const struct xg_export_cfg *cfg)
{
	struct xg_export_cfg c = *cfg;
	int err;

	memset(s, 0, sizeof(*s));
	err = xg_flow_fds_open(g, cmd, &s->fds);
	if (err)
		return err;
	c.domain = (uint32_t)g->ifindex;
	err = xg_exporter_open(&s->x, &c, &s->fds);
	if (err) {
		xg_flow_fds_close(&s->fds);
		return err;
	}
	s->on = true;
	return 0;
}

void xg_export_session_poll(struct xg_export_session *s, bool flush)
{
	int err;

	if (!s->on)
		return;
	err = xg_exporter_poll(&s->x, flush);
	if (err)
		pr_warn("export: reading the flow table failed: %s\n", strerror(-err));
}

void xg_export_session_stop(struct xg_export_session *s, const char *ifname, FILE *out)
{
	const struct xg_export_stats *st = &s->x.stats;

	if (!s->on)
		return;
	xg_export_session_poll(s, true);
	fprintf(out,
		"export: %s: %llu records in %llu messages, %llu send failures (%llu records "
		"lost), %llu idle flows deleted\n",
		ifname, (unsigned long long)st->records, (unsigned long long)st->messages,
		(unsigned long long)st->send_errors, (unsigned long long)st->lost_records,
		(unsigned long long)st->deleted);
	xg_exporter_close(&s->x);
	xg_flow_fds_close(&s->fds);
	s->on = false;
}
