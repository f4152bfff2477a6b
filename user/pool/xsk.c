// SPDX-License-Identifier: GPL-2.0
/* AF_XDP queue setup and the ring layer; the ownership rules are in xsk.h. */
#include <errno.h>
#include <linux/if_xdp.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "user/util/log.h"
#include "user/pool/xsk.h"

static int map_area(struct xg_xsk *q, size_t len)
{
	q->area = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);
	q->huge = q->area != MAP_FAILED;
	if (!q->huge) /* no huge pages configured (HugePages_Total 0): plain pages */
		q->area = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (q->area == MAP_FAILED) {
		q->area = NULL;
		return -errno;
	}
	q->area_len = len;
	return 0;
}

static int bind_socket(struct xg_xsk *q, const struct xg_xsk_cfg *cfg, __u16 mode_flag)
{
	struct xsk_socket_config sc = {
		.rx_size = cfg->ring_size,
		.tx_size = cfg->ring_size,
		/* the gate is our program: sockets go into its map, libxdp loads nothing */
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = (__u16)(mode_flag | XDP_USE_NEED_WAKEUP),
	};

	int err, tries = 0;

	if (cfg->tx_only)
		sc.rx_size = 0;
	/* The kernel frees a closed socket's hold on its queue from a workqueue, so a bind
	 * right after the previous user of the queue exited can get EBUSY: retry for ~0.5 s. */
	while ((err = xsk_socket__create(&q->xsk, cfg->ifname, cfg->queue, q->umem,
					 cfg->tx_only ? NULL : &q->rx, &q->tx, &sc)) == -EBUSY &&
	       ++tries < 50)
		usleep(10 * 1000);
	return err;
}

/* Fault injection for the tests (testenv/test-jumbo.sh): XG_FAULT_NO_SG=1 makes every
 * XDP_USE_SG bind fail as a kernel before 6.6 refuses it (EINVAL), so the fallback and its
 * warning can be seen on a kernel that has it. */
static int sg_refused(void)
{
	const char *e = getenv("XG_FAULT_NO_SG");

	return e && atoi(e) == 1 ? -EINVAL : 0;
}

/* Bind in mode_flag, multi-buffer (XDP_USE_SG) where the kernel and driver take it, else
 * without (a kernel before 6.6, or a zero-copy driver without it): q->sg says which. */
static int bind_sg(struct xg_xsk *q, const struct xg_xsk_cfg *cfg, __u16 mode_flag)
{
	int err = sg_refused();

	if (!err)
		err = bind_socket(q, cfg, (__u16)(mode_flag | XDP_USE_SG));

	q->sg = !err;
	if (err == -EINVAL || err == -EOPNOTSUPP)
		err = bind_socket(q, cfg, mode_flag);
	return err;
}

static int open_socket(struct xg_xsk *q, const struct xg_xsk_cfg *cfg)
{
	int err = -EOPNOTSUPP;

	if (cfg->mode != XG_XSK_COPY) {
		err = bind_sg(q, cfg, XDP_ZEROCOPY);
		q->zerocopy = !err;
		if (err && cfg->mode == XG_XSK_ZEROCOPY) {
			pr_warn("%s queue %u: zero-copy refused (%s); the driver may not "
				"support it (copy mode would work)\n",
				cfg->ifname, cfg->queue, strerror(-err));
			return err;
		}
		if (err)
			pr_warn("%s queue %u: zero-copy refused (%s), using copy mode\n",
				cfg->ifname, cfg->queue, strerror(-err));
	}
	if (err)
		err = bind_sg(q, cfg, XDP_COPY);
	if (err)
		pr_warn("%s queue %u: cannot bind an AF_XDP socket: %s\n", cfg->ifname, cfg->queue,
			strerror(-err));
	return err;
}

