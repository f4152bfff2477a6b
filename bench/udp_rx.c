// SPDX-License-Identifier: GPL-2.0
/*
 * udp_rx — the kernel receive path xdpgate replaces, as a benchmark row: one UDP socket,
 * recvmmsg() in batches, packets counted and thrown away, under each way of waiting.
 *
 *   udp_rx --port P [--bind ADDR] [--mode MODE] [--batch N] [--duration S] [--json]
 *          [--count-file PATH]
 *
 * block:    recvmmsg(MSG_WAITFORONE) sleeps until the first datagram, then takes whatever
 *           else is queued, up to N; SO_RCVTIMEO (100 ms) bounds the sleep so the loop can
 *           report and stop.
 * busy:     recvmmsg(MSG_DONTWAIT) in a loop, no waiting call at all: an empty socket
 *           costs one syscall that returns EAGAIN.
 * select, poll, epoll: the readiness call (100 ms timeout), then recvmmsg(MSG_DONTWAIT)
 *           until EAGAIN.
 * busypoll: block on a socket with SO_BUSY_POLL (50 us), SO_PREFER_BUSY_POLL and a budget
 *           of N: an empty receive runs the device's NAPI poll itself in the syscall
 *           instead of sleeping until the softirq/kthread delivers.
 * uring:    io_uring, one multishot recvmsg with a provided buffer ring, completions
 *           reaped in batches (bench/rx_uring.h).
 */
#define _GNU_SOURCE /* recvmmsg, struct mmsghdr */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>

#include "bench/rx_common.h"
#include "bench/rx_uring.h"

#define PROG "udp_rx"
#define MAX_BATCH 1024
#define MSG_BUF 2048 /* larger than any frame the bench sends (1500 with FCS) */
#define BUSY_POLL_US 50

enum rx_mode {
	MODE_BLOCK,
	MODE_BUSY,
	MODE_SELECT,
	MODE_POLL,
	MODE_EPOLL,
	MODE_BUSYPOLL,
	MODE_URING,
};

static const char *const mode_names[] = {
	[MODE_BLOCK] = "block", [MODE_BUSY] = "busy",	[MODE_SELECT] = "select",
	[MODE_POLL] = "poll",	[MODE_EPOLL] = "epoll", [MODE_BUSYPOLL] = "busypoll",
	[MODE_URING] = "uring",
};
#define N_MODES (sizeof(mode_names) / sizeof(mode_names[0]))

struct udp_opts {
	const char *bind_addr;
	const char *port;
	enum rx_mode mode;
	struct rx_common_opts c;
};

/* One batch of receive buffers, reused for every recvmmsg. */
struct udp_batch {
	unsigned int n;
	struct mmsghdr *msgs;
	struct iovec *iov;
	char *bufs;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s --port P [--bind ADDR] [--mode MODE] [--batch N]\n"
		"              [--duration S] [--json] [--count-file PATH]\n"
		"Receive UDP datagrams on ADDR:P (default 0.0.0.0) with recvmmsg, count them.\n"
		"  --mode      block | busy | select | poll | epoll | busypoll | uring (block)\n"
		"              block: blocking recvmmsg; busy: MSG_DONTWAIT in a loop;\n"
		"              select/poll/epoll: that call, then MSG_DONTWAIT until empty;\n"
		"              busypoll: block with SO_BUSY_POLL %d us;\n"
		"              uring: io_uring multishot recvmsg, provided buffers (--batch "
		"unused)\n"
		"  --batch     datagrams per recvmmsg, 1..%d (64)\n"
		"  --duration  seconds to run, 0 = until SIGINT/SIGTERM (0)\n"
		"  --json      one JSON object per line\n"
		"  --count-file PATH  cumulative count, rewritten every 100 ms (atomic rename)\n",
		PROG, BUSY_POLL_US, MAX_BATCH);
}

static int parse_mode(const char *s, enum rx_mode *mode)
{
	size_t i;

	for (i = 0; i < N_MODES; i++) {
		if (!strcmp(s, mode_names[i])) {
			*mode = (enum rx_mode)i;
			return 0;
		}
	}
	fprintf(stderr,
		"%s: --mode: '%s' is not block, busy, select, poll, epoll, busypoll or uring\n",
		PROG, s);
	return -EINVAL;
}

