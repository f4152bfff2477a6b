// SPDX-License-Identifier: GPL-2.0
/* Unit layer: the rule file's `flows` statement (user/rules/flows_conf.c through the file
 * parser): its modes, its size, and an exact FILE:LINE:COL message for every bad form. */
#define _GNU_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/xdpgate_flows.h"
#include "user/rules/rules.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct flows_case {
	const char *text;
	int ret;
	uint32_t rate, size;
	unsigned int line;
	const char *err; /* after "FILE:" */
};

static const struct flows_case cases[] = {
	{ "pass\n", 0, 0, 0, 0, "" },
	{ "flows exact\npass\n", 0, 1, 0, 1, "" },
	{ "pass\n# x\nflows exact size 1024\n", 0, 1, 1024, 3, "" },
	{ "flows sample 1000\n", 0, 1000, 0, 1, "" },
	{ "flows\tsample 2 size 16 # floods\n", 0, 2, 16, 1, "" },
	{ "flows\n", -1, 0, 0, 0, "1:6: 'flows' needs a mode: flows exact|sample N [size N]" },
	{ "flows all\n", -1, 0, 0, 0, "1:7: invalid flows mode 'all' (exact or sample N)" },
	{ "flows sample\n", -1, 0, 0, 0,
	  "1:7: 'sample' needs a rate: flows sample N (one frame in N)" },
	{ "flows sample 1\n", -1, 0, 0, 0,
	  "1:14: invalid sampling rate '1' (2 to 1000000000; 'exact' counts all)" },
	{ "flows sample -5\n", -1, 0, 0, 0,
	  "1:14: invalid sampling rate '-5' (2 to 1000000000; 'exact' counts all)" },
	{ "flows exact size\n", -1, 0, 0, 0, "1:13: 'size' needs a number of flows" },
	{ "flows exact size 8\n", -1, 0, 0, 0,
	  "1:18: invalid flow table size '8' (16 to 4194304 flows)" },
	{ "pass\nflows exact size 4194305\n", -1, 0, 0, 0,
	  "2:18: invalid flow table size '4194305' (16 to 4194304 flows)" },
	{ "flows exact size 99999999999\n", -1, 0, 0, 0,
	  "1:18: invalid flow table size '99999999999' (16 to 4194304 flows)" },
	{ "flows exact now\n", -1, 0, 0, 0, "1:13: unexpected 'now' after the flows mode" },
	{ "flows exact\ndrop\nflows sample 10\n", -1, 0, 0, 0,
	  "3:1: second 'flows' line (the first is line 1)" },
};

static void test_flows_statement(void **state)
{
	char dir[] = "/tmp/flows_conf_test.XXXXXX", path[64], err[512], want[512];
	struct xg_ruleset rs;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.rules", dir);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct flows_case *c = &cases[i];
		FILE *f = fopen(path, "w");
		int ret;

		assert_non_null(f);
		fputs(c->text, f);
		fclose(f);
		xg_ruleset_init(&rs);
		err[0] = '\0';
		ret = xg_rules_parse_file_err(path, &rs, err, sizeof(err));
		snprintf(want, sizeof(want), "%s%s%s", c->ret ? path : "", c->ret ? ":" : "",
			 c->err);
		if (ret != c->ret || strcmp(err, want))
			fail_msg("case %zu: returned %d '%s', want %d '%s'", i, ret, err, c->ret,
				 want);
		if (!ret) {
			assert_int_equal(rs.flows.rate, c->rate);
			assert_int_equal(rs.flows.size, c->size);
			assert_int_equal(rs.flows.line, c->line);
		}
		xg_ruleset_free(&rs);
	}
	unlink(path);
	rmdir(dir);
}

/* One line (rules add, rules explain) cannot carry a gate-wide statement. */
static void test_flows_not_on_a_line(void **state)
{
	struct xg_rule r;
	uint32_t def;
	char err[256];

	(void)state;
	assert_int_equal(xg_rule_parse_line("flows exact", NULL, 0, &r, &def, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "1: 'flows' is set in a rule file, not on one line");
}

/* The memory check refuses what cannot fit, and takes what plainly does. */
static void test_table_fits(void **state)
{
	char msg[256] = "";

	(void)state;
	assert_int_equal(xg_flows_table_fits(XG_FLOWS_SIZE_MIN, msg, sizeof(msg)), 0);
	assert_true(xg_flows_table_bytes(XG_FLOWS_SIZE_MAX, 1024) > (1ULL << 37));
	assert_true(xg_flows_table_bytes(1000, 2) >= 1000 * (44 + 2 * 40));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flows_statement),
		cmocka_unit_test(test_flows_not_on_a_line),
		cmocka_unit_test(test_table_fits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
