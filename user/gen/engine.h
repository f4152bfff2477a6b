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

struct xg_gen {
	struct gen_bpf *skel;
	atomic_bool stop;
	_Atomic unsigned int running;
	struct xg_gen_thread t[XG_GEN_MAX_THREADS];
	unsigned int nthreads;
	uint64_t final_sent; /* read when the engine stops */
};

/* Load the engine for p and start its threads. 0 or -errno (message printed). */
int xg_gen_start(struct xg_gen *g, const struct xg_gen_params *p);
/* Frames generated so far by all threads (counted by the program). */
uint64_t xg_gen_sent(struct xg_gen *g);
/* True while any thread still has frames to send. */
bool xg_gen_running(struct xg_gen *g);
/* Ask threads to stop, join them, free the engine. Returns the first thread error. */
int xg_gen_stop(struct xg_gen *g);

#endif
