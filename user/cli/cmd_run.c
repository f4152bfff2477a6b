// SPDX-License-Identifier: GPL-2.0
/* run: the AF_XDP worker pool in the foreground, with per-worker rates each interval and
 * totals at the end. The counters are also published, each interval, to
 * /run/xdpgate/ns<inode>-if<ifindex>.json, where `stats --json` picks them up. */
#include <arpa/inet.h>
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
#include "user/cli/config.h"
#include "user/cli/metrics.h"
#include "user/gate/counters.h"
#include "user/gate/caps.h"
#include "user/gate/gate.h"
#include "user/pool/l2switch.h"
#include "user/util/log.h"
#include "user/util/signal.h"
#include "user/cli/names.h"
#include "user/export/session.h"
#include "user/pool/pool.h"
#include "user/pool/publish.h"
#include "user/rules/rules.h"

struct run_cfg {
	const char *rules, *handler, *config, *metrics;
	const char *ipfix; /* --ipfix HOST:PORT: export every interface's flows there */
	struct xg_opt_queues queues;
	bool zerocopy, copy, json;
	int wait, mode, steer;
	unsigned int batch, frame_size, ring_size, per_queue;
	double duration, interval;
};

static const struct xg_opt_enum steer_modes[] = {
	{ "flow", 0 },
	{ "symmetric", 1 },
	{ NULL, 0 },
};

static const struct xg_opt_enum wait_modes[] = {
	{ "poll", XG_WAIT_POLL },
	{ "busy-poll", XG_WAIT_BUSY_POLL },
	{ "spin", XG_WAIT_SPIN },
	{ NULL, 0 },
};

_Static_assert(XG_OPT_QUEUES_MAX <= XG_POOL_MAX_QUEUES, "--queues lists more than the pool serves");

#define HANDLER_NAMES "count, count:verify, reflect, pcap:FILE, forward:OUT, switch"

/* --ipfix into an exporter's configuration (export's default timeouts); -1 after one
 * line when it is no collector address. */
static int run_ipfix_cfg(const struct run_cfg *cfg, struct xg_export_cfg *out)
{
	struct xg_export_cfg ec = { .active_ns = 60000000000ULL,
				    .idle_ns = 15000000000ULL,
				    .template_ns = 30000000000ULL };
	char why[256];

	if (!cfg->ipfix)
		return 0;
	if (xg_export_addr_parse(cfg->ipfix, &ec, why, sizeof(why))) {
		pr_warn("run: --ipfix '%.64s': %s\n", cfg->ipfix, why);
		return -1;
	}
	if (out)
		*out = ec;
	return 0;
}

static int check_run(const void *cfgp, int argc, char **argv)
{
	const struct run_cfg *cfg = cfgp;
	const char *arg;

	(void)argc;
	(void)argv;
	if (!xg_handler_find(cfg->handler, &arg)) {
		pr_warn("run: --handler: unknown handler '%s' (" HANDLER_NAMES ")\n", cfg->handler);
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
	return run_ipfix_cfg(cfg, NULL);
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
	pc->workers_per_queue = cfg->per_queue;
	pc->steer_symmetric = cfg->steer == 1;
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
		if (w.slot) /* another socket on the queue: the first's UMEM, a share of it */
			printf("%s queue %u: %s mode, worker %u on CPU %d, the queue's UMEM "
			       "(%u of its frames to start)\n",
			       xg_pool_ifname(p), w.queue, w.zerocopy ? "zero-copy" : "copy",
			       w.slot, w.cpu, w.nframes);
		else
			printf("%s queue %u: %s mode, worker on CPU %d, UMEM %u x %u bytes%s\n",
			       xg_pool_ifname(p), w.queue, w.zerocopy ? "zero-copy" : "copy", w.cpu,
			       w.nframes, w.frame_size, w.huge ? " (huge pages)" : "");
		if (!w.out_ifname[0])
			continue;
		if (w.out_shared)
			printf("%s queue %u -> %s queue %u: shared UMEM, frames move by "
			       "descriptor\n",
			       xg_pool_ifname(p), w.queue, w.out_ifname, w.out_queue);
		else
			printf("%s queue %u -> %s queue %u: copy into the output's UMEM (%s%s)\n",
			       xg_pool_ifname(p), w.queue, w.out_ifname, w.out_queue,
			       w.out_refused ? "shared UMEM refused: " : "copy forced",
			       w.out_refused ? strerror(w.out_refused) : "");
	}
	printf("%s: %s gate, Ctrl-C to stop\n", xg_pool_ifname(p),
	       xg_pool_joined(p) ? "joined the attached" : "attached (bpf_link) our own");
	fflush(stdout);
}

