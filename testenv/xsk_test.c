// SPDX-License-Identifier: GPL-2.0
/* Unit layer: the ring layer (user/pool/xsk.c) and one worker round, over rings backed by
 * plain memory. The test plays the kernel's side of each ring: it takes frames from the
 * fill ring, writes RX descriptors (data past a 256-byte headroom, as copy mode puts it),
 * takes TX descriptors and completes them. After every step each UMEM frame must be in
 * exactly one place (xg_xsk_frames_balanced).
 *
 * Built twice: build/tests/xsk_test, and build/tests/xsk_debug_test against pool objects
 * compiled with XG_XSK_DEBUG, whose worker aborts on any imbalance; that one also checks
 * that the abort happens. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "user/pool/worker.h"
#include "user/pool/xsk.h"

#define NFRAMES 16
#define FRAME 2048
#define RING 8
#define HEADROOM 256 /* XDP_PACKET_HEADROOM: where copy mode puts received data */

/* One ring's shared memory: what the kernel maps for a real socket. */
struct ring_mem {
	uint32_t producer, consumer, flags;
	uint64_t ring[RING * 2]; /* room for RING descriptors of 16 bytes */
};

struct rig {
	struct xg_worker w; /* w.q is the queue under test */
	struct ring_mem fq, tx, cq, rx;
	struct ring_mem otx, ocq; /* forwarding: the output socket's TX and completion */
	uint8_t *area, *oarea;
};

static void ring_init(void *r, struct ring_mem *m, int producer)
{
	struct xsk_ring_prod *p = r; /* the prod and cons rings have the same layout */

	p->mask = RING - 1;
	p->size = RING;
	p->producer = &m->producer;
	p->consumer = &m->consumer;
	p->flags = &m->flags;
	p->ring = m->ring;
	/* as libxdp sets them up: a producer sees the whole ring free */
	p->cached_prod = m->producer;
	p->cached_cons = m->consumer + (producer ? RING : 0);
}

static struct rig *rig_open(void)
{
	struct rig *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	assert_int_equal(xg_xsk_init_frames(&r->w.q, NFRAMES, FRAME), 0);
	r->area = calloc(NFRAMES, FRAME);
	assert_non_null(r->area);
	r->w.q.area = r->area;
	r->w.q.area_len = (size_t)NFRAMES * FRAME;
	ring_init(&r->w.q.fq, &r->fq, 1);
	ring_init(&r->w.q.tx, &r->tx, 1);
	ring_init(&r->w.q.cq, &r->cq, 0);
	ring_init(&r->w.q.rx, &r->rx, 0);
	assert_true(xg_xsk_frames_balanced(&r->w.q, 0));
	return r;
}

/* Give the worker an output socket: sharing w.q's UMEM, or (copy) with frames of its own. */
static void rig_output(struct rig *r, bool shared)
{
	r->w.out_ifname = "out0";
	r->w.out_shared = shared;
	if (shared) {
		memset(&r->w.out, 0, sizeof(r->w.out));
		r->w.out.frames_of = &r->w.q;
		r->w.out.frame_size = FRAME;
	} else {
		assert_int_equal(xg_xsk_init_frames(&r->w.out, NFRAMES, FRAME), 0);
		r->oarea = calloc(NFRAMES, FRAME);
		assert_non_null(r->oarea);
		r->w.out.area = r->oarea;
	}
	ring_init(&r->w.out.tx, &r->otx, 1);
	ring_init(&r->w.out.cq, &r->ocq, 0);
}

static void rig_close(struct rig *r)
{
	r->w.out.area = NULL;
	xg_xsk_close(&r->w.out);
	free(r->oarea);
	r->w.q.area = NULL; /* calloc'd, not mapped */
	xg_xsk_close(&r->w.q);
	free(r->area);
	free(r);
}

/* ---- the kernel's side ---- */

static uint32_t kernel_take_fill(struct rig *r, uint64_t *addr, uint32_t max)
{
	uint32_t n = 0;

	while (n < max && r->fq.consumer != r->fq.producer)
		addr[n++] = r->fq.ring[r->fq.consumer++ & (RING - 1)];
	return n;
}

