// SPDX-License-Identifier: GPL-2.0
/* Named prefix sets, text side and reference side: reading a set file, and what it means
 * for an address to be in a set (some prefix of the set contains it; nested prefixes are
 * allowed and change nothing). The lookup here is written for clarity: one binary search
 * per run of prefixes of one family and length. The gate's lookup is a flat table per set
 * for IPv4 and an LPM trie for IPv6 (setload.c, set4.c); the differential test holds the
 * two to each other. */
#define _GNU_SOURCE /* getc_unlocked */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "user/rules/rules.h"
#include "user/util/regfile.h"

#define SET_LINE_MAX 255 /* characters of a set file line: a prefix and a comment */

int xg_prefix_parse(const char *s, struct xg_prefix *p, bool *had_host)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	char addr[INET6_ADDRSTRLEN + 1];
	unsigned long len = 0;
	const char *d;
	int af;

	memset(p, 0, sizeof(*p));
	if (!alen || alen >= sizeof(addr))
		return -1;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	af = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(af, addr, p->addr) != 1)
		return -1;
	p->family = af == AF_INET6 ? 6 : 4;
	len = p->family == 6 ? 128 : 32;
	if (slash) {
		if (!slash[1] || strlen(slash + 1) > 3)
			return -1;
		for (len = 0, d = slash + 1; *d; d++) {
			if (*d < '0' || *d > '9')
				return -1;
			len = len * 10 + (unsigned long)(*d - '0');
		}
		if (len > (p->family == 6 ? 128u : 32u))
			return -1;
	}
	p->len = (uint8_t)len;
	*had_host = xg_addr_mask(p->addr, p->len, p->family == 4 ? 4 : 16);
	return 0;
}

int xg_prefix_cmp(const void *a, const void *b)
{
	const struct xg_prefix *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

void xg_set_finish(struct xg_set *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++) /* bytes past an IPv4 address, and host bits, are zero */
		xg_addr_mask(s->p[i].addr, s->p[i].len, 16);
	if (s->n)
		qsort(s->p, s->n, sizeof(*s->p), xg_prefix_cmp);
	for (i = 0; i < s->n; i++)
		if (!n || xg_prefix_cmp(&s->p[n - 1], &s->p[i]))
			s->p[n++] = s->p[i];
	s->n = n;
	s->nruns = 0;
	for (i = 0; i < n; i++) {
		if (s->nruns && s->run[s->nruns - 1].family == s->p[i].family &&
		    s->run[s->nruns - 1].len == s->p[i].len) {
			s->run[s->nruns - 1].n++;
			continue;
		}
		s->run[s->nruns].family = s->p[i].family;
		s->run[s->nruns].len = s->p[i].len;
		s->run[s->nruns].first = (uint32_t)i;
		s->run[s->nruns++].n = 1;
	}
}

bool xg_set_has(const struct xg_set *s, uint8_t family, const void *addr)
{
	struct xg_prefix key = { .family = family };
	unsigned int r;

	if (!s || (family != 4 && family != 6))
		return false;
	for (r = 0; r < s->nruns; r++) {
		if (s->run[r].family != family)
			continue;
		key.len = s->run[r].len;
		memset(key.addr, 0, sizeof(key.addr));
		memcpy(key.addr, addr, family == 4 ? 4 : 16);
		xg_addr_mask(key.addr, key.len, 16);
		if (bsearch(&key, s->p + s->run[r].first, s->run[r].n, sizeof(key), xg_prefix_cmp))
			return true;
	}
	return false;
}

void xg_set_free(struct xg_set *s)
{
	if (!s)
		return;
	free(s->p);
	free(s);
}

static struct xg_set *set_new(const char *name)
{
	struct xg_set *s = calloc(1, sizeof(*s));

	if (s)
		snprintf(s->name, sizeof(s->name), "%s", name);
	return s;
}