/* One interface of the run: its settings, its pool, its counters. */
struct run_iface {
	const char *ifname;
	struct run_cfg cfg;
	struct xg_pool_cfg pc;
	struct xg_ruleset rs;
	struct xg_pool *p;
	struct xg_run_snap prev, cur;
	struct xg_conf conf; /* with --config: the file as this interface's reload last took it */
	struct xg_export_session ex; /* --ipfix */
};

#define RUN_MAX_IFACES XG_CONF_MAX_IFACES

struct run_set {
	struct run_iface *ifs; /* RUN_MAX_IFACES */
	unsigned int n;
	char *names;		 /* IFACE[,IFACE...] split in place */
	struct xg_l2_switch *sw; /* --handler switch: its ports are the interfaces using it */
};

/* IFACE[,IFACE...] into set->ifs' names; each named once. */
static int split_names(struct run_set *set, const char *list)
{
	char *tok, *save = NULL;
	unsigned int i;

	set->names = strdup(list);
	if (!set->names)
		return -1;
	for (tok = strtok_r(set->names, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < set->n; i++)
			if (!strcmp(set->ifs[i].ifname, tok)) {
				pr_warn("run: %s is named twice\n", tok);
				return -1;
			}
		if (set->n == RUN_MAX_IFACES) {
			pr_warn("run: more than %u interfaces\n", RUN_MAX_IFACES);
			return -1;
		}
		set->ifs[set->n++].ifname = tok;
	}
	if (!set->n)
		pr_warn("run: '%s' names no interface\n", list);
	return set->n ? 0 : -1;
}

/* With --config: each interface's section (those named, or every section of the file)
 * replaces the settings of the command line, except how long to run and how to report.
 * conf is the file as found at the start ([log], [metrics], the section names); each
 * interface gets its own copy, which its reload may replace (run_reload). */
static int conf_select(const struct run_cfg *cli, struct run_set *set, struct xg_conf *conf)
{
	const struct xg_conf_iface *ifc;
	unsigned int i;

	if (xg_conf_load(cli->config, &xg_run_conf_schema, conf)) {
		pr_warn("%s\n", conf->err);
		return -1;
	}
	for (i = 0; !set->n && i < conf->nifaces; i++)
		set->ifs[i].ifname = conf->ifaces[i].name;
	if (!set->n)
		set->n = conf->nifaces;
	for (i = 0; i < set->n; i++) {
		struct run_iface *r = &set->ifs[i];

		if (xg_conf_load(cli->config, &xg_run_conf_schema, &r->conf)) {
			pr_warn("%s\n", r->conf.err);
			return -1;
		}
		ifc = xg_conf_pick(&r->conf, "run", r->ifname);
		if (!ifc)
			return -1;
		r->cfg = *(const struct run_cfg *)ifc->cfg;
		r->cfg.config = cli->config;
		r->cfg.metrics = cli->metrics;
		r->cfg.duration = cli->duration;
		r->cfg.interval = cli->interval;
		r->cfg.json = cli->json;
	}
	if (!set->n)
		pr_warn("run: %s: no [interface] section\n", cli->config);
	xg_conf_apply_log(conf);
	return set->n ? 0 : -1;
}

/* Settings of the running pool that a reload cannot change without restarting it. */
static bool needs_restart(const struct run_cfg *a, const struct run_cfg *b)
{
	return a->wait != b->wait || a->mode != b->mode || a->copy != b->copy ||
	       a->zerocopy != b->zerocopy || a->batch != b->batch ||
	       a->frame_size != b->frame_size || a->ring_size != b->ring_size ||
	       a->per_queue != b->per_queue || a->steer != b->steer || a->queues.n != b->queues.n ||
	       memcmp(a->queues.q, b->queues.q, a->queues.n * sizeof(a->queues.q[0]));
}

