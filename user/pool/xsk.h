/* SPDX-License-Identifier: GPL-2.0 */
/* One AF_XDP queue: its UMEM, its socket, and the ring layer every handler runs on.
 *
 * Who owns a frame (each UMEM frame is in exactly one place at a time):
 *   free list (this struct) -> fill ring -> kernel -> RX ring -> worker (a batch)
 *   -> either the free list again (recycled) or the TX ring -> kernel -> completion ring
 *   -> free list.
 * Forwarding adds a second socket to the worker, on the output device: with a shared UMEM
 * (XDP_SHARED_UMEM across devices) a received frame moves by descriptor into the output's
 * TX ring and comes back on the output's completion ring to the input's free list; counted
 * meanwhile as `lent`. Without one (copy fallback) the frame is copied into a frame of the
 * output's own UMEM and the received one recycled at once. The worker thread is the only
 * user of all the rings of both sockets and of the free lists, so nothing here locks.
 *
 * Several sockets on one queue (--workers-per-queue, XDP_SHARED_UMEM on the same device
 * and queue) share the first socket's fill and completion rings: struct xg_xsk_share. Each
 * worker keeps its own RX and TX rings and its own free list; the shared rings are taken
 * under the queue's spinlock once per refill or drain (a batch of frames), never per
 * frame, and the completion ring only while some TX is outstanding (count never takes it).
 * Frames migrate between the workers' free lists (the kernel fills any socket of the
 * queue from the shared fill ring), so each free list has room for all the queue's
 * frames, and only the queue's sum balances (xg_xsk_share_balanced). Producers reserve
 * only what is free (xsk_ring_prod__reserve is all or nothing, so we ask for min(wanted,
 * free)) and never spin. With XG_XSK_DEBUG defined the frame count in every place is
 * checked after each step.
 *
 * Multi-buffer packets (sockets bound with XDP_USE_SG, xg_xsk.sg): a packet larger than a
 * frame arrives as a chain of descriptors, each but the last marked XDP_PKT_CONTD. The
 * ring layer hands the chain to the worker as one packet (struct xg_xsk_frame: its first
 * descriptor, and nseg - 1 more in seg, which point into the socket's segs and live until
 * the next burst). Every descriptor is a frame of its own in the places above: a chain is
 * recycled, sent, or lent whole (xg_pkt_free frees each), and the counts are descriptors.
 * A chain not yet complete in the RX ring stays there for the next burst; one longer than
 * the kernel's limit (XG_XSK_CHAIN_MAX) is recycled and counted (chain_errors). TX sends a
 * chain only when the ring has room for all of it, marked with XDP_PKT_CONTD alike. */
#ifndef XG_XSK_H
#define XG_XSK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <xdp/xsk.h>

enum xg_xsk_mode { XG_XSK_AUTO, XG_XSK_ZEROCOPY, XG_XSK_COPY };

/* AF_XDP multi-buffer (kernel 6.6), absent from Debian 12's headers. */
#ifndef XDP_USE_SG
#define XDP_USE_SG (1 << 4)
#endif
#ifndef XDP_PKT_CONTD
#define XDP_PKT_CONTD (1 << 0)
#endif
/* The most descriptors a packet takes: MAX_SKB_FRAGS (17) frags and the first buffer. */
#define XG_XSK_CHAIN_MAX 18
/* Segments (past each packet's first) one burst can hold. */
#define XG_XSK_SEGS 512

struct xg_xsk_cfg {
	const char *ifname;
	unsigned int queue;
	unsigned int frame_size; /* 2048 or 4096 */
	unsigned int ring_size;	 /* RX/TX/fill/completion descriptors, power of two */
	unsigned int nframes;	 /* UMEM frames: 2 * ring_size by default */
	enum xg_xsk_mode mode;
	bool tx_only; /* no RX ring, and the fill ring left empty: every frame stays ours */
};

/* Copy mode sends at most 32 frames per wake-up unless told otherwise: kernels from 6.17
 * take XDP_MAX_TX_SKB_BUDGET (32 up to the TX ring's size). */
#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9
#endif
/* What every copy-mode socket of ours asks for: a burst of the largest batch in one kick;
 * the kernel's own is 32, and it refuses less */
#define XG_XSK_TX_BUDGET 256
#define XG_XSK_TX_BUDGET_KERNEL 32

