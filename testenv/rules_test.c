// SPDX-License-Identifier: GPL-2.0
/* Unit layer: the rule language. Tables of lines with their canonical text or exact
 * error message, whole files, and a seeded garbage-input run (set XG_RULES_SEED to repeat
 * one). What rules mean is tested in rules_match_test.c.
 */
#define _GNU_SOURCE /* open_memstream, mkdtemp */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/parse.h"
#include "user/util/frame_build.h"
#include "user/rules/rules.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ERR_MAX 512

static void rule_equal(const struct xg_rule *a, const struct xg_rule *b)
{
	assert_int_equal(a->action, b->action);
	assert_string_equal(a->redirect_if, b->redirect_if);
	assert_memory_equal(&a->src, &b->src, sizeof(a->src));
	assert_memory_equal(&a->dst, &b->dst, sizeof(a->dst));
	assert_int_equal(a->has_proto, b->has_proto);
	assert_int_equal(a->proto, b->proto);
	assert_int_equal(a->sport.n, b->sport.n);
	assert_memory_equal(a->sport.r, b->sport.r, sizeof(a->sport.r));
	assert_int_equal(a->dport.n, b->dport.n);
	assert_memory_equal(a->dport.r, b->dport.r, sizeof(a->dport.r));
	assert_int_equal(a->has_vlan, b->has_vlan);
	assert_int_equal(a->vlan, b->vlan);
	assert_int_equal(a->has_ether, b->has_ether);
	assert_int_equal(a->ether, b->ether);
	assert_int_equal(a->has_tcp_flags, b->has_tcp_flags);
	assert_int_equal(a->flags_mask, b->flags_mask);
	assert_int_equal(a->flags_value, b->flags_value);
	assert_int_equal(a->has_icmp_type, b->has_icmp_type);
	assert_int_equal(a->icmp_family, b->icmp_family);
	assert_int_equal(a->icmp_type, b->icmp_type);
	assert_int_equal(a->line, b->line);
}

/* Format r, parse the text back, and demand the same rule. */
static void check_round_trip(const struct xg_rule *r)
{
	char text[XG_RULE_TEXT_MAX], err[ERR_MAX];
	struct xg_rule back;
	int ret;

	xg_rule_format(r, text, sizeof(text));
	ret = xg_rule_parse_line(text, "rt", r->line, &back, NULL, err, sizeof(err));
	if (ret != 1)
		fail_msg("'%s' does not parse back: %s", text, err);
	rule_equal(r, &back);
}

/* ---- lines that parse, with their canonical text ---- */

struct good_case {
	const char *line, *canon;
};

