/* SPDX-License-Identifier: GPL-2.0 */
/* A worker thread: one per queue, pinned, owning that queue's xg_xsk (rings and UMEM).
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
#include "user/pool/xsk.h"

enum xg_wait { XG_WAIT_POLL, XG_WAIT_BUSY_POLL, XG_WAIT_SPIN };

struct xg_worker_stats {
	_Atomic uint64_t rx, tx, handled, dropped_malformed, dropped_tx_full, errors, wakeups;
};

struct xg_worker {
	pthread_t tid;
	bool started;
	unsigned int queue;
	int cpu;
	enum xg_wait wait;
	unsigned int batch;
	struct xg_xsk q;
	const struct xg_handler_ops *ops;
	void *hstate;
	const atomic_bool *stop;
	struct xg_worker_stats st;
	int err;
};

/* Apply the wait mode's socket options (busy-poll) and start the thread. */
int xg_worker_start(struct xg_worker *w);
/* Join (the caller has set *stop). Runs the handler's fini. */
void xg_worker_join(struct xg_worker *w);

#endif