int xg_xsk_open(struct xg_xsk *q, const struct xg_xsk_cfg *cfg)
{
	struct xsk_umem_config uc = {
		.fill_size = cfg->ring_size,
		.comp_size = cfg->ring_size,
		.frame_size = cfg->frame_size,
		.frame_headroom = 0,
	};
	int err;

	err = xg_xsk_init_frames(q, cfg->nframes, cfg->frame_size);
	if (err) {
		pr_warn("%s queue %u: cannot set up %u frames of %u bytes: %s\n", cfg->ifname,
			cfg->queue, cfg->nframes, cfg->frame_size, strerror(-err));
		return err;
	}
	err = map_area(q, (size_t)cfg->nframes * cfg->frame_size);
	if (err) {
		pr_warn("%s queue %u: cannot map the UMEM: %s\n", cfg->ifname, cfg->queue,
			strerror(-err));
		xg_xsk_close(q);
		return err;
	}
	err = xsk_umem__create(&q->umem, q->area, q->area_len, &q->fq, &q->cq, &uc);
	if (err) {
		pr_warn("%s queue %u: cannot register the UMEM: %s\n", cfg->ifname, cfg->queue,
			strerror(-err));
		q->umem = NULL;
		xg_xsk_close(q);
		return err;
	}
	err = open_socket(q, cfg);
	if (err) {
		q->xsk = NULL;
		xg_xsk_close(q);
		return err;
	}
	/* the kernel wants a fill ring bound even for TX only; it just stays empty */
	if (!cfg->tx_only)
		xg_fq_refill(q);
	return 0;
}

int xg_xsk_open_shared_tx(struct xg_xsk *q, struct xg_xsk *owner, const struct xg_xsk_cfg *cfg)
{
	/* bind flags are the first socket's: the kernel refuses any on a shared bind */
	struct xsk_socket_config sc = {
		.rx_size = 0,
		.tx_size = cfg->ring_size,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
	};
	int err, tries = 0;

	memset(q, 0, sizeof(*q));
	/* EBUSY right after a previous user of the queue exited: see bind_socket */
	while ((err = xsk_socket__create_shared(&q->xsk, cfg->ifname, cfg->queue, owner->umem, NULL,
						&q->tx, &q->fq, &q->cq, &sc)) == -EBUSY &&
	       ++tries < 50)
		usleep(10 * 1000);
	if (err) {
		q->xsk = NULL;
		return err;
	}
	q->frames_of = owner;
	q->frame_size = owner->frame_size;
	q->zerocopy = owner->zerocopy;
	q->sg = owner->sg; /* the kernel gives a shared bind its UMEM's XDP_USE_SG */
	return 0;
}

int xg_xsk_take_frames(struct xg_xsk *q, struct xg_xsk *first, uint32_t nframes)
{
	uint32_t i;

	memset(q, 0, sizeof(*q));
	/* every frame of the UMEM may end up here: the capacity is the first's, not the
	 * first's remaining share (a third socket sized that way overflowed its list) */
	q->free = malloc(first->free_cap * sizeof(*q->free));
	if (!q->free)
		return -ENOMEM;
	q->free_cap = first->free_cap;
	for (i = 0; i < nframes && first->nfree; i++)
		q->free[q->nfree++] = first->free[--first->nfree];
	q->nframes = q->nfree;
	first->nframes -= q->nfree;
	q->frame_size = first->frame_size;
	return 0;
}

void xg_xsk_return_frames(struct xg_xsk *q, struct xg_xsk *first)
{
	while (q->nfree)
		first->free[first->nfree++] = q->free[--q->nfree];
	first->nframes += q->nframes;
	q->nframes = 0;
}