/* A received packet as handlers see it: its first (or only) descriptor's frame, and for a
 * multi-buffer packet the rest of its chain. */
struct xg_xsk_frame {
	uint64_t addr; /* UMEM offset of the frame's data */
	uint32_t len;  /* of this descriptor's data */
	uint32_t room; /* bytes from data to the end of its chunk: the most len may grow to */
	uint8_t *data;
	uint32_t nseg;		  /* descriptors in the packet: 0 or 1 alone, more in a chain */
	uint32_t pkt_len;	  /* the whole packet: len, plus the rest of the chain's */
	struct xg_xsk_frame *seg; /* the chain's descriptors after this one (nseg - 1) */
};

struct xg_xsk_share {
	pthread_spinlock_t lock;
	struct xsk_ring_prod *fq; /* the first socket's */
	struct xsk_ring_cons *cq;
	_Atomic uint32_t outstanding_tx; /* all the queue's sockets' */
};

struct xg_xsk {
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq, rx;
	void *area;
	size_t area_len;
	bool huge;	/* area is on huge pages */
	bool zerocopy;	/* the bind the kernel granted */
	uint64_t *free; /* free frame addresses, a stack */
	uint32_t nfree, nframes, frame_size;
	uint32_t free_cap;	  /* room in free: all the UMEM's frames, which may migrate here */
	uint32_t outstanding_tx;  /* in the TX ring or awaiting completion */
	uint32_t in_kernel_fill;  /* placed in the fill ring, not yet received */
	uint32_t lent;		  /* in a shared-UMEM socket's TX ring or awaiting its completion */
	struct xg_xsk *frames_of; /* a shared-UMEM socket: its frames are that queue's */
	struct xg_xsk_share *share; /* one of several sockets on the queue, or NULL */
	bool sg;		    /* bound with XDP_USE_SG: packets may be chains */
	uint32_t group;	       /* >1: the free list holds runs of this many chunks, by the first */
	uint64_t chain_errors; /* chains past XG_XSK_CHAIN_MAX, recycled */
	bool rx_partial;       /* the last burst left a chain's start in the RX ring */
	struct xg_xsk_frame segs[XG_XSK_SEGS]; /* the last burst's chain segments */
};

/* Create the UMEM (huge pages when the system has them, else plain pages) and the socket,
 * zero-copy first unless cfg->mode says copy. 0 or -errno after one line naming the
 * interface and queue. */
int xg_xsk_open(struct xg_xsk *q, const struct xg_xsk_cfg *cfg);
void xg_xsk_close(struct xg_xsk *q);
/* A TX-only socket on cfg->ifname and cfg->queue sharing owner's UMEM (XDP_SHARED_UMEM on
 * another device or queue: its own fill and completion rings, the fill ring left empty).
 * Frames sent on it are owner's; close it before owner. 0 or -errno (the kernel or driver
 * refusing to share); it prints nothing, the caller falls back to a UMEM of its own. */
int xg_xsk_open_shared_tx(struct xg_xsk *q, struct xg_xsk *owner, const struct xg_xsk_cfg *cfg);
/* xg_xsk_open's first step: q zeroed, every frame on the free list, no UMEM, no rings.
 * The ring tests start here and point the rings at plain memory. 0 or -errno (-EINVAL:
 * frame_size is not a power of two, which aligned UMEM chunks must be). */
/* Another socket on first's device and queue, sharing its UMEM and with it its fill and
 * completion rings (sh, which first now uses too: set up by the caller, lock initialised).
 * It takes nframes of first's free frames. 0 or -errno after one line. */
int xg_xsk_open_same_queue(struct xg_xsk *q, struct xg_xsk *first, struct xg_xsk_share *sh,
			   const struct xg_xsk_cfg *cfg, uint32_t nframes);
/* The frames part of that, without a socket: q takes nframes of first's free frames, with
 * a free list as big as first's (frames migrate between the queue's sockets). */