static const struct good_case good_cases[] = {
	{ "pass", "pass" },
	{ "  drop\t# a comment", "drop" },
	{ "tx", "tx" },
	{ "xsk", "xsk" },
	{ "redirect eth0", "redirect eth0" },
	{ "redirect abcdefghijklmno", "redirect abcdefghijklmno" },
	{ "drop proto udp\r\n", "drop proto udp" },
	{ "drop src 10.0.0.1", "drop src 10.0.0.1/32" },
	{ "drop dst 10.0.0.0/8 src 192.168.1.0/24", "drop src 192.168.1.0/24 dst 10.0.0.0/8" },
	{ "drop src 2001:DB8::/32", "drop src 2001:db8::/32" },
	{ "drop src ::/0", "drop src ::/0" },
	{ "drop dst 0.0.0.0/0", "drop dst 0.0.0.0/0" },
	{ "drop dst fe80::1", "drop dst fe80::1/128" },
	{ "drop src ::ffff:1.2.3.4/120", "drop src ::ffff:1.2.3.0/120" },
	{ "drop src 10.0.0.1/8", "drop src 10.0.0.0/8" }, /* host bits masked */
	{ "drop dst 2001:db8::1/32", "drop dst 2001:db8::/32" },
	{ "drop src 10.0.0.0/08", "drop src 10.0.0.0/8" },
	{ "drop proto 6", "drop proto tcp" },
	{ "drop proto 17", "drop proto udp" },
	{ "drop proto 1", "drop proto icmp" },
	{ "drop proto 58", "drop proto icmpv6" },
	{ "drop proto 47", "drop proto 47" },
	{ "drop proto 0", "drop proto 0" },
	{ "drop proto 255", "drop proto 255" },
	{ "pass proto udp dport 53", "pass proto udp dport 53" },
	{ "pass dport 1000-2000,80,443", "pass dport 1000-2000,80,443" },
	{ "pass sport 0-65535", "pass sport 0-65535" },
	{ "pass sport 7-7", "pass sport 7" },
	{ "pass dport 0", "pass dport 0" },
	{ "pass dport 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16", "pass dport "
							       "1,2,3,4,5,6,7,8,9,10,11,12,13,14,"
							       "15,16" },
	{ "pass proto tcp sport 22 dport 1024-65535", "pass proto tcp sport 22 dport 1024-65535" },
	{ "drop vlan 0", "drop vlan 0" },
	{ "drop vlan 4095", "drop vlan 4095" },
	{ "drop ether arp", "drop ether arp" },
	{ "drop ether 0x88cc", "drop ether 0x88cc" },
	{ "drop ether 0X88CC", "drop ether 0x88cc" },
	{ "drop ether 0x0800", "drop ether ipv4" },
	{ "drop ether 34525", "drop ether ipv6" },
	{ "drop ether 0", "drop ether 0x0000" },
	{ "drop ether 0xffff", "drop ether 0xffff" },
	{ "drop tcp-flags syn,!ack", "drop tcp-flags syn,!ack" },
	{ "drop tcp-flags !ack,syn", "drop tcp-flags syn,!ack" },
	{ "drop tcp-flags cwr,ece,urg,ack,psh,rst,syn,fin", "drop tcp-flags "
							    "fin,syn,rst,psh,ack,urg,ece,cwr" },
	{ "drop proto tcp tcp-flags !fin", "drop proto tcp tcp-flags !fin" },
	{ "drop icmp-type echo-request", "drop icmp-type 8" },
	{ "drop icmp-type echo-request proto icmpv6", "drop proto icmpv6 icmp-type 128" },
	{ "drop proto icmpv6 icmp-type neighbor-solicitation", "drop proto icmpv6 icmp-type 135" },
	{ "drop proto icmpv6 icmp-type packet-too-big", "drop proto icmpv6 icmp-type 2" },
	{ "drop proto icmp icmp-type redirect", "drop proto icmp icmp-type 5" },
	{ "drop proto icmp icmp-type time-exceeded", "drop proto icmp icmp-type 11" },
	{ "drop icmp-type 255", "drop icmp-type 255" },
	{ "drop src 2001:db8::/32 proto icmpv6 icmp-type 1", "drop src 2001:db8::/32 proto icmpv6 "
							     "icmp-type 1" },
	{ "redirect veth1 icmp-type 3 vlan 7 ether ipv4 dst 1.2.3.4/31 proto icmp src 5.6.7.0/24",
	  "redirect veth1 src 5.6.7.0/24 dst 1.2.3.4/31 proto icmp vlan 7 ether ipv4 icmp-type 3" },
	{ "xsk tcp-flags syn dport 2 sport 1 vlan 3 ether ipv4 proto tcp dst 10.1.0.0/16 src "
	  "10.0.0.0/8",
	  "xsk src 10.0.0.0/8 dst 10.1.0.0/16 proto tcp sport 1 dport 2 vlan 3 ether ipv4 "
	  "tcp-flags syn" },
	{ "drop dport 22 tcp-flags syn", "drop dport 22 tcp-flags syn" },
	/* ct: the states in nftables' words, written in a fixed order */
	{ "pass ct established,related", "pass ct established,related" },
	{ "pass ct related,new proto tcp dport 22", "pass proto tcp dport 22 ct new,related" },
	{ "drop ct invalid,established,related,new", "drop ct new,established,related,invalid" },
	/* the log modifier: anywhere after the action, written last */
	{ "drop log", "drop log" },
	{ "drop log every 1", "drop log" },
	{ "drop log every 100 proto udp", "drop proto udp log every 100" },
	{ "drop proto udp log dport 9", "drop proto udp dport 9 log" },
	{ "redirect eth0 log every 4294967295", "redirect eth0 log every 4294967295" },
	{ "pass log every 07", "pass log every 7" },
};

static void test_good_lines(void **state)
{
	char text[XG_RULE_TEXT_MAX], err[ERR_MAX];
	struct xg_rule r;
	size_t i;
	int ret;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good_cases); i++) {
		const struct good_case *g = &good_cases[i];

		ret = xg_rule_parse_line(g->line, "rules.conf", 7, &r, NULL, err, sizeof(err));
		if (ret != 1)
			fail_msg("'%s': returned %d: %s", g->line, ret, err);
		xg_rule_format(&r, text, sizeof(text));
		if (strcmp(text, g->canon))
			fail_msg("'%s' formats as '%s', want '%s'", g->line, text, g->canon);
		assert_int_equal(r.line, 7);
		check_round_trip(&r);
	}
}