int xg_xsk_open_same_queue(struct xg_xsk *q, struct xg_xsk *first, struct xg_xsk_share *sh,
			   const struct xg_xsk_cfg *cfg, uint32_t nframes)
{
	struct xsk_socket_config sc = {
		.rx_size = cfg->ring_size,
		.tx_size = cfg->ring_size,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
	};
	int err, tries = 0;

	err = xg_xsk_take_frames(q, first, nframes);
	if (err)
		return err;
	/* the queue's fill and completion rings exist: libxdp reuses them, the last two
	 * rings given here stay unused; EBUSY after a previous user: see bind_socket */
	while ((err = xsk_socket__create_shared(&q->xsk, cfg->ifname, cfg->queue, first->umem,
						&q->rx, &q->tx, &q->fq, &q->cq, &sc)) == -EBUSY &&
	       ++tries < 50)
		usleep(10 * 1000);
	if (err) {
		pr_warn("%s queue %u: cannot bind another socket to the queue (shared UMEM): "
			"%s\n",
			cfg->ifname, cfg->queue, strerror(-err));
		q->xsk = NULL;
		xg_xsk_return_frames(q, first);
		xg_xsk_close(q);
		return err;
	}
	sh->fq = &first->fq;
	sh->cq = &first->cq;
	first->share = q->share = sh;
	q->frames_of = NULL;
	q->area = first->area; /* first's mapping (area_len 0: not ours to unmap) */
	q->zerocopy = first->zerocopy;
	q->sg = first->sg; /* as for a shared TX socket */
	q->huge = first->huge;
	return 0;
}

bool xg_xsk_share_balanced(struct xg_xsk *const *qs, unsigned int n)
{
	uint32_t have = 0, want = 0;
	unsigned int i;

	for (i = 0; i < n; i++) { /* per socket the terms may wrap; the sums do not */
		have += qs[i]->nfree + qs[i]->in_kernel_fill + qs[i]->outstanding_tx + qs[i]->lent;
		want += qs[i]->nframes;
	}
	return have == want;
}

const struct xsk_ring_prod *xg_xsk_fq(const struct xg_xsk *q)
{
	return q->share ? q->share->fq : &q->fq;
}

const struct xsk_ring_cons *xg_xsk_cq(const struct xg_xsk *q)
{
	return q->share ? q->share->cq : &q->cq;
}

int xg_xsk_init_frames(struct xg_xsk *q, uint32_t nframes, uint32_t frame_size)
{
	uint32_t i;

	memset(q, 0, sizeof(*q));
	if (!frame_size || (frame_size & (frame_size - 1)))
		return -EINVAL;
	q->free = malloc(nframes * sizeof(*q->free));
	if (!q->free)
		return -ENOMEM;
	for (i = 0; i < nframes; i++)
		q->free[i] = (uint64_t)i * frame_size;
	q->nfree = q->nframes = q->free_cap = nframes;
	q->frame_size = frame_size;
	return 0;
}

void xg_xsk_close(struct xg_xsk *q)
{
	if (q->xsk)
		xsk_socket__delete(q->xsk);
	if (q->umem)
		xsk_umem__delete(q->umem);
	if (q->area && q->area_len)
		munmap(q->area, q->area_len);
	free(q->free);
	memset(q, 0, sizeof(*q));
}

int xg_xsk_fd(const struct xg_xsk *q)
{
	return xsk_socket__fd(q->xsk);
}

int xg_xsk_set_tx_budget(struct xg_xsk *q, unsigned int budget)
{
	if (setsockopt(xsk_socket__fd(q->xsk), SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &budget,
		       sizeof(budget)))
		return -errno;
	return 0;
}

unsigned int xg_xsk_tx_budget(unsigned int tx_ring_size)
{
	return tx_ring_size < XG_XSK_TX_BUDGET ? tx_ring_size : XG_XSK_TX_BUDGET;
}

void xg_xsk_raise_tx_budget(struct xg_xsk *q, unsigned int tx_ring_size, const char *ifname,
			    unsigned int queue)
{
	unsigned int budget = xg_xsk_tx_budget(tx_ring_size);
	int err;

	if (q->zerocopy || budget <= XG_XSK_TX_BUDGET_KERNEL)
		return;
	err = xg_xsk_set_tx_budget(q, budget);
	if (err)
		pr_debug("%s queue %u: copy mode sends %u frames per wake-up (%s)\n", ifname, queue,
			 XG_XSK_TX_BUDGET_KERNEL, strerror(-err));
	else
		pr_debug("%s queue %u: copy mode sends up to %u frames per wake-up\n", ifname,
			 queue, budget);
}

