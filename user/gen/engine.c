// SPDX-License-Identifier: GPL-2.0
/* Generator engine over BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: each thread is
 * pinned to its CPU and calls the run in chunks of `repeat` frames; the kernel builds
 * frames from the template in a page pool and our program (xdp/gen.bpf.c) rewrites the
 * per-frame fields and returns XDP_TX, which sends them out of the interface.
 *
 * Every call costs two RCU grace periods (the kernel swaps the program into its XDP
 * dispatcher and out again): ~20 ms each on the 2-vCPU test machine, measured with a
 * sched_switch trace. So chunks are large (up to ~1 s of traffic) and a thread is stopped
 * by a signal, which ends the call early (-EINTR). Frames are counted by the program
 * itself (per-CPU seq), so counts stay exact when a call is cut short. The run does not
 * say whether the driver took a frame (a deleted or downed interface, a full ring): the
 * program's tracepoint half counts what the driver accepted (common/gen_tx.h), and that
 * is what "sent" means.
 * Pacing: from 1000 frames/s per thread the program spaces frames evenly (see
 * xdp/gen.bpf.c); below, userspace sends chunks of 100 ms worth on the schedule
 * start + sent/rate, so the average holds but the traffic comes in bursts. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "user/util/time.h"
#include "user/gen/engine.h"
#include "common/gen_tx.h"
#include "gen.skel.h"
#include "user/util/log.h"

#define CHUNK_MAX (1u << 22) /* frames per run: ~1 s at 4 Mpps */
#define PACE_HZ 10	     /* userspace-paced threads send rate/PACE_HZ frames per wake-up */
/* From this rate per thread up, the program spaces frames itself (spinning on the clock,
 * which keeps softirqs off for at most ~1 ms a batch); below it, userspace sends bursts
 * of 100 ms worth. */
#define BPF_PACE_MIN_PPS 1000.0

void xg_gen_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
		pr_info("gen: cannot pin to CPU %d\n", cpu);
}

static bool bpf_paced(const struct xg_gen_thread *t)
{
	return t->rate >= BPF_PACE_MIN_PPS;
}

static uint64_t next_chunk(const struct xg_gen_thread *t, uint64_t sent)
{
	uint64_t n = CHUNK_MAX;

	if (t->rate > 0 && !bpf_paced(t)) {
		n = (uint64_t)(t->rate / PACE_HZ);
		n = n < 1 ? 1 : n > CHUNK_MAX ? CHUNK_MAX : n;
	}
	if (t->quota && t->quota - sent < n)
		n = t->quota - sent;
	return n;
}

static void pace(const struct xg_gen_thread *t, double start, uint64_t sent)
{
	double due = start + (double)sent / t->rate;
	struct timespec ts;

	if (due <= xg_now())
		return;
	/* sleep on the monotonic clock, whose origin xg_now() shares */
	ts.tv_sec = (time_t)due;
	ts.tv_nsec = (long)((due - (double)ts.tv_sec) * 1e9);
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static void *live_thread(void *arg)
{
	struct xg_gen_thread *t = arg;
	/* the kernel insists that data_end equals the input size */
	struct xdp_md ctx = { .data_end = (__u32)t->p->frame_len,
			      .ingress_ifindex = (__u32)t->p->ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = t->p->frame,
		    .data_size_in = (__u32)t->p->frame_len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
		    .batch_size = 64);
	double start = xg_now();
	uint64_t sent = 0, n;

	xg_gen_pin_cpu(t->p->cpus[t->idx]);
	if (bpf_paced(t)) {
		/* a batch runs with softirqs off: keep it within ~1 ms of pacing */
		double per_ms = t->rate / 1000;

		opts.batch_size = per_ms < 1 ? 1 : per_ms > 64 ? 64 : (__u32)per_ms;
	}
	while (!atomic_load(&t->gen->stop) && (n = next_chunk(t, sent))) {
		if (t->rate > 0 && !bpf_paced(t))
			pace(t, start, sent);
		opts.repeat = (__u32)n;
		if (bpf_prog_test_run_opts(t->prog_fd, &opts)) {
			if (errno != EINTR) /* EINTR: xg_gen_stop() woke us */
				t->err = -errno;
			break;
		}
		sent += n;
	}
	atomic_fetch_sub(&t->gen->running, 1);
	return NULL;
}

void xg_gen_live_config(struct gen_bpf *skel, const struct xg_gen_params *p)
{
	const struct xg_gen_layout *l = &p->layout;

	skel->rodata->flows = p->flows;
	skel->rodata->saddr_base = l->saddr_base;
	skel->rodata->sport_base = l->sport_base;
	skel->rodata->saddr_off = p->flows > 1 ? l->saddr_off : 0;
	skel->rodata->sport_off = p->flows > 1 ? l->sport_off : 0;
	skel->rodata->marker_off = l->marker_off;
	skel->rodata->ip_csum_off = l->ip_csum_off;
	skel->rodata->l4_csum_off = l->l4_csum_off;
	skel->rodata->l4_csum_has_addr = l->l4_csum_has_addr;
	skel->rodata->udp_csum = l->udp_csum;
	if (p->rate > 0 && p->rate / p->threads >= BPF_PACE_MIN_PPS)
		skel->rodata->pace_ns = (__u64)(1e9 * p->threads / p->rate);
	skel->rodata->gen_tgid = (__u32)getpid();
	skel->rodata->gen_ifindex = p->ifindex;
}

static int live_prepare(struct xg_gen *g, const struct xg_gen_params *p)
{
	unsigned int i;
	int err;

	g->skel = gen_bpf__open();
	if (!g->skel) {
		err = -errno;
		goto fail;
	}
	xg_gen_live_config(g->skel, p);
	err = gen_bpf__load(g->skel);
	if (!err)
		err = gen_bpf__attach(g->skel); /* the tracepoints; XDP runs by BPF_PROG_RUN */
	if (err) {
		gen_bpf__destroy(g->skel);
		g->skel = NULL;
		goto fail;
	}
	for (i = 0; i < g->nthreads; i++)
		g->t[i].prog_fd = bpf_program__fd(g->skel->progs.xdpgate_gen);
	return 0;
fail:
	pr_warn("gen: cannot load the generator program: %s\n", strerror(-err));
	return err;
}

/* Frames made by the program (per CPU), and what the driver did with them (its
 * tracepoints, for this process and interface). */
static void live_totals(struct xg_gen *g, struct xg_gen_totals *out)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct xg_gen_tx *tx = NULL;
	uint64_t *seq = NULL;
	__u32 key = 0;

	memset(out, 0, sizeof(*out));
	if (ncpu <= 0)
		return;
	seq = calloc((size_t)ncpu, sizeof(*seq));
	tx = calloc((size_t)ncpu, sizeof(*tx));
	if (seq && tx && !bpf_map_lookup_elem(bpf_map__fd(g->skel->maps.gen_seq), &key, seq) &&
	    !bpf_map_lookup_elem(bpf_map__fd(g->skel->maps.gen_tx), &key, tx))
		for (i = 0; i < ncpu; i++) {
			out->generated += seq[i];
			out->sent += tx[i].sent;
			out->dropped += tx[i].dropped;
			out->refused += tx[i].refused;
			if (tx[i].err)
				out->xmit_err = tx[i].err;
		}
	free(seq);
	free(tx);
}

