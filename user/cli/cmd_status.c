// SPDX-License-Identifier: GPL-2.0
/* status: which interfaces carry the gate, how, and its counters so far. */
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "user/cli/commands.h"
#include "user/gate/counters.h"
#include "user/gate/spec.h"
#include "user/gate/caps.h"
#include "user/gate/gate.h"
#include "user/rules/ct.h"
#include "user/cli/json.h"
#include "user/cli/names.h"
#include "user/util/log.h"
#include "user/gate/pin.h"
#include "user/gate/stale.h"
#include "user/rules/apply.h"
#include "common/xdpgate_rules.h"

struct status_cfg {
	bool json;
};

/* The live set's default verdict and generation, and the gate's features. */
static int read_default(const struct xg_gate *g, __u32 *verdict, __u32 *gen, __u32 *features)
{
	struct xg_config cfg;
	__u32 key = 0;
	int fd, err;

	fd = xg_gate_map_fd(g, "status", "xg_config");
	if (fd < 0)
		return fd;
	err = bpf_map_lookup_elem(fd, &key, &cfg) ? -errno : 0;
	close(fd);
	if (err) {
		pr_warn("status: %s: cannot read the gate's configuration: %s\n", g->ifname,
			strerror(-err));
		return err;
	}
	*verdict = cfg.slot[cfg.active & 1].default_verdict;
	*gen = cfg.slot[cfg.active & 1].gen;
	*features = cfg.features;
	return 0;
}

static int read_pending(const struct xg_gate *g, struct xg_pending *p)
{
	int fd = xg_gate_map_fd(g, "status", "xg_pending"), err;

	if (fd < 0)
		return fd;
	err = xg_pending_read(fd, p);
	close(fd);
	if (err)
		pr_warn("status: %s: cannot read the pending load: %s\n", g->ifname,
			strerror(-err));
	return err;
}

/* The named sets in the gate's maps (`set list` shows the same). */
struct status_sets {
	unsigned int n;
	struct xg_set_info info[XG_SETS_MAX];
};

static int read_sets(const struct xg_gate *g, struct status_sets *ss)
{
	int fd = xg_gate_map_fd(g, "status", "xg_set_info");
	__u32 id;

	if (fd < 0)
		return fd;
	for (id = 0; id < XG_SETS_MAX; id++)
		if (!bpf_map_lookup_elem(fd, &id, &ss->info[ss->n]) && ss->info[ss->n].name[0])
			ss->n++;
	close(fd);
	return 0;
}

static void print_sets(const struct status_sets *ss)
{
	unsigned int i;

	for (i = 0; i < ss->n; i++)
		printf("%s %s (%u prefix%s)", i ? "," : "  sets:", ss->info[i].name,
		       ss->info[i].count, ss->info[i].count == 1 ? "" : "es");
	if (ss->n)
		printf("\n");
}

static void print_sets_json(const struct status_sets *ss)
{
	unsigned int i;

	printf(",\"sets\":[");
	for (i = 0; i < ss->n; i++) {
		printf("%s{\"name\":", i ? "," : "");
		xg_json_str(stdout, ss->info[i].name);
		printf(",\"prefixes\":%u}", ss->info[i].count);
	}
	printf("]");
}

/* What will happen to a pending --confirm load: after its deadline the timer reverts, or,
 * the timer gone, the next command that opens the gate for a change does (a confirm too). */
static void print_pending(const struct xg_gate *g, const struct xg_pending *p, bool interrupted)
{
	bool alive = xg_apply_timer_alive(p);

	if (!p->token)
		return;
	if (interrupted) /* died between its record and its flip (or, for a few ms, flipping) */
		printf("  pending: a --confirm load of generation %u was interrupted before it "
		       "took effect: generation %u stays live; the next rules change drops the "
		       "record\n",
		       p->gen, p->prev_gen);
	else if (!xg_pending_left_ms(p) && alive)
		printf("  pending: generation %u, deadline passed: the timer (pid %u) is reverting "
		       "to generation %u\n",
		       p->gen, p->timer_pid, p->prev_gen);
	else if (!xg_pending_left_ms(p))
		printf("  pending: generation %u, deadline passed (timer gone): the next 'xdpgate "
		       "rules confirm %s', rules or set change, or run reload reverts to "
		       "generation %u\n",
		       p->gen, g->ifname, p->prev_gen);
	else
		printf("  pending: generation %u, reverts to generation %u in %.1f s unless "
		       "'xdpgate rules confirm %s'%s%u)\n",
		       p->gen, p->prev_gen, xg_pending_left_ms(p) / 1000.0, g->ifname,
		       alive ? " (timer pid "
			     : " (timer gone: then the next rules change reverts; pid ",
		       p->timer_pid);
}

