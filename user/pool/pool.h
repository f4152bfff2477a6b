/* SPDX-License-Identifier: GPL-2.0 */
/* The AF_XDP worker pool as a library: attach (or join) the gate on an interface, open one
 * socket and one worker per queue, and run a handler on every batch. `xdpgate run` is a
 * thin CLI over this; user/examples/ embeds it with a handler of its own. */
#ifndef XG_POOL_H
#define XG_POOL_H

#include <stdatomic.h>
#include <stdbool.h>

#include "user/gate/gate.h"
#include "user/pool/handler.h"
#include "user/rules/rules.h"
#include "user/rules/load.h"
#include "user/pool/worker.h"

#define XG_POOL_MAX_QUEUES 64

struct xg_pool_cfg {
	const char *ifname;
	unsigned int nqueues;			 /* 0: every queue of the interface */
	unsigned int queues[XG_POOL_MAX_QUEUES]; /* when nqueues > 0 */
	const struct xg_handler_ops *handler;
	const char *handler_arg;
	void *handler_ctx;		/* passed to the handler's init, for embedding programs */
	const struct xg_ruleset *rules; /* NULL: keep a joined gate's rules, or (own gate)
					 * deliver all IP traffic to the pool */
	enum xg_xsk_mode xsk_mode;
	enum xg_wait wait;
	unsigned int batch, frame_size, ring_size;
	int attach_mode; /* enum xdp_attach_mode, for a gate of our own */
};

struct xg_pool {
	struct xg_gate g;
	bool joined;		  /* an `xdpgate attach` gate was there: we use its maps */
	struct xdpgate_bpf *skel; /* our own gate (bpf_link), when not joined */
	int link_fd, xsks_fd;
	struct xg_gate_maps maps;
	atomic_bool stop;
	unsigned int nworkers;
	struct xg_worker w[XG_POOL_MAX_QUEUES];
};

/* 0, or -1 after one error line; nothing is left attached on failure. */
int xg_pool_start(struct xg_pool *p, const struct xg_pool_cfg *cfg);
/* Stop the workers (they drain), take the sockets out of the gate, detach what we
 * attached. Safe after a failed start. */
void xg_pool_stop(struct xg_pool *p);

#endif