static void kernel_rx(struct rig *r, uint64_t chunk, uint32_t len)
{
	struct xdp_desc *d = (struct xdp_desc *)r->rx.ring + (r->rx.producer & (RING - 1));

	assert_true(r->rx.producer - r->rx.consumer < RING);
	d->addr = chunk + HEADROOM;
	d->len = len;
	d->options = 0;
	r->rx.producer++;
}

/* Take fill frames and deliver n of them on RX. */
static void kernel_deliver(struct rig *r, uint32_t n, uint32_t len)
{
	uint64_t addr[RING];
	uint32_t i;

	assert_int_equal(kernel_take_fill(r, addr, n), n);
	for (i = 0; i < n; i++)
		kernel_rx(r, addr[i], len);
}

static uint32_t kernel_take_tx(struct rig *r, struct xdp_desc *d, uint32_t max)
{
	uint32_t n = 0;

	while (n < max && r->tx.consumer != r->tx.producer)
		d[n++] = ((struct xdp_desc *)r->tx.ring)[r->tx.consumer++ & (RING - 1)];
	return n;
}

static void kernel_complete(struct rig *r, uint64_t addr)
{
	assert_true(r->cq.producer - r->cq.consumer < RING);
	r->cq.ring[r->cq.producer++ & (RING - 1)] = addr;
}

static bool balanced(const struct rig *r, uint32_t in_worker)
{
	return xg_xsk_frames_balanced(&r->w.q, in_worker);
}

/* ---- ring layer ---- */

