// SPDX-License-Identifier: GPL-2.0
/* gen: transmit generated frames out of an interface at line rate or a paced rate. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/gen_marker.h"
#include "user/cli/commands.h"
#include "user/gate/counters.h"
#include "user/gate/caps.h"
#include "user/gate/gate.h"
#include "user/gen/engine.h"
#include "user/gen/template.h"
#include "user/util/log.h"
#include "user/util/signal.h"
#include "user/util/netdev.h"

struct gen_cfg {
	int proto, engine;
	bool ipv4, ipv6;
	unsigned int size, flows, threads, sport, dport;
	const char *src, *dst;
	struct xg_opt_mac dst_mac;
	double rate, duration, interval;
	uint64_t count;
	bool json;
	bool no_marker;
};

static const struct xg_opt_enum gen_protos[] = {
	{ "udp", XG_GEN_UDP },
	{ "tcp", XG_GEN_TCP },
	{ "icmp", XG_GEN_ICMP },
	{ NULL, 0 },
};

static const struct xg_opt_enum gen_engines[] = {
	{ "live", XG_GEN_LIVE },
	{ "xsk", XG_GEN_XSK },
	{ NULL, 0 },
};

static int parse_addr(const char *what, const char *s, int family, uint8_t out[16])
{
	if (inet_pton(family == 4 ? AF_INET : AF_INET6, s, out) == 1)
		return 0;
	pr_warn("gen: --%s: '%s' is not an IPv%d address\n", what, s, family);
	return -EINVAL;
}

static int resolve_addrs(const struct gen_cfg *cfg, const char *ifname, struct xg_gen_frame_req *r)
{
	int af = r->family == 4 ? AF_INET : AF_INET6;

	if (parse_addr("dst", cfg->dst, r->family, r->dst))
		return -EINVAL;
	if (cfg->src)
		return parse_addr("src", cfg->src, r->family, r->src);
	if (xg_netdev_addr(ifname, af, r->src)) {
		pr_warn("gen: %s has no IPv%d address; give --src ADDR\n", ifname, r->family);
		return -EINVAL;
	}
	return 0;
}

static int resolve_macs(const struct gen_cfg *cfg, const char *ifname, struct xg_gen_frame_req *r)
{
	if (xg_netdev_mac(ifname, r->src_mac)) {
		pr_warn("gen: cannot read the MAC address of %s\n", ifname);
		return -EINVAL;
	}
	if (cfg->dst_mac.set) {
		memcpy(r->dst_mac, cfg->dst_mac.addr, 6);
		return 0;
	}
	if (r->family == 4 && !xg_netdev_neigh4(ifname, r->dst, r->dst_mac))
		return 0;
	memset(r->dst_mac, 0xff, 6);
	pr_info("gen: no neighbour entry for --dst; sending to ff:ff:ff:ff:ff:ff\n");
	return 0;
}

static int check_size(const struct gen_cfg *cfg, const struct xg_gen_frame_req *r)
{
	unsigned int min = xg_gen_min_size(r->proto, r->family);
	const char *proto = xg_opt_enum_name(gen_protos, r->proto);

	if (r->size < min) {
		pr_warn("gen: --size %u is too small for IPv%d/%s headers (at least %u, FCS "
			"included)\n",
			cfg->size, r->family, proto, min);
		return -EINVAL;
	}
	if (r->size > XG_GEN_MAX_SIZE) {
		pr_warn("gen: --size %u is above %u (a 9000-byte MTU frame with FCS)\n", cfg->size,
			XG_GEN_MAX_SIZE);
		return -EINVAL;
	}
	if (r->size > XG_GEN_LIVE_MAX_SIZE && cfg->engine == XG_GEN_LIVE) {
		pr_warn("gen: --size %u is above the live engine's %u (the kernel runs live frames "
			"in one page); --engine xsk sends jumbo frames\n",
			cfg->size, XG_GEN_LIVE_MAX_SIZE);
		return -EINVAL;
	}
	if (r->size < xg_gen_marker_size(r->proto, r->family))
		pr_info("gen: frames of %u bytes have no room for the sequence marker\n", r->size);
	return 0;
}

static int check_gen(const void *cfgp, int argc, char **argv)
{
	const struct gen_cfg *cfg = cfgp;
	struct xg_gen_frame_req r = { .proto = cfg->proto, .size = cfg->size };

	(void)argc;
	(void)argv;
	if (cfg->ipv4 && cfg->ipv6) {
		pr_warn("gen: -4 and -6 exclude each other\n");
		return -1;
	}
	if (!cfg->dst) {
		pr_warn("gen: --dst ADDR is required\n");
		return -1;
	}
	r.family = cfg->ipv6 ? 6 : 4;
	if (parse_addr("dst", cfg->dst, r.family, r.dst) ||
	    (cfg->src && parse_addr("src", cfg->src, r.family, r.src)))
		return -1; /* a usage error: exit 2 before anything is loaded */
	return check_size(cfg, &r);
}

