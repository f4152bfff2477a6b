// SPDX-License-Identifier: GPL-2.0
/* run: the AF_XDP worker pool on each interface in the foreground (the run set of the
 * service layer, user/service/run.h), with per-worker rates each interval and totals at the
 * end. The counters are also published, each interval, to /run/xdpgate/ns<inode>-if<ifindex>
 * .json, where `stats --json` picks them up. This file parses, calls and prints. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user/cli/commands.h"
#include "user/cli/metrics.h"
#include "user/cli/run_cfg.h"
#include "user/cli/run_print.h"
#include "user/export/session.h"
#include "user/gate/caps.h"
#include "user/pool/l2switch.h"
#include "user/pool/publish.h"
#include "user/util/log.h"
#include "user/util/signal.h"

/* What do_run holds: the settings of each interface, the set, and each one's counters. */
struct run {
	const struct run_cfg *cfg;
	struct xg_conf conf; /* with --config: the file as found at the start */
	char list[XG_RUN_MAX_IFACES * (IF_NAMESIZE + 1)];  /* the argument, split in place */
	char shown[XG_RUN_MAX_IFACES * (IF_NAMESIZE + 1)]; /* the interfaces, joined again */
	const char *names[XG_RUN_MAX_IFACES];
	unsigned int n;
	struct xg_run_spec specs[XG_RUN_MAX_IFACES];
	struct xg_run_set *set;
	struct xg_run_snap prev[XG_RUN_MAX_IFACES], cur[XG_RUN_MAX_IFACES];
	struct xg_export_session ex[XG_RUN_MAX_IFACES]; /* --ipfix */
};

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

/* --ipfix: an exporter on each interface's gate, opened while the main thread still has
 * its capabilities. */
static int run_export_start(struct run *r)
{
	struct xg_export_cfg ec;
	unsigned int i;
	int err = run_ipfix_cfg(r->cfg, &ec) ? -EINVAL : 0;

	for (i = 0; !err && r->cfg->ipfix && i < r->n; i++)
		err = xg_export_session_start(&r->ex[i], xg_pool_gate(xg_run_set_pool(r->set, i)),
					      "run", &ec);
	return err;
}

/* Every value of the command line, before anything is attached or started. */
static int check_run(const void *cfgp, int argc, char **argv)
{
	const struct run_cfg *cfg = cfgp;
	char list[XG_RUN_MAX_IFACES * (IF_NAMESIZE + 1)], why[256];
	const char *names[XG_RUN_MAX_IFACES], *key;
	struct xg_run_spec s;
	struct sockaddr_in sa;
	unsigned int n;

	if (argc && xg_run_split_names(argv[0], list, sizeof(list), names, &n))
		return -1;
	xg_run_cfg_spec(cfg, "", &s);
	if (xg_run_spec_check(&s, &key, why, sizeof(why))) {
		pr_warn("run: --%s: %s\n", key, why);
		return -1;
	}
	if (cfg->metrics && xg_conf_parse_listen(cfg->metrics, &sa)) {
		pr_warn("run: --metrics: '%s' is not ADDR:PORT (IPv4, like 127.0.0.1:9464)\n",
			cfg->metrics);
		return -1;
	}
	return run_ipfix_cfg(cfg, NULL);
}

/* SIGHUP: the config file (if any) read again, each interface's settings from it, then the
 * service reloads them all or none. One line either way. Returns true when the set must
 * stop (a worker did not restart). */
static bool run_reload(struct run *r)
{
	struct xg_run_spec next[XG_RUN_MAX_IFACES];
	const char *const *names = r->names;
	struct xg_conf conf = { 0 };
	char msg[2048];
	unsigned int i, n = r->n;
	int err = 0;

	memcpy(next, r->specs, sizeof(next)); /* without a config: the same rules files again */
	if (r->cfg->config) {
		err = xg_conf_load(r->cfg->config, &xg_run_conf_schema, &conf);
		snprintf(msg, sizeof(msg), "%s", conf.err);
		for (i = 0; !err && i < n; i++)
			if (!xg_conf_find(&conf, names[i])) {
				snprintf(msg, sizeof(msg), "%s: no [interface %s] section",
					 r->cfg->config, names[i]);
				err = -1;
			}
		if (!err) {
			xg_conf_apply_log(&conf); /* [log] first: this reload's line follows it */
			for (i = 0; i < n; i++)
				xg_run_cfg_spec(xg_conf_find(&conf, names[i])->cfg, names[i],
						&next[i]);
		}
	}
	if (!err)
		err = xg_run_set_reload(r->set, next, msg, sizeof(msg));
	if (err)
		pr_warn("run: SIGHUP: %s%s\n",
			err == -EIO	 ? "stopping: "
			: err == -ESTALE ? "reload refused: "
					 : "reload refused, old state kept: ",
			msg);
	else
		pr_info("run: SIGHUP: %s\n", msg);
	xg_conf_free(&conf);
	return err == -EIO;
}