static void test_refill_partly_full(void **state)
{
	struct rig *r = rig_open();
	uint64_t addr[RING];
	uint32_t i;

	(void)state;
	assert_int_equal(xg_fq_refill(&r->w.q), RING); /* 16 free frames, 8 slots */
	assert_true(balanced(r, 0));
	assert_int_equal(r->w.q.nfree, NFRAMES - RING);
	assert_int_equal(xg_fq_refill(&r->w.q), 0); /* full: nothing, and no spinning */
	assert_true(balanced(r, 0));
	/* the kernel takes 3: 3 slots free, the frames stay the kernel's */
	assert_int_equal(kernel_take_fill(r, addr, 3), 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(addr[i] % FRAME, 0);
	assert_int_equal(xg_fq_refill(&r->w.q), 3);
	assert_true(balanced(r, 0));
	assert_int_equal(r->w.q.in_kernel_fill, RING + 3);
	/* more slots free than frames: only what is free goes in */
	assert_int_equal(kernel_take_fill(r, addr, RING), RING);
	assert_int_equal(xg_fq_refill(&r->w.q), NFRAMES - RING - 3);
	assert_int_equal(r->w.q.nfree, 0);
	assert_int_equal(xg_fq_refill(&r->w.q), 0);
	assert_true(balanced(r, 0));
	rig_close(r);
}

static void test_rx_burst(void **state)
{
	struct xg_xsk_frame f[RING] = { 0 };
	struct rig *r = rig_open();
	uint32_t i;

	(void)state;
	xg_fq_refill(&r->w.q);
	kernel_deliver(r, 5, 60);
	assert_int_equal(xg_rx_burst(&r->w.q, f, 3), 3); /* no more than asked */
	assert_true(balanced(r, 3));
	assert_int_equal(xg_rx_burst(&r->w.q, f + 3, RING), 2);
	assert_true(balanced(r, 5));
	assert_int_equal(xg_rx_burst(&r->w.q, f + 5, RING), 0);
	for (i = 0; i < 5; i++) {
		assert_int_equal(f[i].addr % FRAME, HEADROOM);
		assert_int_equal(f[i].len, 60);
		assert_int_equal(f[i].room, FRAME - HEADROOM);
		assert_ptr_equal(f[i].data, r->area + f[i].addr);
	}
	for (i = 0; i < 5; i++) /* recycled by the address inside the chunk */
		xg_umem_free(&r->w.q, f[i].addr);
	assert_true(balanced(r, 0));
	for (i = 0; i < r->w.q.nfree; i++)
		assert_int_equal(r->w.q.free[i] % FRAME, 0);
	rig_close(r);
}

/* A TX ring with less room than frames: what fits goes in, the rest stays the caller's,
 * and a full ring takes nothing at once. */
/* Multi-buffer RX: a chain of 3 descriptors (XDP_PKT_CONTD on the first two) and a single
 * frame come out as 2 packets, the chain with its segments and whole length; a chain whose
 * end is not in the ring yet stays there until it is; xg_pkt_free frees every descriptor.
 * The frame count balances throughout (descriptors, not packets). */
static void test_rx_chains(void **state)
{
	struct xg_xsk_frame f[RING] = { 0 };
	struct rig *r = rig_open();
	struct xdp_desc *d = (struct xdp_desc *)r->rx.ring;
	uint64_t addr[RING];
	uint32_t i;

	(void)state;
	r->w.q.sg = true; /* bound with XDP_USE_SG */
	xg_fq_refill(&r->w.q);
	assert_int_equal(kernel_take_fill(r, addr, 6), 6);
	for (i = 0; i < 4; i++)
		kernel_rx(r, addr[i], i < 3 ? 1792 : 60);
	d[0].options = d[1].options = XDP_PKT_CONTD;
	assert_int_equal(xg_rx_burst(&r->w.q, f, RING), 2);
	assert_int_equal(f[0].nseg, 3);
	assert_int_equal(f[0].pkt_len, 3 * 1792);
	assert_int_equal(f[0].seg[1].addr, addr[2] + HEADROOM);
	assert_int_equal(f[1].nseg, 1);
	assert_int_equal(f[1].pkt_len, 60);
	assert_true(balanced(r, 4));
	/* a chain of 2 whose end has not come: nothing now, and it stays in the ring */
	kernel_rx(r, addr[4], 1792);
	d[4].options = XDP_PKT_CONTD;
	assert_int_equal(xg_rx_burst(&r->w.q, f + 2, RING - 2), 0);
	assert_int_equal(r->rx.consumer, 4);
	kernel_rx(r, addr[5], 100);
	assert_int_equal(xg_rx_burst(&r->w.q, f + 2, RING - 2), 1);
	assert_int_equal(f[2].nseg, 2);
	assert_int_equal(f[2].pkt_len, 1892);
	assert_true(balanced(r, 6));
	for (i = 0; i < 3; i++)
		xg_pkt_free(&r->w.q, &f[i]);
	assert_true(balanced(r, 0));
	assert_int_equal(r->w.q.chain_errors, 0);
	rig_close(r);
}

/* Multi-buffer TX: chains go whole, XDP_PKT_CONTD on all but their last descriptor, or not
 * at all: with room for 4 descriptors (4 single frames queued first), a chain of 3 goes
 * and the next chain of 3 stays the caller's, which drops it whole (xg_pkt_free). */
static void test_tx_chains(void **state)
{
	struct xg_xsk_frame f[2] = { 0 }, seg[4] = { 0 }, one[4] = { 0 };
	struct xdp_desc d[RING];
	struct rig *r = rig_open();
	uint32_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		assert_true(xg_umem_alloc(&r->w.q, &one[i].addr));
		one[i].len = 60;
	}
	assert_int_equal(xg_tx_burst(&r->w.q, one, 4), 4);
	for (i = 0; i < 2; i++) {
		assert_true(xg_umem_alloc(&r->w.q, &f[i].addr));
		f[i].len = 2048;
		f[i].nseg = 3;
		f[i].seg = &seg[2 * i];
		assert_true(xg_umem_alloc(&r->w.q, &seg[2 * i].addr));
		assert_true(xg_umem_alloc(&r->w.q, &seg[2 * i + 1].addr));
		seg[2 * i].len = 2048;
		seg[2 * i + 1].len = 904;
	}
	assert_int_equal(xg_pkt_descs(f, 2), 6);
	assert_int_equal(xg_tx_burst(&r->w.q, f, 2), 1);
	assert_int_equal(r->w.q.outstanding_tx, 7);
	xg_pkt_free(&r->w.q, &f[1]);
	assert_true(balanced(r, 0));
	assert_int_equal(kernel_take_tx(r, d, RING), 7);
	assert_int_equal(d[3].options, 0);
	assert_int_equal(d[4].options, XDP_PKT_CONTD);
	assert_int_equal(d[5].options, XDP_PKT_CONTD);
	assert_int_equal(d[6].options, 0);
	assert_int_equal(d[6].len, 904);
	for (i = 0; i < 7; i++)
		kernel_complete(r, d[i].addr);
	assert_int_equal(xg_cq_drain(&r->w.q), 7);
	assert_true(balanced(r, 0));
	assert_int_equal(r->w.q.nfree, NFRAMES);
	rig_close(r);
}

