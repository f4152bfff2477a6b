// SPDX-License-Identifier: GPL-2.0
/*
 * xsk_rx — the plainest AF_XDP receiver, as a peer for the pool's count handler: one socket
 * on one queue, libxdp's own XDP program in front of it, frames counted and given back.
 *
 *   xsk_rx --iface IF [--queue Q] [--wait spin|poll] [--batch N] [--duration S] [--json]
 *          [--count-file PATH]
 *
 * Design note: this is xdpsock's rxdrop (bpf-examples' AF_XDP-example, `-r -N`) with nothing
 * else, so that a peer row needs no hand-built binary. xsk_socket__create without
 * XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD makes libxdp load its default program
 * (xsk_def_xdp_prog.o: bpf_redirect_map into its xsks map by rx queue, the program xdpsock
 * runs) in native mode, and xsk_socket__delete takes it away again. The sizes are
 * xdpsock's defaults: 4096 frames of 4096 bytes, a fill ring of 4096, an RX ring of 2048.
 *
 * Frame ownership: every frame is in the fill ring, in the RX ring, or in our hands
 * between a peek and the refill that follows it. The fill ring holds every frame, so the
 * refill of the frames just received always finds room: nothing spins on a reserve.
 *
 * Waiting: spin peeks the RX ring in a loop and makes no system call but the recvfrom()
 * kick when the kernel sets need_wakeup on the fill ring (zero-copy drivers do; copy mode
 * never does); poll sleeps in poll(POLLIN) whenever the RX ring is empty. Either way the
 * count file is rewritten every 100 ms and a line printed every second (rx_common.h).
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

/* rx_common.h holds the one piece of file-scope mutable state here, the signal handler's
 * stop flag (a volatile sig_atomic_t); everything else lives in struct xrx in main(). */
#include "bench/rx_common.h"

#define PROG "xsk_rx"
#define NUM_FRAMES 4096u
#define FRAME_SIZE XSK_UMEM__DEFAULT_FRAME_SIZE
#define FILL_SIZE NUM_FRAMES
#define RX_SIZE XSK_RING_CONS__DEFAULT_NUM_DESCS
#define BATCH_DEFAULT 64u
#define EMPTY_TICKS 1024u /* empty peeks between two looks at the clock when spinning */

/* The refill never waits for room only because the fill ring can hold every frame. */
_Static_assert(FILL_SIZE >= NUM_FRAMES, "the fill ring must hold every UMEM frame");
_Static_assert(BATCH_DEFAULT <= RX_SIZE, "a batch is at most the RX ring");

enum xrx_wait { WAIT_SPIN, WAIT_POLL };

struct xrx_opts {
	const char *iface;
	unsigned int queue;
	enum xrx_wait wait;
	bool verbose;
	struct rx_common_opts c;
};

struct xrx {
	void *area;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fq;
	struct xsk_ring_cons cq;
	struct xsk_ring_cons rx;
	unsigned int ifindex;
	__u32 prog_id; /* the program libxdp attached (its dispatcher's id), 0 before */
	bool zerocopy;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s --iface IF [--queue Q] [--wait spin|poll] [--batch N] [--duration S]\n"
		"              [--json] [--count-file PATH] [--verbose]\n"
		"Receive queue Q of IF on one AF_XDP socket behind libxdp's default XDP program\n"
		"(native mode; zero-copy if the driver has it, else copy), count and drop.\n"
		"  --queue       the rx queue, 0..%u (0)\n"
		"  --wait        spin: peek the RX ring in a loop; poll: poll() when it is empty\n"
		"                (spin)\n"
		"  --batch       frames a peek takes at most, 1..%u (%u)\n"
		"  --duration    seconds to run, 0 = until SIGINT/SIGTERM (0)\n"
		"  --json        one JSON object per line\n"
		"  --count-file PATH  cumulative count, rewritten every 100 ms (atomic rename)\n"
		"  --verbose     show libxdp's and libbpf's messages\n",
		PROG, 1023u, RX_SIZE, BATCH_DEFAULT);
}