/* Offset of addr inside its chunk; frame_size is a power of two (xg_xsk_init_frames). */
static uint32_t chunk_off(const struct xg_xsk *q, uint64_t addr)
{
	return (uint32_t)(addr & (q->frame_size - 1));
}

bool xg_umem_alloc(struct xg_xsk *q, uint64_t *addr)
{
	if (!q->nfree)
		return false;
	*addr = q->free[--q->nfree];
	return true;
}

void xg_umem_free(struct xg_xsk *q, uint64_t addr)
{
	/* frames are whole: the kernel may hand back an address inside the frame */
#ifdef XG_XSK_DEBUG
	if (q->nfree >= q->free_cap)
		abort(); /* more frames than the UMEM has: one freed twice */
#endif
	addr -= chunk_off(q, addr);
	if (q->group > 1 && (addr / q->frame_size) % q->group)
		return; /* not the first chunk of its run: that one stands for it */
	q->free[q->nfree++] = addr;
}

void xg_xsk_group_frames(struct xg_xsk *q, uint32_t group)
{
	uint32_t i, runs = q->nframes / group;

	q->nfree = 0;
	for (i = 0; i < runs; i++)
		q->free[q->nfree++] = (uint64_t)i * group * q->frame_size;
	q->nframes = runs;
	q->group = group;
}

uint32_t xg_frame_room(const struct xg_xsk *q, uint64_t addr)
{
	return q->frame_size - chunk_off(q, addr);
}

static unsigned int fq_refill(struct xg_xsk *q, struct xsk_ring_prod *fq)
{
	uint32_t n = xsk_prod_nb_free(fq, q->nfree), idx, i;

	if (n > q->nfree)
		n = q->nfree;
	if (!n || xsk_ring_prod__reserve(fq, n, &idx) != n)
		return 0;
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(fq, idx + i) = q->free[--q->nfree];
	xsk_ring_prod__submit(fq, n);
	q->in_kernel_fill += n;
	return n;
}

unsigned int xg_fq_refill(struct xg_xsk *q)
{
	unsigned int n;

	if (!q->share)
		return fq_refill(q, &q->fq);
	if (!q->nfree)
		return 0;
	pthread_spin_lock(&q->share->lock); /* once per batch of frames */
	n = fq_refill(q, q->share->fq);
	pthread_spin_unlock(&q->share->lock);
	return n;
}

/* Packet f from descriptors [idx, idx + n) of the RX ring, its chain segments from q->segs
 * at *nseg (which moves on). */
static void rx_packet(struct xg_xsk *q, struct xg_xsk_frame *f, uint32_t idx, uint32_t n,
		      uint32_t *nseg)
{
	uint32_t i;

	f->nseg = n;
	f->seg = n > 1 ? &q->segs[*nseg] : NULL;
	f->pkt_len = 0;
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&q->rx, idx + i);
		struct xg_xsk_frame *s = i ? &q->segs[(*nseg)++] : f;

		s->addr = d->addr;
		s->len = d->len;
		s->room = xg_frame_room(q, d->addr);
		s->data = xsk_umem__get_data(q->area, d->addr);
		if (i) {
			s->nseg = 1;
			s->seg = NULL;
		}
		f->pkt_len += d->len;
	}
}

/* Descriptors of the packet at idx among the n peeked: its chain up to the first without
 * XDP_PKT_CONTD; 0 when that is not among them yet. */
static uint32_t chain_len(const struct xg_xsk *q, uint32_t idx, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (!(xsk_ring_cons__rx_desc(&q->rx, idx + i)->options & XDP_PKT_CONTD))
			return i + 1;
	return 0;
}

