// SPDX-License-Identifier: GPL-2.0
/* Unit layer: a set's flat IPv4 table (user/rules/set4.c painting, the XG_SET4_HAS walk the
 * gate uses too) against a naive reference, every prefix of the set tried in turn, over
 * random sets: lengths 0..32, nested prefixes, duplicates, IPv6 prefixes among them (the
 * table ignores them), painted shortest first and in random order. */
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

#include "common/xdpgate_rules.h"
#include "user/rules/dir4.h"
#include "user/rules/set4.h"
#include "testenv/rules_prog_lib.h"

#define TRIALS 100
#define PROBES 2000

static bool naive_has(const struct xg_set *s, uint32_t a)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct xg_prefix *p = &s->p[i];
		uint32_t mask = p->family == 4 && p->len ? ~0u << (32 - p->len) : 0;

		if (p->family == 4 && ((a ^ xg_dir4_addr(p->addr)) & mask) == 0)
			return true;
	}
	return false;
}

/* n prefixes no shorter than minlen, the first of length minlen: fresh, nested in one
 * already drawn, or a copy. */
static void random_set(struct xg_set *s, size_t n, unsigned int minlen)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->p = calloc(n + 1, sizeof(*s->p));
	if (!s->p)
		fail_msg("out of memory");
	for (i = 0; i < n; i++) {
		struct xg_prefix *p = &s->p[i];
		uint32_t a = (uint32_t)rp_rnd(), r = rp_rn(100);

		if (i && r < 30) { /* nested: longer, inside one already there */
			*p = s->p[rp_rn((uint32_t)i)];
			if (p->family == 4 && p->len < 32) {
				a = xg_dir4_addr(p->addr) | ((uint32_t)rp_rnd() >> p->len);
				p->len = (uint8_t)(p->len + 1 + rp_rn(32u - p->len));
			} else {
				a = xg_dir4_addr(p->addr);
			}
		} else if (i && r < 40) { /* a duplicate */
			*p = s->p[rp_rn((uint32_t)i)];
			continue;
		} else if (i && r < 45) { /* an IPv6 prefix: not in the table */
			p->family = 6;
			p->len = 64;
			p->addr[0] = 0xfd;
			continue;
		} else {
			p->family = 4;
			p->len = (uint8_t)(i ? minlen + rp_rn(33 - minlen) : minlen);
		}
		if (p->family != 4)
			continue;
		a &= p->len ? ~0u << (32 - p->len) : 0;
		p->addr[0] = (uint8_t)(a >> 24);
		p->addr[1] = (uint8_t)(a >> 16);
		p->addr[2] = (uint8_t)(a >> 8);
		p->addr[3] = (uint8_t)a;
	}
	s->n = n;
}

/* An address near the set's prefixes: inside one, at its edges or just past them. */
static uint32_t probe(const struct xg_set *s)
{
	const struct xg_prefix *p = &s->p[rp_rn((uint32_t)s->n)];
	uint32_t a = xg_dir4_addr(p->addr), span = p->len < 32 ? ~0u >> p->len : 0;

	if (p->family != 4 || rp_rn(10) == 0)
		return (uint32_t)rp_rnd();
	switch (rp_rn(5)) {
	case 0:
		return a;
	case 1:
		return a + span;
	case 2:
		return a - 1;
	case 3:
		return a + span + 1;
	default:
		return a + ((uint32_t)rp_rnd() & span);
	}
}

static void shuffle(struct xg_set *s)
{
	size_t i;

	for (i = s->n; i > 1; i--) {
		size_t j = rp_rn((uint32_t)i);
		struct xg_prefix t = s->p[i - 1];

		s->p[i - 1] = s->p[j];
		s->p[j] = t;
	}
}

/* The table of s (in its present order) against the reference at PROBES addresses; the
 * table's size in words. */
static size_t check_table(const struct xg_set *s, uint64_t seed, unsigned int trial)
{
	struct xg_set4 t;
	unsigned int i;
	size_t words;

	assert_int_equal(xg_set4_build(s, &t), 0);
	assert_int_equal(t.n % XG_SET4_GROUP, 0);
	for (i = 0; i < PROBES; i++) {
		uint32_t a = probe(s);

		if (xg_set4_has(&t, a) != naive_has(s, a))
			fail_msg("seed %" PRIu64 " trial %u: %u.%u.%u.%u: table %d, reference %d",
				 seed, trial, a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255,
				 xg_set4_has(&t, a), naive_has(s, a));
	}
	words = t.n;
	xg_set4_free(&t);
	return words;
}

