// SPDX-License-Identifier: GPL-2.0
/* Unit layer: IPFIX encoding (user/export/ipfix.c), byte for byte against RFC 7011: the
 * message header, the template set with both templates' IANA element ids, data records of
 * both families in their own sets, and a full message refusing the next record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "user/export/ipfix.h"

static unsigned int get16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void test_templates(void **state)
{
	static const unsigned int v4[] = { 8, 12, 7, 11, 4, 58, 2, 1, 152, 153, 34, 138 };
	static const unsigned int v6[] = { 27, 28, 7, 11, 4, 58, 2, 1, 152, 153, 34, 138 };
	struct xg_ipfix_msg m;
	const uint8_t *t;
	size_t i;

	(void)state;
	xg_ipfix_begin(&m, 0x5f000000, 7, 3, 1);
	xg_ipfix_finish(&m);
	assert_int_equal(get16(m.buf), 10);
	assert_int_equal(get16(m.buf + 2), m.len);
	assert_int_equal(m.buf[4], 0x5f);
	assert_int_equal(m.buf[11], 7);			 /* sequence */
	assert_int_equal(m.buf[15], 3);			 /* observation domain */
	assert_int_equal(get16(m.buf + 16), 2);		 /* template set */
	assert_int_equal(get16(m.buf + 18), m.len - 16); /* its length */
	t = m.buf + 20;
	assert_int_equal(get16(t), 256);
	assert_int_equal(get16(t + 2), 12);
	for (i = 0; i < 12; i++)
		assert_int_equal(get16(t + 4 + 4 * i), v4[i]);
	t += 4 + 12 * 4;
	assert_int_equal(get16(t), 257);
	for (i = 0; i < 12; i++)
		assert_int_equal(get16(t + 4 + 4 * i), v6[i]);
	assert_int_equal(m.len, 16 + 4 + 2 * (4 + 12 * 4));
}

static void test_records(void **state)
{
	struct xg_ipfix_rec r4 = { .family = 4,
				   .src = { 198, 18, 0, 1 },
				   .dst = { 198, 18, 0, 2 },
				   .sport = 5555,
				   .dport = 9999,
				   .vlan = 42,
				   .proto = 17,
				   .packets = 100,
				   .bytes = 14200,
				   .start_ms = 1000,
				   .end_ms = 2000,
				   .sampling = 1,
				   .obs_point = 3 };
	struct xg_ipfix_rec r6 = r4;
	struct xg_ipfix_msg m;
	const uint8_t *d;
	int n = 0;

	(void)state;
	r6.family = 6;
	xg_ipfix_begin(&m, 0, 0, 1, 0);
	assert_int_equal(xg_ipfix_add(&m, &r4), 0);
	assert_int_equal(xg_ipfix_add(&m, &r4), 0);
	assert_int_equal(xg_ipfix_add(&m, &r6), 0);
	xg_ipfix_finish(&m);
	assert_int_equal(xg_ipfix_rec_len(4), 55);
	assert_int_equal(xg_ipfix_rec_len(6), 79);
	d = m.buf + 16;
	assert_int_equal(get16(d), 256);
	assert_int_equal(get16(d + 2), 4 + 2 * 55);
	d += 4;
	assert_memory_equal(d, r4.src, 4);
	assert_int_equal(get16(d + 8), 5555);
	assert_int_equal(get16(d + 10), 9999);
	assert_int_equal(d[12], 17);
	assert_int_equal(get16(d + 13), 42);
	assert_int_equal(get64(d + 15), 100);
	assert_int_equal(get64(d + 23), 14200);
	assert_int_equal(get64(d + 31), 1000);
	assert_int_equal(get64(d + 39), 2000);
	assert_int_equal(get16(d + 49), 1);
	assert_int_equal(get16(d + 53), 3);
	d += 2 * 55;
	assert_int_equal(get16(d), 257);
	assert_int_equal(get16(d + 2), 4 + 79);
	assert_int_equal(m.len, 16 + 4 + 110 + 4 + 79);
	assert_int_equal(m.nrecs, 3);

	/* full: the record that does not fit is refused and the message stays whole */
	xg_ipfix_begin(&m, 0, 0, 1, 1);
	while (!xg_ipfix_add(&m, &r6))
		n++;
	assert_true(m.len <= XG_IPFIX_MSG_MAX);
	assert_true(m.len + 79 > XG_IPFIX_MSG_MAX);
	assert_int_equal((int)m.nrecs, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
