/* SPDX-License-Identifier: GPL-2.0 */
/* The traffic generator's engine: threads that transmit a template frame out of an
 * interface with BPF_PROG_RUN live frames (XDP_TX), each pinned to its CPU and counted
 * per CPU by the program. */
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

struct xg_gen_params {
	int ifindex;
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
	int prog_fd;
	uint64_t quota; /* 0: unlimited */
	double rate;	/* 0: unpaced */
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

struct xg_gen {
	struct gen_bpf *skel;
	atomic_bool stop;
	_Atomic unsigned int running;
	struct xg_gen_thread t[XG_GEN_MAX_THREADS];
	unsigned int nthreads;
	struct xg_gen_totals final; /* read when the engine stops */
};

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
