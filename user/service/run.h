/* SPDX-License-Identifier: GPL-2.0 */
/* The run set: the AF_XDP worker pool (user/pool/pool.h) on one or more interfaces, as
 * `xdpgate run` runs it and as any program can embed it (user/examples/embed_reload.c):
 * settings checked before anything is touched, every pool started or none, the switch
 * handler's ports wired across the interfaces that use it, and a reload of every
 * interface's rules and handler that is all or nothing.
 *
 * Messages go through user/util/log.h and name an interface, a file or a value, never a
 * command: the caller says what it was doing (a reload's outcome comes back as one line in
 * msg, for the caller to print). */
#ifndef XG_SERVICE_RUN_H
#define XG_SERVICE_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "user/pool/pool.h"

#define XG_RUN_MAX_IFACES 16

/* One interface's settings. Strings are the caller's until xg_run_set_new (or a reload)
 * returns: the set keeps its own copies. */
struct xg_run_spec {
	const char *ifname;
	const char *rules;    /* rules file; NULL: keep a joined gate's set, else deliver all IP
			      * traffic to the pool (and a reload has nothing to read) */
	const char *handler;  /* count | count:verify | reflect | pcap:FILE[,rotate=MB] |
			      * forward:OUT[,copy] | forward:map,IN=OUT,...[,copy] | switch */
	unsigned int nqueues; /* 0: every queue of the interface */
	unsigned int queues[XG_POOL_MAX_QUEUES];
	bool zerocopy, copy; /* neither: zero-copy, else copy */
	int wait;	     /* enum xg_wait */
	int mode;	     /* enum xdp_attach_mode of a gate of our own */
	int steer;	     /* 1: symmetric flow hash (both directions alike) */
	unsigned int batch, frame_size, ring_size, per_queue; /* per_queue: workers a queue */
	unsigned int ct_max; /* rules with `ct`: nf_conntrack_max to set (0: leave it) */
};

/* count, poll, native, batch 64, frames of 4096, rings of 2048, one worker a queue. */
void xg_run_spec_defaults(struct xg_run_spec *s);
/* The check of every value a spec holds beyond its type, touching nothing: 0, or -1 with the
 * culprit (a setting by its option's long name: "handler", "copy", "ring-size",
 * "frame-size") in *key and what is wrong with it in why. */
int xg_run_spec_check(const struct xg_run_spec *s, const char **key, char *why, size_t len);

struct xg_run_set;

/* A set over specs[0..n) (n <= XG_RUN_MAX_IFACES, distinct interfaces, each checked): each
 * rules file read, the switch's ports wired; nothing attached yet. log_name starts the pools'
 * messages. 0 or -1 after one line. */
int xg_run_set_new(const struct xg_run_spec *specs, unsigned int n, const char *log_name,
		   struct xg_run_set **out);
/* Start every interface's pool, in order; on failure the ones started are stopped. 0 or the
 * pool's error (negative, after one line; -EOPNOTSUPP: zero-copy refused). */
int xg_run_set_start(struct xg_run_set *set);
unsigned int xg_run_set_n(const struct xg_run_set *set);
/* Interface i's pool (NULL before start and after stop). */
struct xg_pool *xg_run_set_pool(const struct xg_run_set *set, unsigned int i);
/* Interface i's switch port, or NULL when its handler is not the switch. */
const struct xg_l2_port *xg_run_set_port(const struct xg_run_set *set, unsigned int i);
/* The switch over the interfaces whose handler is `switch`, or NULL. */
const struct xg_l2_switch *xg_run_set_switch(const struct xg_run_set *set);
/* The index of an interface deleted (or renamed) since start, or -1. */
int xg_run_set_gone(const struct xg_run_set *set);

/* Reload with next[i] for interface i (same interfaces, same order): check everything
 * first (each rules file read and compiled, each handler's settings, each gate opened and
 * locked), then switch the handlers that changed and make every new rule set live, each
 * through the gate's two-slot swap; a failure on the way puts back what was done. In msg,
 * one line: what is in force now, or why nothing changed. 0: applied; -EINVAL and other
 * -errno: refused, the old state kept everywhere; -ESTALE: refused, but something could not
 * be put back (a handler, which runs on, or a rule set: said in lines of their own); -EIO: a
 * worker did not restart after a handler switch, and the set must be stopped. */
int xg_run_set_reload(struct xg_run_set *set, const struct xg_run_spec *next, char *msg,
		      size_t len);

/* Stop every pool (NULL-safe, idempotent); the set keeps its settings. */
void xg_run_set_stop(struct xg_run_set *set);
void xg_run_set_free(struct xg_run_set *set);

#endif
