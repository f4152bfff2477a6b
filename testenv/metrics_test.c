// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the Prometheus exposition text (user/cli/metrics.c): label escaping, HELP and
 * TYPE once per family, and the values of a made-up view. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "user/cli/metrics.h"

static char *render(const struct xg_metrics_view *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	xg_metrics_render(f, v);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static size_t count(const char *s, const char *sub)
{
	size_t n = 0;

	for (; (s = strstr(s, sub)); s++)
		n++;
	return n;
}

static void test_label_escape(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	xg_metrics_label(f, "a\"b\\c\nd");
	fclose(f);
	assert_string_equal(buf, "a\\\"b\\\\c\\nd");
	free(buf);
}

static void test_render(void **state)
{
	struct xg_snapshot g = { 0 };
	struct xg_run_snap pool = { 0 };
	struct xg_counter_val rc[2] = { { 5, 500 }, { 7, 700 } };
	struct xg_ruleset rs;
	struct xg_rule r = { 0 };
	struct xg_metrics_view v = { .ifname = "eth0", .gate = &g, .pool = &pool };
	uint32_t def;
	char err[256], *out;

	(void)state;
	xg_ruleset_init(&rs);
	assert_int_equal(
		xg_rule_parse_line("xsk proto udp dport 9", NULL, 0, &r, &def, err, sizeof(err)),
		1);
	assert_int_equal(xg_ruleset_insert(&rs, 0, &r), 0);
	assert_int_equal(xg_rule_parse_line("drop", NULL, 0, &r, &def, err, sizeof(err)), 1);
	assert_int_equal(xg_ruleset_insert(&rs, 1, &r), 0);
	v.rules = &rs;
	v.rule_c = rc;
	g.c[XG_CNT_VERDICT + XG_VERDICT_XSK].packets = 42;
	g.c[XG_CNT_VERDICT + XG_VERDICT_XSK].bytes = 4200;
	pool.n = 2;
	pool.w[0].queue = 0;
	pool.w[1].queue = 3;
	pool.w[1].c.rx = 11;
	pool.w[1].c.xs.rx_ring_full = 2;
	pool.w[1].c.ring_fill = 9;
	pool.w[1].c.ring_size = 2048;
	out = render(&v);
	assert_non_null(strstr(out, "xdpgate_verdict_packets_total{interface=\"eth0\","
				    "verdict=\"xsk\"} 42\n"));
	assert_non_null(strstr(out, "xdpgate_verdict_bytes_total{interface=\"eth0\","
				    "verdict=\"xsk\"} 4200\n"));
	assert_non_null(strstr(out, "xdpgate_rule_packets_total{interface=\"eth0\",rule=\"1\","
				    "text=\"xsk proto udp dport 9\"} 5\n"));
	assert_non_null(strstr(out, "xdpgate_rule_bytes_total{interface=\"eth0\",rule=\"2\","
				    "text=\"drop\"} 700\n"));
	assert_non_null(strstr(out, "xdpgate_worker_rx_packets_total{interface=\"eth0\","
				    "queue=\"3\"} 11\n"));
	assert_non_null(strstr(out, "xdpgate_worker_dropped_packets_total{interface=\"eth0\","
				    "queue=\"3\",reason=\"kernel_rx_ring_full\"} 2\n"));
	assert_non_null(strstr(out, "xdpgate_worker_ring_entries{interface=\"eth0\",queue=\"3\","
				    "ring=\"fill\"} 9\n"));
	assert_non_null(strstr(out, "xdpgate_worker_ring_size{interface=\"eth0\",queue=\"3\","
				    "ring=\"rx\"} 2048\n"));
	assert_non_null(strstr(out, "# TYPE xdpgate_worker_ring_entries gauge\n"));
	/* one HELP and one TYPE per family, even where several reasons share it */
	assert_int_equal(count(out, "# TYPE xdpgate_worker_dropped_packets_total counter\n"), 1);
	assert_int_equal(count(out, "# HELP xdpgate_worker_dropped_packets_total "), 1);
	assert_int_equal(count(out, "# TYPE "), count(out, "# HELP "));
	free(out);
	xg_ruleset_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_escape),
		cmocka_unit_test(test_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
