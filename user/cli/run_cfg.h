/* SPDX-License-Identifier: GPL-2.0 */
/* run's options (run_cfg.c): one table, read from the command line and, for an
 * `[interface NAME]` section, from the config file; each interface's part of it is a
 * service-layer spec (user/service/run.h), checked by that layer's one validator. */
#ifndef XG_CLI_RUN_CFG_H
#define XG_CLI_RUN_CFG_H

#include "user/cli/config.h"
#include "user/cli/opts.h"
#include "user/service/run.h"

struct run_cfg {
	struct xg_run_spec spec; /* its queues come from queues below; ifname unset */
	struct xg_opt_queues queues;
	const char *config, *metrics;
	const char *ipfix; /* --ipfix HOST:PORT: export every interface's flows there */
	bool json;
	double duration, interval;
};

extern const struct xg_opt xg_run_opts[];
void xg_run_defaults(void *cfg);
/* cfg's settings for interface ifname, as the service takes them. */
void xg_run_cfg_spec(const struct run_cfg *cfg, const char *ifname, struct xg_run_spec *s);
/* run's IFACE[,IFACE...] into names[0..*n), split in list (len bytes): each named once, none
 * empty. 0, or -1 after one line. */
int xg_run_split_names(const char *arg, char *list, size_t len, const char **names,
		       unsigned int *n);
/* With --config: the specs of the interfaces named (names[0..*n)), or with *n 0 of every
 * section of the file (names filled), from conf (loaded here; the specs point into it).
 * 0, or -1 after one line. */
int xg_run_conf_specs(const char *path, struct xg_conf *conf, const char **names, unsigned int *n,
		      struct xg_run_spec *specs);

#endif
