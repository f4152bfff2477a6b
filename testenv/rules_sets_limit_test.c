// SPDX-License-Identifier: GPL-2.0
/* Unit layer: prefix sets and limits in the rule language and the reference classifier.
 * Set files (mixed families, comments, nested and duplicate prefixes), `src @NAME` /
 * `dst @NAME`, `limit RATE [burst N]`, their canonical text, what membership means, and
 * every error naming file:line. */
#define _GNU_SOURCE /* mkdtemp */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/parse.h"
#include "user/rules/compile.h"
#include "user/rules/rules.h"

struct tdir {
	char dir[32];
	char rules[64];
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	fclose(f);
}

static void put(const struct tdir *d, const char *name, const char *text)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", d->dir, name);
	write_file(path, text);
}

static void tdir_make(struct tdir *d)
{
	snprintf(d->dir, sizeof(d->dir), "/tmp/rules_sets.XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->rules, sizeof(d->rules), "%s/rules.conf", d->dir);
}

static void tdir_remove(const struct tdir *d)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", d->dir);
	assert_int_equal(system(cmd), 0);
}

static struct xg_pkt pkt_from(const char *src, const char *dst)
{
	struct xg_pkt p = { 0 };
	int af = strchr(src, ':') ? AF_INET6 : AF_INET;

	p.family = af == AF_INET6 ? 6 : 4;
	assert_int_equal(inet_pton(af, src, p.saddr), 1);
	assert_int_equal(inet_pton(af, dst, p.daddr), 1);
	p.l4_proto = IPPROTO_UDP;
	return p;
}