/* Fields the canonical text does not show directly. */
static void test_fields(void **state)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	char err[ERR_MAX];
	struct xg_rule r;
	uint32_t def = 99;

	(void)state;
	assert_int_equal(
		xg_rule_parse_line("drop tcp-flags syn,!ack", NULL, 0, &r, NULL, err, sizeof(err)),
		1);
	assert_true(r.has_tcp_flags);
	assert_int_equal(r.flags_mask, 0x12);
	assert_int_equal(r.flags_value, 0x02);
	assert_int_equal(r.line, 0);

	assert_int_equal(xg_rule_parse_line("redirect eth1 src 10.0.0.1/8 dst 2001:db8::/32", NULL,
					    0, &r, NULL, err, sizeof(err)),
			 -1); /* families differ */
	assert_int_equal(xg_rule_parse_line("redirect eth1 src 10.9.0.1/16 dport 5,6-9", NULL, 0,
					    &r, NULL, err, sizeof(err)),
			 1);
	assert_int_equal(r.action, XG_VERDICT_REDIRECT);
	assert_string_equal(r.redirect_if, "eth1");
	assert_int_equal(r.src.family, 4);
	assert_int_equal(r.src.len, 16);
	assert_int_equal(r.src.addr[0], 10);
	assert_int_equal(r.src.addr[1], 9);
	assert_int_equal(r.src.addr[3], 0);
	assert_int_equal(r.dst.family, 0);
	assert_int_equal(r.dport.n, 2);
	assert_int_equal(r.dport.r[1].lo, 6);
	assert_int_equal(r.dport.r[1].hi, 9);
	assert_int_equal(r.sport.n, 0);

	assert_int_equal(xg_rule_parse_line("pass dst 2001:db8::ff/32 icmp-type echo-reply proto "
					    "icmpv6",
					    NULL, 0, &r, NULL, err, sizeof(err)),
			 1);
	assert_int_equal(r.dst.family, 6);
	assert_memory_equal(r.dst.addr, v6, 16);
	assert_int_equal(r.icmp_family, 6);
	assert_int_equal(r.icmp_type, 129);
	assert_int_equal(xg_rule_parse_line("pass icmp-type echo-reply", NULL, 0, &r, NULL, err,
					    sizeof(err)),
			 1);
	assert_int_equal(r.icmp_family, 4);
	assert_int_equal(r.icmp_type, 0);
	assert_int_equal(r.log_every, 0);
	assert_false(xg_rule_log_sampled(&r, 1)); /* no log */

	/* log every 5 samples the 1st, 6th, 11th ... frame the rule matches */
	assert_int_equal(
		xg_rule_parse_line("drop log every 5", NULL, 0, &r, NULL, err, sizeof(err)), 1);
	assert_int_equal(r.log_every, 5);
	assert_true(xg_rule_log_sampled(&r, 1));
	assert_false(xg_rule_log_sampled(&r, 2));
	assert_false(xg_rule_log_sampled(&r, 5));
	assert_true(xg_rule_log_sampled(&r, 6));
	assert_true(xg_rule_log_sampled(&r, 11));
	assert_false(xg_rule_log_sampled(&r, 0));
	assert_int_equal(xg_rule_parse_line("drop log", NULL, 0, &r, NULL, err, sizeof(err)), 1);
	assert_int_equal(r.log_every, 1);
	assert_true(xg_rule_log_sampled(&r, 2));

	assert_int_equal(
		xg_rule_parse_line("default drop # x", NULL, 0, &r, &def, err, sizeof(err)), 2);
	assert_int_equal(def, XG_VERDICT_DROP);
	assert_int_equal(xg_rule_parse_line(" default\tpass", NULL, 0, &r, &def, err, sizeof(err)),
			 2);
	assert_int_equal(def, XG_VERDICT_PASS);
	assert_int_equal(xg_rule_parse_line("", NULL, 0, &r, &def, err, sizeof(err)), 0);
	assert_int_equal(xg_rule_parse_line(" \t \r\n", NULL, 0, &r, &def, err, sizeof(err)), 0);
	assert_int_equal(xg_rule_parse_line("# drop", NULL, 0, &r, &def, err, sizeof(err)), 0);
}

/* ---- lines that do not parse, with their exact message ---- */

struct bad_case {
	const char *line, *err;
};

#define E "rules.conf:12:"

