// SPDX-License-Identifier: GPL-2.0
/* rules: load, add, del, list, check and explain rule sets. Every change is validated and
 * compiled completely before a map is touched, then installed atomically. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <bpf/bpf.h>

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
#include "user/cli/rules_print.h"
#include "user/cli/live.h"

struct rules_cfg {
	unsigned int at;      /* rules add --at N (1-based); 0: append */
	unsigned int confirm; /* rules load --confirm SECS; 0: no revert */
	unsigned int repeat;  /* rules bench */
	bool json;
};

int live_open(struct live *l, const char *cmd, const char *ifname, enum xg_caps_need need)
{
	int err;

	xg_gate_maps_init(&l->m);
	l->lock_fd = -1;
	err = xg_require_caps(cmd, need);
	if (!err)
		err = xg_gate_init(&l->g, cmd, ifname);
	if (!err)
		err = xg_bpffs_ensure();
	if (!err)
		err = xg_gate_maps_open(&l->g, cmd, &l->m);
	if (err)
		return err;
	l->lock_fd = xg_gate_lock(&l->g, cmd);
	if (l->lock_fd < 0)
		return l->lock_fd;
	/* a deadline its timer missed (killed) is honoured before anything else changes */
	err = need == XG_CAPS_CHANGE ? xg_apply_overdue(&l->g, &l->m) : 0;
	return err == -ETIME ? 0 : err;
}

void live_close(struct live *l)
{
	xg_gate_maps_close(&l->m);
	if (l->lock_fd >= 0)
		close(l->lock_fd); /* drops the lock */
}

/* Compile rs and make it the live set. */
static int replace(struct live *l, const struct xg_ruleset *rs)
{
	struct xg_compiled c;
	int err;

	if (xg_rules_compile(rs, &c))
		return -EINVAL; /* the compiler names the rule; its -1 carries no errno */
	err = xg_rules_install(&l->m, rs, &c, false);
	xg_compiled_free(&c);
	return err;
}

int xg_rules_replace_live(const char *cmd, const char *ifname, const struct xg_ruleset *rs)
{
	struct live l;
	int err;

	err = live_open(&l, cmd, ifname, XG_CAPS_CHANGE);
	if (!err)
		err = replace(&l, rs);
	live_close(&l);
	return err;
}

/* The generation of the live set: what a --confirm load reverts to. */
static int live_gen(const struct live *l, __u32 *gen)
{
	struct xg_config cfg;
	__u32 key = 0;

	if (bpf_map_lookup_elem(l->m.config, &key, &cfg))
		return -errno;
	*gen = cfg.slot[cfg.active & 1].gen;
	return 0;
}

static int rules_load(const struct rules_cfg *cfg, char **argv)
{
	struct xg_pending p;
	struct xg_ruleset rs;
	struct live l;
	__u32 prev = 0;
	int err = -1;

	xg_ruleset_init(&rs);
	/* validate the whole file before touching the gate */
	if (xg_rules_parse_file(argv[1], &rs) == 0 &&
	    live_open(&l, "rules", argv[0], XG_CAPS_CHANGE) == 0) {
		err = cfg->confirm ? live_gen(&l, &prev) : 0;
		if (!err)
			err = replace(&l, &rs);
		if (!err && cfg->confirm)
			err = xg_apply_arm(&l.g, &l.m, prev, cfg->confirm, &p);
		if (!err)
			printf("%s: loaded %zu rule%s from %s, default %s\n", l.g.ifname, rs.n,
			       rs.n == 1 ? "" : "s", argv[1], xg_verdict_name(rs.default_verdict));
		if (!err && cfg->confirm)
			printf("%s: pending: reverts in %u s unless 'xdpgate rules confirm %s' "
			       "(timer pid %u)\n",
			       l.g.ifname, cfg->confirm, l.g.ifname, p.timer_pid);
		live_close(&l);
	}
	xg_ruleset_free(&rs);
	return err ? 1 : 0;
}

static int rules_confirm(char **argv)
{
	struct xg_pending p;
	struct live l;
	int err;

	err = live_open(&l, "rules", argv[0], XG_CAPS_CHANGE);
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
	live_close(&l);
	return err ? 1 : 0;
}

static int rules_add(const struct rules_cfg *cfg, char **argv)
{
	struct xg_ruleset rs;
	struct xg_rule r;
	char err_msg[512];
	uint32_t def;
	struct live l;
	int err = -1, kind;

	kind = xg_rule_parse_line(argv[1], NULL, 0, &r, &def, err_msg, sizeof(err_msg));
	if (kind != 1) {
		pr_warn("rules add: %s\n", kind < 0 ? err_msg
						    : "a rule is needed ('default' "
						      "lines go in a rules file)");
		return 1;
	}
	if (live_open(&l, "rules", argv[0], XG_CAPS_CHANGE))
		goto out;
	if (xg_rules_read(&l.m, &rs))
		goto out;
	if (cfg->at > rs.n + 1) {
		pr_warn("rules add: --at %u is past the end (the set has %zu rules)\n", cfg->at,
			rs.n);
	} else if (xg_ruleset_insert(&rs, cfg->at ? cfg->at - 1 : rs.n, &r)) {
		pr_warn("rules add: the set is full (%d rules)\n", XG_RULES_MAX);
	} else {
		err = replace(&l, &rs);
	}
	if (!err)
		printf("%s: added rule %zu\n", l.g.ifname, cfg->at ? cfg->at : rs.n);
	xg_ruleset_free(&rs);
out:
	live_close(&l);
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
	struct live l;
	int err = -1;

	if (xg_opt_parse_arg("rules del", &del_index, &n, argv[1]))
		return 2; /* a usage error */
	if (live_open(&l, "rules", argv[0], XG_CAPS_CHANGE) || xg_rules_read(&l.m, &rs))
		goto out;
	if (n > rs.n)
		pr_warn("rules del: no rule %u (the set has %zu rules)\n", n, rs.n);
	else if (!xg_ruleset_delete(&rs, n - 1))
		err = replace(&l, &rs);
	if (!err)
		printf("%s: deleted rule %u\n", l.g.ifname, n);
	xg_ruleset_free(&rs);
out:
	live_close(&l);
	return err ? 1 : 0;
}

static int rules_list(const struct rules_cfg *cfg, char **argv)
{
	struct live l;
	int err = -1;

	if (!live_open(&l, "rules", argv[0], XG_CAPS_READ)) {
		if (cfg->json)
			printf("{\"interface\":\"%s\",", l.g.ifname);
		err = xg_rules_print(&l.m, cfg->json, stdout);
		if (cfg->json)
			printf("}\n");
	}
	live_close(&l);
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
	{ .name = "json",
	  .short_name = 'j',
	  .type = XG_OPT_FLAG,
	  .offset = offsetof(struct rules_cfg, json),
	  .help = "rules list, rules bench: print JSON" },
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