static void test_tx_full(void **state)
{
	struct xg_xsk_frame f[RING + 2] = { 0 };
	struct xdp_desc d[RING];
	struct rig *r = rig_open();
	uint32_t i, n;

	(void)state;
	xg_fq_refill(&r->w.q);
	kernel_deliver(r, RING, 60);
	assert_int_equal(xg_rx_burst(&r->w.q, f, RING), RING);
	xg_fq_refill(&r->w.q);
	kernel_deliver(r, 2, 60);
	assert_int_equal(xg_rx_burst(&r->w.q, f + RING, 2), 2);
	assert_true(balanced(r, RING + 2));
	r->tx.consumer = r->tx.producer = 3; /* the ring's indices need not start at 0 */
	ring_init(&r->w.q.tx, &r->tx, 1);
	n = xg_tx_burst(&r->w.q, f, RING + 2);
	assert_int_equal(n, RING);
	assert_true(balanced(r, 2));
	assert_int_equal(xg_tx_burst(&r->w.q, f + RING, 2), 0);
	assert_true(balanced(r, 2));
	xg_umem_free(&r->w.q, f[RING].addr);
	xg_umem_free(&r->w.q, f[RING + 1].addr);
	assert_true(balanced(r, 0));
	assert_int_equal(kernel_take_tx(r, d, RING), RING);
	for (i = 0; i < RING; i++) {
		assert_int_equal(d[i].addr, f[i].addr);
		assert_int_equal(d[i].len, 60);
	}
	rig_close(r);
}

static void test_cq_drain(void **state)
{
	struct xg_xsk_frame f[4] = { 0 };
	struct xdp_desc d[4];
	struct rig *r = rig_open();
	uint32_t nfree;

	(void)state;
	assert_int_equal(xg_cq_drain(&r->w.q), 0); /* nothing outstanding */
	xg_fq_refill(&r->w.q);
	kernel_deliver(r, 4, 100);
	assert_int_equal(xg_rx_burst(&r->w.q, f, 4), 4);
	assert_int_equal(xg_tx_burst(&r->w.q, f, 4), 4);
	assert_int_equal(kernel_take_tx(r, d, 4), 4);
	nfree = r->w.q.nfree;
	kernel_complete(r, d[0].addr);
	kernel_complete(r, d[1].addr);
	kernel_complete(r, d[2].addr);
	assert_int_equal(xg_cq_drain(&r->w.q), 3);
	assert_int_equal(r->w.q.nfree, nfree + 3);
	assert_int_equal(r->w.q.outstanding_tx, 1);
	assert_true(balanced(r, 0));
	assert_int_equal(xg_cq_drain(&r->w.q), 0);
	kernel_complete(r, d[3].addr);
	assert_int_equal(xg_cq_drain(&r->w.q), 1);
	assert_int_equal(r->w.q.outstanding_tx, 0);
	assert_true(balanced(r, 0));
	rig_close(r);
}

/* A sender (the generator's xsk engine) never fills: it takes frames off the free list,
 * sends them, and gets them back through completions; the count balances throughout. */
static void test_tx_only_alloc(void **state)
{
	struct xg_xsk_frame f[NFRAMES] = { 0 };
	struct xdp_desc d[RING];
	struct rig *r = rig_open();
	uint64_t addr;
	uint32_t i, n = 0;

	(void)state;
	while (xg_umem_alloc(&r->w.q, &addr)) {
		assert_true(n < NFRAMES);
		f[n].addr = addr;
		f[n++].len = 60;
	}
	assert_int_equal(n, NFRAMES);
	assert_false(xg_umem_alloc(&r->w.q, &addr)); /* empty: false, nothing taken */
	assert_true(balanced(r, NFRAMES));
	assert_int_equal(xg_tx_burst(&r->w.q, f, NFRAMES), RING);
	for (i = RING; i < NFRAMES; i++)
		xg_umem_free(&r->w.q, f[i].addr);
	assert_true(balanced(r, 0));
	assert_int_equal(kernel_take_tx(r, d, RING), RING);
	for (i = 0; i < RING; i++)
		kernel_complete(r, d[i].addr);
	assert_int_equal(xg_cq_drain(&r->w.q), RING);
	assert_int_equal(r->w.q.nfree, NFRAMES);
	assert_true(balanced(r, 0));
	rig_close(r);
}

