// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "user/gate/caps.h"
#include "user/util/log.h"
#include "user/pool/worker.h"

#define BATCH_MAX 256
_Static_assert(BATCH_MAX <= XG_XSK_TX_BUDGET, "one wake-up sends a whole batch");
#define POLL_MS 100 /* a blocked worker still notices stop within this */
/* poll: keep looking this long before blocking. Under load frames come back within it, so
 * the worker rarely sleeps, and each sleep costs the sender a wake-up (an IPI, a VM exit
 * here) on its own CPU; idle, the worker still blocks within 50 us. */
#define POLL_SPIN_NS 50000

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

static int set_busy_poll(struct xg_worker *w)
{
	int fd = xg_xsk_fd(&w->q), one = 1, usecs = 20, budget = (int)w->batch;

	if (setsockopt(fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &usecs, sizeof(usecs)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget, sizeof(budget))) {
		pr_warn("%s queue %u: busy polling refused: %s\n", w->ifname, w->queue,
			strerror(errno));
		return -errno;
	}
	return 0;
}

/* Nothing to receive: wait as the mode says. */
static void idle(struct xg_worker *w)
{
	struct pollfd p = { .fd = xg_xsk_fd(&w->q), .events = POLLIN };

	switch (w->wait) {
	case XG_WAIT_POLL:
		if (xg_rx_wait_spin(&w->q, POLL_SPIN_NS))
			break;
		atomic_fetch_add_explicit(&w->st.wakeups, 1, memory_order_relaxed);
		/* forwarded frames still in flight, or other workers handing frames over:
		 * come back soon to kick and reclaim, or to send them */
		poll(&p, 1, w->out.outstanding_tx || w->ops->produce ? 1 : POLL_MS);
		break;
	case XG_WAIT_BUSY_POLL:
		break; /* the next round's recvfrom polls */
	case XG_WAIT_SPIN:
		if (xg_fq_needs_wakeup(&w->q)) {
			atomic_fetch_add_explicit(&w->st.wakeups, 1, memory_order_relaxed);
			recvfrom(p.fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		}
		break;
	}
}

static void add(_Atomic uint64_t *c, uint64_t v)
{
	if (v)
		atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + v,
				      memory_order_relaxed);
}

/* Packet f copied into free frames of out's UMEM, as packet *to (a chain's segments in
 * out's segs, from *nseg on). False, and nothing taken, when out has too few free frames
 * or no room for the segments. */
static bool copy_out(struct xg_xsk *out, const struct xg_xsk_frame *f, struct xg_xsk_frame *to,
		     uint32_t *nseg)
{
	uint32_t n = f->nseg > 1 ? f->nseg : 1, i;

	if (out->nfree < n || *nseg + n - 1 > XG_XSK_SEGS)
		return false;
	*to = *f;
	to->seg = n > 1 ? &out->segs[*nseg] : NULL;
	for (i = 0; i < n; i++) {
		const struct xg_xsk_frame *src = i ? &f->seg[i - 1] : f;
		struct xg_xsk_frame *dst = i ? &out->segs[(*nseg)++] : to;

		xg_umem_alloc(out, &dst->addr);
		dst->data = xsk_umem__get_data(out->area, dst->addr);
		dst->room = xg_frame_room(out, dst->addr);
		dst->len = src->len;
		dst->nseg = i ? 1 : n;
		memcpy(dst->data, src->data, src->len);
	}
	return true;
}

/* Frames for the output socket. Shared UMEM: the descriptors go as they are and the frames
 * are lent until the output's completion ring gives them back. Copy: each goes into a free
 * frame of the output's UMEM and the received one is recycled. Either way, what finds no
 * room (TX ring full, or every output frame in flight) is dropped and counted, never
 * spun on; a chain goes whole or not at all. Returns packets sent. */
static unsigned int forward_batch(struct xg_worker *w, struct xg_xsk_frame *f, unsigned int n)
{
	unsigned int i, m = 0, sent;
	uint32_t nseg = 0;

	if (w->out_shared) {
		/* copy-mode TX copies each frame into an skb, one after the other, each
		 * waiting for its first line (written by the RX copy on another CPU):
		 * asked for together here, those misses overlap */
		unsigned int room = w->out.zerocopy ? 0 : xg_tx_room(&w->out, n);

		for (i = 0; i < room; i++)
			__builtin_prefetch(f[i].data);
		sent = xg_tx_burst(&w->out, f, n);
		w->q.lent += xg_pkt_descs(f, sent);
		for (i = sent; i < n; i++)
			xg_pkt_free(&w->q, &f[i]);
		return sent;
	}
	for (i = 0; i < n; i++) {
		struct xg_xsk_frame to;

		if (copy_out(&w->out, &f[i], &to, &nseg)) {
			xg_pkt_free(&w->q, &f[i]);
			f[m++] = to;
		} else {
			xg_pkt_free(&w->q, &f[i]);
		}
	}
	sent = xg_tx_burst(&w->out, f, m);
	for (i = sent; i < m; i++)
		xg_pkt_free(&w->out, &f[i]);
	return sent;
}

