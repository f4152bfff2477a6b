// SPDX-License-Identifier: GPL-2.0
/* The `flows` statement: its words, and whether the table it asks for fits in memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/xdpgate_flows.h"
#include "user/rules/flows_conf.h"

#define WORDS_MAX 6

struct word {
	char s[32];
	unsigned int col;
};

/* Split rest into at most WORDS_MAX words; the number, or -1 (too many, or too long). */
static int split(const char *base, const char *rest, struct word *w, unsigned int *col)
{
	const char *p = rest;
	int n = 0;

	for (;;) {
		size_t len;

		p += strspn(p, " \t\r\n");
		if (!*p)
			return n;
		len = strcspn(p, " \t\r\n");
		*col = (unsigned int)(p - base) + 1;
		if (n == WORDS_MAX || len >= sizeof(w[n].s))
			return -1;
		memcpy(w[n].s, p, len);
		w[n].s[len] = '\0';
		w[n].col = *col;
		n++;
		p += len;
	}
}

/* A decimal count in [lo, hi]; 0 or -1. */
static int count_of(const char *s, unsigned long lo, unsigned long hi, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9' || strlen(s) > 10)
		return -1;
	v = strtoul(s, &end, 10);
	if (*end || v < lo || v > hi)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

#define FAIL(c, ...)                                \
	do {                                        \
		*col = (c);                         \
		snprintf(msg, msglen, __VA_ARGS__); \
		return -1;                          \
	} while (0)

int xg_flows_conf_parse(const char *line_base, const char *rest, struct xg_flows_conf *fc,
			char *msg, size_t msglen, unsigned int *col)
{
	struct word w[WORDS_MAX];
	int n = split(line_base, rest, w, col), i = 1;

	if (n < 0)
		FAIL(*col, "unexpected words after 'flows': flows exact|sample N [size N]");
	if (n == 0)
		FAIL((unsigned int)(rest - line_base) + 1, "'flows' needs a mode: flows "
							   "exact|sample N [size N]");
	if (!strcmp(w[0].s, "exact")) {
		fc->rate = 1;
	} else if (!strcmp(w[0].s, "sample")) {
		if (n < 2)
			FAIL(w[0].col, "'sample' needs a rate: flows sample N (one frame in N)");
		if (count_of(w[1].s, 2, XG_FLOWS_RATE_MAX, &fc->rate))
			FAIL(w[1].col, "invalid sampling rate '%s' (2 to %u; 'exact' counts all)",
			     w[1].s, XG_FLOWS_RATE_MAX);
		i = 2;
	} else {
		FAIL(w[0].col, "invalid flows mode '%s' (exact or sample N)", w[0].s);
	}
	if (i < n && !strcmp(w[i].s, "size")) {
		if (i + 1 >= n)
			FAIL(w[i].col, "'size' needs a number of flows");
		if (count_of(w[i + 1].s, XG_FLOWS_SIZE_MIN, XG_FLOWS_SIZE_MAX, &fc->size))
			FAIL(w[i + 1].col, "invalid flow table size '%s' (%u to %u flows)",
			     w[i + 1].s, XG_FLOWS_SIZE_MIN, XG_FLOWS_SIZE_MAX);
		i += 2;
	}
	if (i < n)
		FAIL(w[i].col, "unexpected '%s' after the flows mode", w[i].s);
	return 0;
}

uint32_t xg_flows_conf_entries(const struct xg_flows_conf *fc)
{
	return fc->size ? fc->size : XG_FLOWS_SIZE_DEFAULT;
}

uint64_t xg_flows_table_bytes(uint32_t entries, unsigned int ncpus)
{
	/* the hash's element header and LRU node, about 64 bytes, and the per-CPU pointer */
	uint64_t per = sizeof(struct xg_flow_key) + 64 +
		       (uint64_t)ncpus * ((sizeof(struct xg_flow_val) + 7) & ~7ULL);

	return per * entries;
}

/* MemAvailable in bytes, 0 when /proc/meminfo will not say. XG_TEST_MEM_AVAILABLE (MiB)
 * stands in for it in the tests (testenv/test-flows.sh), as XG_FAULT_FILL_STEP does for
 * a failing map write: no test machine is short of memory on demand. */
static uint64_t mem_available(void)
{
	const char *fake = getenv("XG_TEST_MEM_AVAILABLE");
	unsigned long long kb = 0;
	char line[128];
	FILE *f;

	if (fake)
		return strtoull(fake, NULL, 10) << 20;
	f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024;
}

int xg_flows_table_fits(uint32_t entries, char *msg, size_t msglen)
{
	long ncpus = sysconf(_SC_NPROCESSORS_CONF);
	uint64_t need = xg_flows_table_bytes(entries, ncpus > 0 ? (unsigned int)ncpus : 1);
	uint64_t avail = mem_available();

	if (avail && need > avail / 2) {
		snprintf(msg, msglen,
			 "a flow table of %u entries needs %llu MiB on %ld CPUs, more than half "
			 "of the %llu MiB available",
			 entries, (unsigned long long)(need >> 20), ncpus,
			 (unsigned long long)(avail >> 20));
		return -1;
	}
	return 0;
}
