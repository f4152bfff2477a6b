// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the declarative option parser and the CLI's argument errors. */
#include <setjmp.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "user/cli/commands.h"
#include "user/cli/opts.h"
#include "testenv/stderr_capture.h"

struct tcfg {
	bool flag;
	int verbose;
	unsigned int num;
	double secs;
	const char *path;
	int color;
	const char *iface;
	struct xg_opt_mac mac;
	struct xg_opt_queues queues;
	unsigned int rule;
};

static const struct xg_opt_enum colors[] = { { "red", 1 }, { "blue", 2 }, { NULL, 0 } };

static const struct xg_opt topts[] = {
	{ .name = "flag",
	  .short_name = 'f',
	  .type = XG_OPT_FLAG,
	  .offset = offsetof(struct tcfg, flag),
	  .help = "a flag" },
	{ .name = "verbose",
	  .short_name = 'V',
	  .type = XG_OPT_COUNT,
	  .offset = offsetof(struct tcfg, verbose),
	  .help = "more" },
	{ .name = "num",
	  .short_name = 'n',
	  .type = XG_OPT_UINT,
	  .offset = offsetof(struct tcfg, num),
	  .metavar = "N",
	  .help = "a number",
	  .min = 1,
	  .max = 64 },
	{ .name = "secs",
	  .short_name = 's',
	  .type = XG_OPT_DOUBLE,
	  .offset = offsetof(struct tcfg, secs),
	  .metavar = "S",
	  .help = "seconds" },
	{ .name = "path",
	  .short_name = 'p',
	  .type = XG_OPT_STRING,
	  .offset = offsetof(struct tcfg, path),
	  .metavar = "FILE",
	  .help = "a file" },
	{ .name = "color",
	  .short_name = 'c',
	  .type = XG_OPT_ENUM,
	  .offset = offsetof(struct tcfg, color),
	  .help = "a color",
	  .enum_vals = colors },
	{ .name = "iface", .type = XG_OPT_IFACE, .offset = offsetof(struct tcfg, iface) },
	{ .name = "mac", .type = XG_OPT_MAC, .offset = offsetof(struct tcfg, mac) },
	{ .name = "queues",
	  .type = XG_OPT_QUEUES,
	  .offset = offsetof(struct tcfg, queues),
	  .max = 255 },
	{ .name = "rule", .type = XG_OPT_RULE, .offset = offsetof(struct tcfg, rule), .max = 100 },
	XG_OPT_END,
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

/* Run the parser with stderr in a file; return what it wrote there. */
static int parse_capture(struct tcfg *cfg, char **args, char *err, size_t len)
{
	struct stderr_capture c;
	int r;

	stderr_capture_begin(&c);
	r = parse(cfg, args);
	stderr_capture_end(&c, err, len);
	return r;
}

static void test_typed_kinds(void **state)
{
	char *args[] = { "tcmd",     "--iface", "lo",	  "--mac", "02:00:0a:0B:ff:01",
			 "--queues", "0,2-3,7", "--rule", "100",   "eth0",
			 NULL };
	static const uint8_t want_mac[6] = { 0x02, 0x00, 0x0a, 0x0b, 0xff, 0x01 };
	struct tcfg cfg;

	(void)state;
	assert_int_equal(parse(&cfg, args), 9);
	assert_string_equal(cfg.iface, "lo");
	assert_true(cfg.mac.set);
	assert_memory_equal(cfg.mac.addr, want_mac, 6);
	assert_int_equal(cfg.queues.n, 4);
	assert_int_equal(cfg.queues.q[0], 0);
	assert_int_equal(cfg.queues.q[1], 2);
	assert_int_equal(cfg.queues.q[2], 3);
	assert_int_equal(cfg.queues.q[3], 7);
	assert_int_equal(cfg.rule, 100);
}

static void test_queues_all(void **state)
{
	char *args[] = { "tcmd", "--queues", "all", "eth0", NULL };
	struct tcfg cfg;

	(void)state;
	assert_int_equal(parse(&cfg, args), 3);
	assert_int_equal(cfg.queues.n, 0);
	assert_false(cfg.mac.set);
}

/* Each bad value fails with exactly one line that names the option and the value. */
static void test_typed_errors(void **state)
{
	static const char *const bad[][2] = {
		{ "--iface", "nosuch0" },
		{ "--iface", "a-name-longer-than-ifnamsiz" },
		{ "--mac", "zz" },
		{ "--mac", "02:00:0a:0b:ff" },
		{ "--mac", "02:00:0a:0b:ff:01:02" },
		{ "--queues", "" },
		{ "--queues", "1,,2" },
		{ "--queues", "1," },
		{ "--queues", "3-1" },
		{ "--queues", "256" },
		{ "--queues", "1,1" },
		{ "--queues", "0-2,2" },
		{ "--queues", "0-64" },
		{ "--queues", "-1" },
		{ "--queues", "x" },
		{ "--rule", "0" },
		{ "--rule", "101" },
		{ "--rule", "-1" },
		{ "--rule", "0x5" },
		{ "--rule", "1x" },
		{ "--rule", " 1" }, /* strtoul would skip the space */
		{ "--rule", "\t1" },
		{ "--rule", "+1" }, /* and take the sign */
		{ "--rule", "01" }, /* and read 010 as 8 */
	};
	char err[1024], *nl;
	struct tcfg cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *args[] = { "tcmd", (char *)bad[i][0], (char *)bad[i][1], "eth0", NULL };
		int r = parse_capture(&cfg, args, err, sizeof(err));

		if (r != -1)
			fail_msg("%s '%s' parsed as %d", bad[i][0], bad[i][1], r);
		nl = strchr(err, '\n');
		if (!nl || nl[1] || !strstr(err, bad[i][0]) || !strstr(err, bad[i][1]))
			fail_msg("%s '%s': not one line naming both: '%s'", bad[i][0], bad[i][1],
				 err);
	}
}

