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
#include "user/gate/gate.h"
#include "user/util/log.h"
#include "user/util/signal.h"
#include "user/cli/names.h"
#include "user/pool/pool.h"
#include "user/pool/publish.h"
#include "user/rules/rules.h"

struct run_cfg {
	const char *rules, *handler;
	struct xg_opt_queues queues;
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

_Static_assert(XG_OPT_QUEUES_MAX <= XG_POOL_MAX_QUEUES, "--queues lists more than the pool serves");

static int check_run(const void *cfgp, int argc, char **argv)
{
	const struct run_cfg *cfg = cfgp;
	const char *arg;

	(void)argc;
	(void)argv;
	if (!xg_handler_find(cfg->handler, &arg)) {
		pr_warn("run: --handler: unknown handler '%s' (count, count:verify, reflect, "
			"pcap:FILE)\n",
			cfg->handler);
		return -1;
	}
	if (cfg->zerocopy && cfg->copy) {
		pr_warn("run: --zerocopy and --copy exclude each other\n");
		return -1;
	}
	if (cfg->ring_size & (cfg->ring_size - 1)) {
		pr_warn("run: --ring-size: %u is not a power of two\n", cfg->ring_size);
		return -1;
	}
	if (cfg->frame_size != 2048 && cfg->frame_size != 4096) {
		pr_warn("run: --frame-size: %u is not 2048 or 4096\n", cfg->frame_size);
		return -1;
	}
	return 0;
}

/* The options, checked by check_run, into the pool's configuration; the rules file read. */
static int build_cfg(const struct run_cfg *cfg, const char *ifname, struct xg_pool_cfg *pc,
		     struct xg_ruleset *rs)
{
	memset(pc, 0, sizeof(*pc));
	pc->ifname = ifname;
	pc->log_name = "run";
	pc->handler = xg_handler_find(cfg->handler, &pc->handler_arg);
	pc->nqueues = cfg->queues.n;
	memcpy(pc->queues, cfg->queues.q, sizeof(cfg->queues.q));
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
	struct xg_pool_worker_info w;
	unsigned int i;

	for (i = 0; i < xg_pool_nworkers(p); i++) {
		xg_pool_worker_info(p, i, &w);
		printf("%s queue %u: %s mode, worker on CPU %d, UMEM %u x %u bytes%s\n",
		       xg_pool_ifname(p), w.queue, w.zerocopy ? "zero-copy" : "copy", w.cpu,
		       w.nframes, w.frame_size, w.huge ? " (huge pages)" : "");
	}
	printf("%s: %s gate, Ctrl-C to stop\n", xg_pool_ifname(p),
	       xg_pool_joined(p) ? "joined the attached" : "attached (bpf_link) our own");
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
	bool gone = false;
	int err;

	(void)argc;
	if (xg_require_root("run") || build_cfg(cfg, argv[0], &pc, &rs))
		return 1;
	err = xg_pool_start(&pc, &p);
	if (err) {
		if (err == -EOPNOTSUPP && cfg->zerocopy)
			pr_warn("run: zero-copy refused: drop --zerocopy to fall back to copy "
				"mode\n");
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
		if (xg_gate_iface_gone(xg_pool_gate(p))) {
			/* its sockets would wait for frames forever: say so, clean up, fail */
			pr_warn("run: %s: the interface is gone\n", argv[0]);
			gone = true;
			break;
		}
		xg_run_snapshot(p, &cur);
		xg_run_report(&prev, &cur, cfg->json, stdout);
		xg_run_publish(p, &cur);
		prev = cur;
		if (cfg->duration > 0 && xg_now() >= start + cfg->duration)
			break;
	}
	xg_run_snapshot(p, &cur); /* before stopping: XDP_STATISTICS need the sockets */
	xg_run_unpublish(p);	  /* the stopped pool has no gate to find the file by */
	xg_pool_stop(p);
	xg_run_totals(argv[0], &cur, xg_now() - start, cfg->json, stdout);
	xg_ruleset_free(&rs);
	return gone ? 1 : 0;
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
	{ .name = "rules",
	  .short_name = 'r',
	  .type = XG_OPT_STRING,
	  .offset = O(rules),
	  .metavar = "FILE",
	  .help = "rule set (rules with action xsk reach the pool; default: all IP traffic)" },
	{ .name = "queues",
	  .short_name = 'q',
	  .type = XG_OPT_QUEUES,
	  .offset = O(queues),
	  .metavar = "all|LIST",
	  .help = "queues to serve, like 0,2-3 (default all)",
	  .max = 255 /* the gate's xskmap has 256 entries */ },
	{ .name = "handler",
	  .short_name = 'H',
	  .type = XG_OPT_STRING,
	  .offset = O(handler),
	  .metavar = "NAME",
	  .help = "count | count:verify | reflect | pcap:FILE[,rotate=MB] (default count)" },
	{ .name = "zerocopy",
	  .short_name = 'z',
	  .type = XG_OPT_FLAG,
	  .offset = O(zerocopy),
	  .help = "zero-copy or fail" },
	{ .name = "copy",
	  .short_name = 'c',
	  .type = XG_OPT_FLAG,
	  .offset = O(copy),
	  .help = "copy mode (default: zero-copy, else copy)" },
	{ .name = "wait",
	  .short_name = 'w',
	  .type = XG_OPT_ENUM,
	  .offset = O(wait),
	  .help = "how idle workers wait (default poll)",
	  .enum_vals = wait_modes },
	{ .name = "batch",
	  .short_name = 'b',
	  .type = XG_OPT_UINT,
	  .offset = O(batch),
	  .metavar = "N",
	  .help = "frames per batch (default 64, max 256)",
	  .min = 1,
	  .max = 256 },
	{ .name = "frame-size",
	  .type = XG_OPT_UINT,
	  .offset = O(frame_size),
	  .metavar = "2048|4096",
	  .help = "UMEM frame size",
	  .min = 2048,
	  .max = 4096 },
	{ .name = "ring-size",
	  .type = XG_OPT_UINT,
	  .offset = O(ring_size),
	  .metavar = "N",
	  .help = "ring descriptors (default 2048)",
	  .min = 64,
	  .max = 16384 },
	{ .name = "mode",
	  .short_name = 'm',
	  .type = XG_OPT_ENUM,
	  .offset = O(mode),
	  .help = "attach mode of our own gate (default native)",
	  .enum_vals = xg_attach_modes },
	{ .name = "duration",
	  .short_name = 'd',
	  .type = XG_OPT_DOUBLE,
	  .offset = O(duration),
	  .metavar = "S",
	  .help = "stop after S seconds" },
	{ .name = "stats-interval",
	  .short_name = 'i',
	  .type = XG_OPT_DOUBLE,
	  .offset = O(interval),
	  .metavar = "S",
	  .help = "seconds between reports (default 1)" },
	{ .name = "json",
	  .short_name = 'j',
	  .type = XG_OPT_FLAG,
	  .offset = O(json),
	  .help = "reports as JSON lines" },
	XG_OPT_END,
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
	.check = check_run,
	.run = do_run,
};
