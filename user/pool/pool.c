// SPDX-License-Identifier: GPL-2.0
/* The pool's lifecycle. On a free interface it loads the gate itself and attaches it
 * through a bpf_link, so the kernel removes it when the process dies (even by SIGKILL),
 * and pins its maps like `attach` does, so `stats` and `rules` work on it; where `xdpgate
 * attach` already holds the interface it joins that gate through the pinned maps. Then one
 * AF_XDP socket per queue goes into the gate's xg_xsks map, and one worker per queue. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "user/gate/gate.h"
#include "user/gate/link.h"
#include "user/gate/pin.h"
#include "user/pool/napi_tune.h"
#include "user/pool/pool.h"
#include "user/pool/worker.h"
#include "user/rules/load.h"
#include "user/rules/rules.h"
#include "user/util/log.h"
#include "xdpgate.skel.h"

struct xg_pool {
	const char *log_name;
	struct xg_gate g;
	bool joined;		  /* an `xdpgate attach` gate was there: we use its maps */
	struct xdpgate_bpf *skel; /* our own gate (bpf_link), when not joined */
	int link_fd, xsks_fd;
	struct xg_gate_maps maps;
	atomic_bool stop;
	unsigned int nworkers;
	struct xg_napi_tune napi; /* busy-poll settings of the interface, while we run */
	/* joined with --rules: compiled up front, installed last (see install_joined) */
	bool have_rules;
	struct xg_compiled joined_rules;
	struct xg_ruleset found_rules;
	struct xg_worker w[XG_POOL_MAX_QUEUES];
};

/* Receive queues of ifname (ethtool channels), 0 when the driver does not say. */
static unsigned int rx_queues(const char *ifname)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unsigned int n = 0;

	if (fd < 0)
		return 0;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ch;
	if (!ioctl(fd, SIOCETHTOOL, &ifr))
		n = ch.rx_count > ch.combined_count ? ch.rx_count : ch.combined_count;
	close(fd);
	return n;
}

/* The queues to serve by default: all of them, 1 when the driver does not say. */
static unsigned int queue_count(const char *ifname)
{
	unsigned int n = rx_queues(ifname);

	n = n ? n : 1;
	return n > XG_POOL_MAX_QUEUES ? XG_POOL_MAX_QUEUES : n;
}

/* Before anything is touched: a queue the interface lacks would only fail at the bind,
 * with EINVAL and after a zero-copy attempt that says nothing of the cause. */
static int check_queues(const struct xg_pool *p, const struct xg_pool_cfg *cfg)
{
	unsigned int i, n = rx_queues(p->g.ifname);

	for (i = 0; n && i < cfg->nqueues; i++) {
		if (cfg->queues[i] < n)
			continue;
		if (n == 1)
			pr_warn("%s: %s has no queue %u (its one receive queue is 0)\n",
				p->log_name, p->g.ifname, cfg->queues[i]);
		else
			pr_warn("%s: %s has no queue %u (receive queues 0-%u)\n", p->log_name,
				p->g.ifname, cfg->queues[i], n - 1);
		return -EINVAL;
	}
	return 0;
}

/* With no rules given, all IP traffic goes to the pool and the rest to the kernel. */
static int default_rules(struct xg_ruleset *rs)
{
	static const char *const lines[] = { "xsk ether ipv4", "xsk ether ipv6" };
	char err[128];
	struct xg_rule r;
	uint32_t def;
	size_t i;

	xg_ruleset_init(rs);
	for (i = 0; i < 2; i++)
		if (xg_rule_parse_line(lines[i], NULL, 0, &r, &def, err, sizeof(err)) != 1 ||
		    xg_ruleset_insert(rs, rs->n, &r))
			return -1;
	return 0;
}

