/* SPDX-License-Identifier: GPL-2.0 */
/* The traffic generator's engines: threads that transmit a template frame out of an
 * interface, each pinned to its CPU. Two engines behind one interface (struct
 * xg_gen_ops): BPF_PROG_RUN live frames (XDP_TX, engine.c) and an AF_XDP socket per
 * thread and queue (engine_xsk.c). The caller sees only xg_gen_start/sent/running/stop. */
#ifndef XG_ENGINE_H
#define XG_ENGINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XG_GEN_MAX_THREADS 64

/* Where the varying fields sit in the template (absolute offsets; 0 = absent). */
struct xg_gen_layout {
	uint16_t saddr_off, sport_off, marker_off, ip_csum_off, l4_csum_off;
	bool l4_csum_has_addr, udp_csum;
	uint32_t saddr_base; /* host order */
	uint16_t sport_base;
};

enum xg_gen_engine { XG_GEN_LIVE, XG_GEN_XSK };

struct xg_gen_params {
	enum xg_gen_engine engine;
	int ifindex;
	const char *ifname;
	const uint8_t *frame; /* the template, FCS excluded */
	size_t frame_len;
	struct xg_gen_layout layout;
	uint32_t flows;
	unsigned int threads;
	int cpus[XG_GEN_MAX_THREADS]; /* CPU of each thread */
	double rate;		      /* total frames/s; 0 = as fast as possible */
	uint64_t count;		      /* total frames; 0 = no limit */
};

struct xg_gen_thread {
	pthread_t tid;
	const struct xg_gen_params *p;
	struct xg_gen *gen;
	unsigned int idx;
	int prog_fd;		    /* live */
	struct xg_xsk *q;	    /* xsk: this thread's socket, on queue idx */
	struct xg_gen_slots *slots; /* xsk: its UMEM frames, prepared per flow */
	_Atomic uint64_t completed; /* xsk: frames the kernel has sent */
	uint64_t quota;		    /* 0: unlimited */
	double rate;		    /* 0: unpaced */
	int err;
	bool started;
};

/* Frames so far: made by the program, and what the kernel did with them. */
struct xg_gen_totals {
	uint64_t generated; /* run through the program */
	uint64_t sent;	    /* accepted by the driver */
	uint64_t dropped;   /* refused by the driver (a full ring, a vanished peer) */
	uint64_t refused;   /* refused before the driver (interface down or gone, MTU) */
	int xmit_err;	    /* the last error the kernel gave, negative errno; 0: none */
};

struct xg_gen;
struct xg_xsk;
struct xg_gen_slots;

/* What an engine supplies. prepare runs once the thread structs are filled in (before any
 * thread starts) and prints its own one-line error; release undoes it after the threads
 * have been joined. */
struct xg_gen_ops {
	int (*prepare)(struct xg_gen *g, const struct xg_gen_params *p);
	void *(*thread)(void *t);
	void (*totals)(struct xg_gen *g, struct xg_gen_totals *out);
	void (*release)(struct xg_gen *g);
};

extern const struct xg_gen_ops xg_gen_live_ops, xg_gen_xsk_ops;

struct xg_gen {
	const struct xg_gen_ops *ops;
	struct gen_bpf *skel; /* live */
	atomic_bool stop;
	_Atomic unsigned int running;
	struct xg_gen_thread t[XG_GEN_MAX_THREADS];
	unsigned int nthreads;
	struct xg_gen_totals final; /* read when the engine stops */
};

struct gen_bpf;
/* Fill the live engine's program's rodata (layout, flows, pacing) from p, before load. */
void xg_gen_live_config(struct gen_bpf *skel, const struct xg_gen_params *p);

/* Pin the calling thread to cpu (a line at info level when refused). */
void xg_gen_pin_cpu(int cpu);

/* Load the engine for p and start its threads. 0 or -errno (message printed). */
int xg_gen_start(struct xg_gen *g, const struct xg_gen_params *p);
/* Frames the driver accepted so far, from all threads. */
uint64_t xg_gen_sent(struct xg_gen *g);
/* Everything counted so far (after xg_gen_stop: the final counts). */
void xg_gen_totals(struct xg_gen *g, struct xg_gen_totals *out);
/* True while any thread still has frames to send. */
bool xg_gen_running(struct xg_gen *g);
/* Ask threads to stop, join them, free the engine. Returns the first thread error. */
int xg_gen_stop(struct xg_gen *g);

#endif