/* Restart p's workers with handler spec (checked by the config's loader). */
static int switch_handler(struct xg_pool *p, const char *spec)
{
	const struct xg_handler_ops *ops;
	const char *arg;
	int err;

	ops = xg_handler_find(spec, &arg);
	if (!ops)
		return -1;
	xg_signals_hold(); /* the new workers are started blocking them, like the first */
	err = xg_pool_set_handler(p, ops, arg, NULL);
	xg_signals_release();
	return err;
}

/* The new file's section, or NULL after one line. */
static const struct xg_conf_iface *reload_conf(const struct run_cfg *cfg, const char *ifname,
					       struct xg_conf *next)
{
	const struct xg_conf_iface *ifc;

	if (xg_conf_load(cfg->config, &xg_run_conf_schema, next)) {
		pr_warn("run: SIGHUP: reload refused, old state kept: %s\n", next->err);
		return NULL;
	}
	ifc = xg_conf_find(next, ifname);
	if (!ifc)
		pr_warn("run: SIGHUP: reload refused, old state kept: %s: no [interface %s] "
			"section\n",
			cfg->config, ifname);
	else if (needs_restart(cfg, ifc->cfg))
		pr_warn("run: SIGHUP: %s: the rules, the handler and [log] are reloaded; other "
			"changes to [interface %s] need a restart\n",
			cfg->config, ifname);
	return ifc;
}

/* SIGHUP for pool p: read the config (if any) and the rules file again; restart p's
 * workers if the handler changed (first: it is what most likely fails, and it fails
 * changing nothing); then make the new rules live through the rule engine's two-slot
 * swap, so every frame is classified by the old set or the new one, never a mix; if that
 * fails the old handler is put back. Anything wrong: one line, and the old state stays.
 * cfg's strings point into *conf (the pool holds the handler's argument), so a new file
 * whose handler is taken replaces *conf, even when the old one could not be put back (the
 * workers read their argument from it); otherwise it is dropped. Returns true when a
 * worker did not start again: a queue without a worker must not run on unnoticed. */
static bool run_reload(struct run_cfg *cfg, struct xg_conf *conf, struct xg_pool *p)
{
	const char *ifname = xg_pool_ifname(p), *rules = cfg->rules;
	const struct run_cfg *nc = cfg;
	const struct xg_conf_iface *ifc;
	struct xg_conf next = { 0 };
	struct xg_ruleset rs;
	bool switched = false, fatal = false;
	char err[512];

	xg_ruleset_init(&rs);
	if (cfg->config) {
		ifc = reload_conf(cfg, ifname, &next);
		if (!ifc)
			goto out;
		xg_conf_apply_log(&next); /* [log] first: this reload's own lines follow it */
		nc = ifc->cfg;
		rules = nc->rules;
	}
	if (!rules) {
		pr_warn("run: SIGHUP: reload refused, old state kept: no rules file to read\n");
		goto out;
	}
	if (xg_rules_parse_file_err(rules, &rs, err, sizeof(err))) {
		pr_warn("run: SIGHUP: reload refused, old state kept: %s\n", err);
		goto out;
	}
	if (strcmp(cfg->handler, nc->handler)) {
		int serr = switch_handler(p, nc->handler);

		if (serr == -EIO) {
			pr_warn("run: SIGHUP: %s: a worker did not restart: stopping\n", ifname);
			fatal = true;
			goto out;
		}
		if (serr) {
			pr_warn("run: SIGHUP: reload refused, old state kept: %s: handler '%s' "
				"did not start\n",
				ifname, nc->handler);
			goto out;
		}
		switched = true;
	}
	if (!xg_rules_replace_live("run", ifname, &rs)) { /* else it said why */
		pr_info("run: SIGHUP: %zu rules from %s in force\n", rs.n, rules);
	} else if (switched) {
		int serr = switch_handler(p, cfg->handler);

		if (!serr)
			switched = false;
		else /* the new one runs on: next must own its argument */
			pr_warn("run: SIGHUP: %s: the old handler could not be put back%s\n",
				ifname,
				serr == -EIO ? ", and a worker did not restart: stopping" : "");
		fatal = serr == -EIO;
	}
	if (switched) {
		struct xg_conf old = *conf;

		pr_info("run: SIGHUP: %s: handler %s in force (workers restarted)\n", ifname,
			nc->handler);
		cfg->handler = nc->handler;
		cfg->rules = nc->rules;
		*conf = next; /* now the strings' owner */
		next = old;
	}
out:
	xg_ruleset_free(&rs);
	xg_conf_free(&next);
	return fatal;
}

