// SPDX-License-Identifier: GPL-2.0
/* run: the AF_XDP worker pool in the foreground, with per-worker rates each interval and
 * totals at the end. The counters are also published, each interval, to
 * /run/xdpgate/ns<inode>-if<ifindex>.json, where `stats --json` picks them up. */
#include <errno.h>
#include <linux/if_xdp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xdp/libxdp.h>

#include "user/cli/commands.h"
#include "user/gate/counters.h"
#include "user/util/log.h"
#include "user/util/signal.h"
#include "user/cli/names.h"
#include "user/pool/pool.h"
#include "user/pool/publish.h"

struct run_cfg {
	const char *rules, *queues, *handler;
	bool zerocopy, copy, json;
	int wait, mode;
	unsigned int batch, frame_size, ring_size;
	double duration, interval;
};

static const struct xg_opt_enum wait_modes[] = {
	{ "poll", XG_WAIT_POLL },
	{ "busy-poll", XG_WAIT_BUSY_POLL },
	{ "spin", XG_WAIT_SPIN },
	{ NULL, 0 },
};

static int parse_queues(const char *s, struct xg_pool_cfg *pc)
{
	char *end;

	pc->nqueues = 0;
	if (!s || !strcmp(s, "all"))
		return 0;
	while (*s) {
		unsigned long q = strtoul(s, &end, 10);

		if (end == s || q > 255 || pc->nqueues >= XG_POOL_MAX_QUEUES ||
		    (*end && *end != ','))
			return -1;
		pc->queues[pc->nqueues++] = (unsigned int)q;
		s = *end ? end + 1 : end;
	}
	return pc->nqueues ? 0 : -1;
}

static int build_cfg(const struct run_cfg *cfg, const char *ifname, struct xg_pool_cfg *pc,
		     struct xg_ruleset *rs)
{
	memset(pc, 0, sizeof(*pc));
	pc->ifname = ifname;
	pc->handler = xg_handler_find(cfg->handler, &pc->handler_arg);
	if (!pc->handler) {
		pr_warn("run: unknown handler '%s' (count, count:verify, reflect, pcap:FILE)\n",
			cfg->handler);
		return -1;
	}
	if (parse_queues(cfg->queues, pc)) {
		pr_warn("run: --queues: '%s' is not 'all' or a list like 0,1\n", cfg->queues);
		return -1;
	}
	if (cfg->zerocopy && cfg->copy) {
		pr_warn("run: --zerocopy and --copy exclude each other\n");
		return -1;
	}
	if (cfg->ring_size & (cfg->ring_size - 1)) {
		pr_warn("run: --ring-size %u is not a power of two\n", cfg->ring_size);
		return -1;
	}
	if (cfg->frame_size != 2048 && cfg->frame_size != 4096) {
		pr_warn("run: --frame-size must be 2048 or 4096\n");
		return -1;
	}
	pc->xsk_mode = cfg->zerocopy ? XG_XSK_ZEROCOPY : cfg->copy ? XG_XSK_COPY : XG_XSK_AUTO;
	pc->wait = (enum xg_wait)cfg->wait;
	pc->batch = cfg->batch;
	pc->frame_size = cfg->frame_size;
	pc->ring_size = cfg->ring_size;
	pc->attach_mode = cfg->mode;
	xg_ruleset_init(rs);
	if (cfg->rules) {
		if (xg_rules_parse_file(cfg->rules, rs))
			return -1;
		pc->rules = rs;
	}
	return 0;
}

static void print_sockets(const struct xg_pool *p)
{
	unsigned int i;

	for (i = 0; i < p->nworkers; i++)
		printf("%s queue %u: %s mode, worker on CPU %d, UMEM %u x %u bytes%s\n",
		       p->g.ifname, p->w[i].queue, p->w[i].q.zerocopy ? "zero-copy" : "copy",
		       p->w[i].cpu, p->w[i].q.nframes, p->w[i].q.frame_size,
		       p->w[i].q.huge ? " (huge pages)" : "");
	printf("%s: %s gate, Ctrl-C to stop\n", p->g.ifname,
	       p->joined ? "joined the attached" : "attached (bpf_link) our own");
	fflush(stdout);
}