int xg_xsk_take_frames(struct xg_xsk *q, struct xg_xsk *first, uint32_t nframes);
/* Gives them back (a bind that failed after xg_xsk_take_frames). */
void xg_xsk_return_frames(struct xg_xsk *q, struct xg_xsk *first);
/* The frames of n sockets sharing one queue add up (debug check, once they are idle). */
bool xg_xsk_share_balanced(struct xg_xsk *const *qs, unsigned int n);
/* The fill and completion rings the socket uses (its own, or its queue's shared ones). */
const struct xsk_ring_prod *xg_xsk_fq(const struct xg_xsk *q);
const struct xsk_ring_cons *xg_xsk_cq(const struct xg_xsk *q);
int xg_xsk_init_frames(struct xg_xsk *q, uint32_t nframes, uint32_t frame_size);
int xg_xsk_fd(const struct xg_xsk *q);
/* Let one copy-mode wake-up send up to budget frames. 0 or -errno (-ENOPROTOOPT: a kernel
 * before 6.17; -EACCES: budget out of range). Prints nothing. */
int xg_xsk_set_tx_budget(struct xg_xsk *q, unsigned int budget);
/* XG_XSK_TX_BUDGET (at most the TX ring) on a copy-mode socket, with a debug line (-vv)
 * naming IFNAME and QUEUE that says what it got; a kernel before 6.17 keeps its 32, which
 * works too. Zero-copy, or a ring no bigger than 32: nothing to do. */
void xg_xsk_raise_tx_budget(struct xg_xsk *q, unsigned int tx_ring_size, const char *ifname,
			    unsigned int queue);
unsigned int xg_xsk_tx_budget(unsigned int tx_ring_size); /* what it asks for */

/* The ring layer. */
unsigned int xg_fq_refill(struct xg_xsk *q); /* returns frames placed */
unsigned int xg_rx_burst(struct xg_xsk *q, struct xg_xsk_frame *f, unsigned int max);
/* How many of n frames the TX ring has room for now. */
unsigned int xg_tx_room(struct xg_xsk *q, unsigned int n);
/* Queue n packets for TX (data already in place, len set; a chain whole, with
 * XDP_PKT_CONTD); returns how many went in, in order, each with all its descriptors; the
 * rest stay the caller's. Kicks the kernel when it asks to be woken. */
unsigned int xg_tx_burst(struct xg_xsk *q, const struct xg_xsk_frame *f, unsigned int n);
/* Returns frames completed; a shared-UMEM socket's go back to its owner's free list. */
unsigned int xg_cq_drain(struct xg_xsk *q);
/* Make the free list hold runs of group chunks (a sender of chains of group descriptors,
 * the generator): each by its first chunk's address; the other chunks of a run go back
 * with it (xg_umem_free drops their addresses). nframes becomes the runs. */
void xg_xsk_group_frames(struct xg_xsk *q, uint32_t group);
/* Every descriptor of packet f back to q's free list. */
void xg_pkt_free(struct xg_xsk *q, const struct xg_xsk_frame *f);
/* Descriptors of n packets. */
unsigned int xg_pkt_descs(const struct xg_xsk_frame *f, unsigned int n);
/* Wake the kernel to send what the TX ring holds, if it asked to be woken. Copy mode sends
 * at most a budget of frames per wake-up, so a sender with frames still in the ring kicks
 * again instead of waiting for a completion that will not come. 0, or -errno when the
 * kernel refuses to send at all (-ENETDOWN: the interface is down); a busy ring is not an
 * error. */
int xg_tx_kick(struct xg_xsk *q);
void xg_umem_free(struct xg_xsk *q, uint64_t addr);
/* Take a frame from the free list: its UMEM address, or false when the list is empty. */
bool xg_umem_alloc(struct xg_xsk *q, uint64_t *addr);
/* Room for the frame whose data is at addr: up to the end of its chunk. Received data
 * starts past the kernel's headroom (XDP_PACKET_HEADROOM in copy mode, plus any UMEM
 * headroom), so this is less than frame_size; the kernel refuses a TX descriptor that
 * crosses into the next chunk. */
uint32_t xg_frame_room(const struct xg_xsk *q, uint64_t addr);
/* Look for received frames for up to ns without a syscall; true when some arrived. */
bool xg_rx_wait_spin(struct xg_xsk *q, uint64_t ns);
/* Whether the kernel asked to be woken to fill (RX side). */
bool xg_fq_needs_wakeup(const struct xg_xsk *q);
/* Frames in all places add up to nframes (debug check). */
bool xg_xsk_frames_balanced(const struct xg_xsk *q, uint32_t in_worker);

#endif
