// SPDX-License-Identifier: GPL-2.0
/*
 * afpacket_tx — the packet-socket send path as a benchmark row: one AF_PACKET socket on an
 * interface sending the same UDP/IPv4 frame (built by user/util/frame_build.c, checksums
 * valid) to --dst, one thread (the harness pins it).
 *
 *   afpacket_tx --iface IF --dst ADDR [--dst-mac MAC] [--port P] [--mode sendto|ring]
 *               [--size N] [--batch N] [--count N] [--duration S] [--json]
 *
 * sendto: one send() per frame, through the qdisc: a syscall and an skb per frame.
 * ring:   a PACKET_TX_RING (TPACKET_V2, 4096 frames, each pre-filled with the frame once)
 *         with PACKET_QDISC_BYPASS: the loop marks up to --batch frames TP_STATUS_SEND_REQUEST
 *         and one send(fd, NULL, 0, MSG_DONTWAIT) hands them all to the driver, skipping
 *         the qdisc (a blocking send only when the ring is full: it waits for completions). Still one skb per frame: the kernel copies each out of the ring.
 * The count is frames the kernel took (send's success); the row counts at the receiver.
 * The source MAC and address are the interface's; --dst-mac defaults to --dst's neighbour.
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/mman.h>

#include "bench/rx_common.h"
#include "user/util/frame_build.h"
#include "user/util/netdev.h"

#define PROG "afpacket_tx"
#define MAX_BATCH 1024
#define RING_FRAME 2048u
#define RING_BLOCK (1u << 20)
#define RING_FRAMES 4096u
#define DATA_OFF (TPACKET2_HDRLEN - sizeof(struct sockaddr_ll)) /* TX data, no TX_HAS_OFF */

enum tx_mode { MODE_SENDTO, MODE_RING };

struct afp_tx_opts {
	const char *iface;
	const char *dst;
	const char *dst_mac;
	unsigned int port;
	enum tx_mode mode;
	struct rx_common_opts c;
};

struct afp_tx {
	int fd;
	uint8_t frame[RX_SIZE_MAX];
	size_t len; /* without FCS */
	uint8_t *map;
	size_t map_len;
	unsigned int cur; /* ring: next frame to fill */
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s --iface IF --dst ADDR [--dst-mac MAC] [--port P] [--mode sendto|ring]\n"
		"                   [--size N] [--batch N] [--count N] [--duration S] [--json]\n"
		"Send one UDP/IPv4 frame to ADDR:P over and over on an AF_PACKET socket on IF.\n"
		"  --mode      sendto: send() per frame; ring: PACKET_TX_RING + "
		"PACKET_QDISC_BYPASS\n"
		"  --dst-mac   destination MAC (default: ADDR's neighbour entry on IF)\n"
		"  --port      UDP destination port (9)\n"
		"  --size      Ethernet frame bytes with FCS, %d..%d (64)\n"
		"  --batch     ring frames per send(), 1..%d (64)\n"
		"  --count     stop after N frames, 0 = no limit (0)\n"
		"  --duration  seconds to run, 0 = until SIGINT/SIGTERM or --count (0)\n"
		"  --json      one JSON object per line\n",
		PROG, RX_SIZE_MIN, RX_SIZE_MAX, MAX_BATCH);
}

static int parse_mode(const char *s, enum tx_mode *mode)
{
	if (!strcmp(s, "sendto"))
		*mode = MODE_SENDTO;
	else if (!strcmp(s, "ring"))
		*mode = MODE_RING;
	else {
		fprintf(stderr, "%s: --mode: '%s' is not sendto or ring\n", PROG, s);
		return -EINVAL;
	}
	return 0;
}

static int own_opt(int c, const char *arg, void *own)
{
	struct afp_tx_opts *o = own;
	unsigned long v = 0;
	int err;

	switch (c) {
	case 'i':
		o->iface = arg;
		break;
	case 'D':
		o->dst = arg;
		break;
	case 'M':
		o->dst_mac = arg;
		break;
	case 'p':
		err = rx_parse_uint(PROG, "--port", arg, 1, 65535, &v);
		o->port = (unsigned int)v;
		return err;
	case 'm':
		return parse_mode(arg, &o->mode);
	default:
		return 1;
	}
	return 0;
}