static const struct bad_case bad_cases[] = {
	/* the log modifier */
	{ "drop log every 0", E "16: invalid sample rate '0' (1 to 4294967295: log one frame in "
				"N)" },
	{ "drop log every 4294967296", E "16: invalid sample rate '4294967296' (1 to 4294967295: "
					 "log one frame in N)" },
	{ "drop log every -1", E "16: invalid sample rate '-1' (1 to 4294967295: log one frame in "
				 "N)" },
	{ "drop log every", E "10: missing value after 'every'" },
	{ "drop log log", E "10: duplicate modifier 'log'" },
	{ "drop log every 2 log", E "18: duplicate modifier 'log'" },
	{ "drop every 2", E "6: unknown condition 'every'" },
	{ "drop log every 2 every 3", E "18: unknown condition 'every'" },
	/* actions */
	{ "drp", E "1: unknown action 'drp'" },
	{ "  src 10.0.0.0/8", E "3: unknown action 'src'" },
	{ "Pass", E "1: unknown action 'Pass'" },
	{ "redirect", E "1: missing value after 'redirect'" },
	{ "redirect # eth0", E "1: missing value after 'redirect'" },
	{ "redirect abcdefghijklmnop", E "10: invalid interface name 'abcdefghijklmnop'" },
	{ "redirect a/b", E "10: invalid interface name 'a/b'" },
	{ "dr\x01op", E "1: unknown action 'dr\\x01op'" },
	{ "dr\\op", E "1: unknown action 'dr\\x5cop'" },
	{ "\xff", E "1: unknown action '\\xff'" },
	/* keywords */
	{ "pass sportt 80", E "6: unknown condition 'sportt'" },
	{ "pass SRC 1.2.3.4", E "6: unknown condition 'SRC'" },
	{ "pass proto tcp dport", E "16: missing value after 'dport'" },
	{ "pass src", E "6: missing value after 'src'" },
	{ "pass src # 1.2.3.4", E "6: missing value after 'src'" },
	{ "drop src 1.2.3.4 src 1.2.3.4", E "18: duplicate condition 'src'" },
	{ "drop proto tcp dport 1 proto tcp", E "24: duplicate condition 'proto'" },
	{ "drop tcp-flags syn tcp-flags ack", E "20: duplicate condition 'tcp-flags'" },
	/* prefixes */
	{ "  drop src 10.0.0.0/33", E "12: invalid prefix '10.0.0.0/33'" },
	{ "drop src 10.0.0.0/", E "10: invalid prefix '10.0.0.0/'" },
	{ "drop src /8", E "10: invalid prefix '/8'" },
	{ "drop src 10.0.0/8", E "10: invalid prefix '10.0.0/8'" },
	{ "drop src 10.0.0.256", E "10: invalid prefix '10.0.0.256'" },
	{ "drop dst ::/129", E "10: invalid prefix '::/129'" },
	{ "drop src 10.0.0.0/-1", E "10: invalid prefix '10.0.0.0/-1'" },
	{ "drop src 10.0.0.0/+8", E "10: invalid prefix '10.0.0.0/+8'" },
	{ "drop src 10.0.0.0/8/8", E "10: invalid prefix '10.0.0.0/8/8'" },
	{ "drop src fe80::1%eth0", E "10: invalid prefix 'fe80::1%eth0'" },
	{ "drop src 1.2.3.4/ 8", E "10: invalid prefix '1.2.3.4/'" },
	{ "drop src any", E "10: invalid prefix 'any'" },
	{ "drop src 1:2:3:4:5:6:7:8:9", E "10: invalid prefix '1:2:3:4:5:6:7:8:9'" },
	/* proto */
	{ "drop proto 256", E "12: invalid protocol '256'" },
	{ "drop proto tcpp", E "12: invalid protocol 'tcpp'" },
	{ "drop proto -1", E "12: invalid protocol '-1'" },
	{ "drop proto 0x6", E "12: invalid protocol '0x6'" },
	/* ports */
	{ "drop dport 65536", E "12: invalid ports '65536'" },
	{ "drop dport 2000-1000", E "12: invalid ports '2000-1000'" },
	{ "drop dport 80,", E "12: invalid ports '80,'" },
	{ "drop dport ,80", E "12: invalid ports ',80'" },
	{ "drop sport 1-2-3", E "12: invalid ports '1-2-3'" },
	{ "drop sport 80,,443", E "12: invalid ports '80,,443'" },
	{ "drop sport -5", E "12: invalid ports '-5'" },
	{ "drop sport 5-", E "12: invalid ports '5-'" },
	{ "drop sport 0x50", E "12: invalid ports '0x50'" },
	{ "drop sport 99999999999999999999999", E "12: invalid ports '99999999999999999999999'" },
	{ "drop dport 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", E "12: more than 16 port ranges "
								    "in "
								    "'1,2,3,4,5,6,7,8,9,10,11,12,"
								    "13,14,15,16,17'" },
	/* vlan, ether */
	{ "drop vlan 4096", E "11: invalid vlan '4096'" },
	{ "drop vlan x", E "11: invalid vlan 'x'" },
	{ "drop vlan 0x10", E "11: invalid vlan '0x10'" },
	{ "drop ether 0x10000", E "12: invalid ethertype '0x10000'" },
	{ "drop ether 0x", E "12: invalid ethertype '0x'" },
	{ "drop ether ip", E "12: invalid ethertype 'ip'" },
	{ "drop ether 65536", E "12: invalid ethertype '65536'" },
	{ "drop ether 0x88cg", E "12: invalid ethertype '0x88cg'" },
	/* tcp-flags */
	{ "drop tcp-flags syn,syn", E "16: flag repeated in tcp-flags 'syn,syn'" },
	{ "drop tcp-flags syn,!syn", E "16: flag repeated in tcp-flags 'syn,!syn'" },
	{ "drop tcp-flags sin", E "16: invalid tcp-flags 'sin'" },
	{ "drop tcp-flags syn,", E "16: invalid tcp-flags 'syn,'" },
	{ "drop tcp-flags !", E "16: invalid tcp-flags '!'" },
	{ "drop tcp-flags !!syn", E "16: invalid tcp-flags '!!syn'" },
	{ "drop tcp-flags SYN", E "16: invalid tcp-flags 'SYN'" },
	{ "drop tcp-flags 0x02", E "16: invalid tcp-flags '0x02'" },
	/* icmp-type */
	{ "drop icmp-type 256", E "16: invalid icmp-type '256'" },
	{ "drop icmp-type ping", E "16: invalid icmp-type 'ping'" },
	{ "drop icmp-type neighbor-solicitation", E "16: icmp-type 'neighbor-solicitation' is an "
						    "ICMPv6 type: add proto icmpv6" },
	{ "drop proto icmpv6 icmp-type redirect", E "29: invalid icmp-type 'redirect'" },
	/* conditions that need a protocol, or could never match */
	{ "drop proto udp tcp-flags syn", E "16: 'tcp-flags' needs proto tcp, not 'udp'" },
	{ "drop tcp-flags syn proto udp", E "6: 'tcp-flags' needs proto tcp, not 'udp'" },
	{ "drop proto icmp dport 80", E "17: 'dport' needs proto tcp or udp, not 'icmp'" },
	{ "drop sport 80 proto 47", E "6: 'sport' needs proto tcp or udp, not '47'" },
	{ "drop proto tcp icmp-type 8", E "16: 'icmp-type' needs proto icmp or icmpv6, not 'tcp'" },
	{ "drop src 10.0.0.0/8 dst ::1", E "25: dst '::1' is not of the family of src" },
	{ "drop dst ::1 src 10.0.0.0/8", E "18: src '10.0.0.0/8' is not of the family of dst" },
	{ "drop icmp-type 8 dport 80", E "6: 'icmp-type' cannot go with 'dport'" },
	{ "drop tcp-flags syn icmp-type 8", E "20: 'icmp-type' cannot go with 'tcp-flags'" },
	{ "drop src 2001:db8::/32 icmp-type echo-request", E "24: 'icmp-type' with an IPv6 src "
							     "needs proto icmpv6" },
	{ "drop proto icmpv6 dst 10.0.0.1 icmp-type 128", E "32: 'icmp-type' with an IPv4 dst "
							    "needs proto icmp" },
	/* ct */
	{ "pass ct old", E "9: invalid ct state 'old' (new, established, related, invalid)" },
	{ "pass ct new,", E "9: invalid ct state 'new,' (new, established, related, invalid)" },
	{ "pass ct new,new", E "9: state repeated in ct 'new,new'" },
	{ "pass ct", E "6: missing value after 'ct'" },
	{ "pass ct new ct invalid", E "13: duplicate condition 'ct'" },
	/* default */
	{ "default", E "1: missing value after 'default'" },
	{ "default xsk", E "9: invalid default 'xsk' (pass or drop)" },
	{ "default drop now", E "14: unexpected 'now' after the default" },
};

