// SPDX-License-Identifier: GPL-2.0
/* Top sources as Prometheus text (user/flows/prom.h). */
#include <stdlib.h>
#include <string.h>

#include "user/flows/format.h"
#include "user/flows/open.h"
#include "user/flows/prom.h"
#include "user/flows/table.h"

struct prom_top {
	const char *ifname;
	struct xg_flow_group *g;
	long n;
};

static int by_bytes(const void *a, const void *b)
{
	const struct xg_flow_group *x = a, *y = b;

	return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

static int by_packets(const void *a, const void *b)
{
	const struct xg_flow_group *x = a, *y = b;

	return x->packets < y->packets ? 1 : x->packets > y->packets ? -1 : 0;
}

static void family(FILE *f, const struct prom_top *t, size_t n, int bytes,
		   void (*label)(FILE *f, const char *s))
{
	const char *name =
		bytes ? "xdpgate_flows_top_source_bytes" : "xdpgate_flows_top_source_packets";
	char addr[64];
	size_t i;
	long j;

	fprintf(f,
		"# HELP %s The %d heaviest sources by %s since their flows began (estimates "
		"when sampled).\n# TYPE %s gauge\n",
		name, XG_FLOWS_PROM_TOP, bytes ? "bytes" : "packets", name);
	for (i = 0; i < n; i++) {
		qsort(t[i].g, (size_t)t[i].n, sizeof(*t[i].g), bytes ? by_bytes : by_packets);
		for (j = 0; j < t[i].n && j < XG_FLOWS_PROM_TOP; j++) {
			xg_flow_addr_text(&t[i].g[j].k, 0, addr, sizeof(addr));
			fprintf(f, "%s{iface=\"", name);
			label(f, t[i].ifname);
			fprintf(f, "\",src=\"%s\"} %llu\n", addr,
				(unsigned long long)(bytes ? t[i].g[j].bytes : t[i].g[j].packets));
		}
	}
}

void xg_flows_prom(FILE *f, const struct xg_flows_prom_if *ifs, size_t n,
		   void (*label)(FILE *f, const char *s))
{
	struct prom_top *t = calloc(n ? n : 1, sizeof(*t));
	size_t i, m = 0;

	for (i = 0; t && i < n; i++) {
		struct xg_flow_snap s = { 0 };
		uint32_t rate = 0;

		if (ifs[i].flows < 0 || xg_flows_rate_of(ifs[i].config, ifs[i].flow_cfg, &rate) ||
		    !rate || xg_flow_snap_read(ifs[i].flows, ifs[i].stats, &s)) {
			xg_flow_snap_free(&s);
			continue;
		}
		t[m].ifname = ifs[i].ifname;
		t[m].n = xg_flow_group(NULL, &s, XG_BY_SRC, &t[m].g);
		xg_flow_snap_free(&s);
		if (t[m].n >= 0)
			m++;
	}
	if (m) {
		family(f, t, m, 0, label);
		family(f, t, m, 1, label);
	}
	for (i = 0; i < m; i++)
		free(t[i].g);
	free(t);
}
