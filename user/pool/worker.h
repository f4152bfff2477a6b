/* SPDX-License-Identifier: GPL-2.0 */
/* A worker thread: one per queue, pinned, owning that queue's xg_xsk (rings and UMEM), and
 * when its handler forwards, the socket on the output interface too (xsk.h: shared UMEM
 * or copy), so forwarding takes no lock: one thread owns every ring a frame passes.
 * It receives a batch, runs the handler, recycles or transmits each frame, and waits in
 * one of three ways when the RX ring is empty. Counters are published with relaxed
 * atomic stores once per loop, for the main thread's per-second report. */
#ifndef XG_WORKER_H
#define XG_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "user/pool/handler.h"
#include "user/pool/pool_types.h"
#include "user/pool/xsk.h"

struct xg_worker_stats {
	_Atomic uint64_t rx, tx, handled, dropped_malformed, dropped_tx_full, dropped_tx_bad_len;
	_Atomic uint64_t errors, wakeups;
};

struct xg_worker {
	pthread_t tid;
	bool started;
	const char *ifname; /* for messages */
	unsigned int queue;
	unsigned int slot;    /* among the queue's workers, from 0 */
	unsigned int xsk_key; /* its socket's key in the gate's xg_xsks */
	int cpu;
	enum xg_wait wait;
	unsigned int batch;
	struct xg_xsk q;
	struct xg_xsk out;	/* forwarding: the output socket */
	const char *out_ifname; /* forwarding: the output; NULL: none */
	bool out_shared;	/* out shares q's UMEM: frames move by descriptor */
	const struct xg_handler_ops *ops;
	void *hstate;
	const atomic_bool *stop;
	struct xg_worker_stats st;
};

/* Apply the wait mode's socket options (busy-poll) and start the thread. */
int xg_worker_start(struct xg_worker *w);
/* Join (the caller has set *stop). Runs the handler's fini. */
void xg_worker_join(struct xg_worker *w);
/* One round of the worker's loop (reclaim, refill, receive, handle, send or recycle), for
 * the ring tests: b has room for w->batch frames, txf as many. Returns frames received. */
unsigned int xg_worker_round(struct xg_worker *w, struct xg_batch *b, struct xg_xsk_frame *txf);

#endif