static void test_bad_lines(void **state)
{
	char err[ERR_MAX];
	struct xg_rule r;
	uint32_t def;
	size_t i;
	int ret;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *b = &bad_cases[i];

		ret = xg_rule_parse_line(b->line, "rules.conf", 12, &r, &def, err, sizeof(err));
		if (ret != -1)
			fail_msg("'%s': returned %d, want -1", b->line, ret);
		if (strcmp(err, b->err))
			fail_msg("'%s':\n got '%s'\nwant '%s'", b->line, err, b->err);
	}
}

/* No file: the message starts at the column. Tiny buffers are never overrun. */
static void test_error_buffers(void **state)
{
	char line[8000], *err;
	struct xg_rule r;
	size_t len;

	(void)state;
	err = malloc(ERR_MAX);
	assert_non_null(err);
	assert_int_equal(xg_rule_parse_line("drp", NULL, 3, &r, NULL, err, ERR_MAX), -1);
	assert_string_equal(err, "1: unknown action 'drp'");
	free(err);
	for (len = 0; len < 48; len++) {
		const char *full = "rules.conf:12:21: invalid vlan '5000'";

		err = len ? malloc(len) : NULL; /* exact size, so ASan sees any overrun */
		assert_int_equal(xg_rule_parse_line("pass proto tcp vlan 5000", "rules.conf", 12,
						    &r, NULL, err, len),
				 -1);
		if (len) {
			assert_int_equal(strlen(err),
					 len - 1 < strlen(full) ? len - 1 : strlen(full));
			assert_memory_equal(err, full, strlen(err));
		}
		free(err);
	}
	/* long tokens are cut in messages; long lines refused */
	memset(line, 'a', sizeof(line));
	memcpy(line, "drop proto ", 11);
	line[200] = '\0';
	err = malloc(ERR_MAX);
	assert_non_null(err);
	assert_int_equal(xg_rule_parse_line(line, "f", 1, &r, NULL, err, ERR_MAX), -1);
	assert_string_equal(err, "f:1:12: invalid protocol "
				 "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				 "...'");
	line[4096] = '\0';
	memset(line, ' ', 4096);
	assert_int_equal(xg_rule_parse_line(line, "f", 1, &r, NULL, err, ERR_MAX), 0);
	line[4097] = '\0';
	line[4096] = ' ';
	assert_int_equal(xg_rule_parse_line(line, "f", 1, &r, NULL, err, ERR_MAX), -1);
	assert_string_equal(err, "f:1:4097: line longer than 4096 characters");
	line[sizeof(line) - 1] = '\0';
	assert_int_equal(xg_rule_parse_line(line, "f", 1, &r, NULL, err, ERR_MAX), -1);
	free(err);
}

/* Every rule's canonical text must fit the gate's per-rule text slot; the longest legal
 * rules do not, and are refused. */
static void test_text_limit(void **state)
{
	char line[2048], text[XG_RULE_TEXT_MAX], err[ERR_MAX];
	const char *ports = "10000-65535,10000-65535,10000-65535,10000-65535,10000-65535,"
			    "10000-65535,10000-65535,10000-65535,10000-65535,10000-65535,"
			    "10000-65535,10000-65535,10000-65535,10000-65535,10000-65535,"
			    "10000-65535";
	const char *v6 = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
	struct xg_rule r;

	(void)state;
	snprintf(line, sizeof(line),
		 "redirect abcdefghijklmno src 255.255.255.255 "
		 "dst 255.255.255.255 proto tcp sport %s dport %s vlan 4095 ether 0xffff",
		 ports, ports);
	assert_int_equal(xg_rule_parse_line(line, "f", 1, &r, NULL, err, sizeof(err)), 1);
	xg_rule_format(&r, text, sizeof(text));
	assert_true(strlen(text) < XG_RULE_TEXT_MAX);
	check_round_trip(&r);
	snprintf(line, sizeof(line),
		 "drop src %s dst %s sport %s dport %s tcp-flags !fin,!syn,!rst", v6, v6, ports,
		 ports);
	assert_int_equal(xg_rule_parse_line(line, "f", 1, &r, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "f:1:1: rule too long: its canonical text exceeds 511 characters");
	/* without the flags it fits; the formatter never overruns a short buffer */
	snprintf(line, sizeof(line), "drop src %s dst %s sport %s dport %s", v6, v6, ports, ports);
	assert_int_equal(xg_rule_parse_line(line, "f", 1, &r, NULL, err, sizeof(err)), 1);
	check_round_trip(&r);
	xg_rule_format(&r, text, 10);
	assert_string_equal(text, "drop src ");
	xg_rule_format(&r, text, 1);
	assert_string_equal(text, "");
	xg_rule_format(&r, NULL, 0);
}

/* ---- whole files ---- */

struct file_case {
	const char *text; /* written with len bytes, so it may hold a NUL */
	size_t len;	  /* 0: strlen(text) */
	int ret;
	size_t n;
	uint32_t def;
	const char *err; /* stderr; %1$s is the file's path */
};

#define WARN "xdpgate: %1$s:"

static const struct file_case file_cases[] = {
	{ "# comment\n\npass proto tcp # c\ndefault drop\n  drop src 10.0.0.1/8 dst ::/0\n", 0, -1,
	  0, XG_VERDICT_PASS,
	  WARN "5: warning: src 10.0.0.1/8 has host bits set; using 10.0.0.0/8\n" WARN "5:27: dst "
	       "'::/0' is "
	       "not of the "
	       "family of "
	       "src\n" },
	{ "# comment\n\npass proto tcp # c\ndefault drop\n  drop src 10.0.0.1/8 dst 10.1.2.3/16\n",
	  0, 0, 2, XG_VERDICT_DROP,
	  WARN "5: warning: src 10.0.0.1/8 has host bits set; using 10.0.0.0/8\n" WARN
	       "5: warning: dst 10.1.2.3/16 has host bits set; using 10.1.0.0/16\n" },
	{ "pass\npass\ndrp\n", 0, -1, 0, XG_VERDICT_PASS, WARN "3:1: unknown action 'drp'\n" },
	{ "default drop\npass\ndefault pass\n", 0, -1, 0, XG_VERDICT_PASS,
	  WARN "3:1: second 'default' line (the first is line 1)\n" },
	{ "pass\0junk\n", 10, -1, 0, XG_VERDICT_PASS, WARN "1:5: NUL byte in line\n" },
	{ "pass", 0, 0, 1, XG_VERDICT_PASS, "" },
	{ "pass\r\ndrop\r\ndefault pass\r\n", 0, 0, 2, XG_VERDICT_PASS, "" },
	{ "", 0, 0, 0, XG_VERDICT_PASS, "" },
	{ "\n\n# only comments\n", 0, 0, 0, XG_VERDICT_PASS, "" },
};

/* Run fn with stderr going to a file; return what it wrote (caller frees). */
static char *capture_stderr(const char *path, struct xg_ruleset *rs, int *ret)
{
	char tmpl[] = "/tmp/rules_test_err.XXXXXX", *out;
	int fd = mkstemp(tmpl), saved;
	long len;
	FILE *f;

	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	*ret = xg_rules_parse_file(path, rs);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fdopen(fd, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	out = calloc(1, (size_t)len + 1);
	assert_non_null(out);
	assert_int_equal(fread(out, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	unlink(tmpl);
	return out;
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void test_files(void **state)
{
	char dir[] = "/tmp/rules_test.XXXXXX", path[64], want[1024], *got;
	struct xg_ruleset rs;
	size_t i;
	int ret;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/rules.conf", dir);
	for (i = 0; i < ARRAY_SIZE(file_cases); i++) {
		const struct file_case *c = &file_cases[i];

		write_file(path, c->text, c->len ? c->len : strlen(c->text));
		xg_ruleset_init(&rs);
		got = capture_stderr(path, &rs, &ret);
		snprintf(want, sizeof(want), c->err, path);
		if (ret != c->ret || strcmp(got, want))
			fail_msg("case %zu: returned %d, printed:\n%s\nwant %d:\n%s", i, ret, got,
				 c->ret, want);
		assert_int_equal(rs.n, c->n);
		assert_int_equal(rs.default_verdict, c->def);
		if (ret)
			assert_false(rs.has_default);
		if (c->n == 2)
			assert_int_equal(rs.rules[1].line, i == 1 ? 5 : 2);
		free(got);
		xg_ruleset_free(&rs);
	}
	unlink(path);

	/* a directory opens but does not read; a missing file does not open */
	xg_ruleset_init(&rs);
	got = capture_stderr(dir, &rs, &ret);
	snprintf(want, sizeof(want), "xdpgate: cannot read %s: Is a directory\n", dir);
	assert_int_equal(ret, -1);
	assert_string_equal(got, want);
	free(got);
	got = capture_stderr(path, &rs, &ret);
	snprintf(want, sizeof(want), "xdpgate: cannot open %s: No such file or directory\n", path);
	assert_int_equal(ret, -1);
	assert_string_equal(got, want);
	free(got);
	rmdir(dir);
}

/* Limits: the rule count, the line length, a set that is not empty. */
static void test_file_limits(void **state)
{
	char dir[] = "/tmp/rules_test.XXXXXX", path[64], want[256], *text, *got;
	const char *line = "pass dport 1\n";
	size_t i, len = strlen(line);
	struct xg_ruleset rs;
	int ret;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/big.conf", dir);
	text = malloc((XG_RULES_MAX + 1) * len + 8000);
	assert_non_null(text);
	for (i = 0; i <= XG_RULES_MAX; i++)
		memcpy(text + i * len, line, len);

	write_file(path, text, XG_RULES_MAX * len);
	xg_ruleset_init(&rs);
	got = capture_stderr(path, &rs, &ret);
	assert_int_equal(ret, 0);
	assert_string_equal(got, "");
	assert_int_equal(rs.n, XG_RULES_MAX);
	assert_int_equal(rs.rules[XG_RULES_MAX - 1].line, XG_RULES_MAX);
	free(got);
	got = capture_stderr(path, &rs, &ret); /* not empty */
	assert_int_equal(ret, -1);
	free(got);
	xg_ruleset_free(&rs);

	write_file(path, text, (XG_RULES_MAX + 1) * len);
	got = capture_stderr(path, &rs, &ret);
	snprintf(want, sizeof(want), "xdpgate: %s:%d:1: more than %d rules\n", path,
		 XG_RULES_MAX + 1, XG_RULES_MAX);
	assert_int_equal(ret, -1);
	assert_string_equal(got, want);
	assert_int_equal(rs.n, 0);
	free(got);

	memcpy(text, "pass\n", 5);
	memset(text + 5, ' ', 5000);
	memcpy(text + 5005, "\n", 1);
	write_file(path, text, 5006);
	got = capture_stderr(path, &rs, &ret);
	snprintf(want, sizeof(want), "xdpgate: %s:2:4097: line longer than 4096 characters\n",
		 path);
	assert_int_equal(ret, -1);
	assert_string_equal(got, want);
	free(got);
	free(text);
	unlink(path);
	rmdir(dir);
}

/* ---- garbage in, never a crash ---- */

static uint32_t rnd(uint64_t *s)
{
	/* splitmix64: small, seedable, good enough for test input */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static const char *const fuzz_tokens[] = {
	"pass",
	"drop",
	"tx",
	"xsk",
	"redirect",
	"eth0",
	"default",
	"src",
	"dst",
	"proto",
	"sport",
	"dport",
	"vlan",
	"ether",
	"tcp-flags",
	"icmp-type",
	"tcp",
	"udp",
	"icmp",
	"icmpv6",
	"10.0.0.0/8",
	"10.0.0.1/33",
	"::/0",
	"2001:db8::1/64",
	"fe80::",
	"0",
	"80",
	"1-65535",
	"80,443,1000-2000",
	"65536",
	"4095",
	"arp",
	"ipv4",
	"ipv6",
	"0x88cc",
	"0x",
	"syn,!ack",
	"fin,syn,rst,psh,ack,urg,ece,cwr",
	"!",
	"echo-request",
	"neighbor-solicitation",
	"ct",
	"established,related",
	"128",
	"255",
	"256",
	"#",
	",",
	"-",
	"/",
	"!syn",
	"1.2.3.4",
	"\t",
	"  ",
	"\r\n",
	"",
};

/* Values that always parse, per condition, so structured lines are often valid. */
static const char *const fuzz_values[][6] = {
	{ "10.0.0.0/8", "0.0.0.0/0", "192.168.1.77", "10.2.3.4/12", "1.2.3.4/31", "8.8.8.8" },
	{ "2001:db8::/32", "::/0", "fe80::1", "2001:db8::1/64", "::1", "ff02::1:ff00:0/104" },
	{ "tcp", "udp", "6", "17", "tcp", "udp" },
	{ "80", "1-1024", "80,443,1000-2000", "0", "65535", "0-65535" },
	{ "0", "1", "4095", "100", "2", "7" },
	{ "arp", "ipv4", "ipv6", "0x88cc", "0x8100", "0" },
	{ "syn", "syn,!ack", "!fin", "cwr,ece", "fin,syn,rst,psh,ack,urg,ece,cwr", "!rst,!urg" },
	{ "8", "0", "echo-request", "echo-reply", "255", "time-exceeded" },
	{ "new", "established,related", "invalid", "related,new", "new,established", "related" },
};

static const char *const fuzz_keys[] = { "src",	  "dst",       "proto",	    "sport", "vlan",
					 "ether", "tcp-flags", "icmp-type", "ct" };

static size_t add(char *buf, size_t off, size_t cap, const char *s)
{
	size_t len = strlen(s);

	if (off + len + 1 >= cap)
		return off;
	memcpy(buf + off, s, len + 1);
	return off + len;
}

/* A rule built from valid pieces: some combinations are still errors (families, protos). */
static size_t fuzz_structured(uint64_t *s, char *buf, size_t cap)
{
	static const char *const actions[] = { "pass", "drop", "tx", "xsk", "redirect veth0" };
	size_t off = add(buf, 0, cap, actions[rnd(s) % 5]);
	unsigned int k, used = 0, n = rnd(s) % 6;

	for (; n; n--) {
		k = rnd(s) % ARRAY_SIZE(fuzz_keys);
		if (used & (1u << k))
			continue;
		used |= 1u << k;
		off = add(buf, off, cap, " ");
		off = add(buf, off, cap, k == 3 && rnd(s) % 2 ? "dport" : fuzz_keys[k]);
		off = add(buf, off, cap, " ");
		off = add(buf, off, cap, fuzz_values[k == 1 && rnd(s) % 2 ? 0 : k][rnd(s) % 6]);
	}
	return off;
}

static void fuzz_line(uint64_t *s, char *buf, size_t cap)
{
	size_t i, n, off = 0;

	switch (rnd(s) % 4) {
	case 0: /* tokens and separators */
		for (n = rnd(s) % 12; n; n--) {
			off = add(buf, off, cap, fuzz_tokens[rnd(s) % ARRAY_SIZE(fuzz_tokens)]);
			off = add(buf, off, cap, rnd(s) % 4 ? " " : "");
		}
		break;
	case 1: /* random bytes, NUL excluded: the line ends there anyway */
		for (n = rnd(s) % 200; n && off + 1 < cap; n--)
			buf[off++] = (char)(rnd(s) % 255 + 1);
		buf[off] = '\0';
		break;
	case 2: /* a valid-looking rule */
		fuzz_structured(s, buf, cap);
		break;
	default: /* a valid-looking rule with a few bytes changed */
		off = fuzz_structured(s, buf, cap);
		for (n = rnd(s) % 3 + 1; n && off; n--) {
			i = rnd(s) % off;
			buf[i] = (char)(rnd(s) % 255 + 1);
		}
		break;
	}
}

static void test_garbage(void **state)
{
	const char *env = getenv("XG_RULES_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL), s;
	unsigned int i, valid = 0, errors = 0;
	char line[600], err[ERR_MAX];
	struct xg_rule r;
	uint32_t def;
	int ret;

	(void)state;
	printf("# rules garbage seed %llu (XG_RULES_SEED=%llu repeats it)\n",
	       (unsigned long long)seed, (unsigned long long)seed);
	s = seed;
	for (i = 0; i < 20000; i++) {
		fuzz_line(&s, line, sizeof(line));
		err[0] = 'x';
		ret = xg_rule_parse_line(line, "fuzz", i + 1, &r, &def, err, sizeof(err));
		if (ret == 1) {
			valid++;
			check_round_trip(&r);
		} else if (ret == -1) {
			errors++;
			if (strncmp(err, "fuzz:", 5) || strlen(err) < 10)
				fail_msg("seed %llu line %u: bad message '%s'",
					 (unsigned long long)seed, i + 1, err);
		} else if (ret == 2) {
			assert_true(def == XG_VERDICT_PASS || def == XG_VERDICT_DROP);
		} else {
			assert_int_equal(ret, 0);
		}
	}
	printf("# %u valid rules round-tripped, %u errors\n", valid, errors);
	/* the generator must reach both sides, or it tests nothing */
	assert_true(valid > 1000);
	assert_true(errors > 1000);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_lines),  cmocka_unit_test(test_fields),
		cmocka_unit_test(test_bad_lines),   cmocka_unit_test(test_error_buffers),
		cmocka_unit_test(test_text_limit),  cmocka_unit_test(test_files),
		cmocka_unit_test(test_file_limits), cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
