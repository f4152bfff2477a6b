// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the declarative option parser and the CLI's argument errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "user/cli/commands.h"
#include "user/cli/opts.h"

struct tcfg {
	bool flag;
	int verbose;
	unsigned int num;
	double secs;
	const char *path;
	int color;
};

static const struct xg_opt_enum colors[] = { { "red", 1 }, { "blue", 2 }, { NULL, 0 } };

static const struct xg_opt topts[] = {
	{ "flag", 'f', XG_OPT_FLAG, offsetof(struct tcfg, flag), NULL, "a flag", NULL, 0, 0 },
	{ "verbose", 'V', XG_OPT_COUNT, offsetof(struct tcfg, verbose), NULL, "more", NULL, 0, 0 },
	{ "num", 'n', XG_OPT_UINT, offsetof(struct tcfg, num), "N", "a number", NULL, 1, 64 },
	{ "secs", 's', XG_OPT_DOUBLE, offsetof(struct tcfg, secs), "S", "seconds", NULL, 0, 0 },
	{ "path", 'p', XG_OPT_STRING, offsetof(struct tcfg, path), "FILE", "a file", NULL, 0, 0 },
	{ "color", 'c', XG_OPT_ENUM, offsetof(struct tcfg, color), NULL, "a color", colors, 0, 0 },
	{ NULL, 0, 0, 0, NULL, NULL, NULL, 0, 0 },
};

static int never_run(void *cfg, int argc, char **argv)
{
	(void)cfg;
	(void)argc;
	(void)argv;
	return 0;
}

static const struct xg_cmd tcmd = {
	.name = "tcmd",
	.args = "IFACE",
	.min_args = 1,
	.max_args = 1,
	.summary = "test command",
	.opts = topts,
	.cfg_size = sizeof(struct tcfg),
	.run = never_run,
};

/* Parse a NULL-terminated argument list (argv[0] is the command). */
static int parse(struct tcfg *cfg, char **args)
{
	int argc = 0;

	while (args[argc])
		argc++;
	memset(cfg, 0, sizeof(*cfg));
	return xg_opts_parse(&tcmd, cfg, argc, args, stdout);
}

static void test_all_types(void **state)
{
	char *args[] = { "tcmd", "-f", "-V",	 "-V", "--num", "64", "--secs=0.5",
			 "eth0", "-p", "x.conf", "-c", "blue",	NULL };
	struct tcfg cfg;
	int first;

	(void)state;
	first = parse(&cfg, args);
	assert_int_equal(first, 11); /* options after the positional are permuted before it */
	assert_string_equal(args[first], "eth0");
	assert_true(cfg.flag);
	assert_int_equal(cfg.verbose, 2);
	assert_int_equal(cfg.num, 64);
	assert_true(cfg.secs > 0.49 && cfg.secs < 0.51);
	assert_string_equal(cfg.path, "x.conf");
	assert_int_equal(cfg.color, 2);
}

static void test_errors(void **state)
{
	char *bad[][5] = {
		{ "tcmd", "--num", "65", "eth0", NULL },      /* above max */
		{ "tcmd", "--num", "0", "eth0", NULL },	      /* below min */
		{ "tcmd", "--num", "-1", "eth0", NULL },      /* negative */
		{ "tcmd", "--num", "12x", "eth0", NULL },     /* trailing junk */
		{ "tcmd", "--secs", "0", "eth0", NULL },      /* not positive */
		{ "tcmd", "--secs", "nan", "eth0", NULL },    /* not a number */
		{ "tcmd", "--color", "green", "eth0", NULL }, /* not in the enum */
		{ "tcmd", "--bogus", "eth0", NULL, NULL },    /* unknown long */
		{ "tcmd", "-z", "eth0", NULL, NULL },	      /* unknown short */
		{ "tcmd", "eth0", "--num", NULL, NULL },      /* missing value */
		{ "tcmd", NULL, NULL, NULL, NULL },	      /* missing positional */
		{ "tcmd", "eth0", "eth1", NULL, NULL },	      /* extra positional */
	};
	struct tcfg cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse(&cfg, bad[i]);

		if (r != -1)
			fail_msg("case %zu (%s %s) parsed as %d", i, bad[i][1], bad[i][2], r);
	}
}

static void test_help(void **state)
{
	char *args[] = { "tcmd", "--help", NULL };
	struct tcfg cfg;

	(void)state;
	assert_int_equal(parse(&cfg, args), XG_OPTS_HELP);
	assert_string_equal(xg_opt_enum_name(colors, 1), "red");
	assert_string_equal(xg_opt_enum_name(colors, 9), "?");
}

/* The real CLI: exit codes for usage errors, help and version (no root needed). */
static int cli(char **args)
{
	int argc = 0;

	while (args[argc])
		argc++;
	return xg_cli_main(argc, args);
}

static void test_cli_exit_codes(void **state)
{
	char *none[] = { "xdpgate", NULL };
	char *unknown[] = { "xdpgate", "frobnicate", NULL };
	char *noiface[] = { "xdpgate", "attach", NULL };
	char *badmode[] = { "xdpgate", "attach", "eth9", "--mode", "turbo", NULL };
	char *baddef[] = { "xdpgate", "-v", "attach", "eth9", "--default", "maybe", NULL };
	char *help[] = { "xdpgate", "stats", "--help", NULL };
	char *version[] = { "xdpgate", "--version", NULL };

	(void)state;
	assert_int_equal(cli(none), 2);
	assert_int_equal(cli(unknown), 2);
	assert_int_equal(cli(noiface), 2);
	assert_int_equal(cli(badmode), 2);
	assert_int_equal(cli(baddef), 2);
	assert_int_equal(cli(help), 0);
	assert_int_equal(cli(version), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_types),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_cli_exit_codes),
	};

	return cmocka_run_group_tests_name("opts", tests, NULL, NULL);
}
