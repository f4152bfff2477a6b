// SPDX-License-Identifier: GPL-2.0
/* Prefix sets through BPF_PROG_RUN: random sets of 1,000 to 100,000 prefixes (nested ones
 * among them, IPv4 and IPv6 mixed) in random rule sets, 100,000 frames each classified by
 * the gate and by the reference classifier (user/rules/set.c), which must agree on every
 * frame; and a set reload that changes what a rule matches while its counters stay. */
#include <arpa/inet.h>
#include <inttypes.h>
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

#include "user/util/frame_build.h"
#include "user/rules/rules.h"
#include "user/rules/load.h"
#include "user/rules/setload.h"
#include "testenv/rules_prog_lib.h"

static void random_prefix(struct xg_prefix *p, const struct xg_set *s)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	if (s->n && rp_rn(100) < 30) { /* nested: a longer prefix inside one already there */
		*p = s->p[rp_rn((uint32_t)s->n)];
		if (p->len < (p->family == 4 ? 32 : 128)) {
			p->len = (uint8_t)(p->len + 1 +
					   rp_rn((p->family == 4 ? 32u : 128u) - p->len));
			for (i = 0; i < 16; i++)
				p->addr[i] |= (uint8_t)rp_rnd();
		}
	} else {
		p->family = rp_rn(100) < 70 ? 4 : 6;
		/* IPv4 under 198.18.0.0/15 half the time, so frames near it hit */
		p->addr[0] = p->family == 4 ? 198 : 0xfd;
		p->addr[1] = p->family == 4 ? (uint8_t)(18 + rp_rn(2)) : (uint8_t)rp_rn(4);
		for (i = 2; i < 16; i++)
			p->addr[i] = (uint8_t)rp_rnd();
		if (rp_rn(2))
			p->addr[0] = (uint8_t)rp_rnd();
		p->len = (uint8_t)(p->family == 4 ? 8 + rp_rn(25) : 16 + rp_rn(113));
	}
	xg_addr_mask(p->addr, p->len, p->family == 4 ? 4 : 16);
}

/* n random prefixes, and one IPv4 prefix of length shortlen (0..7: the lengths the random
 * ones do not reach, each in some set of the run) */
static struct xg_set *random_set(const char *name, size_t n, unsigned int shortlen)
{
	struct xg_set *s = calloc(1, sizeof(*s));
	size_t i;

	if (!s || !(s->p = calloc(n + 1, sizeof(*s->p))))
		fail_msg("out of memory");
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->loaded = true;
	for (i = 0; i < n; i++, s->n++)
		random_prefix(&s->p[i], s);
	s->p[n].family = 4;
	s->p[n].len = (uint8_t)shortlen;
	s->p[n].addr[0] = (uint8_t)rp_rnd();
	xg_addr_mask(s->p[n].addr, s->p[n].len, 4);
	s->n++;
	xg_set_finish(s);
	return s;
}

/* An address of family fam: inside a random prefix of s mostly, else anywhere near. */
static void random_addr(uint8_t *a, int fam, const struct xg_set *s)
{
	size_t i, alen = fam == 4 ? 4 : 16, tries;

	for (tries = 0; s->n && rp_rn(100) < 70 && tries < 8; tries++) {
		const struct xg_prefix *p = &s->p[rp_rn((uint32_t)s->n)];
		uint8_t r[16];

		if (p->family != fam)
			continue;
		for (i = 0; i < 16; i++)
			r[i] = (uint8_t)rp_rnd();
		for (i = 0; i < alen; i++) { /* the prefix's bits, then random host bits */
			unsigned int keep = p->len > i * 8 ? p->len - i * 8 : 0;
			uint8_t mask = keep >= 8 ? 0xff : (uint8_t)(0xff << (8 - keep));

			a[i] = (uint8_t)((p->addr[i] & mask) | (r[i] & ~mask));
		}
		return;
	}
	a[0] = fam == 4 ? 198 : 0xfd;
	for (i = 1; i < alen; i++)
		a[i] = (uint8_t)rp_rnd();
}

