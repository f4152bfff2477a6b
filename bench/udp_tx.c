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
#define HDR_BYTES (14 + 20 + 8 + 4) /* Ethernet, IPv4, UDP, FCS */
#define MIN_SIZE 64
#define MAX_SIZE 1518

struct tx_opts {
	const char *dst;
	const char *port;
	unsigned int size;
	unsigned int batch;
	unsigned long count; /* 0: no limit */
	unsigned int duration;
	bool json;
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
		PROG, MIN_SIZE, MAX_SIZE, MAX_BATCH);
}

/* Returns 0, 1 when help was printed, or negative errno after one error line. */
static int parse_args(int argc, char **argv, struct tx_opts *o)
{
	static const struct option longopts[] = {
		{ "dst", required_argument, NULL, 'D' },
		{ "port", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 's' },
		{ "batch", required_argument, NULL, 'B' },
		{ "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v = 0;
	int c, err = 0;

	opterr = 0;
	*o = (struct tx_opts){ .size = MIN_SIZE, .batch = 64 };
	while (!err && (c = getopt_long(argc, argv, ":D:p:s:B:n:d:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'D':
			o->dst = optarg;
			break;
		case 'p':
			err = rx_parse_uint(PROG, "--port", optarg, 1, 65535, &v);
			o->port = optarg;
			break;
		case 's':
			err = rx_parse_uint(PROG, "--size", optarg, MIN_SIZE, MAX_SIZE, &v);
			o->size = (unsigned int)v;
			break;
		case 'B':
			err = rx_parse_uint(PROG, "--batch", optarg, 1, MAX_BATCH, &v);
			o->batch = (unsigned int)v;
			break;
		case 'n':
			err = rx_parse_uint(PROG, "--count", optarg, 0, ULONG_MAX, &v);
			o->count = v;
			break;
		case 'd':
			err = rx_parse_uint(PROG, "--duration", optarg, 0, 86400, &v);
			o->duration = (unsigned int)v;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			return rx_getopt_error(PROG, c, argc, argv);
		}
	}
	if (err || rx_getopt_error(PROG, -1, argc, argv))
		return err ? err : -EINVAL;
	if (!o->dst || !o->port) {
		fprintf(stderr, "%s: --dst and --port are required\n", PROG);
		return -EINVAL;
	}
	return 0;
}

/* Send until the count, the duration or a signal; returns 0 or negative errno. */
static int send_loop(int fd, const struct tx_opts *o, struct rx_report *r, uint64_t *tx)
{
	static char payload[MAX_SIZE];
	struct mmsghdr msgs[MAX_BATCH];
	struct iovec iov = { .iov_base = payload, .iov_len = o->size - HDR_BYTES };
	unsigned int i, want;
	int n, done = 0;

	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < o->batch; i++) {
		msgs[i].msg_hdr.msg_iov =
			&iov; /* the same datagram every time: no per-frame work */
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (!done) {
		want = o->batch;
		if (o->count && o->count - *tx < want)
			want = (unsigned int)(o->count - *tx);
		n = sendmmsg(fd, msgs, want, 0);
		if (n < 0 && errno != ENOBUFS && errno != EAGAIN && errno != EINTR &&
		    errno != ECONNREFUSED) { /* an ICMP port unreachable from a closed port */
			fprintf(stderr, "%s: sendmmsg: %s\n", PROG, strerror(errno));
			return -errno;
		}
		if (n > 0)
			*tx += (uint64_t)n;
		done = rx_report_tick(r, *tx) || (o->count && *tx >= o->count);
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
	if (rx_report_init(&r, PROG, NULL, o.json, o.duration))
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
