// SPDX-License-Identifier: GPL-2.0
/*
 * udp_rx — the kernel receive path xdpgate replaces, as a benchmark row: one UDP socket,
 * recvmmsg() in batches, packets counted and thrown away.
 *
 *   udp_rx --port P [--bind ADDR] [--mode block|epoll] [--batch N] [--duration S] [--json]
 *          [--count-file PATH]
 *
 * block: recvmmsg(MSG_WAITFORONE) sleeps until the first datagram, then takes whatever
 *        else is queued, up to N; SO_RCVTIMEO (100 ms) bounds the sleep so the loop can
 *        report and stop.
 * epoll: epoll_wait (100 ms), then recvmmsg(MSG_DONTWAIT) until EAGAIN.
 * Both are what a well-written kernel-socket server does; neither busy-polls.
 */
#define _GNU_SOURCE /* recvmmsg, struct mmsghdr */
#include <arpa/inet.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/rx_common.h"

#define PROG "udp_rx"
#define MAX_BATCH 1024
#define MSG_BUF 2048 /* larger than any frame the bench sends (1500 with FCS) */
#define RCVBUF_BYTES (64 << 20)

enum rx_mode { MODE_BLOCK, MODE_EPOLL };

struct udp_opts {
	const char *bind_addr;
	const char *port;
	const char *count_file;
	enum rx_mode mode;
	unsigned int batch;
	unsigned int duration;
	bool json;
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
		"Usage: %s --port P [--bind ADDR] [--mode block|epoll] [--batch N]\n"
		"              [--duration S] [--json] [--count-file PATH]\n"
		"Receive UDP datagrams on ADDR:P (default 0.0.0.0) with recvmmsg, count them.\n"
		"  --mode      block: blocking recvmmsg; epoll: epoll_wait + non-blocking (block)\n"
		"  --batch     datagrams per recvmmsg, 1..%d (64)\n"
		"  --duration  seconds to run, 0 = until SIGINT/SIGTERM (0)\n"
		"  --json      one JSON object per line\n"
		"  --count-file PATH  cumulative count, rewritten every 100 ms (atomic rename)\n",
		PROG, MAX_BATCH);
}

static int parse_mode(const char *s, enum rx_mode *mode)
{
	if (!strcmp(s, "block"))
		*mode = MODE_BLOCK;
	else if (!strcmp(s, "epoll"))
		*mode = MODE_EPOLL;
	else {
		fprintf(stderr, "%s: --mode: '%s' is not block or epoll\n", PROG, s);
		return -EINVAL;
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
		{ "batch", required_argument, NULL, 'B' },
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "count-file", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int c, err = 0;

	opterr = 0;
	*o = (struct udp_opts){ .bind_addr = "0.0.0.0", .mode = MODE_BLOCK, .batch = 64 };
	while (!err && (c = getopt_long(argc, argv, ":b:p:m:B:d:jc:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->bind_addr = optarg;
			break;
		case 'p':
			err = rx_parse_uint(PROG, "--port", optarg, 1, 65535, &v);
			o->port = optarg;
			break;
		case 'm':
			err = parse_mode(optarg, &o->mode);
			break;
		case 'B':
			err = rx_parse_uint(PROG, "--batch", optarg, 1, MAX_BATCH, &v);
			o->batch = (unsigned int)v;
			break;
		case 'd':
			err = rx_parse_uint(PROG, "--duration", optarg, 0, 86400, &v);
			o->duration = (unsigned int)v;
			break;
		case 'j':
			o->json = true;
			break;
		case 'c':
			o->count_file = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case ':':
			fprintf(stderr, "%s: %s needs a value\n", PROG, argv[optind - 1]);
			return -EINVAL;
		default: /* opterr is 0: ours is the only error line */
			fprintf(stderr, "%s: bad option '%s' (see --help)\n", PROG,
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (err)
		return err;
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", PROG, argv[optind]);
		return -EINVAL;
	}
	if (!o->port) {
		fprintf(stderr, "%s: --port is required\n", PROG);
		return -EINVAL;
	}
	return 0;
}

/* A big receive buffer absorbs the bursts of a saturating sender; FORCE needs CAP_NET_ADMIN. */
static void set_rcvbuf(int fd)
{
	int sz = RCVBUF_BYTES;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
}

static int open_socket(const struct udp_opts *o)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE };
	struct timeval tv = { .tv_sec = 0, .tv_usec = RX_POLL_MS * 1000 };
	struct addrinfo *ai;
	int fd, rc;

	rc = getaddrinfo(o->bind_addr, o->port, &hints, &ai);
	if (rc) {
		fprintf(stderr, "%s: --bind: '%s': %s\n", PROG, o->bind_addr, gai_strerror(rc));
		return -EINVAL;
	}
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		fprintf(stderr, "%s: socket: %s\n", PROG, strerror(errno));
		goto out;
	}
	set_rcvbuf(fd);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen)) {
		rc = -errno;
		fprintf(stderr, "%s: bind %s port %s: %s\n", PROG, o->bind_addr, o->port,
			strerror(errno));
		close(fd);
		goto out;
	}
	rc = fd;
out:
	freeaddrinfo(ai);
	return rc;
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

static int loop_epoll(int fd, struct udp_batch *b, struct rx_report *r, uint64_t *rx)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
	int ep, n, done = 0;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
		fprintf(stderr, "%s: epoll: %s\n", PROG, strerror(errno));
		done = -errno;
	}
	while (!done) {
		n = epoll_wait(ep, &ev, 1, RX_POLL_MS);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "%s: epoll_wait: %s\n", PROG, strerror(errno));
			done = -errno;
		} else if (n > 0) {
			done = drain(fd, b, r, rx);
		} else {
			done = rx_report_tick(r, *rx);
		}
	}
	if (ep >= 0)
		close(ep);
	return done < 0 ? done : 0;
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
	if (rx_report_init(&r, PROG, o.count_file, o.json, o.duration))
		return 2;
	fd = open_socket(&o);
	if (fd < 0)
		return 1;
	err = batch_alloc(&b, o.batch);
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
		fprintf(stderr, "%s: --count-file %s: %s\n", PROG, o.count_file, strerror(-err));
		goto out;
	}
	err = o.mode == MODE_EPOLL ? loop_epoll(fd, &b, &r, &rx) : loop_block(fd, &b, &r, &rx);
	if (rx_report_final(&r, rx) && !err)
		err = -EIO;
out:
	batch_free(&b);
	close(fd);
	return err ? 1 : 0;
}