static size_t random_frame(uint8_t *f, const struct xg_ruleset *rs)
{
	struct xg_frame_spec s = { MACS };
	int fam = rp_rn(100) < 60 ? 4 : 6;
	const struct xg_set *a = rs->sets[rp_rn((uint32_t)rs->nsets)];
	const struct xg_set *b = rs->sets[rp_rn((uint32_t)rs->nsets)];

	if (rp_rn(100) < 3) {
		s.l3 = XG_L3_NONE;
		s.ethertype = XG_ETH_P_ARP;
		s.payload_len = 28;
		return xg_frame_build(&s, f, FRAME_MAX);
	}
	s.l3 = fam == 4 ? XG_L3_IPV4 : XG_L3_IPV6;
	random_addr(fam == 4 ? s.ip4.saddr : s.ip6.saddr, fam, a);
	random_addr(fam == 4 ? s.ip4.daddr : s.ip6.daddr, fam, b);
	s.l4_proto = rp_rn(2) ? IPPROTO_TCP : IPPROTO_UDP;
	s.tcp.sport = s.udp.sport = (uint16_t)(1000 + rp_rn(3));
	s.tcp.dport = s.udp.dport = (uint16_t)(rp_rn(2) ? 80 : 53);
	s.payload_len = rp_rn(32);
	return xg_frame_build(&s, f, FRAME_MAX);
}

static void random_rule(char *b, size_t size, const struct xg_ruleset *rs)
{
	static const char *const actions[] = { "pass", "drop", "tx" };
	const char *act = actions[rp_rn(3)], *sa = rs->sets[rp_rn((uint32_t)rs->nsets)]->name;
	const char *da = rs->sets[rp_rn((uint32_t)rs->nsets)]->name;

	switch (rp_rn(7)) {
	case 0:
		snprintf(b, size, "%s src @%s", act, sa);
		break;
	case 1:
		snprintf(b, size, "%s dst @%s", act, da);
		break;
	case 2:
		snprintf(b, size, "%s src @%s dst @%s", act, sa, da);
		break;
	case 3:
		snprintf(b, size, "%s src @%s proto tcp dport 80", act, sa);
		break;
	case 4:
		snprintf(b, size, "%s dst 198.18.%u.0/24", act, rp_rn(4));
		break;
	case 5:
		snprintf(b, size, "%s src 198.%u.0.0/16 dst @%s", act, 18 + rp_rn(2), da);
		break;
	default:
		snprintf(b, size, "%s proto udp", act);
		break;
	}
}

/* nsets random sets of 1,000-100,000 prefixes and nrules rules over them; *nshort counts
 * the sets made so far (their short prefixes take the lengths in turn). */
static void random_ruleset(struct xg_ruleset *rs, size_t nsets, size_t nrules, unsigned int *nshort)
{
	static const char *const names[] = { "alpha", "beta", "gamma", "delta" };
	char line[256], err[256];
	struct xg_rule r;
	uint32_t def;
	size_t i;

	xg_ruleset_init(rs);
	rs->default_verdict = rp_rn(2) ? XG_VERDICT_PASS : XG_VERDICT_DROP;
	for (i = 0; i < nsets; i++)
		rs->sets[rs->nsets++] =
			random_set(names[i], i == 0 ? 100000 : 1000 + rp_rn(20000), ++*nshort % 8);
	for (i = 0; i < nrules; i++) {
		random_rule(line, sizeof(line), rs);
		if (xg_rule_parse_line(line, "gen", (unsigned int)i + 1, &r, &def, err,
				       sizeof(err)) != 1 ||
		    xg_ruleset_insert(rs, rs->n, &r))
			fail_msg("generated rule '%s': %s", line, err);
	}
	if (xg_ruleset_bind_sets(rs, err, sizeof(err)))
		fail_msg("bind: %s", err);
}

#define SET_RULESETS 4
#define SET_FRAMES 25000

