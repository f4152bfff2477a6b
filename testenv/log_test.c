// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the log lines (user/util/log.c): the JSON formatter (RFC 3339 UTC time with
 * milliseconds, level, interface only when known, the message escaped and its trailing
 * newlines dropped) and what xg_log writes to stderr in text and JSON mode. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "user/util/log.h"

static char *json_line(const struct timespec *ts, int level, const char *iface, const char *msg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	xg_log_json_line(f, ts, level, iface, msg);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_json_line(void **state)
{
	/* 2026-12-02T00:31:02.123Z, and 999.9 ms truncated to 999 */
	struct timespec ts = { .tv_sec = 1796171462, .tv_nsec = 123456789 };
	struct timespec late = { .tv_sec = 1796171462, .tv_nsec = 999999999 };
	char *s;

	(void)state;
	s = json_line(&ts, XG_LOG_WARN, "eth0", "run: eth0: the interface is gone\n");
	assert_string_equal(s, "{\"timestamp\":\"2026-12-02T00:31:02.123Z\",\"level\":\"warn\","
			       "\"interface\":\"eth0\",\"message\":\"run: eth0: the interface is "
			       "gone\"}\n");
	free(s);
	s = json_line(&late, XG_LOG_INFO, NULL, "a \"quoted\" \\ back\tslash\nsecond line\n\n");
	assert_string_equal(s, "{\"timestamp\":\"2026-12-02T00:31:02.999Z\",\"level\":\"info\","
			       "\"message\":\"a \\\"quoted\\\" \\\\ back\\u0009slash\\u000asecond "
			       "line\"}\n");
	free(s);
	s = json_line(&ts, XG_LOG_DEBUG, "", "");
	assert_string_equal(s, "{\"timestamp\":\"2026-12-02T00:31:02.123Z\",\"level\":\"debug\","
			       "\"message\":\"\"}\n");
	free(s);
}

static void test_level_names(void **state)
{
	(void)state;
	assert_string_equal(xg_log_level_name(XG_LOG_WARN), "warn");
	assert_string_equal(xg_log_level_name(XG_LOG_INFO), "info");
	assert_string_equal(xg_log_level_name(XG_LOG_LIB), "lib");
	assert_string_equal(xg_log_level_name(XG_LOG_DEBUG), "debug");
	assert_string_equal(xg_log_level_name(99), "debug");
}

/* What two xg_log calls write to stderr; journal: with JOURNAL_STREAM naming it. */
static void capture(char *out, size_t len, bool journal)
{
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	char js[64];
	struct stat st;
	size_t n;

	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	if (journal)
		setenv("JOURNAL_STREAM", js, 1);
	dup2(fileno(f), STDERR_FILENO);
	pr_warn("stats: %s: reading counters failed\n", "dut0");
	pr_info("run: SIGHUP: %d rules in force\n", 3);
	pr_debug("not shown at the default level\n");
	dup2(saved, STDERR_FILENO);
	close(saved);
	unsetenv("JOURNAL_STREAM");
	rewind(f);
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	fclose(f);
}

static void test_xg_log_text_and_json(void **state)
{
	char out[1024];

	(void)state;
	unsetenv("JOURNAL_STREAM");
	xg_log_set_level(XG_LOG_INFO);
	capture(out, sizeof(out), false);
	assert_string_equal(out, "xdpgate: stats: dut0: reading counters failed\n"
				 "run: SIGHUP: 3 rules in force\n");
	/* stderr is the journal: the syslog priority first, which journald takes as the level */
	capture(out, sizeof(out), true);
	assert_string_equal(out, "<4>xdpgate: stats: dut0: reading counters failed\n"
				 "<6>run: SIGHUP: 3 rules in force\n");
	xg_log_set_json(true);
	xg_log_set_iface("dut0");
	capture(out, sizeof(out), true); /* JSON lines are the same in the journal */
	xg_log_set_json(false);
	xg_log_set_iface(NULL);
	assert_non_null(strstr(out, "\"level\":\"warn\",\"interface\":\"dut0\",\"message\":"
				    "\"stats: dut0: reading counters "
				    "failed\"}\n{\"timestamp\":\""));
	assert_non_null(strstr(out, "\"level\":\"info\",\"interface\":\"dut0\",\"message\":"
				    "\"run: SIGHUP: 3 rules in force\"}\n"));
	assert_null(strstr(out, "not shown"));
	assert_int_equal(strncmp(out, "{\"timestamp\":\"20", 16), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_line),
		cmocka_unit_test(test_level_names),
		cmocka_unit_test(test_xg_log_text_and_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
