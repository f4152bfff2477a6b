// SPDX-License-Identifier: GPL-2.0
/* Limits through BPF_PROG_RUN: a limited rule matches its burst at once and then, over its
 * rate, lets frames fall through to the next rule; on the small-set path and through the
 * cache, for frame and byte rates; its counter counts only the frames it took. The frames
 * run within milliseconds, so a rate of 1/s adds at most one frame of room. BPF_PROG_RUN
 * runs the program on the calling thread's CPU, so pinning the thread to one CPU and then
 * another shows each CPU's lease from the shared bucket. */
#define _GNU_SOURCE
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "user/util/frame_build.h"
#include "user/rules/rules.h"
#include "user/rules/load.h"
#include "testenv/rules_prog_lib.h"

/* Run n UDP frames of size bytes; how many came out as XDP_PASS. */
static unsigned int run_pass(struct rp_ctx *x, unsigned int n, size_t payload)
{
	struct xg_frame_spec s = { MACS, .l3 = XG_L3_IPV4, UDP(1000, 53) };
	uint8_t buf[IP_ALIGN + FRAME_MAX] __attribute__((aligned(8))), out[FRAME_MAX];
	unsigned int i, pass = 0;

	s.ip4.saddr[0] = s.ip4.daddr[0] = 198;
	s.payload_len = payload;
	for (i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf + IP_ALIGN, .data_out = out,
			    .data_size_out = sizeof(out), .repeat = 1);

		opts.data_size_in = (__u32)xg_frame_build(&s, buf + IP_ALIGN, FRAME_MAX);
		if (bpf_prog_test_run_opts(x->prog_fd, &opts))
			fail_msg("BPF_PROG_RUN failed");
		pass += opts.retval == XDP_PASS;
	}
	return pass;
}

/* lines, then filler rules that match nothing until the set has nrules. */
static void install(struct rp_ctx *x, const char *const *lines, size_t n, size_t nrules)
{
	const char *all[128];
	char fill[128][48];
	struct xg_ruleset rs;
	size_t i;

	for (i = 0; i < n; i++)
		all[i] = lines[i];
	for (; i < nrules; i++) {
		snprintf(fill[i], sizeof(fill[i]), "tx dst 10.%zu.0.0/16 proto tcp", i);
		all[i] = fill[i];
	}
	rp_parse_lines(all, nrules, &rs);
	rp_install(x, &rs);
	xg_ruleset_free(&rs);
}

static void check_burst(struct rp_ctx *x, size_t nrules, bool small)
{
	static const char *const lines[] = { "pass proto udp limit 1/s burst 5", "drop proto udp" };
	struct xg_counter_val v;
	unsigned int pass;

	install(x, lines, 2, nrules);
	assert_int_equal(x->small, small);
	pass = run_pass(x, 40, 10);
	if (pass < 5 || pass > 6)
		fail_msg("%zu rules: %u of 40 frames passed, want the burst of 5 (6 if a second "
			 "went by)",
			 nrules, pass);
	if (xg_rule_counter(&x->m, 0, &v) || v.packets != pass)
		fail_msg("the limited rule counted %llu, not the %u it took",
			 (unsigned long long)v.packets, pass);
	if (xg_rule_counter(&x->m, 1, &v) || v.packets != 40 - pass)
		fail_msg("the next rule counted %llu, not the %u that fell through",
			 (unsigned long long)v.packets, 40 - pass);
}

static void test_limit_small(void **state)
{
	check_burst(rp_ctx_of(state), 2, true);
}

static void test_limit_cached(void **state)
{
	check_burst(rp_ctx_of(state), 100, false);
}

/* Several limited rules in a row are passed over one after the other. */
static void test_limit_chain(void **state)
{
	static const char *const lines[] = { "pass proto udp limit 1/s burst 2",
					     "pass proto udp limit 1/s burst 3",
					     "pass proto udp limit 1/s burst 4", "drop" };
	struct rp_ctx *x = rp_ctx_of(state);
	unsigned int pass;

	install(x, lines, 4, 4);
	pass = run_pass(x, 30, 10);
	assert_true(pass >= 9 && pass <= 12);
	install(x, lines, 4, 90);
	pass = run_pass(x, 30, 10);
	assert_true(pass >= 9 && pass <= 12);
}

