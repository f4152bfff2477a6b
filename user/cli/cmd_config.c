// SPDX-License-Identifier: GPL-2.0
/* config check FILE: read the file as `run --config` would, and every rules file it
 * names, without attaching, opening or changing anything. */
#include <stdio.h>
#include <string.h>

#include "user/cli/commands.h"
#include "user/cli/config.h"
#include "user/rules/rules.h"
#include "user/util/log.h"

static int do_config(void *cfgp, int argc, char **argv)
{
	struct xg_conf conf;
	unsigned int i;
	int ret = 0;

	(void)cfgp;
	(void)argc;
	if (strcmp(argv[0], "check")) {
		pr_warn("config: unknown action '%s' (check)\n", argv[0]);
		return 2;
	}
	if (xg_conf_load(argv[1], &xg_run_conf_schema, &conf)) {
		pr_warn("%s\n", conf.err);
		return 1;
	}
	for (i = 0; i < conf.nifaces && !ret; i++) {
		const char *rules = xg_conf_string(&conf, &conf.ifaces[i], "rules");
		struct xg_ruleset rs;

		if (!rules)
			continue;
		xg_ruleset_init(&rs);
		if (xg_rules_parse_file(rules, &rs)) /* prints FILE:LINE:COL */
			ret = 1;
		xg_ruleset_free(&rs);
	}
	if (!ret)
		printf("%s: OK, %u interface%s\n", argv[1], conf.nifaces,
		       conf.nifaces == 1 ? "" : "s");
	xg_conf_free(&conf);
	return ret;
}

const struct xg_cmd xg_cmd_config = {
	.name = "config",
	.args = "check FILE",
	.min_args = 2,
	.max_args = 2,
	.summary = "Check a config file (and the rule files it names) without applying it.",
	.run = do_config,
};