/* A socket without XDP_USE_SG: every descriptor a packet of its own, as before chains. */
static unsigned int rx_burst_single(struct xg_xsk *q, struct xg_xsk_frame *f, unsigned int max)
{
	uint32_t idx, n = xsk_ring_cons__peek(&q->rx, max, &idx), i;

	for (i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&q->rx, idx + i);

		f[i].addr = d->addr;
		f[i].len = f[i].pkt_len = d->len;
		f[i].room = xg_frame_room(q, d->addr);
		f[i].data = xsk_umem__get_data(q->area, d->addr);
		f[i].nseg = 1;
		f[i].seg = NULL;
	}
	if (n)
		xsk_ring_cons__release(&q->rx, n);
	q->in_kernel_fill -= n;
	return n;
}

unsigned int xg_rx_burst(struct xg_xsk *q, struct xg_xsk_frame *f, unsigned int max)
{
	uint32_t idx, n, i = 0, np = 0, nseg = 0, k, j;

	if (!q->sg)
		return rx_burst_single(q, f, max);

	/* libxdp re-reads the producer only when its cached view is empty: a chain left
	 * incomplete at the end of that view would hide what came after it */
	if (q->rx_partial)
		q->rx.cached_prod = __atomic_load_n(q->rx.producer, __ATOMIC_ACQUIRE);
	q->rx_partial = false;
	n = xsk_ring_cons__peek(&q->rx, max + XG_XSK_CHAIN_MAX, &idx);

	while (np < max && i < n) {
		k = chain_len(q, idx + i, n - i);
		if (!k && n - i < XG_XSK_CHAIN_MAX) {
			q->rx_partial = true; /* its end is still to come */
			break;
		}
		if (k && k <= XG_XSK_CHAIN_MAX) {
			if (nseg + k - 1 > XG_XSK_SEGS)
				break; /* no room for its segments this burst: the next one */
			rx_packet(q, &f[np++], idx + i, k, &nseg);
			i += k;
			continue;
		}
		/* longer than the kernel makes one: recycle every descriptor of it, count it */
		k = k ? k : XG_XSK_CHAIN_MAX;
		for (j = 0; j < k; j++)
			xg_umem_free(q, xsk_ring_cons__rx_desc(&q->rx, idx + i + j)->addr);
		q->chain_errors++;
		i += k;
	}
	if (n > i)
		xsk_ring_cons__cancel(&q->rx, n - i);
	if (i)
		xsk_ring_cons__release(&q->rx, i);
	q->in_kernel_fill -= i;
	return np;
}

unsigned int xg_tx_room(struct xg_xsk *q, unsigned int n)
{
	uint32_t room = xsk_prod_nb_free(&q->tx, n);

	return room < n ? room : n;
}

unsigned int xg_pkt_descs(const struct xg_xsk_frame *f, unsigned int n)
{
	unsigned int i, d = 0;

	for (i = 0; i < n; i++)
		d += f[i].nseg > 1 ? f[i].nseg : 1;
	return d;
}

void xg_pkt_free(struct xg_xsk *q, const struct xg_xsk_frame *f)
{
	uint32_t i;

	xg_umem_free(q, f->addr);
	for (i = 1; i < f->nseg; i++)
		xg_umem_free(q, f->seg[i - 1].addr);
}

static void tx_desc(struct xg_xsk *q, uint32_t idx, const struct xg_xsk_frame *s, bool more)
{
	struct xdp_desc *d = xsk_ring_prod__tx_desc(&q->tx, idx);

	d->addr = s->addr;
	d->len = s->len;
	d->options = more ? XDP_PKT_CONTD : 0;
}