/* A byte rate charges each frame its length: a 2,000-byte burst takes 19 frames of 106. */
static void test_limit_bytes(void **state)
{
	static const char *const lines[] = { "pass limit 1kbytes/s burst 2000", "drop" };
	struct rp_ctx *x = rp_ctx_of(state);
	unsigned int pass;

	install(x, lines, 2, 2);
	pass = run_pass(x, 40, 64); /* 14 + 20 + 8 + 64 = 106 bytes */
	if (pass < 18 || pass > 29)
		fail_msg("%u frames of 106 bytes passed a 2000-byte burst", pass);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fail_msg("cannot pin the test to CPU %d", cpu);
}

/* Limit 0's lease on every CPU (x->ncpu entries, freed by the caller). */
static struct xg_lease *leases(struct rp_ctx *x)
{
	struct xg_lease *l = calloc((size_t)x->ncpu, sizeof(*l));
	__u32 k = x->slot * XG_LIMITS_MAX;

	if (!l || bpf_map_lookup_elem(x->m.leases, &k, l))
		fail_msg("cannot read the leases");
	return l;
}

/* Limit 0's shared bucket in the installed slot. */
static struct xg_bucket bucket(struct rp_ctx *x)
{
	__u32 k = x->slot * XG_LIMITS_MAX;
	struct xg_bucket b;

	if (bpf_map_lookup_elem(x->m.limits, &k, &b))
		fail_msg("cannot read the bucket");
	return b;
}

static void write_bucket(struct rp_ctx *x, const struct xg_bucket *b)
{
	__u32 k = x->slot * XG_LIMITS_MAX;

	if (bpf_map_update_elem(x->m.limits, &k, b, BPF_ANY))
		fail_msg("cannot write the bucket");
}

/* The frames' worth of room that cpu holds in limit 0's lease. */
static uint64_t held(struct rp_ctx *x, int cpu)
{
	struct xg_lease *l = leases(x);
	uint64_t n = l[cpu].left / l[cpu].cost;

	free(l);
	return n;
}

/* Each CPU spends a lease of its own and goes back to the shared bucket only when it runs
 * short; the last lease is the room left (a partial one); what one CPU holds is not the
 * other's, and together they take the burst, no more. A reload empties every lease. */
static void test_limit_lease_per_cpu(void **state)
{
	static const char *const lines[] = { "pass proto udp limit 1/s burst 45", "drop proto "
										  "udp" };
	struct rp_ctx *x = rp_ctx_of(state);
	int cpu[2], n = 0, i, c0, c1;
	struct xg_bucket b;
	struct xg_lease *l;
	cpu_set_t was;
	unsigned int pass;

	if (sched_getaffinity(0, sizeof(was), &was))
		fail_msg("cannot read the test's CPUs");
	for (i = 0; i < CPU_SETSIZE && n < 2; i++)
		if (CPU_ISSET(i, &was))
			cpu[n++] = i;
	if (n < 2)
		fail_msg("test_limit_lease_per_cpu needs 2 CPUs in its affinity mask and has %d: "
			 "it pins itself to one CPU and then another to show each CPU's lease "
			 "(run it on a machine, or with a taskset, of 2 or more CPUs)",
			 n);
	c0 = cpu[0];
	c1 = cpu[1];
	install(x, lines, 2, 2);
	l = leases(x);
	/* leases of 10 frames: the loader's 1 ms of a rate of 1/s is under one frame */
	b = bucket(x);
	b.lease = 10 * l[c0].cost;
	free(l);
	write_bucket(x, &b);

	pin(c0);
	assert_int_equal(run_pass(x, 1, 10), 1);
	assert_int_equal(held(x, c0), 9);
	assert_int_equal(held(x, c1), 0);
	pin(c1); /* three leases of 10, then the 5 frames left */
	pass = run_pass(x, 45, 10);
	if (pass < 35 || pass > 36)
		fail_msg("CPU %d passed %u of 45 frames, want the 35 left of the burst", c1, pass);
	assert_int_equal(held(x, c0), 9);
	l = leases(x);
	assert_true(l[c1].retry > 0); /* refused: it waits for the clock, not the bucket */
	free(l);
	pin(c0); /* its own lease, then refused */
	pass = run_pass(x, 20, 10);
	if (pass < 9 || pass > 10)
		fail_msg("CPU %d passed %u of 20 frames, want the 9 of its lease", c0, pass);

	install(x, lines, 2, 2);
	l = leases(x);
	for (i = 0; i < x->ncpu; i++)
		if (l[i].left || l[i].retry)
			fail_msg("CPU %d kept a lease over a reload", i);
	free(l);
	if (sched_setaffinity(0, sizeof(was), &was))
		fail_msg("cannot unpin the test");
}

