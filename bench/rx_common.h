/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rx_common.h — what the benchmark programs (receivers udp_rx, uring_rx, afpacket_rx and
 * the AF_XDP peer xsk_rx; senders udp_tx, afpacket_tx) share: the stop flag, the clock,
 * number parsing, the UDP socket setup, and the report (per-second lines on stdout, a
 * count file). A sender reports with what = "tx"; its count is what the kernel accepted,
 * the row still counts at the receiving side.
 *
 * Design note: each receiver is a single thread and a single translation unit, so the
 * helpers are static here rather than a library. The report is driven from the receive
 * loop (rx_report_tick after every batch, and at least every 100 ms through the receive
 * timeout): no timer thread, no signal-driven output, nothing shared.
 *
 * The count file holds the cumulative packet count as one decimal line. It is rewritten
 * through PATH.tmp + rename(), so a reader (the benchmark harness's row_counter) never
 * sees a torn or empty file.
 */
#ifndef XDPGATE_BENCH_RX_COMMON_H
#define XDPGATE_BENCH_RX_COMMON_H

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define RX_COUNT_PERIOD 0.1 /* seconds between count-file rewrites */
#define RX_POLL_MS 100	    /* longest a receiver blocks before it looks at the clock */
#define RX_RCVBUF_BYTES (64 << 20)

static volatile sig_atomic_t rx_stop;

static void rx_on_signal(int sig)
{
	(void)sig;
	rx_stop = 1;
}

/* No SA_RESTART: a blocking receive must return EINTR so the loop sees rx_stop at once. */
static int rx_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = rx_on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	return 0;
}