static int own_gate(struct xg_pool *p, const struct xg_pool_cfg *cfg)
{
	const struct xg_ruleset *rs = cfg->rules;
	struct xg_gate_prep gp;
	struct xg_ruleset def;
	int err = -1;

	xg_ruleset_init(&def);
	if (!rs && default_rules(&def))
		return -1;
	if (xg_gate_prepare(&gp, rs ? rs : &def, true))
		goto out;
	p->skel = gp.skel;
	p->maps = gp.maps;
	p->link_fd = xg_link_attach(bpf_program__fd(p->skel->progs.xdpgate), p->g.ifindex,
				    p->g.ifname, cfg->attach_mode, p->log_name);
	if (p->link_fd < 0)
		goto out;
	p->xsks_fd = bpf_map__fd(p->skel->maps.xg_xsks);
	/* pinned like attach's, so stats and rules find it; gone with the process */
	if (!xg_pin_mkdir(p->g.pin_dir))
		bpf_object__pin_maps(p->skel->obj, p->g.pin_dir);
	err = 0;
out:
	xg_ruleset_free(&def);
	return err;
}

/* Joining changes nothing yet: the rule set is compiled here and installed by
 * install_joined() only once every socket is bound, so a run that fails to start (a queue
 * already served, EBUSY) leaves the live set as it found it. */
static int join_gate(struct xg_pool *p, const struct xg_pool_cfg *cfg)
{
	p->joined = true;
	if (xg_gate_maps_open(&p->g, p->log_name, &p->maps))
		return -1;
	p->xsks_fd = xg_gate_map_fd(&p->g, p->log_name, "xg_xsks");
	if (p->xsks_fd < 0)
		return -1;
	if (!cfg->rules)
		return 0; /* the attached gate's rules decide what reaches us */
	if (xg_rules_compile(cfg->rules, &p->joined_rules))
		return -1;
	p->have_rules = true;
	/* kept to put back should the install fail after its flip */
	return xg_rules_read(&p->maps, &p->found_rules) ? -1 : 0;
}

/* The last step of a joined start. xg_rules_install changes nothing visible before its
 * flip; a failure after it (carrying counters) could leave a half-carried set, so the set
 * found at the start is put back. */
static int install_joined(struct xg_pool *p, const struct xg_pool_cfg *cfg)
{
	struct xg_compiled c;

	if (!p->have_rules)
		return 0;
	if (!xg_rules_install(&p->maps, cfg->rules, &p->joined_rules, false))
		return 0;
	if (xg_rules_compile(&p->found_rules, &c) ||
	    xg_rules_install(&p->maps, &p->found_rules, &c, false))
		pr_warn("%s: %s: the rule set found at the start could not be put back\n",
			p->log_name, p->g.ifname);
	xg_compiled_free(&c);
	return -1;
}

static int allowed_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int i, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (i = 0; i < CPU_SETSIZE && n < max; i++)
		if (CPU_ISSET(i, &set))
			cpus[n++] = i;
	return n;
}

static int start_queues(struct xg_pool *p, const struct xg_pool_cfg *cfg)
{
	unsigned int i, nq = cfg->nqueues ? cfg->nqueues : queue_count(cfg->ifname);
	int cpus[CPU_SETSIZE], ncpu = allowed_cpus(cpus, CPU_SETSIZE);

	for (i = 0; i < nq; i++) {
		struct xg_worker *w = &p->w[i];
		struct xg_xsk_cfg xc = { .ifname = cfg->ifname,
					 .queue = cfg->nqueues ? cfg->queues[i] : i,
					 .frame_size = cfg->frame_size,
					 .ring_size = cfg->ring_size,
					 .nframes = 2 * cfg->ring_size,
					 .mode = cfg->xsk_mode };
		int fd, err;

		w->ifname = p->g.ifname;
		w->queue = xc.queue;
		w->cpu = ncpu ? cpus[i % (unsigned int)ncpu] : 0;
		w->wait = cfg->wait;
		w->batch = cfg->batch;
		w->ops = cfg->handler;
		w->stop = &p->stop;
		err = xg_xsk_open(&w->q, &xc);
		if (err)
			return err; /* the caller tells a refused zero-copy bind by it */
		p->nworkers = i + 1;
		if (cfg->handler->init(&w->hstate, cfg->handler_arg, xc.queue, cfg->handler_ctx))
			return -1;
		fd = xg_xsk_fd(&w->q);
		if (bpf_map_update_elem(p->xsks_fd, &xc.queue, &fd, BPF_ANY)) {
			pr_warn("%s queue %u: cannot register the socket with the gate: %s\n",
				cfg->ifname, xc.queue, strerror(errno));
			return -1;
		}
		if (xg_worker_start(w))
			return -1;
	}
	return 0;
}

