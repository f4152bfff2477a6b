// SPDX-License-Identifier: GPL-2.0
/* rules: load, add, del, list, check and explain rule sets. Every change is validated and
 * compiled completely before a map is touched, then installed atomically. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "user/cli/commands.h"
#include "user/gate/caps.h"
#include "user/gate/gate.h"
#include "user/cli/json.h"
#include "user/util/log.h"
#include "user/cli/names.h"
#include "user/gate/pin.h"
#include "user/rules/rules.h"
#include "user/rules/apply.h"
#include "user/rules/bench.h"
#include "user/rules/compile.h"
#include "user/rules/explain.h"
#include "user/rules/load.h"
#include "user/service/live.h"
#include "user/cli/rules_print.h"

struct rules_cfg {
	unsigned int at;      /* rules add --at N (1-based); 0: append */
	unsigned int confirm; /* rules load --confirm SECS; 0: no revert */
	unsigned int repeat;  /* rules bench */
	bool json;
};

static int rules_load(const struct rules_cfg *cfg, char **argv)
{
	struct xg_pending p;
	struct xg_ruleset rs;
	struct xg_live l;
	int err = -1;

	xg_ruleset_init(&rs);
	/* validate the whole file before touching the gate */
	if (xg_rules_parse_file(argv[1], &rs) == 0) {
		err = xg_live_open(&l, "rules", argv[0], XG_CAPS_CHANGE);
		if (!err)
			err = xg_live_load(&l, &rs, cfg->confirm, &p);
		if (!err)
			printf("%s: loaded %zu rule%s from %s, default %s\n", l.g.ifname, rs.n,
			       rs.n == 1 ? "" : "s", argv[1], xg_verdict_name(rs.default_verdict));
		if (!err && cfg->confirm)
			printf("%s: pending: reverts in %u s unless 'xdpgate rules confirm %s' "
			       "(timer pid %u)\n",
			       l.g.ifname, cfg->confirm, l.g.ifname, p.timer_pid);
		xg_live_close(&l);
	}
	xg_ruleset_free(&rs);
	return err ? 1 : 0;
}

static int rules_confirm(char **argv)
{
	struct xg_pending p;
	struct xg_live l;
	int err;

	err = xg_live_open(&l, "rules", argv[0], XG_CAPS_CHANGE);
	if (!err) {
		err = xg_apply_confirm(&l.m, &p);
		if (err == -ENOENT)
			pr_warn("rules confirm: %s: no --confirm load is pending (confirmed, "
				"replaced "
				"or reverted)\n",
				l.g.ifname);
		else if (!err)
			printf("%s: confirmed generation %u\n", l.g.ifname, p.gen);
	}
	xg_live_close(&l);
	return err ? 1 : 0;
}

static int rules_add(const struct rules_cfg *cfg, char **argv)
{
	struct xg_ruleset rs;
	struct xg_rule r;
	char err_msg[512];
	uint32_t def;
	struct xg_live l;
	int err = -1, kind;

	kind = xg_rule_parse_line(argv[1], NULL, 0, &r, &def, err_msg, sizeof(err_msg));
	if (kind != 1) {
		pr_warn("rules add: %s\n", kind < 0 ? err_msg
						    : "a rule is needed ('default' "
						      "lines go in a rules file)");
		return 1;
	}
	if (xg_live_open(&l, "rules", argv[0], XG_CAPS_CHANGE))
		goto out;
	if (xg_rules_read(&l.m, &rs))
		goto out;
	if (cfg->at > rs.n + 1) {
		pr_warn("rules add: --at %u is past the end (the set has %zu rules)\n", cfg->at,
			rs.n);
	} else if (xg_ruleset_insert(&rs, cfg->at ? cfg->at - 1 : rs.n, &r)) {
		pr_warn("rules add: the set is full (%d rules)\n", XG_RULES_MAX);
	} else {
		err = xg_live_load(&l, &rs, 0, NULL);
	}
	if (!err)
		printf("%s: added rule %zu\n", l.g.ifname, cfg->at ? cfg->at : rs.n);
	xg_ruleset_free(&rs);
out:
	xg_live_close(&l);
	return err ? 1 : 0;
}

/* rules del's N: a rule number like --at's, though positional. */
static const struct xg_opt del_index = {
	.name = "N",
	.type = XG_OPT_RULE,
	.metavar = "N",
	.max = XG_RULES_MAX,
	.positional = true,
};

static int rules_del(char **argv)
{
	struct xg_ruleset rs;
	unsigned int n;
	struct xg_live l;
	int err = -1;

	if (xg_opt_parse_arg("rules del", &del_index, &n, argv[1]))
		return 2; /* a usage error */
	if (xg_live_open(&l, "rules", argv[0], XG_CAPS_CHANGE) || xg_rules_read(&l.m, &rs))
		goto out;
	if (n > rs.n)
		pr_warn("rules del: no rule %u (the set has %zu rules)\n", n, rs.n);
	else if (!xg_ruleset_delete(&rs, n - 1))
		err = xg_live_load(&l, &rs, 0, NULL);
	if (!err)
		printf("%s: deleted rule %u\n", l.g.ifname, n);
	xg_ruleset_free(&rs);
out:
	xg_live_close(&l);
	return err ? 1 : 0;
}