/* ---- a worker round ---- */

/* Sends frame i with length want[i] (0 keeps the frame, -1 sends with length 0),
 * writing the data it claims. */
struct grow_state {
	int64_t want[RING];
};

static int grow_init(void **st, const char *arg, unsigned int queue, void *ctx)
{
	(void)arg;
	(void)queue;
	*st = ctx;
	return 0;
}

static void grow_batch(void *state, struct xg_batch *b, struct xg_handler_stats *hs)
{
	struct grow_state *g = state;
	unsigned int i;

	for (i = 0; i < b->n; i++) {
		struct xg_xsk_frame *f = &b->frames[i];

		if (!g->want[i])
			continue;
		b->action[i] = XG_ACT_TX;
		f->len = g->want[i] < 0 ? 0 : (uint32_t)g->want[i];
		/* a handler that keeps to the room it was given writes no further */
		memset(f->data, 0xab, f->len < f->room ? f->len : f->room);
	}
	hs->handled += b->n;
}

static void grow_fini(void *state)
{
	(void)state;
}

static const struct xg_handler_ops grow = {
	.name = "grow", .init = grow_init, .batch = grow_batch, .fini = grow_fini
};

/* One worker round with handler ops and its state. */
static unsigned int round_of(struct rig *r, const struct xg_handler_ops *ops, void *hstate)
{
	struct xg_xsk_frame frames[RING] = { 0 }, txf[RING] = { 0 };
	uint8_t action[RING];
	struct xg_batch b = { .frames = frames, .action = action };

	r->w.ops = ops;
	r->w.hstate = hstate;
	r->w.batch = RING;
	return xg_worker_round(&r->w, &b, txf);
}

static unsigned int round_with(struct rig *r, struct grow_state *g)
{
	return round_of(r, &grow, g);
}

#define ROOM (FRAME - HEADROOM)

/* Grow one frame to its room and one a byte past it: the first goes out, the second (and
 * one of length 0) is dropped and counted, and each frame is back in one place. */
static void test_round_room(void **state)
{
	struct grow_state g = { { ROOM, ROOM + 1, -1, 0, 61 } };
	struct xdp_desc d[RING];
	struct rig *r = rig_open();

	(void)state;
	xg_fq_refill(&r->w.q);
	kernel_deliver(r, 5, 60);
	assert_int_equal(round_with(r, &g), 5);
	assert_true(balanced(r, 0));
	assert_int_equal(r->w.st.rx, 5);
	assert_int_equal(r->w.st.handled, 5);
	assert_int_equal(r->w.st.tx, 2);
	assert_int_equal(r->w.st.dropped_tx_bad_len, 2);
	assert_int_equal(r->w.st.dropped_tx_full, 0);
	assert_int_equal(kernel_take_tx(r, d, RING), 2);
	assert_int_equal(d[0].len, ROOM);
	assert_int_equal(d[1].len, 61);
	/* what the kernel checks: the descriptor ends inside its chunk */
	assert_true(d[0].addr % FRAME + d[0].len <= FRAME);
	kernel_complete(r, d[0].addr);
	kernel_complete(r, d[1].addr);
	g = (struct grow_state){ { 0 } };
	assert_int_equal(round_with(r, &g), 0); /* reclaims the completions */
	assert_int_equal(r->w.q.outstanding_tx, 0);
	assert_true(balanced(r, 0));
	rig_close(r);
}

/* TX ring full in a round: the frames that do not fit are dropped and counted. */
static void test_round_tx_full(void **state)
{
	struct grow_state g = { { 60, 60, 60, 60, 60 } };
	struct rig *r = rig_open();

	(void)state;
	r->tx.consumer = 0;
	r->tx.producer = RING - 3; /* the kernel has yet to take RING - 3 descriptors */
	ring_init(&r->w.q.tx, &r->tx, 1);
	xg_fq_refill(&r->w.q);
	kernel_deliver(r, 5, 60);
	assert_int_equal(round_with(r, &g), 5);
	assert_int_equal(r->w.st.tx, 3);
	assert_int_equal(r->w.st.dropped_tx_full, 2);
	assert_true(balanced(r, 0));
	rig_close(r);
}

/* A handler with frames of its own (produce(), as the switch's from other ports): fills
 * as many of the lent frames as want says, with those lengths. */
