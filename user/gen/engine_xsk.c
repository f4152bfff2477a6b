// SPDX-License-Identifier: GPL-2.0
/* Generator engine over AF_XDP: thread i owns one TX-only socket on queue i, with its own
 * UMEM. Every UMEM frame (slot) is prepared at start and remembers the flow it carries
 * (user/gen/xsk_slots.h): sending frame seq from a slot writes only the marker's seq and
 * the L4 checksum computed from the flow's, plus the flow's fields when the slot carried
 * another flow. Per frame that is a few stores, inline, and no read of the frame: the
 * incremental rewrite of every field that came before cost ~8% of the frame rate next to
 * xdpsock, which sends one unchanging frame.
 *
 * The rings are the pool's (user/pool/xsk.c): frames come off its free list, go out
 * through xg_tx_burst and come back through xg_cq_drain, so the ownership rules of xsk.h
 * hold here too. Copy mode sends only a budget of frames (32) per wake-up, so a thread
 * with frames in the TX ring kicks every round; need_wakeup tells zero-copy drivers apart.
 * Frames count as sent when the kernel completes them, so an exact --count waits for the
 * last completions, and a stop drains what is in flight.
 * Pacing: a thread sends small batches on the schedule start + sent/rate (about 10 kHz
 * of batches), sleeping between them; see budget(). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "user/gen/engine.h"
#include "user/gen/template.h"
#include "user/gen/xsk_slots.h"
#include "user/pool/xsk.h"
#include "user/util/log.h"
#include "user/util/time.h"

#define XSK_RING 2048
#define XSK_FRAME 2048 /* a UMEM chunk: a longer frame takes a chain of them */
#define XSK_BATCH 256
#define PACE_BATCH_HZ 10000.0 /* paced threads send rate/PACE_BATCH_HZ frames a batch */
#define DRAIN_S 1.0	      /* how long a stopping thread waits for its completions */

/* The most descriptors a frame takes (XG_GEN_MAX_SIZE in XSK_FRAME chunks: 9000 -> 5). */
#define XSK_CHAIN_MAX ((XG_GEN_MAX_SIZE + XSK_FRAME - 1) / XSK_FRAME)
_Static_assert(XSK_CHAIN_MAX <= XG_XSK_CHAIN_MAX, "a generated frame is a chain the kernel takes");
_Static_assert(XSK_BATCH <= XG_XSK_TX_BUDGET, "one wake-up sends a whole batch");

/* Frames this round may carry: the batch, cut to the quota and to the pacing schedule.
 * 0 with *wait set: sleep until then. A thread that fell behind (the machine was busy)
 * catches up at full speed, so the average over a run holds: a start afresh after 20 ms,
 * as the live engine's program does, left a 100 kpps test run 17% short on the shared 2-vCPU
 * machine. Only more than a second behind (the process was stopped) starts afresh. */
static unsigned int budget(const struct xg_gen_thread *t, double *start, uint64_t seq,
			   unsigned int batch, double *wait)
{
	uint64_t n = batch;

	*wait = 0;
	if (t->quota && t->quota - seq < n)
		n = t->quota - seq;
	if (n && t->rate > 0) {
		double due = *start + (double)seq / t->rate, now = xg_now();

		if (due > now) {
			*wait = due;
			return 0;
		}
		if (now - due > 1.0)
			*start = now - (double)seq / t->rate;
	}
	return (unsigned int)n;
}

