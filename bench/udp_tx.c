// SPDX-License-Identifier: GPL-2.0
/*
 * udp_tx — the kernel send path as a benchmark row: one connected UDP socket, sendmmsg() in
 * batches of the same datagram, one thread (the harness pins it).
 *
 *   udp_tx --dst ADDR --port P [--size N] [--batch N] [--count N] [--duration S] [--json]
 *
 * --size is the Ethernet frame on the wire with FCS, as `xdpgate gen --size`: the payload is
 * what is left after Ethernet, IPv4 and UDP headers and the FCS. The count is datagrams the
 * kernel accepted (sendmmsg's return); ENOBUFS/EAGAIN (a full qdisc or device) is retried,
 * so an exact --count is what went down the stack. The row counts at the receiver.
 */
#define _GNU_SOURCE /* sendmmsg, struct mmsghdr */
#include "bench/rx_common.h"

#define PROG "udp_tx"
#define MAX_BATCH 1024

struct tx_opts {
	const char *dst;
	const char *port;
	struct rx_common_opts c;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s --dst ADDR --port P [--size N] [--batch N] [--count N]\n"
		"              [--duration S] [--json]\n"
		"Send UDP datagrams to ADDR:P with sendmmsg in batches, count what the kernel "
		"took.\n"
		"  --size      Ethernet frame bytes with FCS, %d..%d (64)\n"
		"  --batch     datagrams per sendmmsg, 1..%d (64)\n"
		"  --count     stop after N datagrams, 0 = no limit (0)\n"
		"  --duration  seconds to run, 0 = until SIGINT/SIGTERM or --count (0)\n"
		"  --json      one JSON object per line\n",
		PROG, RX_SIZE_MIN, RX_SIZE_MAX, MAX_BATCH);
}

static int own_opt(int c, const char *arg, void *own)
{
	struct tx_opts *o = own;
	unsigned long v;

	switch (c) {
	case 'D':
		o->dst = arg;
		break;
	case 'p':
		o->port = arg;
		return rx_parse_uint(PROG, "--port", arg, 1, 65535, &v);
	default:
		return 1;
	}
	return 0;
}

/* Returns 0, 1 when help was printed, or negative errno after one error line. */
static int parse_args(int argc, char **argv, struct tx_opts *o)
{
	static const struct option longopts[] = {
		{ "dst", required_argument, NULL, 'D' },
		{ "port", required_argument, NULL, 'p' },
		RX_LONGOPTS_SENDER,
		RX_LONGOPT_END,
	};
	static const struct rx_cli cli = { .prog = PROG,
					   .optstring = ":D:p:s:B:n:d:jh",
					   .longopts = longopts,
					   .max_batch = MAX_BATCH,
					   .usage = usage,
					   .own_opt = own_opt };
	int err;

	*o = (struct tx_opts){ .c.size = RX_SIZE_MIN, .c.batch = 64 };
	err = rx_parse_opts(&cli, argc, argv, &o->c, o);
	if (err)
		return err;
	if (!o->dst || !o->port) {
		fprintf(stderr, "%s: --dst and --port are required\n", PROG);
		return -EINVAL;
	}
	return 0;
}

/* Send until the count, the duration or a signal; returns 0 or negative errno. */
static int send_loop(int fd, const struct tx_opts *o, struct rx_report *r, uint64_t *tx)
{
	static char payload[RX_SIZE_MAX];
	struct mmsghdr msgs[MAX_BATCH];
	struct iovec iov = { .iov_base = payload, .iov_len = o->c.size - RX_HDR_BYTES };
	unsigned int i, want;
	int n, done = 0;

	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < o->c.batch; i++) {
		msgs[i].msg_hdr.msg_iov =
			&iov; /* the same datagram every time: no per-frame work */
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (!done) {
		want = rx_tx_want(&o->c, *tx);
		n = sendmmsg(fd, msgs, want, 0);
		if (n < 0 && errno != ENOBUFS && errno != EAGAIN && errno != EINTR &&
		    errno != ECONNREFUSED) { /* an ICMP port unreachable from a closed port */
			fprintf(stderr, "%s: sendmmsg: %s\n", PROG, strerror(errno));
			return -errno;
		}
		if (n > 0)
			*tx += (uint64_t)n;
		done = rx_report_tick(r, *tx) || rx_tx_count_done(&o->c, *tx);
	}
	return done < 0 ? done : 0;
}

int main(int argc, char **argv)
{
	struct rx_report r;
	struct tx_opts o;
	uint64_t tx = 0;
	int fd, err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	if (rx_report_init(&r, PROG, NULL, o.c.json, o.c.duration))
		return 2;
	r.what = "tx";
	fd = rx_udp_open(PROG, o.dst, o.port, false);
	if (fd < 0)
		return 1;
	err = rx_install_signals();
	if (err)
		fprintf(stderr, "%s: sigaction: %s\n", PROG, strerror(-err));
	else
		err = send_loop(fd, &o, &r, &tx);
	rx_report_final(&r, tx);
	close(fd);
	return err ? 1 : 0;
}
