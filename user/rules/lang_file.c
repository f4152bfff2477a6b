// SPDX-License-Identifier: GPL-2.0
/* Whole rule files: read line by line within bounds, each line through the line parser. */
#define _GNU_SOURCE /* getc_unlocked */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "user/util/log.h"
#include "user/rules/lang_int.h"

static int add_line(struct pctx *c, const char *line, struct xg_ruleset *rs, unsigned int *def_line)
{
	struct xg_rule r;
	uint32_t def;
	int ret = xg_lang_parse_line(c, line, &r, &def);

	if (ret < 0)
		return -1;
	if (ret == 2) {
		if (*def_line)
			return xg_perr(c, 1, "second 'default' line (the first is line %u)",
				       *def_line);
		*def_line = c->lineno;
		rs->default_verdict = def;
		rs->has_default = true;
	} else if (ret == 1) {
		if (rs->n >= XG_RULES_MAX)
			return xg_perr(c, 1, "more than %d rules", XG_RULES_MAX);
		if (xg_ruleset_insert(rs, rs->n, &r))
			return xg_perr(c, 1, "out of memory");
	}
	return 0;
}

/* One line into buf (XG_RULE_LINE_MAX characters and the NUL), read a byte at a time so
 * that nothing past the limit is ever held: a 300 MB line without a newline costs 4 KiB.
 * Returns 1 for a line (its length in *len, the column of its first NUL byte in *nul or
 * 0), 0 at the end of the file, -E2BIG for a line or a file over its limit, -EIO (errno
 * kept) when reading fails: an error is never taken for the end of the file. */
static int read_line(FILE *f, char *buf, size_t *len, unsigned int *nul, size_t *total)
{
	size_t n = 0;
	int ch;

	*nul = 0;
	while ((ch = getc_unlocked(f)) != EOF) {
		if (++*total > XG_RULES_FILE_MAX)
			return -EFBIG;
		if (ch == '\n')
			break;
		if (n == XG_RULE_LINE_MAX)
			return -E2BIG;
		if (!ch && !*nul)
			*nul = (unsigned int)n + 1;
		buf[n++] = (char)ch;
	}
	if (ch == EOF && ferror(f))
		return -EIO;
	buf[n] = '\0';
	*len = n;
	return ch == EOF && !n ? 0 : 1;
}

/* Regular files are measured before reading; pipes and devices are bound while read. */
static int open_rules(const char *path, FILE **out, char *err, size_t errlen)
{
	struct stat st;
	FILE *f = fopen(path, "r");

	*out = NULL;
	if (!f) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode) && st.st_size > XG_RULES_FILE_MAX) {
		snprintf(err, errlen, "%s: %lld bytes, a rule file holds at most %d MiB", path,
			 (long long)st.st_size, XG_RULES_FILE_MAX >> 20);
		fclose(f);
		return -1;
	}
	*out = f;
	return 0;
}

static int read_rules(FILE *f, struct pctx *c, struct xg_ruleset *rs)
{
	char line[XG_RULE_LINE_MAX + 1];
	unsigned int def_line = 0, nul;
	size_t n, total = 0;
	int ret;

	for (;;) {
		c->lineno++;
		ret = read_line(f, line, &n, &nul, &total);
		if (ret <= 0)
			break;
		if (nul)
			ret = xg_perr(c, nul, "NUL byte in line");
		else
			ret = add_line(c, line, rs, &def_line);
		if (ret)
			return -1;
	}
	if (ret == -E2BIG)
		return xg_perr(c, XG_RULE_LINE_MAX + 1, "line longer than %d characters",
			       XG_RULE_LINE_MAX);
	if (ret == -EFBIG)
		snprintf(c->err, c->errlen, "%s: more than %d MiB, the most a rule file holds",
			 c->file, XG_RULES_FILE_MAX >> 20);
	else if (ret == -EIO)
		snprintf(c->err, c->errlen, "cannot read %s: %s", c->file, strerror(errno));
	return ret ? -1 : 0;
}

int xg_rules_parse_file_err(const char *path, struct xg_ruleset *rs, char *err, size_t errlen)
{
	struct pctx c = { path, 0, err, errlen, true, rs };
	FILE *f;
	int ret;

	if (rs->n || rs->has_default) {
		snprintf(err, errlen, "%s: rule set not empty", path);
		return -1;
	}
	if (open_rules(path, &f, err, errlen))
		return -1;
	ret = read_rules(f, &c, rs);
	fclose(f);
	if (ret)
		xg_ruleset_free(rs);
	return ret;
}

int xg_rules_parse_file(const char *path, struct xg_ruleset *rs)
{
	char err[512];

	if (!xg_rules_parse_file_err(path, rs, err, sizeof(err)))
		return 0;
	pr_warn("%s\n", err);
	return -1;
}