static void test_sets_differential(void **state)
{
	struct rp_ctx *x = rp_ctx_of(state);
	uint8_t buf[IP_ALIGN + FRAME_MAX] __attribute__((aligned(8)));
	uint8_t *f = buf + IP_ALIGN;
	const char *env = getenv("XG_SEED");
	unsigned int k, bad = 0, frames = 0, matched = 0, small = 0, nshort = 0;
	uint64_t lens4 = 0; /* bit l: some set has an IPv4 prefix of length l */
	struct snap before, after;
	struct xg_ruleset rs;
	char msg[MSG_MAX], hex[2 * FRAME_MAX + 1];
	uint64_t seed;
	struct got got;
	size_t i, len;

	seed = env && *env ? strtoull(env, NULL, 0)
			   : ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
	fprintf(stderr, "# sets: seed %" PRIu64 " (XG_SEED=%" PRIu64 " replays)\n", seed, seed);
	rp_rng_seed(seed);
	rp_snap_init(&before);
	rp_snap_init(&after);
	for (k = 0; k < SET_RULESETS && !bad; k++) {
		/* one set on the small-set path, larger rule sets through the cache */
		random_ruleset(&rs, 1 + k, k == 0 ? 8 : k == 1 ? 40 : 100 + rp_rn(100), &nshort);
		for (i = 0; i < rs.nsets; i++)
			for (len = 0; len < rs.sets[i]->n; len++)
				if (rs.sets[i]->p[len].family == 4)
					lens4 |= 1ull << rs.sets[i]->p[len].len;
		rp_install(x, &rs);
		small += x->small;
		rp_read_snap(x, &before);
		for (i = 0; i < SET_FRAMES && bad < 5; i++) {
			struct xg_pkt pkt = { 0 };
			uint8_t copy[FRAME_MAX];
			int ref;

			len = random_frame(f, &rs);
			if (!len)
				fail_msg("the builder rejected a frame");
			memcpy(copy, f, len);
			xg_parse_frame(copy, copy + len, &pkt);
			ref = xg_rules_classify(&rs, &pkt);
			frames++;
			matched += ref >= 0;
			if (rp_check_frame(x, &rs, f, len, ref, &before, &after, &got, msg)) {
				rp_hex_line(f, len, hex, sizeof(hex));
				fprintf(stderr,
					"# DISAGREEMENT seed %" PRIu64 " ruleset %u: %s\n# %s\n",
					seed, k, hex, msg);
				if (!bad++)
					rp_print_rules(&rs);
			}
		}
		xg_ruleset_free(&rs);
	}
	free(before.rules);
	free(after.rules);
	if (bad)
		fail_msg("seed %" PRIu64 ": %u disagreements", seed, bad);
	fprintf(stderr,
		"# sets: %u frames, %u matched a rule, %u rule sets on the small path, 0 "
		"disagreements\n",
		frames, matched, small);
	assert_true(frames >= 100000);
	assert_int_equal(lens4, (1ull << 33) - 1); /* every IPv4 length through the flat table */
	assert_true(matched > frames / 4 && matched < frames);
	assert_true(small > 0 && small < SET_RULESETS);
}

/* Run one UDP frame from src; the XDP action. */
static __u32 run_src(struct rp_ctx *x, const char *src4)
{
	struct xg_frame_spec s = { MACS, .l3 = XG_L3_IPV4, UDP(1000, 53) };
	uint8_t buf[IP_ALIGN + FRAME_MAX] __attribute__((aligned(8))), out[FRAME_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf + IP_ALIGN, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);

	if (inet_pton(AF_INET, src4, s.ip4.saddr) != 1)
		fail_msg("bad address %s", src4);
	s.ip4.daddr[0] = 198;
	opts.data_size_in = (__u32)xg_frame_build(&s, buf + IP_ALIGN, FRAME_MAX);
	if (bpf_prog_test_run_opts(x->prog_fd, &opts))
		fail_msg("BPF_PROG_RUN failed");
	return opts.retval;
}

/* "drop src @block", "pass", with set block holding the one prefix p, installed into x;
 * the gate's id of block. */
static __u32 install_block(struct rp_ctx *x, struct xg_ruleset *rs, const struct xg_prefix *p)
{
	static const char *const lines[] = { "drop src @block", "pass" };
	struct xg_set *s = calloc(1, sizeof(*s));
	struct xg_config cfg;
	char err[256];
	__u32 key = 0;
	int id;

	rp_parse_lines(lines, RP_ARRAY_SIZE(lines), rs);
	if (!s || !(s->p = malloc(sizeof(*p))))
		fail_msg("out of memory");
	snprintf(s->name, sizeof(s->name), "block");
	s->loaded = true;
	s->p[0] = *p;
	s->n = 1;
	xg_set_finish(s);
	rs->sets[rs->nsets++] = s;
	if (xg_ruleset_bind_sets(rs, err, sizeof(err)))
		fail_msg("%s", err);
	rp_install(x, rs);
	if (bpf_map_lookup_elem(x->m.config, &key, &cfg))
		fail_msg("config");
	id = xg_set_id(&x->m, "block", &cfg.slot[cfg.active & 1]);
	assert_true(id >= 0);
	return (__u32)id;
}

static void parse_prefixes(const char *const *text, size_t n, struct xg_prefix *p)
{
	bool host;
	size_t i;

	for (i = 0; i < n; i++)
		if (xg_prefix_parse(text[i], &p[i], &host))
			fail_msg("bad prefix %s", text[i]);
}

/* A set reload swaps the set whole: the rule on it now matches the new prefixes only, and
 * keeps the counts it had. */