static void sleep_until(double due)
{
	struct timespec ts;

	/* the monotonic clock, whose origin xg_now() shares */
	ts.tv_sec = (time_t)due;
	ts.tv_nsec = (long)((due - (double)ts.tv_sec) * 1e9);
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/* Take up to n free frames, as many as the TX ring has room for (a frame written and put
 * back would be work for nothing), make them frames seq.. and queue them. Returns the
 * frames queued. */
/* Descriptors a frame of the thread's takes: 1, or a chain of XSK_FRAME chunks. */
static uint32_t chain_of(const struct xg_gen_thread *t)
{
	return (uint32_t)((t->p->frame_len + XSK_FRAME - 1) / XSK_FRAME);
}

/* Frame f (its slot's first chunk at f->addr) as a chain of k descriptors over the slot's
 * consecutive chunks, the rest of the chain in seg. */
static void chain(struct xg_xsk_frame *f, struct xg_xsk_frame *seg, uint32_t k, size_t len)
{
	uint32_t j;

	f->nseg = k;
	f->seg = seg;
	f->len = (uint32_t)(len < XSK_FRAME ? len : XSK_FRAME);
	for (j = 1; j < k; j++) {
		seg[j - 1].addr = f->addr + (uint64_t)j * XSK_FRAME;
		seg[j - 1].nseg = 1;
		seg[j - 1].len = (uint32_t)(len - j * XSK_FRAME < XSK_FRAME ? len - j * XSK_FRAME
									    : XSK_FRAME);
	}
}

static unsigned int send_batch(struct xg_gen_thread *t, uint64_t seq, unsigned int n)
{
	struct xg_xsk_frame f[XSK_BATCH], seg[XSK_BATCH * (XSK_CHAIN_MAX - 1) + 1];
	struct xg_gen_slots *s = t->slots;
	struct xg_xsk *q = t->q;
	uint32_t flow = xg_gen_flow_of(seq, s->flows); /* one division a batch */
	uint32_t k = chain_of(t);
	unsigned int got = 0, sent, i;

	n = xg_tx_room(q, n * k) / k;
	while (got < n && xg_umem_alloc(q, &f[got].addr)) {
		f[got].data = xsk_umem__get_data(q->area, f[got].addr);
		chain(&f[got], &seg[got * (k - 1)], k, t->p->frame_len);
		/* the varying fields all lie in the first chunk */
		xg_gen_slot_write(s, f[got].data, (uint32_t)(f[got].addr / (k * XSK_FRAME)),
				  seq + got, flow);
		if (++flow == s->flows)
			flow = 0;
		got++;
	}
	sent = got ? xg_tx_burst(q, f, got) : 0;
	for (i = sent; i < got; i++) /* not expected: this thread is the ring's only producer */
		xg_pkt_free(q, &f[i]);
	return sent;
}

/* Frames the kernel has completed: descriptors, a chain's counted once it all is. */
static void completed(struct xg_gen_thread *t, uint64_t *descs)
{
	*descs += xg_cq_drain(t->q);
	atomic_store(&t->completed, *descs / chain_of(t));
}

static void drain(struct xg_gen_thread *t, uint64_t *done)
{
	double until = xg_now() + DRAIN_S;

	while (t->q->outstanding_tx && xg_now() < until && !t->err) {
		t->err = xg_tx_kick(t->q);
		completed(t, done);
	}
}

static void *xsk_thread(void *arg)
{
	struct xg_gen_thread *t = arg;
	unsigned int batch = XSK_BATCH, n;
	uint64_t seq = 0, done = 0;
	double start, wait;

	xg_gen_pin_cpu(t->p->cpus[t->idx]);
	if (t->rate > 0) {
		double per = t->rate / PACE_BATCH_HZ;

		batch = per < 1 ? 1 : per > XSK_BATCH ? XSK_BATCH : (unsigned int)per;
	}
	start = xg_now();
	while (!atomic_load(&t->gen->stop)) {
		completed(t, &done); /* done: descriptors */
		n = budget(t, &start, seq, batch, &wait);
		if (!n && wait > 0) {
			sleep_until(wait);
			continue;
		}
		if (!n) /* the quota is all queued */
			break;
		n = send_batch(t, seq, n);
		/* no free frame or no room: the kernel has yet to send what it holds */
		if (!n && (t->err = xg_tx_kick(t->q)))
			break;
		seq += n;
	}
	drain(t, &done);
	if (t->q->outstanding_tx && !t->err)
		t->err = -ETIMEDOUT;
	atomic_fetch_sub(&t->gen->running, 1);
	return NULL;
}

static int open_queue(struct xg_gen_thread *t, enum xg_xsk_mode mode)
{
	struct xg_xsk_cfg cfg = {
		.ifname = t->p->ifname,
		.queue = t->idx,
		.frame_size = XSK_FRAME,
		.ring_size = XSK_RING,
		.nframes = 2 * XSK_RING,
		.mode = mode,
		.tx_only = true,
	};
	int err;

	t->q = calloc(1, sizeof(*t->q));
	t->slots = calloc(1, sizeof(*t->slots));
	if (!t->q || !t->slots) {
		err = -ENOMEM;
		goto fail;
	}
	err = xg_xsk_open(t->q, &cfg); /* prints the line naming interface and queue */
	if (err)
		goto fail;
	xg_xsk_raise_tx_budget(t->q, XSK_RING, t->p->ifname, t->idx); /* fewer wake-ups */
	if (chain_of(t) > 1 && !t->q->sg) {
		pr_warn("gen: %s: frames of %zu bytes take %u descriptors, and the kernel refused "
			"multi-buffer AF_XDP (XDP_USE_SG, Linux 6.6) on queue %u\n",
			t->p->ifname, t->p->frame_len, chain_of(t), t->idx);
		err = -EOPNOTSUPP;
		xg_xsk_close(t->q);
		goto fail;
	}
	/* a frame's slot: chain_of(t) consecutive chunks, taken and given back as one */
	xg_xsk_group_frames(t->q, chain_of(t));
	err = xg_gen_slots_init(t->slots, t->p, t->p->cpus[t->idx], t->q->area, t->q->nframes,
				chain_of(t) * XSK_FRAME);
	if (!err)
		return 0;
	pr_warn("gen: %s: no memory for the frames of queue %u\n", t->p->ifname, t->idx);
	xg_xsk_close(t->q);
fail:
	free(t->q);
	free(t->slots);
	t->q = NULL;
	t->slots = NULL;
	return err;
}

static void xsk_release(struct xg_gen *g)
{
	unsigned int i;

	for (i = 0; i < g->nthreads; i++) {
		if (!g->t[i].q)
			continue;
		xg_xsk_close(g->t[i].q);
		xg_gen_slots_free(g->t[i].slots);
		free(g->t[i].q);
		free(g->t[i].slots);
		g->t[i].q = NULL;
		g->t[i].slots = NULL;
	}
}

/* One socket per thread, thread i on queue i. The first bind finds out whether the driver
 * grants zero-copy (xg_xsk_open says so when it falls back to copy mode); the others ask
 * for that mode outright, so the mode is reported once. */
static int xsk_prepare(struct xg_gen *g, const struct xg_gen_params *p)
{
	enum xg_xsk_mode mode = XG_XSK_AUTO;
	unsigned int i;
	int err;

	for (i = 0; i < g->nthreads; i++) {
		err = open_queue(&g->t[i], mode);
		if (err) {
			xsk_release(g);
			return err;
		}
		mode = g->t[0].q->zerocopy ? XG_XSK_ZEROCOPY : XG_XSK_COPY;
	}
	if (g->t[0].q->zerocopy)
		pr_info("gen: %s: AF_XDP zero-copy on queues 0-%u\n", p->ifname, g->nthreads - 1);
	return 0;
}

/* Sent is what the kernel completed: a frame it refused never completes, and the thread
 * that saw the refusal stops with the error (thread err). */
static void xsk_totals(struct xg_gen *g, struct xg_gen_totals *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < g->nthreads; i++)
		out->sent += atomic_load(&g->t[i].completed);
	out->generated = out->sent;
}

const struct xg_gen_ops xg_gen_xsk_ops = {
	.prepare = xsk_prepare,
	.thread = xsk_thread,
	.totals = xsk_totals,
	.release = xsk_release,
};
