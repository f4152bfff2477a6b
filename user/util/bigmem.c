// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "user/util/bigmem.h"

#define HUGE_PAGE (2u << 20)

static size_t mapped_len(size_t bytes)
{
	return (bytes + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
}

void *xg_big_alloc(size_t bytes)
{
	void *p;

	if (bytes < XG_BIG_MIN)
		return calloc(1, bytes ? bytes : 1);
	/* a whole number of huge pages: the kernel aligns such a mapping to one */
	p = mmap(NULL, mapped_len(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, mapped_len(bytes), MADV_HUGEPAGE); /* a hint: small pages work too */
	return p;
}

void xg_big_free(void *p, size_t bytes)
{
	if (!p)
		return;
	if (bytes < XG_BIG_MIN)
		free(p);
	else
		munmap(p, mapped_len(bytes));
}

void xg_big_hint(void *p, size_t bytes)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE), a, b;

	if (!p || bytes < XG_BIG_MIN)
		return;
	a = ((uintptr_t)p + pg - 1) & ~(pg - 1);
	b = ((uintptr_t)p + bytes) & ~(pg - 1);
	if (b > a)
		madvise((void *)a, b - a, MADV_HUGEPAGE);
}
