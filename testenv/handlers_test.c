// SPDX-License-Identifier: GPL-2.0
/* Unit layer: the reflect and pcap handlers, called as a worker calls them (one batch).
 *
 * reflect: literal frames checked field by field, with every checksum recomputed from
 * scratch (IPv4 header, L4 with its pseudo-header); every cut of every frame of the shared
 * frame table and 10,000 random frames, each at the very end of a heap block of exactly
 * its length so ASan reports any access past it. Reflecting twice must give the frame
 * back, except an echo request, which stays a reply.
 * pcap: frames written and read back with libpcap, per-queue names, rotation, a full
 * disk (/dev/full), and the arguments init refuses. */
#define _GNU_SOURCE /* asprintf */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

/* pcap/bpf.h and linux/bpf.h (through user/pool/handler.h) both define struct bpf_insn */
#define bpf_insn pcap_bpf_insn
#include <pcap/pcap.h>
#undef bpf_insn

#include "common/gen_marker.h"
#include "common/parse.h"
#include "testenv/frame_cases.h"
#include "testenv/stderr_capture.h"
#include "user/gen/template.h"
#include "user/util/frame_build.h"
#include "user/pool/handler.h"

extern const struct xg_handler_ops xg_handler_count;
extern const struct xg_handler_ops xg_handler_reflect;
extern const struct xg_handler_ops xg_handler_pcap;

#define FUZZ_FRAMES 10000
#define FUZZ_LEN_MAX 300

/* ---- helpers ---- */

/* A heap copy of len bytes that ends exactly where its block ends. */
static uint8_t *tail_copy(const uint8_t *src, size_t len)
{
	uint8_t *p = malloc(len);

	if (len)
		assert_non_null(p);
	memcpy(p, src, len);
	return p;
}

/* Run one handler batch over a single frame; returns its action. */
static uint8_t run_batch(const struct xg_handler_ops *ops, void *state, uint8_t *data, uint32_t len,
			 struct xg_handler_stats *hs)
{
	struct xg_xsk_frame f = { .len = len, .room = len, .data = data };
	uint8_t action = XG_ACT_RECYCLE;
	struct xg_batch b = { .frames = &f, .action = &action, .n = 1 };

	ops->batch(state, &b, hs);
	assert_int_equal(f.len, len); /* reflect never changes a length */
	return action;
}

static uint8_t reflect(uint8_t *data, uint32_t len, struct xg_handler_stats *hs)
{
	return run_batch(&xg_handler_reflect, NULL, data, len, hs);
}

/* A correct checksum makes the whole sum fold to zero. */
static bool sum_ok(uint32_t sum)
{
	return xg_csum_fold(sum) == 0;
}

static bool ip4_csum_ok(const uint8_t *ip)
{
	return sum_ok(xg_csum_add(0, ip, (size_t)(ip[0] & 15) * 4));
}

/* L4 checksum over [l4_off, len) with the pseudo-header (none for ICMP over IPv4). */
static bool l4_csum_ok(const uint8_t *frame, size_t len, const struct xg_pkt *p)
{
	const uint8_t *ip = frame + p->l3_off;
	size_t l4len = len - p->l4_off;
	uint32_t sum = 0;

	if (p->family == 4 && p->l4_proto != IPPROTO_ICMP)
		sum = xg_csum_add(0, ip + 12, 8) + p->l4_proto + (uint32_t)l4len;
	else if (p->family == 6)
		sum = xg_csum_add(0, ip + 8, 32) + p->l4_proto + (uint32_t)l4len;
	return sum_ok(xg_csum_add(sum, frame + p->l4_off, l4len));
}

static int parse(const uint8_t *frame, size_t len, struct xg_pkt *p)
{
	memset(p, 0, sizeof(*p));
	return xg_parse_frame((void *)frame, (void *)(frame + len), p);
}

static bool is_echo_request(const struct xg_pkt *p)
{
	return p->l4_ok && ((p->l4_proto == IPPROTO_ICMP && p->icmp_type == 8) ||
			    (p->l4_proto == XG_IPPROTO_ICMPV6 && p->icmp_type == 128));
}

/* Reflect a copy of frame[0, len) twice: the first time sends it (unless shorter than an
 * Ethernet header) with the MACs swapped, the second gives the frame back, except an
 * echo request's type and checksum. Both run on a block of exactly len bytes. */
static void check_reflect_twice(const uint8_t *frame, size_t len, const char *what)
{
	struct xg_handler_stats hs = { 0 };
	uint8_t *data = tail_copy(frame, len);
	struct xg_pkt p;
	size_t skip_at = len;
	uint8_t act;

	act = reflect(data, (uint32_t)len, &hs);
	if (len < 14) {
		assert_int_equal(act, XG_ACT_RECYCLE);
		assert_int_equal(hs.dropped_malformed, 1);
		assert_int_equal(hs.handled, 0);
		assert_memory_equal(data, frame, len);
		free(data);
		return;
	}
	assert_int_equal(act, XG_ACT_TX);
	assert_int_equal(hs.handled, 1);
	assert_int_equal(hs.dropped_malformed, 0);
	assert_memory_equal(data, frame + 6, 6);
	assert_memory_equal(data + 6, frame, 6);
	reflect(data, (uint32_t)len, &hs);
	parse(frame, len, &p);
	if (is_echo_request(&p)) {
		skip_at = p.l4_off; /* type, code and checksum: 4 bytes */
		assert_int_equal(data[skip_at], p.l4_proto == IPPROTO_ICMP ? 0 : 129);
		assert_int_equal(data[skip_at + 1], frame[skip_at + 1]);
		assert_memory_equal(data + skip_at + 4, frame + skip_at + 4, len - skip_at - 4);
	}
	if (memcmp(data, frame, skip_at))
		fail_msg("%s (%zu bytes): reflected twice, the frame differs", what, len);
	free(data);
}