static double rx_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parse an unsigned decimal in [min, max]; on error print one line naming the option. */
static int rx_parse_uint(const char *prog, const char *opt, const char *s, unsigned long min,
			 unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
		fprintf(stderr, "%s: %s: '%s' is not an integer in %lu..%lu\n", prog, opt, s, min,
			max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/*
 * getopt_long (with opterr 0 and a leading ':' in optstring) returned c, an error: print the
 * one line for it and return -EINVAL. A stray argument after the options is one too.
 */
static inline int rx_getopt_error(const char *prog, int c, int argc, char **argv)
{
	if (c == ':')
		fprintf(stderr, "%s: %s needs a value\n", prog, argv[optind - 1]);
	else if (c == -1 && optind < argc)
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
	else if (c != -1)
		fprintf(stderr, "%s: bad option '%s' (see --help)\n", prog, argv[optind - 1]);
	else
		return 0;
	return -EINVAL;
}

/* The options every program here shares; each lists in its getopt_long table the ones it
 * takes, with these letters, and passes them to rx_common_opt. */
struct rx_common_opts {
	const char *count_file; /* -c --count-file PATH (NULL: none) */
	unsigned int duration;	/* -d --duration S (0: until a signal) */
	unsigned int batch;	/* -B --batch N */
	unsigned int size;	/* -s --size N: Ethernet frame bytes with FCS, senders */
	unsigned long count;	/* -n --count N (0: no limit), senders */
	bool json;		/* -j --json */
};

#define RX_SIZE_MIN 64
#define RX_SIZE_MAX 1518
#define RX_HDR_BYTES (14 + 20 + 8 + 4) /* Ethernet, IPv4, UDP, FCS: what --size adds */

/* Returns 0 when c was a common option and its value is good, negative errno after one line
 * when it is not, 1 when c is not a common option. */
static inline int rx_common_opt(const char *prog, int c, const char *arg, unsigned int max_batch,
				struct rx_common_opts *o)
{
	unsigned long v = 0;
	int err = 0;

	switch (c) {
	case 'c':
		o->count_file = arg;
		break;
	case 'd':
		err = rx_parse_uint(prog, "--duration", arg, 0, 86400, &v);
		o->duration = (unsigned int)v;
		break;
	case 'B':
		err = rx_parse_uint(prog, "--batch", arg, 1, max_batch, &v);
		o->batch = (unsigned int)v;
		break;
	case 's':
		err = rx_parse_uint(prog, "--size", arg, RX_SIZE_MIN, RX_SIZE_MAX, &v);
		o->size = (unsigned int)v;
		break;
	case 'n':
		err = rx_parse_uint(prog, "--count", arg, 0, ULONG_MAX, &v);
		o->count = v;
		break;
	case 'j':
		o->json = true;
		break;
	default:
		return 1;
	}
	return err;
}

/* The long options of struct rx_common_opts and --help, for a program's getopt_long table. */
#define RX_LONGOPT_DURATION                              \
	{                                                \
		"duration", required_argument, NULL, 'd' \
	}
#define RX_LONGOPT_JSON                        \
	{                                      \
		"json", no_argument, NULL, 'j' \
	}
#define RX_LONGOPT_COUNT_FILE                              \
	{                                                  \
		"count-file", required_argument, NULL, 'c' \
	}
#define RX_LONGOPT_BATCH                              \
	{                                             \
		"batch", required_argument, NULL, 'B' \
	}
#define RX_LONGOPT_SIZE                              \
	{                                            \
		"size", required_argument, NULL, 's' \
	}
#define RX_LONGOPT_COUNT                              \
	{                                             \
		"count", required_argument, NULL, 'n' \
	}
#define RX_LONGOPT_END                      \
	{ "help", no_argument, NULL, 'h' }, \
	{                                   \
		NULL, 0, NULL, 0            \
	}
/* What every sender takes, and every receiver (with --batch where it has batches). */
#define RX_LONGOPTS_SENDER \
	RX_LONGOPT_SIZE, RX_LONGOPT_BATCH, RX_LONGOPT_COUNT, RX_LONGOPT_DURATION, RX_LONGOPT_JSON
#define RX_LONGOPTS_RECEIVER RX_LONGOPT_DURATION, RX_LONGOPT_JSON, RX_LONGOPT_COUNT_FILE

/* A program's own option c: 0 taken, negative errno after one line, 1 not its own. */
typedef int (*rx_own_opt_fn)(int c, const char *arg, void *own);

struct rx_cli {
	const char *prog;
	const char *optstring; /* getopt_long's, starting with ':' */
	const struct option *longopts;
	unsigned int max_batch;
	void (*usage)(FILE *f);
	rx_own_opt_fn own_opt;
};

/* The option loop of every program: its own options first, then the common ones; --help
 * prints the usage. Returns 0, 1 when help was printed, or negative errno after one line. */
static inline int rx_parse_opts(const struct rx_cli *cli, int argc, char **argv,
				struct rx_common_opts *co, void *own)
{
	int c, err = 0;

	opterr = 0;
	while (!err && (c = getopt_long(argc, argv, cli->optstring, cli->longopts, NULL)) != -1) {
		if (c == 'h') {
			cli->usage(stdout);
			return 1;
		}
		err = cli->own_opt(c, optarg, own);
		if (err > 0)
			err = rx_common_opt(cli->prog, c, optarg, cli->max_batch, co);
		if (err > 0)
			return rx_getopt_error(cli->prog, c, argc, argv);
	}
	if (err || rx_getopt_error(cli->prog, -1, argc, argv))
		return err ? err : -EINVAL;
	return 0;
}

/* Senders: how many to send next (a batch, or what is left of --count), and whether
 * --count is reached. */
static inline unsigned int rx_tx_want(const struct rx_common_opts *o, uint64_t sent)
{
	return o->count && o->count - sent < o->batch ? (unsigned int)(o->count - sent) : o->batch;
}

static inline bool rx_tx_count_done(const struct rx_common_opts *o, uint64_t sent)
{
	return o->count && sent >= o->count;
}

/* A big receive buffer absorbs the bursts of a saturating sender; FORCE needs CAP_NET_ADMIN. */
static inline void rx_set_rcvbuf(int fd)
{
	int sz = RX_RCVBUF_BYTES;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
}

/*
 * A UDP socket for ADDR:PORT (numeric). listen: bound there, with the big receive buffer
 * and a RX_POLL_MS receive timeout (a blocking receive comes back to look at the clock);
 * otherwise connected there (a sender). Returns the fd or negative errno after one line.
 */
static inline int rx_udp_open(const char *prog, const char *addr, const char *port, bool listen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV |
					      (listen ? AI_PASSIVE : 0) };
	struct timeval tv = { .tv_sec = 0, .tv_usec = RX_POLL_MS * 1000 };
	const char *what = listen ? "bind" : "connect";
	struct addrinfo *ai;
	int fd, rc;

	rc = getaddrinfo(addr, port, &hints, &ai);
	if (rc) {
		fprintf(stderr, "%s: '%s': %s\n", prog, addr, gai_strerror(rc));
		return -EINVAL;
	}
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		fprintf(stderr, "%s: socket: %s\n", prog, strerror(errno));
		goto out;
	}
	if (listen) {
		rx_set_rcvbuf(fd);
		rc = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
		     bind(fd, ai->ai_addr, ai->ai_addrlen);
	} else {
		rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
	}
	if (rc) {
		rc = -errno;
		fprintf(stderr, "%s: %s %s port %s: %s\n", prog, what, addr, port, strerror(errno));
		close(fd);
		goto out;
	}
	rc = fd;
out:
	freeaddrinfo(ai);
	return rc;
}

