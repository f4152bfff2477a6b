// SPDX-License-Identifier: GPL-2.0
/* embed_reload IF0 RULES0 IF1 RULES1 [SECONDS]: run the AF_XDP worker pool on two interfaces
 * through the service layer alone (user/service/run.h), each with its own rules file, and
 * reload both files on SIGHUP, all or nothing, as `xdpgate run` does. Stops at SIGINT or
 * SIGTERM, or after SECONDS (default 60), and prints what each interface received.
 *
 * The service owns what the CLI used to: the run set's pools and gates, the handler and
 * rule reload with its put-back, the switch wiring; a program only says what it wants per
 * interface (a struct xg_run_spec) and prints the one line a reload returns. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "user/service/run.h"
#include "user/util/log.h"
#include "user/util/signal.h"
#include "user/util/time.h"

/* What each interface received so far, over its workers. */
static unsigned long long received(const struct xg_pool *p)
{
	struct xg_pool_counters c;
	unsigned long long rx = 0;
	unsigned int i;

	for (i = 0; i < xg_pool_nworkers(p); i++) {
		xg_pool_counters(p, i, &c);
		rx += c.rx;
	}
	return rx;
}

/* Serve until stopped or the time is up; on SIGHUP, reload. Non-zero when the set broke. */
static int serve(struct xg_run_set *set, const struct xg_run_spec *specs, double secs)
{
	double end = xg_now() + secs;
	char msg[1024];
	int err;

	while (!xg_stop_requested() && xg_now() < end) {
		xg_sleep_until(end); /* a signal ends it early */
		if (!xg_reload_requested())
			continue;
		/* the same files, read again: each spec names its rules file */
		err = xg_run_set_reload(set, specs, msg, sizeof(msg));
		printf("reload: %s%s\n", err ? "refused: " : "", msg);
		fflush(stdout);
		if (err == -EIO)
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct xg_run_spec specs[2];
	struct xg_run_set *set;
	double secs = argc > 5 ? atof(argv[5]) : 60;
	unsigned int i;
	int err;

	if (argc < 5 || argc > 6 || secs <= 0) {
		fprintf(stderr, "usage: %s IF0 RULES0 IF1 RULES1 [SECONDS]\n", argv[0]);
		return 2;
	}
	xg_log_hook_libs(); /* libbpf/libxdp messages through our logger: warnings only */
	for (i = 0; i < 2; i++) {
		xg_run_spec_defaults(&specs[i]);
		specs[i].ifname = argv[1 + 2 * i];
		specs[i].rules = argv[2 + 2 * i];
		specs[i].copy = true; /* works on any driver, veth too */
	}
	if (xg_run_set_new(specs, 2, "embed_reload", &set))
		return 1;
	xg_stop_on_signals();
	xg_reload_on_sighup();
	xg_signals_hold(); /* the workers start with them blocked: the main thread takes them */
	err = xg_run_set_start(set);
	xg_signals_release();
	if (!err) {
		printf("serving %s and %s: SIGHUP reloads %s and %s\n", specs[0].ifname,
		       specs[1].ifname, specs[0].rules, specs[1].rules);
		fflush(stdout);
		err = serve(set, specs, secs);
		for (i = 0; i < 2; i++)
			printf("%s: received %llu\n", specs[i].ifname,
			       received(xg_run_set_pool(set, i)));
	}
	xg_run_set_free(set);
	return err ? 1 : 0;
}