/* --metrics, else the config's [metrics] listen; neither: no server. */
static int metrics_start(const struct run *r, struct xg_metrics **mx)
{
	const struct xg_l2_port *sw[XG_RUN_MAX_IFACES];
	const struct xg_pool *p[XG_RUN_MAX_IFACES];
	struct sockaddr_in sa = r->conf.metrics;
	char addr[INET_ADDRSTRLEN];
	unsigned int i;

	if (r->cfg->metrics)
		xg_conf_parse_listen(r->cfg->metrics, &sa); /* checked by check_run */
	else if (!r->conf.has_metrics)
		return 0;
	for (i = 0; i < r->n; i++) {
		p[i] = xg_run_set_pool(r->set, i);
		sw[i] = xg_run_set_port(r->set, i);
	}
	if (xg_metrics_start(&sa, p, sw, r->n, mx))
		return -1;
	inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof(addr));
	pr_info("%s: metrics on http://%s:%u/metrics\n", r->shown, addr, ntohs(sa.sin_port));
	return 0;
}

/* The pools are up: report every interval until stopped, the duration ends, or an
 * interface goes or loses a worker. Returns true when one did. */
static bool run_loop(struct run *r)
{
	const struct run_cfg *cfg = r->cfg;
	double start = xg_now(), next, end;
	unsigned int i;
	int gone;

	for (next = start + cfg->interval; !xg_stop_requested();) {
		end = cfg->duration > 0 ? start + cfg->duration : next;
		xg_sleep_until(next < end ? next : end); /* a signal ends it early */
		if (xg_stop_requested())
			break;
		if (xg_reload_requested() && run_reload(r))
			return true;
		gone = xg_run_set_gone(r->set);
		if (gone >= 0) { /* its sockets would wait for frames forever: say so, clean up */
			pr_warn("run: %s: the interface is gone\n", r->names[gone]);
			return true;
		}
		if (xg_now() < (next < end ? next : end))
			continue;
		next += cfg->interval;
		for (i = 0; i < r->n; i++)
			xg_export_session_poll(&r->ex[i],
					       false); /* never blocks: non-blocking UDP */
		for (i = 0; i < r->n; i++) {
			xg_run_snapshot(xg_run_set_pool(r->set, i), &r->cur[i]);
			r->cur[i].show_ifname = r->n > 1;
			xg_run_report(&r->prev[i], &r->cur[i], cfg->json, stdout);
			xg_run_publish(xg_run_set_pool(r->set, i), &r->cur[i]);
			r->prev[i] = r->cur[i];
		}
		if (cfg->duration > 0 && xg_now() >= start + cfg->duration)
			break;
	}
	return false;
}

/* The interfaces and their settings: from the command line, or the config file. */
static int run_specs(struct run *r, int argc, char **argv)
{
	const struct run_cfg *cfg = r->cfg;
	unsigned int i;

	if (argc && xg_run_split_names(argv[0], r->list, sizeof(r->list), r->names, &r->n))
		return -1;
	if (cfg->config) {
		if (xg_run_conf_specs(cfg->config, &r->conf, r->names, &r->n, r->specs))
			return -1;
		xg_conf_apply_log(&r->conf);
	} else if (!r->n) {
		pr_warn("run: name an interface, or give --config FILE\n");
		return -1;
	}
	for (i = 0; i < r->n; i++) {
		if (!cfg->config)
			xg_run_cfg_spec(cfg, r->names[i], &r->specs[i]);
		snprintf(r->shown + strlen(r->shown), sizeof(r->shown) - strlen(r->shown), "%s%s",
			 i ? "," : "", r->names[i]);
	}
	return 0;
}