static int do_run(void *cfgp, int argc, char **argv)
{
	struct run_cfg *cfg = cfgp;
	struct xg_run_snap prev, cur;
	struct xg_pool_cfg pc;
	struct xg_ruleset rs;
	struct xg_pool *p;
	double start, next;

	(void)argc;
	if (xg_require_root("run") || build_cfg(cfg, argv[0], &pc, &rs))
		return 1;
	p = calloc(1, sizeof(*p));
	if (!p || xg_pool_start(p, &pc)) {
		free(p);
		xg_ruleset_free(&rs);
		return 1;
	}
	xg_stop_on_signals();
	print_sockets(p);
	start = xg_now();
	xg_run_snapshot(p, &prev);
	for (next = start + cfg->interval; !xg_stop_requested(); next += cfg->interval) {
		double end = cfg->duration > 0 ? start + cfg->duration : next;

		xg_sleep_until(next < end ? next : end);
		if (xg_stop_requested())
			break;
		xg_run_snapshot(p, &cur);
		xg_run_report(p, &prev, &cur, cfg->json, stdout);
		xg_run_publish(p, &cur);
		prev = cur;
		if (cfg->duration > 0 && xg_now() >= start + cfg->duration)
			break;
	}
	xg_run_snapshot(p, &cur); /* before stopping: XDP_STATISTICS need the sockets */
	xg_pool_stop(p);
	xg_run_totals(p, &cur, xg_now() - start, cfg->json, stdout);
	xg_run_unpublish(p);
	free(p);
	xg_ruleset_free(&rs);
	return 0;
}

static void run_defaults(void *cfgp)
{
	struct run_cfg *cfg = cfgp;

	cfg->handler = "count";
	cfg->wait = XG_WAIT_POLL;
	cfg->mode = XDP_MODE_NATIVE;
	cfg->batch = 64;
	cfg->frame_size = 4096;
	cfg->ring_size = 2048;
	cfg->interval = 1.0;
}

#define O(f) offsetof(struct run_cfg, f)
static const struct xg_opt run_opts[] = {
	{ "rules", 'r', XG_OPT_STRING, O(rules), "FILE",
	  "rule set (rules with action xsk reach the pool; default: all IP traffic)", NULL, 0, 0 },
	{ "queues", 'q', XG_OPT_STRING, O(queues), "all|LIST", "queues to serve (default all)",
	  NULL, 0, 0 },
	{ "handler", 'H', XG_OPT_STRING, O(handler), "NAME",
	  "count | count:verify | reflect | pcap:FILE[,rotate=MB] (default count)", NULL, 0, 0 },
	{ "zerocopy", 'z', XG_OPT_FLAG, O(zerocopy), NULL, "zero-copy or fail", NULL, 0, 0 },
	{ "copy", 'c', XG_OPT_FLAG, O(copy), NULL, "copy mode (default: zero-copy, else copy)",
	  NULL, 0, 0 },
	{ "wait", 'w', XG_OPT_ENUM, O(wait), NULL, "how idle workers wait (default poll)",
	  wait_modes, 0, 0 },
	{ "batch", 'b', XG_OPT_UINT, O(batch), "N", "frames per batch (default 64, max 256)", NULL,
	  1, 256 },
	{ "frame-size", 0, XG_OPT_UINT, O(frame_size), "2048|4096", "UMEM frame size", NULL, 2048,
	  4096 },
	{ "ring-size", 0, XG_OPT_UINT, O(ring_size), "N", "ring descriptors (default 2048)", NULL,
	  64, 16384 },
	{ "mode", 'm', XG_OPT_ENUM, O(mode), NULL, "attach mode of our own gate (default native)",
	  xg_attach_modes, 0, 0 },
	{ "duration", 'd', XG_OPT_DOUBLE, O(duration), "S", "stop after S seconds", NULL, 0, 0 },
	{ "stats-interval", 'i', XG_OPT_DOUBLE, O(interval), "S",
	  "seconds between reports (default 1)", NULL, 0, 0 },
	{ "json", 'j', XG_OPT_FLAG, O(json), NULL, "reports as JSON lines", NULL, 0, 0 },
	{ NULL, 0, 0, 0, NULL, NULL, NULL, 0, 0 },
};
#undef O

const struct xg_cmd xg_cmd_run = {
	.name = "run",
	.args = "IFACE",
	.min_args = 1,
	.max_args = 1,
	.summary = "Run the AF_XDP worker pool on IFACE in the foreground.\n"
		   "One pinned worker per queue; rules with action xsk (or, without --rules,\n"
		   "all IP traffic) reach it. On a free interface the gate is attached through\n"
		   "a bpf_link (gone when the process dies); where `attach` holds the interface\n"
		   "the pool joins that gate.",
	.opts = run_opts,
	.cfg_size = sizeof(struct run_cfg),
	.defaults = run_defaults,
	.run = do_run,
};
