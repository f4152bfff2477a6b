/* SPDX-License-Identifier: GPL-2.0 */
/* The per-batch handler API of the AF_XDP worker pool. A C program can embed the pool
 * with its own handler (see user/examples/). A worker calls batch() with the frames it
 * received; the handler sets each frame's action: recycle it (the frame goes back to the
 * fill ring) or transmit it (out of the same queue, with the len it set; it may rewrite
 * the data in place and grow len up to the frame's room; the worker drops a frame sent
 * with len 0 or past its room and counts it as dropped_tx_bad_len). Handlers run on the worker's thread: per-queue state, no locks. */
#ifndef XG_HANDLER_H
#define XG_HANDLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "user/pool/xsk.h"

/* XG_ACT_FWD: send the frame out of the worker's output interface (a handler with an
 * output(), like forward); without one the frame is recycled and counted as an error. */
enum xg_action { XG_ACT_RECYCLE = 0, XG_ACT_TX, XG_ACT_FWD };

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
	/* Optional: whether arg would do, without touching anything (run checks every value
	 * before it starts). 0, or -1 with what is wrong in why. */
	int (*check)(const char *arg, char *why, size_t len);
	/* arg: what followed "name:" on the command line, or NULL; ctx: the embedding
	 * program's pointer (xg_pool_cfg.handler_ctx). Returns 0 or -1 after one error line. */
	int (*init)(void **state, const char *arg, unsigned int queue, void *ctx);
	void (*batch)(void *state, struct xg_batch *b, struct xg_handler_stats *st);
	void (*fini)(void *state);
	/* A handler that forwards names the output of the input interface in_ifname, from
	 * its arg: into out (IF_NAMESIZE), and *copy when the arg forces copying into the
	 * output's UMEM. 0, or -1 after one error line. NULL: the handler does not forward. */
	int (*output)(const char *arg, const char *in_ifname, char *out, bool *copy);
	/* Frames the handler has for the worker's own socket that it did not receive there
	 * (the switch's, handed over by other ports' workers). Called every round with max
	 * free frames of the worker's UMEM in f (addr, data, room set): the handler fills the
	 * first n (data and len) and returns n; the worker transmits them and takes back the
	 * rest. NULL: none. */
	unsigned int (*produce)(void *state, struct xg_xsk_frame *f, unsigned int max);
};

extern const struct xg_handler_ops xg_handler_count;
extern const struct xg_handler_ops xg_handler_forward;
extern const struct xg_handler_ops xg_handler_switch;

/* Find a handler by its name in "name[:arg]"; sets *arg. NULL when unknown. */
const struct xg_handler_ops *xg_handler_find(const char *spec, const char **arg);
/* Check "name[:arg]" as far as it can be without starting the handler: 0, or -1 with what
 * is wrong in why (an unknown name, or what the handler's check says of arg). */
int xg_handler_check(const char *spec, char *why, size_t len);

#endif
