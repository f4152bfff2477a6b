// SPDX-License-Identifier: GPL-2.0
/* embed_count IFNAME [SECONDS]: embed the AF_XDP worker pool with a handler of our own that
 * counts frames per IP protocol and queue, then print the counts. The table of counters
 * lives in main() and reaches init() through cfg.handler_ctx; each queue's worker writes
 * only its own slot, and main reads them after xg_pool_stop() has joined the workers. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <xdp/libxdp.h>

#include "common/parse.h"
#include "user/util/log.h"
#include "user/pool/pool.h"

enum { P_TCP, P_UDP, P_ICMP, P_OTHER, P_N };
static const char *const proto_names[P_N] = { "tcp", "udp", "icmp", "other" };

struct proto_counts {
	unsigned long long n[P_N];
	int used;
};

static volatile sig_atomic_t stop;

static int protos_init(void **state, const char *arg, unsigned int queue, void *ctx)
{
	struct proto_counts *counts = ctx;

	(void)arg;
	if (queue >= XG_POOL_MAX_QUEUES) {
		fprintf(stderr, "embed_count: queue %u is beyond the table\n", queue);
		return -1;
	}
	counts[queue].used = 1;
	*state = &counts[queue];
	return 0;
}

static void protos_batch(void *state, struct xg_batch *b, struct xg_handler_stats *st)
{
	struct proto_counts *c = state;
	unsigned int i;

	for (i = 0; i < b->n; i++) {
		struct xg_pkt p = { 0 };
		int k = P_OTHER;

		xg_parse_frame(b->frames[i].data, b->frames[i].data + b->frames[i].len, &p);
		if (p.family && p.l4_proto == IPPROTO_TCP)
			k = P_TCP;
		else if (p.family && p.l4_proto == IPPROTO_UDP)
			k = P_UDP;
		else if (p.family && (p.l4_proto == IPPROTO_ICMP || p.l4_proto == IPPROTO_ICMPV6))
			k = P_ICMP;
		c->n[k]++;
	}
	st->handled += b->n; /* every action stays XG_ACT_RECYCLE */
}

static void protos_fini(void *state) /* the counters outlive the pool: main prints them */
{
	(void)state;
}

static const struct xg_handler_ops protos = {
	.name = "protos",
	.init = protos_init,
	.batch = protos_batch,
	.fini = protos_fini,
};

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct xg_pool_cfg cfg = {
		.log_name = "embed_count",
		.handler = &protos,
		.batch = 64,
		.frame_size = 4096,
		.ring_size = 2048,
		.xsk_mode = XG_XSK_AUTO,
		.wait = XG_WAIT_POLL,
		.attach_mode = XDP_MODE_NATIVE,
		.rules = NULL, /* our own gate: all IP traffic goes to the pool */
	};
	struct proto_counts counts[XG_POOL_MAX_QUEUES] = { 0 };
	struct xg_pool *pool;
	int secs = argc > 2 ? atoi(argv[2]) : 5, q, k;

	if (argc < 2 || argc > 3 || secs <= 0) {
		fprintf(stderr, "usage: %s IFNAME [SECONDS]  (SECONDS > 0, default 5)\n", argv[0]);
		return 2;
	}
	cfg.ifname = argv[1];
	cfg.handler_ctx = counts;
	xg_log_hook_libs(); /* libbpf/libxdp messages through our logger: warnings only */
	if (xg_pool_start(&cfg, &pool))
		return 1;
	signal(SIGINT, on_signal);
	while (!stop && secs-- > 0)
		sleep(1);
	xg_pool_stop(pool); /* joins the workers: their counters are final from here */
	for (q = 0; q < XG_POOL_MAX_QUEUES; q++) {
		if (!counts[q].used)
			continue;
		printf("queue %d:", q);
		for (k = 0; k < P_N; k++)
			printf(" %s %llu", proto_names[k], counts[q].n[k]);
		printf("\n");
	}
	return 0;
}