/* Carry out the handler's actions: transmit or forward what it asked, recycle the rest. A
 * length the kernel would refuse (0, or past the frame's room) is dropped here: a refused
 * descriptor never comes back on the completion ring, so the frame would be lost for good.
 * Frames to forward are gathered in order at the front of b->frames (each one's slot is
 * read before it is written). */
static void finish_batch(struct xg_worker *w, struct xg_batch *b, struct xg_xsk_frame *txf)
{
	unsigned int i, ntx = 0, nfwd = 0, bad_len = 0, errs = 0, sent, fwd = 0;

	for (i = 0; i < b->n; i++) {
		const struct xg_xsk_frame *f = &b->frames[i];

		if (b->action[i] == XG_ACT_RECYCLE ||
		    (b->action[i] == XG_ACT_FWD && !w->out_ifname)) {
			errs += b->action[i] == XG_ACT_FWD;
			xg_pkt_free(&w->q, f);
		} else if (!f->len || f->len > xg_frame_room(&w->q, f->addr)) {
			xg_pkt_free(&w->q, f);
			bad_len++;
		} else if (f->nseg > 1 && b->action[i] == XG_ACT_FWD && !w->out.sg) {
			xg_pkt_free(&w->q, f); /* a chain the output socket cannot send */
			errs++;
		} else if (b->action[i] == XG_ACT_FWD) {
			b->frames[nfwd++] = *f;
		} else {
			txf[ntx++] = *f;
		}
	}
	sent = ntx ? xg_tx_burst(&w->q, txf, ntx) : 0;
	for (i = sent; i < ntx; i++) /* TX ring full: never spin, drop (chains whole), count */
		xg_pkt_free(&w->q, &txf[i]);
	if (nfwd)
		fwd = forward_batch(w, b->frames, nfwd);
	add(&w->st.tx, sent + fwd);
	add(&w->st.dropped_tx_full, ntx - sent + nfwd - fwd);
	add(&w->st.dropped_tx_bad_len, bad_len);
	add(&w->st.errors, errs);
}

/* Whether every descriptor of packet f has a length the kernel takes. */
static bool pkt_len_ok(const struct xg_xsk_frame *f)
{
	uint32_t i;

	if (!f->len || f->len > f->room)
		return false;
	for (i = 1; i < f->nseg; i++)
		if (!f->seg[i - 1].len || f->seg[i - 1].len > f->seg[i - 1].room)
			return false;
	return true;
}

/* The handler's own frames (produce): free frames lent to it, those it filled sent out of
 * the worker's socket like any TX, the rest taken back. A packet the handler made a chain
 * of (nseg > 1, the rest of it in the entries after it) is sent or dropped whole; pk holds
 * the packets' first entries (w->batch of them). Returns frames it filled. */
static unsigned int produce(struct xg_worker *w, struct xg_xsk_frame *f, struct xg_xsk_frame *pk)
{
	unsigned int i, n = 0, filled, sent = 0, npk = 0, bad = 0, k;

	while (n < w->batch && xg_umem_alloc(&w->q, &f[n].addr)) {
		f[n].data = xsk_umem__get_data(w->q.area, f[n].addr);
		f[n].room = xg_frame_room(&w->q, f[n].addr);
		f[n].nseg = 1;
		f[n].seg = NULL;
		f[n++].len = 0;
	}
	filled = n ? w->ops->produce(w->hstate, f, n) : 0;
	for (i = filled; i < n; i++)
		xg_umem_free(&w->q, f[i].addr);
	for (i = 0; i < filled; i += k) { /* the kernel refuses these: drop here (finish_batch) */
		k = f[i].nseg > 1 ? f[i].nseg : 1;
		if (i + k > filled) { /* a chain past what was filled: never sent in part */
			for (; i < filled; i++, bad++)
				xg_umem_free(&w->q, f[i].addr);
			break;
		}
		if (pkt_len_ok(&f[i])) {
			pk[npk++] = f[i];
		} else {
			xg_pkt_free(&w->q, &f[i]);
			bad++;
		}
	}
	if (npk)
		sent = xg_tx_burst(&w->q, pk, npk);
	for (i = sent; i < npk; i++)
		xg_pkt_free(&w->q, &pk[i]);
	add(&w->st.tx, sent);
	add(&w->st.dropped_tx_full, npk - sent);
	add(&w->st.dropped_tx_bad_len, bad);
	return filled;
}