static void print_pending_json(const struct xg_pending *p)
{
	printf(",\"pending\":");
	if (!p->token) {
		printf("null");
		return;
	}
	printf("{\"generation\":%u,\"revert_to\":%u,\"confirm_secs\":%u,\"remaining_ms\":%llu,"
	       "\"timer_pid\":%u,\"timer_alive\":%s}",
	       p->gen, p->prev_gen, p->secs, xg_pending_left_ms(p), p->timer_pid,
	       xg_apply_timer_alive(p) ? "true" : "false");
}

/* A gate with `ct` reads the kernel's conntrack, which runs while its table is there. */
static void print_ct(const struct xg_gate *g)
{
	struct xg_ct_kstats k;
	char table[32];

	xg_ct_table_name(g->ifindex, table, sizeof(table));
	printf("  conntrack: the kernel's (docs/conntrack.md); tracking table inet %s %s\n", table,
	       xg_ct_tracking_present(g->ifindex) ? "present"
						  : "ABSENT: every lookup misses; re-attach");
	if (!xg_ct_kstats_read(&k))
		printf("  conntrack table: %ld of %ld entries; evicted early %llu, refused %llu\n",
		       k.count, k.max, (unsigned long long)k.early_drop,
		       (unsigned long long)k.drop);
}

static void print_human(const struct xg_gate *g, const struct xg_gate_info *info,
			const struct xg_snapshot *s, __u32 def, const struct xg_pending *p,
			bool interrupted, const struct status_sets *ss)
{
	int i;

	if (!info->attached) {
		printf("%s: xdpgate not attached\n", g->ifname);
		return;
	}
	printf("%s: xdpgate attached, %s mode, program id %u", g->ifname, xg_mode_name(info->mode),
	       info->prog_id);
	if (info->set_prog_id)
		printf(" (the rule set's: %u)", info->set_prog_id);
	if (info->dispatcher_id)
		printf(", libxdp dispatcher id %u", info->dispatcher_id);
	printf(", default %s\n", xg_verdict_name(def));
	print_pending(g, p, interrupted);
	print_sets(ss);
	printf("  rx %llu packets, %llu bytes\n", (unsigned long long)xg_counters_rx(s, 0),
	       (unsigned long long)xg_counters_rx(s, 1));
	for (i = 0; i < XG_CNT_MAX; i++)
		if ((s->c[i].packets || i < XG_VERDICT_MAX) && xg_counter_kept(s, (unsigned int)i))
			printf("  %-16s %12llu packets %14llu bytes\n", xg_counter_name(i),
			       (unsigned long long)s->c[i].packets,
			       (unsigned long long)s->c[i].bytes);
	if (s->parse_off)
		printf("  %-16s off (a 'counters parse' line in the rules file keeps them)\n",
		       "parse counters");
}

static void print_json(const struct xg_gate *g, const struct xg_gate_info *info,
		       const struct xg_snapshot *s, __u32 def, const struct xg_pending *p,
		       const struct status_sets *ss)
{
	printf("{\"interface\":");
	xg_json_str(stdout, g->ifname);
	printf(",\"ifindex\":%d,\"attached\":%s", g->ifindex, info->attached ? "true" : "false");
	if (info->attached) {
		printf(",\"mode\":\"%s\",\"prog_id\":%u,\"set_prog_id\":%u,\"dispatcher_id\":%u,"
		       "\"default\":\"%s\"",
		       xg_mode_name(info->mode), info->prog_id, info->set_prog_id,
		       info->dispatcher_id, xg_verdict_name(def));
		print_pending_json(p);
		print_sets_json(ss);
		printf(",\"rx_packets\":%llu,\"rx_bytes\":%llu,\"parse_counters\":%s,"
		       "\"counters\":{",
		       (unsigned long long)xg_counters_rx(s, 0),
		       (unsigned long long)xg_counters_rx(s, 1), s->parse_off ? "false" : "true");
		xg_json_counters(stdout, s);
		printf("}");
	}
	printf("}");
}

