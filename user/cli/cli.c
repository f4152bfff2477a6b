// SPDX-License-Identifier: GPL-2.0
/* The command table and global options of the xdpgate CLI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user/cli/commands.h"
#include "user/cli/help.h"
#include "user/util/log.h"

#ifndef XDPGATE_VERSION
#define XDPGATE_VERSION "0.1.0"
#endif

static const struct xg_cmd *const commands[] = {
	&xg_cmd_attach,	 &xg_cmd_detach, &xg_cmd_status, &xg_cmd_stats,
	&xg_cmd_rules,	 &xg_cmd_run,	 &xg_cmd_gen,	 &xg_cmd_baseline,
	&xg_cmd_cleanup, &xg_cmd_config, &xg_cmd_top,	 &xg_cmd_log,
	&xg_cmd_set,	 &xg_cmd_ct,	 &xg_cmd_flows,	 &xg_cmd_export,
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	int width = xg_help_width(out);
	char lhs[160], sentence[512];
	size_t i;

	fprintf(out, "Usage: xdpgate [-v|-vv] COMMAND [OPTIONS] [ARGS]\n"
		     "       xdpgate --version | --help | COMMAND --help\n\n"
		     "A line-rate XDP packet gate.\n\nCommands:\n");
	for (i = 0; i < NCOMMANDS; i++) {
		snprintf(lhs, sizeof(lhs), "%s %s", commands[i]->name, commands[i]->args);
		xg_help_sentence(commands[i]->summary, sentence, sizeof(sentence));
		xg_help_item(out, width, lhs, sentence, 30);
	}
	fprintf(out, "\nGlobal options:\n");
	xg_help_item(out, width, "-v, -vv", "show libbpf/libxdp messages (info, debug)", 14);
	xg_help_item(out, width, "--log-json",
		     "log lines as JSON objects (timestamp, level, interface, message)", 14);
}

/* -v, -vv, --verbose and --log-json may appear anywhere; strip them, set JSON logging,
 * and return the level they ask for. */
static int take_globals(int *argc, char **argv)
{
	int i, j = 0, level = XG_LOG_INFO;

	for (i = 0; i < *argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
			level += 1;
		else if (!strcmp(argv[i], "-vv"))
			level += 2;
		else if (!strcmp(argv[i], "--log-json"))
			xg_log_set_json(true);
		else
			argv[j++] = argv[i];
	}
	for (; i < *argc; i++)
		argv[j++] = argv[i];
	*argc = j;
	argv[j] = NULL;
	return level > XG_LOG_DEBUG ? XG_LOG_DEBUG : level;
}

static int run_command(const struct xg_cmd *cmd, int argc, char **argv)
{
	void *cfg = calloc(1, cmd->cfg_size ? cmd->cfg_size : 1);
	int first, ret;

	if (!cfg) {
		pr_warn("out of memory\n");
		return 1;
	}
	if (cmd->defaults)
		cmd->defaults(cfg);
	first = xg_opts_parse(cmd, cfg, argc, argv, stdout);
	if (first == XG_OPTS_HELP)
		ret = 0;
	else if (first < 0)
		ret = 2;
	else if (cmd->check && cmd->check(cfg, argc - first, argv + first))
		ret = 2;
	else
		ret = cmd->run(cfg, argc - first, argv + first);
	free(cfg);
	return ret;
}

int xg_cli_main(int argc, char **argv)
{
	size_t i;

	xg_log_set_level(take_globals(&argc, argv));
	xg_log_hook_libs();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("xdpgate %s\n", XDPGATE_VERSION);
		return 0;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i]->name))
			return run_command(commands[i], argc - 1, argv + 1);
	pr_warn("unknown command '%s' (see 'xdpgate --help')\n", argv[1]);
	return 2;
}