/* Frames a handler counted as errors (a capture that could not write them): a run that
 * lost frames so must not end with exit 0 and no word. */
static uint64_t run_errors(const struct xg_run_snap *s)
{
	uint64_t n = 0;
	unsigned int q;

	for (q = 0; q < s->n; q++)
		n += s->w[q].c.errors;
	return n;
}

/* The counters read before the pools stop (XDP_STATISTICS need the sockets), the totals.
 * 0, or -1 when a handler lost frames (said in one line per interface). */
static int run_end(struct run *r, double secs)
{
	const struct xg_l2_switch *sw = xg_run_set_switch(r->set);
	unsigned int i;
	uint64_t lost;
	int err = 0;

	for (i = 0; i < r->n; i++) {
		xg_run_snapshot(xg_run_set_pool(r->set, i), &r->cur[i]);
		r->cur[i].show_ifname = r->n > 1;
		xg_run_unpublish(xg_run_set_pool(r->set, i)); /* a stopped pool has no gate */
		xg_export_session_stop(&r->ex[i], r->names[i], stdout); /* every open flow sent */
	}
	xg_run_set_stop(r->set);
	for (i = 0; i < r->n; i++)
		xg_run_totals(r->names[i], &r->cur[i], secs, r->cfg->json, stdout);
	if (sw && !r->cfg->json)
		xg_l2_switch_report(sw, stdout);
	for (i = 0; i < r->n; i++) {
		lost = run_errors(&r->cur[i]);
		if (lost) {
			pr_warn("run: %s: %llu frames the handler could not handle (errors)\n",
				r->names[i], (unsigned long long)lost);
			err = -1;
		}
	}
	return err;
}

/* Every pool started, then the main thread keeps only what reload and teardown need (the
 * workers dropped theirs as they started), and the metrics server's thread, made next,
 * inherits that much and no more. */
static int run_start(struct run *r, struct xg_metrics **mx)
{
	unsigned int i;
	bool started;
	int err, cerr;

	xg_stop_on_signals();
	xg_reload_on_sighup();
	xg_signals_hold(); /* the workers' and the metrics threads are started blocking them */
	err = xg_run_set_start(r->set);
	started = !err;
	if (!err && run_export_start(r))
		err = -1;
	cerr = err ? 0 : xg_caps_limit_thread(true);
	if (cerr)
		pr_warn("run: cannot drop capabilities: %s\n", strerror(-cerr));
	if (!err && metrics_start(r, mx))
		err = -1;
	if (started && err) { /* stop the pools, and the sessions that started */
		for (i = 0; i < r->n; i++)
			xg_export_session_stop(&r->ex[i], r->names[i], stdout);
		xg_run_set_stop(r->set);
	}
	xg_signals_release();
	for (i = 0; err == -EOPNOTSUPP && i < r->n; i++)
		if (r->specs[i].zerocopy) {
			pr_warn("run: zero-copy refused: drop --zerocopy to fall back to copy "
				"mode\n");
			break;
		}
	return err;
}

static int do_run(void *cfgp, int argc, char **argv)
{
	struct xg_metrics *mx = NULL;
	struct run *r;
	double start;
	unsigned int i;
	bool gone = false;
	int err;

	if (xg_require_caps("run", XG_CAPS_RUN) || xg_run_publish_dir(true))
		return 1;
	r = calloc(1, sizeof(*r));
	if (!r)
		return 1;
	r->cfg = cfgp;
	err = run_specs(r, argc, argv) || xg_run_set_new(r->specs, r->n, "run", &r->set) ||
	      run_start(r, &mx);
	if (!err) {
		for (i = 0; i < r->n; i++) {
			xg_run_print_sockets(xg_run_set_pool(r->set, i));
			xg_run_snapshot(xg_run_set_pool(r->set, i), &r->prev[i]);
		}
		start = xg_now();
		gone = run_loop(r);
		xg_metrics_stop(mx); /* its thread reads the pools */
		if (run_end(r, xg_now() - start))
			err = -1;
	}
	xg_run_set_free(r->set);
	xg_conf_free(&r->conf);
	free(r);
	return err || gone ? 1 : 0;
}

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
	.opts = xg_run_opts,
	.cfg_size = sizeof(struct run_cfg),
	.defaults = xg_run_defaults,
	.check = check_run,
	.run = do_run,
};