struct make_state {
	int want[RING]; /* lengths; -1: the handler runs out there */
	unsigned int offered;
};

static void make_batch(void *state, struct xg_batch *b, struct xg_handler_stats *hs)
{
	(void)state;
	hs->handled += b->n;
}

static unsigned int make_produce(void *state, struct xg_xsk_frame *f, unsigned int max)
{
	struct make_state *m = state;
	unsigned int n;

	m->offered = max;
	for (n = 0; n < max && m->want[n] >= 0; n++) {
		f[n].len = (uint32_t)m->want[n];
		memset(f[n].data, 0xcd, f[n].len < f[n].room ? f[n].len : f[n].room);
	}
	return n;
}

static const struct xg_handler_ops make = { .name = "make",
					    .init = grow_init,
					    .batch = make_batch,
					    .fini = grow_fini,
					    .produce = make_produce };

/* Produced frames go out like any TX: the room, length 0 and a full TX ring dropped and
 * counted, the frames not filled taken back, every frame in one place after the round and
 * after the completions. A lent frame starts at its chunk: its room is the whole frame. */
static void test_round_produce(void **state)
{
	struct make_state m = { .want = { 60, 0, FRAME + 1, 60, 60, 60, -1 } };
	struct xdp_desc d[RING];
	struct rig *r = rig_open();
	uint32_t i, n;

	(void)state;
	r->tx.consumer = 0;
	r->tx.producer = RING - 3; /* room for 3 in the TX ring */
	ring_init(&r->w.q.tx, &r->tx, 1);
	assert_int_equal(round_of(r, &make, &m), 6); /* nothing received, 6 produced */
	assert_true(m.offered > 6);
	assert_int_equal(r->w.st.rx, 0);
	assert_int_equal(r->w.st.tx, 3);
	assert_int_equal(r->w.st.dropped_tx_bad_len, 2);
	assert_int_equal(r->w.st.dropped_tx_full, 1);
	assert_true(balanced(r, 0));
	r->tx.consumer = RING - 3; /* the kernel sends the three, completes them */
	n = kernel_take_tx(r, d, RING);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		assert_int_equal(d[i].len, 60);
		kernel_complete(r, d[i].addr);
	}
	m = (struct make_state){ .want = { -1 } };
	assert_int_equal(round_of(r, &make, &m), 0);
	assert_int_equal(r->w.q.outstanding_tx, 0);
	assert_true(balanced(r, 0));
	rig_close(r);
}

/* The output's kernel side: take n TX descriptors and complete them. */
static uint32_t kernel_out_send(struct rig *r, struct xdp_desc *d, uint32_t max)
{
	uint32_t n = 0;

	while (n < max && r->otx.consumer != r->otx.producer) {
		d[n] = ((struct xdp_desc *)r->otx.ring)[r->otx.consumer++ & (RING - 1)];
		r->ocq.ring[r->ocq.producer++ & (RING - 1)] = d[n].addr;
		n++;
	}
	return n;
}

static unsigned int forward_round(struct rig *r)
{
	return round_of(r, &xg_handler_forward, NULL);
}

/* Shared UMEM: the received descriptors go out as they are, in order; the frames are lent
 * to the output until its completion ring gives them back to the input's free list. */
static void test_forward_shared(void **state)
{
	struct rig *r = rig_open();
	struct xdp_desc d[RING];
	uint64_t fill[RING];
	uint32_t i, n;

	(void)state;
	rig_output(r, true);
	xg_fq_refill(&r->w.q);
	n = kernel_take_fill(r, fill, 5);
	assert_int_equal(n, 5);
	for (i = 0; i < n; i++)
		kernel_rx(r, fill[i], 60 + i);
	assert_int_equal(forward_round(r), 5);
	assert_int_equal(r->w.q.lent, 5);
	assert_true(balanced(r, 0));
	assert_int_equal(kernel_out_send(r, d, RING), 5);
	for (i = 0; i < 5; i++) { /* by descriptor, in order: no copy */
		assert_int_equal(d[i].addr, fill[i] + HEADROOM);
		assert_int_equal(d[i].len, 60 + i);
	}
	assert_int_equal(forward_round(r), 0); /* reclaims the output's completions */
	assert_int_equal(r->w.q.lent, 0);
	assert_int_equal(r->w.out.outstanding_tx, 0);
	assert_true(balanced(r, 0));
	assert_int_equal(r->w.st.rx, 5);
	assert_int_equal(r->w.st.tx, 5);
	rig_close(r);
}