/* A positional argument of a typed kind is named by its metavar. */
static void test_positional_arg(void **state)
{
	static const struct xg_opt n_arg = {
		.name = "N", .type = XG_OPT_RULE, .metavar = "N", .max = 9, .positional = true
	};
	char err[256];
	struct stderr_capture c;
	unsigned int n = 0;

	(void)state;
	assert_int_equal(xg_opt_parse_arg("tcmd", &n_arg, &n, "7"), 0);
	assert_int_equal(n, 7);
	stderr_capture_begin(&c);
	assert_int_equal(xg_opt_parse_arg("tcmd", &n_arg, &n, "10"), -EINVAL);
	stderr_capture_end(&c, err, sizeof(err));
	assert_string_equal(err, "xdpgate: tcmd: N: '10' is not a rule number (1..9)\n");
	assert_int_equal(n, 7);
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
	/* values the option table cannot judge, refused by the commands' checks */
	char *const usage[][8] = {
		{ "xdpgate", "run", "eth9", "--frame-size", "3000", NULL },
		{ "xdpgate", "run", "eth9", "--handler", "bogus", NULL },
		{ "xdpgate", "run", "eth9", "--ring-size", "100", NULL },
		{ "xdpgate", "run", "eth9", "--zerocopy", "--copy", NULL },
		{ "xdpgate", "run", "eth9", "--queues", "0,0", NULL },
		{ "xdpgate", "run", "eth9", "--queues", "999", NULL },
		{ "xdpgate", "rules", "del", "eth9", " 1", NULL },
		{ "xdpgate", "rules", "del", "eth9", "+1", NULL },
		{ "xdpgate", "attach", "eth9", "--default", "drop", "--rules", "f", NULL },
		{ "xdpgate", "gen", "eth9", "-4", "-6", "--dst", "1.2.3.4", NULL },
		{ "xdpgate", "gen", "eth9", NULL },
		{ "xdpgate", "gen", "eth9", "--dst", "1.2.3.4", "--size", "9000", NULL },
		{ "xdpgate", "baseline", "frob", "eth9", NULL },
		{ "xdpgate", "baseline", "redirect", "eth9", NULL },
	};
	size_t i;
	char *version[] = { "xdpgate", "--version", NULL };

	(void)state;
	assert_int_equal(cli(none), 2);
	assert_int_equal(cli(unknown), 2);
	assert_int_equal(cli(noiface), 2);
	assert_int_equal(cli(badmode), 2);
	assert_int_equal(cli(baddef), 2);
	assert_int_equal(cli(help), 0);
	assert_int_equal(cli(version), 0);
	for (i = 0; i < sizeof(usage) / sizeof(usage[0]); i++) {
		char *args[8];

		memcpy(args, usage[i], sizeof(args));
		if (cli(args) != 2)
			fail_msg("'%s %s %s %s' did not exit 2", args[1], args[2], args[3],
				 args[4] ? args[4] : "");
	}
}

