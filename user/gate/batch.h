/* SPDX-License-Identifier: GPL-2.0 */
/* Map operations in batches (BPF_MAP_{LOOKUP,UPDATE,DELETE}_BATCH): one system call for
 * many entries, where one call an entry made a 10,000-rule reload take seconds. Values are
 * laid out as the kernel's batch calls take them: value_size apart, and for per-CPU maps
 * one value per possible CPU (xg_percpu_buf's layout) for each entry. Every function
 * returns 0 or -errno. */
#ifndef XG_BATCH_H
#define XG_BATCH_H

#include <stddef.h>

#include <linux/types.h>

/* Entries [first, first + n) of an array map into vals (vsize bytes an entry). */
int xg_array_read(int fd, __u32 first, __u32 n, void *vals, size_t vsize);
/* vals (vsize bytes an entry) into entries [first, first + n) of an array map: through a
 * shared mapping when the map is mmapable (BPF_F_MMAPABLE; a per-CPU array never is), else
 * in a batch. */
int xg_array_write(int fd, __u32 first, __u32 n, const void *vals, size_t vsize);
/* Delete n keys (ksize bytes apart); keys that are not there are skipped. */
int xg_batch_delete(int fd, const void *keys, size_t ksize, __u32 n);
/* Call fn on every entry of a hash or LPM map (read in batches; an LPM trie's values are
 * what a lookup of the key's address finds, so use its keys only). A non-zero return of
 * fn stops the walk and is returned. */
int xg_batch_each(int fd, size_t ksize, size_t vsize,
		  int (*fn)(const void *key, const void *val, void *ctx), void *ctx);
/* Builds key i of a numbered table into out. */
typedef void (*xg_key_fn)(void *out, __u32 i, const void *arg);
/* A hash map that holds a table of numbered keys (key(0), key(1), ...) as one run from 0
 * (every writer writes 0..n-1 in order; only this trims) is to hold 0..n-1 now: delete
 * the top of what lies from n on, at most *budget keys (taken off it), so that the rest
 * stays one run for the next trim to go on with. Lookups find the run's end (values vsize
 * bytes; lim: no key from lim on). */
int xg_batch_trim(int fd, size_t ksize, size_t vsize, xg_key_fn key, const void *arg, __u32 n,
		  __u32 lim, __u32 *budget);

#endif