/* Report one interface. Returns 1 when the gate is attached there, 0 when not, <0 on error. */
static int status_one(const struct status_cfg *cfg, const struct xg_gate *g, bool first)
{
	struct xg_snapshot s = { 0 };
	struct xg_gate_info info;
	struct xg_pending pend = { 0 };
	struct status_sets ss = { 0 };
	__u32 def = 0, gen = 0, feat = 0;
	int fd, cfd, err;

	err = xg_gate_query(g, &info);
	if (err) {
		pr_warn("status: %s: cannot query the attached program: %s\n", g->ifname,
			strerror(-err));
		return err;
	}
	if (info.attached) {
		fd = xg_gate_map_fd(g, "status", "xg_stats");
		if (fd < 0)
			return fd;
		cfd = xg_gate_map_fd(g, "status", "xg_config");
		if (cfd < 0) {
			close(fd);
			return cfd;
		}
		err = xg_counters_read_gate(fd, cfd, &s);
		close(fd);
		fd = xg_gate_map_fd(g, "status", "xg_gate_progs");
		if (fd >= 0) {
			info.set_prog_id = xg_spec_live_id(cfd, fd);
			close(fd);
		}
		close(cfd);
		if (err) {
			pr_warn("status: %s: reading counters failed: %s\n", g->ifname,
				strerror(-err));
			return err;
		}
		err = read_default(g, &def, &gen, &feat);
		if (!err)
			err = read_pending(g, &pend);
		if (!err)
			err = read_sets(g, &ss);
		if (err)
			return err;
	}
	if (cfg->json) {
		printf("%s", first ? "" : ",");
		print_json(g, &info, &s, def, &pend, &ss);
	} else {
		print_human(g, &info, &s, def, &pend, pend.token && gen == pend.prev_gen, &ss);
		if (info.attached && (feat & XG_FEAT_CT))
			print_ct(g);
		if (!info.attached && info.pinned)
			printf("%s: stale pinned maps at %s ('xdpgate cleanup %s' removes them)\n",
			       g->ifname, g->pin_dir, g->ifname);
	}
	return info.attached;
}

/* Without IFACE: every interface of this namespace that carries the gate. */
static int status_all(const struct status_cfg *cfg)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int shown = 0, err = 0, qerr = 0;

	for (i = ifs; i && i->if_index; i++) {
		struct xg_gate g;
		struct xg_gate_info info;

		if (xg_gate_init(&g, "status", i->if_name))
			continue;
		qerr = xg_gate_query(&g, &info);
		if (qerr) {
			pr_warn("status: %s: cannot query the attached program: %s\n", g.ifname,
				strerror(-qerr));
			break;
		}
		if (!info.attached)
			continue;
		if (status_one(cfg, &g, shown == 0) < 0)
			err = -1;
		shown++;
	}
	if_freenameindex(ifs);
	if (qerr)
		return qerr;
	if (!shown && !cfg->json)
		printf("xdpgate is not attached to any interface in this network namespace\n");
	return err;
}

struct stale_out {
	bool json;
	unsigned int n;
};

static int print_stale(const struct xg_stale *st, void *arg)
{
	struct stale_out *o = arg;

	if (o->json) {
		printf("%s{\"ifindex\":%d,\"interface\":", o->n ? "," : "", st->ifindex);
		if (st->ifname[0])
			xg_json_str(stdout, st->ifname);
		else
			printf("null");
		printf(",\"pin_dir\":");
		xg_json_str(stdout, st->pin_dir);
		printf("}");
	} else {
		printf("stale: %s, pinned maps no attached program uses ('xdpgate cleanup' "
		       "removes them): %s\n",
		       st->ifname[0] ? st->ifname : "interface gone", st->pin_dir);
	}
	o->n++;
	return 0;
}

static int do_status(void *cfgp, int argc, char **argv)
{
	struct status_cfg *cfg = cfgp;
	struct xg_gate g;
	int err;

	if (xg_require_caps("status", XG_CAPS_READ) || xg_bpffs_ensure())
		return 1;
	if (argc && xg_gate_init(&g, "status", argv[0]))
		return 1;
	if (cfg->json)
		printf("{\"interfaces\":[");
	err = argc ? status_one(cfg, &g, true) : status_all(cfg);
	if (cfg->json)
		printf("]");
	if (!argc) {
		struct stale_out o = { .json = cfg->json };

		if (cfg->json)
			printf(",\"stale\":[");
		if (xg_stale_each("status", print_stale, &o))
			err = -1;
		if (cfg->json)
			printf("]");
	}
	if (cfg->json)
		printf("}\n");
	return err < 0;
}

static const struct xg_opt status_opts[] = {
	XG_OPT_JSON(struct status_cfg, json, "print one JSON object"),
	XG_OPT_END,
};

const struct xg_cmd xg_cmd_status = {
	.name = "status",
	.args = "[IFACE]",
	.min_args = 0,
	.max_args = 1,
	.summary = "Show where the gate is attached, how, and its counters.\n"
		   "Mode, program id, default verdict; without IFACE, every interface in this\n"
		   "network namespace, and pinned maps left stale there (see cleanup).",
	.opts = status_opts,
	.cfg_size = sizeof(struct status_cfg),
	.run = do_status,
};