/* Copy: each frame's bytes go into a frame of the output's UMEM, the received one is
 * recycled at once; an output TX ring with room for 2 drops the other 3, counted. */
static void test_forward_copy_full(void **state)
{
	struct rig *r = rig_open();
	struct xdp_desc d[RING];
	uint64_t fill[RING];
	uint32_t i;

	(void)state;
	rig_output(r, false);
	r->otx.producer = RING - 2; /* the kernel has yet to take RING - 2 descriptors */
	ring_init(&r->w.out.tx, &r->otx, 1);
	xg_fq_refill(&r->w.q);
	assert_int_equal(kernel_take_fill(r, fill, 5), 5);
	for (i = 0; i < 5; i++) {
		memset(r->area + fill[i] + HEADROOM, 0x40 + (int)i, 60);
		kernel_rx(r, fill[i], 60);
	}
	assert_int_equal(forward_round(r), 5);
	assert_int_equal(r->w.st.tx, 2);
	assert_int_equal(r->w.st.dropped_tx_full, 3);
	assert_int_equal(r->w.q.lent, 0);
	assert_true(balanced(r, 0));
	assert_true(xg_xsk_frames_balanced(&r->w.out, 0));
	assert_int_equal(r->w.out.outstanding_tx, 2);
	r->otx.consumer = RING - 2; /* the kernel took the old ones */
	assert_int_equal(kernel_out_send(r, d, RING), 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(d[i].len, 60);
		assert_int_equal(r->oarea[d[i].addr], 0x40 + i);
		assert_int_equal(r->oarea[d[i].addr + 59], 0x40 + i);
	}
	assert_int_equal(forward_round(r), 0);
	assert_int_equal(r->w.out.outstanding_tx, 0);
	assert_true(xg_xsk_frames_balanced(&r->w.out, 0));
	rig_close(r);
}

/* Two sockets on one queue (--workers-per-queue 2): the second shares the first's fill and
 * completion rings. Frames the first put in the fill ring arrive on the second's RX ring
 * and go to the second's free list; the second's TX completes on the shared ring and is
 * drained by whichever worker gets there. Only the two together balance. */
static void test_shared_queue(void **state)
{
	struct xg_xsk_share sh = { 0 };
	struct rig *r = rig_open();
	struct ring_mem rx2 = { 0 }, tx2 = { 0 };
	struct xg_xsk q2, *both[2] = { &r->w.q, &q2 };
	struct xg_xsk_frame f[RING] = { 0 };
	struct xdp_desc d[RING];
	uint32_t i;

	(void)state;
	assert_int_equal(pthread_spin_init(&sh.lock, PTHREAD_PROCESS_PRIVATE), 0);
	/* what xg_xsk_open_same_queue sets up, without a kernel: half the free frames */
	assert_int_equal(xg_xsk_take_frames(&q2, &r->w.q, NFRAMES / 2), 0);
	assert_int_equal(q2.nframes, NFRAMES / 2);
	q2.area = r->area;
	ring_init(&q2.rx, &rx2, 0);
	ring_init(&q2.tx, &tx2, 1);
	sh.fq = &r->w.q.fq;
	sh.cq = &r->w.q.cq;
	r->w.q.share = q2.share = &sh;
	assert_int_equal(xg_fq_refill(&r->w.q), RING); /* the first fills the shared ring */
	assert_int_equal(xg_fq_refill(&q2), 0);	       /* full: the second has no room */
	assert_ptr_equal(xg_xsk_fq(&q2), &r->w.q.fq);
	/* the kernel delivers 3 of the first's fill frames to the second socket */
	{
		uint64_t addr[3];

		assert_int_equal(kernel_take_fill(r, addr, 3), 3);
		for (i = 0; i < 3; i++) {
			struct xdp_desc *x =
				(struct xdp_desc *)rx2.ring + (rx2.producer & (RING - 1));

			x->addr = addr[i] + HEADROOM;
			x->len = 60;
			rx2.producer++;
		}
	}
	assert_int_equal(xg_rx_burst(&q2, f, RING), 3);
	assert_int_equal(q2.in_kernel_fill, (uint32_t)-3); /* the first's fill frames */
	assert_int_equal(r->w.q.in_kernel_fill, RING);	   /* the first's count: not its own */
	assert_int_equal(xg_tx_burst(&q2, f, 2), 2);	   /* two go out, one is recycled */
	xg_umem_free(&q2, f[2].addr);
	assert_true(xg_xsk_share_balanced(both, 2));
	assert_int_equal(kernel_take_tx(r, d, RING), 0); /* not the first's TX ring */
	while (tx2.consumer != tx2.producer)
		kernel_complete(r, ((struct xdp_desc *)tx2.ring)[tx2.consumer++ & (RING - 1)].addr);
	assert_int_equal(xg_cq_drain(&r->w.q), 2); /* the first drains the second's TX */
	assert_int_equal(atomic_load(&sh.outstanding_tx), 0);
	assert_int_equal(xg_cq_drain(&q2), 0);
	assert_true(xg_xsk_share_balanced(both, 2));
	assert_int_equal(xg_fq_refill(&q2), 3); /* the second refills the shared ring */
	assert_true(xg_xsk_share_balanced(both, 2));
	q2.area = NULL;
	xg_xsk_close(&q2);
	r->w.q.share = NULL;
	pthread_spin_destroy(&sh.lock);
	rig_close(r);
}

