/* SPDX-License-Identifier: GPL-2.0 */
/* Large zeroed buffers on transparent huge pages where the system lets a process ask for
 * them (THP "madvise", Debian's default). On a VM whose page faults are slow, first
 * touches of fresh 4 KiB pages were most of the time that compiling and loading 10,000
 * rules took (a 2 MiB page takes one fault where small pages take 512). */
#ifndef XG_BIGMEM_H
#define XG_BIGMEM_H

#include <stddef.h>

/* bytes of zeroed memory, or NULL; free it with xg_big_free and the same size. Below
 * XG_BIG_MIN this is calloc. */
void *xg_big_alloc(size_t bytes);
void xg_big_free(void *p, size_t bytes);

/* Ask for huge pages under a block from malloc/realloc of bytes (from XG_BIG_MIN on;
 * its whole pages only). */
void xg_big_hint(void *p, size_t bytes);

#define XG_BIG_MIN (512u << 10)

#endif