/* ---- reflect: literal frames ---- */

struct reflect_case {
	const char *name;
	struct xg_frame_spec spec;
	int reply_type; /* -1: the type stays */
};

#define MACS .dst = { 2, 0, 0, 0, 0, 0xd }, .src = { 2, 0, 0, 0, 0, 0x5 }
#define IP4 .l3 = XG_L3_IPV4, .ip4 = { .saddr = { 10, 0, 0, 1 }, .daddr = { 192, 168, 7, 9 } }
#define IP6                                                                       \
	.l3 = XG_L3_IPV6, .ip6 = { .saddr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, \
				   .daddr = { 0xfd, 0x00, [7] = 0x42, [14] = 0xab, [15] = 2 } }

static const struct reflect_case reflect_cases[] = {
	{ "v4_udp",
	  { MACS, IP4, .l4_proto = IPPROTO_UDP, .udp = { 5353, 53 }, .payload_len = 33 },
	  -1 },
	{ "v4_tcp",
	  { MACS, IP4, .l4_proto = IPPROTO_TCP, .tcp = { 40000, 443, 0x12, 8 }, .payload_len = 17 },
	  -1 },
	{ "v4_icmp_echo",
	  { MACS, IP4, .l4_proto = IPPROTO_ICMP, .icmp = { 8, 0 }, .payload_len = 56 },
	  0 },
	{ "v4_icmp_unreach_stays",
	  { MACS, IP4, .l4_proto = IPPROTO_ICMP, .icmp = { 3, 1 }, .payload_len = 28 },
	  -1 },
	{ "v4_vlan_opts_udp",
	  { MACS, .n_vlan = 1, .vlan = { { .vid = 7 } }, .l3 = XG_L3_IPV4,
	    .ip4 = { .saddr = { 1, 2, 3, 4 }, .daddr = { 5, 6, 7, 8 }, .ihl = 8 },
	    .l4_proto = IPPROTO_UDP, .udp = { 1, 65535 }, .payload_len = 3 },
	  -1 },
	{ "v6_udp",
	  { MACS, IP6, .l4_proto = IPPROTO_UDP, .udp = { 123, 50000 }, .payload_len = 48 },
	  -1 },
	{ "v6_tcp",
	  { MACS, IP6, .l4_proto = IPPROTO_TCP, .tcp = { 22, 61000, 0x18, 5 }, .payload_len = 100 },
	  -1 },
	{ "v6_icmp6_echo",
	  { MACS, IP6, .l4_proto = XG_IPPROTO_ICMPV6, .icmp = { 128, 0 }, .payload_len = 57 },
	  129 },
	{ "v6_icmp6_ns_stays",
	  { MACS, IP6, .l4_proto = XG_IPPROTO_ICMPV6, .icmp = { 135, 0 }, .payload_len = 20 },
	  -1 },
};

/* What reflect must produce, done by hand from the layout (ICMP checksum aside). */
static void expected_reflection(const struct reflect_case *c, const uint8_t *in, uint8_t *out,
				size_t len)
{
	const struct xg_frame_spec *s = &c->spec;
	size_t alen = s->l3 == XG_L3_IPV6 ? 16 : 4, a = s->l3 == XG_L3_IPV6 ? 8 : 12;
	struct xg_frame_layout lo;
	uint8_t *ip;

	xg_frame_layout(s, &lo);
	memcpy(out, in, len);
	memcpy(out, in + 6, 6);
	memcpy(out + 6, in, 6);
	ip = out + lo.l3_off;
	memcpy(ip + a, in + lo.l3_off + a + alen, alen);
	memcpy(ip + a + alen, in + lo.l3_off + a, alen);
	if (s->l4_proto == IPPROTO_TCP || s->l4_proto == IPPROTO_UDP) {
		memcpy(out + lo.l4_off, in + lo.l4_off + 2, 2);
		memcpy(out + lo.l4_off + 2, in + lo.l4_off, 2);
	}
	if (c->reply_type >= 0)
		out[lo.l4_off] = (uint8_t)c->reply_type;
}

static void check_reflect_case(const struct reflect_case *c)
{
	uint8_t buf[512], want[512], *data;
	size_t len = xg_frame_build(&c->spec, buf, sizeof(buf));
	struct xg_handler_stats hs = { 0 };
	struct xg_frame_layout lo;
	struct xg_pkt p;
	size_t csum_at;

	if (!len)
		fail_msg("%s: the builder rejected the spec", c->name);
	xg_frame_layout(&c->spec, &lo);
	data = tail_copy(buf, len);
	assert_int_equal(reflect(data, (uint32_t)len, &hs), XG_ACT_TX);
	assert_int_equal(hs.handled, 1);
	expected_reflection(c, buf, want, len);
	/* everything but the ICMP checksum is known exactly; that one is recomputed below */
	csum_at = c->spec.l4_proto == IPPROTO_TCP ? 16 : c->spec.l4_proto == IPPROTO_UDP ? 6 : 2;
	if (c->reply_type < 0)
		assert_memory_equal(data, want, len);
	else
		assert_memory_equal(data, want, lo.l4_off + csum_at);
	assert_memory_equal(data + lo.l4_off + csum_at + 2, want + lo.l4_off + csum_at + 2,
			    len - lo.l4_off - csum_at - 2);
	assert_int_equal(parse(data, len, &p),
			 c->spec.l3 == XG_L3_IPV6 ? XG_PARSE_IPV6 : XG_PARSE_IPV4);
	assert_true(p.l4_ok);
	if (p.family == 4)
		assert_true(ip4_csum_ok(data + p.l3_off));
	if (!l4_csum_ok(data, len, &p))
		fail_msg("%s: the L4 checksum no longer verifies", c->name);
	free(data);
}