/* A refused frame leaves the bucket as it found it: half a frame of room is kept for later,
 * not used up by the frame it could not pay for. */
static void test_limit_refusal_keeps_room(void **state)
{
	static const char *const lines[] = { "pass proto udp limit 1/s burst 1", "drop proto udp" };
	struct rp_ctx *x = rp_ctx_of(state);
	struct xg_bucket b;
	struct xg_lease *l;
	__u64 cost, half;

	install(x, lines, 2, 2);
	assert_int_equal(run_pass(x, 1, 10), 1); /* the burst: tat is now + 1 s */
	l = leases(x);
	cost = l[0].cost;
	free(l);
	b = bucket(x);
	b.tat -= cost / 2; /* half a frame of room (the test takes far less than 0.5 s) */
	half = b.tat;
	write_bucket(x, &b);
	assert_int_equal(run_pass(x, 1, 10), 0);
	b = bucket(x);
	if (b.tat != half)
		fail_msg("a refused frame moved tat by %lld (1/256 ns)", (long long)(b.tat - half));
}

/* Pin the test to the CPU it runs on (its affinity before in was); that CPU. */
static int pin_here(cpu_set_t *was)
{
	int cpu = sched_getcpu();

	if (cpu < 0 || sched_getaffinity(0, sizeof(*was), was))
		fail_msg("cannot read the test's CPU");
	pin(cpu);
	return cpu;
}

static void write_leases(struct rp_ctx *x, struct xg_lease *l)
{
	__u32 k = x->slot * XG_LIMITS_MAX;

	if (bpf_map_update_elem(x->m.leases, &k, l, BPF_ANY))
		fail_msg("cannot write the leases");
}

/* A frame over the burst (a byte limit's burst under the MTU) never fits: it is refused
 * and leaves the bucket and the lease as they were, so it sets no retry that would refuse
 * the frames that fit for its cost of time, and takes no room from a bucket it would leave
 * looking full, even with room held in the lease. A lease taken from an idle bucket counts
 * from now, not from the old tat. */
static void test_limit_frame_over_burst(void **state)
{
	static const char *const lines[] = { "pass limit 1kbytes/s burst 1000", "drop" };
	struct rp_ctx *x = rp_ctx_of(state);
	struct xg_bucket b;
	struct xg_lease *l;
	cpu_set_t was;
	int cpu;

	install(x, lines, 2, 2);
	cpu = pin_here(&was);
	assert_int_equal(run_pass(x, 3, 1458), 0); /* 14 + 20 + 8 + 1458 = 1500 bytes */
	b = bucket(x);
	l = leases(x);
	if (b.tat || l[cpu].left || l[cpu].retry)
		fail_msg("1500-byte frames over a 1000-byte burst left tat %llu, left %llu, retry "
			 "%llu",
			 (unsigned long long)b.tat, (unsigned long long)l[cpu].left,
			 (unsigned long long)l[cpu].retry);
	l[cpu].left = 600 * l[cpu].cost; /* 600 bytes held: with the burst, 1600 */
	write_leases(x, l);
	assert_int_equal(run_pass(x, 1, 1458), 0);
	if (bucket(x).tat)
		fail_msg("a frame over the burst took room from the bucket");
	l[cpu].left = 0;
	write_leases(x, l);
	assert_int_equal(run_pass(x, 1, 22), 1); /* 64 bytes fit */
	free(l);
	l = leases(x);
	b = bucket(x);
	if (b.tat != l[cpu].now + 64 * l[cpu].cost)
		fail_msg("a 64-byte lease from an idle bucket set tat %llu, not now %llu + 64 "
			 "bytes",
			 (unsigned long long)b.tat, (unsigned long long)l[cpu].now);
	free(l);
	if (sched_setaffinity(0, sizeof(was), &was))
		fail_msg("cannot unpin the test");
}