static int own_opt(int c, const char *arg, void *own)
{
	struct udp_opts *o = own;
	unsigned long v;

	switch (c) {
	case 'b':
		o->bind_addr = arg;
		break;
	case 'p':
		o->port = arg;
		return rx_parse_uint(PROG, "--port", arg, 1, 65535, &v);
	case 'm':
		return parse_mode(arg, &o->mode);
	default:
		return 1;
	}
	return 0;
}

/* Returns 0, 1 when help was printed, or negative errno after one error line. */
static int parse_args(int argc, char **argv, struct udp_opts *o)
{
	static const struct option longopts[] = {
		{ "bind", required_argument, NULL, 'b' },
		{ "port", required_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, 'm' },
		RX_LONGOPT_BATCH,
		RX_LONGOPTS_RECEIVER,
		RX_LONGOPT_END,
	};
	static const struct rx_cli cli = { .prog = PROG,
					   .optstring = ":b:p:m:B:d:jc:h",
					   .longopts = longopts,
					   .max_batch = MAX_BATCH,
					   .usage = usage,
					   .own_opt = own_opt };
	int err;

	*o = (struct udp_opts){ .bind_addr = "0.0.0.0", .mode = MODE_BLOCK, .c.batch = 64 };
	err = rx_parse_opts(&cli, argc, argv, &o->c, o);
	if (err)
		return err;
	if (!o->port) {
		fprintf(stderr, "%s: --port is required\n", PROG);
		return -EINVAL;
	}
	return 0;
}

/* busypoll: the syscall polls the device's NAPI for up to BUSY_POLL_US before it sleeps. */
static int set_busy_poll(int fd, unsigned int budget)
{
	int us = BUSY_POLL_US, one = 1, b = (int)budget;

	if (setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &us, sizeof(us)) ||
	    setsockopt(fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &b, sizeof(b))) {
		fprintf(stderr, "%s: SO_BUSY_POLL: %s\n", PROG, strerror(errno));
		return -errno;
	}
	return 0;
}

static int batch_alloc(struct udp_batch *b, unsigned int n)
{
	unsigned int i;

	b->n = n;
	b->msgs = calloc(n, sizeof(*b->msgs));
	b->iov = calloc(n, sizeof(*b->iov));
	b->bufs = malloc((size_t)n * MSG_BUF);
	if (!b->msgs || !b->iov || !b->bufs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		b->iov[i].iov_base = b->bufs + (size_t)i * MSG_BUF;
		b->iov[i].iov_len = MSG_BUF;
		b->msgs[i].msg_hdr.msg_iov = &b->iov[i];
		b->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	return 0;
}

static void batch_free(struct udp_batch *b)
{
	free(b->msgs);
	free(b->iov);
	free(b->bufs);
}

/* One recvmmsg; returns datagrams received (0 on timeout/EAGAIN/EINTR) or negative errno. */
static int recv_batch(int fd, struct udp_batch *b, int flags)
{
	int n = recvmmsg(fd, b->msgs, b->n, flags, NULL);

	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	fprintf(stderr, "%s: recvmmsg: %s\n", PROG, strerror(errno));
	return -errno;
}

static int loop_block(int fd, struct udp_batch *b, struct rx_report *r, uint64_t *rx)
{
	int n, done = 0;

	while (!done) {
		n = recv_batch(fd, b, MSG_WAITFORONE);
		if (n < 0)
			return n;
		*rx += (uint64_t)n;
		done = rx_report_tick(r, *rx);
	}
	return done < 0 ? done : 0;
}

/* Drain the socket after a readiness event: non-blocking batches until one comes back empty. */
static int drain(int fd, struct udp_batch *b, struct rx_report *r, uint64_t *rx)
{
	int n, done;

	do {
		n = recv_batch(fd, b, MSG_DONTWAIT);
		if (n < 0)
			return n;
		*rx += (uint64_t)n;
		done = rx_report_tick(r, *rx);
		if (done)
			return done;
	} while (n > 0);
	return 0;
}

/* The readiness calls: each returns >0 when fd is readable, 0 on timeout or EINTR,
 * negative errno on error. */
struct waiter {
	enum rx_mode mode;
	int fd;
	int ep; /* epoll only */
};

static int wait_ready(struct waiter *w)
{
	struct pollfd pfd = { .fd = w->fd, .events = POLLIN };
	struct timeval tv = { .tv_sec = 0, .tv_usec = RX_POLL_MS * 1000 };
	struct epoll_event ev;
	fd_set rfds;
	int n;

	switch (w->mode) {
	case MODE_SELECT: /* fd < FD_SETSIZE: it is the process's fourth or so */
		FD_ZERO(&rfds);
		FD_SET(w->fd, &rfds);
		n = select(w->fd + 1, &rfds, NULL, NULL, &tv);
		break;
	case MODE_POLL:
		n = poll(&pfd, 1, RX_POLL_MS);
		break;
	default:
		n = epoll_wait(w->ep, &ev, 1, RX_POLL_MS);
		break;
	}
	if (n >= 0 || errno == EINTR)
		return n > 0 ? n : 0;
	fprintf(stderr, "%s: %s: %s\n", PROG, mode_names[w->mode], strerror(errno));
	return -errno;
}

static int loop_ready(int fd, enum rx_mode mode, struct udp_batch *b, struct rx_report *r,
		      uint64_t *rx)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
	struct waiter w = { .mode = mode, .fd = fd, .ep = -1 };
	int n, done = 0;

	if (mode == MODE_EPOLL) {
		w.ep = epoll_create1(EPOLL_CLOEXEC);
		if (w.ep < 0 || epoll_ctl(w.ep, EPOLL_CTL_ADD, fd, &ev)) {
			fprintf(stderr, "%s: epoll: %s\n", PROG, strerror(errno));
			done = -errno;
		}
	}
	while (!done) {
		n = wait_ready(&w);
		if (n < 0)
			done = n;
		else if (n > 0)
			done = drain(fd, b, r, rx);
		else
			done = rx_report_tick(r, *rx);
	}
	if (w.ep >= 0)
		close(w.ep);
	return done < 0 ? done : 0;
}