static int own_opt(int c, const char *arg, void *own)
{
	struct xrx_opts *o = own;
	unsigned long v;
	int err;

	switch (c) {
	case 'i':
		o->iface = arg;
		return 0;
	case 'q':
		err = rx_parse_uint(PROG, "--queue", arg, 0, 1023, &v);
		o->queue = (unsigned int)v;
		return err;
	case 'w':
		if (!strcmp(arg, "spin")) {
			o->wait = WAIT_SPIN;
		} else if (!strcmp(arg, "poll")) {
			o->wait = WAIT_POLL;
		} else {
			fprintf(stderr, "%s: --wait: '%s' is not spin or poll\n", PROG, arg);
			return -EINVAL;
		}
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	default:
		return 1;
	}
}

/* Returns 0, 1 when help was printed, or negative errno after one error line. */
static int parse_args(int argc, char **argv, struct xrx_opts *o)
{
	static const struct option longopts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "queue", required_argument, NULL, 'q' },
		{ "wait", required_argument, NULL, 'w' },
		{ "verbose", no_argument, NULL, 'v' },
		RX_LONGOPT_BATCH,
		RX_LONGOPTS_RECEIVER,
		RX_LONGOPT_END,
	};
	static const struct rx_cli cli = { .prog = PROG,
					   .optstring = ":i:q:w:vB:d:jc:h",
					   .longopts = longopts,
					   .max_batch = RX_SIZE,
					   .usage = usage,
					   .own_opt = own_opt };
	int err;

	*o = (struct xrx_opts){ .wait = WAIT_SPIN, .c = { .batch = BATCH_DEFAULT } };
	err = rx_parse_opts(&cli, argc, argv, &o->c, o);
	if (err)
		return err;
	if (!o->iface) {
		fprintf(stderr, "%s: --iface is required\n", PROG);
		return -EINVAL;
	}
	return 0;
}

/* libxdp and libbpf talk only under --verbose: their warnings about a refused zero-copy
 * bind would otherwise look like failures. Neither print hook takes a context pointer. */