static void test_set_reload(void **state)
{
	static const char *const pfx[] = { "198.18.1.0/24", "198.19.0.0/16" };
	struct rp_ctx *x = rp_ctx_of(state);
	struct xg_set repl = { .name = "block", .loaded = true };
	struct xg_counter_val v;
	struct xg_prefix p[2];
	struct xg_ruleset rs;
	__u32 id;

	parse_prefixes(pfx, 2, p);
	id = install_block(x, &rs, &p[0]);
	assert_int_equal(run_src(x, "198.18.1.7"), XDP_DROP);
	assert_int_equal(run_src(x, "198.19.4.4"), XDP_PASS);
	repl.p = &p[1];
	repl.n = 1;
	assert_int_equal(xg_set_replace(&x->m, id, &repl), 0);
	assert_int_equal(run_src(x, "198.18.1.7"), XDP_PASS);
	assert_int_equal(run_src(x, "198.19.4.4"), XDP_DROP);
	if (xg_rule_counter(&x->m, 0, &v))
		fail_msg("xg_rule_counter");
	assert_int_equal(v.packets, 2); /* one before the reload, one after */
	xg_ruleset_free(&rs);
}

/* set add paints onto a copy of the live IPv4 table, set del builds it again from the trie:
 * the gate follows both at once, and keeps what neither touched. */
static void test_set_edit(void **state)
{
	static const char *const pfx[] = { "198.18.1.0/24", "198.19.4.0/30", "198.19.0.0/16" };
	struct rp_ctx *x = rp_ctx_of(state);
	struct xg_prefix p[3];
	struct xg_ruleset rs;
	size_t changed;
	__u32 id;

	parse_prefixes(pfx, 3, p);
	id = install_block(x, &rs, &p[0]);
	assert_int_equal(run_src(x, "198.19.4.2"), XDP_PASS);
	assert_int_equal(xg_set_edit(&x->m, id, &p[1], 2, true, &changed), 0);
	assert_int_equal(changed, 2);
	assert_int_equal(run_src(x, "198.18.1.7"), XDP_DROP); /* kept */
	assert_int_equal(run_src(x, "198.19.4.2"), XDP_DROP);
	assert_int_equal(run_src(x, "198.19.200.1"), XDP_DROP);
	assert_int_equal(xg_set_edit(&x->m, id, &p[2], 1, false, &changed), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(run_src(x, "198.19.200.1"), XDP_PASS); /* the /16 gone */
	assert_int_equal(run_src(x, "198.19.4.2"), XDP_DROP);	/* the /30 under it stays */
	assert_int_equal(run_src(x, "198.19.4.4"), XDP_PASS);
	assert_int_equal(run_src(x, "198.18.1.7"), XDP_DROP);
	xg_ruleset_free(&rs);
}

/* An edit the kernel refuses part way (here a prefix no parser would make, an IPv6 length
 * of 200, after a good IPv4 one) changes nothing: the trie's edits are undone, the flat
 * table and the count stay. */
static void test_set_edit_all_or_nothing(void **state)
{
	static const char *const pfx[] = { "198.18.1.0/24", "198.19.4.0/30" };
	struct rp_ctx *x = rp_ctx_of(state);
	struct xg_set live = { .loaded = true };
	struct xg_prefix p[3] = { { 0 } };
	struct xg_set_info info;
	struct xg_ruleset rs;
	size_t changed = 99;
	__u32 id;

	parse_prefixes(pfx, 2, p);
	p[2].family = 6;
	p[2].len = 200;
	id = install_block(x, &rs, &p[0]);
	assert_true(xg_set_edit(&x->m, id, &p[1], 2, true, &changed) < 0);
	assert_int_equal(changed, 0);
	assert_int_equal(run_src(x, "198.19.4.2"), XDP_PASS); /* the table kept */
	assert_int_equal(run_src(x, "198.18.1.7"), XDP_DROP);
	assert_int_equal(xg_set_read_live(&x->m, id, &live), 0); /* the trie's add undone */
	assert_int_equal(live.n, 1);
	free(live.p);
	assert_int_equal(bpf_map_lookup_elem(x->m.set_info, &id, &info), 0);
	assert_int_equal(info.count, 1);
	xg_ruleset_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sets_differential),
		cmocka_unit_test(test_set_reload),
		cmocka_unit_test(test_set_edit),
		cmocka_unit_test(test_set_edit_all_or_nothing),
	};

	return cmocka_run_group_tests_name("rules_prog_sets", tests, rp_group_setup,
					   rp_group_teardown);
}
