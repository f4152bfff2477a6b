// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the counters `run` publishes (user/pool/publish.c) read back as written, every
 * field of every worker (the writer and the reader share one field table); a file of a
 * process that is gone, or not what run writes, is refused. */
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

#include "user/pool/publish.h"

static void write_file(const char *path, const struct xg_run_snap *s, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	if (s)
		xg_run_publish_write(f, s);
	else
		fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_round_trip(void **state)
{
	char path[] = "/tmp/xg-publish-XXXXXX";
	struct xg_run_snap a, b;
	unsigned int i;
	size_t k;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	memset(&a, 0, sizeof(a));
	a.t = 12345.678901;
	a.n = 3;
	for (i = 0; i < a.n; i++) {
		uint8_t *c = (uint8_t *)&a.w[i].c;

		a.w[i].queue = 7 * i;
		a.w[i].zerocopy = i & 1;
		/* every 64-bit field distinct and large, every 32-bit one distinct */
		for (k = 0; k < offsetof(struct xg_pool_counters, ring_rx); k += 8) {
			uint64_t v = (1ULL << 40) + 1000 * i + k;

			memcpy(c + k, &v, 8);
		}
		for (k = offsetof(struct xg_pool_counters, ring_rx); k < sizeof(a.w[i].c); k += 4) {
			uint32_t v = 100 * i + (uint32_t)k;

			memcpy(c + k, &v, 4);
		}
	}
	write_file(path, &a, NULL);
	assert_int_equal(xg_run_publish_read_file(path, &b), 0);
	assert_int_equal(b.n, a.n);
	assert_true(b.t > a.t - 1e-6 && b.t < a.t + 1e-6);
	for (i = 0; i < a.n; i++) {
		assert_int_equal(b.w[i].queue, a.w[i].queue);
		assert_int_equal(b.w[i].zerocopy, a.w[i].zerocopy);
		assert_memory_equal(&b.w[i].c, &a.w[i].c, sizeof(a.w[i].c));
	}

	write_file(path, NULL, "{\"pid\":1,\"t\":1.0,\"workers\":[{\"queue\":0}]}\n");
	assert_int_equal(xg_run_publish_read_file(path, &b), -EINVAL); /* fields missing */
	write_file(path, NULL, "not json\n");
	assert_int_equal(xg_run_publish_read_file(path, &b), -EINVAL);
	/* pid_max is at most 2^22: this process does not exist */
	write_file(path, NULL, "{\"pid\":99999999,\"t\":1.0,\"workers\":[]}\n");
	assert_int_equal(xg_run_publish_read_file(path, &b), -ENOENT);
	unlink(path);
	assert_int_equal(xg_run_publish_read_file(path, &b), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
