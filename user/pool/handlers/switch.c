// SPDX-License-Identifier: GPL-2.0
/* switch: a learning L2 switch over the run's interfaces (design: user/pool/l2switch.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "user/pool/handler.h"
#include "user/pool/l2switch.h"
#include "user/util/log.h"

#define ETH_HLEN 14
#define HANDOFF_SLOTS 1024 /* a power of two: ~34 ms of 30 kpps while the reader is off CPU */
#define HANDOFF_DATA 2048  /* a 2048-byte frame's room; longer frames are counted too_long */

/* A packet longer than a slot (a multi-buffer chain, up to 9018 bytes and more) takes
 * consecutive slots, each but the last marked SLOT_MORE, published together. */
#define SLOT_MORE 0x80000000u
#define SLOTS_PER_PKT 18 /* XG_XSK_CHAIN_MAX: each slot becomes one output descriptor */

struct handoff_slot {
	uint32_t len; /* of this slot's data, | SLOT_MORE when the packet goes on */
	uint8_t data[HANDOFF_DATA];
};

/* One port to another: written by the source port's worker only, read by the destination's
 * only; head and tail on lines of their own. */
struct handoff {
	_Alignas(64) _Atomic uint32_t head; /* next slot written */
	_Alignas(64) _Atomic uint32_t tail; /* next slot read */
	struct handoff_slot s[HANDOFF_SLOTS];
};

struct xg_l2_switch {
	unsigned int n;
	struct xg_l2_port port[XG_L2_PORTS_MAX];
	struct handoff *ring; /* n * n: [from * n + to], the diagonal unused */
	struct xg_l2_table table;
};

struct xg_l2_switch *xg_l2_switch_new(const char *const *names, unsigned int n, uint32_t age_s)
{
	struct xg_l2_switch *sw;
	unsigned int i;

	if (n < 2 || n > XG_L2_PORTS_MAX) {
		pr_warn("handler switch: %u interfaces: a switch has 2 to %u ports (run "
			"IF1,IF2[,...] --handler switch)\n",
			n, XG_L2_PORTS_MAX);
		return NULL;
	}
	sw = calloc(1, sizeof(*sw));
	if (sw)
		sw->ring = calloc((size_t)n * n, sizeof(*sw->ring));
	if (!sw || !sw->ring) {
		pr_warn("handler switch: out of memory\n");
		free(sw);
		return NULL;
	}
	sw->n = n;
	xg_l2_init(&sw->table, age_s);
	for (i = 0; i < n; i++) {
		sw->port[i].sw = sw;
		sw->port[i].index = i;
		sw->port[i].ifname = names[i];
	}
	return sw;
}

struct xg_l2_port *xg_l2_switch_port(struct xg_l2_switch *sw, unsigned int i)
{
	return &sw->port[i];
}

static unsigned long long ld(const _Atomic uint64_t *c)
{
	return (unsigned long long)atomic_load_explicit(c, memory_order_relaxed);
}

void xg_l2_switch_report(const struct xg_l2_switch *sw, FILE *f)
{
	unsigned int i;

	for (i = 0; i < sw->n; i++) {
		const struct xg_l2_port *p = &sw->port[i];

		fprintf(f,
			"switch %s: in %llu, to one port %llu, flooded %llu, same port %llu, "
			"handoff full %llu, too long %llu\n",
			p->ifname, ld(&p->in), ld(&p->unicast), ld(&p->flooded), ld(&p->same_port),
			ld(&p->ring_full), ld(&p->too_long));
	}
	fprintf(f, "switch: MACs not learned (table full) %llu\n", ld(&sw->table.full));
}

void xg_l2_switch_free(struct xg_l2_switch *sw)
{
	if (!sw)
		return;
	free(sw->ring);
	free(sw);
}

static void count(_Atomic uint64_t *c, uint64_t v)
{
	if (v) /* one writer: the port's worker */
		atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + v,
				      memory_order_relaxed);
}

/* Slots packet f takes: its bytes in HANDOFF_DATA pieces. */
static uint32_t slots_of(const struct xg_xsk_frame *f)
{
	uint32_t len = f->nseg > 1 ? f->pkt_len : f->len;

	return (len + HANDOFF_DATA - 1) / HANDOFF_DATA;
}

/* Copy packet f (a chain's segments in order) into the ring's slots; false when it has
 * not room for all of them: a packet goes whole or not at all. */
static bool push(struct handoff *r, const struct xg_xsk_frame *f)
{
	uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed), k = slots_of(f);
	uint32_t nseg = f->nseg > 1 ? f->nseg : 1, i, off = 0, fill = 0;
	struct handoff_slot *s = &r->s[head & (HANDOFF_SLOTS - 1)];

	if (HANDOFF_SLOTS - (head - atomic_load_explicit(&r->tail, memory_order_acquire)) < k)
		return false;
	for (i = 0; i < nseg;) {
		const struct xg_xsk_frame *g = i ? &f->seg[i - 1] : f;
		uint32_t n =
			g->len - off < HANDOFF_DATA - fill ? g->len - off : HANDOFF_DATA - fill;

		memcpy(s->data + fill, g->data + off, n);
		fill += n;
		off += n;
		if (off == g->len) {
			i++;
			off = 0;
		}
		if (fill == HANDOFF_DATA || i == nseg) {
			s->len = fill | (i < nseg ? SLOT_MORE : 0);
			s = &r->s[++head & (HANDOFF_SLOTS - 1)];
			fill = 0;
		}
	}
	atomic_store_explicit(&r->head, head, memory_order_release);
	return true;
}

