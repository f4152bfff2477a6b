// SPDX-License-Identifier: GPL-2.0
/* Prog layer of the rule engine, at random and at scale (the gate under BPF_PROG_RUN,
 * testenv/rules_prog_lib.c):
 *
 *   differential  seeded random rule sets and frames (biased to hit rule values, cut
 *                 short, or random bytes); for every frame the gate's action and the rule
 *                 whose counter moved must be the reference classifier's. Sets are
 *                 installed as live reloads (slot flips). XG_SEED=N replays a run.
 *   xsk_fast      the pool's default set takes the xsk fast path, as the reference says.
 *   scale         10,000 rules, the only match the last one.
 *   split         multi-buffer frames (up to 9014 bytes) split at every header boundary:
 *                 the reference's verdict, whole-frame bytes, or refused (hdr_split) when
 *                 the headers are not all in the first buffer.
 *   differential_ct  random sets with `ct`, each frame's conntrack lookup answered at random
 *                 through the test-only xg_ct_inject map (XG_TEST_CT_INJECT=1 at load): the
 *                 gate's derivation of the state and its classification on it are the
 *                 reference's. Real entries would need real flows; the answers cover every
 *                 case a lookup can give, and testenv/test-ct.sh plays real flows.
 *
 * Needs root, as rules_prog_test.
 */
#include <errno.h>
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
#include <linux/bpf.h>

#include "common/ct_state.h"
#include "common/parse.h"
#include "common/xdpgate_structs.h"
#include "user/util/frame_build.h"
#include "user/rules/rules.h"
#include "user/rules/compile.h"
#include "user/rules/load.h"
#include "user/gate/skel.h"
#include "testenv/rules_prog_lib.h"

#define ARRAY_SIZE(a) RP_ARRAY_SIZE(a)

/* ---- differential ---- */

static bool chance(unsigned int percent)
{
	return rp_rn(100) < percent;
}

static const uint8_t pool4[][4] = {
	{ 10, 0, 0, 0 },   { 10, 1, 0, 0 },	 { 10, 1, 2, 0 },
	{ 10, 1, 2, 3 },   { 192, 168, 1, 200 }, { 172, 16, 5, 0 },
	{ 198, 18, 0, 1 }, { 0, 0, 0, 0 },	 { 255, 255, 255, 255 },
};
static const uint8_t pool6[][16] = {
	{ 0x20, 0x01, 0x0d, 0xb8 },
	{ 0x20, 0x01, 0x0d, 0xb8, 0, 1 },
	{ 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
	{ 0xfd, 0x00, 0, 0x18, [15] = 1 },
	{ 0xfd, 0x00, 0, 0x18, [15] = 2 },
	{ 0xfe, 0x80, [15] = 0xab },
	{ 0x0a, 0x01, 0x02, 0x03 }, /* looks like 10.1.2.3 in its first bytes */
	{ 0 },
};
static const uint16_t pool_ports[] = { 0, 1, 22, 53, 80, 443, 1000, 2000, 5000, 8080, 65535 };
static const uint16_t pool_vlans[] = { 0, 1, 10, 100, 4095 };
static const uint8_t pool_icmp[] = { 0, 3, 8, 11, 128, 129, 135, 255 };
static const uint8_t pool_protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, XG_IPPROTO_ICMPV6,
				       47,	    0,		 132,	       255 };
static const uint16_t pool_ethers[] = { XG_ETH_P_IP, XG_ETH_P_IPV6,  XG_ETH_P_ARP,
					0x88cc,	     XG_ETH_P_8021Q, 0x0000 };
static const char *const flag_names[8] = { "fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr" };

#define PICK(a) (a)[rp_rn(ARRAY_SIZE(a))]

/* An address near the pool: a pool entry with, sometimes, some low bytes random. */
static void near_addr(uint8_t *a, int fam)
{
	size_t alen = fam == 4 ? 4 : 16, i;

	memcpy(a, fam == 4 ? PICK(pool4) : PICK(pool6), alen);
	if (chance(40))
		a[alen - 1] = (uint8_t)rp_rnd();
	if (chance(15))
		for (i = alen / 2; i < alen; i++)
			a[i] = (uint8_t)rp_rnd();
	if (chance(5))
		for (i = 0; i < alen; i++)
			a[i] = (uint8_t)rp_rnd();
}