/* Returns 0, 1 when help was printed, or negative errno after one error line. */
static int parse_args(int argc, char **argv, struct afp_tx_opts *o)
{
	static const struct option longopts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "dst", required_argument, NULL, 'D' },
		{ "dst-mac", required_argument, NULL, 'M' },
		{ "port", required_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, 'm' },
		RX_LONGOPTS_SENDER,
		RX_LONGOPT_END,
	};
	static const struct rx_cli cli = { .prog = PROG,
					   .optstring = ":i:D:M:p:m:s:B:n:d:jh",
					   .longopts = longopts,
					   .max_batch = MAX_BATCH,
					   .usage = usage,
					   .own_opt = own_opt };
	int err;

	*o = (struct afp_tx_opts){ .port = 9, .c.size = RX_SIZE_MIN, .c.batch = 64 };
	err = rx_parse_opts(&cli, argc, argv, &o->c, o);
	if (err)
		return err;
	if (!o->iface || !o->dst) {
		fprintf(stderr, "%s: --iface and --dst are required\n", PROG);
		return -EINVAL;
	}
	return 0;
}

/* The one frame every send repeats: IF's MAC and first IPv4 address to --dst. */
static int build_frame(const struct afp_tx_opts *o, struct afp_tx *t)
{
	struct xg_frame_spec s = { .l3 = XG_L3_IPV4, .l4_proto = 17 /* UDP */ };
	uint8_t src4[16];
	int err;

	if (inet_pton(AF_INET, o->dst, s.ip4.daddr) != 1) {
		fprintf(stderr, "%s: --dst: '%s' is not an IPv4 address\n", PROG, o->dst);
		return -EINVAL;
	}
	if (xg_netdev_mac(o->iface, s.src) || xg_netdev_addr(o->iface, AF_INET, src4)) {
		fprintf(stderr, "%s: --iface %s: no MAC or no IPv4 address\n", PROG, o->iface);
		return -ENODEV;
	}
	memcpy(s.ip4.saddr, src4, 4);
	err = o->dst_mac ? xg_parse_mac(o->dst_mac, s.dst)
			 : xg_netdev_neigh4(o->iface, s.ip4.daddr, s.dst);
	if (err) {
		fprintf(stderr, "%s: %s '%s'\n", PROG,
			o->dst_mac ? "--dst-mac: not a MAC:" : "no neighbour entry for",
			o->dst_mac ? o->dst_mac : o->dst);
		return -EINVAL;
	}
	s.udp.sport = (uint16_t)o->port;
	s.udp.dport = (uint16_t)o->port;
	s.payload_len = o->c.size - RX_HDR_BYTES;
	t->len = xg_frame_build(&s, t->frame, sizeof(t->frame));
	return t->len ? 0 : -EINVAL;
}

/* An AF_PACKET socket bound to IF that receives nothing (protocol 0). */
static int open_socket(const struct afp_tx_opts *o, struct afp_tx *t)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };

	sll.sll_ifindex = (int)if_nametoindex(o->iface);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "%s: --iface %s: %s\n", PROG, o->iface, strerror(errno));
		return -ENODEV;
	}
	t->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (t->fd < 0 || bind(t->fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "%s: AF_PACKET socket on %s: %s\n", PROG, o->iface,
			strerror(errno));
		return -errno;
	}
	return 0;
}

