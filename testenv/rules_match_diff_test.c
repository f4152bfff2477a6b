// SPDX-License-Identifier: GPL-2.0
/* `match "EXPR"` in the gate (BPF_PROG_RUN, testenv/rules_prog_lib.c) against libpcap:
 *
 *   text      a rule's canonical text reads back; expressions stay numbered densely.
 *   crafted   every frame of testenv/frame_cases.c (VLAN, QinQ, IPv6 extension headers,
 *             fragments, ...), whole and cut to every length the gate can be given, under
 *             five sets of eight expressions: the bits the match program wrote (this
 *             CPU's xg_match_scratch) must be pcap_offline_filter's, expression by
 *             expression, and the gate's action the reference classifier's.
 *   random    the same on seeded random frames: crafted ones with bytes overwritten (ports
 *             and payloads the expressions test) and cut, and random bytes. XG_SEED=N
 *             replays a run.
 *   limits    more than XG_MATCH_MAX expressions, more than XG_MATCH_INSNS_MAX classic
 *             instructions, and what libpcap refuses: one line each, file:line for the
 *             last; a program the verifier refuses (XG_FAULT_MATCH_PROG) leaves the live set.
 *
 * Needs root, as rules_prog_test.
 */
#define _GNU_SOURCE /* sched_setaffinity */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
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
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "common/parse.h"
#include "common/xdpgate_structs.h"
#include "user/util/frame_build.h"
#include "user/rules/rules.h"
#include "user/rules/compile.h"
#include "user/rules/load.h"
#include "user/rules/match.h"
#include "testenv/frame_cases.h"
#include "testenv/rules_prog_lib.h"

#define CPU 0 /* BPF_PROG_RUN runs on the caller's CPU: the test stays on this one */

/* Expressions a tcpdump user writes, and ones that reach every corner of the translator:
 * indirect loads, X, division and modulo by a value that may be 0, shifts by a value that
 * may be 32 or more, offsets past any frame and past the gate's direct-read range. */
static const char *const exprs[][XG_MATCH_MAX] = {
	{ "udp dst port 9", "udp[8:2] = 0x1234", "tcp[tcpflags] & tcp-syn != 0", "vlan",
	  "ip6 and udp", "ip[6:2] & 0x1fff != 0", "len > 100", "ether[12:2] = 0x8100" },
	{ "vlan and vlan and udp", "ip6[6] = 44", "ip and ip[0] & 0xf != 5", "udp[0] << udp[1] = 0",
	  "ip[2:2] / (ip[9] & 3) > 5", "tcp[12] >> 4 > 5", "ip[8] % (ip[9] & 3) = 0",
	  "udp dst port 53 and udp[(udp[4:2] - 4):2] = 255" },
	{ "tcp[tcpflags] & tcp-syn != 0 and tcp[20] = 2 and tcp[22:2] < 536",
	  "icmp6 and ip6[40] = 128", "ip proto 47 or arp", "vlan 100 and ip", "udp[4:2] - 8 > 3",
	  "port 80 or port 53", "ether[2000] = 0 or ether[40000:4] = 1",
	  "udp[udp[4:2] * 1000] = 0 or tcp[tcp[12] >> 2] = 2" },
	{ "ip6 protochain 17", "ip protochain 6", "ip host 10.0.0.1 and not ip6",
	  "ip6 dst net fe80::/10", "ip[1] >> ip[0] = 0", "greater 60", "less 50",
	  "ip multicast or ether broadcast" },
	/* docs/match.md's three */
	{ "udp[8:4] = 0xdeadbeef",
	  "tcp[tcpflags] & tcp-syn != 0 and tcp[12] >> 4 > 5 and tcp[20] = 2 and tcp[22:2] < 536",
	  "udp dst port 53 and udp[10] & 0x80 = 0 and udp[12:2] = 1 and udp[18:2] = 0 and "
	  "udp[(udp[4:2] - 4):2] = 255",
	  "vlan 1 and vlan 2", "ip6 and tcp", "ip[9] = 6 and tcp[13] = 0x12", "udp", "tcp" },
};

struct mctx {
	struct rp_ctx *x;
	struct xg_ruleset rs;
	struct xg_compiled c; /* for its libpcap programs */
	uint64_t frames;
};