static size_t add(char *b, size_t off, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static size_t add(char *b, size_t off, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (off >= size)
		return off;
	va_start(ap, fmt);
	n = vsnprintf(b + off, size - off, fmt, ap);
	va_end(ap);
	return n > 0 ? off + (size_t)n : off;
}

static size_t add_prefix(char *b, size_t o, size_t size, const char *kw, int fam)
{
	static const uint8_t len4[] = { 0, 1, 8, 12, 16, 17, 20, 23, 24, 25, 28, 31, 32 };
	static const uint8_t len6[] = { 0, 4, 8, 16, 32, 47, 48, 64, 96, 112, 120, 127, 128 };
	uint8_t a[16];
	char s[64];
	unsigned int i;

	near_addr(a, fam);
	if (fam == 4) {
		snprintf(s, sizeof(s), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return add(b, o, size, " %s %s/%u", kw, s, PICK(len4));
	}
	o = add(b, o, size, " %s ", kw);
	for (i = 0; i < 16; i += 2)
		o = add(b, o, size, "%s%x", i ? ":" : "", (unsigned int)(a[i] << 8 | a[i + 1]));
	return add(b, o, size, "/%u", PICK(len6));
}

static uint16_t near_port(void)
{
	uint16_t p = PICK(pool_ports);

	if (chance(20))
		p = (uint16_t)(p + rp_rn(3) - 1);
	return chance(10) ? (uint16_t)rp_rnd() : p;
}

static size_t add_ports(char *b, size_t o, size_t size, const char *kw)
{
	unsigned int n = chance(70) ? 1 : 1 + rp_rn(chance(10) ? XG_PORT_RANGES_MAX : 4), i;

	o = add(b, o, size, " %s ", kw);
	for (i = 0; i < n; i++) {
		uint32_t lo = near_port(), hi = lo;

		if (chance(40))
			hi = lo + (chance(50) ? rp_rn(3) : rp_rn(3000));
		if (hi > 65535)
			hi = 65535;
		o = add(b, o, size, "%s%u", i ? "," : "", lo);
		if (hi != lo || chance(10))
			o = add(b, o, size, "-%u", hi);
	}
	return o;
}

static size_t add_flags(char *b, size_t o, size_t size)
{
	unsigned int n = 1 + rp_rn(3), used = 0, i, f;

	o = add(b, o, size, " tcp-flags ");
	for (i = 0; i < n; i++) {
		do
			f = rp_rn(8);
		while (used & (1u << f));
		used |= 1u << f;
		o = add(b, o, size, "%s%s%s", i ? "," : "", chance(40) ? "!" : "", flag_names[f]);
	}
	return o;
}

/* One random rule, valid by construction (the parser refuses rules that can never match,
 * like src and dst of two families, so the generator does not write them). */
static void random_rule(char *b, size_t size, bool ct)
{
	static const char *const actions[] = { "pass", "drop", "tx", "redirect lo", "xsk" };
	int fam = rp_rn(3) == 0 ? 0 : (chance(50) ? 4 : 6), kind = (int)rp_rn(6);
	size_t o = add(b, 0, size, "%s", PICK(actions));
	const char *proto = NULL;
	char num[8];

	if (fam && chance(60))
		o = add_prefix(b, o, size, "src", fam);
	if (fam && chance(50))
		o = add_prefix(b, o, size, "dst", fam);
	switch (kind) {
	case 1: /* ports, maybe flags */
		proto = chance(30) ? NULL : chance(50) ? "tcp" : "udp";
		break;
	case 2: /* flags */
		proto = chance(50) ? "tcp" : NULL;
		break;
	case 3: /* icmp-type */
		if (fam == 6 || (fam == 0 && chance(50)))
			proto = "icmpv6";
		else
			proto = chance(50) ? "icmp" : NULL;
		break;
	case 4: /* proto only */
		snprintf(num, sizeof(num), "%u", PICK(pool_protos));
		proto = chance(50) ? num : chance(50) ? "tcp" : "udp";
		break;
	default:
		break;
	}
	if (proto)
		o = add(b, o, size, " proto %s", proto);
	if (kind == 1 && chance(70))
		o = add_ports(b, o, size, "sport");
	if (kind == 1 && chance(70))
		o = add_ports(b, o, size, "dport");
	if (chance(15))
		o = add(b, o, size, " vlan %u", chance(80) ? PICK(pool_vlans) : rp_rn(4096));
	if (chance(15))
		o = add(b, o, size, " ether 0x%04x", PICK(pool_ethers));
	if (kind == 2 || (kind == 1 && (!proto || !strcmp(proto, "tcp")) && chance(30)))
		o = add_flags(b, o, size);
	if (kind == 3)
		o = add(b, o, size, " icmp-type %u", PICK(pool_icmp));
	if (ct && chance(40)) {
		static const char *const states[] = { "new", "established", "related", "invalid" };
		unsigned int m = 1 + rp_rn(15), s, first = 1;

		o = add(b, o, size, " ct ");
		for (s = 0; s < 4; s++)
			if (m & (1u << s)) {
				o = add(b, o, size, "%s%s", first ? "" : ",", states[s]);
				first = 0;
			}
	}
	(void)o;
}

static void random_ruleset(struct xg_ruleset *rs, size_t n, bool ct)
{
	char line[XG_RULE_TEXT_MAX + 64], err[512];
	struct xg_rule r;
	uint32_t def;
	size_t i;

	xg_ruleset_init(rs);
	rs->default_verdict = chance(50) ? XG_VERDICT_PASS : XG_VERDICT_DROP;
	rs->has_default = true;
	/* half the sets keep the parse counters: their programs parse every frame to L4, the
	 * others only as deep as their rules read (and count no outcome) */
	rs->parse_counters = chance(50);
	for (i = 0; i < n; i++) {
		if (i > n / 2 && chance(1))
			snprintf(line, sizeof(line), "%s", chance(50) ? "tx" : "drop");
		else
			random_rule(line, sizeof(line), ct);
		if (xg_rule_parse_line(line, "gen", (unsigned int)i + 1, &r, &def, err,
				       sizeof(err)) != 1)
			fail_msg("generated rule '%s' does not parse: %s", line, err);
		if (xg_ruleset_insert(rs, rs->n, &r))
			fail_msg("xg_ruleset_insert failed");
	}
}

static void random_l4(struct xg_frame_spec *s, int fam)
{
	unsigned int k = rp_rn(100);

	if (k < 35) {
		s->l4_proto = IPPROTO_TCP;
		s->tcp.sport = near_port();
		s->tcp.dport = near_port();
		s->tcp.flags = chance(50) ? (uint8_t)(1u << rp_rn(8)) | (chance(50) ? 0x10 : 0)
					  : (uint8_t)rp_rnd();
		s->tcp.doff = chance(95) ? 0 : (uint8_t)rp_rn(16);
	} else if (k < 70) {
		s->l4_proto = IPPROTO_UDP;
		s->udp.sport = near_port();
		s->udp.dport = near_port();
	} else if (k < 90) {
		s->l4_proto = (fam == 4) != chance(10) ? IPPROTO_ICMP : XG_IPPROTO_ICMPV6;
		s->icmp.type = chance(80) ? PICK(pool_icmp) : (uint8_t)rp_rnd();
		s->icmp.code = (uint8_t)rp_rnd();
	} else {
		s->l4_proto = chance(50) ? PICK(pool_protos) : (uint8_t)rp_rnd();
		/* an extension header type as the last next header would need the header */
		if (xg_ipv6_is_ext(s->l4_proto))
			s->l4_proto = 47;
	}
}

static void random_ipv6_ext(struct xg_ipv6_spec *ip6)
{
	static const uint8_t types[] = { XG_IPPROTO_HOPOPTS, XG_IPPROTO_ROUTING,
					 XG_IPPROTO_DSTOPTS, XG_IPPROTO_FRAGMENT,
					 XG_IPPROTO_AH,	     XG_IPPROTO_MOBILITY };
	unsigned int i;

	if (chance(80))
		return;
	ip6->n_ext = (uint8_t)(chance(90) ? 1 + rp_rn(3) : XG_IPV6_EXT_MAX + 1);
	for (i = 0; i < ip6->n_ext; i++) {
		ip6->ext[i].type = PICK(types);
		ip6->ext[i].hdrlen = (uint8_t)(chance(70) ? 0 : rp_rn(3));
		if (ip6->ext[i].type == XG_IPPROTO_FRAGMENT) {
			ip6->ext[i].frag_off = (uint16_t)(chance(50) ? 0 : 1 + rp_rn(100));
			ip6->ext[i].more = chance(50);
		}
	}
}

/* A frame from a random spec biased to rule values, sometimes cut short; or random bytes.
 * Returns its length (at least the 14 bytes BPF_PROG_RUN takes). */
static size_t random_frame(uint8_t *f, size_t cap)
{
	struct xg_frame_spec s;
	unsigned int k = rp_rn(100), i;
	size_t len;

	if (k < 4) { /* random bytes, sometimes with a plausible EtherType and version */
		len = 14 + rp_rn(120);
		for (i = 0; i < len; i++)
			f[i] = (uint8_t)rp_rnd();
		if (chance(70)) {
			uint16_t et = PICK(pool_ethers);

			f[12] = (uint8_t)(et >> 8);
			f[13] = (uint8_t)et;
			f[14] = chance(50) ? 0x45 : 0x60;
		}
		return len;
	}
	memset(&s, 0, sizeof(s));
	memcpy(s.dst, "\x02\x00\x00\x00\x00\x02", 6);
	memcpy(s.src, "\x02\x00\x00\x00\x00\x01", 6);
	k = rp_rn(100);
	s.n_vlan = (uint8_t)(k < 70 ? 0 : k < 90 ? 1 : k < 98 ? 2 : 3);
	for (i = 0; i < s.n_vlan; i++) {
		s.vlan[i].vid = chance(80) ? PICK(pool_vlans) : (uint16_t)rp_rn(4096);
		s.vlan[i].pcp = (uint8_t)rp_rn(8);
	}
	k = rp_rn(100);
	if (k < 8) {
		s.l3 = XG_L3_NONE;
		s.ethertype = chance(50) ? XG_ETH_P_ARP : PICK(pool_ethers);
		if (s.ethertype == XG_ETH_P_IP || s.ethertype == XG_ETH_P_IPV6 || !s.ethertype)
			s.ethertype = 0x88cc;
		s.payload_len = rp_rn(60);
	} else if (k < 54) {
		s.l3 = XG_L3_IPV4;
		near_addr(s.ip4.saddr, 4);
		near_addr(s.ip4.daddr, 4);
		s.ip4.ihl = (uint8_t)(chance(90) ? 0 : 5 + rp_rn(11));
		if (chance(8))
			s.ip4.frag_off = (uint16_t)(1 + rp_rn(0x1fff));
		s.ip4.mf = chance(10);
		if (chance(1))
			s.ip4.version = (uint8_t)rp_rn(16);
		random_l4(&s, 4);
	} else {
		s.l3 = XG_L3_IPV6;
		near_addr(s.ip6.saddr, 6);
		near_addr(s.ip6.daddr, 6);
		if (chance(1))
			s.ip6.version = (uint8_t)rp_rn(16);
		random_ipv6_ext(&s.ip6);
		random_l4(&s, 6);
	}
	if (s.l3 != XG_L3_NONE)
		s.payload_len = rp_rn(48);
	len = xg_frame_build(&s, f, cap);
	if (!len)
		fail_msg("the builder rejected a random spec");
	if (chance(20))
		len = 14 + rp_rn((uint32_t)(len - 14 + 1));
	return len;
}

static void report(const struct xg_ruleset *rs, unsigned int set, uint64_t seed, const uint8_t *f,
		   size_t len, const char *msg)
{
	char hex[2 * FRAME_MAX + 1];

	fprintf(stderr, "# DISAGREEMENT: seed %" PRIu64 " (XG_SEED=%" PRIu64 " replays), set %u\n",
		seed, seed, set);
	fprintf(stderr, "# rule set (%zu rules, default %s):\n", rs->n,
		rs->default_verdict == XG_VERDICT_DROP ? "drop" : "pass");
	rp_print_rules(rs);
	rp_hex_line(f, len, hex, sizeof(hex));
	fprintf(stderr, "# frame (%zu bytes): %s\n# %s\n", len, hex, msg);
}

#define DIFF_SETS 20
#define DIFF_FRAMES 5000

static void test_differential(void **state)
{
	struct rp_ctx *x = rp_ctx_of(state);
	uint8_t buf[IP_ALIGN + FRAME_MAX] __attribute__((aligned(8)));
	uint8_t *f = buf + IP_ALIGN;
	const char *env = getenv("XG_SEED");
	uint64_t seed, *want_n;
	struct snap before, after;
	unsigned int set, bad = 0, frames = 0, flips = 0, matched = 0, later = 0, small = 0;
	struct xg_counter_val v;
	struct xg_ruleset rs;
	char msg[MSG_MAX];
	struct got got;
	size_t i, n;

	seed = env && *env ? strtoull(env, NULL, 0)
			   : ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
	fprintf(stderr, "# differential: seed %" PRIu64 " (XG_SEED=%" PRIu64 " replays)\n", seed,
		seed);
	rp_rng_seed(seed);
	rp_snap_init(&before);
	rp_snap_init(&after);
	want_n = calloc(XG_RULES_MAX_BPF, sizeof(*want_n));
	if (!want_n)
		fail_msg("out of memory");
	for (set = 0; set < DIFF_SETS && !bad; set++) {
		__u32 slot_before = x->slot;

		/* sizes from 1 to 300, small ones often */
		n = set == 0 ? 300 : set == 1 ? 1 : 1 + rp_rn(chance(50) ? 300 : 30);
		random_ruleset(&rs, n, false);
		rp_install(x, &rs);
		flips += x->slot != slot_before;
		small += x->small;
		rp_read_snap(x, &before);
		memset(want_n, 0, n * sizeof(*want_n));
		for (i = 0; i < DIFF_FRAMES && bad < 5; i++) {
			struct xg_pkt pkt = { 0 };
			uint8_t copy[FRAME_MAX];
			size_t len = random_frame(f, FRAME_MAX);
			int ref;

			memcpy(copy, f, len);
			xg_parse_frame(copy, copy + len, &pkt);
			ref = xg_rules_classify(&rs, &pkt);
			frames++;
			if (ref >= 0) {
				want_n[ref]++;
				matched++;
				later += ref > 0;
			}
			if (rp_check_frame(x, &rs, f, len, ref, &before, &after, &got, msg)) {
				report(&rs, set, seed, f, len, msg);
				bad++;
			}
		}
		/* the counters as `rules list` reads them agree with the reference's picks */
		for (i = 0; i < rs.n && !bad; i++) {
			if (xg_rule_counter(&x->m, (unsigned int)i, &v))
				fail_msg("xg_rule_counter %zu failed", i);
			if (v.packets != want_n[i])
				fail_msg("seed %" PRIu64 " set %u: rule %zu: %llu, want %llu", seed,
					 set, i + 1, (unsigned long long)v.packets,
					 (unsigned long long)want_n[i]);
		}
		xg_ruleset_free(&rs);
	}
	free(want_n);
	free(before.rules);
	free(after.rules);
	if (bad)
		fail_msg("seed %" PRIu64 ": %u disagreements (details above)", seed, bad);
	fprintf(stderr,
		"# differential: %u frames over %u sets (%u matched a rule, %u a rule after the "
		"first), %u slot flips, %u sets on the small-set path, 0 disagreements\n",
		frames, set, matched, later, flips, small);
	assert_true(frames >= 100000);
	assert_true(flips >= DIFF_SETS - 1);
	/* both classifiers of the gate were held to the reference */
	assert_true(small > 0 && small < set);
}

/* Split offsets worth trying for a frame: at and around every header boundary the parser
 * crosses (Ethernet, each tag, L3, each IPv6 extension, L4 and its end), plus random ones.
 * Fills offs (each 1..len-1, repeats harmless); returns how many. */
static size_t split_offsets(const uint8_t *f, size_t len, size_t *offs, size_t cap)
{
	uint8_t copy[JUMBO_MAX];
	struct xg_pkt pkt = { 0 };
	size_t marks[8], nm = 0, n = 0, i;
	int d;

	memcpy(copy, f, len);
	xg_parse_frame(copy, copy + len, &pkt);
	marks[nm++] = 14;
	marks[nm++] = 18;
	marks[nm++] = 22;
	if (pkt.l3_off)
		marks[nm++] = pkt.l3_off;
	if (pkt.family)
		marks[nm++] = pkt.l3_off + (pkt.family == 4 ? 20u : 40u);
	if (pkt.l4_off) {
		marks[nm++] = pkt.l4_off;
		marks[nm++] = pkt.l4_off + 8u;	/* UDP's end; ICMP's 4 inside */
		marks[nm++] = pkt.l4_off + 20u; /* TCP's end without options */
	}
	for (i = 0; i < nm; i++)
		for (d = -1; d <= 1 && n < cap; d++)
			if ((long)marks[i] + d >= 1 && marks[i] + d < len)
				offs[n++] = (size_t)((long)marks[i] + d);
	for (i = 0; i < 3 && n < cap; i++)
		offs[n++] = 1 + rp_rn((uint32_t)(len - 1));
	return n;
}

/* A random frame, a third of them grown past one page with payload (up to a 9000-byte
 * MTU's frame): appended bytes change no header the parser reads but a cut-short one. */
static size_t split_frame(uint8_t *f)
{
	size_t len = random_frame(f, FRAME_MAX), to, i;

	if (chance(33)) {
		to = len + rp_rn((uint32_t)(9014 - len + 1));
		for (i = len; i < to; i++)
			f[i] = (uint8_t)rp_rnd();
		len = to;
	}
	return len;
}

#define SPLIT_SETS 6
#define SPLIT_FRAMES 300

/* Multi-buffer frames (BPF_PROG_RUN with data_size_in past the context's data_end, the
 * rest in frags): random rule sets and frames, each split at and around every header
 * boundary. The gate must give the reference's verdict and rule, count the whole frame,
 * and refuse (drop, hdr_split) exactly the frames whose headers do not all lie in the
 * first buffer: never a rule picked from part of the headers. */
static void test_split_buffers(void **state)
{
	struct rp_ctx *x = rp_ctx_of(state);
	uint8_t buf[IP_ALIGN + JUMBO_MAX] __attribute__((aligned(8)));
	uint8_t *f = buf + IP_ALIGN;
	const char *env = getenv("XG_SEED");
	unsigned int set, bad = 0, runs = 0, refused = 0, whole = 0, jumbo = 0;
	struct snap before, after;
	struct xg_ruleset rs;
	char msg[MSG_MAX];
	struct got got;
	uint64_t seed;
	size_t i, k, n, offs[32];

	seed = env && *env ? strtoull(env, NULL, 0)
			   : ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
	fprintf(stderr, "# split: seed %" PRIu64 " (XG_SEED=%" PRIu64 " replays)\n", seed, seed);
	rp_rng_seed(seed);
	rp_snap_init(&before);
	rp_snap_init(&after);
	for (set = 0; set < SPLIT_SETS && !bad; set++) {
		random_ruleset(&rs, set == 0 ? 1 : 1 + rp_rn(chance(50) ? 300 : 30), false);
		rp_install(x, &rs);
		rp_read_snap(x, &before);
		for (i = 0; i < SPLIT_FRAMES && bad < 5; i++) {
			struct xg_pkt pkt = { 0 };
			uint8_t copy[JUMBO_MAX];
			size_t len = split_frame(f);
			int ref;

			memcpy(copy, f, len);
			xg_parse_frame(copy, copy + len, &pkt);
			ref = xg_rules_classify(&rs, &pkt);
			jumbo += len > 4096;
			n = split_offsets(f, len, offs, ARRAY_SIZE(offs));
			for (k = 0; k < n && bad < 5; k++, runs++) {
				if (rp_check_split(x, &rs, f, len, offs[k], ref, &before, &after,
						   &got, msg)) {
					fprintf(stderr, "# split at %zu of %zu bytes:\n", offs[k],
						len);
					report(&rs, set, seed, f, len < 256 ? len : 256, msg);
					bad++;
				}
				refused += got.refused;
				whole += !got.refused;
			}
		}
		xg_ruleset_free(&rs);
	}
	free(before.rules);
	free(after.rules);
	if (bad)
		fail_msg("seed %" PRIu64 ": %u disagreements (details above)", seed, bad);
	fprintf(stderr,
		"# split: %u runs (%u frames past 4096 bytes): %u classified, %u refused "
		"(headers past the first buffer), 0 disagreements\n",
		runs, jumbo, whole, refused);
	assert_true(refused > 100 && whole > 100);
}

/* The pool's default set takes the xsk fast path: untagged IPv4/IPv6 frames are sent to
 * their rule unparsed, every other frame is classified in full; both as the reference
 * says, over random frames (tags, other EtherTypes, truncations included). */
static void test_xsk_fast(void **state)
{
	static const char *const sets[][3] = {
		{ "xsk ether ipv4", "xsk ether ipv6", NULL },
		{ "xsk ether ipv6", "xsk ether ipv4", "xsk ether ipv4" },
		{ "xsk ether ipv4", NULL, NULL },
	};
	struct rp_ctx *x = rp_ctx_of(state);
	uint8_t buf[IP_ALIGN + FRAME_MAX] __attribute__((aligned(8)));
	uint8_t *f = buf + IP_ALIGN;
	unsigned int s, i, unparsed = 0, parsed = 0;
	struct snap before, after;
	struct xg_ruleset rs;
	char msg[MSG_MAX];
	struct got got;

	rp_snap_init(&before);
	rp_snap_init(&after);
	for (s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
		rp_parse_lines(sets[s], 3, &rs);
		rp_install(x, &rs);
		assert_true(x->xsk4);
		rp_read_snap(x, &before);
		for (i = 0; i < 5000; i++) {
			struct xg_pkt pkt = { 0 };
			uint8_t copy[FRAME_MAX];
			size_t len = random_frame(f, FRAME_MAX);
			int outcome, ref;

			memcpy(copy, f, len);
			outcome = xg_parse_frame(copy, copy + len, &pkt);
			ref = xg_rules_classify(&rs, &pkt);
			(void)outcome;
			if (rp_check_frame(x, &rs, f, len, ref, &before, &after, &got, msg))
				fail_msg("set %u frame %u (%zu bytes): %s", s, i, len, msg);
			unparsed += got.unparsed;
			parsed += !got.unparsed;
		}
		xg_ruleset_free(&rs);
	}
	/* a set with another condition is classified in full */
	rp_parse_lines((const char *const[]){ "xsk ether ipv4 proto udp", NULL }, 2, &rs);
	rp_install(x, &rs);
	assert_false(x->xsk4 || x->xsk6);
	xg_ruleset_free(&rs);
	free(before.rules);
	free(after.rules);
	fprintf(stderr, "# xsk fast path: %u frames unparsed, %u classified in full\n", unparsed,
		parsed);
	assert_true(unparsed > 1000 && parsed > 1000);
}

/* ---- scale ---- */

#define SCALE_RULES 10000

static void test_scale(void **state)
{
	struct rp_ctx *x = rp_ctx_of(state);
	uint8_t buf[IP_ALIGN + FRAME_MAX] __attribute__((aligned(8)));
	uint8_t *f = buf + IP_ALIGN;
	struct xg_frame_spec hit = { MACS, .l3 = XG_L3_IPV4,
				     .ip4 = { .saddr = { 203, 0, 113, 7 },
					      .daddr = { 198, 51, 100, 1 } },
				     UDP(4242, 4242) };
	struct xg_frame_spec miss6 = hit;
	struct snap before, after;
	struct xg_ruleset rs;
	char msg[MSG_MAX], line[256];
	struct got got;
	struct xg_rule r;
	struct xg_counter_val v;
	unsigned int i;
	uint32_t def;
	size_t len;
	int ref;

	rp_rng_seed(12345);
	xg_ruleset_init(&rs);
	rs.default_verdict = XG_VERDICT_DROP;
	for (i = 0; i < SCALE_RULES; i++) {
		static const char *const protos[] = { "tcp", "udp", "icmp", "47" };
		const char *p = protos[(i / 2) % 4];
		size_t o;

		if (i == SCALE_RULES - 1) {
			snprintf(line, sizeof(line), "tx src 203.0.113.7/32 proto udp dport 4242");
		} else if (i % 2) { /* v6 prefixes inside 2001:db8::/32 */
			o = (size_t)snprintf(line, sizeof(line), "%s src 2001:db8:%x:%x::/%u",
					     i % 3 ? "drop" : "pass", rp_rn(65536), rp_rn(65536),
					     32 + rp_rn(97));
			if (p[0] != 'i')
				o += (size_t)snprintf(line + o, sizeof(line) - o, " proto %s", p);
			if (p[0] == 't' || p[0] == 'u')
				snprintf(line + o, sizeof(line) - o, " dport %u-%u", i,
					 i + rp_rn(500));
		} else { /* v4 prefixes inside 10.0.0.0/8 */
			o = (size_t)snprintf(line, sizeof(line), "%s dst 10.%u.%u.%u/%u",
					     i % 3 ? "pass" : "drop", rp_rn(256), rp_rn(256),
					     rp_rn(256), 8 + 4 * rp_rn(7));
			if (p[0] != 'i')
				o += (size_t)snprintf(line + o, sizeof(line) - o, " proto %s", p);
			if (p[0] == 't' || p[0] == 'u')
				snprintf(line + o, sizeof(line) - o, " sport %u-%u,%u", i,
					 i + rp_rn(50), 60000 + i % 5000);
		}
		if (xg_rule_parse_line(line, "scale", i + 1, &r, &def, msg, sizeof(msg)) != 1)
			fail_msg("rule '%s': %s", line, msg);
		if (xg_ruleset_insert(&rs, rs.n, &r))
			fail_msg("xg_ruleset_insert failed");
	}
	rp_install(x, &rs);
	rp_snap_init(&before);
	rp_snap_init(&after);
	rp_read_snap(x, &before);

	/* only the last rule matches: the earlier v4 rules want a dst in 10/8, the v6 ones a
	 * v6 src; the reference must agree that it is the last */
	len = xg_frame_build(&hit, f, FRAME_MAX);
	{
		struct xg_pkt pkt = { 0 };
		uint8_t copy[FRAME_MAX];

		memcpy(copy, f, len);
		xg_parse_frame(copy, copy + len, &pkt);
		ref = xg_rules_classify(&rs, &pkt);
	}
	if (ref != SCALE_RULES - 1)
		fail_msg("the scale frame matches rule %d by the reference, not the last", ref + 1);
	if (rp_check_frame(x, &rs, f, len, ref, &before, &after, &got, msg))
		fail_msg("scale, last rule: %s", msg);
	assert_int_equal(got.xdp, XDP_TX);

	/* and a frame no rule matches gets the default */
	miss6.l3 = XG_L3_IPV6;
	memcpy(miss6.ip6.saddr, "\xfd\x00\x00\x01", 4);
	len = xg_frame_build(&miss6, f, FRAME_MAX);
	if (rp_check_frame(x, &rs, f, len, -1, &before, &after, &got, msg))
		fail_msg("scale, default: %s", msg);
	assert_int_equal(got.xdp, XDP_DROP);
	if (xg_rule_counter(&x->m, SCALE_RULES - 1, &v))
		fail_msg("xg_rule_counter failed");
	assert_int_equal(v.packets, 1);
	xg_ruleset_free(&rs);
	free(before.rules);
	free(after.rules);
}

/* ---- connection state ---- */

/* What the gate's lookup answers for frame f, as the test models it: the injected answer
 * for a TCP/UDP frame's own tuple; for an ICMP error, the injected answer when the packet it
 * quotes is a TCP/UDP one (IPv4 not a later fragment, IPv6 without extension headers, its
 * ports inside the frame), established when it quotes an ICMP query, else a miss. Written
 * apart from xdp/gate_ct.h's ct_inner_tuple(), which it checks. */
static __u32 model_found(const uint8_t *f, size_t len, const struct xg_pkt *p, __u32 injected)
{
	size_t off = (size_t)p->l4_off + 8, l4;
	uint8_t proto;

	if (xg_ct_need(p) == XG_CTN_OWN)
		return injected;
	if (xg_ct_need(p) != XG_CTN_INNER)
		return XG_CTF_MISS;
	if (p->family == 4) {
		if (off + 20 > len || f[off] >> 4 != 4 || (f[off] & 15) < 5 ||
		    (f[off + 6] & 0x1f) || f[off + 7])
			return XG_CTF_MISS;
		proto = f[off + 9];
		l4 = off + (f[off] & 15) * 4u;
	} else {
		if (off + 40 > len || f[off] >> 4 != 6)
			return XG_CTF_MISS;
		proto = f[off + 6];
		l4 = off + 40;
	}
	if (l4 + 4 > len)
		return XG_CTF_MISS;
	if ((p->family == 4 && proto == IPPROTO_ICMP &&
	     (f[l4] == 8 || f[l4] == 13 || f[l4] == 15 || f[l4] == 17)) ||
	    (p->family == 6 && proto == XG_IPPROTO_ICMPV6 && (f[l4] == 128 || f[l4] == 139)))
		return XG_CTF_ESTABLISHED;
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ? injected : XG_CTF_MISS;
}

/* An ICMP error (of the family of most of its kind) quoting a random packet of that family:
 * TCP, UDP, an echo request or something else, sometimes cut short. */
static size_t icmp_error_frame(uint8_t *f, size_t cap)
{
	static const uint8_t types4[] = { 3, 4, 5, 11, 12 }, types6[] = { 1, 2, 3, 4 };
	uint8_t inner[256];
	struct xg_frame_spec in = { 0 }, s = { 0 };
	int fam = chance(50) ? 4 : 6;
	size_t n;

	in.l3 = s.l3 = fam == 4 ? XG_L3_IPV4 : XG_L3_IPV6;
	random_l4(&in, fam);
	if (chance(30)) {
		in.l4_proto = fam == 4 ? IPPROTO_ICMP : XG_IPPROTO_ICMPV6;
		in.icmp.type = fam == 4 ? 8 : 128;
	}
	near_addr(fam == 4 ? in.ip4.saddr : in.ip6.saddr, fam);
	near_addr(fam == 4 ? in.ip4.daddr : in.ip6.daddr, fam);
	if (fam == 4 && chance(10))
		in.ip4.frag_off = (uint16_t)(1 + rp_rn(100));
	n = xg_frame_build(&in, inner, sizeof(inner));
	if (n < 14)
		fail_msg("the builder rejected an inner spec");
	memcpy(s.dst, "\x02\x00\x00\x00\x00\x02", 6);
	memcpy(s.src, "\x02\x00\x00\x00\x00\x01", 6);
	near_addr(fam == 4 ? s.ip4.saddr : s.ip6.saddr, fam);
	near_addr(fam == 4 ? s.ip4.daddr : s.ip6.daddr, fam);
	s.l4_proto = fam == 4 ? IPPROTO_ICMP : XG_IPPROTO_ICMPV6;
	s.icmp.type = fam == 4 ? PICK(types4) : PICK(types6);
	s.payload = inner + 14; /* the quoted packet: its IP header on */
	s.payload_len = chance(20) ? rp_rn((uint32_t)(n - 14)) : n - 14;
	n = xg_frame_build(&s, f, cap);
	if (!n)
		fail_msg("the builder rejected an ICMP error spec");
	return n;
}

#define CT_SETS 12
#define CT_FRAMES 3000

/* Random sets with `ct`, random frames, a random lookup answer injected for each: the gate's
 * action, rule and state counter are the reference's, given the state the frame is in. */
static void test_differential_ct(void **state)
{
	struct rp_ctx *x = rp_ctx_of(state);
	uint8_t buf[IP_ALIGN + FRAME_MAX] __attribute__((aligned(8)));
	uint8_t *f = buf + IP_ALIGN;
	int inject = bpf_map__fd(x->skel->maps.xg_ct_inject);
	unsigned int set, bad = 0, frames = 0, seen[XG_CT_STATE_MAX] = { 0 }, s;
	const char *env = getenv("XG_SEED");
	struct snap before, after;
	struct xg_ruleset rs;
	char msg[MSG_MAX];
	struct got got;
	uint64_t seed;
	__u32 zero = 0, found;
	size_t i;

	seed = env && *env ? strtoull(env, NULL, 0)
			   : ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
	fprintf(stderr, "# differential ct: seed %" PRIu64 " (XG_SEED=%" PRIu64 " replays)\n", seed,
		seed);
	rp_rng_seed(seed);
	rp_snap_init(&before);
	rp_snap_init(&after);
	for (set = 0; set < CT_SETS && !bad; set++) {
		random_ruleset(&rs, 1 + rp_rn(chance(50) ? 200 : 20), true);
		rp_install(x, &rs);
		rp_read_snap(x, &before);
		for (i = 0; i < CT_FRAMES && bad < 5; i++) {
			struct xg_pkt pkt = { 0 };
			uint8_t copy[FRAME_MAX];
			size_t len = chance(25) ? icmp_error_frame(f, FRAME_MAX)
						: random_frame(f, FRAME_MAX);
			int ref;

			found = rp_rn(XG_CTF_MAX);
			if (bpf_map_update_elem(inject, &zero, &found, BPF_ANY))
				fail_msg("xg_ct_inject: %s", strerror(errno));
			memcpy(copy, f, len);
			xg_parse_frame(copy, copy + len, &pkt);
			pkt.ct_state = (__u8)xg_ct_state_of(&pkt, model_found(f, len, &pkt, found));
			x->ct_want = pkt.ct_state;
			seen[pkt.ct_state]++;
			ref = xg_rules_classify(&rs, &pkt);
			frames++;
			if (rp_check_frame(x, &rs, f, len, ref, &before, &after, &got, msg)) {
				snprintf(msg + strlen(msg), MSG_MAX - strlen(msg),
					 " (lookup answer %u, state %u)", found, pkt.ct_state);
				report(&rs, set, seed, f, len, msg);
				bad++;
			}
		}
		xg_ruleset_free(&rs);
	}
	free(before.rules);
	free(after.rules);
	if (bad)
		fail_msg("seed %" PRIu64 ": %u disagreements (details above)", seed, bad);
	fprintf(stderr,
		"# differential ct: %u frames, states none/new/est/rel/inv %u/%u/%u/%u/%u\n",
		frames, seen[0], seen[1], seen[2], seen[3], seen[4]);
	for (s = 0; s < XG_CT_STATE_MAX; s++)
		assert_true(seen[s] > 100); /* every state was held to the reference */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_scale),
		cmocka_unit_test(test_xsk_fast),
		cmocka_unit_test(test_split_buffers),
	};

	const struct CMUnitTest ct_tests[] = {
		cmocka_unit_test(test_differential_ct),
	};

	/* the ct group last: its setup turns XG_TEST_CT_INJECT on for the process */
	return cmocka_run_group_tests_name("rules_prog_diff", tests, rp_group_setup,
					   rp_group_teardown) +
	       cmocka_run_group_tests_name("rules_prog_diff_ct", ct_tests, rp_group_setup_ct,
					   rp_group_teardown);
}
