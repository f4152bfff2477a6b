/* SPDX-License-Identifier: GPL-2.0 */
/* libFuzzer harness for the config file (user/cli/config.c, INI through libinih): the input
 * is written to a memfd and loaded with a schema of every option kind the real one uses
 * (string, flag, unsigned, enum, queue list). A load either succeeds or names file:line in
 * its error; either way it must not crash, leak or read out of bounds. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "user/cli/config.h"
#include "user/util/log.h"

struct fz_cfg {
	const char *rules, *handler;
	bool copy;
	unsigned int batch;
	int wait;
	struct xg_opt_queues queues;
};

static const struct xg_opt_enum fz_waits[] = { { "poll", 0 }, { "spin", 1 }, { NULL, 0 } };

#define O(f) offsetof(struct fz_cfg, f)
static const struct xg_opt fz_opts[] = {
	{ .name = "rules", .type = XG_OPT_STRING, .offset = O(rules), .help = "-" },
	{ .name = "handler", .type = XG_OPT_STRING, .offset = O(handler), .help = "-" },
	{ .name = "copy", .type = XG_OPT_FLAG, .offset = O(copy), .help = "-" },
	{ .name = "batch",
	  .type = XG_OPT_UINT,
	  .offset = O(batch),
	  .help = "-",
	  .min = 1,
	  .max = 256 },
	{ .name = "wait",
	  .type = XG_OPT_ENUM,
	  .offset = O(wait),
	  .help = "-",
	  .enum_vals = fz_waits },
	{ .name = "queues", .type = XG_OPT_QUEUES, .offset = O(queues), .help = "-" },
	XG_OPT_END,
};
#undef O

static const char *const fz_keys[] = { "rules", "handler", "copy", "batch", "wait", "queues", NULL };

static void fz_defaults(void *cfg)
{
	((struct fz_cfg *)cfg)->batch = 64;
}

static const struct xg_conf_schema fz_schema = {
	.opts = fz_opts,
	.keys = fz_keys,
	.cfg_size = sizeof(struct fz_cfg),
	.defaults = fz_defaults,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	xg_log_set_level(XG_LOG_WARN - 1); /* the loader's own warnings would slow it down */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct xg_conf c;

	if (fd < 0) {
		fd = memfd_create("fuzz_config", 0);
		if (fd < 0)
			return 0;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	memset(&c, 0, sizeof(c));
	if (xg_conf_load(path, &fz_schema, &c) != 0 && !strstr(c.err, path)) {
		fprintf(stderr, "a config error that names no file: '%s'\n", c.err);
		abort();
	}
	xg_conf_free(&c);
	return 0;
}
