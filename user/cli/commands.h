/* SPDX-License-Identifier: GPL-2.0 */
/* The command table: every subcommand of the xdpgate CLI. */
#ifndef XG_COMMANDS_H
#define XG_COMMANDS_H

#include "user/cli/opts.h"

extern const struct xg_cmd xg_cmd_attach;
extern const struct xg_cmd xg_cmd_detach;
extern const struct xg_cmd xg_cmd_status;
extern const struct xg_cmd xg_cmd_stats;
extern const struct xg_cmd xg_cmd_gen;
extern const struct xg_cmd xg_cmd_baseline;
extern const struct xg_cmd xg_cmd_rules;
extern const struct xg_cmd xg_cmd_run;
extern const struct xg_cmd xg_cmd_cleanup;
extern const struct xg_cmd xg_cmd_config;
extern const struct xg_cmd xg_cmd_log;
extern const struct xg_cmd xg_cmd_top;
extern const struct xg_cmd xg_cmd_set;
extern const struct xg_cmd xg_cmd_ct;
extern const struct xg_cmd xg_cmd_flows;
extern const struct xg_cmd xg_cmd_export;

struct xg_conf_schema;
/* What `run --config` reads from an [interface] section (cmd_run.c), for `config check`. */
extern const struct xg_conf_schema xg_run_conf_schema;

/* Entry point shared by main() and tests: parses global options, dispatches. */
int xg_cli_main(int argc, char **argv);

#endif