/* ring mode: TPACKET_V2 TX ring, qdisc bypass, every frame slot pre-filled. */
static int setup_ring(struct afp_tx *t)
{
	struct tpacket_req req = { .tp_block_size = RING_BLOCK,
				   .tp_block_nr = RING_FRAMES * RING_FRAME / RING_BLOCK,
				   .tp_frame_size = RING_FRAME,
				   .tp_frame_nr = RING_FRAMES };
	int v2 = TPACKET_V2, one = 1;
	unsigned int i;

	if (setsockopt(t->fd, SOL_PACKET, PACKET_VERSION, &v2, sizeof(v2)) ||
	    setsockopt(t->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) ||
	    setsockopt(t->fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req))) {
		fprintf(stderr, "%s: PACKET_TX_RING: %s\n", PROG, strerror(errno));
		return -errno;
	}
	t->map_len = (size_t)RING_FRAMES * RING_FRAME;
	t->map = mmap(NULL, t->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd, 0);
	if (t->map == MAP_FAILED) {
		t->map = NULL;
		fprintf(stderr, "%s: mmap: %s\n", PROG, strerror(errno));
		return -errno;
	}
	for (i = 0; i < RING_FRAMES; i++)
		memcpy(t->map + (size_t)i * RING_FRAME + DATA_OFF, t->frame, t->len);
	return 0;
}

static bool retry_errno(int e)
{
	return e == ENOBUFS || e == EAGAIN || e == EINTR;
}

/* sendto: one frame a syscall. Returns frames the kernel took, or negative errno. */
static int send_plain(struct afp_tx *t, unsigned int want)
{
	unsigned int i;

	for (i = 0; i < want; i++) {
		if (send(t->fd, t->frame, t->len, 0) < 0) {
			if (retry_errno(errno))
				break;
			fprintf(stderr, "%s: send: %s\n", PROG, strerror(errno));
			return -errno;
		}
	}
	return (int)i;
}

/* ring: mark up to want free slots, one send() for all. Returns frames sent or -errno. */
static int send_ring(struct afp_tx *t, unsigned int want)
{
	struct tpacket2_hdr *h;
	unsigned int n = 0;

	while (n < want) {
		h = (struct tpacket2_hdr *)(t->map + (size_t)t->cur * RING_FRAME);
		if (__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) != TP_STATUS_AVAILABLE)
			break; /* still the kernel's: send what is marked, it frees them */
		h->tp_len = (unsigned int)t->len;
		__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
		t->cur = (t->cur + 1) % RING_FRAMES;
		n++;
	}
	/*
	 * The kernel sends every marked frame within the call either way; a blocking send then
	 * also waits until each one's skb is freed (on the receiver's CPU here). Only when no
	 * slot was free is that wait wanted: it is what frees them.
	 */
	if (send(t->fd, NULL, 0, n ? MSG_DONTWAIT : 0) < 0 && !retry_errno(errno)) {
		fprintf(stderr, "%s: send (TX ring): %s\n", PROG, strerror(errno));
		return -errno;
	}
	return (int)n;
}

static int send_loop(struct afp_tx *t, const struct afp_tx_opts *o, struct rx_report *r,
		     uint64_t *tx)
{
	unsigned int want;
	int n, done = 0;

	while (!done) {
		want = rx_tx_want(&o->c, *tx);
		n = o->mode == MODE_RING ? send_ring(t, want) : send_plain(t, want);
		if (n < 0)
			return n;
		*tx += (uint64_t)n;
		done = rx_report_tick(r, *tx) || rx_tx_count_done(&o->c, *tx);
	}
	return done < 0 ? done : 0;
}

int main(int argc, char **argv)
{
	struct afp_tx t = { .fd = -1 };
	struct afp_tx_opts o;
	struct rx_report r;
	uint64_t tx = 0;
	int err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	if (rx_report_init(&r, PROG, NULL, o.c.json, o.c.duration) || build_frame(&o, &t))
		return 2;
	r.what = "tx";
	err = open_socket(&o, &t);
	if (!err && o.mode == MODE_RING)
		err = setup_ring(&t);
	if (!err) {
		err = rx_install_signals();
		if (err)
			fprintf(stderr, "%s: sigaction: %s\n", PROG, strerror(-err));
	}
	if (!err) {
		err = send_loop(&t, &o, &r, &tx);
		rx_report_final(&r, tx);
	}
	if (t.map)
		munmap(t.map, t.map_len);
	if (t.fd >= 0)
		close(t.fd);
	return err ? 1 : 0;
}