/* busy: drain never waits; an empty socket just comes round again. */
static int loop_busy(int fd, struct udp_batch *b, struct rx_report *r, uint64_t *rx)
{
	int done;

	while (!(done = drain(fd, b, r, rx)))
		;
	return done < 0 ? done : 0;
}

static int run_loop(int fd, const struct udp_opts *o, struct udp_batch *b, struct rx_report *r,
		    uint64_t *rx)
{
	switch (o->mode) {
	case MODE_BUSY:
		return loop_busy(fd, b, r, rx);
	case MODE_SELECT:
	case MODE_POLL:
	case MODE_EPOLL:
		return loop_ready(fd, o->mode, b, r, rx);
	case MODE_BUSYPOLL:
		if (set_busy_poll(fd, o->c.batch))
			return -EINVAL;
		return loop_block(fd, b, r, rx);
	case MODE_URING:
		return loop_uring(fd, PROG, r, rx);
	default:
		return loop_block(fd, b, r, rx);
	}
}

int main(int argc, char **argv)
{
	struct udp_batch b = { 0 };
	struct rx_report r;
	struct udp_opts o;
	uint64_t rx = 0;
	int fd, err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	if (rx_report_init(&r, PROG, o.c.count_file, o.c.json, o.c.duration))
		return 2;
	fd = rx_udp_open(PROG, o.bind_addr, o.port, true);
	if (fd < 0)
		return 1;
	err = batch_alloc(&b, o.c.batch);
	if (err) {
		fprintf(stderr, "%s: %s\n", PROG, strerror(-err));
		goto out;
	}
	err = rx_install_signals();
	if (err) {
		fprintf(stderr, "%s: sigaction: %s\n", PROG, strerror(-err));
		goto out;
	}
	/* Written once before the first datagram, so a reader sees 0 instead of nothing. */
	err = rx_write_count(&r, 0);
	if (err) {
		fprintf(stderr, "%s: --count-file %s: %s\n", PROG, o.c.count_file, strerror(-err));
		goto out;
	}
	err = run_loop(fd, &o, &b, &r, &rx);
	if (rx_report_final(&r, rx) && !err)
		err = -EIO;
out:
	batch_free(&b);
	close(fd);
	return err ? 1 : 0;
}
