// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the Prometheus exposition text (user/cli/metrics.c): label escaping, HELP and
 * TYPE once per family, and the values of made-up views, one interface and two. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "user/cli/metrics.h"

static char *render(const struct xg_metrics_view *v, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	xg_metrics_render(f, v, n);
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
	out = render(&v, 1);
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

/* Offset of the first line starting with prefix, or -1. */
static long line_at(const char *out, const char *prefix)
{
	const char *p;

	for (p = out; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, prefix, strlen(prefix)))
			return p - out;
	return -1;
}

/* Two interfaces in one scrape (`run IF1,IF2`): every family's HELP and TYPE once, each
 * interface's samples under it with its own label, and each family's lines together
 * (no family's sample after another family's HELP); the switch's family for its port. */
/* A gate without `counters parse`: its parse series are absent, the gauge says 0; one with
 * them shows both. */
static void test_render_parse_off(void **state)
{
	struct xg_snapshot off = { .parse_off = true }, on = { 0 };
	struct xg_metrics_view v[2] = { { .ifname = "off0", .gate = &off },
					{ .ifname = "on0", .gate = &on } };
	char *out;

	(void)state;
	off.c[XG_CNT_PARSE + XG_PARSE_IPV4].packets = 7; /* not kept: never shown */
	on.c[XG_CNT_PARSE + XG_PARSE_IPV4].packets = 9;
	out = render(v, 2);
	assert_non_null(strstr(out, "xdpgate_parse_counters{interface=\"off0\"} 0\n"));
	assert_non_null(strstr(out, "xdpgate_parse_counters{interface=\"on0\"} 1\n"));
	assert_null(strstr(out, "xdpgate_parse_packets_total{interface=\"off0\""));
	assert_null(strstr(out, "xdpgate_other_packets_total{interface=\"off0\",counter=\"frag"));
	assert_non_null(strstr(out, "xdpgate_parse_packets_total{interface=\"on0\","
				    "outcome=\"ipv4\"} 9\n"));
	assert_non_null(strstr(out, "xdpgate_verdict_packets_total{interface=\"off0\""));
	free(out);
}

static void test_render_two(void **state)
{
	struct xg_snapshot g0 = { 0 }, g1 = { 0 };
	struct xg_run_snap p0 = { 0 }, p1 = { 0 };
	struct xg_l2_port sw1 = { .index = 1 };
	struct xg_metrics_view v[2] = {
		{ .ifname = "dut0", .gate = &g0, .pool = &p0 },
		{ .ifname = "dut1", .gate = &g1, .pool = &p1, .sw = &sw1 },
	};
	const char *fam[] = { "verdict_packets_total",	 "parse_packets_total",
			      "worker_rx_packets_total", "worker_dropped_packets_total",
			      "worker_ring_entries",	 "worker_ring_size" };
	char *out, pre[96];
	size_t i;

	(void)state;
	g0.c[XG_CNT_VERDICT + XG_VERDICT_XSK].packets = 3;
	g1.c[XG_CNT_VERDICT + XG_VERDICT_XSK].packets = 4;
	p0.n = 1;
	p0.w[0].c.rx = 30;
	p1.n = 2;
	p1.w[1].queue = 1;
	p1.w[1].c.rx = 41;
	atomic_store(&sw1.same_port, 5);
	out = render(v, 2);
	assert_non_null(strstr(out, "xdpgate_verdict_packets_total{interface=\"dut0\","
				    "verdict=\"xsk\"} 3\n"));
	assert_non_null(strstr(out, "xdpgate_verdict_packets_total{interface=\"dut1\","
				    "verdict=\"xsk\"} 4\n"));
	assert_non_null(strstr(out, "xdpgate_worker_rx_packets_total{interface=\"dut0\","
				    "queue=\"0\"} 30\n"));
	assert_non_null(strstr(out, "xdpgate_worker_rx_packets_total{interface=\"dut1\","
				    "queue=\"1\"} 41\n"));
	assert_int_equal(count(out, "# TYPE "), count(out, "# HELP "));
	assert_null(strstr(out, "# HELP xdpgate_rule_")); /* neither has a rule set */
	/* the switch's counters for the interface that is one of its ports, only */
	assert_int_equal(count(out, "# TYPE xdpgate_switch_packets_total counter\n"), 1);
	assert_non_null(strstr(out, "xdpgate_switch_packets_total{interface=\"dut1\","
				    "outcome=\"same_port\"} 5\n"));
	assert_null(strstr(out, "xdpgate_switch_packets_total{interface=\"dut0\""));
	for (i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		long help, last0, first1, next;

		snprintf(pre, sizeof(pre), "# TYPE xdpgate_%s ", fam[i]);
		assert_int_equal(count(out, pre), 1);
		help = line_at(out, pre);
		snprintf(pre, sizeof(pre), "xdpgate_%s{interface=\"dut0\"", fam[i]);
		last0 = line_at(out, pre);
		snprintf(pre, sizeof(pre), "xdpgate_%s{interface=\"dut1\"", fam[i]);
		first1 = line_at(out, pre);
		next = line_at(out + help + 1, "# HELP ");
		assert_true(help >= 0 && last0 > help && first1 > last0);
		/* dut1's samples before the next family's HELP */
		if (next >= 0)
			assert_true(first1 < help + 1 + next);
	}
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_escape),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_two),
		cmocka_unit_test(test_render_parse_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