static void test_set_file(void **state)
{
	struct tdir d;
	struct xg_ruleset rs;
	struct xg_pkt p;
	char err[512], text[XG_RULE_TEXT_MAX];

	(void)state;
	tdir_make(&d);
	put(&d, "block.txt",
	    "# a feed\n198.18.0.0/16\n  198.18.7.0/24   # nested\n198.18.0.0/16\nfd00::/8\n\n"
	    "203.0.113.9\n198.19.1.1/24\n");
	write_file(d.rules, "set block block.txt\ndrop src @block\npass dst @block proto udp\n"
			    "default drop\n");
	xg_ruleset_init(&rs);
	if (xg_rules_parse_file_err(d.rules, &rs, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(rs.nsets, 1);
	assert_int_equal(rs.sets[0]->n, 5); /* the duplicate once; host bits cleared */
	assert_int_equal(rs.n, 2);
	xg_rule_format(&rs.rules[0], text, sizeof(text));
	assert_string_equal(text, "drop src @block");
	xg_rule_format(&rs.rules[1], text, sizeof(text));
	assert_string_equal(text, "pass dst @block proto udp");
	p = pkt_from("198.18.7.9", "10.0.0.1");
	assert_int_equal(xg_rules_classify(&rs, &p), 0);
	p = pkt_from("198.19.1.200", "10.0.0.1"); /* 198.19.1.0/24 */
	assert_int_equal(xg_rules_classify(&rs, &p), 0);
	p = pkt_from("198.20.0.1", "203.0.113.9");
	assert_int_equal(xg_rules_classify(&rs, &p), 1);
	p = pkt_from("198.20.0.1", "203.0.113.8");
	assert_int_equal(xg_rules_classify(&rs, &p), -1);
	p = pkt_from("fd12::1", "2001:db8::1");
	assert_int_equal(xg_rules_classify(&rs, &p), 0);
	p = pkt_from("2001:db8::1", "2001:db8::1");
	assert_int_equal(xg_rules_classify(&rs, &p), -1);
	memset(&p, 0, sizeof(p)); /* no L3: in no set */
	assert_int_equal(xg_rules_classify(&rs, &p), -1);
	xg_ruleset_free(&rs);
	tdir_remove(&d);
}

struct bad_case {
	const char *rules, *set, *err; /* err: after "DIR/" */
};

static void test_set_errors(void **state)
{
	static const struct bad_case cases[] = {
		{ "set b s.txt\n", "10.0.0.0/8\n10.0.0.0/33\n",
		  "rules.conf:1:7: set 'b': DIR/s.txt:2: invalid prefix '10.0.0.0/33'" },
		{ "set b s.txt\n", "# ok\nzz\n",
		  "rules.conf:1:7: set 'b': DIR/s.txt:2: invalid prefix 'zz'" },
		{ "set b s.txt\n", "10.0.0.0/8 10.1.0.0/16\n",
		  "rules.conf:1:7: set 'b': DIR/s.txt:1: invalid prefix '10.0.0.0/8 10.1.0.0/16'" },
		{ "drop src @b\nset b s.txt\n", "10.0.0.0/8\n",
		  "rules.conf:1:10: set 'b' is not defined before this line" },
		{ "set b s.txt\nset b s.txt\n", "10.0.0.0/8\n",
		  "rules.conf:2:5: set 'b' defined twice" },
		{ "set b nofile.txt\n", "",
		  "rules.conf:1:7: set 'b': cannot open set file DIR/nofile.txt: No such file or "
		  "directory" },
		{ "set b! s.txt\n", "", "rules.conf:1:5: invalid set name 'b!'" },
		{ "set b\n", "", "rules.conf:1:1: 'set' needs a name and a file: set NAME FILE" },
		{ "set b s.txt\ndrop src @b src 10.0.0.0/8\n", "10.0.0.0/8\n",
		  "rules.conf:2:13: duplicate condition 'src'" },
		{ "set a s.txt\nset b s.txt\nset c s.txt\nset d s.txt\nset e s.txt\n", "",
		  "rules.conf:5:1: more than 4 sets in one rule file" },
	};
	char err[512], want[512];
	struct xg_ruleset rs;
	struct tdir d;
	size_t i;

	(void)state;
	tdir_make(&d);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *at = strstr(cases[i].err, "DIR/");

		put(&d, "s.txt", cases[i].set);
		write_file(d.rules, cases[i].rules);
		if (at)
			snprintf(want, sizeof(want), "%s/%.*s%s/%s", d.dir,
				 (int)(at - cases[i].err), cases[i].err, d.dir, at + 4);
		else
			snprintf(want, sizeof(want), "%s/%s", d.dir, cases[i].err);
		xg_ruleset_init(&rs);
		assert_int_equal(xg_rules_parse_file_err(d.rules, &rs, err, sizeof(err)), -1);
		if (strcmp(err, want))
			fail_msg("case %zu: got\n%s\nwant\n%s", i, err, want);
		/* nothing kept */
		assert_int_equal(rs.n, 0);
		assert_int_equal(rs.nsets, 0);
		xg_ruleset_free(&rs);
	}
	/* a set alone on a line is refused: sets live in files */
	{
		struct xg_rule r;
		uint32_t def;

		assert_int_equal(
			xg_rule_parse_line("set b s.txt", NULL, 0, &r, &def, err, sizeof(err)), -1);
		assert_string_equal(err, "1: a set is defined in a rule file, not on one line");
	}
	tdir_remove(&d);
}

/* Past XG_SET_PREFIXES_MAX prefixes the set is refused at the line that passes it. */
static void test_set_limit(void **state)
{
	char path[128], err[512], want[512];
	struct xg_ruleset rs;
	struct tdir d;
	FILE *f;
	unsigned int i;

	(void)state;
	tdir_make(&d);
	snprintf(path, sizeof(path), "%s/big.txt", d.dir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (i = 0; i <= XG_SET_PREFIXES_MAX; i++)
		fprintf(f, "%u.%u.%u.0/24\n", 1 + (i >> 16), (i >> 8) & 0xff, i & 0xff);
	fclose(f);
	write_file(d.rules, "# big\nset big big.txt\n");
	xg_ruleset_init(&rs);
	assert_int_equal(xg_rules_parse_file_err(d.rules, &rs, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "%s:2:9: set 'big': %s:%d: set 'big' has more than %d prefixes", d.rules, path,
		 XG_SET_PREFIXES_MAX + 1, XG_SET_PREFIXES_MAX);
	assert_string_equal(err, want);
	xg_ruleset_free(&rs);
	tdir_remove(&d);
}

/* A rule read back from a gate names its set; binding gives it a name-only set. */
static void test_set_bind(void **state)
{
	struct xg_ruleset rs;
	struct xg_rule r;
	char err[256], text[XG_RULE_TEXT_MAX];
	uint32_t def;

	(void)state;
	xg_ruleset_init(&rs);
	assert_int_equal(
		xg_rule_parse_line("drop src @feed dst @feed", NULL, 0, &r, &def, err, sizeof(err)),
		1);
	assert_int_equal(xg_ruleset_insert(&rs, 0, &r), 0);
	assert_int_equal(xg_ruleset_bind_sets(&rs, err, sizeof(err)), 0);
	assert_int_equal(rs.nsets, 1);
	assert_false(rs.sets[0]->loaded);
	assert_ptr_equal(rs.rules[0].src_sp, rs.sets[0]);
	assert_ptr_equal(rs.rules[0].dst_sp, rs.sets[0]);
	xg_rule_format(&rs.rules[0], text, sizeof(text));
	assert_string_equal(text, "drop src @feed dst @feed");
	assert_int_equal(xg_rule_parse_line("drop src @", NULL, 0, &r, &def, err, sizeof(err)), -1);
	assert_string_equal(err, "10: invalid set name '@'");
	xg_ruleset_free(&rs);
}

static void test_limit_lines(void **state)
{
	static const struct {
		const char *line, *want; /* want: the canonical text, or the error */
	} cases[] = {
		{ "pass proto icmp limit 100/s burst 20", "pass proto icmp limit 100/s burst 20" },
		{ "pass limit 100/s", "pass limit 100/s burst 5" },
		{ "pass limit 2048bytes/s burst 3000", "pass limit 2kbytes/s burst 3000" },
		{ "pass limit 10kbytes/s", "pass limit 10kbytes/s burst 65536" },
		{ "pass limit 1024kbytes/s burst 1", "pass limit 1mbytes/s burst 1" },
		{ "pass limit 7bytes/s burst 9 proto udp", "pass proto udp limit 7bytes/s burst "
							   "9" },
		{ "pass limit 0/s", "12: limit of 0: a rate must be at least 1 per second" },
		{ "pass limit 0kbytes/s", "12: limit of 0: a rate must be at least 1 per second" },
		{ "pass limit 10", "12: invalid limit '10' (N/s, or N bytes/s, kbytes/s, "
				   "mbytes/s)" },
		{ "pass limit 10/m", "12: invalid limit '10/m' (N/s, or N bytes/s, kbytes/s, "
				     "mbytes/s)" },
		{ "pass limit", "6: missing value after 'limit'" },
		{ "pass burst 5", "6: 'burst' goes right after 'limit RATE'" },
		{ "pass limit 5/s proto udp burst 5", "26: 'burst' goes right after 'limit RATE'" },
		{ "pass limit 5/s burst 0", "22: invalid burst '0' (1 to 1000000000)" },
		{ "pass limit 5/s limit 6/s", "16: duplicate condition 'limit'" },
		{ "pass limit 1000000001/s", "12: limit '1000000001/s' is over 1000000000 per "
					     "second" },
	};
	char err[256], text[XG_RULE_TEXT_MAX];
	struct xg_rule r;
	uint32_t def;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = xg_rule_parse_line(cases[i].line, NULL, 0, &r, &def, err, sizeof(err));

		if (ret == 1)
			xg_rule_format(&r, text, sizeof(text));
		if (strcmp(ret == 1 ? text : err, cases[i].want))
			fail_msg("'%s': got '%s', want '%s'", cases[i].line, ret == 1 ? text : err,
				 cases[i].want);
	}
	/* the reference classifier takes a limit as met */
	assert_int_equal(
		xg_rule_parse_line("pass limit 1/s burst 1", NULL, 0, &r, &def, err, sizeof(err)),
		1);
	{
		struct xg_pkt p = pkt_from("198.18.0.1", "198.18.0.2");

		assert_true(xg_rule_matches(&r, &p));
	}
}

/* What the loader writes for limits: each limited rule's action names its bucket; a frame
 * costs 1/rate (in ns << XG_LIMIT_SHIFT, per byte for byte rates); a CPU's lease is 1 ms of
 * the rate, at most the burst (the gate takes at least one frame's cost). */
static void test_limit_compiled(void **state)
{
	static const char *const lines[] = { "pass limit 2000/s burst 100",
					     "drop proto tcp",
					     "pass limit 1/s",
					     "pass limit 1000000/s burst 2",
					     "pass limit 1kbytes/s burst 2000",
					     "pass limit 1/s burst 1000000000" };
	const __u64 ns = 1ULL << XG_LIMIT_SHIFT, ms = XG_LIMIT_LEASE_NS * ns;
	static const __u32 id[] = { 1, 0, 2, 3, 4, 5 };
	struct xg_compiled c = { 0 };
	struct xg_ruleset rs;
	char err[256];
	struct xg_rule r;
	uint32_t def;
	size_t i;

	(void)state;
	xg_ruleset_init(&rs);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		assert_int_equal(xg_rule_parse_line(lines[i], NULL, 0, &r, &def, err, sizeof(err)),
				 1);
		assert_int_equal(xg_ruleset_insert(&rs, i, &r), 0);
	}
	assert_int_equal(xg_rules_compile(&rs, &c), 0);
	assert_int_equal(c.nlimits, 5);
	for (i = 0; i < sizeof(id) / sizeof(id[0]); i++)
		assert_int_equal(c.actions[i].limit, id[i]);
	assert_true(c.leases[0].cost == 500000 * ns && !c.leases[0].bytes);
	assert_true(c.buckets[0].burst == 100 * c.leases[0].cost && c.buckets[0].lease == ms);
	assert_true(c.buckets[1].burst == 5 * c.leases[1].cost && c.buckets[1].lease == ms);
	assert_true(c.buckets[2].burst == 2000 * ns && c.buckets[2].lease == 2000 * ns);
	assert_true(c.leases[3].bytes && c.leases[3].cost == 1000000000 * ns / 1024);
	assert_true(c.buckets[3].lease == ms);
	assert_true(c.buckets[4].burst == XG_LIMIT_BURST_CAP); /* 10^9 s: capped, no overflow */
	for (i = 0; i < 5; i++)
		assert_true(!c.buckets[i].tat && !c.buckets[i].epoch && !c.leases[i].left &&
			    !c.leases[i].retry && !c.leases[i].jiffies);
	xg_compiled_free(&c);
	xg_ruleset_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_file),    cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_set_limit),   cmocka_unit_test(test_set_bind),
		cmocka_unit_test(test_limit_lines), cmocka_unit_test(test_limit_compiled),
	};

	return cmocka_run_group_tests_name("rules_sets_limit", tests, NULL, NULL);
}