struct rx_report {
	const char *prog;
	const char *what;	/* "rx" or "tx": the counted direction, in every printed line */
	const char *count_file; /* NULL: none */
	char count_tmp[PATH_MAX];
	bool json;
	double duration; /* 0: until SIGINT/SIGTERM */
	double t_start;
	double t_print;	   /* start of the current per-second interval */
	double t_count;	   /* last count-file rewrite */
	uint64_t rx_print; /* cumulative count at t_print */
};

static int rx_report_init(struct rx_report *r, const char *prog, const char *count_file, bool json,
			  double duration)
{
	memset(r, 0, sizeof(*r));
	r->prog = prog;
	r->what = "rx";
	r->count_file = count_file;
	r->json = json;
	r->duration = duration;
	if (count_file && snprintf(r->count_tmp, sizeof(r->count_tmp), "%s.tmp", count_file) >=
				  (int)sizeof(r->count_tmp)) {
		fprintf(stderr, "%s: --count-file: path too long\n", prog);
		return -ENAMETOOLONG;
	}
	r->t_start = r->t_print = r->t_count = rx_now();
	return 0;
}

static int rx_write_count(const struct rx_report *r, uint64_t rx)
{
	FILE *f;
	int err = 0;

	if (!r->count_file)
		return 0;
	f = fopen(r->count_tmp, "w");
	if (!f)
		return -errno;
	if (fprintf(f, "%" PRIu64 "\n", rx) < 0)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(r->count_tmp, r->count_file))
		err = -errno;
	return err;
}

static void rx_print_interval(const struct rx_report *r, double secs, uint64_t n)
{
	double pps = secs > 0 ? (double)n / secs : 0;

	if (r->json)
		printf("{\"interval\":%.3f,\"%s\":%" PRIu64 ",\"%s_pps\":%.0f}\n", secs, r->what, n,
		       r->what, pps);
	else
		printf("%8.3f s  %s %12" PRIu64 "  %10.0f pps\n", secs, r->what, n, pps);
	fflush(stdout);
}

/*
 * Call after every receive batch and every receive timeout with the cumulative count.
 * Returns 1 when the run should end (duration reached or a signal), 0 to go on, negative
 * errno when the count file cannot be written.
 */
static int rx_report_tick(struct rx_report *r, uint64_t rx)
{
	double now = rx_now();
	int err;

	if (now - r->t_count >= RX_COUNT_PERIOD) {
		err = rx_write_count(r, rx);
		if (err) {
			fprintf(stderr, "%s: --count-file %s: %s\n", r->prog, r->count_file,
				strerror(-err));
			return err;
		}
		r->t_count = now;
	}
	if (now - r->t_print >= 1.0) {
		rx_print_interval(r, now - r->t_print, rx - r->rx_print);
		r->t_print = now;
		r->rx_print = rx;
	}
	return rx_stop || (r->duration > 0 && now - r->t_start >= r->duration);
}

/* The final count file and the total line; returns 0 or negative errno. */
static int rx_report_final(const struct rx_report *r, uint64_t rx)
{
	double secs = rx_now() - r->t_start;
	double pps = secs > 0 ? (double)rx / secs : 0;
	int err = rx_write_count(r, rx);

	if (err)
		fprintf(stderr, "%s: --count-file %s: %s\n", r->prog, r->count_file,
			strerror(-err));
	if (r->json)
		printf("{\"total\":%.3f,\"%s\":%" PRIu64 ",\"%s_pps\":%.0f}\n", secs, r->what, rx,
		       r->what, pps);
	else
		printf("total %.3f s  %s %" PRIu64 "  %.0f pps\n", secs, r->what, rx, pps);
	fflush(stdout);
	return err;
}

#endif /* XDPGATE_BENCH_RX_COMMON_H */