static int pool_open(struct xg_pool *p, const struct xg_pool_cfg *cfg)
{
	struct xg_gate_info info;
	int err;

	if (xg_gate_init(&p->g, p->log_name, cfg->ifname) || check_queues(p, cfg) ||
	    xg_bpffs_ensure())
		return -1;
	if (xg_gate_query(&p->g, &info)) {
		pr_warn("%s: %s: cannot query the attached program\n", p->log_name, p->g.ifname);
		return -1;
	}
	if (info.other_prog_id) {
		pr_warn("%s: %s: another XDP program (id %u, %s) holds the interface\n",
			p->log_name, p->g.ifname, info.other_prog_id, info.other_prog_name);
		return -1;
	}
	if (!info.attached && info.pinned)
		xg_pin_remove(p->g.pin_dir); /* left by a run that was killed */
	if (info.attached ? join_gate(p, cfg) : own_gate(p, cfg))
		return -1;
	/* before the workers: the settings are written from a forked child. Where the kernel
	 * has no such files, busy polling still works with the socket options alone. */
	if (cfg->wait == XG_WAIT_BUSY_POLL)
		xg_napi_tune_apply(&p->napi, p->g.ifname, XG_BUSY_DEFER_HARD_IRQS,
				   XG_BUSY_GRO_FLUSH_NS);
	err = start_queues(p, cfg);
	if (err)
		return err; /* the caller tells a refused zero-copy bind by it */
	return p->joined ? install_joined(p, cfg) : 0;
}

int xg_pool_start(const struct xg_pool_cfg *cfg, struct xg_pool **out)
{
	/* calloc: room for XG_POOL_MAX_QUEUES workers is too big for a caller's stack */
	struct xg_pool *p = calloc(1, sizeof(*p));
	int err;

	*out = NULL;
	if (!p) {
		pr_warn("%s: %s: out of memory\n", cfg->log_name ? cfg->log_name : "pool",
			cfg->ifname);
		return -ENOMEM;
	}
	p->log_name = cfg->log_name ? cfg->log_name : "pool";
	xg_gate_maps_init(&p->maps);
	xg_ruleset_init(&p->found_rules);
	p->link_fd = p->xsks_fd = -1;
	atomic_store(&p->stop, false);
	err = pool_open(p, cfg);
	if (err) {
		xg_pool_stop(p);
		return err;
	}
	*out = p;
	return 0;
}

void xg_pool_stop(struct xg_pool *p)
{
	unsigned int i;

	if (!p)
		return;
	atomic_store(&p->stop, true);
	for (i = 0; i < p->nworkers; i++) {
		xg_worker_join(&p->w[i]);
		if (p->xsks_fd >= 0)
			bpf_map_delete_elem(p->xsks_fd, &p->w[i].queue);
		xg_xsk_close(&p->w[i].q);
	}
	p->nworkers = 0;
	xg_napi_tune_restore(&p->napi);
	if (p->joined && p->xsks_fd >= 0)
		close(p->xsks_fd);
	p->xsks_fd = -1;
	xg_gate_maps_close(&p->maps);
	if (p->link_fd >= 0) {
		close(p->link_fd); /* detaches our own gate */
		xg_pin_remove(p->g.pin_dir);
	}
	p->link_fd = -1;
	xdpgate_bpf__destroy(p->skel);
	if (p->have_rules)
		xg_compiled_free(&p->joined_rules);
	xg_ruleset_free(&p->found_rules);
	free(p);
}

