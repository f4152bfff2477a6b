// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the config file (user/cli/config.c) read with `run`'s schema: a good file
 * applied key by key, and each class of error named by file:line and key, keeping nothing. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "user/cli/commands.h"
#include "user/cli/config.h"
#include "testenv/stderr_capture.h"
#include "user/util/log.h"

/* Write len bytes of text to a fresh temporary file; its path is in path (64 bytes). */
static void write_conf_n(char *path, const char *text, size_t len)
{
	int fd;

	strcpy(path, "/tmp/xg-conf-test.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static void write_conf(char *path, const char *text)
{
	write_conf_n(path, text, strlen(text));
}

/* Load len bytes of text; expect failure with an error that starts "FILE:LINE:" and
 * contains want. */
static void expect_error_n(const char *text, size_t len, int line, const char *want)
{
	struct xg_conf c;
	char path[64], prefix[96];

	write_conf_n(path, text, len);
	assert_int_equal(xg_conf_load(path, &xg_run_conf_schema, &c), -1);
	if (line)
		snprintf(prefix, sizeof(prefix), "%s:%d: ", path, line);
	else
		snprintf(prefix, sizeof(prefix), "%s: ", path);
	if (strncmp(c.err, prefix, strlen(prefix)) || !strstr(c.err, want))
		fail_msg("error '%s', expected prefix '%s' and '%s'", c.err, prefix, want);
	assert_int_equal(c.nifaces, 0); /* nothing kept */
	assert_null(c.strs);
	unlink(path);
}

static void expect_error(const char *text, int line, const char *want)
{
	expect_error_n(text, strlen(text), line, want);
}

static void test_good(void **state)
{
	const struct xg_conf_iface *a, *b;
	struct xg_conf c;
	char path[64];

	(void)state;
	write_conf(path, "; comment\n"
			 "[interface dut0]\n"
			 "rules = /etc/a.rules\n"
			 "handler = reflect\n"
			 "wait = busy-poll\n"
			 "queues = 0,2-3\n"
			 "copy = yes\n"
			 "\n"
			 "[interface dut1]\n"
			 "mode = skb\n"
			 "[metrics]\n"
			 "listen = 127.0.0.1:9464\n"
			 "[log]\n"
			 "level = debug\n");
	assert_int_equal(xg_conf_load(path, &xg_run_conf_schema, &c), 0);
	assert_int_equal(c.nifaces, 2);
	a = xg_conf_find(&c, "dut0");
	b = xg_conf_find(&c, "dut1");
	assert_non_null(a);
	assert_non_null(b);
	assert_null(xg_conf_find(&c, "dut2"));
	assert_int_equal(a->line, 3);
	assert_string_equal(xg_conf_string(&c, a, "rules"), "/etc/a.rules");
	assert_string_equal(xg_conf_string(&c, a, "handler"), "reflect");
	assert_null(xg_conf_string(&c, b, "rules"));
	assert_string_equal(xg_conf_string(&c, b, "handler"), "count"); /* run's default */
	assert_true(c.has_metrics);
	assert_int_equal(ntohs(c.metrics.sin_port), 9464);
	assert_int_equal(ntohl(c.metrics.sin_addr.s_addr), 0x7f000001);
	assert_int_equal(c.log_level, XG_LOG_DEBUG);
	xg_conf_free(&c);
	unlink(path);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("[interface a]\nhandler = count\nfoo\n", 3, "syntax error");
	expect_error("[interface a]\nwait = poll\n[oops\n", 3, "syntax error");
	expect_error("handler = count\n", 1, "key 'handler': outside any section");
	expect_error("[interface a]\n[bogus]\nx = 1\n", 3, "[bogus]: unknown section");
	expect_error("[interface]\nwait = poll\n", 2, "needs a name");
	expect_error("[interface averyveryverylongname]\nwait = poll\n", 2,
		     "not an interface name");
	expect_error("[interface a]\n\nspeed = 10\n", 3, "key 'speed': unknown key");
	/* a run option that is not for the file */
	expect_error("[interface a]\nduration = 10\n", 2, "key 'duration': unknown key");
	expect_error("[interface a]\nwait = slow\n", 2, "key 'wait': unknown value 'slow'");
	expect_error("[interface a]\nqueues = 1-\n", 2, "key 'queues'");
	expect_error("[interface a]\nbatch = 1000\n", 2, "key 'batch': invalid value");
	expect_error("[interface a]\nrules =\n", 2, "key 'rules': empty value");
	expect_error("[interface a]\ncopy = maybe\n", 2, "key 'copy': invalid value 'maybe'");
	expect_error("[interface a]\nwait = poll\nwait = spin\n", 3, "key 'wait': set twice");
	expect_error("[interface a]\nhandler = nope\n", 2, "key 'handler': unknown handler");
	expect_error("[interface a]\ncopy = yes\nzerocopy = yes\n", 3, "exclude each other");
	expect_error("[interface a]\nring-size = 1000\n", 2, "not a power of two");
	expect_error("[interface a]\n[metrics]\nlisten = localhost\n", 3,
		     "key 'listen': 'localhost' is not ADDR:PORT");
	expect_error("[interface a]\n[metrics]\nlisten = 127.0.0.1:0\n", 3, "key 'listen'");
	expect_error("[interface a]\n[metrics]\nport = 1\n", 3, "key 'port': unknown key");
	expect_error("[interface a]\n[log]\nlevel = loud\n", 3, "key 'level': unknown value");
	expect_error("[metrics]\nlisten = 127.0.0.1:9464\n", 0, "no [interface NAME] section");
	/* the first error is the one reported */
	expect_error("[interface a]\nwait = slow\nbatch = 0\n", 2, "key 'wait'");
	expect_error("[interface a]\nfoo\nwait = slow\n", 2, "syntax error");
	expect_error("[interface a]\nwait = slow\nfoo\n", 2, "key 'wait'");
}

/* Lines inih cannot judge alone: too long (named by their own line, not taken for two),
 * with a NUL byte, indented (a key, not a continuation of the one above), and a second
 * section for one interface. */
static void test_lines(void **state)
{
	static const char nul[] = "[interface a]\nrules = /etc/a\0b.rules\nwait = poll\n";
	const struct xg_conf_iface *a;
	char text[1024], path[64];
	struct xg_conf c;

	(void)state;
	/* 198 characters is the most: a comment of that length is fine */
	snprintf(text, sizeof(text), "[interface a]\n;%0197d\nwait = poll\n", 0);
	write_conf(path, text);
	assert_int_equal(xg_conf_load(path, &xg_run_conf_schema, &c), 0);
	xg_conf_free(&c);
	unlink(path);
	snprintf(text, sizeof(text), "[interface a]\n;%0198d\nwait = poll\n", 0);
	expect_error(text, 2, "line too long (199 characters, at most 198)");
	snprintf(text, sizeof(text), "[interface a]\nwait = poll\nrules = /%0300d\nbatch = 32\n",
		 0);
	expect_error(text, 3, "line too long (309 characters");
	snprintf(text, sizeof(text), "[interface a]\nhandler = count\n\nwait = %0220d\n", 0);
	expect_error(text, 4, "line too long");
	expect_error_n(nul, sizeof(nul) - 1, 2, "a NUL byte in the line");
	expect_error("[interface a]\nwait = poll\n[metrics]\nlisten = 127.0.0.1:1\n"
		     "[interface a]\nbatch = 32\n",
		     5, "[interface a]: a second section for it (the first is at line 1)");
	expect_error("[interface a]\n[interface b]\n[interface a]\nbatch = 32\n", 3,
		     "a second section for it (the first is at line 1)");
	/* indented lines are keys, sections and comments like any other */
	write_conf(path, "  [interface a]\n  wait = poll\n\thandler = reflect\n  ; note\n");
	assert_int_equal(xg_conf_load(path, &xg_run_conf_schema, &c), 0);
	a = xg_conf_find(&c, "a");
	assert_non_null(a);
	assert_string_equal(xg_conf_string(&c, a, "handler"), "reflect");
	xg_conf_free(&c);
	unlink(path);
}

/* Only a regular file of bounded size is read: a device would never end (/dev/zero spun
 * the CPU), a FIFO would block, a directory read as empty. alarm: a hang fails the test. */
static void test_not_regular(void **state)
{
	static const struct {
		const char *path, *want;
	} cases[] = {
		{ "/dev/zero", "/dev/zero: a character device, not a regular file" },
		{ "/dev/urandom", "/dev/urandom: a character device, not a regular file" },
		{ "/tmp", "/tmp: a directory, not a regular file" },
	};
	char fifo[64], path[64], want[128];
	struct xg_conf c;
	size_t i;
	FILE *f;

	(void)state;
	alarm(20);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(xg_conf_load(cases[i].path, &xg_run_conf_schema, &c), -1);
		assert_string_equal(c.err, cases[i].want);
	}
	strcpy(fifo, "/tmp/xg-conf-fifo.XXXXXX");
	assert_non_null(mkdtemp(fifo));
	strcat(fifo, "/p");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(xg_conf_load(fifo, &xg_run_conf_schema, &c), -1);
	snprintf(want, sizeof(want), "%s: a FIFO, not a regular file", fifo);
	assert_string_equal(c.err, want);
	unlink(fifo);
	*strrchr(fifo, '/') = '\0';
	rmdir(fifo);
	/* one byte past the cap */
	write_conf(path, "[interface a]\n");
	f = fopen(path, "a");
	assert_non_null(f);
	for (i = 14; i <= XG_CONF_FILE_MAX; i++)
		fputc(i % 64 ? ' ' : '\n', f);
	fclose(f);
	assert_int_equal(xg_conf_load(path, &xg_run_conf_schema, &c), -1);
	snprintf(want, sizeof(want), "%s: %d bytes, more than the %d it may hold", path,
		 XG_CONF_FILE_MAX + 1, XG_CONF_FILE_MAX);
	assert_string_equal(c.err, want);
	unlink(path);
	alarm(0);
}

/* The handler's value checked by the service's one validator, as on the command line. */
static void test_handler_spec(void **state)
{
	(void)state;
	expect_error("[interface a]\nhandler = pcap:\n", 2, "key 'handler': a file is needed");
	expect_error("[interface a]\nhandler = pcap:/tmp/x,rotate=0\n", 2,
		     "key 'handler': rotate=0 is not a size in MB");
	expect_error("[interface a]\nhandler = pcap:/tmp/x,rotate=1,junk\n", 2,
		     "key 'handler': unknown option 'junk'");
	expect_error("[interface a]\nframe-size = 3000\n", 2, "key 'frame-size': 3000 is not 2048");
}

static void test_missing_file(void **state)
{
	struct xg_conf c;

	(void)state;
	assert_int_equal(xg_conf_load("/nonexistent/x.ini", &xg_run_conf_schema, &c), -1);
	assert_non_null(strstr(c.err, "/nonexistent/x.ini: cannot open"));
}

static void test_listen(void **state)
{
	struct sockaddr_in sa;

	(void)state;
	assert_int_equal(xg_conf_parse_listen("0.0.0.0:80", &sa), 0);
	assert_int_equal(ntohs(sa.sin_port), 80);
	assert_int_equal(xg_conf_parse_listen(":80", &sa), -1);
	assert_int_equal(xg_conf_parse_listen("1.2.3.4:", &sa), -1);
	assert_int_equal(xg_conf_parse_listen("1.2.3.4:65536", &sa), -1);
	assert_int_equal(xg_conf_parse_listen("1.2.3:8", &sa), -1);
	assert_int_equal(xg_conf_parse_listen("1.2.3.4:8x", &sa), -1);
}

/* Whether a pr_debug line reaches stderr now. */
static bool debug_shows(void)
{
	struct stderr_capture c;
	char out[64];

	stderr_capture_begin(&c);
	pr_debug("probe\n");
	return stderr_capture_end(&c, out, sizeof(out)) > 0;
}

/* [log] level applies when given; a file without it keeps the command line's -v / -vv. */
static void test_apply_log(void **state)
{
	struct xg_conf c;
	char path[64];

	(void)state;
	write_conf(path, "[interface dut0]\nhandler = count\n");
	assert_int_equal(xg_conf_load(path, &xg_run_conf_schema, &c), 0);
	xg_log_set_level(XG_LOG_DEBUG); /* -vv */
	xg_conf_apply_log(&c);
	assert_true(debug_shows());
	xg_conf_free(&c);
	unlink(path);
	write_conf(path, "[interface dut0]\nhandler = count\n[log]\nlevel = warn\n");
	assert_int_equal(xg_conf_load(path, &xg_run_conf_schema, &c), 0);
	xg_conf_apply_log(&c);
	assert_false(debug_shows());
	xg_conf_free(&c);
	unlink(path);
	xg_log_set_level(XG_LOG_INFO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),	     cmocka_unit_test(test_errors),
		cmocka_unit_test(test_handler_spec), cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_listen),	     cmocka_unit_test(test_apply_log),
		cmocka_unit_test(test_lines),	     cmocka_unit_test(test_not_regular),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
