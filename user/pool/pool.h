/* SPDX-License-Identifier: GPL-2.0 */
/* The AF_XDP worker pool as a library: attach (or join) the gate on an interface, open one
 * socket and one worker per queue, and run a handler on every batch. `xdpgate run` is a
 * thin CLI over this; user/examples/ embeds it with a handler of its own.
 *
 * This header and handler.h are all an embedding program needs: the pool is an opaque
 * handle, read through the accessors below. Messages go through user/util/log.h; those
 * the pool prints itself start with cfg.log_name, those of a queue name its interface
 * and queue. */
#ifndef XG_POOL_H
#define XG_POOL_H

#include <linux/if_xdp.h>
#include <stdbool.h>
#include <stdint.h>

#include "user/pool/handler.h"
#include "user/pool/pool_types.h"

#define XG_POOL_MAX_QUEUES 64

struct xg_pool;
struct xg_gate;
struct xg_ruleset;

struct xg_pool_cfg {
	const char *ifname;
	const char *log_name;			 /* starts the pool's messages; NULL: "pool" */
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
	/* sockets (and workers) per queue, sharing its UMEM and fill and completion rings
	 * (0 or 1: one); the gate spreads the queue's flows over them by a 5-tuple hash,
	 * symmetric (both directions of a conversation to one worker) when asked */
	unsigned int workers_per_queue;
	bool steer_symmetric;
	/* rules with `ct`: set net.netfilter.nf_conntrack_max to this first (0: leave it; it is
	 * host-wide, see xg_ct_set_max). A gate of our own with `ct` turns the kernel's
	 * connection tracking on, as attach does, until the pool stops. */
	unsigned long ct_max;
};

/* What a worker is, fixed once the pool has started. */
struct xg_pool_worker_info {
	unsigned int queue;
	unsigned int slot;	      /* among the queue's workers (--workers-per-queue), from 0 */
	int cpu;		      /* the worker thread is pinned here */
	bool zerocopy;		      /* the bind the kernel granted; else copy mode */
	bool sg;		      /* multi-buffer (XDP_USE_SG): jumbo packets as chains */
	bool huge;		      /* the UMEM is on huge pages */
	uint32_t nframes, frame_size; /* the UMEM; a later worker of a queue: its share at start */
	/* forwarding: the output interface and queue ("" when the handler does not forward),
	 * whether its socket shares this worker's UMEM (frames move by descriptor) or frames
	 * are copied, and why sharing was not used: 0 (forced by the handler's `copy`), else
	 * the errno of the refused shared bind */
	const char *out_ifname;
	unsigned int out_queue;
	bool out_shared;
	int out_refused;
};

/* A worker's counters at one moment: ours, and the kernel's XDP_STATISTICS for its socket.
 * The handler counts each frame received once: handled, dropped_malformed or errors. A
 * frame it asked to send that cannot go out is counted by the reason: dropped_tx_full
 * (no room in the TX ring), dropped_tx_bad_len (length 0, or past the frame's room). */
struct xg_pool_counters {
	uint64_t rx, tx, handled, dropped_malformed, dropped_tx_full, dropped_tx_bad_len;
	uint64_t errors, wakeups;
	struct xdp_statistics xs; /* zero when the kernel does not give them */
	/* Entries in each ring at this moment (gauges; read from the rings' shared producer
	 * and consumer indices, so from any thread), and the size of each. */
	uint32_t ring_rx, ring_fill, ring_tx, ring_comp, ring_size, ring_fill_size;
};

/* Start the pool: *out is the new handle. 0, or negative after one error line; on
 * failure nothing is left attached and *out is NULL. A socket that cannot be opened gives
 * its -errno: with XG_XSK_ZEROCOPY, -EOPNOTSUPP is the driver refusing zero-copy. */
int xg_pool_start(const struct xg_pool_cfg *cfg, struct xg_pool **out);
/* Stop the workers (they drain and run the handler's fini), take the sockets out of the
 * gate, detach what we attached, and free the handle. NULL is a no-op. */
void xg_pool_stop(struct xg_pool *p);

/* Restart p's workers with another handler (arg and ctx as in xg_pool_cfg; arg must live as
 * long as the pool uses it): each worker stops, handling what its RX ring holds with the
 * old handler, and starts again with the new one on the same socket, UMEM and counters.
 * The gate, its rules and its counters are untouched. 0; -1 when the new handler cannot
 * start (its init says why): nothing has changed; -EIO when the handler switched but a
 * worker thread could not start again (it said why): its queue is not served, and the
 * caller should stop the pool. Call with SIGINT/SIGTERM/SIGHUP blocked
 * (xg_signals_hold) if the workers must not take them. */
int xg_pool_set_handler(struct xg_pool *p, const struct xg_handler_ops *ops, const char *arg,
			void *ctx);

const char *xg_pool_ifname(const struct xg_pool *p);
/* Whether we joined an `xdpgate attach` gate (else the gate is our own, on a bpf_link). */
bool xg_pool_joined(const struct xg_pool *p);
/* The gate the pool runs on (user/gate/gate.h), for the published stats' path. */
const struct xg_gate *xg_pool_gate(const struct xg_pool *p);
unsigned int xg_pool_nworkers(const struct xg_pool *p);
/* Worker i < xg_pool_nworkers(). */
void xg_pool_worker_info(const struct xg_pool *p, unsigned int i, struct xg_pool_worker_info *info);
void xg_pool_counters(const struct xg_pool *p, unsigned int i, struct xg_pool_counters *c);

#endif