/* The clock counts from the rule set's load (the bucket's epoch): 2 years after it, a limit
 * still takes its burst and refuses past it, and the largest burst does not overflow. */
static void test_limit_two_years(void **state)
{
	static const char *const small[] = { "pass limit 1/s burst 5", "drop" };
	static const char *const big[] = { "pass limit 1/s burst 1000000000", "drop" };
	static const struct {
		const char *const *lines;
		unsigned int lo, hi; /* frames of 40 that pass */
	} sets[] = { { small, 5, 6 }, { big, 40, 40 } };
	struct rp_ctx *x = rp_ctx_of(state);
	struct xg_bucket b;
	unsigned int pass;
	size_t i;

	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		install(x, sets[i].lines, 2, 2);
		b = bucket(x);
		b.epoch -=
			XG_LIMIT_CLOCK_NS; /* as if loaded 2 years ago (mod 2^64, as the clock) */
		write_bucket(x, &b);
		pass = run_pass(x, 40, 10);
		if (pass < sets[i].lo || pass > sets[i].hi)
			fail_msg("2 years after the load, %u of 40 frames passed '%s'", pass,
				 sets[i].lines[0]);
	}
}

/* A CPU refused by its bucket stops asking it until the clock (read at most once a tick)
 * says the frame fits, and then gets room again: a limit of 100/s refuses the frames right
 * after its burst of 1 and takes one again after its 10 ms and a tick or two. The 20 frames
 * run within 10 ms unless the test is descheduled: a run that let more than 2 through is
 * tried again (3 times); room must come back within 1 s (20 waits of 50 ms), so a clock
 * cache that never refreshes still fails. */
static void test_limit_room_returns(void **state)
{
	static const char *const lines[] = { "pass proto udp limit 100/s burst 1", "drop proto "
										   "udp" };
	struct timespec later = { .tv_nsec = 50 * 1000 * 1000 };
	struct rp_ctx *x = rp_ctx_of(state);
	unsigned int first = 0, again = 0, i;

	for (i = 0; i < 3 && (!i || first > 2); i++) {
		install(x, lines, 2, 2);
		first = run_pass(x, 20, 10); /* the burst of 1, maybe one more */
		if (!first)
			fail_msg("none of 20 frames passed a burst of 1");
	}
	if (first > 2)
		fail_msg("%u of 20 frames passed a burst of 1, in each of 3 tries", first);
	for (i = 0; i < 20 && !again; i++) {
		nanosleep(&later, NULL);
		again = run_pass(x, 1, 10);
	}
	if (!again)
		fail_msg("no room 1 s after the bucket emptied at 100/s: the clock never moved");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit_small),
		cmocka_unit_test(test_limit_cached),
		cmocka_unit_test(test_limit_chain),
		cmocka_unit_test(test_limit_bytes),
		cmocka_unit_test(test_limit_lease_per_cpu),
		cmocka_unit_test(test_limit_room_returns),
		cmocka_unit_test(test_limit_refusal_keeps_room),
		cmocka_unit_test(test_limit_frame_over_burst),
		cmocka_unit_test(test_limit_two_years),
	};

	return cmocka_run_group_tests_name("rules_prog_limit", tests, rp_group_setup,
					   rp_group_teardown);
}