/* Four sockets on one queue, shares taken as the pool takes them: every free list has
 * room for all the queue's frames, since any socket may receive (and recycle) them all;
 * a failed bind gives its share back. */
static void test_shared_queue_capacity(void **state)
{
	struct xg_xsk first, q[3];
	unsigned int k;
	uint32_t i, n;

	(void)state;
	assert_int_equal(xg_xsk_init_frames(&first, NFRAMES, FRAME), 0);
	for (k = 0; k < 3; k++) {
		assert_int_equal(xg_xsk_take_frames(&q[k], &first, first.nfree / (4 - k)), 0);
		assert_int_equal(q[k].nframes, NFRAMES / 4);
		assert_int_equal(q[k].free_cap, NFRAMES);
	}
	assert_int_equal(first.nframes, NFRAMES / 4);
	/* the last socket receives every frame of the queue and recycles them */
	for (k = 0; k < 3; k++) {
		n = k < 2 ? q[k].nfree : 0;
		for (i = 0; i < n; i++)
			xg_umem_free(&q[2], q[k].free[--q[k].nfree]);
	}
	while (first.nfree)
		xg_umem_free(&q[2], first.free[--first.nfree]);
	assert_int_equal(q[2].nfree, NFRAMES);
	/* a share given back returns to the first */
	for (k = 0; k < 3; k++) {
		xg_xsk_return_frames(&q[k], &first);
		xg_xsk_close(&q[k]);
	}
	assert_int_equal(first.nfree, NFRAMES);
	assert_int_equal(first.nframes, NFRAMES);
	xg_xsk_close(&first);
}

#ifdef XG_XSK_DEBUG
/* With XG_XSK_DEBUG a round that finds the frames out of balance aborts. */
static void test_debug_aborts_on_imbalance(void **state)
{
	struct grow_state g = { { 0 } };
	int status;
	pid_t pid;

	(void)state;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct rig *r = rig_open();

		xg_fq_refill(&r->w.q);
		kernel_deliver(r, 1, 60);
		r->w.q.nfree++; /* a frame counted twice */
		round_with(r, &g);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}
#endif

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refill_partly_full),
		cmocka_unit_test(test_rx_burst),
		cmocka_unit_test(test_rx_chains),
		cmocka_unit_test(test_tx_chains),
		cmocka_unit_test(test_tx_full),
		cmocka_unit_test(test_cq_drain),
		cmocka_unit_test(test_tx_only_alloc),
		cmocka_unit_test(test_round_room),
		cmocka_unit_test(test_round_tx_full),
		cmocka_unit_test(test_round_produce),
		cmocka_unit_test(test_forward_shared),
		cmocka_unit_test(test_forward_copy_full),
		cmocka_unit_test(test_shared_queue),
		cmocka_unit_test(test_shared_queue_capacity),
#ifdef XG_XSK_DEBUG
		cmocka_unit_test(test_debug_aborts_on_imbalance),
#endif
	};

	return cmocka_run_group_tests_name("xsk", tests, NULL, NULL);
}
