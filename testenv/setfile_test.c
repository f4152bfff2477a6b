// SPDX-License-Identifier: GPL-2.0
/* Unit tests: set names as the set commands check them (xg_set_name_check), and set files
 * (xg_set_read) with a NUL byte or an over-long line, each refused naming file:line. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "user/rules/rules.h"
#include "user/rules/setload.h"

static void test_set_name_check(void **state)
{
	char err[128], name[XG_SET_NAME_MAX + 1];

	(void)state;
	assert_int_equal(xg_set_name_check("blocked.v4-x_1", err, sizeof(err)), 0);
	assert_int_equal(xg_set_name_check("", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "set name is empty");
	assert_int_equal(xg_set_name_check("a b", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "set name 'a b' has characters other than A-Z a-z 0-9 _ . -");
	memset(name, 'a', XG_SET_NAME_MAX);
	name[XG_SET_NAME_MAX] = '\0';
	assert_int_equal(xg_set_name_check(name, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "is longer than"));
	name[XG_SET_NAME_MAX - 1] = '\0';
	assert_int_equal(xg_set_name_check(name, err, sizeof(err)), 0);
}

/* Write len bytes into a temporary file and read it as a set; the error (or ""). */
static int read_set(const char *text, size_t len, char *path, char *err, size_t errlen)
{
	struct xg_set *s = NULL;
	int fd, ret;

	strcpy(path, "/tmp/xg-setfile-test.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	err[0] = '\0';
	ret = xg_set_read(path, "s", &s, err, errlen);
	if (!ret)
		assert_int_equal(s->n, 2);
	xg_set_free(s);
	unlink(path);
	return ret;
}

static void test_set_file_lines(void **state)
{
	static const char good[] = "10.0.0.0/8\n# note\n  fd00::/16  # v6\n";
	static const char nul[] = "10.0.0.0/8\n10.1.0.0/16\0 junk\nfd00::/16\n";
	static const char nul_comment[] = "10.0.0.0/8 # a\0b\nfd00::/16\n";
	char path[64], err[256], want[320], text[600];

	(void)state;
	assert_int_equal(read_set(good, sizeof(good) - 1, path, err, sizeof(err)), 0);
	assert_int_equal(read_set(nul, sizeof(nul) - 1, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: a NUL byte in the line", path);
	assert_string_equal(err, want);
	assert_int_equal(read_set(nul_comment, sizeof(nul_comment) - 1, path, err, sizeof(err)),
			 -1);
	snprintf(want, sizeof(want), "%s:1: a NUL byte in the line", path);
	assert_string_equal(err, want);
	/* 255 characters is the most */
	snprintf(text, sizeof(text), "10.0.0.0/8\nfd00::/16 #%0244d\n", 0);
	assert_int_equal(read_set(text, strlen(text), path, err, sizeof(err)), 0);
	snprintf(text, sizeof(text), "10.0.0.0/8\nfd00::/16 #%0245d\n", 0);
	assert_int_equal(read_set(text, strlen(text), path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: line longer than 255 characters", path);
	assert_string_equal(err, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_name_check),
		cmocka_unit_test(test_set_file_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
