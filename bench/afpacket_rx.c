// SPDX-License-Identifier: GPL-2.0
/*
 * afpacket_rx — the kernel's own packet-capture fast path as a benchmark row: an AF_PACKET
 * socket with a TPACKET_V3 mmap ring on one interface, frames counted and thrown away.
 *
 *   afpacket_rx --iface IF [--duration S] [--json] [--count-file PATH]
 *
 * Design note: TPACKET_V3 fills whole blocks (here 64 x 1 MiB) and hands a block to user
 * space when it is full or after the block timeout (10 ms), so one poll() wake-up covers
 * many frames. The loop owns one cursor: while the block under it has TP_STATUS_USER it
 * walks the block's frames, gives the block back (TP_STATUS_KERNEL) and moves on; when the
 * block is still the kernel's it sleeps in poll(). The socket taps the frames; the kernel
 * stack still receives them too (AF_PACKET does not consume), which is the real cost of a
 * packet-socket receiver. Outgoing frames (the stack's ICMP replies) are not counted.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/rx_common.h"

#define PROG "afpacket_rx"
#define BLOCK_SIZE (1u << 20)
#define BLOCK_NR 64u
#define FRAME_SIZE 2048u /* TPACKET_V3 packs frames; this only sets frame_nr */
#define BLOCK_TIMEOUT_MS 10u

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

struct afp_opts {
	const char *iface;
	struct rx_common_opts c;
};

struct afp_ring {
	int fd;
	uint8_t *map;
	size_t map_len;
	unsigned int block_nr;
	unsigned int block_size;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s --iface IF [--duration S] [--json] [--count-file PATH]\n"
		"Receive every frame of IF on an AF_PACKET TPACKET_V3 ring (%u x %u KiB blocks,\n"
		"%u ms block timeout), count them.\n"
		"  --duration  seconds to run, 0 = until SIGINT/SIGTERM (0)\n"
		"  --json      one JSON object per line\n"
		"  --count-file PATH  cumulative count, rewritten every 100 ms (atomic rename)\n",
		PROG, BLOCK_NR, BLOCK_SIZE >> 10, BLOCK_TIMEOUT_MS);
}

static int own_opt(int c, const char *arg, void *own)
{
	struct afp_opts *o = own;

	switch (c) {
	case 'i':
		o->iface = arg;
		break;
	default:
		return 1;
	}
	return 0;
}

/* Returns 0, 1 when help was printed, or negative errno after one error line. */
static int parse_args(int argc, char **argv, struct afp_opts *o)
{
	static const struct option longopts[] = {
		{ "iface", required_argument, NULL, 'i' },
		RX_LONGOPTS_RECEIVER,
		RX_LONGOPT_END,
	};
	static const struct rx_cli cli = { .prog = PROG,
					   .optstring = ":i:d:jc:h",
					   .longopts = longopts,
					   .max_batch = 1,
					   .usage = usage,
					   .own_opt = own_opt };
	int err;

	*o = (struct afp_opts){ 0 };
	err = rx_parse_opts(&cli, argc, argv, &o->c, o);
	if (err)
		return err;
	if (!o->iface) {
		fprintf(stderr, "%s: --iface is required\n", PROG);
		return -EINVAL;
	}
	return 0;
}

/* Version, ring, mmap, bind: the order packet(7) requires (the ring before bind). */
static int ring_setup(struct afp_ring *ring, unsigned int ifindex)
{
	struct tpacket_req3 req = {
		.tp_block_size = BLOCK_SIZE,
		.tp_block_nr = BLOCK_NR,
		.tp_frame_size = FRAME_SIZE,
		.tp_frame_nr = BLOCK_SIZE / FRAME_SIZE * BLOCK_NR,
		.tp_retire_blk_tov = BLOCK_TIMEOUT_MS,
	};
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = (int)ifindex };
	int ver = TPACKET_V3, one = 1;

	if (setsockopt(ring->fd, SOL_PACKET, PACKET_VERSION, &ver, sizeof(ver)) ||
	    setsockopt(ring->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)))
		return -errno;
	/* Best effort (kernel >= 4.20); without it outgoing frames are skipped in walk_block. */
	setsockopt(ring->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	ring->block_nr = req.tp_block_nr;
	ring->block_size = req.tp_block_size;
	ring->map_len = (size_t)req.tp_block_size * req.tp_block_nr;
	ring->map = mmap(NULL, ring->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			 ring->fd, 0);
	if (ring->map == MAP_FAILED) {
		ring->map = NULL;
		return -errno;
	}
	if (bind(ring->fd, (struct sockaddr *)&sll, sizeof(sll)))
		return -errno;
	return 0;
}