/* --metrics, else the config's [metrics] listen; neither: no server. */
static int metrics_start(const struct run_cfg *cfg, const struct xg_conf *conf,
			 const struct run_set *set, struct xg_metrics **mx)
{
	const struct xg_l2_port *sw[RUN_MAX_IFACES];
	const struct xg_pool *p[RUN_MAX_IFACES];
	struct sockaddr_in sa = conf->metrics;
	char addr[INET_ADDRSTRLEN], names[RUN_MAX_IFACES * IF_NAMESIZE] = "";
	unsigned int i;

	if (cfg->metrics && xg_conf_parse_listen(cfg->metrics, &sa)) {
		pr_warn("run: --metrics: '%s' is not ADDR:PORT (IPv4, like 127.0.0.1:9464)\n",
			cfg->metrics);
		return -1;
	}
	if (!cfg->metrics && !conf->has_metrics)
		return 0;
	for (i = 0; i < set->n; i++) {
		p[i] = set->ifs[i].p;
		sw[i] = set->sw && set->ifs[i].pc.handler == &xg_handler_switch
				? set->ifs[i].pc.handler_ctx
				: NULL;
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", i ? "," : "",
			 xg_pool_ifname(p[i]));
	}
	if (xg_metrics_start(&sa, p, sw, set->n, mx))
		return -1;
	inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof(addr));
	pr_info("%s: metrics on http://%s:%u/metrics\n", names, addr, ntohs(sa.sin_port));
	return 0;
}

static void run_set_free(struct run_set *set)
{
	unsigned int i;

	for (i = 0; set->ifs && i < set->n; i++) {
		xg_export_session_stop(&set->ifs[i].ex, set->ifs[i].ifname, stdout);
		xg_pool_stop(set->ifs[i].p);
		xg_ruleset_free(&set->ifs[i].rs);
		xg_conf_free(&set->ifs[i].conf);
	}
	xg_l2_switch_free(set->sw); /* after the pools: their workers used it */
	free(set->ifs);
	free(set->names);
}

/* The interfaces whose handler is the switch are its ports, in the run's order; each one's
 * workers reach its port through the handler's context. */
static int switch_setup(struct run_set *set)
{
	const char *names[RUN_MAX_IFACES];
	unsigned int i, n = 0;

	for (i = 0; i < set->n; i++)
		if (set->ifs[i].pc.handler == &xg_handler_switch)
			names[n++] = set->ifs[i].ifname;
	if (!n)
		return 0;
	set->sw = xg_l2_switch_new(names, n, 0);
	if (!set->sw)
		return -1;
	for (i = n = 0; i < set->n; i++)
		if (set->ifs[i].pc.handler == &xg_handler_switch)
			set->ifs[i].pc.handler_ctx = xg_l2_switch_port(set->sw, n++);
	return 0;
}

/* Every interface's pool, in order; on failure the ones started are stopped. */
static int run_start(struct run_set *set)
{
	unsigned int i;
	int err = 0;

	for (i = 0; !err && i < set->n; i++)
		err = xg_pool_start(&set->ifs[i].pc, &set->ifs[i].p);
	for (i = 0; err && i < set->n; i++) {
		xg_pool_stop(set->ifs[i].p);
		set->ifs[i].p = NULL;
	}
	return err;
}

/* --ipfix: an exporter on each interface's gate, opened while the main thread still has
 * its capabilities. On failure the pools are stopped (run_set_free). */
static int run_export_start(const struct run_cfg *cfg, struct run_set *set)
{
	struct xg_export_cfg ec;
	unsigned int i;
	int err = run_ipfix_cfg(cfg, &ec) ? -EINVAL : 0;

	for (i = 0; !err && i < set->n; i++)
		err = xg_export_session_start(&set->ifs[i].ex, xg_pool_gate(set->ifs[i].p), "run",
					      &ec);
	return err;
}

/* The pools are up: report every interval until stopped, the duration ends, or an
 * interface goes or loses a worker. Returns true when one did. */
