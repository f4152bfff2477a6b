/* SPDX-License-Identifier: GPL-2.0 */
/* The per-batch handler API of the AF_XDP worker pool. A C program can embed the pool
 * with its own handler (see user/examples/). A worker calls batch() with the frames it
 * received; the handler sets each frame's action: recycle it (the frame goes back to the
 * fill ring) or transmit it (out of the same queue, with the len it set; it may rewrite
 * the data in place and grow len up to the frame's room; the worker drops a frame sent
 * with len 0 or past its room and counts it as dropped_tx_bad_len). Handlers run on the worker's thread: per-queue state, no locks. */
#ifndef XG_HANDLER_H
#define XG_HANDLER_H

#include <stdint.h>

#include "user/pool/xsk.h"

enum xg_action { XG_ACT_RECYCLE = 0, XG_ACT_TX };

struct xg_batch {
	struct xg_xsk_frame *frames;
	uint8_t *action; /* one per frame, XG_ACT_RECYCLE on entry */
	unsigned int n;
	unsigned int queue;
};

/* What a handler reports: frames it handled and frames it dropped as bad input. */
struct xg_handler_stats {
	uint64_t handled;
	uint64_t dropped_malformed;
	uint64_t errors; /* e.g. a pcap write failed */
};

struct xg_handler_ops {
	const char *name;
	/* arg: what followed "name:" on the command line, or NULL; ctx: the embedding
	 * program's pointer (xg_pool_cfg.handler_ctx). Returns 0 or -1 after one error line. */
	int (*init)(void **state, const char *arg, unsigned int queue, void *ctx);
	void (*batch)(void *state, struct xg_batch *b, struct xg_handler_stats *st);
	void (*fini)(void *state);
};

extern const struct xg_handler_ops xg_handler_count;

/* Find a handler by its name in "name[:arg]"; sets *arg. NULL when unknown. */
const struct xg_handler_ops *xg_handler_find(const char *spec, const char **arg);

#endif