static int build_params(const struct gen_cfg *cfg, const struct xg_gate *g, uint8_t *frame,
			struct xg_gen_params *p)
{
	struct xg_gen_frame_req r = { .proto = cfg->proto, .size = cfg->size };
	cpu_set_t set;
	unsigned int i, n = 0;
	int cpus[CPU_SETSIZE];

	r.family = cfg->ipv6 ? 6 : 4;
	r.sport = (uint16_t)cfg->sport;
	r.dport = (uint16_t)cfg->dport;
	if (resolve_addrs(cfg, g->ifname, &r) || resolve_macs(cfg, g->ifname, &r))
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->frame = frame;
	p->frame_len = xg_gen_build(&r, frame, &p->layout);
	if (!p->frame_len)
		return -EINVAL;
	if (cfg->no_marker)
		p->layout.marker_off = 0; /* the template keeps frame 0's marker, unchanged */
	p->engine = cfg->engine;
	p->ifindex = g->ifindex;
	p->ifname = g->ifname;
	p->flows = cfg->flows;
	p->rate = cfg->rate;
	p->count = cfg->count;
	p->threads = cfg->threads;
	/* threads go round-robin over the CPUs we may run on (taskset chooses them) */
	if (sched_getaffinity(0, sizeof(set), &set))
		CPU_ZERO(&set);
	for (i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set))
			cpus[n++] = (int)i;
	/* the program counts frames per CPU, so two threads must not share one */
	if (n && p->threads > n) {
		pr_warn("gen: --threads %u exceeds the %u CPUs this process may run on\n",
			p->threads, n);
		return -EINVAL;
	}
	for (i = 0; i < p->threads; i++)
		p->cpus[i] = n ? cpus[i] : (int)i;
	return 0;
}

static void report(const struct gen_cfg *cfg, const char *ifname, const char *what, double secs,
		   uint64_t frames)
{
	double pps = secs > 0 ? (double)frames / secs : 0;
	double mbps = pps * cfg->size * 8 / 1e6;

	if (cfg->json)
		printf("{\"interface\":\"%s\",\"%s\":%.3f,\"sent\":%llu,\"sent_pps\":%.1f,"
		       "\"sent_mbps\":%.2f}\n",
		       ifname, what, secs, (unsigned long long)frames, pps, mbps);
	else
		printf("%-10s %s %6.1f s  sent %12llu  %12.0f pkt/s %10.1f Mbit/s\n", ifname, what,
		       secs, (unsigned long long)frames, pps, mbps);
	fflush(stdout);
}

/* Print per-interval rates until the engine finishes, the duration ends, a signal, or the
 * interface goes away (a run already under way would go on refusing frames for up to a
 * second's worth of them; -ENODEV then). */
static int gen_loop(const struct gen_cfg *cfg, const struct xg_gate *g, struct xg_gen *gen)
{
	double start = xg_now(), next = start + cfg->interval, now;
	uint64_t prev = 0, cur;
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int err = 0;

	while (!xg_stop_requested() && xg_gen_running(gen)) {
		nanosleep(&ts, NULL);
		if (xg_gate_iface_gone(g)) {
			err = -ENODEV;
			break;
		}
		now = xg_now();
		if (cfg->duration > 0 && now - start >= cfg->duration)
			break;
		if (now < next)
			continue;
		cur = xg_gen_sent(gen);
		report(cfg, g->ifname, "interval", now - next + cfg->interval, cur - prev);
		prev = cur;
		next += cfg->interval;
	}
	atomic_store(&gen->stop, true);
	return err;
}