static bool run_loop(const struct run_cfg *cfg, struct run_set *set)
{
	double start = xg_now(), next;
	unsigned int i;

	for (next = start + cfg->interval; !xg_stop_requested();) {
		double end = cfg->duration > 0 ? start + cfg->duration : next;
		bool reload;

		xg_sleep_until(next < end ? next : end); /* a signal ends it early */
		if (xg_stop_requested())
			break;
		reload = xg_reload_requested();
		for (i = 0; i < set->n; i++) {
			struct run_iface *r = &set->ifs[i];

			if (reload && run_reload(&r->cfg, &r->conf, r->p))
				return true;
			if (xg_gate_iface_gone(xg_pool_gate(r->p))) {
				/* its sockets would wait for frames forever: say so, clean up */
				pr_warn("run: %s: the interface is gone\n", r->ifname);
				return true;
			}
		}
		if (xg_now() < (next < end ? next : end))
			continue;
		next += cfg->interval;
		for (i = 0; i < set->n; i++) {
			struct run_iface *r = &set->ifs[i];

			xg_export_session_poll(&r->ex, false); /* never blocks: non-blocking UDP */
			xg_run_snapshot(r->p, &r->cur);
			r->cur.show_ifname = set->n > 1;
			xg_run_report(&r->prev, &r->cur, cfg->json, stdout);
			xg_run_publish(r->p, &r->cur);
			r->prev = r->cur;
		}
		if (cfg->duration > 0 && xg_now() >= start + cfg->duration)
			break;
	}
	return false;
}

static int do_run(void *cfgp, int argc, char **argv)
{
	struct run_cfg *cfg = cfgp;
	struct xg_conf conf = { 0 };
	struct xg_metrics *mx = NULL;
	struct run_set set = { 0 };
	double start;
	unsigned int i;
	bool gone;
	int err;

	if (xg_require_caps("run", XG_CAPS_RUN) || xg_run_publish_dir(true))
		return 1;
	set.ifs = calloc(RUN_MAX_IFACES, sizeof(*set.ifs));
	err = !set.ifs || (argc && split_names(&set, argv[0])) ||
	      (cfg->config && conf_select(cfg, &set, &conf));
	if (!err && !set.n) {
		pr_warn("run: name an interface, or give --config FILE\n");
		err = 1;
	}
	for (i = 0; !err && i < set.n; i++) {
		if (!cfg->config)
			set.ifs[i].cfg = *cfg;
		err = build_cfg(&set.ifs[i].cfg, set.ifs[i].ifname, &set.ifs[i].pc, &set.ifs[i].rs);
	}
	if (!err)
		err = switch_setup(&set);
	if (err) {
		run_set_free(&set);
		xg_conf_free(&conf);
		return 1;
	}
	xg_stop_on_signals();
	xg_reload_on_sighup();
	xg_signals_hold(); /* the workers' and the metrics threads are started blocking them */
	err = run_start(&set);
	if (!err && cfg->ipfix)
		err = run_export_start(cfg, &set);
	if (!err) {
		/* set up: the main thread keeps only what reload and teardown need (the workers
		 * dropped theirs as they started), and the metrics server's thread, made next,
		 * inherits that much and no more */
		int cerr = xg_caps_limit_thread(true);

		if (cerr)
			pr_warn("run: cannot drop capabilities: %s\n", strerror(-cerr));
	}
	/* one metrics server for every interface's gate and pool */
	if (!err && metrics_start(cfg, &conf, &set, &mx))
		err = -1;
	xg_signals_release();
	if (err) {
		if (err == -EOPNOTSUPP && cfg->zerocopy)
			pr_warn("run: zero-copy refused: drop --zerocopy to fall back to copy "
				"mode\n");
		run_set_free(&set);
		xg_conf_free(&conf);
		return 1;
	}
	for (i = 0; i < set.n; i++) {
		print_sockets(set.ifs[i].p);
		xg_run_snapshot(set.ifs[i].p, &set.ifs[i].prev);
	}
	start = xg_now();
	gone = run_loop(cfg, &set);
	xg_metrics_stop(mx); /* its thread reads the pool */
	for (i = 0; i < set.n; i++) {
		struct run_iface *r = &set.ifs[i];

		xg_export_session_stop(&r->ex, r->ifname, stdout); /* every open flow sent */
		xg_run_snapshot(r->p, &r->cur); /* before stopping: XDP_STATISTICS need sockets */
		r->cur.show_ifname = set.n > 1;
		xg_run_unpublish(r->p); /* the stopped pool has no gate to find the file by */
		xg_pool_stop(r->p);
		r->p = NULL;
	}
	for (i = 0; i < set.n; i++)
		xg_run_totals(set.ifs[i].ifname, &set.ifs[i].cur, xg_now() - start, cfg->json,
			      stdout);
	if (set.sw && !cfg->json)
		xg_l2_switch_report(set.sw, stdout);
	run_set_free(&set);
	xg_conf_free(&conf);
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
	cfg->per_queue = 1;
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
	{ .name = "config",
	  .short_name = 'C',
	  .type = XG_OPT_STRING,
	  .offset = O(config),
	  .metavar = "FILE",
	  .help = "settings from FILE's [interface IFACE] section (see `config check`)" },
	{ .name = "ipfix",
	  .type = XG_OPT_STRING,
	  .offset = O(ipfix),
	  .metavar = "HOST:PORT",
	  .help = "export every interface's flows (rule files with 'flows') as IPFIX to "
		  "HOST:PORT, as 'xdpgate export' does with its default timeouts" },
	{ .name = "metrics",
	  .type = XG_OPT_STRING,
	  .offset = O(metrics),
	  .metavar = "ADDR:PORT",
	  .help = "serve Prometheus metrics on http://ADDR:PORT/metrics (like 127.0.0.1:9464)" },
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
	  .help = "count | count:verify | reflect | pcap:FILE[,rotate=MB] | forward:OUT[,copy] | "
		  "forward:map,IN=OUT,...[,copy] | switch (default count)" },
	{ .name = "workers-per-queue",
	  .type = XG_OPT_UINT,
	  .offset = O(per_queue),
	  .metavar = "N",
	  .help = "sockets and workers on each queue, sharing its UMEM (default 1)",
	  .min = 1,
	  .max = 16 },
	{ .name = "steer",
	  .type = XG_OPT_ENUM,
	  .offset = O(steer),
	  .help = "how the gate spreads a queue's flows over its workers: by 5-tuple hash, or "
		  "symmetric (both directions alike) (default flow)",
	  .enum_vals = steer_modes },
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