static void test_reflect_literal(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(reflect_cases) / sizeof(reflect_cases[0]); i++)
		check_reflect_case(&reflect_cases[i]);
}

/* The incremental ICMP update, over many payloads (and so many starting checksums). */
static void test_reflect_echo_checksums(void **state)
{
	struct xg_frame_spec s[2] = {
		{ MACS, IP4, .l4_proto = IPPROTO_ICMP, .icmp = { 8, 0 } },
		{ MACS, IP6, .l4_proto = XG_IPPROTO_ICMPV6, .icmp = { 128, 0 } },
	};
	uint8_t payload[200], buf[512];
	unsigned int seed = 12345, i, j;
	struct xg_handler_stats hs = { 0 };
	struct xg_pkt p;
	size_t len;

	(void)state;
	for (i = 0; i < 4000; i++) {
		struct xg_frame_spec *sp = &s[i & 1];

		for (j = 0; j < sizeof(payload); j++)
			payload[j] = (uint8_t)rand_r(&seed);
		sp->icmp.code = (uint8_t)rand_r(&seed);
		sp->payload = payload;
		sp->payload_len = (size_t)rand_r(&seed) % sizeof(payload);
		len = xg_frame_build(sp, buf, sizeof(buf));
		assert_int_not_equal(len, 0);
		reflect(buf, (uint32_t)len, &hs);
		parse(buf, len, &p);
		assert_int_equal(p.icmp_type, i & 1 ? 129 : 0);
		assert_int_equal(p.icmp_code, sp->icmp.code);
		if (!l4_csum_ok(buf, len, &p))
			fail_msg("echo %u (IPv%d, %zu bytes): bad checksum after reply", i,
				 p.family, len);
	}
	assert_int_equal(hs.handled, 4000);
}

/* ---- reflect: every cut of every frame of the shared table ---- */

static void test_reflect_cuts(void **state)
{
	uint8_t buf[XG_CASE_FRAME_MAX];
	size_t i, cut, len;

	(void)state;
	for (i = 0; i < xg_frame_cases_n; i++) {
		const struct xg_frame_case *c = &xg_frame_cases[i];
		struct xg_pkt p;

		len = xg_frame_build(&c->spec, buf, sizeof(buf));
		if (!len)
			fail_msg("%s: the builder rejected the spec", c->name);
		for (cut = 0; cut <= len; cut++)
			check_reflect_twice(buf, cut, c->name);
		/* whole frames: checksums that verified before still verify */
		parse(buf, len, &p);
		if (p.family == 4) {
			uint8_t *data = tail_copy(buf, len);
			struct xg_handler_stats hs = { 0 };
			bool ok = ip4_csum_ok(buf + p.l3_off);

			reflect(data, (uint32_t)len, &hs);
			assert_int_equal(ip4_csum_ok(data + p.l3_off), ok);
			free(data);
		}
	}
}

/* ---- reflect: random frames ---- */

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Random bytes, nudged so that most reach the L3 and L4 parsers. */
static size_t random_frame(uint32_t *rs, uint8_t *f)
{
	static const uint16_t types[] = { 0x0800, 0x86dd, 0x8100, 0x88a8, 0x0806 };
	static const uint8_t protos[] = { 6, 17, 1, 58, 0, 43, 44, 60, 47 };
	size_t len = xorshift(rs) % (FUZZ_LEN_MAX + 1), i, l3 = 14;
	uint16_t t = types[xorshift(rs) % 5];

	for (i = 0; i < len; i++)
		f[i] = (uint8_t)xorshift(rs);
	if (xorshift(rs) % 4 == 0)
		return len; /* raw */
	f[12] = (uint8_t)(t >> 8);
	f[13] = (uint8_t)t;
	if (t == 0x8100 || t == 0x88a8) {
		t = xorshift(rs) & 1 ? 0x0800 : 0x86dd;
		f[16] = (uint8_t)(t >> 8);
		f[17] = (uint8_t)t;
		l3 = 18;
	}
	if (t == 0x0800) {
		f[l3] = (uint8_t)(0x40 | (xorshift(rs) % 4 ? 5 : xorshift(rs) % 16));
		f[l3 + 6] &= 0x20; /* mostly not a later fragment */
		f[l3 + 7] = 0;
		f[l3 + 9] = protos[xorshift(rs) % 9];
	} else if (t == 0x86dd) {
		f[l3] = 0x60;
		f[l3 + 6] = protos[xorshift(rs) % 9];
	}
	return len;
}

static void test_reflect_random(void **state)
{
	const char *env = getenv("XG_TEST_SEED");
	uint32_t seed = env ? (uint32_t)strtoul(env, NULL, 0) : (uint32_t)time(NULL);
	uint8_t f[FUZZ_LEN_MAX + 32];
	uint32_t rs;
	int i;

	(void)state;
	seed = seed ? seed : 1;
	printf("# reflect random: seed %u (XG_TEST_SEED=%u to repeat)\n", seed, seed);
	rs = seed;
	for (i = 0; i < FUZZ_FRAMES; i++) {
		size_t len = random_frame(&rs, f);

		check_reflect_twice(f, len, "random");
	}
}