/* One line on what the kernel did not send, and whether that fails the run: an error from
 * the run (the interface deleted), a --count not met, or nothing sent at all. Drops under
 * an unbounded load (a full TX ring) are reported, not failed. */
static int check_totals(const struct gen_cfg *cfg, const char *ifname, int err,
			const struct xg_gen_totals *t)
{
	uint64_t lost = t->generated > t->sent ? t->generated - t->sent : 0;
	int why = err ? err : t->xmit_err;

	if (lost)
		pr_warn("gen: %s: %llu of %llu frames not sent (%llu dropped by the driver, "
			"%llu refused before it)%s%s\n",
			ifname, (unsigned long long)lost, (unsigned long long)t->generated,
			(unsigned long long)t->dropped, (unsigned long long)t->refused,
			why ? ": " : "", why ? strerror(-why) : "");
	if (err) {
		const char *hint = err == -ENODEV ? " (the interface is gone)" : "";

		if (err == -EINVAL)
			hint = " (is the interface up?)";
		pr_warn("gen: %s: transmitting failed: %s%s\n", ifname, strerror(-err), hint);
		return 1;
	}
	if (cfg->count && t->sent < cfg->count && !xg_stop_requested())
		return 1;
	return lost && !t->sent ? 1 : 0;
}

/* A --rate the engine could not reach is not an error (a benchmark may ask for more than
 * a noisy machine gives), but it is said, once, with what the engine did reach. Runs
 * under a second are left out: start-up weighs too much in them. */
static void warn_short_rate(const struct gen_cfg *cfg, const char *ifname, double secs,
			    uint64_t frames)
{
	double pps = secs > 0 ? (double)frames / secs : 0;

	if (cfg->rate <= 0 || secs < 1.0 || pps >= 0.95 * cfg->rate)
		return;
	pr_warn("gen: --rate %.0f is more than the %s engine reached on %s: %.0f frames/s\n",
		cfg->rate, xg_opt_enum_name(gen_engines, cfg->engine), ifname, pps);
}

static int do_gen(void *cfgp, int argc, char **argv)
{
	uint8_t frame[XG_GEN_MAX_SIZE];
	struct gen_cfg *cfg = cfgp;
	struct xg_gen_totals t;
	struct xg_gen_params p;
	struct xg_gen gen;
	struct xg_gate g;
	double start, started;
	int err, gone;

	(void)argc;
	if (xg_require_caps("gen", XG_CAPS_RUN) || xg_gate_init(&g, "gen", argv[0]) ||
	    build_params(cfg, &g, frame, &p))
		return 1;
	xg_stop_on_signals();
	start = xg_now();
	if (xg_gen_start(&gen, &p))
		return 1;
	/* the rate check starts here: loading a program or binding sockets is not sending */
	started = xg_now();
	gone = gen_loop(cfg, &g, &gen);
	err = xg_gen_stop(&gen);
	err = gone ? gone : err; /* a run cut short by the deletion says less */
	xg_gen_totals(&gen, &t);
	report(cfg, g.ifname, "total", xg_now() - start, t.sent);
	warn_short_rate(cfg, g.ifname, xg_now() - started, t.sent);
	return check_totals(cfg, g.ifname, err, &t);
}

static void gen_defaults(void *cfgp)
{
	struct gen_cfg *cfg = cfgp;

	cfg->proto = XG_GEN_UDP;
	cfg->engine = XG_GEN_LIVE;
	cfg->size = 64;
	cfg->flows = 1;
	cfg->threads = 1;
	cfg->sport = 10000;
	cfg->dport = 9; /* discard */
	cfg->interval = 1.0;
}

