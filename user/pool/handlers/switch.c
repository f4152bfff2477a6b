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

struct handoff_slot {
	uint32_t len;
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

/* Copy a frame into the ring; false when full. */
static bool push(struct handoff *r, const uint8_t *data, uint32_t len)
{
	uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	struct handoff_slot *s;

	if (head - atomic_load_explicit(&r->tail, memory_order_acquire) == HANDOFF_SLOTS)
		return false;
	s = &r->s[head & (HANDOFF_SLOTS - 1)];
	s->len = len;
	memcpy(s->data, data, len);
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
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
			if (f->nseg > 1 || f->len > HANDOFF_DATA) /* chains: never in part */
				tlong++;
			else if (!push(&sw->ring[p->index * sw->n + out], f->data, f->len))
				full++;
			continue;
		case XG_L2_FLOOD:
			flood++;
			for (j = 0; j < sw->n; j++) {
				if (j == p->index)
					continue;
				if (f->nseg > 1 ||
				    f->len > HANDOFF_DATA) /* chains: never in part */
					tlong++;
				else if (!push(&sw->ring[p->index * sw->n + j], f->data, f->len))
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

/* Empty the rings towards this port into the worker's free frames, one ring after the
 * other. */
static unsigned int switch_produce(void *state, struct xg_xsk_frame *f, unsigned int max)
{
	struct xg_l2_port *p = state;
	struct xg_l2_switch *sw = p->sw;
	unsigned int j, n = 0;

	for (j = 0; j < sw->n && n < max; j++) {
		struct handoff *r = &sw->ring[j * sw->n + p->index];
		uint32_t tail, head;

		if (j == p->index)
			continue;
		tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
		head = atomic_load_explicit(&r->head, memory_order_acquire);
		for (; tail != head && n < max; tail++) {
			const struct handoff_slot *s = &r->s[tail & (HANDOFF_SLOTS - 1)];

			if (s->len > f[n].room) { /* a smaller UMEM frame than the sender's */
				count(&p->too_long, 1);
				continue;
			}
			memcpy(f[n].data, s->data, s->len);
			f[n++].len = s->len;
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