/* One line: NUL-terminated, the comment and surrounding blanks cut. */
static char *set_line_trim(char *line)
{
	char *hash = strchr(line, '#'), *end;

	if (hash)
		*hash = '\0';
	while (*line == ' ' || *line == '\t')
		line++;
	end = line + strlen(line);
	while (end > line && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return line;
}

static int set_add(struct xg_set *s, size_t *cap, const struct xg_prefix *p)
{
	if (s->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 1024;
		struct xg_prefix *np = realloc(s->p, ncap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		s->p = np;
		*cap = ncap;
	}
	s->p[s->n++] = *p;
	return 0;
}

/* Read lines into s; the error names path:line. */
static int set_read_lines(FILE *f, const char *path, struct xg_set *s, char *err, size_t errlen)
{
	char line[SET_LINE_MAX + 1], *t;
	unsigned int lineno = 0;
	struct xg_prefix p;
	size_t cap = 0, len, nul;
	bool host;
	int ret;

	while ((ret = xg_read_line(f, line, SET_LINE_MAX, &len, &nul)) > 0) {
		lineno++;
		if (nul) { /* what follows it would be dropped unseen */
			snprintf(err, errlen, "%s:%u: a NUL byte in the line", path, lineno);
			return -1;
		}
		t = set_line_trim(line);
		if (!*t)
			continue;
		if (strlen(t) != strcspn(t, " \t") || xg_prefix_parse(t, &p, &host)) {
			snprintf(err, errlen, "%s:%u: invalid prefix '%.64s'", path, lineno, t);
			return -1;
		}
		if (s->n >= XG_SET_PREFIXES_MAX) {
			snprintf(err, errlen, "%s:%u: set '%s' has more than %d prefixes", path,
				 lineno, s->name, XG_SET_PREFIXES_MAX);
			return -1;
		}
		if (set_add(s, &cap, &p)) {
			snprintf(err, errlen, "%s:%u: out of memory", path, lineno);
			return -1;
		}
	}
	if (ret == -E2BIG)
		snprintf(err, errlen, "%s:%u: line longer than %d characters", path, lineno + 1,
			 SET_LINE_MAX);
	else if (ret)
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
	return ret ? -1 : 0;
}

int xg_set_read(const char *path, const char *name, struct xg_set **out, char *err, size_t errlen)
{
	struct xg_set *s = set_new(name);
	struct stat st;
	FILE *f;
	int ret;

	*out = NULL;
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot open set file %s: %s", path, strerror(errno));
		xg_set_free(s);
		return -1;
	}
	/* a terminal, a pipe or a device could block or never end: files only */
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "set file %s is not a regular file", path);
		fclose(f);
		xg_set_free(s);
		return -1;
	}
	ret = set_read_lines(f, path, s, err, errlen);
	fclose(f);
	if (ret) {
		xg_set_free(s);
		return -1;
	}
	s->loaded = true;
	xg_set_finish(s);
	*out = s;
	return 0;
}

struct xg_set *xg_ruleset_set(const struct xg_ruleset *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nsets; i++)
		if (!strcmp(rs->sets[i]->name, name))
			return rs->sets[i];
	return NULL;
}

/* The set of rs named name, added name-only when rs has none. */
static int bind_one(struct xg_ruleset *rs, const char *name, const struct xg_set **sp, char *err,
		    size_t errlen)
{
	struct xg_set *s;

	if (!name[0])
		return 0;
	s = xg_ruleset_set(rs, name);
	if (!s) {
		if (rs->nsets >= XG_SET_RULESET_MAX) {
			snprintf(err, errlen, "more than %d sets in one rule set",
				 XG_SET_RULESET_MAX);
			return -1;
		}
		s = set_new(name);
		if (!s) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		rs->sets[rs->nsets++] = s;
	}
	*sp = s;
	return 0;
}

int xg_ruleset_bind_sets(struct xg_ruleset *rs, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		struct xg_rule *r = &rs->rules[i];

		if (bind_one(rs, r->src_set, &r->src_sp, err, errlen) ||
		    bind_one(rs, r->dst_set, &r->dst_sp, err, errlen))
			return -1;
	}
	return 0;
}
