// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "user/gate/batch.h"

#define EACH_CHUNK 1024 /* entries a lookup batch reads while walking a map */
#define TOKEN_MAX 64	/* the batch position: a hash's bucket, or a key of the other maps */

int xg_array_read(int fd, __u32 first, __u32 n, void *vals, size_t vsize)
{
	__u32 *keys, done = 0, cnt, prev, out;
	int err = 0;

	if (!n)
		return 0;
	keys = malloc((size_t)n * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	while (!err && done < n) {
		/* the batch starts after its in key: the one before first, or none for 0 */
		prev = first + done - 1;
		cnt = n - done;
		if (bpf_map_lookup_batch(fd, first + done ? &prev : NULL, &out, keys + done,
					 (char *)vals + (size_t)done * vsize, &cnt, NULL) &&
		    errno != ENOENT)
			err = -errno;
		else if (!cnt || keys[done] != first + done)
			err = -ENOENT; /* past the array's end */
		done += cnt;
	}
	free(keys);
	return err;
}

/* Through a shared mapping of the pages that hold the range: no per-entry work in the
 * kernel. Array entries are value_size rounded up to 8 bytes apart there. -errno when the
 * map cannot be mapped (made without BPF_F_MMAPABLE, by an older gate). */
static int array_write_mmap(int fd, __u32 first, __u32 n, const void *vals, size_t vsize)
{
	size_t stride = (vsize + 7) & ~(size_t)7, pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t off = (size_t)first * stride, base = off & ~(pg - 1), len = off - base + n * stride;
	unsigned char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)base);
	__u32 i;

	if (mem == MAP_FAILED)
		return -errno;
	if (stride == vsize)
		memcpy(mem + off - base, vals, n * vsize);
	else
		for (i = 0; i < n; i++)
			memcpy(mem + off - base + i * stride, (const char *)vals + i * vsize,
			       vsize);
	munmap(mem, len);
	return 0;
}

int xg_array_write(int fd, __u32 first, __u32 n, const void *vals, size_t vsize)
{
	__u32 *keys, i, cnt = n;
	int err = 0;

	if (!n || !array_write_mmap(fd, first, n, vals, vsize))
		return 0;
	keys = malloc((size_t)n * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		keys[i] = first + i;
	if (bpf_map_update_batch(fd, keys, vals, &cnt, NULL))
		err = -errno;
	free(keys);
	return err;
}

int xg_batch_delete(int fd, const void *keys, size_t ksize, __u32 n)
{
	__u32 done = 0, cnt;

	while (done < n) {
		cnt = n - done;
		if (!bpf_map_delete_batch(fd, (const char *)keys + (size_t)done * ksize, &cnt,
					  NULL))
			return 0;
		if (errno != ENOENT)
			return -errno;
		done += cnt + 1; /* the batch stops at a missing key: skip it */
	}
	return 0;
}

int xg_batch_each(int fd, size_t ksize, size_t vsize,
		  int (*fn)(const void *key, const void *val, void *ctx), void *ctx)
{
	unsigned char in[TOKEN_MAX], out[TOKEN_MAX];
	char *keys, *vals;
	bool first = true, end = false;
	__u32 cnt, i;
	int err = 0;

	if (ksize > TOKEN_MAX)
		return -EINVAL;
	keys = malloc(EACH_CHUNK * ksize);
	vals = malloc(EACH_CHUNK * vsize);
	if (!keys || !vals)
		err = -ENOMEM;
	while (!err && !end) {
		cnt = EACH_CHUNK;
		if (bpf_map_lookup_batch(fd, first ? NULL : in, out, keys, vals, &cnt, NULL)) {
			if (errno != ENOENT) {
				err = -errno;
				break;
			}
			end = true;
		}
		end = end || !cnt;
		for (i = 0; i < cnt && !err; i++)
			err = fn(keys + (size_t)i * ksize, vals + (size_t)i * vsize, ctx);
		memcpy(in, out, sizeof(in));
		first = false;
	}
	free(keys);
	free(vals);
	return err;
}

int xg_batch_trim(int fd, size_t ksize, size_t vsize, xg_key_fn key, const void *arg, __u32 n,
		  __u32 lim, __u32 *budget)
{
	unsigned char *keys = malloc((size_t)(*budget ? *budget : 1) * ksize), *v = malloc(vsize);
	__u32 lo = n, hi = lim, mid, first, i;
	int err = 0;

	if (!keys || !v)
		err = -ENOMEM;
	/* the run's end: the first key from n on that is not there (most often n itself) */
	while (!err && lo < hi) {
		mid = lo == n ? n : lo + (hi - lo) / 2;
		key(keys, mid, arg);
		if (!bpf_map_lookup_elem(fd, keys, v))
			lo = mid + 1;
		else if (errno == ENOENT)
			hi = mid;
		else
			err = -errno;
	}
	first = lo - n > *budget ? lo - *budget : n;
	for (i = first; !err && i < lo; i++)
		key(keys + (size_t)(i - first) * ksize, i, arg);
	if (!err)
		err = xg_batch_delete(fd, keys, ksize, lo - first);
	if (!err)
		*budget -= lo - first;
	free(keys);
	free(v);
	return err;
}