static void test_set4_random(void **state)
{
	const char *env = getenv("XG_SEED");
	uint64_t seed = env && *env ? strtoull(env, NULL, 0)
				    : ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
	uint64_t lens = 0;
	unsigned int trial;
	size_t i;

	(void)state;
	fprintf(stderr, "# set4: seed %" PRIu64 " (XG_SEED=%" PRIu64 " replays)\n", seed, seed);
	rp_rng_seed(seed);
	for (trial = 0; trial < TRIALS; trial++) {
		struct xg_set s;
		size_t sorted;

		/* short prefixes in a few trials only, so that most sets leave gaps; the
		 * shortest length of a trial goes through 0..32 */
		random_set(&s, 1 + rp_rn(2000), trial % 10 ? 8 + trial % 25 : trial / 10 % 8);
		for (i = 0; i < s.n; i++)
			if (s.p[i].family == 4)
				lens |= 1ull << s.p[i].len;
		shuffle(&s);
		sorted = check_table(&s, seed, trial); /* any order paints the same set */
		xg_set_finish(&s);
		sorted = check_table(&s, seed, trial) <= sorted;
		assert_true(sorted); /* shortest first never takes more words */
		free(s.p);
	}
	assert_int_equal(lens, (1ull << 33) - 1);
}

/* The edges: an empty set, /0, and a /32 beside a /25 in one bitmap. */
static void test_set4_edges(void **state)
{
	struct xg_prefix p[2] = { { .family = 4 }, { .family = 4, .len = 32 } };
	struct xg_set s = { .p = p, .n = 0 };
	struct xg_set4 t;

	(void)state;
	assert_int_equal(xg_set4_build(&s, &t), 0);
	assert_int_equal(t.n, XG_SET4_L1); /* level 1 alone */
	assert_false(xg_set4_has(&t, 0));
	assert_false(xg_set4_has(&t, ~0u));
	xg_set4_free(&t);
	s.n = 1; /* 0.0.0.0/0 */
	assert_int_equal(xg_set4_build(&s, &t), 0);
	assert_true(xg_set4_has(&t, 0) && xg_set4_has(&t, ~0u) && xg_set4_has(&t, 0xc6120001));
	xg_set4_free(&t);
	p[0].len = 25; /* 198.18.0.128/25 and 198.18.0.5/32 */
	memcpy(p[0].addr, (uint8_t[]){ 198, 18, 0, 128 }, 4);
	memcpy(p[1].addr, (uint8_t[]){ 198, 18, 0, 5 }, 4);
	s.n = 2;
	assert_int_equal(xg_set4_build(&s, &t), 0);
	assert_int_equal(t.n, XG_SET4_L1 + XG_SET4_BLOCK + XG_SET4_BITMAP);
	assert_true(xg_set4_has(&t, 0xc6120005) && xg_set4_has(&t, 0xc6120080) &&
		    xg_set4_has(&t, 0xc61200ff));
	assert_false(xg_set4_has(&t, 0xc6120004) || xg_set4_has(&t, 0xc6120006) ||
		     xg_set4_has(&t, 0xc612007f) || xg_set4_has(&t, 0xc6120100));
	xg_set4_free(&t);
	/* host bits set (a caller that did not mask): the prefix is what its length says,
	 * and the span stays in its block (ASan sees a write past it) */
	p[0].len = 12; /* 198.18.0.128/12: 198.16.0.0/12 */
	s.n = 1;
	assert_int_equal(xg_set4_build(&s, &t), 0);
	assert_true(xg_set4_has(&t, 0xc6100000) && xg_set4_has(&t, 0xc61fffff));
	assert_false(xg_set4_has(&t, 0xc60fffff) || xg_set4_has(&t, 0xc6200000));
	xg_set4_free(&t);
	p[0].len = 0; /* 198.18.0.128/0: everything */
	assert_int_equal(xg_set4_build(&s, &t), 0);
	assert_true(xg_set4_has(&t, 0) && xg_set4_has(&t, ~0u));
	xg_set4_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set4_random),
		cmocka_unit_test(test_set4_edges),
	};

	return cmocka_run_group_tests_name("set4", tests, NULL, NULL);
}
