// SPDX-License-Identifier: GPL-2.0
/* The gate's steering hash (common/flow_hash.h) over frames from the frame builder: a
 * flow always hashes alike; symmetric mode gives both directions one hash (IPv4, IPv6,
 * TCP, UDP) and flow mode tells them apart; ports count only where they are read
 * (not in fragments); frames it cannot read hash to 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/flow_hash.h"
#include "common/parse.h"
#include "user/util/frame_build.h"

static uint8_t buf[256];

static uint32_t hash_of(const struct xg_frame_spec *s, int symmetric)
{
	size_t len = xg_frame_build(s, buf, sizeof(buf));

	assert_true(len > 0);
	return xg_flow_hash(buf, buf + len, symmetric);
}

static struct xg_frame_spec udp4(uint8_t a, uint8_t b, uint16_t sp, uint16_t dp)
{
	struct xg_frame_spec s = { .l3 = XG_L3_IPV4, .l4_proto = IPPROTO_UDP };

	memcpy(s.ip4.saddr, (uint8_t[]){ 198, 18, 0, a }, 4);
	memcpy(s.ip4.daddr, (uint8_t[]){ 198, 18, 0, b }, 4);
	s.udp.sport = sp;
	s.udp.dport = dp;
	return s;
}

/* The reverse direction of s (addresses and ports swapped). */
static struct xg_frame_spec reverse(struct xg_frame_spec s)
{
	uint8_t t[16];
	uint16_t p;

	memcpy(t, s.ip4.saddr, 4);
	memcpy(s.ip4.saddr, s.ip4.daddr, 4);
	memcpy(s.ip4.daddr, t, 4);
	memcpy(t, s.ip6.saddr, 16);
	memcpy(s.ip6.saddr, s.ip6.daddr, 16);
	memcpy(s.ip6.daddr, t, 16);
	p = s.udp.sport, s.udp.sport = s.udp.dport, s.udp.dport = p;
	p = s.tcp.sport, s.tcp.sport = s.tcp.dport, s.tcp.dport = p;
	return s;
}

static void test_symmetric(void **state)
{
	struct xg_frame_spec v6 = { .l3 = XG_L3_IPV6, .l4_proto = IPPROTO_TCP };
	unsigned int i, differ = 0;

	(void)state;
	v6.ip6.saddr[0] = 0xfd, v6.ip6.saddr[15] = 1;
	v6.ip6.daddr[0] = 0xfd, v6.ip6.daddr[15] = 2;
	v6.tcp.sport = 40000, v6.tcp.dport = 443;
	for (i = 0; i < 64; i++) {
		struct xg_frame_spec s = udp4((uint8_t)(1 + i), 2, (uint16_t)(10000 + i), 9);

		assert_int_equal(hash_of(&s, 1),
				 hash_of((struct xg_frame_spec[]){ reverse(s) }, 1));
		assert_int_equal(hash_of(&s, 0), hash_of(&s, 0)); /* a flow hashes alike */
		differ += hash_of(&s, 0) != hash_of((struct xg_frame_spec[]){ reverse(s) }, 0);
		v6.tcp.sport = (uint16_t)(40000 + i);
		assert_int_equal(hash_of(&v6, 1),
				 hash_of((struct xg_frame_spec[]){ reverse(v6) }, 1));
	}
	assert_int_equal(differ, 64); /* flow mode: the two directions are two flows */
	/* one endpoint on both sides: ordered by port */
	struct xg_frame_spec same = udp4(2, 2, 1000, 2000);
	assert_int_equal(hash_of(&same, 1), hash_of((struct xg_frame_spec[]){ reverse(same) }, 1));
}

static void test_ports_and_fragments(void **state)
{
	struct xg_frame_spec a = udp4(1, 2, 10000, 9), b = udp4(1, 2, 10001, 9);

	(void)state;
	assert_int_not_equal(hash_of(&a, 0), hash_of(&b, 0)); /* ports count */
	a.ip4.mf = b.ip4.mf = true;			      /* first fragments */
	assert_int_equal(hash_of(&a, 0), hash_of(&b, 0));     /* addresses only */
	b.ip4.mf = false, b.ip4.frag_off = 100;		      /* a later fragment */
	assert_int_equal(hash_of(&a, 0), hash_of(&b, 0));     /* same socket as the first */
}

static void test_unreadable(void **state)
{
	struct xg_frame_spec s = udp4(1, 2, 10000, 9),
			     arp = { .l3 = XG_L3_NONE, .ethertype = 0x0806 };
	size_t len;

	(void)state;
	len = xg_frame_build(&s, buf, sizeof(buf));
	assert_int_equal(xg_flow_hash(buf, buf + 13, 0), 0);	      /* no EtherType */
	assert_int_equal(xg_flow_hash(buf, buf + 14 + 19, 0), 0);     /* IPv4 header cut */
	assert_int_not_equal(xg_flow_hash(buf, buf + 14 + 20, 0), 0); /* no ports: still hashed */
	assert_int_not_equal(xg_flow_hash(buf, buf + len, 0), xg_flow_hash(buf, buf + 34, 0));
	assert_int_equal(hash_of(&arp, 0), 0);
	s.n_vlan = 1;
	s.vlan[0].vid = 5;
	assert_int_equal(hash_of(&s, 0), 0); /* tagged: not read (all to the queue's first) */
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_symmetric),
		cmocka_unit_test(test_ports_and_fragments),
		cmocka_unit_test(test_unreadable),
	};

	return cmocka_run_group_tests_name("flow_hash", tests, NULL, NULL);
}