static void test_reflect_init(void **state)
{
	void *st = (void *)1;

	(void)state;
	assert_int_equal(xg_handler_reflect.init(&st, NULL, 3, NULL), 0);
	assert_null(st);
	assert_int_equal(xg_handler_reflect.init(&st, "x", 0, NULL), -1);
	assert_int_equal(xg_handler_reflect.init(&st, "", 0, NULL), -1);
}

/* A batch of several frames: each gets its own action; the short one stays. */
static void test_reflect_batch(void **state)
{
	uint8_t a[60] = { 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2 }, b[13] = { 0 }, c[14] = { 0 };
	struct xg_xsk_frame fr[3] = { { .len = 60, .room = 60, .data = a },
				      { .len = 13, .room = 13, .data = b },
				      { .len = 14, .room = 14, .data = c } };
	uint8_t act[3] = { XG_ACT_RECYCLE, XG_ACT_RECYCLE, XG_ACT_RECYCLE };
	struct xg_batch bt = { .frames = fr, .action = act, .n = 3 };
	struct xg_handler_stats hs = { 0 };

	(void)state;
	xg_handler_reflect.batch(NULL, &bt, &hs);
	assert_int_equal(act[0], XG_ACT_TX);
	assert_int_equal(act[1], XG_ACT_RECYCLE);
	assert_int_equal(act[2], XG_ACT_TX);
	assert_int_equal(a[0], 2);
	assert_int_equal(a[6], 1);
	assert_int_equal(hs.handled, 2);
	assert_int_equal(hs.dropped_malformed, 1);
}

/* ---- count:verify ---- */

/* Run fini with stdout in a file and return the line it printed (static buffer). */
static const char *count_fini_line(void *st)
{
	static char line[256];
	FILE *f = tmpfile();
	int saved;

	assert_non_null(f);
	fflush(stdout);
	saved = dup(1);
	assert_true(saved >= 0 && dup2(fileno(f), 1) == 1);
	xg_handler_count.fini(st);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(f);
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	return line;
}

static void put_seq(uint8_t *frame, size_t marker_off, uint64_t seq)
{
	struct xg_gen_marker m = { .magic = xg_htons(XG_GEN_MAGIC),
				   .thread = xg_htons(3),
				   .seq = xg_htonll(seq) };

	memcpy(frame + marker_off, &m, sizeof(m));
}

/* Six frames of one template, marked 0, 1, 2, 4, 3 and one more 4: one frame missing
 * before 4, then a reordered 3 and a duplicate 4; plus the template cut before its
 * marker, which has none. */
static void check_verify(const uint8_t *tmpl, size_t len, size_t marker_off, const char *what)
{
	static const uint64_t seqs[] = { 0, 1, 2, 4, 3, 4 };
	uint8_t frames[7][XG_GEN_MAX_SIZE], act[7] = { 0 };
	struct xg_xsk_frame fr[7] = { 0 };
	struct xg_handler_stats hs = { 0 };
	struct xg_batch b = { .frames = fr, .action = act, .n = 7 };
	const char *line;
	void *st;
	size_t i;

	assert_int_equal(xg_handler_count.init(&st, "verify", 0, NULL), 0);
	for (i = 0; i < 7; i++) {
		memcpy(frames[i], tmpl, len);
		fr[i] = (struct xg_xsk_frame){ .len = (uint32_t)len,
					       .room = 4096,
					       .data = frames[i] };
		if (i < 6)
			put_seq(frames[i], marker_off, seqs[i]);
	}
	fr[6].len = (uint32_t)(marker_off + sizeof(struct xg_gen_marker) - 1);
	put_seq(frames[6], marker_off, 5);
	xg_handler_count.batch(st, &b, &hs);
	assert_int_equal(hs.handled, 7);
	line = count_fini_line(st);
	if (!strstr(line, "verify: 6 marked frames, 2 duplicate or reordered, 1 missing in "
			  "sequence, 1 without a marker"))
		fail_msg("%s: %s", what, line);
}

/* The generator's own templates (user/gen/template.c), every protocol and family: the
 * marker sits after the TCP, UDP or ICMP echo header. */
static void test_count_verify_gen(void **state)
{
	static const enum xg_gen_proto protos[] = { XG_GEN_UDP, XG_GEN_TCP, XG_GEN_ICMP };
	static const char *const names[] = { "udp", "tcp", "icmp" };
	uint8_t buf[XG_GEN_MAX_SIZE];
	struct xg_gen_layout lo;
	int fam, i;

	(void)state;
	for (fam = 4; fam <= 6; fam += 2)
		for (i = 0; i < 3; i++) {
			struct xg_gen_frame_req r = { .proto = protos[i],
						      .family = fam,
						      .size = 128,
						      .sport = 1000,
						      .dport = 9 };
			size_t len = xg_gen_build(&r, buf, &lo);
			char what[32];

			assert_int_not_equal(len, 0);
			assert_int_not_equal(lo.marker_off, 0);
			snprintf(what, sizeof(what), "%s over IPv%d", names[i], fam);
			check_verify(buf, len, lo.marker_off, what);
		}
}