static int rules_list(const struct rules_cfg *cfg, char **argv)
{
	struct xg_live l;
	int err = -1;

	if (!xg_live_open(&l, "rules", argv[0], XG_CAPS_READ)) {
		if (cfg->json)
			printf("{\"interface\":\"%s\",", l.g.ifname);
		err = xg_rules_print(&l.m, cfg->json, stdout);
		if (cfg->json)
			printf("}\n");
	}
	xg_live_close(&l);
	return err ? 1 : 0;
}

static int rules_check(char **argv)
{
	struct xg_ruleset rs;
	int warnings;

	xg_ruleset_init(&rs);
	if (xg_rules_parse_file(argv[0], &rs))
		return 1;
	warnings = xg_rules_check(&rs, argv[0], stderr);
	printf("%s: %zu rule%s, default %s, %d warning%s\n", argv[0], rs.n, rs.n == 1 ? "" : "s",
	       xg_verdict_name(rs.default_verdict), warnings, warnings == 1 ? "" : "s");
	xg_ruleset_free(&rs);
	return 0;
}

static int rules_bench(const struct rules_cfg *cfg, char **argv)
{
	if (xg_require_caps("rules bench", XG_CAPS_TEST_RUN))
		return 1;
	return xg_rules_bench(argv[0], argv[1], cfg->repeat ? cfg->repeat : 1000000, cfg->json) ? 1
												: 0;
}

static const struct {
	const char *name;
	int nargs;
	const char *usage;
} subs[] = {
	{ "load", 2, "rules load IFACE FILE [--confirm SECS]" },
	{ "add", 2, "rules add IFACE [--at N] 'RULE'" },
	{ "del", 2, "rules del IFACE N" },
	{ "list", 1, "rules list IFACE [--json]" },
	{ "check", 1, "rules check FILE" },
	{ "explain", 2, "rules explain FILE PCAP|HEX" },
	{ "bench", 2, "rules bench FILE HEX [--repeat N] [--json]" },
	{ "confirm", 1, "rules confirm IFACE" },
};

static int do_rules(void *cfgp, int argc, char **argv)
{
	struct rules_cfg *cfg = cfgp;
	size_t i;

	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(argv[0], subs[i].name))
			continue;
		if (argc - 1 != subs[i].nargs) {
			pr_warn("rules %s: usage: xdpgate %s\n", subs[i].name, subs[i].usage);
			return 2;
		}
		if (cfg->confirm && i != 0) {
			pr_warn("rules %s: --confirm is an option of 'rules load'\n", subs[i].name);
			return 2;
		}
		switch (i) {
		case 0:
			return rules_load(cfg, argv + 1);
		case 1:
			return rules_add(cfg, argv + 1);
		case 2:
			return rules_del(argv + 1);
		case 3:
			return rules_list(cfg, argv + 1);
		case 4:
			return rules_check(argv + 1);
		case 5:
			return xg_rules_explain(argv[1], argv[2]) ? 1 : 0;
		case 6:
			return rules_bench(cfg, argv + 1);
		default:
			return rules_confirm(argv + 1);
		}
	}
	pr_warn("rules: unknown subcommand '%s' (load, confirm, add, del, list, check, explain, "
		"bench)\n",
		argv[0]);
	return 2;
}

static const struct xg_opt rules_opts[] = {
	{ .name = "at",
	  .short_name = 'a',
	  .type = XG_OPT_RULE,
	  .offset = offsetof(struct rules_cfg, at),
	  .metavar = "N",
	  .help = "rules add: insert as rule N (default: append)",
	  .min = 1,
	  .max = XG_RULES_MAX },
	{ .name = "confirm",
	  .short_name = 'c',
	  .type = XG_OPT_UINT,
	  .offset = offsetof(struct rules_cfg, confirm),
	  .metavar = "SECS",
	  .help = "rules load: revert unless 'rules confirm' comes within SECS",
	  .min = 1,
	  .max = 86400 },
	XG_OPT_JSON(struct rules_cfg, json, "rules list, rules bench: print JSON"),
	{ .name = "repeat",
	  .short_name = 'n',
	  .type = XG_OPT_UINT,
	  .offset = offsetof(struct rules_cfg, repeat),
	  .metavar = "N",
	  .help = "rules bench: runs of the frame (default 1000000)",
	  .min = 1 },
	XG_OPT_END,
};

const struct xg_cmd xg_cmd_rules = {
	.name = "rules",
	.args = "load|confirm|add|del|list|check|explain|bench ...",
	.min_args = 1,
	.max_args = 4,
	.summary = "Change, show, check and explain rule sets.\n"
		   "  rules load IFACE FILE          replace the live set atomically\n"
		   "    [--confirm SECS]             and revert unless confirmed within SECS\n"
		   "  rules confirm IFACE            keep a pending --confirm load\n"
		   "  rules add IFACE [--at N] RULE  insert one rule (quote it)\n"
		   "  rules del IFACE N              delete rule N\n"
		   "  rules list IFACE [--json]      the live set with per-rule counters\n"
		   "  rules check FILE               validate; warn about shadowed rules and a\n"
		   "                                 default drop that blocks ARP or ND\n"
		   "  rules explain FILE PCAP|HEX    which rule each frame hits, and why\n"
		   "  rules bench FILE HEX           ns per frame of the gate with FILE's rules\n"
		   "                                 (BPF_PROG_RUN, the same frame repeated)",
	.opts = rules_opts,
	.cfg_size = sizeof(struct rules_cfg),
	.run = do_rules,
};