/* The first rule ANDs a match with a native condition; then one `drop` per expression. */
static void load_set(struct mctx *mc, unsigned int set)
{
	const char *lines[XG_MATCH_MAX + 2];
	char buf[XG_MATCH_MAX + 1][XG_MATCH_TEXT_MAX + 32];
	unsigned int i, n = 0;

	snprintf(buf[n], sizeof(buf[n]), "tx proto tcp match \"%s\"", exprs[set][0]);
	lines[n] = buf[n];
	n++;
	for (i = 0; i < XG_MATCH_MAX; i++, n++) {
		snprintf(buf[n], sizeof(buf[n]), "drop match \"%s\"", exprs[set][i]);
		lines[n] = buf[n];
	}
	rp_parse_lines(lines, n, &mc->rs);
	assert_int_equal(mc->rs.nmatch, XG_MATCH_MAX);
	rp_install(mc->x, &mc->rs);
	if (xg_rules_compile(&mc->rs, &mc->c))
		fail_msg("set %u does not compile", set);
}

static void unload_set(struct mctx *mc)
{
	xg_compiled_free(&mc->c);
	xg_ruleset_free(&mc->rs);
}

/* This CPU's scratch: what the match program wrote for the last frame. */
static struct xg_match_scratch scratch_of(struct rp_ctx *x)
{
	struct xg_match_scratch *all = calloc((size_t)x->ncpu, sizeof(*all)), s;
	__u32 key = 0;

	if (!all || bpf_map_lookup_elem(x->m.match_scratch, &key, all))
		fail_msg("lookup xg_match_scratch: %s", strerror(errno));
	s = all[CPU];
	free(all);
	return s;
}

static void report(const struct mctx *mc, const char *what, const uint8_t *f, size_t len,
		   unsigned int want, unsigned int got)
{
	char hex[2 * FRAME_MAX + 1];
	unsigned int i;

	rp_hex_line(f, len, hex, sizeof(hex));
	fprintf(stderr, "# DISAGREEMENT (%s) on a %zu-byte frame: %s\n", what, len, hex);
	for (i = 0; i < mc->c.match.n; i++)
		if ((want ^ got) >> i & 1)
			fprintf(stderr, "#   \"%s\": libpcap %u, gate %u\n", mc->c.match.text[i],
				want >> i & 1, got >> i & 1);
	rp_print_rules(&mc->rs);
}

/* Run one frame: the gate's bits must be libpcap's, its action the reference's. */
static void check_frame(struct mctx *mc, const uint8_t *frame, size_t len)
{
	uint8_t in[FRAME_MAX], out[FRAME_MAX + 256];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = (__u32)len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
	struct xg_match_scratch s;
	struct xg_pkt pkt = { 0 };
	unsigned int want_xdp;
	uint8_t bits;
	int rule;

	memcpy(in, frame, len);
	bits = xg_match_eval(&mc->c.match, frame, (uint32_t)len, (uint32_t)len);
	xg_parse_frame(in, in + len, &pkt);
	pkt.match_bits = bits;
	rule = xg_rules_classify(&mc->rs, &pkt);
	want_xdp = rp_xdp_of(rule < 0 ? mc->rs.default_verdict : mc->rs.rules[rule].action);
	if (bpf_prog_test_run_opts(mc->x->prog_fd, &o))
		fail_msg("BPF_PROG_RUN: %s", strerror(errno));
	s = scratch_of(mc->x);
	mc->frames++;
	if (s.bits != bits || s.pending) {
		report(mc, "bits", frame, len, bits, s.bits);
		fail_msg("match bits 0x%02x, libpcap says 0x%02x (pending %u)", s.bits, bits,
			 s.pending);
	}
	if (o.retval != want_xdp) {
		report(mc, "action", frame, len, bits, s.bits);
		fail_msg("action %s, the reference says %s (rule %d)", rp_xdp_name(o.retval),
			 rp_xdp_name(want_xdp), rule + 1);
	}
}

