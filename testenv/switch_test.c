// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the switch handler (user/pool/handlers/switch.c) over three ports, its
 * workers' batch() and produce() called by hand: a flood reaches every other port once
 * and never the input, known unicast one port, the same port is dropped and counted, a
 * full handoff ring is counted, one worker a port, and bad set-ups refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "user/pool/handler.h"
#include "user/pool/l2switch.h"

#define FRAME 2048

static const uint8_t MAC0[6] = { 0x02, 0, 0, 0, 0, 0x10 }, MAC1[6] = { 0x02, 0, 0, 0, 0, 0x11 };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct port_side {
	void *st;
	uint8_t buf[256][FRAME];
	struct xg_xsk_frame f[256];
	uint8_t action[256];
};

struct fixture {
	struct xg_l2_switch *sw;
	struct port_side p[3];
};

static int setup(void **state)
{
	static const char *const names[3] = { "p0", "p1", "p2" };
	struct fixture *fx = calloc(1, sizeof(*fx));
	unsigned int i;

	assert_non_null(fx);
	fx->sw = xg_l2_switch_new(names, 3, 0);
	assert_non_null(fx->sw);
	for (i = 0; i < 3; i++)
		assert_int_equal(
			xg_handler_switch.init(&fx->p[i].st, NULL, 0, xg_l2_switch_port(fx->sw, i)),
			0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	unsigned int i;

	for (i = 0; i < 3; i++)
		xg_handler_switch.fini(fx->p[i].st);
	xg_l2_switch_free(fx->sw);
	free(fx);
	return 0;
}

/* n frames dst <- src into port's batch, each marked with its index after the header. */
static void send_in(struct fixture *fx, unsigned int port, const uint8_t *dst, const uint8_t *src,
		    unsigned int n, struct xg_handler_stats *hs)
{
	struct port_side *ps = &fx->p[port];
	struct xg_batch b = { .frames = ps->f, .action = ps->action, .n = n };
	unsigned int i;

	for (i = 0; i < n; i++) {
		memcpy(ps->buf[i], dst, 6);
		memcpy(ps->buf[i] + 6, src, 6);
		ps->buf[i][12] = 0x08;
		ps->buf[i][13] = 0;
		ps->buf[i][14] = (uint8_t)i;
		ps->f[i] = (struct xg_xsk_frame){ .data = ps->buf[i], .len = 60, .room = FRAME };
		ps->action[i] = XG_ACT_RECYCLE;
	}
	xg_handler_switch.batch(ps->st, &b, hs);
	for (i = 0; i < n; i++) /* copied: the received frames always go back */
		assert_int_equal(ps->action[i], XG_ACT_RECYCLE);
}

/* What port's worker would send now: frames produced into its own free frames. */
static unsigned int take_out(struct fixture *fx, unsigned int port, unsigned int max)
{
	struct port_side *ps = &fx->p[port];
	unsigned int i;

	for (i = 0; i < max; i++)
		ps->f[i] = (struct xg_xsk_frame){ .data = ps->buf[i], .room = FRAME };
	return xg_handler_switch.produce(ps->st, ps->f, max);
}

/* A multi-buffer chain (9014 bytes in segments of 3840, 3840 and 1334, as 4096-byte UMEM
 * frames give them) flooded from p0: each other port gets it whole as one chain of 2048-byte
 * frames (5 descriptors), every byte in order; one slot short of a free frame, produce
 * leaves it for the next round rather than send part of it. */
static void test_flood_chain(void **state)
{
	uint8_t pkt[9014];
	struct fixture *fx = *state;
	struct xg_handler_stats hs = { 0 };
	struct port_side *ps = &fx->p[0];
	struct xg_xsk_frame seg[2] = { 0 };
	struct xg_batch b = { .frames = ps->f, .action = ps->action, .n = 1 };
	uint8_t got[9014];
	unsigned int i, off;

	for (i = 0; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)(i * 7);
	memcpy(pkt, BCAST, 6);
	memcpy(pkt + 6, MAC0, 6);
	seg[0] = (struct xg_xsk_frame){ .data = pkt + 3840, .len = 3840, .room = 3840 };
	seg[1] = (struct xg_xsk_frame){ .data = pkt + 7680, .len = 1334, .room = 3840 };
	ps->f[0] = (struct xg_xsk_frame){
		.data = pkt, .len = 3840, .room = 3840, .nseg = 3, .pkt_len = 9014, .seg = seg
	};
	ps->action[0] = XG_ACT_RECYCLE;
	xg_handler_switch.batch(ps->st, &b, &hs);
	assert_int_equal(hs.handled, 1);
	assert_int_equal(take_out(fx, 1, 4), 0); /* 5 frames needed: none sent in part */
	assert_int_equal(take_out(fx, 1, 64), 5);
	assert_int_equal(fx->p[1].f[0].nseg, 5);
	assert_int_equal(fx->p[1].f[0].pkt_len, 9014);
	for (i = off = 0; i < 5; i++) {
		const struct xg_xsk_frame *f = i ? &fx->p[1].f[0].seg[i - 1] : &fx->p[1].f[0];

		assert_true(f->len <= FRAME);
		memcpy(got + off, f->data, f->len);
		off += f->len;
	}
	assert_int_equal(off, 9014);
	assert_memory_equal(got, pkt, sizeof(pkt));
	assert_int_equal(take_out(fx, 2, 64), 5);
	assert_int_equal(take_out(fx, 0, 64), 0);
}

static void test_flood_unicast_same_port(void **state)
{
	struct fixture *fx = *state;
	struct xg_handler_stats hs = { 0 };
	struct xg_l2_port *p0 = xg_l2_switch_port(fx->sw, 0);

	/* MAC0 on p0 broadcasts: a copy to p1 and one to p2, none to p0 */
	send_in(fx, 0, BCAST, MAC0, 3, &hs);
	assert_int_equal(hs.handled, 3);
	assert_int_equal(take_out(fx, 0, 64), 0);
	assert_int_equal(take_out(fx, 1, 64), 3);
	assert_memory_equal(fx->p[1].buf[0], BCAST, 6);
	assert_int_equal(fx->p[1].f[2].len, 60);
	assert_int_equal(fx->p[1].buf[2][14], 2); /* in order */
	assert_int_equal(take_out(fx, 2, 64), 3);
	assert_int_equal(take_out(fx, 1, 64), 0); /* taken once */
	/* MAC1 on p1 to MAC0: known, to p0 only */
	send_in(fx, 1, MAC0, MAC1, 2, &hs);
	assert_int_equal(take_out(fx, 0, 64), 2);
	assert_int_equal(take_out(fx, 2, 64), 0);
	/* and back, now that MAC1 is known on p1 */
	send_in(fx, 0, MAC1, MAC0, 4, &hs);
	assert_int_equal(take_out(fx, 1, 64), 4);
	assert_int_equal(take_out(fx, 2, 64), 0);
	/* MAC0 to itself, on its own port: dropped, counted */
	send_in(fx, 0, MAC0, MAC0, 5, &hs);
	assert_int_equal(take_out(fx, 1, 64) + take_out(fx, 2, 64) + take_out(fx, 0, 64), 0);
	assert_int_equal(p0->in, 3 + 4 + 5);
	assert_int_equal(p0->flooded, 3);
	assert_int_equal(p0->unicast, 4);
	assert_int_equal(p0->same_port, 5);
	/* produce fills at most what it is given */
	send_in(fx, 2, BCAST, MAC1, 10, &hs);
	assert_int_equal(take_out(fx, 0, 4), 4);
	assert_int_equal(take_out(fx, 0, 64), 6);
}

/* A port whose worker does not keep up: the copies past the ring's room are counted. */
static void test_ring_full(void **state)
{
	struct fixture *fx = *state;
	struct xg_handler_stats hs = { 0 };
	struct xg_l2_port *p1 = xg_l2_switch_port(fx->sw, 1);
	unsigned int i, got = 0, k;

	send_in(fx, 0, BCAST, MAC0, 1, &hs); /* learn MAC0 on p0 */
	take_out(fx, 1, 64);
	take_out(fx, 2, 64);
	for (i = 0; i < 5; i++)
		send_in(fx, 1, MAC0, MAC1, 250, &hs); /* 1250 to p0, never taken meanwhile */
	assert_int_equal(p1->unicast, 1250);
	assert_int_equal(p1->ring_full, 1250 - 1024);
	while ((k = take_out(fx, 0, 256)))
		got += k;
	assert_int_equal(got, 1024);
}

static void test_refused(void **state)
{
	static const char *const names[1] = { "p0" };
	struct fixture *fx = *state;
	void *st = NULL;

	assert_null(xg_l2_switch_new(names, 1, 0)); /* a switch has two ports or more */
	assert_int_equal(xg_handler_switch.init(&st, NULL, 1, NULL), -1); /* not set up */
	/* a second worker on a port that has one */
	assert_int_equal(xg_handler_switch.init(&st, NULL, 1, xg_l2_switch_port(fx->sw, 0)), -1);
	assert_int_equal(xg_handler_switch.init(&st, "x", 1, xg_l2_switch_port(fx->sw, 0)), -1);
	assert_null(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flood_unicast_same_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
