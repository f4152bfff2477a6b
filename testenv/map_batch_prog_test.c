// SPDX-License-Identifier: GPL-2.0
/* Prog layer (real BPF maps, no program): the batch map helpers a reload writes with
 * (user/gate/batch.c). An array range written through a mapping and through batches reads
 * back the same, 2- and 4-byte values included (8 bytes apart in the mapping); the walk
 * sees every entry once; a delete skips missing keys; a trim deletes from the top of a
 * numbered run on a budget and leaves the rest one run. Needs root, as rules_prog_test. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>

#include "user/gate/batch.h"

static int array(__u32 vsize, __u32 n, __u32 flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags);
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xg_t_arr", 4, vsize, n, &opts);

	if (fd < 0)
		fail_msg("cannot create an array: %s", strerror(errno));
	return fd;
}

static int hash(__u32 n)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "xg_t_hash", 4, 8, n, &opts);

	if (fd < 0)
		fail_msg("cannot create a hash: %s", strerror(errno));
	return fd;
}

/* Write [first, first + n) of a 2-byte array, mmapable or not, and read it all back. */
static void array_round_trip(__u32 flags)
{
	const __u32 size = 10000, first = 3001, n = 4099;
	__u16 *in = calloc(n, sizeof(*in)), *all = calloc(size, sizeof(*all));
	int fd = array(sizeof(__u16), size, flags);
	__u32 i;

	assert_non_null(in);
	assert_non_null(all);
	for (i = 0; i < n; i++)
		in[i] = (__u16)(i * 7 + 1);
	assert_int_equal(xg_array_write(fd, first, n, in, sizeof(*in)), 0);
	assert_int_equal(xg_array_read(fd, 0, size, all, sizeof(*all)), 0);
	for (i = 0; i < size; i++)
		assert_int_equal(all[i], i >= first && i < first + n ? in[i - first] : 0);
	/* a read past the end is refused */
	assert_int_equal(xg_array_read(fd, size - 2, 3, all, sizeof(*all)), -ENOENT);
	close(fd);
	free(in);
	free(all);
}

static void test_array_mmap(void **state)
{
	(void)state;
	array_round_trip(BPF_F_MMAPABLE);
}

static void test_array_batch(void **state)
{
	(void)state;
	array_round_trip(0);
}

static int count_entry(const void *key, const void *val, void *ctx)
{
	__u32 k = *(const __u32 *)key;
	__u64 v;

	memcpy(&v, val, sizeof(v));
	assert_int_equal(v, (__u64)k * 3);
	((unsigned char *)ctx)[k]++;
	return 0;
}

static void put(int fd, __u32 k)
{
	__u64 v = (__u64)k * 3;

	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
}

static bool has(int fd, __u32 k)
{
	__u64 v;

	return !bpf_map_lookup_elem(fd, &k, &v);
}

static void test_walk_and_delete(void **state)
{
	const __u32 n = 3000;
	unsigned char *seen = calloc(n, 1);
	__u32 i, del[4] = { 5, 2999, 4000 /* not there */, 17 };
	int fd = hash(4096);

	(void)state;
	assert_non_null(seen);
	for (i = 0; i < n; i++)
		put(fd, i);
	assert_int_equal(xg_batch_each(fd, sizeof(__u32), sizeof(__u64), count_entry, seen), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(xg_batch_delete(fd, del, sizeof(del[0]), 4), 0);
	assert_false(has(fd, 5));
	assert_false(has(fd, 2999));
	assert_false(has(fd, 17)); /* after the missing one */
	assert_true(has(fd, 6));
	close(fd);
	free(seen);
}

static void key_plus(void *out, __u32 i, const void *arg)
{
	*(__u32 *)out = *(const __u32 *)arg + i;
}

static void test_trim(void **state)
{
	const __u32 base = 1000;
	__u32 i, budget;
	int fd = hash(4096);

	(void)state;
	for (i = 0; i < 2500; i++) /* the run 0..2499 */
		put(fd, base + i);
	put(fd, base + 2600); /* past a gap: not part of the run */
	budget = 1000;
	assert_int_equal(xg_batch_trim(fd, 4, 8, key_plus, &base, 100, 65536, &budget), 0);
	assert_int_equal(budget, 0);
	assert_true(has(fd, base + 1499)); /* the top 1,000 went */
	assert_false(has(fd, base + 1500));
	assert_false(has(fd, base + 2499));
	budget = 5000; /* the rest, 100..1499 */
	assert_int_equal(xg_batch_trim(fd, 4, 8, key_plus, &base, 100, 65536, &budget), 0);
	assert_int_equal(budget, 5000 - 1400);
	assert_true(has(fd, base + 99));
	assert_false(has(fd, base + 100));
	budget = 10; /* nothing past 100 now: one lookup, nothing deleted */
	assert_int_equal(xg_batch_trim(fd, 4, 8, key_plus, &base, 100, 65536, &budget), 0);
	assert_int_equal(budget, 10);
	assert_true(has(fd, base + 2600));
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_array_mmap),
		cmocka_unit_test(test_array_batch),
		cmocka_unit_test(test_walk_and_delete),
		cmocka_unit_test(test_trim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