/* TCP with options: the marker follows the header's doff, not a fixed 20 bytes. */
static void test_count_verify_tcp_options(void **state)
{
	struct xg_frame_spec s = { MACS, IP4, .l4_proto = IPPROTO_TCP, .tcp = { 1000, 9, 0x02, 8 },
				   .payload_len = 40 };
	uint8_t buf[512], zero[40] = { 0 };
	struct xg_frame_layout lo;
	size_t len;

	(void)state;
	s.payload = zero;
	len = xg_frame_build(&s, buf, sizeof(buf));
	assert_int_not_equal(len, 0);
	xg_frame_layout(&s, &lo);
	assert_int_equal(lo.l4_len, 32);
	check_verify(buf, len, lo.l4_off + lo.l4_len, "tcp doff 8");
}

/* Frames that are not the generator's: no marker, never a crash. */
static void test_count_verify_unmarked(void **state)
{
	uint8_t buf[XG_CASE_FRAME_MAX], act[1] = { 0 };
	struct xg_handler_stats hs = { 0 };
	struct xg_xsk_frame f = { 0 };
	struct xg_batch b = { .frames = &f, .action = act, .n = 1 };
	size_t i, len, cut, n = 0;
	char want[128];
	void *st;

	(void)state;
	assert_int_equal(xg_handler_count.init(&st, "verify", 0, NULL), 0);
	for (i = 0; i < xg_frame_cases_n; i++) {
		len = xg_frame_build(&xg_frame_cases[i].spec, buf, sizeof(buf));
		for (cut = 0; cut <= len; cut++, n++) {
			uint8_t *data = tail_copy(buf, cut);

			f = (struct xg_xsk_frame){ .len = (uint32_t)cut,
						   .room = (uint32_t)cut,
						   .data = data };
			xg_handler_count.batch(st, &b, &hs);
			free(data);
		}
	}
	snprintf(want, sizeof(want),
		 "verify: 0 marked frames, 0 duplicate or reordered, 0 missing in sequence, "
		 "%zu without a marker\n",
		 n);
	assert_string_equal(count_fini_line(st), want);
	assert_int_not_equal(xg_handler_count.init(&st, "nosuch", 0, NULL), 0);
}

/* ---- pcap ---- */

struct tmpdir {
	char path[64];
};

static void tmpdir_make(struct tmpdir *t)
{
	strcpy(t->path, "/tmp/xg-handlers-test.XXXXXX");
	assert_non_null(mkdtemp(t->path));
}

static void tmpdir_remove(struct tmpdir *t)
{
	DIR *d = opendir(t->path);
	struct dirent *e;
	char *name;

	assert_non_null(d);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		assert_true(asprintf(&name, "%s/%s", t->path, e->d_name) > 0);
		unlink(name);
		free(name);
	}
	closedir(d);
	rmdir(t->path);
}

static char *tmp_name(const struct tmpdir *t, const char *name)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", t->path, name) > 0);
	return p;
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

/* Frame i: (60 + i * 13) % 1500 + 14 bytes of a pattern that depends on i. */
static size_t pattern_frame(unsigned int i, uint8_t *buf)
{
	size_t len = (60 + i * 13) % 1500 + 14, j;

	for (j = 0; j < len; j++)
		buf[j] = (uint8_t)(i * 31 + j * 7);
	return len;
}

/* Write frames first..first+n-1 in batches of up to 64. */
static void pcap_write(void *st, unsigned int first, unsigned int n, struct xg_handler_stats *hs)
{
	static uint8_t bufs[64][1600];
	struct xg_xsk_frame fr[64] = { 0 };
	uint8_t act[64];
	unsigned int i, k;

	for (i = 0; i < n; i += k) {
		struct xg_batch b = { .frames = fr, .action = act };

		for (k = 0; k < 64 && i + k < n; k++) {
			fr[k].data = bufs[k];
			fr[k].len = (uint32_t)pattern_frame(first + i + k, bufs[k]);
			fr[k].room = sizeof(bufs[k]);
			act[k] = XG_ACT_RECYCLE;
		}
		b.n = k;
		xg_handler_pcap.batch(st, &b, hs);
		for (k = 0; k < b.n; k++)
			assert_int_equal(act[k], XG_ACT_RECYCLE);
	}
}

/* Read a pcap file and check it holds frames first, first + 1, ...; returns the count. */
static unsigned int pcap_check(const char *path, unsigned int first)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, errbuf);
	struct pcap_pkthdr *h;
	const u_char *data;
	uint8_t want[1600];
	unsigned int n = 0;
	time_t now = time(NULL);
	int r;

	if (!p)
		fail_msg("%s: %s", path, errbuf);
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	while ((r = pcap_next_ex(p, &h, &data)) == 1) {
		size_t len = pattern_frame(first + n, want);

		assert_int_equal(h->len, len);
		assert_int_equal(h->caplen, len);
		assert_memory_equal(data, want, len);
		assert_true(h->ts.tv_sec <= now && h->ts.tv_sec > now - 60);
		n++;
	}
	assert_int_equal(r, PCAP_ERROR_BREAK); /* end of file, not an error */
	pcap_close(p);
	return n;
}

static void test_pcap_roundtrip(void **state)
{
	struct xg_handler_stats hs = { 0 };
	struct tmpdir t;
	char *file, *q1;
	void *st0, *st1;

	(void)state;
	tmpdir_make(&t);
	file = tmp_name(&t, "out.pcap");
	q1 = tmp_name(&t, "out-q1.pcap");
	assert_int_equal(xg_handler_pcap.init(&st0, file, 0, NULL), 0);
	assert_int_equal(xg_handler_pcap.init(&st1, file, 1, NULL), 0);
	pcap_write(st0, 0, 300, &hs);
	pcap_write(st1, 1000, 5, &hs);
	xg_handler_pcap.fini(st0);
	xg_handler_pcap.fini(st1);
	assert_int_equal(hs.handled, 305);
	assert_int_equal(hs.errors, 0);
	assert_int_equal(pcap_check(file, 0), 300);
	assert_int_equal(pcap_check(q1, 1000), 5);
	free(file);
	free(q1);
	tmpdir_remove(&t);
}