/* The new states are made before anything stops, so a handler that cannot start (a pcap
 * file that cannot be opened) leaves the old one running. Sockets, UMEMs and the gate's
 * xskmap entries stay: frames arriving while no worker runs wait in the RX ring, or are
 * counted by the kernel (XDP_STATISTICS) if it fills. */
int xg_pool_set_handler(struct xg_pool *p, const struct xg_handler_ops *ops, const char *arg,
			void *ctx)
{
	void *st[XG_POOL_MAX_QUEUES] = { 0 };
	unsigned int i, n;
	int err = 0;

	for (n = 0; n < p->nworkers; n++)
		if (ops->init(&st[n], arg, p->w[n].queue, ctx))
			break;
	if (n < p->nworkers) {
		while (n--) /* the handler's init said why */
			if (st[n])
				ops->fini(st[n]);
		return -1;
	}
	atomic_store(&p->stop, true);
	for (i = 0; i < p->nworkers; i++)
		xg_worker_join(&p->w[i]); /* drains its RX ring with the old handler, then fini */
	atomic_store(&p->stop, false);
	for (i = 0; i < p->nworkers; i++) {
		p->w[i].ops = ops;
		p->w[i].hstate = st[i];
		if (xg_worker_start(&p->w[i]))
			err = -1; /* it said which */
	}
	return err;
}

const char *xg_pool_ifname(const struct xg_pool *p)
{
	return p->g.ifname;
}

bool xg_pool_joined(const struct xg_pool *p)
{
	return p->joined;
}

const struct xg_gate *xg_pool_gate(const struct xg_pool *p)
{
	return &p->g;
}

unsigned int xg_pool_nworkers(const struct xg_pool *p)
{
	return p->nworkers;
}

void xg_pool_worker_info(const struct xg_pool *p, unsigned int i, struct xg_pool_worker_info *info)
{
	const struct xg_worker *w = &p->w[i];

	info->queue = w->queue;
	info->cpu = w->cpu;
	info->zerocopy = w->q.zerocopy;
	info->huge = w->q.huge;
	info->nframes = w->q.nframes;
	info->frame_size = w->q.frame_size;
}

/* The indices are shared with the kernel and the worker; the cached ones in the ring
 * structs belong to the worker, so only the shared ones are read here. */
static uint32_t ring_level(const uint32_t *prod, const uint32_t *cons)
{
	return __atomic_load_n(prod, __ATOMIC_ACQUIRE) - __atomic_load_n(cons, __ATOMIC_ACQUIRE);
}

void xg_pool_counters(const struct xg_pool *p, unsigned int i, struct xg_pool_counters *c)
{
	const struct xg_worker_stats *st = &p->w[i].st;
	socklen_t len = sizeof(c->xs);

	memset(c, 0, sizeof(*c));
	c->rx = atomic_load(&st->rx);
	c->tx = atomic_load(&st->tx);
	c->handled = atomic_load(&st->handled);
	c->dropped_malformed = atomic_load(&st->dropped_malformed);
	c->dropped_tx_full = atomic_load(&st->dropped_tx_full);
	c->dropped_tx_bad_len = atomic_load(&st->dropped_tx_bad_len);
	c->errors = atomic_load(&st->errors);
	c->wakeups = atomic_load(&st->wakeups);
	if (!p->w[i].q.xsk)
		return;
	getsockopt(xg_xsk_fd(&p->w[i].q), SOL_XDP, XDP_STATISTICS, &c->xs, &len);
	c->ring_rx = ring_level(p->w[i].q.rx.producer, p->w[i].q.rx.consumer);
	c->ring_fill = ring_level(p->w[i].q.fq.producer, p->w[i].q.fq.consumer);
	c->ring_tx = ring_level(p->w[i].q.tx.producer, p->w[i].q.tx.consumer);
	c->ring_comp = ring_level(p->w[i].q.cq.producer, p->w[i].q.cq.consumer);
	c->ring_size = p->w[i].q.rx.size;
	c->ring_fill_size = p->w[i].q.fq.size;
}