static void pin_cpu(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(CPU, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fail_msg("sched_setaffinity(CPU %d): %s", CPU, strerror(errno));
}

/* Every case frame, whole and cut to every length from an Ethernet header on (the
 * shortest frame BPF_PROG_RUN takes): the cuts end the frame inside each header. */
static void test_crafted(void **state)
{
	struct mctx mc = { .x = rp_ctx_of(state) };
	uint8_t f[XG_CASE_FRAME_MAX];
	unsigned int set;
	size_t i, len, cut;

	pin_cpu();
	for (set = 0; set < RP_ARRAY_SIZE(exprs); set++) {
		load_set(&mc, set);
		for (i = 0; i < xg_frame_cases_n; i++) {
			len = xg_frame_build(&xg_frame_cases[i].spec, f, sizeof(f));
			if (!len || len > FRAME_MAX)
				continue;
			for (cut = 14; cut <= len; cut++)
				check_frame(&mc, f, cut);
		}
		unload_set(&mc);
	}
	fprintf(stderr, "# crafted: %" PRIu64 " frames agree\n", mc.frames);
	assert_true(mc.frames > 1000);
}

/* Bytes the expressions test, written where they look: UDP ports 9 and 53, a 0x1234
 * payload signature, a SYN with an MSS option, a query type of 255. */
static void bias(uint8_t *f, size_t len, const struct xg_frame_layout *lo)
{
	static const uint8_t mss[] = { 0x02, 0x04, 0x01, 0x00 };
	/* a DNS query for "a", type ANY, class IN: one question, nothing after it */
	static const uint8_t any[] = { 0, 53, 0, 27, 0, 0, 0xab, 0xcd, 0x01, 0x00, 0, 1, 0,
				       0, 0,  0, 0,  0, 1, 'a',	 0,    0,    0xff, 0, 1 };
	size_t l4 = lo->l4_off;

	if (!lo->l4_len || l4 + 28 > len)
		return;
	switch (rp_rn(7)) {
	case 0:
		f[l4 + 2] = 0;
		f[l4 + 3] = rp_rn(2) ? 9 : 53;
		break;
	case 1:
		f[l4 + 8] = 0x12;
		f[l4 + 9] = 0x34;
		break;
	case 2:
		f[l4 + 12] = 0x60;
		f[l4 + 13] = 0x02;
		memcpy(f + l4 + 20, mss, sizeof(mss));
		break;
	case 3:
		f[l4 + 4] = 0;
		f[l4 + 5] = 16;
		f[l4 + 12] = 0;
		f[l4 + 13] = 255;
		break;
	case 4: /* DNS ANY, whole (dport, length, header, question) */
		memcpy(f + l4 + 2, any, sizeof(any));
		break;
	case 5:
		f[l4 + 8] = 0xde;
		f[l4 + 9] = 0xad;
		f[l4 + 10] = 0xbe;
		f[l4 + 11] = 0xef;
		break;
	default:
		break;
	}
}

static size_t random_frame(uint8_t *f)
{
	const struct xg_frame_case *c = &xg_frame_cases[rp_rn((uint32_t)xg_frame_cases_n)];
	struct xg_frame_layout lo;
	size_t len, i, n;

	if (rp_rn(100) < 15) { /* random bytes, perhaps with a plausible EtherType */
		len = 14 + rp_rn(200);
		for (i = 0; i < len; i++)
			f[i] = (uint8_t)rp_rnd();
		if (rp_rn(2)) {
			f[12] = rp_rn(2) ? 0x08 : 0x86;
			f[13] = f[12] == 0x08 ? 0x00 : 0xdd;
		}
		return len;
	}
	len = xg_frame_build(&c->spec, f, FRAME_MAX);
	if (len < 14 || !xg_frame_layout(&c->spec, &lo))
		return 0;
	bias(f, len, &lo);
	for (n = len > 14 ? rp_rn(4) : 0, i = 0; i < n; i++)
		f[14 + rp_rn((uint32_t)(len - 14))] = (uint8_t)rp_rnd();
	if (rp_rn(3) == 0)
		len = 14 + rp_rn((uint32_t)(len - 14 + 1));
	return len;
}

static void test_random(void **state)
{
	struct mctx mc = { .x = rp_ctx_of(state) };
	const char *env = getenv("XG_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	uint8_t f[FRAME_MAX];
	unsigned int set, k;
	size_t len;

	fprintf(stderr, "# random: seed %" PRIu64 " (XG_SEED=%" PRIu64 " replays)\n", seed, seed);
	rp_rng_seed(seed);
	pin_cpu();
	for (set = 0; set < RP_ARRAY_SIZE(exprs); set++) {
		load_set(&mc, set);
		for (k = 0; k < 3000; k++) {
			len = random_frame(f);
			if (len >= 14)
				check_frame(&mc, f, len);
		}
		unload_set(&mc);
	}
	fprintf(stderr, "# random: %" PRIu64 " frames agree\n", mc.frames);
	assert_true(mc.frames > 5000);
}

static void parse_fails(const char *line, const char *want)
{
	char err[512];
	struct xg_rule r;
	uint32_t def;

	assert_int_equal(xg_rule_parse_line(line, "f.rules", 7, &r, &def, err, sizeof(err)), -1);
	if (!strstr(err, want))
		fail_msg("'%s': message '%s' lacks '%s'", line, err, want);
}

/* A set the loader refuses, and a program the verifier refuses: the live set stays. */
static void test_limits(void **state)
{
	struct rp_ctx *x = rp_ctx_of(state);
	char lines[XG_MATCH_MAX + 1][64], big[XG_MATCH_TEXT_MAX], *p = big;
	char line[XG_MATCH_TEXT_MAX + 32];
	const char *lp[XG_MATCH_MAX + 1];
	const char *keep[] = { "drop match \"udp dst port 9\"" };
	struct xg_ruleset rs, live;
	struct xg_compiled c;
	struct mctx mc = { .x = x };
	uint8_t f[XG_CASE_FRAME_MAX];
	unsigned int i;

	parse_fails("drop match \"udp dst prot 9\"", "f.rules:7:12: match \"udp dst prot 9\": ");
	parse_fails("drop match \"udp", "unterminated quote");
	for (i = 1; i <= 8; i++) /* 274 instructions: past XG_MATCH_INSNS_MAX */
		p += sprintf(p, "%sip6 protochain %u", i > 1 ? " or " : "", i);
	snprintf(line, sizeof(line), "drop match \"%s\"", big);
	parse_fails(line, "over the limit of 256");
	for (i = 0; i <= XG_MATCH_MAX; i++) {
		snprintf(lines[i], sizeof(lines[i]), "drop match \"udp dst port %u\"", i);
		lp[i] = lines[i];
	}
	rp_parse_lines(lp, XG_MATCH_MAX + 1, &rs);
	assert_int_equal(xg_rules_compile(&rs, &c), -1); /* "9 match expressions, over ..." */
	xg_ruleset_free(&rs);

	/* the verifier refuses (injected): the installed set still classifies */
	pin_cpu();
	rp_parse_lines(keep, 1, &mc.rs);
	rp_install(x, &mc.rs);
	assert_int_equal(xg_rules_compile(&mc.rs, &mc.c), 0);
	rp_parse_lines(lp, 2, &rs);
	assert_int_equal(xg_rules_compile(&rs, &c), 0);
	setenv("XG_FAULT_MATCH_PROG", "1", 1);
	assert_int_not_equal(xg_rules_install(&x->m, &rs, &c, false), 0);
	unsetenv("XG_FAULT_MATCH_PROG");
	xg_compiled_free(&c);
	xg_ruleset_free(&rs);
	assert_int_equal(xg_rules_read(&x->m, &live), 0);
	assert_int_equal(live.n, 1);
	assert_string_equal(live.rules[0].match, "udp dst port 9");
	xg_ruleset_free(&live);
	for (i = 0; i < xg_frame_cases_n; i++) {
		size_t len = xg_frame_build(&xg_frame_cases[i].spec, f, sizeof(f));

		if (len >= 14 && len <= FRAME_MAX)
			check_frame(&mc, f, len);
	}
	unload_set(&mc);
}

/* The canonical text reads back to the same rule, and a set numbers its distinct
 * expressions densely through inserts and deletes (the gate's bits follow the numbers). */
static void test_text_and_numbers(void **state)
{
	const char *lines[] = { "drop proto udp match \"udp[8:2] = 0x1234\" log",
				"pass match \"tcp\"", "drop match \"udp[8:2] = 0x1234\"",
				"tx match \"arp\"" };
	char text[XG_RULE_TEXT_MAX], err[256];
	struct xg_ruleset rs;
	struct xg_rule r;
	uint32_t def;

	(void)state;
	rp_parse_lines(lines, RP_ARRAY_SIZE(lines), &rs);
	xg_rule_format(&rs.rules[0], text, sizeof(text));
	assert_string_equal(text, lines[0]);
	assert_int_equal(xg_rule_parse_line(text, NULL, 0, &r, &def, err, sizeof(err)), 1);
	assert_string_equal(r.match, "udp[8:2] = 0x1234");
	assert_int_equal(rs.nmatch, 3);
	assert_int_equal(rs.rules[2].match_idx, rs.rules[0].match_idx);
	assert_int_equal(rs.rules[3].match_idx, 2);
	assert_int_equal(xg_ruleset_delete(&rs, 1), 0); /* "tcp", number 1, goes */
	assert_int_equal(rs.nmatch, 2);
	assert_int_equal(rs.rules[2].match_idx, 1);	/* "arp" moves down */
	assert_int_equal(xg_ruleset_delete(&rs, 0), 0); /* its twin keeps number 0 */
	assert_int_equal(rs.nmatch, 2);
	assert_int_equal(rs.rules[0].match_idx, 0);
	xg_ruleset_free(&rs);
	assert_int_equal(rs.nmatch, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_and_numbers),
		cmocka_unit_test(test_crafted),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests_name("rules_match_diff", tests, rp_group_setup,
					   rp_group_teardown);
}