/* One round: reclaim, refill, receive, handle, and send what the handler produced. Returns
 * frames received plus frames produced. */
unsigned int xg_worker_round(struct xg_worker *w, struct xg_batch *b, struct xg_xsk_frame *txf)
{
	struct xg_handler_stats hs = { 0 };
	unsigned int made;

	xg_cq_drain(&w->q);
	if (w->out_ifname) {
		/* the output's completions, and a kick for what copy mode left in its ring */
		xg_cq_drain(&w->out);
		if (w->out.outstanding_tx)
			(void)xg_tx_kick(&w->out);
	}
	xg_fq_refill(&w->q);
	/* busy polling: every round's syscall runs the device's NAPI here, on this CPU, as
	 * the kernel's deferred softirq leaves it to us (napi_tune.h) */
	if (w->wait == XG_WAIT_BUSY_POLL && w->q.xsk)
		recvfrom(xg_xsk_fd(&w->q), NULL, 0, MSG_DONTWAIT, NULL, NULL);
	/* b->frames is free until the burst below: it holds the produced packets' heads */
	made = w->ops->produce ? produce(w, txf, b->frames) : 0;
	b->n = xg_rx_burst(&w->q, b->frames, w->batch);
	if (w->q.chain_errors) { /* received, recycled by the ring layer: rx and errors */
		add(&w->st.rx, w->q.chain_errors);
		add(&w->st.errors, w->q.chain_errors);
		w->q.chain_errors = 0;
	}
	if (b->n) {
		memset(b->action, XG_ACT_RECYCLE, b->n);
		w->ops->batch(w->hstate, b, &hs);
		finish_batch(w, b, txf);
		add(&w->st.rx, b->n);
		add(&w->st.handled, hs.handled);
		add(&w->st.dropped_malformed, hs.dropped_malformed);
		add(&w->st.errors, hs.errors);
	}
#ifdef XG_XSK_DEBUG
	/* a socket sharing its queue's fill ring balances only with the others (at stop) */
	if ((b->n || made) &&
	    ((!w->q.share && !xg_xsk_frames_balanced(&w->q, 0)) ||
	     (w->out_ifname && !w->out_shared && !xg_xsk_frames_balanced(&w->out, 0))))
		abort();
#endif
	return b->n + made;
}

static void *worker_main(void *arg)
{
	struct xg_xsk_frame frames[BATCH_MAX], txf[BATCH_MAX];
	struct xg_worker *w = arg;
	uint8_t action[BATCH_MAX];
	struct xg_batch b = { .frames = frames, .action = action, .queue = w->queue };
	cpu_set_t set;
	int i, err;

	xg_log_set_iface(w->ifname);
	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	/* its sockets are bound and its UMEM registered: from here on it needs no capability */
	err = xg_caps_limit_thread(false);
	if (err)
		pr_warn("%s queue %u: cannot drop capabilities: %s\n", w->ifname, w->queue,
			strerror(-err));
	while (!atomic_load_explicit(w->stop, memory_order_relaxed))
		if (!xg_worker_round(w, &b, txf))
			idle(w);
	/* drain: what is already in the RX ring is still handled, then completions */
	for (i = 0; i < 1000 && xg_worker_round(w, &b, txf); i++)
		;
	/* and what was forwarded: sent and completed within ~0.1 s, else left to the close */
	for (i = 0; i < 1000 && w->out.outstanding_tx; i++) {
		(void)xg_tx_kick(&w->out);
		if (!xg_cq_drain(&w->out))
			usleep(100);
	}
	xg_cq_drain(&w->q);
	return NULL;
}

int xg_worker_start(struct xg_worker *w)
{
	int err;

	if (w->batch > BATCH_MAX)
		w->batch = BATCH_MAX;
	if (w->wait == XG_WAIT_BUSY_POLL && set_busy_poll(w))
		return -1;
	err = pthread_create(&w->tid, NULL, worker_main, w);
	if (err) {
		pr_warn("%s queue %u: cannot start the worker: %s\n", w->ifname, w->queue,
			strerror(err));
		return -1;
	}
	w->started = true;
	return 0;
}

void xg_worker_join(struct xg_worker *w)
{
	if (w->started)
		pthread_join(w->tid, NULL);
	w->started = false;
	if (w->ops && w->hstate)
		w->ops->fini(w->hstate);
	w->hstate = NULL;
}
