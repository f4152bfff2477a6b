/* SPDX-License-Identifier: GPL-2.0 */
/* libFuzzer harness for the rule language: the input, split into lines, goes to
 * xg_rule_parse_line(), and whole to xg_rules_parse_file_err() through a memfd. Every rule
 * that parses is formatted, and its canonical text must parse again to the same text. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "user/rules/rules.h"
#include "user/util/log.h"

static void check_roundtrip(const struct xg_rule *r)
{
	char text[XG_RULE_TEXT_MAX * 2], again[XG_RULE_TEXT_MAX * 2], err[256];
	struct xg_rule r2;
	uint32_t def;
	int rc;

	xg_rule_format(r, text, sizeof(text));
	rc = xg_rule_parse_line(text, NULL, 0, &r2, &def, err, sizeof(err));
	if (rc != 1) {
		fprintf(stderr, "canonical text does not parse (%d): '%s': %s\n", rc, text, err);
		abort();
	}
	xg_rule_format(&r2, again, sizeof(again));
	if (strcmp(text, again) != 0) {
		fprintf(stderr, "canonical text not stable: '%s' -> '%s'\n", text, again);
		abort();
	}
}

static void fuzz_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct xg_ruleset rs;
	char err[512];

	if (fd < 0) {
		fd = memfd_create("fuzz_rules", 0);
		if (fd < 0)
			return;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return;
	xg_ruleset_init(&rs);
	if (xg_rules_parse_file_err(path, &rs, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < rs.n; i++)
			check_roundtrip(&rs.rules[i]);
	}
	xg_ruleset_free(&rs);
}

/* Host bits in a prefix are a warning on stderr: one per input would drown the fuzzer's
 * output and slow it down. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	xg_log_set_level(XG_LOG_WARN - 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *line, *next;
	struct xg_rule r;
	uint32_t def;
	char err[256];
	unsigned int lineno = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (line = buf; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		memset(&r, 0, sizeof(r));
		if (xg_rule_parse_line(line, "fuzz", lineno, &r, &def, err, sizeof(err)) == 1)
			check_roundtrip(&r);
	}
	free(buf);
	fuzz_file(data, size);
	return 0;
}