#define O(field) offsetof(struct gen_cfg, field)
static const struct xg_opt gen_opts[] = {
	{ .name = "engine",
	  .short_name = 'e',
	  .type = XG_OPT_ENUM,
	  .offset = O(engine),
	  .help = "live: BPF_PROG_RUN live frames (the default); xsk: an AF_XDP socket per "
		  "thread,\n"
		  "                                   thread i on queue i",
	  .enum_vals = gen_engines },
	{ .name = "proto",
	  .short_name = 'p',
	  .type = XG_OPT_ENUM,
	  .offset = O(proto),
	  .help = "L4 protocol (default udp; tcp sends SYNs)",
	  .enum_vals = gen_protos },
	{ .name = "ipv4",
	  .short_name = '4',
	  .type = XG_OPT_FLAG,
	  .offset = O(ipv4),
	  .help = "IPv4 (the default)" },
	{ .name = "ipv6",
	  .short_name = '6',
	  .type = XG_OPT_FLAG,
	  .offset = O(ipv6),
	  .help = "IPv6" },
	{ .name = "size",
	  .short_name = 's',
	  .type = XG_OPT_UINT,
	  .offset = O(size),
	  .metavar = "BYTES",
	  .help = "frame size with the 4-byte FCS, as RFC 2544 counts (default 64)",
	  .min = 1,
	  .max = 100000 },
	{ .name = "flows",
	  .short_name = 'f',
	  .type = XG_OPT_UINT,
	  .offset = O(flows),
	  .metavar = "N",
	  .help = "vary source port and address over N flows (default 1)",
	  .min = 1,
	  .max = XG_GEN_MAX_FLOWS },
	{ .name = "src",
	  .type = XG_OPT_STRING,
	  .offset = O(src),
	  .metavar = "ADDR",
	  .help = "source address (default: IFACE's)" },
	{ .name = "dst",
	  .type = XG_OPT_STRING,
	  .offset = O(dst),
	  .metavar = "ADDR",
	  .help = "destination address (required)" },
	{ .name = "dst-mac",
	  .type = XG_OPT_MAC,
	  .offset = O(dst_mac),
	  .metavar = "MAC",
	  .help = "destination MAC (default: ARP table, else broadcast)" },
	{ .name = "sport",
	  .type = XG_OPT_UINT,
	  .offset = O(sport),
	  .metavar = "PORT",
	  .help = "first source port (default 10000)",
	  .max = 65535 },
	{ .name = "dport",
	  .type = XG_OPT_UINT,
	  .offset = O(dport),
	  .metavar = "PORT",
	  .help = "destination port (default 9)",
	  .max = 65535 },
	{ .name = "rate",
	  .short_name = 'r',
	  .type = XG_OPT_DOUBLE,
	  .offset = O(rate),
	  .metavar = "PPS",
	  .help = "pace to PPS frames/s in total" },
	XG_OPT_COUNT(struct gen_cfg, count, "send exactly N frames, then stop"),
	XG_OPT_DURATION(struct gen_cfg, duration, "stop after S seconds"),
	{ .name = "threads",
	  .short_name = 't',
	  .type = XG_OPT_UINT,
	  .offset = O(threads),
	  .metavar = "N",
	  .help = "sending threads, round-robin over the allowed CPUs (default 1)",
	  .min = 1,
	  .max = XG_GEN_MAX_THREADS },
	XG_OPT_INTERVAL(struct gen_cfg, interval),
	XG_OPT_JSON(struct gen_cfg, json, "one JSON object per line"),
	{ .name = "no-marker",
	  .type = XG_OPT_FLAG,
	  .offset = O(no_marker),
	  .help = "do not write the per-frame marker (benchmarks: the write dirties a cache line "
		  "the\n"
		  "                                   receiver then has to fetch from this CPU)" },
	XG_OPT_END,
};
#undef O

const struct xg_cmd xg_cmd_gen = {
	.name = "gen",
	.args = "IFACE",
	.min_args = 1,
	.max_args = 1,
	.summary = "Transmit generated frames out of IFACE (BPF_PROG_RUN live frames with XDP_TX,\n"
		   "or with --engine xsk through AF_XDP sockets, zero-copy where the driver can).\n"
		   "Each frame carries a 16-byte marker after the L4 header (thread, flow, "
		   "sequence\n"
		   "number) when it fits: from 64 bytes for IPv4 UDP/ICMP, 82 for IPv4 TCP, 86 "
		   "for\n"
		   "IPv6 UDP/ICMPv6, 98 for IPv6 TCP; 64-byte IPv6 frames cannot hold the "
		   "headers.\n"
		   "On veth the peer end must have NAPI (an XDP program attached, or GRO on),\n"
		   "or the kernel drops the frames.",
	.opts = gen_opts,
	.cfg_size = sizeof(struct gen_cfg),
	.defaults = gen_defaults,
	.check = check_gen,
	.run = do_gen,
};
