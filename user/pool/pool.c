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
#include "user/rules/ct.h"
#include "user/rules/load.h"
#include "user/rules/rules.h"
#include "user/util/log.h"
#include "user/util/netdev.h"
#include "user/gate/skel.h"

struct xg_pool {
	const char *log_name;
	struct xg_gate g;
	bool joined;		  /* an `xdpgate attach` gate was there: we use its maps */
	bool ct_on;		  /* our own gate's conntrack table (user/rules/ct.h) is made */
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
	char out_ifname[IF_NAMESIZE]; /* forwarding: the output ("" when not forwarding) */
	bool out_copy;		      /* the handler forces the copy path */
	unsigned int out_nqueues;
	int out_refused[XG_POOL_MAX_QUEUES]; /* per worker: errno of a refused shared bind */
	unsigned int per_queue;		     /* workers a queue */
	int steer_fd;			     /* the gate's xg_xsk_steer (joined: ours to close) */
	struct xg_xsk_share share[XG_POOL_MAX_QUEUES]; /* by the queue's first worker */
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

/* ct-max is for rules with `ct` only (a gate without them tracks nothing); checked before
 * anything is touched, applied (set_max) just before tracking is turned on, or when joining. */
static int check_ct_max(const struct xg_pool *p, const struct xg_pool_cfg *cfg)
{
	if (!cfg->ct_max || (cfg->rules && xg_ruleset_uses_ct(cfg->rules)))
		return 0;
	pr_warn("%s: %s: ct-max: the rules use no 'ct', so the gate tracks no connections\n",
		p->log_name, p->g.ifname);
	return -1;
}

static int set_ct_max(const struct xg_pool *p, const struct xg_pool_cfg *cfg)
{
	return cfg->ct_max ? xg_ct_set_max(p->log_name, cfg->ct_max) : 0;
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
	if (xg_rules_gate_prepare(&gp, rs ? rs : &def, true))
		goto out;
	p->skel = gp.skel;
	p->maps = gp.maps;
	/* conntrack on before the first frame is classified, as attach (docs/conntrack.md) */
	if (rs && xg_ruleset_uses_ct(rs)) {
		if (set_ct_max(p, cfg) || xg_ct_tracking_on(p->g.ifindex))
			goto out;
		p->ct_on = true;
	}
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
	if (set_ct_max(p, cfg)) /* the attached gate turned tracking on; its limit is ours */
		return -1;
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

/* The forwarding worker's socket on the output: sharing the worker's UMEM unless the
 * handler forces a copy or the kernel refuses, else TX-only with a UMEM of its own. The
 * output queue is the input's modulo the output's queues, so each output queue has one
 * owner as long as the output has as many queues as the input serves. */
static int open_output(struct xg_pool *p, const struct xg_pool_cfg *cfg, unsigned int i)
{
	struct xg_worker *w = &p->w[i];
	struct xg_xsk_cfg xc = { .ifname = p->out_ifname,
				 .queue = w->queue % p->out_nqueues,
				 .frame_size = cfg->frame_size,
				 .ring_size = cfg->ring_size,
				 .nframes = 2 * cfg->ring_size,
				 .mode = cfg->xsk_mode,
				 .tx_only = true };
	int err = 0;

	w->out_ifname = p->out_ifname;
	if (!p->out_copy) {
		err = xg_xsk_open_shared_tx(&w->out, &w->q, &xc);
		w->out_shared = !err;
		p->out_refused[i] = -err;
		if (!err)
			return 0;
	}
	err = xg_xsk_open(&w->out, &xc);
	if (err == -EBUSY)
		pr_warn("%s queue %u: busy: an output queue has one owner (another worker of "
			"this run, or another program)\n",
			xc.ifname, xc.queue);
	return err;
}

/* Worker i's socket: the queue's first opens the UMEM, the others share it (and with it
 * the queue's fill and completion rings), each taking an equal part of the free frames. */
static int open_socket(struct xg_pool *p, unsigned int i, const struct xg_xsk_cfg *xc)
{
	struct xg_worker *w = &p->w[i], *first = &p->w[i - w->slot];
	int err;

	if (!w->slot)
		return xg_xsk_open(&w->q, xc);
	if (w->slot == 1) {
		err = pthread_spin_init(&p->share[i - 1].lock, PTHREAD_PROCESS_PRIVATE);
		if (err)
			return -err;
	}
	return xg_xsk_open_same_queue(&w->q, &first->q, &p->share[i - w->slot], xc,
				      first->q.nfree / (p->per_queue - w->slot + 1));
}

/* Per socket, whether packets larger than a frame arrive whole (XDP_USE_SG). Without it a
 * frame past the frame's room is dropped by the socket (rx_dropped) with no other trace:
 * say so at start, naming the largest frame that fits, when the MTU allows larger ones. */
static void report_sg(const struct xg_worker *w)
{
	/* received data starts XDP_PACKET_HEADROOM (256) into the frame */
	int fits = (int)w->q.frame_size - 256, mtu = xg_netdev_mtu(w->ifname);

	if (w->q.sg)
		pr_info("%s queue %u: multi-buffer AF_XDP (XDP_USE_SG): packets larger than a "
			"frame arrive whole, as chains\n",
			w->ifname, w->queue);
	else if (mtu > 0 && mtu + 18 > fits)
		pr_warn("%s queue %u: no multi-buffer AF_XDP (XDP_USE_SG refused): frames over %d "
			"bytes (MTU %d allows %d) are dropped by the socket; set the MTU to at "
			"most "
			"%d\n",
			w->ifname, w->queue, fits, mtu, mtu + 18, fits - 18);
}

static int start_queues(struct xg_pool *p, const struct xg_pool_cfg *cfg)
{
	unsigned int i, nq = cfg->nqueues ? cfg->nqueues : queue_count(cfg->ifname);
	int cpus[CPU_SETSIZE], ncpu = allowed_cpus(cpus, CPU_SETSIZE);

	if (nq * p->per_queue > XG_POOL_MAX_QUEUES) {
		pr_warn("%s: %s: %u queues x %u workers is more than %u\n", p->log_name,
			p->g.ifname, nq, p->per_queue, XG_POOL_MAX_QUEUES);
		return -EINVAL;
	}
	for (i = 0; i < nq * p->per_queue; i++) {
		struct xg_worker *w = &p->w[i];
		unsigned int qi = i / p->per_queue;
		struct xg_xsk_cfg xc = { .ifname = cfg->ifname,
					 .queue = cfg->nqueues ? cfg->queues[qi] : qi,
					 .frame_size = cfg->frame_size,
					 .ring_size = cfg->ring_size,
					 .nframes = 2 * cfg->ring_size * p->per_queue,
					 .mode = cfg->xsk_mode };
		int fd, err;

		w->ifname = p->g.ifname;
		w->queue = xc.queue;
		w->slot = i % p->per_queue;
		w->xsk_key = xc.queue * p->per_queue + w->slot;
		w->cpu = ncpu ? cpus[i % (unsigned int)ncpu] : 0;
		w->wait = cfg->wait;
		w->batch = cfg->batch;
		w->ops = cfg->handler;
		w->stop = &p->stop;
		if (w->xsk_key >= XG_XSKS_MAX) {
			pr_warn("%s queue %u: worker %u: past the gate's %u sockets\n", cfg->ifname,
				xc.queue, w->slot, XG_XSKS_MAX);
			return -EINVAL;
		}
		err = open_socket(p, i, &xc);
		if (err)
			return err; /* the caller tells a refused zero-copy bind by it */
		p->nworkers = i + 1;
		report_sg(w);
		if (p->out_ifname[0] && (err = open_output(p, cfg, i)))
			return err;
		/* copy mode sends a kick's worth of frames per sendto: a whole batch, on the
		 * worker's socket (reflect, switch) and its output (forward) */
		xg_xsk_raise_tx_budget(&w->q, cfg->ring_size, w->ifname, w->queue);
		if (w->out_ifname)
			xg_xsk_raise_tx_budget(&w->out, cfg->ring_size, w->out_ifname,
					       w->queue % p->out_nqueues);
		if (cfg->handler->init(&w->hstate, cfg->handler_arg, xc.queue, cfg->handler_ctx))
			return -1;
		fd = xg_xsk_fd(&w->q);
		if (bpf_map_update_elem(p->xsks_fd, &w->xsk_key, &fd, BPF_ANY)) {
			pr_warn("%s queue %u: cannot register the socket with the gate: %s\n",
				cfg->ifname, xc.queue, strerror(errno));
			return -1;
		}
	}
	/* started once every socket of a queue is bound: the first's rings are shared */
	for (i = 0; i < p->nworkers; i++)
		if (xg_worker_start(&p->w[i]))
			return -1;
	return 0;
}

/* With several workers a queue, tell the gate how to spread flows over them. */
static int set_steering(struct xg_pool *p, const struct xg_pool_cfg *cfg)
{
	struct xg_xsk_steer st = { .per_queue = p->per_queue, .symmetric = cfg->steer_symmetric };
	char path[PATH_MAX];
	__u32 zero = 0;
	int fd;

	/* one socket a queue on an attached gate pinned before steering existed: nothing to
	 * say; with steering there, say 1 (a run killed while joined may have left N) */
	if (p->per_queue == 1 && p->joined &&
	    (xg_pin_path(p->g.pin_dir, "xg_xsk_steer", path, sizeof(path)) || access(path, F_OK)))
		return 0;
	fd = p->joined ? xg_gate_map_fd(&p->g, p->log_name, "xg_xsk_steer")
		       : bpf_map__fd(p->skel->maps.xg_xsk_steer);
	if (fd < 0)
		return -1;
	if (bpf_map_update_elem(fd, &zero, &st, BPF_ANY)) {
		pr_warn("%s: %s: cannot set the gate's steering: %s\n", p->log_name, p->g.ifname,
			strerror(errno));
		if (p->joined)
			close(fd);
		return -1;
	}
	p->steer_fd = fd;
	return 0;
}

static int pool_open(struct xg_pool *p, const struct xg_pool_cfg *cfg)
{
	struct xg_gate_info info;
	int err;

	if (xg_gate_init(&p->g, p->log_name, cfg->ifname) || check_queues(p, cfg) ||
	    xg_bpffs_ensure() || check_ct_max(p, cfg))
		return -1;
	if (cfg->handler->output) {
		if (cfg->handler->output(cfg->handler_arg, p->g.ifname, p->out_ifname,
					 &p->out_copy))
			return -1;
		if (!if_nametoindex(p->out_ifname)) {
			pr_warn("%s: forward: no interface %s\n", p->log_name, p->out_ifname);
			return -1;
		}
		p->out_nqueues = queue_count(p->out_ifname);
		if (p->per_queue > 1) {
			pr_warn("%s: forward: one worker a queue (its output queue has one "
				"owner)\n",
				p->log_name);
			return -1;
		}
	}
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
	/* likewise its conntrack table (a set with `ct` replaces it) */
	if (!info.attached && !(cfg->rules && xg_ruleset_uses_ct(cfg->rules)))
		xg_ct_tracking_off(p->g.ifindex);
	if (info.attached ? join_gate(p, cfg) : own_gate(p, cfg))
		return -1;
	/* before the workers: the settings are written from a forked child. Where the kernel
	 * has no such files, busy polling still works with the socket options alone. */
	if (cfg->wait == XG_WAIT_BUSY_POLL)
		xg_napi_tune_apply(&p->napi, p->g.ifname, XG_BUSY_DEFER_HARD_IRQS,
				   XG_BUSY_GRO_FLUSH_NS);
	if (set_steering(p, cfg))
		return -1;
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
	p->link_fd = p->xsks_fd = p->steer_fd = -1;
	p->per_queue = cfg->workers_per_queue ? cfg->workers_per_queue : 1;
	atomic_store(&p->stop, false);
	err = pool_open(p, cfg);
	if (err) {
		xg_pool_stop(p);
		return err;
	}
	*out = p;
	return 0;
}

/* DEBUG: the frames of each queue's sockets add up once the workers have stopped. */
static void check_shared_queues(struct xg_pool *p)
{
#ifdef XG_XSK_DEBUG
	struct xg_xsk *qs[XG_POOL_MAX_QUEUES];
	unsigned int i, j;

	for (i = 0; p->per_queue > 1 && i + p->per_queue <= p->nworkers; i += p->per_queue) {
		for (j = 0; j < p->per_queue; j++)
			qs[j] = &p->w[i + j].q;
		if (!xg_xsk_share_balanced(qs, p->per_queue))
			abort();
	}
#else
	(void)p;
#endif
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
			bpf_map_delete_elem(p->xsks_fd, &p->w[i].xsk_key);
	}
	check_shared_queues(p);
	/* last first: a queue's first socket holds the UMEM the others share */
	for (i = p->nworkers; i-- > 0;) {
		xg_xsk_close(&p->w[i].out); /* before q: a shared one uses q's UMEM */
		xg_xsk_close(&p->w[i].q);
		if (p->w[i].slot == 1)
			pthread_spin_destroy(&p->share[i - 1].lock);
	}
	if (p->steer_fd >= 0 && p->joined) {
		struct xg_xsk_steer one = { .per_queue = 1 };
		__u32 zero = 0;

		if (p->per_queue > 1) /* the attached gate goes back to one socket a queue */
			bpf_map_update_elem(p->steer_fd, &zero, &one, BPF_ANY);
		close(p->steer_fd);
	}
	p->steer_fd = -1;
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
	if (p->ct_on) /* after the gate: no frame is classified without tracking */
		xg_ct_tracking_off(p->g.ifindex);
	p->ct_on = false;
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

	if (ops->output || p->out_ifname[0]) { /* the reason, as a handler's init gives one */
		pr_warn("%s: %s: a forwarding handler's output sockets are opened at start: "
			"switching to or from one needs a restart\n",
			p->log_name, p->g.ifname);
		return -1;
	}
	if (ops->produce || (p->nworkers && p->w[0].ops->produce)) {
		pr_warn("%s: %s: the switch's ports are set up at start: switching to or from it "
			"needs a restart\n",
			p->log_name, p->g.ifname);
		return -1;
	}
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
			err = -EIO; /* it said which; the others run the new handler */
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

/* Frames the queue's first worker gave to the others sharing its UMEM. */
static uint32_t shared_away(const struct xg_pool *p, unsigned int first)
{
	uint32_t n = 0;
	unsigned int i;

	for (i = first + 1; i < p->nworkers && p->w[i].slot; i++)
		n += p->w[i].q.nframes;
	return n;
}

void xg_pool_worker_info(const struct xg_pool *p, unsigned int i, struct xg_pool_worker_info *info)
{
	const struct xg_worker *w = &p->w[i];

	info->queue = w->queue;
	info->slot = w->slot;
	info->cpu = w->cpu;
	info->zerocopy = w->q.zerocopy;
	info->sg = w->q.sg;
	info->huge = w->q.huge;
	info->nframes = w->slot ? w->q.nframes : w->q.nframes + shared_away(p, i);
	info->frame_size = w->q.frame_size;
	info->out_ifname = p->out_ifname;
	info->out_queue = p->out_nqueues ? w->queue % p->out_nqueues : 0;
	info->out_shared = w->out_shared;
	info->out_refused = p->out_refused[i];
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
	c->ring_fill = ring_level(xg_xsk_fq(&p->w[i].q)->producer, xg_xsk_fq(&p->w[i].q)->consumer);
	c->ring_tx = ring_level(p->w[i].q.tx.producer, p->w[i].q.tx.consumer);
	c->ring_comp = ring_level(xg_xsk_cq(&p->w[i].q)->producer, xg_xsk_cq(&p->w[i].q)->consumer);
	c->ring_size = p->w[i].q.rx.size;
	c->ring_fill_size = xg_xsk_fq(&p->w[i].q)->size;
}
