// SPDX-License-Identifier: GPL-2.0
/* Unit layer: grouping the flow table (user/flows/table.c): by source, destination, rule
 * and whole flow; sampled counts scaled by their rate; rates between two reads, a flow
 * made again after an eviction counted from zero (never a negative rate); evictions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "user/flows/table.h"

static struct xg_flow_rec rec(uint8_t src, uint8_t dst, uint16_t sport, uint16_t rule,
			      uint64_t packets, uint32_t rate)
{
	struct xg_flow_rec r = { .packets = packets, .bytes = packets * 100, .rate = rate };

	r.k.family = 4;
	r.k.src[0] = 198;
	r.k.src[3] = src;
	r.k.dst[0] = 198;
	r.k.dst[3] = dst;
	r.k.sport = sport;
	r.k.dport = 80;
	r.k.proto = 6;
	r.k.rule = rule;
	return r;
}

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct xg_flow_key));
}

static void snap_of(struct xg_flow_snap *s, const struct xg_flow_rec *r, size_t n, uint64_t t)
{
	memset(s, 0, sizeof(*s));
	s->r = malloc(n * sizeof(*r));
	assert_non_null(s->r);
	memcpy(s->r, r, n * sizeof(*r));
	s->n = s->cap = n;
	s->read_ns = t;
	qsort(s->r, n, sizeof(*r), key_cmp);
}

static void test_group(void **state)
{
	const struct xg_flow_rec a[] = { rec(1, 9, 1000, 0, 10, 1), rec(1, 8, 1001, 1, 20, 1),
					 rec(2, 9, 1002, 0, 50, 1) };
	const struct xg_flow_rec b[] = { rec(1, 9, 1000, 0, 110, 1), rec(1, 8, 1001, 1, 20, 1),
					 rec(2, 9, 1002, 0, 5, 1), rec(3, 9, 1003, 0, 7, 10) };
	struct xg_flow_snap s0, s1;
	struct xg_flow_group *g;
	long n;

	(void)state;
	snap_of(&s0, a, 3, 1000000000);
	snap_of(&s1, b, 4, 3000000000); /* 2 s later */

	n = xg_flow_group(&s0, &s1, XG_BY_SRC, &g);
	assert_int_equal(n, 3);
	/* source .1: 100 new frames in 2 s; .3: 7 sampled 1 in 10, new; .2: made again (5) */
	assert_int_equal(g[0].k.src[3], 1);
	assert_int_equal(g[0].packets, 130);
	assert_int_equal(g[0].nflows, 2);
	assert_true(g[0].pps > 49.9 && g[0].pps < 50.1);
	assert_true(g[0].bps > 100 * 100 * 8 / 2 - 1 && g[0].bps < 100 * 100 * 8 / 2 + 1);
	assert_int_equal(g[1].k.src[3], 3);
	assert_int_equal(g[1].packets, 70);
	assert_int_equal(g[1].rate, 10);
	assert_true(g[1].pps > 34.9 && g[1].pps < 35.1);
	assert_int_equal(g[2].k.src[3], 2);
	assert_int_equal(g[2].packets, 5);
	assert_true(g[2].pps > 2.4 && g[2].pps < 2.6);
	assert_int_equal(g[2].k.dst[0], 0); /* what the grouping ignores is zero */
	free(g);

	n = xg_flow_group(&s0, &s1, XG_BY_DST, &g);
	assert_int_equal(n, 2);
	assert_int_equal(g[0].k.dst[3], 9);
	assert_int_equal(g[0].packets, 110 + 5 + 70);
	free(g);

	n = xg_flow_group(NULL, &s1, XG_BY_RULE, &g);
	assert_int_equal(n, 2);
	assert_int_equal(g[0].k.rule, 0);
	assert_int_equal(g[0].packets, 185);
	assert_true(g[0].pps == 0); /* one read: no rate */
	free(g);

	n = xg_flow_group(&s0, &s1, XG_BY_FLOW, &g);
	assert_int_equal(n, 4);
	free(g);

	/* evictions: inserts - present - deleted */
	s1.counters[XG_FLOW_INSERTS] = 10;
	s1.counters[XG_FLOW_DELETED] = 2;
	assert_int_equal(xg_flow_snap_evicted(&s1), 4);
	s1.counters[XG_FLOW_INSERTS] = 3;
	assert_int_equal(xg_flow_snap_evicted(&s1), 0);
	assert_non_null(xg_flow_snap_find(&s1, &b[3].k));
	assert_null(xg_flow_snap_find(&s0, &b[3].k));
	xg_flow_snap_free(&s0);
	xg_flow_snap_free(&s1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