static void live_release(struct xg_gen *g)
{
	gen_bpf__destroy(g->skel);
	g->skel = NULL;
}

const struct xg_gen_ops xg_gen_live_ops = {
	.prepare = live_prepare,
	.thread = live_thread,
	.totals = live_totals,
	.release = live_release,
};

static void on_wake(int sig)
{
	(void)sig; /* only there to interrupt the bpf() call or a pacing sleep */
}

int xg_gen_start(struct xg_gen *g, const struct xg_gen_params *p)
{
	struct sigaction sa = { .sa_handler = on_wake }; /* no SA_RESTART */
	unsigned int i;
	int err;

	memset(g, 0, sizeof(*g));
	g->ops = p->engine == XG_GEN_XSK ? &xg_gen_xsk_ops : &xg_gen_live_ops;
	sigaction(SIGUSR1, &sa, NULL);
	g->nthreads = p->threads;
	for (i = 0; i < p->threads; i++) {
		struct xg_gen_thread *t = &g->t[i];

		t->p = p;
		t->gen = g;
		t->idx = i;
		t->rate = p->rate / p->threads;
		/* the first thread takes the remainder so the total is exact */
		t->quota = p->count / p->threads + (i == 0 ? p->count % p->threads : 0);
	}
	err = g->ops->prepare(g, p);
	if (err) {
		g->ops = NULL;
		return err;
	}
	for (i = 0; i < p->threads; i++) {
		struct xg_gen_thread *t = &g->t[i];

		if (p->count && !t->quota)
			continue;
		atomic_fetch_add(&g->running, 1);
		err = pthread_create(&t->tid, NULL, g->ops->thread, t);
		if (err) {
			atomic_fetch_sub(&g->running, 1);
			pr_warn("gen: cannot start thread %u: %s\n", i, strerror(err));
			xg_gen_stop(g);
			return -err;
		}
		t->started = true;
	}
	return 0;
}

void xg_gen_totals(struct xg_gen *g, struct xg_gen_totals *out)
{
	if (g->ops)
		g->ops->totals(g, out);
	else
		*out = g->final;
}

uint64_t xg_gen_sent(struct xg_gen *g)
{
	struct xg_gen_totals t;

	xg_gen_totals(g, &t);
	return t.sent;
}

bool xg_gen_running(struct xg_gen *g)
{
	return atomic_load(&g->running) > 0;
}

int xg_gen_stop(struct xg_gen *g)
{
	unsigned int i;
	int err = 0;

	if (!g->ops)
		return 0;
	atomic_store(&g->stop, true);
	for (i = 0; i < g->nthreads; i++) {
		if (!g->t[i].started)
			continue;
		/* a thread may be inside a long run, or just about to enter one: poke until
		 * it has left */
		while (pthread_tryjoin_np(g->t[i].tid, NULL) == EBUSY) {
			pthread_kill(g->t[i].tid, SIGUSR1);
			usleep(20 * 1000);
		}
		g->t[i].started = false;
		if (!err)
			err = g->t[i].err;
	}
	g->ops->totals(g, &g->final); /* every bulk is flushed before a run returns */
	g->ops->release(g);
	g->ops = NULL;
	return err;
}