/* Values refused only after the pool had started, or with exit 1: each is a usage error now,
 * refused before anything is attached (eth9 does not exist: a check that came late would
 * fail on it instead, with exit 1). */
static void test_late_checks_exit_2(void **state)
{
	char *const usage[][8] = {
		{ "xdpgate", "run", "eth9", "--metrics", "bogus", NULL },
		{ "xdpgate", "run", "eth9", "--handler", "pcap:", NULL },
		{ "xdpgate", "run", "eth9", "--handler", "pcap:/tmp/x.pcap,rotate=0", NULL },
		{ "xdpgate", "run", "eth9", "--handler", "pcap:/tmp/x.pcap,rotate=1,junk", NULL },
		{ "xdpgate", "run", "eth9,", NULL },
		{ "xdpgate", "run", ",eth9", NULL },
		{ "xdpgate", "run", "eth9,,eth8", NULL },
		{ "xdpgate", "gen", "eth9", "--dst", "300.1.1.1", NULL },
		{ "xdpgate", "gen", "eth9", "--dst", "1.2.3.4", "--src", "1.2.3", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(usage) / sizeof(usage[0]); i++) {
		struct stderr_capture cap;
		char *args[8], out[1024];
		int rc;

		memcpy(args, usage[i], sizeof(args));
		stderr_capture_begin(&cap);
		rc = cli(args);
		stderr_capture_end(&cap, out, sizeof(out));
		if (rc != 2)
			fail_msg("'%s %s %s %s' exited %d, not 2", args[1], args[2],
				 args[3] ? args[3] : "", args[3] && args[4] ? args[4] : "", rc);
		if (strncmp(out, "xdpgate: ", 9) || strchr(out, '\n') != out + strlen(out) - 1)
			fail_msg("'%s %s %s': not one line: '%s'", args[1], args[2],
				 args[3] ? args[3] : "", out);
	}
}

struct shared_cfg {
	double interval, duration;
	unsigned int count32;
	uint64_t count64;
	bool json;
};

/* The shared entries, written once in opts.h: the report interval by its one name and by
 * the old one run had, and a count as wide as its field. */
static void test_shared_entries(void **state)
{
	static const struct xg_opt a[] = {
		XG_OPT_INTERVAL(struct shared_cfg, interval),
		XG_OPT_DURATION(struct shared_cfg, duration, "d"),
		XG_OPT_COUNT(struct shared_cfg, count32, "n"),
		XG_OPT_JSON(struct shared_cfg, json, "j"),
		XG_OPT_END,
	};
	static const struct xg_opt b[] = { XG_OPT_COUNT(struct shared_cfg, count64, "n"),
					   XG_OPT_END };
	struct xg_cmd ca = { .name = "a", .args = "", .opts = a, .run = never_run };
	struct xg_cmd cb = { .name = "b", .args = "", .opts = b, .run = never_run };
	char *args1[] = { "a", "--stats-interval", "0.5", "-d", "2", "-c", "7", "-j", NULL };
	char *args2[] = { "a", "--interval", "0.25", NULL };
	char *args3[] = { "b", "--count", "8589934592", NULL };
	struct shared_cfg cfg = { 0 };

	(void)state;
	assert_int_equal(xg_opts_parse(&ca, &cfg, 8, args1, stdout), 8);
	assert_true(cfg.interval == 0.5 && cfg.duration == 2.0 && cfg.count32 == 7 && cfg.json);
	assert_int_equal(xg_opts_parse(&ca, &cfg, 3, args2, stdout), 3);
	assert_true(cfg.interval == 0.25);
	assert_int_equal(b[0].type, XG_OPT_U64);
	assert_int_equal(a[2].type, XG_OPT_UINT);
	assert_int_equal(xg_opts_parse(&cb, &cfg, 3, args3, stdout), 3);
	assert_true(cfg.count64 == 8589934592ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_types),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_typed_kinds),
		cmocka_unit_test(test_queues_all),
		cmocka_unit_test(test_typed_errors),
		cmocka_unit_test(test_positional_arg),
		cmocka_unit_test(test_cli_exit_codes),
		cmocka_unit_test(test_late_checks_exit_2),
		cmocka_unit_test(test_shared_entries),
	};

	return cmocka_run_group_tests_name("opts", tests, NULL, NULL);
}