/* What an [interface NAME] section may set: run's options by their long names. */
static const char *const conf_keys[] = {
	"rules",      "queues",	   "handler", "zerocopy",	   "copy",  "wait", "batch",
	"frame-size", "ring-size", "mode",    "workers-per-queue", "steer", NULL,
};

/* The checks of build_cfg that need no system state, for a key of the file. */
static int conf_check(const void *cfgp, const char *key, char *why, size_t len)
{
	const struct run_cfg *cfg = cfgp;
	const char *arg;

	if (!strcmp(key, "handler") && !xg_handler_find(cfg->handler, &arg))
		snprintf(why, len, "unknown handler '%s' (" HANDLER_NAMES ")", cfg->handler);
	else if ((!strcmp(key, "copy") || !strcmp(key, "zerocopy")) && cfg->copy && cfg->zerocopy)
		snprintf(why, len, "zerocopy and copy exclude each other");
	else if (!strcmp(key, "ring-size") && (cfg->ring_size & (cfg->ring_size - 1)))
		snprintf(why, len, "%u is not a power of two", cfg->ring_size);
	else if (!strcmp(key, "frame-size") && cfg->frame_size != 2048 && cfg->frame_size != 4096)
		snprintf(why, len, "must be 2048 or 4096");
	else
		return 0;
	return -1;
}

const struct xg_conf_schema xg_run_conf_schema = {
	.check = conf_check,
	.opts = run_opts,
	.keys = conf_keys,
	.cfg_size = sizeof(struct run_cfg),
	.defaults = run_defaults,
};

const struct xg_cmd xg_cmd_run = {
	.name = "run",
	.args = "[IFACE[,IFACE...]]",
	.min_args = 0,
	.max_args = 1,
	.summary = "Run the AF_XDP worker pool on each IFACE in the foreground.\n"
		   "One pinned worker per (interface, queue); rules with action xsk (or, without "
		   "--rules,\n"
		   "all IP traffic) reach it. On a free interface the gate is attached through\n"
		   "a bpf_link (gone when the process dies); where `attach` holds the interface\n"
		   "the pool joins that gate. With --config, each IFACE's section of the file\n"
		   "(without IFACE: every section, one pool each).",
	.opts = run_opts,
	.cfg_size = sizeof(struct run_cfg),
	.defaults = run_defaults,
	.check = check_run,
	.run = do_run,
};