static int ring_open(struct afp_ring *ring, const char *iface)
{
	unsigned int ifindex = if_nametoindex(iface);
	int err;

	*ring = (struct afp_ring){ .fd = -1 };
	if (!ifindex) {
		fprintf(stderr, "%s: --iface: '%s': %s\n", PROG, iface, strerror(errno));
		return -ENODEV;
	}
	/* Protocol 0: no frame is queued before the ring exists; bind() names ETH_P_ALL. */
	ring->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (ring->fd < 0) {
		err = -errno;
		fprintf(stderr, "%s: socket(AF_PACKET): %s\n", PROG, strerror(errno));
		return err;
	}
	err = ring_setup(ring, ifindex);
	if (err)
		fprintf(stderr, "%s: TPACKET_V3 ring on %s: %s\n", PROG, iface, strerror(-err));
	return err;
}

static void ring_close(struct afp_ring *ring)
{
	if (ring->map)
		munmap(ring->map, ring->map_len);
	if (ring->fd >= 0)
		close(ring->fd);
}

static struct tpacket_block_desc *ring_block(const struct afp_ring *ring, unsigned int i)
{
	return (struct tpacket_block_desc *)(ring->map + (size_t)i * ring->block_size);
}

/* Count the received frames of one user-owned block, following each frame's next offset. */
static uint64_t walk_block(const struct tpacket_block_desc *bd)
{
	const struct tpacket3_hdr *h;
	const struct sockaddr_ll *sll;
	uint32_t i, n = bd->hdr.bh1.num_pkts;
	uint64_t rx = 0;

	h = (const void *)((const uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt);
	for (i = 0; i < n; i++) {
		sll = (const void *)((const uint8_t *)h + TPACKET_ALIGN(sizeof(*h)));
		rx += sll->sll_pkttype != PACKET_OUTGOING;
		h = (const void *)((const uint8_t *)h + h->tp_next_offset);
	}
	return rx;
}

/* Hand blocks to user space in ring order; poll() while the next one is the kernel's. */
static int rx_loop(struct afp_ring *ring, struct rx_report *r, uint64_t *rx)
{
	struct pollfd pfd = { .fd = ring->fd, .events = POLLIN | POLLERR };
	struct tpacket_block_desc *bd;
	unsigned int cur = 0;
	int done = 0;

	while (!done) {
		bd = ring_block(ring, cur);
		if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) &
		      TP_STATUS_USER)) {
			if (poll(&pfd, 1, RX_POLL_MS) < 0 && errno != EINTR) {
				fprintf(stderr, "%s: poll: %s\n", PROG, strerror(errno));
				return -errno;
			}
			done = rx_report_tick(r, *rx);
			continue;
		}
		*rx += walk_block(bd);
		__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		cur = (cur + 1) % ring->block_nr;
		done = rx_report_tick(r, *rx);
	}
	return done < 0 ? done : 0;
}

int main(int argc, char **argv)
{
	struct afp_ring ring;
	struct rx_report r;
	struct afp_opts o;
	uint64_t rx = 0;
	int err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err > 0 ? 0 : 2;
	if (rx_report_init(&r, PROG, o.c.count_file, o.c.json, o.c.duration))
		return 2;
	err = ring_open(&ring, o.iface);
	if (err)
		goto out;
	err = rx_install_signals();
	if (err) {
		fprintf(stderr, "%s: sigaction: %s\n", PROG, strerror(-err));
		goto out;
	}
	/* Written once before the first frame, so a reader sees 0 instead of nothing. */
	err = rx_write_count(&r, 0);
	if (err) {
		fprintf(stderr, "%s: --count-file %s: %s\n", PROG, o.c.count_file, strerror(-err));
		goto out;
	}
	err = rx_loop(&ring, &r, &rx);
	if (rx_report_final(&r, rx) && !err)
		err = -EIO;
out:
	ring_close(&ring);
	return err ? 1 : 0;
}
