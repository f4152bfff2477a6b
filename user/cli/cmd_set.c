// SPDX-License-Identifier: GPL-2.0
/* set: list, show, load, add and del the prefix sets of a live gate. A load reads and
 * checks the whole file, builds a new trie and IPv4 table and swaps each in with one
 * pointer (atomic for every frame); the rules, and their counters, do not change. add and
 * del edit the live trie a prefix at a time (IPv6 frames see each prefix change atomically),
 * then swap in the IPv4 table rebuilt to match (IPv4 frames see the whole edit at once);
 * design atop user/rules/setload.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>

#include "common/xdpgate_structs.h"
#include "user/cli/commands.h"
#include "user/rules/lang.h"
#include "user/rules/setload.h"
#include "user/service/live.h"
#include "user/util/log.h"

#define SET_ARGS_MAX 1024 /* prefixes on one set add/del command line */

/* The id of the live set name, or -ENOENT after a message. */
static int live_set_id(const struct xg_live *l, const char *name)
{
	struct xg_config cfg;
	__u32 key = 0;
	int id;

	if (bpf_map_lookup_elem(l->m.config, &key, &cfg))
		return -errno;
	id = xg_set_id(&l->m, name, &cfg.slot[cfg.active & 1]);
	if (id < 0)
		pr_warn("set: %s: no set '%s' (set list %s shows them)\n", l->g.ifname, name,
			l->g.ifname);
	return id;
}

static int set_list(struct xg_live *l)
{
	struct xg_set_info info;
	__u32 id;

	for (id = 0; id < XG_SETS_MAX; id++)
		if (!bpf_map_lookup_elem(l->m.set_info, &id, &info) && info.name[0])
			printf("%s\t%u prefix%s\n", info.name, info.count,
			       info.count == 1 ? "" : "es");
	return 0;
}

static int set_show(struct xg_live *l, const char *name)
{
	struct xg_set s = { 0 };
	char text[64];
	size_t i;
	int id = live_set_id(l, name), err;

	if (id < 0)
		return id;
	err = xg_set_read_live(&l->m, (__u32)id, &s);
	for (i = 0; !err && i < s.n; i++) {
		xg_prefix_text(&s.p[i], text, sizeof(text));
		printf("%s\n", text);
	}
	free(s.p);
	return err;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int set_load(struct xg_live *l, const char *name, const char *file)
{
	char err[512];
	struct xg_set *s;
	double t0 = now_s();
	int id, ret;

	if (xg_set_read(file, name, &s, err, sizeof(err))) {
		pr_warn("set: %s\n", err);
		return -EINVAL;
	}
	id = live_set_id(l, name);
	ret = id < 0 ? id : xg_set_replace(&l->m, (__u32)id, s);
	if (!ret)
		printf("%s: set %s: loaded %zu prefixes from %s in %.2f s\n", l->g.ifname, name,
		       s->n, file, now_s() - t0);
	else if (id >= 0)
		pr_warn("set: %s: loading set '%s' failed: %s (the old set stays)\n", l->g.ifname,
			name, strerror(-ret));
	xg_set_free(s);
	return ret;
}

/* Parse every prefix before touching the set. */
static int set_edit(struct xg_live *l, const char *name, char **args, int n, bool add)
{
	struct xg_prefix *p = calloc((size_t)n + 1, sizeof(*p));
	size_t changed = 0;
	bool host;
	int i, id, err = 0;

	if (!p)
		return -ENOMEM;
	for (i = 0; i < n && !err; i++)
		if (xg_prefix_parse(args[i], &p[i], &host)) {
			pr_warn("set: invalid prefix '%.64s'\n", args[i]);
			err = -EINVAL;
		}
	id = err ? err : live_set_id(l, name);
	if (id >= 0)
		err = xg_set_edit(&l->m, (__u32)id, p, (size_t)n, add, &changed);
	else
		err = id;
	if (id >= 0 && !err)
		printf("%s: set %s: %s %zu prefix%s\n", l->g.ifname, name,
		       add ? "added" : "deleted", changed, changed == 1 ? "" : "es");
	else if (id >= 0)
		pr_warn("set: %s: set '%s': %s: nothing changed\n", l->g.ifname, name,
			err == -E2BIG ? "would pass 1,000,000 prefixes" : strerror(-err));
	free(p);
	return err;
}

static int do_set(void *cfg, int argc, char **argv)
{
	static const char *const usage = "set list|show|load|add|del IFACE [NAME [FILE|PREFIX...]]";
	const char *sub = argv[0];
	char why[128];
	struct xg_live l;
	int err;

	(void)cfg;
	if (argc < 2 || (!strcmp(sub, "list") && argc != 2) ||
	    (!strcmp(sub, "show") && argc != 3) || (!strcmp(sub, "load") && argc != 4) ||
	    ((!strcmp(sub, "add") || !strcmp(sub, "del")) && argc < 4)) {
		pr_warn("set: usage: xdpgate %s\n", usage);
		return 2;
	}
	if (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "load") &&
	    strcmp(sub, "add") && strcmp(sub, "del")) {
		pr_warn("set: unknown subcommand '%s' (list, show, load, add, del)\n", sub);
		return 2;
	}
	if (strcmp(sub, "list") && xg_set_name_check(argv[2], why, sizeof(why))) {
		pr_warn("set: %s\n", why);
		return 2;
	}
	err = xg_live_open(&l, "set", argv[1],
			   !strcmp(sub, "list") || !strcmp(sub, "show") ? XG_CAPS_READ
									: XG_CAPS_CHANGE);
	if (!err) {
		if (!strcmp(sub, "list"))
			err = set_list(&l);
		else if (!strcmp(sub, "show"))
			err = set_show(&l, argv[2]);
		else if (!strcmp(sub, "load"))
			err = set_load(&l, argv[2], argv[3]);
		else
			err = set_edit(&l, argv[2], argv + 3, argc - 3, !strcmp(sub, "add"));
	}
	xg_live_close(&l);
	return err ? 1 : 0;
}

const struct xg_cmd xg_cmd_set = {
	.name = "set",
	.args = "list|show|load|add|del IFACE ...",
	.min_args = 2,
	.max_args = 3 + SET_ARGS_MAX,
	.summary = "Show and change the prefix sets of a live gate (defined by 'set NAME FILE'\n"
		   "in its rule file).\n"
		   "  set list IFACE                 the sets and their sizes\n"
		   "  set show IFACE NAME            the prefixes of a set\n"
		   "  set load IFACE NAME FILE       replace a set atomically (rules and their\n"
		   "                                 counters stay)\n"
		   "  set add IFACE NAME PREFIX...   add prefixes\n"
		   "  set del IFACE NAME PREFIX...   delete prefixes",
	.opts = NULL,
	.cfg_size = 0,
	.run = do_set,
};