/* 1 MB: frames of ~800 bytes on average, 3,000 of them, make out.pcap, .1 and .2. */
static void test_pcap_rotate(void **state)
{
	struct xg_handler_stats hs = { 0 };
	char *file, *arg, *part1, *part2, *part3, *q2, *q2p1;
	unsigned int n0, n1, n2;
	struct tmpdir t;
	struct stat sb;
	void *st, *st2;

	(void)state;
	tmpdir_make(&t);
	file = tmp_name(&t, "out.pcap");
	part1 = tmp_name(&t, "out.pcap.1");
	part2 = tmp_name(&t, "out.pcap.2");
	part3 = tmp_name(&t, "out.pcap.3");
	q2 = tmp_name(&t, "out-q2.pcap");
	q2p1 = tmp_name(&t, "out-q2.pcap.1");
	assert_true(asprintf(&arg, "%s,rotate=1", file) > 0);
	assert_int_equal(xg_handler_pcap.init(&st, arg, 0, NULL), 0);
	assert_int_equal(xg_handler_pcap.init(&st2, arg, 2, NULL), 0);
	pcap_write(st, 0, 3000, &hs);
	pcap_write(st2, 0, 10, &hs);
	xg_handler_pcap.fini(st);
	xg_handler_pcap.fini(st2);
	assert_int_equal(hs.handled, 3010);
	assert_int_equal(hs.errors, 0);
	assert_true(exists(part1));
	assert_true(exists(part2));
	assert_false(exists(part3));
	assert_true(exists(q2));
	assert_false(exists(q2p1));
	/* a file is closed as soon as it is past 1 MB, so by at most one frame */
	assert_int_equal(stat(file, &sb), 0);
	assert_true(sb.st_size > 1000000 && sb.st_size <= 1000000 + 16 + 1514);
	n0 = pcap_check(file, 0);
	n1 = pcap_check(part1, n0);
	n2 = pcap_check(part2, n0 + n1);
	assert_int_equal(n0 + n1 + n2, 3000);
	assert_int_equal(pcap_check(q2, 0), 10);
	free(arg);
	free(file);
	free(part1);
	free(part2);
	free(part3);
	free(q2);
	free(q2p1);
	tmpdir_remove(&t);
}

/* Writes to a full disk count errors, not frames handled. */
static void test_pcap_full_disk(void **state)
{
	struct xg_handler_stats hs = { 0 };
	void *st;

	(void)state;
	if (!exists("/dev/full"))
		skip();
	assert_int_equal(xg_handler_pcap.init(&st, "/dev/full", 0, NULL), 0);
	pcap_write(st, 0, 200, &hs);
	xg_handler_pcap.fini(st);
	assert_true(hs.errors > 0);
	assert_true(hs.handled < 200);
}

