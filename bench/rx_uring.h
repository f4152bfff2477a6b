/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rx_uring.h — the asynchronous receive model of udp_rx (--mode uring): io_uring through
 * liburing, one multishot recvmsg on the socket drawing from a provided buffer ring.
 *
 * Design note: one SQE is armed once and keeps posting one CQE per datagram (IORING_CQE_F_MORE
 * set while it stays armed); the kernel picks each datagram's buffer from the registered
 * ring, so there is no per-datagram submission. The loop enters the kernel once per batch
 * (io_uring_submit_and_wait_timeout, 100 ms), reaps every CQE there is, hands their
 * buffers back and advances the CQ and the buffer ring in one step. The ring is
 * SINGLE_ISSUER + DEFER_TASKRUN: completion work runs when this thread waits, not as task
 * work interrupting it (falls back to a plain ring on a kernel without them). When the
 * buffers run out (-ENOBUFS) or the kernel ends the multishot, it is armed again.
 *
 * Included by udp_rx.c only (it shares that file's stop flag and report); links liburing.
 */
#ifndef XDPGATE_BENCH_RX_URING_H
#define XDPGATE_BENCH_RX_URING_H

#include <liburing.h>
#include <sys/mman.h>

#include "bench/rx_common.h"

#define URING_ENTRIES 64
#define URING_NBUFS 4096 /* power of two: the buffer ring's size */
#define URING_BUF 2048	 /* larger than any datagram the bench sends */
#define URING_BGID 0

struct uring_rx {
	struct io_uring ring;
	struct io_uring_buf_ring *br;
	size_t br_len;
	char *bufs;
	struct msghdr msg; /* the template every multishot completion is laid out by */
	int fd;
	bool ring_up, br_up;
};

/* Arm the multishot recvmsg (again). */
static int uring_arm(struct uring_rx *u)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_recvmsg_multishot(sqe, u->fd, &u->msg, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = URING_BGID;
	return 0;
}

static void uring_give_back(struct uring_rx *u, unsigned short bid, int offset)
{
	io_uring_buf_ring_add(u->br, u->bufs + (size_t)bid * URING_BUF, URING_BUF, bid,
			      io_uring_buf_ring_mask(URING_NBUFS), offset);
}

static int uring_setup(struct uring_rx *u, const char *prog, int fd)
{
	struct io_uring_buf_reg reg = { 0 };
	unsigned int i;
	int err;

	memset(u, 0, sizeof(*u));
	u->fd = fd;
	err = io_uring_queue_init(URING_ENTRIES, &u->ring,
				  IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN);
	if (err == -EINVAL)
		err = io_uring_queue_init(URING_ENTRIES, &u->ring, 0);
	if (err) {
		fprintf(stderr, "%s: io_uring_queue_init: %s\n", prog, strerror(-err));
		return err;
	}
	u->ring_up = true;
	u->br_len = sizeof(struct io_uring_buf) * URING_NBUFS;
	u->br = mmap(NULL, u->br_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	u->bufs = malloc((size_t)URING_NBUFS * URING_BUF);
	if (u->br == MAP_FAILED || !u->bufs) {
		u->br = NULL;
		fprintf(stderr, "%s: buffer ring: %s\n", prog, strerror(ENOMEM));
		return -ENOMEM;
	}
	reg.ring_addr = (unsigned long)(uintptr_t)u->br;
	reg.ring_entries = URING_NBUFS;
	reg.bgid = URING_BGID;
	err = io_uring_register_buf_ring(&u->ring, &reg, 0);
	if (err) {
		fprintf(stderr, "%s: io_uring_register_buf_ring: %s\n", prog, strerror(-err));
		return err;
	}
	u->br_up = true;
	io_uring_buf_ring_init(u->br);
	for (i = 0; i < URING_NBUFS; i++)
		uring_give_back(u, (unsigned short)i, (int)i);
	io_uring_buf_ring_advance(u->br, URING_NBUFS);
	return uring_arm(u);
}

static void uring_teardown(struct uring_rx *u)
{
	if (u->br_up)
		io_uring_unregister_buf_ring(&u->ring, URING_BGID);
	if (u->ring_up)
		io_uring_queue_exit(&u->ring);
	if (u->br)
		munmap(u->br, u->br_len);
	free(u->bufs);
}

/*
 * Reap every completion there is: count datagrams, return their buffers, re-arm when the
 * multishot ended. Returns datagrams counted, or negative errno after one line.
 */
static int uring_reap(struct uring_rx *u, const char *prog)
{
	struct io_uring_cqe *cqe;
	unsigned int head, seen = 0;
	int got = 0, bufs = 0, rearm = 0;

	io_uring_for_each_cqe(&u->ring, head, cqe)
	{
		seen++;
		if (cqe->flags & IORING_CQE_F_BUFFER)
			uring_give_back(u, (unsigned short)(cqe->flags >> IORING_CQE_BUFFER_SHIFT),
					bufs++);
		if (cqe->res >= 0)
			got++;
		else if (cqe->res != -ENOBUFS && cqe->res != -EINTR) {
			fprintf(stderr, "%s: recvmsg completion: %s\n", prog, strerror(-cqe->res));
			return cqe->res;
		}
		if (!(cqe->flags & IORING_CQE_F_MORE))
			rearm = 1;
	}
	io_uring_buf_ring_advance(u->br, bufs);
	io_uring_cq_advance(&u->ring, seen);
	if (rearm && uring_arm(u))
		return -EBUSY;
	return got;
}

static int loop_uring(int fd, const char *prog, struct rx_report *r, uint64_t *rx)
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = RX_POLL_MS * 1000000L };
	struct io_uring_cqe *cqe;
	struct uring_rx u;
	int n, done;

	done = uring_setup(&u, prog, fd);
	while (!done) {
		n = io_uring_submit_and_wait_timeout(&u.ring, &cqe, 1, &ts, NULL);
		if (n < 0 && n != -ETIME && n != -EINTR) {
			fprintf(stderr, "%s: io_uring_submit_and_wait: %s\n", prog, strerror(-n));
			done = n;
			break;
		}
		n = uring_reap(&u, prog);
		if (n < 0) {
			done = n;
			break;
		}
		*rx += (uint64_t)n;
		done = rx_report_tick(r, *rx);
	}
	uring_teardown(&u);
	return done < 0 ? done : 0;
}

#endif /* XDPGATE_BENCH_RX_URING_H */