static int lib_print_quiet(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static int bpf_print_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static int bind_socket(struct xrx *x, const struct xrx_opts *o, __u16 mode_flag)
{
	const struct xsk_socket_config sc = {
		.rx_size = RX_SIZE,
		.tx_size = 0,
		.libxdp_flags = 0, /* libxdp loads and attaches its default program */
		.xdp_flags = XDP_FLAGS_DRV_MODE,
		.bind_flags = (__u16)(mode_flag | XDP_USE_NEED_WAKEUP),
	};
	int err, tries = 0;

	/* A closed socket lets go of its queue from a workqueue: a bind right after the
	 * previous user exited can get EBUSY, so retry for ~0.5 s (as the pool does). */
	while ((err = xsk_socket__create(&x->xsk, o->iface, o->queue, x->umem, &x->rx, NULL,
					 &sc)) == -EBUSY &&
	       ++tries < 50)
		usleep(10 * 1000);
	if (err)
		x->xsk = NULL;
	return err;
}

/* Zero-copy first, copy mode when the driver refuses it; one line on stderr says which. */
static int open_socket(struct xrx *x, const struct xrx_opts *o)
{
	int zc_err, err;

	zc_err = bind_socket(x, o, XDP_ZEROCOPY);
	x->zerocopy = !zc_err;
	err = zc_err ? bind_socket(x, o, XDP_COPY) : 0;
	if (err) {
		fprintf(stderr,
			"%s: %s queue %u: cannot bind an AF_XDP socket and attach libxdp's "
			"program: %s\n",
			PROG, o->iface, o->queue, strerror(-err));
		return err;
	}
	if (bpf_xdp_query_id((int)x->ifindex, XDP_FLAGS_DRV_MODE, &x->prog_id) || !x->prog_id) {
		fprintf(stderr, "%s: %s: libxdp attached no XDP program in native mode\n", PROG,
			o->iface);
		return -ENOENT;
	}
	if (x->zerocopy)
		fprintf(stderr, "%s: %s queue %u: zero-copy, native XDP, libxdp's program id %u\n",
			PROG, o->iface, o->queue, x->prog_id);
	else
		fprintf(stderr,
			"%s: %s queue %u: copy mode (zero-copy refused: %s), native XDP, "
			"libxdp's program id %u\n",
			PROG, o->iface, o->queue, strerror(-zc_err), x->prog_id);
	return 0;
}

/* Every frame into the fill ring: the kernel owns them all until the first receive. */
static int fill_all(struct xrx *x)
{
	__u32 idx = 0, i;

	if (xsk_ring_prod__reserve(&x->fq, NUM_FRAMES, &idx) != NUM_FRAMES)
		return -ENOSPC;
	for (i = 0; i < NUM_FRAMES; i++)
		*xsk_ring_prod__fill_addr(&x->fq, idx + i) = (__u64)i * FRAME_SIZE;
	xsk_ring_prod__submit(&x->fq, NUM_FRAMES);
	return 0;
}

static int xrx_open(struct xrx *x, const struct xrx_opts *o)
{
	const struct xsk_umem_config uc = {
		.fill_size = FILL_SIZE,
		.comp_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,
		.frame_size = FRAME_SIZE,
		.frame_headroom = 0,
	};
	__u32 attached = 0;
	int err;

	x->ifindex = if_nametoindex(o->iface);
	if (!x->ifindex) {
		fprintf(stderr, "%s: --iface: '%s': %s\n", PROG, o->iface, strerror(errno));
		return -ENODEV;
	}
	/* A program already there would run in front of ours (libxdp would add ours to its
	 * dispatcher), and then this would not be the bare peer it claims to be. */
	if (!bpf_xdp_query_id((int)x->ifindex, 0, &attached) && attached) {
		fprintf(stderr, "%s: %s already has an XDP program (id %u); remove it first\n",
			PROG, o->iface, attached);
		return -EEXIST;
	}
	x->area = mmap(NULL, (size_t)NUM_FRAMES * FRAME_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (x->area == MAP_FAILED) {
		err = -errno;
		x->area = NULL;
		fprintf(stderr, "%s: cannot map the UMEM: %s\n", PROG, strerror(-err));
		return err;
	}
	err = xsk_umem__create(&x->umem, x->area, (__u64)NUM_FRAMES * FRAME_SIZE, &x->fq, &x->cq,
			       &uc);
	if (err) {
		x->umem = NULL;
		fprintf(stderr, "%s: cannot register the UMEM: %s\n", PROG, strerror(-err));
		return err;
	}
	err = open_socket(x, o);
	if (!err && fill_all(x)) {
		fprintf(stderr, "%s: the fill ring has no room for %u frames\n", PROG, NUM_FRAMES);
		err = -ENOSPC;
	}
	return err;
}

/*
 * Deleting the socket is what removes libxdp's program (its last user on the interface
 * gone). Then check the interface: a program still there with the id we saw after the
 * bind is a leak, reported on stderr (the caller exits 1). Returns 0 or -EBUSY.
 */
static int xrx_close(struct xrx *x, const char *iface)
{
	__u32 id = 0;
	int err = 0;

	xsk_socket__delete(x->xsk);
	if (x->umem && xsk_umem__delete(x->umem))
		fprintf(stderr, "%s: the UMEM is still in use at exit\n", PROG);
	if (x->area)
		munmap(x->area, (size_t)NUM_FRAMES * FRAME_SIZE);
	if (x->prog_id && !bpf_xdp_query_id((int)x->ifindex, XDP_FLAGS_DRV_MODE, &id) &&
	    id == x->prog_id) {
		fprintf(stderr, "%s: %s: libxdp's program (id %u) is still attached\n", PROG, iface,
			id);
		err = -EBUSY;
	}
	return err;
}

/* Give n received frames back to the fill ring (room is certain: see the design note). */
static void refill(struct xrx *x, __u32 idx_rx, __u32 n)
{
	__u32 idx_fq = 0, i;

	xsk_ring_prod__reserve(&x->fq, n, &idx_fq);
	for (i = 0; i < n; i++) {
		__u64 addr = xsk_ring_cons__rx_desc(&x->rx, idx_rx + i)->addr;

		*xsk_ring_prod__fill_addr(&x->fq, idx_fq + i) = xsk_umem__extract_addr(addr);
	}
	xsk_ring_prod__submit(&x->fq, n);
	xsk_ring_cons__release(&x->rx, n);
}

/* The kernel asks to be kicked to pick up fill entries (zero-copy drivers only). */
static void kick_fill(struct xrx *x)
{
	if (xsk_ring_prod__needs_wakeup(&x->fq))
		recvfrom(xsk_socket__fd(x->xsk), NULL, 0, MSG_DONTWAIT, NULL, NULL);
}

/* Returns 0 at the end of the run, negative errno on a failed poll or count file. */
static int rx_loop(struct xrx *x, const struct xrx_opts *o, struct rx_report *r, uint64_t *rx)
{
	struct pollfd pfd = { .fd = xsk_socket__fd(x->xsk), .events = POLLIN };
	unsigned int empty = 0;
	__u32 n, idx = 0;
	int done = 0;

	while (!done) {
		n = xsk_ring_cons__peek(&x->rx, o->c.batch, &idx);
		if (n) {
			refill(x, idx, n);
			*rx += n;
			done = rx_report_tick(r, *rx);
			continue;
		}
		kick_fill(x);
		if (o->wait == WAIT_POLL) {
			if (poll(&pfd, 1, RX_POLL_MS) < 0 && errno != EINTR) {
				fprintf(stderr, "%s: poll: %s\n", PROG, strerror(errno));
				return -errno;
			}
			done = rx_report_tick(r, *rx);
		} else if (++empty % EMPTY_TICKS == 0) {
			done = rx_report_tick(r, *rx);
		}
	}
	return done < 0 ? done : 0;
}

static void xdp_stats_line(const struct xrx *x)
{
	struct xdp_statistics st;
	socklen_t len = sizeof(st);

	if (getsockopt(xsk_socket__fd(x->xsk), SOL_XDP, XDP_STATISTICS, &st, &len))
		return;
	fprintf(stderr,
		"%s: XDP_STATISTICS rx_dropped %llu rx_invalid_descs %llu rx_ring_full %llu "
		"rx_fill_ring_empty_descs %llu\n",
		PROG, (unsigned long long)st.rx_dropped, (unsigned long long)st.rx_invalid_descs,
		(unsigned long long)st.rx_ring_full,
		(unsigned long long)st.rx_fill_ring_empty_descs);
}

int main(int argc, char **argv)
{
	struct xrx x = { 0 };
	struct rx_report r;
	struct xrx_opts o;
	uint64_t rx = 0;
	int err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	if (rx_report_init(&r, PROG, o.c.count_file, o.c.json, o.c.duration))
		return 2;
	if (!o.verbose) {
		libxdp_set_print(lib_print_quiet);
		libbpf_set_print(bpf_print_quiet);
	}
	/* Before the program is attached: a signal from here on ends the loop, not us. */
	err = rx_install_signals();
	if (err) {
		fprintf(stderr, "%s: sigaction: %s\n", PROG, strerror(-err));
		return 1;
	}
	err = xrx_open(&x, &o);
	/* Written once the socket is bound, so a reader sees 0 instead of nothing. */
	if (!err) {
		err = rx_write_count(&r, 0);
		if (err)
			fprintf(stderr, "%s: --count-file %s: %s\n", PROG, o.c.count_file,
				strerror(-err));
	}
	if (!err && !rx_stop)
		err = rx_loop(&x, &o, &r, &rx);
	if (x.xsk) {
		xdp_stats_line(&x);
		if (rx_report_final(&r, rx) && !err)
			err = -EIO;
	}
	if (xrx_close(&x, o.iface) && !err)
		err = -EBUSY;
	return err ? 1 : 0;
}