static void test_pcap_bad_args(void **state)
{
	static const char *const bad[] = {
		"",
		",rotate=5",
		"/tmp/x.pcap,rotate=0",
		"/tmp/x.pcap,rotate=",
		"/tmp/x.pcap,rotate=abc",
		"/tmp/x.pcap,rotate=-1",
		"/tmp/x.pcap,rotate=5MB",
		"/tmp/x.pcap,rotate=99999999999999999999999",
		"/tmp/x.pcap,rotate=1000001",
		"/tmp/x.pcap,snaplen=100",
		"/nonexistent-xdpgate-dir/x.pcap",
		"/tmp",
	};
	/* refused by check as well (what run asks before it attaches), each with one line */
	static const struct {
		const char *arg, *line;
	} usage[] = {
		{ "", "a file is needed" },
		{ ",rotate=5", "a file is needed" },
		{ "/tmp/x.pcap,rotate=0", "rotate=0 is not a size" },
		{ "/tmp/x.pcap,rotate=1,junk", "unknown option 'junk'" },
		{ "/tmp/x.pcap,junk=1", "unknown option 'junk=1'" },
		{ "/tmp/x.pcap,rotate=1,rotate=2", "rotate= given twice" },
		{ "/tmp/xg-nosuch/", "names a directory" },
	};
	struct stderr_capture cap;
	char err[512], why[256];
	void *st = NULL;
	size_t i;

	(void)state;
	assert_int_equal(xg_handler_pcap.init(&st, NULL, 0, NULL), -1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (xg_handler_pcap.init(&st, bad[i], 0, NULL) != -1)
			fail_msg("pcap:%s was accepted", bad[i]);
	assert_null(st);
	assert_non_null(xg_handler_pcap.check);
	assert_int_equal(xg_handler_pcap.check(NULL, why, sizeof(why)), -1);
	assert_int_equal(xg_handler_pcap.check("/tmp/x.pcap,rotate=3", why, sizeof(why)), 0);
	assert_int_equal(xg_handler_pcap.check("/tmp/x,y.pcap", why, sizeof(why)), 0);
	for (i = 0; i < sizeof(usage) / sizeof(usage[0]); i++) {
		why[0] = '\0';
		if (xg_handler_pcap.check(usage[i].arg, why, sizeof(why)) != -1)
			fail_msg("pcap:%s passed the check", usage[i].arg);
		if (!strstr(why, usage[i].line) || strchr(why, '\n'))
			fail_msg("pcap:%s: '%s', expected one line with '%s'", usage[i].arg, why,
				 usage[i].line);
		/* init says the same in one line */
		stderr_capture_begin(&cap);
		assert_int_equal(xg_handler_pcap.init(&st, usage[i].arg, 0, NULL), -1);
		stderr_capture_end(&cap, err, sizeof(err));
		if (!strstr(err, usage[i].line) || strchr(err, '\n') != err + strlen(err) - 1)
			fail_msg("init pcap:%s: '%s', expected one line with '%s'", usage[i].arg,
				 err, usage[i].line);
	}
	assert_false(exists("/tmp/x.pcap,rotate=1,junk"));
}

/* Captures are private: made 0600 under umask 022, and an old file overwritten is made so. */
static void test_pcap_mode(void **state)
{
	struct xg_handler_stats hs = { 0 };
	struct tmpdir t;
	struct stat sb;
	char *file, *q1;
	mode_t old = umask(022);
	void *st0, *st1;
	int fd;

	(void)state;
	tmpdir_make(&t);
	file = tmp_name(&t, "out.pcap");
	q1 = tmp_name(&t, "out-q1.pcap");
	fd = open(q1, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(xg_handler_pcap.init(&st0, file, 0, NULL), 0);
	assert_int_equal(xg_handler_pcap.init(&st1, file, 1, NULL), 0);
	pcap_write(st0, 0, 3, &hs);
	xg_handler_pcap.fini(st0);
	xg_handler_pcap.fini(st1);
	umask(old);
	assert_int_equal(stat(file, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(stat(q1, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	free(file);
	free(q1);
	tmpdir_remove(&t);
}

/* The workers make the rotated parts without capabilities: a directory root may write only
 * through CAP_DAC_OVERRIDE (nobody's, 0755) is refused at init when rotating, in one line;
 * a single file there is still written (init holds the capabilities). Needs root. */
static void test_pcap_rotate_dir_without_caps(void **state)
{
	struct stderr_capture cap;
	struct tmpdir t;
	char *file, *arg, *part1, err[512];
	void *st;

	(void)state;
	if (geteuid() != 0)
		fail_msg("needs root (chown to nobody, CAP_DAC_OVERRIDE)");
	tmpdir_make(&t);
	assert_int_equal(chmod(t.path, 0755), 0);
	assert_int_equal(chown(t.path, 65534, 65534), 0);
	file = tmp_name(&t, "x.pcap");
	part1 = tmp_name(&t, "x.pcap.1");
	assert_true(asprintf(&arg, "%s,rotate=1", file) > 0);
	stderr_capture_begin(&cap);
	assert_int_equal(xg_handler_pcap.init(&st, arg, 0, NULL), -1);
	stderr_capture_end(&cap, err, sizeof(err));
	if (!strstr(err, "cannot rotate") || !strstr(err, "owner uid 65534, mode 0755") ||
	    strchr(err, '\n') != err + strlen(err) - 1)
		fail_msg("'%s'", err);
	assert_false(exists(part1));
	assert_int_equal(xg_handler_pcap.init(&st, file, 0, NULL), 0);
	xg_handler_pcap.fini(st);
	assert_true(exists(file));
	free(arg);
	free(file);
	free(part1);
	tmpdir_remove(&t);
}

/* A part that cannot be made: the frames are counted as errors, and fini says in one line
 * how many were not captured and why. */
static void test_pcap_lost_said(void **state)
{
	struct xg_handler_stats hs = { 0 };
	struct stderr_capture cap;
	struct tmpdir t;
	char *file, *arg, *part1, err[512], want[256];
	void *st;

	(void)state;
	tmpdir_make(&t);
	file = tmp_name(&t, "out.pcap");
	part1 = tmp_name(&t, "out.pcap.1");
	assert_int_equal(mkdir(part1, 0700), 0); /* out.pcap.1 cannot be a file */
	assert_true(asprintf(&arg, "%s,rotate=1", file) > 0);
	assert_int_equal(xg_handler_pcap.init(&st, arg, 0, NULL), 0);
	stderr_capture_begin(&cap);
	pcap_write(st, 0, 3000, &hs);
	xg_handler_pcap.fini(st);
	stderr_capture_end(&cap, err, sizeof(err));
	assert_true(hs.errors > 0);
	assert_int_equal(hs.handled + hs.errors, 3000);
	snprintf(want, sizeof(want), "handler pcap: queue 0: %llu frames not captured: %s: %s\n",
		 (unsigned long long)hs.errors, part1, strerror(EISDIR));
	if (!strstr(err, want))
		fail_msg("'%s', expected '%s'", err, want);
	assert_int_equal(rmdir(part1), 0);
	free(arg);
	free(file);
	free(part1);
	tmpdir_remove(&t);
}

/* Per-queue names: "-qN" before the extension of the last component, else at the end;
 * and a comma without '=' belongs to the file name. */
static void test_pcap_names(void **state)
{
	static const struct {
		const char *arg, *file;
		unsigned int queue;
	} cases[] = {
		{ "a.b/out", "a.b/out-q3", 3 },
		{ "a.b/out.pcap", "a.b/out-q3.pcap", 3 },
		{ "a.b/out.x.pcap", "a.b/out.x-q3.pcap", 3 },
		{ "a.b/.pcap", "a.b/.pcap-q3", 3 },
		{ "a.b/x,y.pcap", "a.b/x,y.pcap", 0 },
		{ "a.b/x.pcap,rotate=2", "a.b/x.pcap", 0 },
		{ "a.b/x,y.pcap,rotate=2", "a.b/x,y.pcap", 0 },
	};
	struct xg_handler_stats hs = { 0 };
	struct tmpdir t;
	char *sub, *arg, *file;
	size_t i;
	void *st;

	(void)state;
	tmpdir_make(&t);
	sub = tmp_name(&t, "a.b");
	assert_int_equal(mkdir(sub, 0700), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true(asprintf(&arg, "%s/%s", t.path, cases[i].arg) > 0);
		file = tmp_name(&t, cases[i].file);
		assert_int_equal(xg_handler_pcap.init(&st, arg, cases[i].queue, NULL), 0);
		pcap_write(st, 0, 1, &hs);
		xg_handler_pcap.fini(st);
		if (!exists(file))
			fail_msg("pcap:%s on queue %u: no %s", cases[i].arg, cases[i].queue,
				 cases[i].file);
		unlink(file);
		free(arg);
		free(file);
	}
	rmdir(sub);
	free(sub);
	tmpdir_remove(&t);
}

static void test_registry(void **state)
{
	const char *arg;

	(void)state;
	assert_ptr_equal(xg_handler_find("reflect", &arg), &xg_handler_reflect);
	assert_null(arg);
	assert_ptr_equal(xg_handler_find("pcap:/tmp/a.pcap,rotate=3", &arg), &xg_handler_pcap);
	assert_string_equal(arg, "/tmp/a.pcap,rotate=3");
	assert_ptr_equal(xg_handler_find("forward:dut1", &arg), &xg_handler_forward);
	assert_string_equal(arg, "dut1");
}

/* forward: the output of each input, from forward:OUT or the map; bad arguments refused. */
static void test_forward_output(void **state)
{
	const struct xg_handler_ops *h = &xg_handler_forward;
	char out[IF_NAMESIZE];
	bool copy;
	static const struct {
		const char *arg, *in, *out;
		bool copy;
	} good[] = {
		{ "dut1", "dut0", "dut1", false },
		{ "dut1,copy", "dut0", "dut1", true },
		{ "map,dut0=dut1,dut2=dut3", "dut2", "dut3", false },
		{ "map,dut0=dut1,dut2=dut3,copy", "dut0", "dut1", true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(h->output(good[i].arg, good[i].in, out, &copy), 0);
		assert_string_equal(out, good[i].out);
		assert_int_equal(copy, good[i].copy);
	}
	assert_int_equal(h->output("map,dut0=dut1", "dut5", out, &copy), -1); /* not in it */
	assert_int_equal(h->output(NULL, "dut0", out, &copy), -1);
	assert_int_equal(h->output("", "dut0", out, &copy), -1);
	assert_int_equal(h->output("dut0", "dut0", out, &copy), -1); /* its own output */
	assert_int_equal(h->output("dut1,fast", "dut0", out, &copy), -1);
	assert_int_equal(h->output("map,dut0", "dut0", out, &copy), -1);
	assert_int_equal(h->output("map,=dut1", "dut0", out, &copy), -1);
	assert_int_equal(h->output("copy", "dut0", out, &copy), 0); /* an interface named copy */
	assert_int_equal(h->output("averyveryverylongname", "dut0", out, &copy), -1);
}

/* forward marks every frame with an Ethernet header XG_ACT_FWD; shorter ones are malformed. */
static void test_forward_batch(void **state)
{
	uint8_t data[4][64] = { { 0 } };
	struct xg_xsk_frame f[4] = { 0 };
	uint8_t action[4] = { 0 };
	struct xg_batch b = { .frames = f, .action = action, .n = 4 };
	struct xg_handler_stats st = { 0 };
	void *hs;
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		f[i] = (struct xg_xsk_frame){ .data = data[i],
					      .len = i == 2 ? 13 : 60,
					      .room = 64 };
	assert_int_equal(xg_handler_forward.init(&hs, "dut1", 0, NULL), 0);
	xg_handler_forward.batch(hs, &b, &st);
	assert_int_equal(st.handled, 3);
	assert_int_equal(st.dropped_malformed, 1);
	assert_int_equal(action[0], XG_ACT_FWD);
	assert_int_equal(action[2], XG_ACT_RECYCLE);
	assert_int_equal(action[3], XG_ACT_FWD);
	assert_int_equal(f[0].len, 60); /* unchanged */
	xg_handler_forward.fini(hs);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reflect_init),
		cmocka_unit_test(test_reflect_batch),
		cmocka_unit_test(test_reflect_literal),
		cmocka_unit_test(test_reflect_echo_checksums),
		cmocka_unit_test(test_reflect_cuts),
		cmocka_unit_test(test_reflect_random),
		cmocka_unit_test(test_count_verify_gen),
		cmocka_unit_test(test_count_verify_tcp_options),
		cmocka_unit_test(test_count_verify_unmarked),
		cmocka_unit_test(test_pcap_roundtrip),
		cmocka_unit_test(test_pcap_rotate),
		cmocka_unit_test(test_pcap_full_disk),
		cmocka_unit_test(test_pcap_bad_args),
		cmocka_unit_test(test_pcap_names),
		cmocka_unit_test(test_pcap_mode),
		cmocka_unit_test(test_pcap_rotate_dir_without_caps),
		cmocka_unit_test(test_pcap_lost_said),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_forward_output),
		cmocka_unit_test(test_forward_batch),
	};

	return cmocka_run_group_tests_name("handlers", tests, NULL, NULL);
}