static uint32_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_sec;
}

static int switch_init(void **state, const char *arg, unsigned int queue, void *ctx)
{
	struct xg_l2_port *p = ctx;
	bool free_port = false;

	(void)queue;
	*state = NULL;
	if (!p) {
		pr_warn("handler switch: switches the interfaces of a run (run IF1,IF2 --handler "
			"switch)\n");
		return -1;
	}
	if (arg) {
		pr_warn("handler switch: takes no argument ('%s')\n", arg);
		return -1;
	}
	if (!atomic_compare_exchange_strong(&p->taken, &free_port, true)) {
		pr_warn("handler switch: %s: one worker a port (serve one queue: --queues 0, "
			"--workers-per-queue 1)\n",
			p->ifname);
		return -1;
	}
	*state = p;
	return 0;
}

static void switch_batch(void *state, struct xg_batch *b, struct xg_handler_stats *st)
{
	struct xg_l2_port *p = state;
	struct xg_l2_switch *sw = p->sw;
	uint64_t uni = 0, flood = 0, same = 0, full = 0, tlong = 0;
	uint32_t now = now_s();
	unsigned int i, j, out;

	for (i = 0; i < b->n; i++) { /* every frame is copied or dropped: all recycled */
		const struct xg_xsk_frame *f = &b->frames[i];

		if (f->len < ETH_HLEN) {
			st->dropped_malformed++;
			continue;
		}
		st->handled++;
		switch (xg_l2_decide(&sw->table, f->data, p->index, now, &out)) {
		case XG_L2_SAME_PORT:
			same++;
			continue;
		case XG_L2_FORWARD:
			uni++;
			if (slots_of(f) > SLOTS_PER_PKT)
				tlong++;
			else if (!push(&sw->ring[p->index * sw->n + out], f))
				full++;
			continue;
		case XG_L2_FLOOD:
			flood++;
			for (j = 0; j < sw->n; j++) {
				if (j == p->index)
					continue;
				if (slots_of(f) > SLOTS_PER_PKT)
					tlong++;
				else if (!push(&sw->ring[p->index * sw->n + j], f))
					full++;
			}
			continue;
		}
	}
	count(&p->in, b->n);
	count(&p->unicast, uni);
	count(&p->flooded, flood);
	count(&p->same_port, same);
	count(&p->ring_full, full);
	count(&p->too_long, tlong);
}

/* Slots in the packet at tail (its run of SLOT_MORE slots and the last). */
static uint32_t pkt_slots(const struct handoff *r, uint32_t tail, uint32_t head)
{
	uint32_t k = 1;

	while (tail + k - 1 != head && (r->s[(tail + k - 1) & (HANDOFF_SLOTS - 1)].len & SLOT_MORE))
		k++;
	return k;
}

/* The packet of k slots at tail into free frames f[0..k): a chain (nseg k, the rest of it
 * in f[1..k)) when k > 1. False when a slot does not fit its frame. */
static bool take(const struct handoff *r, uint32_t tail, uint32_t k, struct xg_xsk_frame *f)
{
	uint32_t i;

	f->pkt_len = 0;
	for (i = 0; i < k; i++) {
		const struct handoff_slot *s = &r->s[(tail + i) & (HANDOFF_SLOTS - 1)];
		uint32_t len = s->len & ~SLOT_MORE;

		if (len > f[i].room) /* a smaller UMEM frame than the sender's */
			return false;
		memcpy(f[i].data, s->data, len);
		f[i].len = len;
		f->pkt_len += len;
	}
	f->nseg = k;
	f->seg = k > 1 ? f + 1 : NULL;
	return true;
}

/* Empty the rings towards this port into the worker's free frames, one ring after the
 * other; a packet of several slots becomes a chain of as many frames. */
static unsigned int switch_produce(void *state, struct xg_xsk_frame *f, unsigned int max)
{
	struct xg_l2_port *p = state;
	struct xg_l2_switch *sw = p->sw;
	unsigned int j, n = 0;

	for (j = 0; j < sw->n && n < max; j++) {
		struct handoff *r = &sw->ring[j * sw->n + p->index];
		uint32_t tail, head, k;

		if (j == p->index)
			continue;
		tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
		head = atomic_load_explicit(&r->head, memory_order_acquire);
		while (tail != head) {
			k = pkt_slots(r, tail, head);
			if (n + k > max)
				break; /* the next round has the frames for it */
			if (take(r, tail, k, &f[n]))
				n += k;
			else
				count(&p->too_long, 1);
			tail += k;
		}
		atomic_store_explicit(&r->tail, tail, memory_order_release);
	}
	return n;
}

static void switch_fini(void *state)
{
	struct xg_l2_port *p = state;

	if (p)
		atomic_store(&p->taken, false);
}

const struct xg_handler_ops xg_handler_switch = {
	.name = "switch",
	.init = switch_init,
	.batch = switch_batch,
	.fini = switch_fini,
	.produce = switch_produce,
};