unsigned int xg_tx_burst(struct xg_xsk *q, const struct xg_xsk_frame *f, unsigned int n)
{
	uint32_t idx, room, need = 0, i, j, k;

	/* whole packets only: as many as the ring's room takes, in order */
	room = xsk_prod_nb_free(&q->tx, xg_pkt_descs(f, n));
	for (i = 0; i < n; i++) {
		k = f[i].nseg > 1 ? f[i].nseg : 1;
		if (need + k > room)
			break;
		need += k;
	}
	n = i;
	if (!n || xsk_ring_prod__reserve(&q->tx, need, &idx) != need)
		return 0;
	for (i = 0; i < n; i++) {
		tx_desc(q, idx++, &f[i], f[i].nseg > 1);
		for (j = 1; j < f[i].nseg; j++)
			tx_desc(q, idx++, &f[i].seg[j - 1], j + 1 < f[i].nseg);
	}
	xsk_ring_prod__submit(&q->tx, need);
	q->outstanding_tx += need;
	if (q->share)
		atomic_fetch_add_explicit(&q->share->outstanding_tx, need, memory_order_relaxed);
	(void)xg_tx_kick(q); /* a refusal shows again at the caller's next kick */
	return n;
}

int xg_tx_kick(struct xg_xsk *q)
{
	/* copy mode sends only when kicked; zero-copy drivers say when they need it */
	if (!xsk_ring_prod__needs_wakeup(&q->tx) || !q->xsk ||
	    sendto(xsk_socket__fd(q->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0)
		return 0;
	/* EAGAIN/EBUSY: the budget ran out or the driver is busy; ENOBUFS: no skb this time */
	if (errno == EAGAIN || errno == EBUSY || errno == ENOBUFS || errno == EINTR)
		return 0;
	return -errno;
}

static unsigned int cq_drain(struct xg_xsk *q, struct xsk_ring_cons *cq, uint32_t max)
{
	struct xg_xsk *owner = q->frames_of ? q->frames_of : q;
	uint32_t idx, n, i;

	n = xsk_ring_cons__peek(cq, max, &idx);
	for (i = 0; i < n; i++)
		xg_umem_free(owner, *xsk_ring_cons__comp_addr(cq, idx + i));
	if (n)
		xsk_ring_cons__release(cq, n);
	q->outstanding_tx -= n; /* with a share, may wrap: only the queue's sum counts */
	if (q->frames_of)
		owner->lent -= n;
	return n;
}

unsigned int xg_cq_drain(struct xg_xsk *q)
{
	uint32_t max;
	unsigned int n;

	if (!q->share)
		return q->outstanding_tx ? cq_drain(q, &q->cq, q->outstanding_tx) : 0;
	max = atomic_load_explicit(&q->share->outstanding_tx, memory_order_relaxed);
	if (!max) /* nothing sent on the queue: the lock is never taken (count, pcap) */
		return 0;
	pthread_spin_lock(&q->share->lock);
	max = atomic_load_explicit(&q->share->outstanding_tx, memory_order_relaxed);
	n = cq_drain(q, q->share->cq, max);
	pthread_spin_unlock(&q->share->lock);
	atomic_fetch_sub_explicit(&q->share->outstanding_tx, n, memory_order_relaxed);
	return n;
}

bool xg_rx_wait_spin(struct xg_xsk *q, uint64_t ns)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (xsk_cons_nb_avail(&q->rx, 1))
			return true;
		/* a sender sharing this CPU (its softirq fills our ring) runs meanwhile */
		sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((uint64_t)(t.tv_sec - t0.tv_sec) * 1000000000ULL + (uint64_t)t.tv_nsec -
			 (uint64_t)t0.tv_nsec <
		 ns);
	return false;
}

bool xg_fq_needs_wakeup(const struct xg_xsk *q)
{
	return xsk_ring_prod__needs_wakeup(xg_xsk_fq(q));
}

bool xg_xsk_frames_balanced(const struct xg_xsk *q, uint32_t in_worker)
{
	return q->nfree + q->in_kernel_fill + q->outstanding_tx + q->lent + in_worker == q->nframes;
}
