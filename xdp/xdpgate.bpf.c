// SPDX-License-Identifier: GPL-2.0
/* The gate: parse every frame, classify it against the active rule set, count it, carry
 * out one XDP verdict. The rule engine's design is in common/xdpgate_rules.h. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include <stdbool.h>

#include "common/ct_state.h"
#include "common/flow_hash.h"
#include "common/parse.h"
#include "common/xdpgate_flows.h"
#include "common/xdpgate_structs.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_stats_rec);
} xg_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_config);
} xg_config SEC(".maps");

/* Each slot's program (struct xg_shape in common/xdpgate_rules.h): the entry, xdpgate,
 * tail-calls the active slot's. Filled by userspace (user/gate/spec.c). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} xg_gate_progs SEC(".maps");

/* Userspace-only: the slot programs verified so far, kept by shape so that a rule set of a
 * shape seen before goes live without a new verification (user/gate/spec.c): the programs,
 * and what each was built for. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, XG_VARIANTS_MAX);
	__type(key, __u32);
	__type(value, __u32);
} xg_variants SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_VARIANTS_MAX);
	__type(key, __u32);
	__type(value, struct xg_variant);
} xg_variant_info SEC(".maps");

/* What this program is built for, set before it loads: every test of it below is a
 * constant to the verifier, which drops the code the set does not use. */
const volatile struct xg_shape xg_shape = {};

/* The verifier knows each read of xg_shape as a constant and drops the branches it
 * decides, but not the read itself: a hot loop reads the fields once (SHAPE_FIELDS). */
#if defined(XG_NO_FEATURES) && !defined(XG_NO_CT)
#define XG_NO_CT
#endif
#ifndef XG_NO_FEATURES
#define SHAPE(flag) (xg_shape.flags & (flag))
#define FIELD(f) (xg_shape.fields & (1u << (f)))
#define SHAPE_FIELDS() (xg_shape.fields)
#else
/* The comparison build (Makefile: xdpgate_nofeat.bpf.o): every optional feature's code left
 * out by the compiler, so testenv/spec_test.c can show that the program the verifier makes
 * for a set that uses none of them is this one, instruction for instruction. */
#define XG_FEATURE_FLAGS                                                                     \
	(XG_SLOT_SRC_SETS | (XG_SLOT_SRC_SETS << 1) | XG_SLOT_SRC_SETS_ONLY |                \
	 (XG_SLOT_SRC_SETS_ONLY << 1) | XG_SLOT_LIMITS | XG_SLOT_LOG | XG_SLOT_MATCH |      \
	 XG_SLOT_FLOWS | XG_SLOT_PARSE_CNT)
#define SHAPE(flag) (((flag)&XG_FEATURE_FLAGS) ? 0 : (xg_shape.flags & (flag)))
#define FIELD(f) ((f) == XG_F_CT || (f) == XG_F_MATCH ? 0 : (xg_shape.fields & (1u << (f))))
#define SHAPE_FIELDS() (xg_shape.fields & ~((1u << XG_F_CT) | (1u << XG_F_MATCH)))
#endif

/* EC of every array-indexed field value, both slots: index slot * XG_ECA_SIZE + ... */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * XG_ECA_SIZE);
	__type(key, __u32);
	__type(value, __u16);
	__uint(map_flags, BPF_F_MMAPABLE); /* the loader writes a slot through a mapping */
} xg_ec SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * XG_DIR4_SLOT);
	__type(key, __u32);
	__type(value, __u32);
	__uint(map_flags, BPF_F_MMAPABLE); /* the loader writes a slot through a mapping */
} xg_src4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * XG_DIR4_SLOT);
	__type(key, __u32);
	__type(value, __u32);
	__uint(map_flags, BPF_F_MMAPABLE); /* the loader writes a slot through a mapping */
} xg_dst4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 2 * XG_RULES_MAX_BPF + 8);
	__type(key, struct xg_lpm_key);
	__type(value, __u16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} xg_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 2 * XG_RULES_MAX_BPF + 8);
	__type(key, struct xg_lpm_key);
	__type(value, __u16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} xg_dst SEC(".maps");

/* Prefix sets by gate-wide id: each an LPM trie over both families (common/xdpgate_rules.h),
 * swapped whole on a set reload. */
struct xg_set_trie {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XG_SET_PREFIXES_MAX);
	__uint(key_size, sizeof(struct xg_set_key)); /* sizes, not types: the key is in no BTF */
	__uint(value_size, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XG_SETS_MAX);
	__type(key, __u32);
	__array(values, struct xg_set_trie);
} xg_sets SEC(".maps");

/* The same sets' IPv4 prefixes as flat tables (XG_SET4_* in common/xdpgate_rules.h), by
 * the same id. Each table is sized to its set (BPF_F_INNER_MAP: the template's size binds
 * no one) and mmapable, so userspace fills it with one copy. */
struct xg_set4_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_SET4_L1 / XG_SET4_GROUP);
	__uint(key_size, sizeof(__u32)); /* sizes, as the trie's: libbpf sizes no inner type */
	__uint(value_size, sizeof(struct xg_set4_elem));
	__uint(map_flags, BPF_F_MMAPABLE | BPF_F_INNER_MAP);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XG_SETS_MAX);
	__type(key, __u32);
	__array(values, struct xg_set4_map);
} xg_sets4 SEC(".maps");

/* Userspace-only: the name and size of each set id. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_SETS_MAX);
	__type(key, __u32);
	__type(value, struct xg_set_info);
} xg_set_info SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * XG_F_MAX * 65536);
	__type(key, struct xg_bits_key);
	__type(value, struct xg_bits);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} xg_bits SEC(".maps");

/* Small sets: the rule word of every field value (array fields) or address class, per
 * slot; see common/xdpgate_rules.h. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * XG_W64_SLOT);
	__type(key, __u32);
	__type(value, __u64);
	__uint(map_flags, BPF_F_MMAPABLE); /* the loader writes a slot through a mapping */
} xg_w64 SEC(".maps");

/* Larger sets: first match per EC tuple, direct-mapped, per CPU (no locks, no LRU). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XG_CACHE_SIZE);
	__type(key, __u32);
	__type(value, struct xg_cache_ent);
} xg_cache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * XG_RULES_MAX_BPF);
	__type(key, __u32);
	__type(value, struct xg_rule_action);
} xg_actions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2 * XG_RULES_MAX_BPF);
	__type(key, __u32);
	__type(value, struct xg_counter_val);
} xg_rule_stats SEC(".maps");

/* Limits (a rule's id is in its xg_rule_action): the buckets, index slot * XG_LIMITS_MAX +
 * id, shared by every CPU, and each CPU's lease from them (common/xdpgate_rules.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * XG_LIMITS_MAX);
	__type(key, __u32);
	__type(value, struct xg_bucket);
} xg_limits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2 * XG_LIMITS_MAX);
	__type(key, __u32);
	__type(value, struct xg_lease);
} xg_leases SEC(".maps");

/* AF_XDP sockets by receive queue, for the xsk action (filled by `xdpgate run`). */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XG_XSKS_MAX);
	__type(key, __u32);
	__type(value, __u32);
} xg_xsks SEC(".maps");

/* How xsk frames spread over several sockets of a queue (struct xg_xsk_steer). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_xsk_steer);
} xg_xsk_steer SEC(".maps");

/* The xg_xsks key of a frame: its queue's, or with several sockets a queue, the one its
 * flow hashes to (scaled, not masked: N need not be a power of two). */
static __always_inline __u32 xsk_key(struct xdp_md *ctx)
{
	__u32 zero = 0, q = ctx->rx_queue_index, h;
	struct xg_xsk_steer *s = bpf_map_lookup_elem(&xg_xsk_steer, &zero);

	if (!s || s->per_queue <= 1)
		return q;
	h = xg_flow_hash((void *)(long)ctx->data, (void *)(long)ctx->data_end, s->symmetric);
	return q * s->per_queue + (__u32)(((__u64)h * s->per_queue) >> 32);
}

/* A userspace-only map: the canonical text of every rule, so `rules list` and `stats`
 * can show and re-parse the live set. Key: slot * XG_RULES_MAX_BPF + rule. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * XG_RULES_MAX_BPF);
	__type(key, __u32);
	__type(value, char[XG_RULE_TEXT_BPF]);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} xg_rule_text SEC(".maps");

/* Userspace-only: counts a rule carried over from earlier rule sets (reloads, add, del),
 * added to its live per-CPU counters when shown. Index as xg_rule_stats. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * XG_RULES_MAX_BPF);
	__type(key, __u32);
	__type(value, struct xg_counter_val);
} xg_rule_base SEC(".maps");

/* The drop log: sampled frames of rules with `log` (struct xg_log_rec), read by `xdpgate log`. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XG_LOG_RING);
} xg_log SEC(".maps");

/* Userspace-only: the pending `rules load --confirm`, if any (README "Safe apply"). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_pending);
} xg_pending SEC(".maps");

/* `match` (docs/match.md): each slot's generated program, filled by userspace
 * (user/rules/match_load.c); it goes on to the slot's program in xg_gate_progs. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} xg_match_progs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_match_scratch);
} xg_match_scratch SEC(".maps");

/* A set with `match` has its expressions evaluated first: the program tail-calls the slot's
 * generated program, which records the results in this CPU's scratch and tail-calls this
 * program again (xg_gate_progs[slot]); that second entry finds pending set and goes on.
 * Returns only on that second entry, or when no generated program is in place (then no
 * expression holds). */
static __always_inline void match_run(struct xdp_md *ctx)
{
	struct xg_match_scratch *m;
	__u32 zero = 0;

	if (!SHAPE(XG_SLOT_MATCH))
		return;
	m = bpf_map_lookup_elem(&xg_match_scratch, &zero);
	if (!m)
		return;
	if (m->pending) {
		m->pending = 0; /* per-CPU: no other writer */
		return;
	}
	m->bits = 0;
	m->slot = xg_shape.slot;
	/* constant keys, each its own call: the JIT patches each into a direct jump */
	if (xg_shape.slot)
		bpf_tail_call_static(ctx, &xg_match_progs, 1);
	else
		bpf_tail_call_static(ctx, &xg_match_progs, 0);
}

/* The expressions' results, for a slot with `match` (0 after a failed tail call). */
static __always_inline __u8 match_bits(void)
{
	__u32 zero = 0;
	struct xg_match_scratch *m = bpf_map_lookup_elem(&xg_match_scratch, &zero);

	return m ? (__u8)m->bits : 0;
}

/* per-CPU record: no other writer, plain adds are safe */
static __always_inline void count(struct xg_stats_rec *st, __u32 idx, __u64 bytes)
{
	if (idx < XG_CNT_MAX) {
		st->c[idx].packets++;
		st->c[idx].bytes += bytes;
	}
}

static __always_inline __u16 ec_array(__u32 slot, __u32 idx)
{
	__u32 key = slot * XG_ECA_SIZE + idx;
	__u16 *ec = bpf_map_lookup_elem(&xg_ec, &key);

	return ec ? *ec : 0;
}

/* One level of the DIR-16-8-8 table: the entry at idx of this slot. */
static __always_inline __u32 dir4_entry(void *dir, __u32 slot, __u32 idx)
{
	__u32 key = slot * XG_DIR4_SLOT + idx;
	__u32 *e = bpf_map_lookup_elem(dir, &key);

	return e ? *e : 0;
}

static __always_inline __u16 ec_addr4(void *dir, __u32 slot, __u32 addr_be)
{
	__u32 a = xg_ntohl(addr_be), e;

	e = dir4_entry(dir, slot, a >> 16);
	if (e & XG_DIR4_BLOCK)
		e = dir4_entry(dir, slot,
			       XG_DIR4_L1 + (e & 0xffff) * XG_DIR4_BLOCK_SIZE + ((a >> 8) & 0xff));
	if (e & XG_DIR4_BLOCK)
		e = dir4_entry(dir, slot,
			       XG_DIR4_L1 + (e & 0xffff) * XG_DIR4_BLOCK_SIZE + (a & 0xff));
	return (__u16)e;
}

/* Word off of a flat IPv4 table (a map of struct xg_set4_elem); 0 past its end. */
static __always_inline __u32 set4_word(void *t, __u32 off)
{
	__u32 key = off / XG_SET4_GROUP;
	struct xg_set4_elem *e = bpf_map_lookup_elem(t, &key);

	return e ? e->w[off & (XG_SET4_GROUP - 1)] : 0;
}

#define SET4_WORD(off) set4_word(t, off)

/* Is the frame's address in set id: IPv4 through its flat table (at most three array
 * reads), IPv6 through its trie. */
static __always_inline bool set_has(__u32 id, const struct xg_pkt *p, struct xg_set_key *key,
				    const __u32 *addr)
{
	void *t;

	if (p->family == 4) {
		t = bpf_map_lookup_elem(&xg_sets4, &id);
		return t && XG_SET4_HAS(SET4_WORD, xg_ntohl(addr[0]));
	}
	t = bpf_map_lookup_elem(&xg_sets, &id);
	return t && bpf_map_lookup_elem(t, key);
}

/* The sets the slot tests on address field k (0 src, 1 dst): one lookup per set, the
 * membership bits scaled to the field's class stride. A frame without L3 is in no set. */
static __always_inline __u32 set_bits(const struct xg_slot_cfg *sc, __u32 k, const struct xg_pkt *p,
				      const __u32 *addr)
{
	struct xg_set_key key = { .family = p->family };
	__u32 n = sc->nsets[k], m = 0, i;

	if (!SHAPE(XG_SLOT_SRC_SETS << k) || !n || (p->family != 4 && p->family != 6))
		return 0;
	if (p->family == 6) {
		key.prefixlen = 8 + 128;
		__builtin_memcpy(key.addr, addr, 16);
	}
	XG_UNROLL
	for (i = 0; i < XG_SET_FIELD_MAX; i++) {
		if (i >= n)
			break;
		if (set_has(sc->set_id[k][i], p, &key, addr))
			m |= 1u << i;
	}
	return m * sc->set_stride[k];
}

/* The class of an address: its prefix class, plus the stride times its set bits. */
static __always_inline __u16 ec_addr(void *dir4, void *lpm, __u32 slot,
				     const struct xg_slot_cfg *sc, __u32 kf, const struct xg_pkt *p,
				     const __u32 *addr)
{
	struct xg_lpm_key k = { .prefixlen = 16, .slot = (__u8)slot };
	__u32 sb = set_bits(sc, kf, p, addr);
	__u16 *ec;

	if (SHAPE(XG_SLOT_SRC_SETS_ONLY << kf))
		return (__u16)sb; /* one prefix class, 0 */
	if (p->family == 4)
		return (__u16)(ec_addr4(dir4, slot, addr[0]) + sb);
	k.family = p->family;
	if (p->family == 6) {
		k.prefixlen += 128;
		__builtin_memcpy(k.addr, addr, 16);
	}
	ec = bpf_map_lookup_elem(lpm, &k);
	return (__u16)((ec ? *ec : 0) + sb);
}

static __always_inline int has_ports(const struct xg_pkt *p)
{
	return p->l4_ok && (p->l4_proto == IPPROTO_TCP || p->l4_proto == IPPROTO_UDP);
}

static __always_inline __u32 icmp_index(const struct xg_pkt *p)
{
	if (!p->l4_ok)
		return XG_ICMP_NONE;
	if (p->family == 4 && p->l4_proto == IPPROTO_ICMP)
		return p->icmp_type;
	if (p->family == 6 && p->l4_proto == XG_IPPROTO_ICMPV6)
		return XG_ICMP6_BASE + p->icmp_type;
	return XG_ICMP_NONE;
}

/* Where the value of array-indexed field f (every field after the two addresses) sits in
 * the EC array, and in the small-set words, which are indexed alike. f is a constant at
 * every (unrolled) call site, so the switch folds away. */
static __always_inline __u32 eca_index(__u32 f, const struct xg_pkt *p)
{
	switch (f) {
	case XG_F_PROTO:
		return XG_ECA_PROTO + (p->family ? p->l4_proto : XG_PROTO_NONE);
	case XG_F_SPORT:
		return XG_ECA_SPORT + (has_ports(p) ? p->sport : XG_PORT_NONE);
	case XG_F_DPORT:
		return XG_ECA_DPORT + (has_ports(p) ? p->dport : XG_PORT_NONE);
	case XG_F_VLAN:
		return XG_ECA_VLAN + (p->vlan_depth ? p->vlan_id : XG_VLAN_NONE);
	case XG_F_ETHER:
		return XG_ECA_ETHER + p->eth_proto;
	case XG_F_TCPFLAGS:
		return XG_ECA_TCPFLAGS +
		       (p->l4_ok && p->l4_proto == IPPROTO_TCP ? p->tcp_flags : XG_TCPFLAGS_NONE);
	case XG_F_CT:
		return XG_ECA_CT + (p->ct_state < XG_CT_VALUES ? p->ct_state : XG_CT_NONE);
	case XG_F_ICMP:
		return XG_ECA_ICMP + icmp_index(p);
	default: /* XG_F_MATCH */
		return XG_ECA_MATCH + p->match_bits;
	}
}
_Static_assert(XG_F_SRC == 0 && XG_F_DST == 1 && XG_F_PROTO == 2, "the array-indexed fields follow "
								  "the two address fields");

/* One EC per field the rule set uses; unused fields stay 0 and are skipped later. */
static __always_inline void lookup_ecs(__u32 slot, const struct xg_slot_cfg *sc,
				       const struct xg_pkt *p, struct xg_cache_key *k)
{
	const __u32 fields = SHAPE_FIELDS(); /* one read: each FIELD() would be a load */
	__u32 f;

	if (fields & (1u << XG_F_SRC))
		k->ec[XG_F_SRC] = ec_addr(&xg_src4, &xg_src, slot, sc, 0, p, p->saddr);
	if (fields & (1u << XG_F_DST))
		k->ec[XG_F_DST] = ec_addr(&xg_dst4, &xg_dst, slot, sc, 1, p, p->daddr);
	XG_UNROLL
	for (f = XG_F_PROTO; f < XG_F_MAX; f++)
		if (fields & (1u << f))
			k->ec[f] = ec_array(slot, eca_index(f, p));
}

/* The bit-vector of field f's EC (f is a field the set tests). */
static __always_inline struct xg_bits *field_bits(__u32 slot, __u32 f, const struct xg_cache_key *k)
{
	struct xg_bits_key bk = { .slot = (__u8)slot, .field = (__u8)f, .ec = k->ec[f] };

	return bpf_map_lookup_elem(&xg_bits, &bk);
}

/* Index of the lowest set bit of a non-zero word: isolate it, multiply by a de Bruijn
 * sequence, and the top six bits name it (clang 14 cannot lower __builtin_ctzll for BPF;
 * a binary search took three times the instructions). */
static const __u8 debruijn64[64] = {
	0,  1,	48, 2,	57, 49, 28, 3,	61, 58, 50, 42, 38, 29, 17, 4,	62, 55, 59, 36, 53, 51,
	43, 22, 45, 39, 33, 30, 24, 18, 12, 5,	63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21,
	44, 32, 23, 11, 46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,	13, 8,	7,  6,
};

static __always_inline __u32 lowest_bit(__u64 x)
{
	return debruijn64[((x & -x) * 0x03f79d71b4cb0a89ULL) >> 58];
}

/* The slow path: AND the bit-vectors of the fields in use, first set bit wins (from rule
 * *from on, when from is given). Returns rule + 1, or 0 when no rule matches. */
static __always_inline __u32 first_match(__u32 slot, const struct xg_slot_cfg *sc,
					 const struct xg_cache_key *k, const __u32 *from)
{
	struct xg_bits *b0 = 0, *b1 = 0, *b2 = 0, *b3 = 0, *b4 = 0, *b5 = 0, *b6 = 0, *b7 = 0,
		       *b8 = 0, *b9 = 0, *b10 = 0;
	__u32 w;

/* Only the fields the set tests (a constant to the verifier) are looked up and ANDed; a
 * missing vector means an EC no rule accepts (or a slot being rebuilt). */
#define FB(f)                                           \
	do {                                            \
		if (FIELD(f)) {                         \
			b##f = field_bits(slot, f, k);  \
			if (!b##f)                      \
				return 0;               \
		}                                       \
	} while (0)
/* the shape read at each use: with the fields read once before the loop, the verifier
 * refused the program (EACCES) */
#define FW(f) (FIELD(f) ? b##f->w[w] : ~0ULL)
	FB(0);
	FB(1);
	FB(2);
	FB(3);
	FB(4);
	FB(5);
	FB(6);
	FB(7);
	FB(8);
	FB(9);
	FB(10);
	for (w = 0; w < XG_BITS_WORDS && w < sc->nwords; w++) {
		__u64 acc = FW(0) & FW(1) & FW(2) & FW(3) & FW(4) & FW(5) & FW(6) & FW(7) & FW(8) &
			    FW(9) & FW(10);

		/* Words before from's are skipped. *from is read from memory in each round: a
		 * value kept in a register would carry what each comparison taught the verifier
		 * into the next round, and no two rounds' states would be the same. */
		if (from) {
			__u32 f = *(volatile const __u32 *)from;

			if (w < f >> 6)
				acc = 0;
			else if (w == f >> 6)
				acc &= ~0ULL << (f & 63);
		}
		if (acc)
			return w * 64 + lowest_bit(acc) + 1;
	}
	return 0;
#undef FB
#undef FW
}

static __always_inline __u64 w64(__u32 slot, __u32 idx)
{
	__u32 key = slot * XG_W64_SLOT + idx;
	__u64 *w = bpf_map_lookup_elem(&xg_w64, &key);

	return w ? *w : 0;
}

/* An address class as an index into the small-set words: classes above XG_SMALL_EC do not
 * occur in this mode (the loader checks); the mask keeps a reader inside the field. */
static __always_inline __u32 w64_addr(void *dir4, void *lpm, __u32 base, __u32 slot,
				      const struct xg_slot_cfg *sc, __u32 kf,
				      const struct xg_pkt *p, const __u32 *addr)
{
	return base + (ec_addr(dir4, lpm, slot, sc, kf, p, addr) & (XG_SMALL_EC - 1));
}

/* Small sets: AND the rule words of the values of the fields in use; each test is one
 * array read. The word of the rules that match (lowest bit first). */
static __always_inline __u64 match_small(__u32 slot, const struct xg_slot_cfg *sc,
					 const struct xg_pkt *p)
{
	__u64 acc = sc->nrules >= 64 ? ~0ULL : (1ULL << sc->nrules) - 1;
	const __u32 fields = SHAPE_FIELDS(); /* one read: each FIELD() would be a load */
	__u32 f;

	if (fields & (1u << XG_F_SRC))
		acc &= w64(slot, w64_addr(&xg_src4, &xg_src, XG_W64_SRC, slot, sc, 0, p, p->saddr));
	if (fields & (1u << XG_F_DST))
		acc &= w64(slot, w64_addr(&xg_dst4, &xg_dst, XG_W64_DST, slot, sc, 1, p, p->daddr));
	XG_UNROLL
	for (f = XG_F_PROTO; f < XG_F_MAX; f++)
		if (fields & (1u << f))
			acc &= w64(slot, eca_index(f, p));
	return acc;
}

/* Cache slot of an EC tuple: a multiplicative hash over every field (unused ones are 0). */
static __always_inline __u32 cache_index(const struct xg_cache_key *k)
{
	__u64 h = (__u64)k->gen * 0x9E3779B97F4A7C15ULL;
	__u32 f;

	XG_UNROLL
	for (f = 0; f < XG_F_MAX; f++)
		h = (h ^ k->ec[f]) * 0xBF58476D1CE4E5B9ULL;
	return (__u32)(h >> (64 - XG_CACHE_BITS));
}

static __always_inline bool cache_key_eq(const struct xg_cache_key *a, const struct xg_cache_key *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	/* 28 bytes: gen, eleven ECs and the pad (common/xdpgate_rules.h asserts the size) */
	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] &&
	       ((const __u32 *)a)[6] == ((const __u32 *)b)[6];
}

/* Larger sets: the cached first match. A global function, so the verifier checks it once
 * with k as opaque memory: inlined, the constant ECs of unused fields would give every
 * combination of fields in use its own cache index and multiply the paths to verify past
 * the limit. Rule + 1, or 0. */
__attribute__((noinline)) int xg_match_cached(__u32 slot, const struct xg_slot_cfg *sc,
					      const struct xg_cache_key *k)
{
	struct xg_cache_ent *e;
	__u32 rule1, idx;

	if (!sc || !k)
		return 0;
	idx = cache_index(k);
	e = bpf_map_lookup_elem(&xg_cache, &idx);
	if (!e)
		return (int)first_match(slot, sc, k, NULL); /* cannot happen: idx < XG_CACHE_SIZE */
	if (e->valid && cache_key_eq(&e->k, k))
		return (int)e->rule1;
	rule1 = first_match(slot, sc, k, NULL);
	/* per-CPU entry: no other writer */
	e->k = *k;
	e->rule1 = rule1;
	e->valid = 1;
	return (int)rule1;
}

/* Larger sets, past a limited rule over its rate: the next match after it, uncached (the
 * cache keeps first matches only). Rule + 1, or 0. */
__attribute__((noinline)) int xg_match_after(__u32 slot, const struct xg_slot_cfg *sc,
					     const struct xg_cache_key *k, const __u32 *from)
{
	if (!sc || !k || !from)
		return 0;
	return (int)first_match(slot, sc, k, from);
}

/* The coarse clock since the bucket's epoch (its rule set's load), in ns << XG_LIMIT_SHIFT,
 * read once a tick per CPU and limit: it moves only when jiffies does (both advance in the
 * tick), and jiffies is one load (the verifier inlines bpf_jiffies64) where the clock is a
 * helper call that cost 20 ns a frame here, as much as the rest of a refusal. Should
 * jiffies move first, the cached time runs a tick late, on the side of refusing. */
static __always_inline __u64 lease_clock(struct xg_lease *l, const struct xg_bucket *b)
{
	__u64 jif = bpf_jiffies64();

	if (jif != l->jiffies) {
		l->now = (bpf_ktime_get_coarse_ns() - b->epoch) << XG_LIMIT_SHIFT;
		l->jiffies = jif;
	}
	return l->now;
}

/* Take room for a frame of cost from the shared bucket bi into this CPU's lease l, which
 * holds less than cost: a whole lease when the bucket has it, else what room is left (GCRA,
 * see common/xdpgate_rules.h). The lease is added first and the excess given back:
 * concurrent CPUs never both take the last room, and one that gives back may, for that
 * instant, make another see the bucket fuller than it is (on the side of refusing). A
 * refusal notes when the bucket will have room for the frame, so the CPU's next frames are
 * refused on a look at the clock, without atomics. The clock is the coarse one (the tick's
 * time: bpf_ktime_get_ns cost 40 ns a frame here), so room grows a tick at a time.
 * A call, not inlined: the frames a lease covers keep their registers. */
static __noinline bool lease_take(__u32 bi, struct xg_lease *l, __u64 cost)
{
	struct xg_bucket *b = bpf_map_lookup_elem(&xg_limits, &bi);
	__u64 now, want, t, end, room;

	if (!b || !l)
		return true; /* cannot happen: bi is masked into both maps */
	/* a frame over the burst (bytes) never fits: refused before it touches the bucket or
	 * the lease, so it neither takes room nor sets a retry that refuses frames that fit */
	if (cost > b->burst)
		return false;
	now = lease_clock(l, b);
	if (now < l->retry)
		return false;
	want = b->lease > cost ? b->lease : cost; /* at most the burst, as both are */
	t = __sync_fetch_and_add(&b->tat, want);
	if (t < now) {
		/* idle since t: the bucket is full, and the lease counts from now: move tat from
		 * what the add made it to now + want. A lost exchange means another CPU added in
		 * between and counted from t too: one lease more, admitting (README "Limits") */
		__sync_val_compare_and_swap(&b->tat, t + want, now + want);
		room = want;
		goto got;
	}
	end = now + b->burst;
	room = end > t ? end - t : 0;
	if (room >= want) {
		room = want;
		goto got;
	}
	if (room + l->left < cost)
		room = 0; /* refused: what room there is stays in the bucket */
	__sync_fetch_and_add(&b->tat, room - want); /* give back what is over */
	if (room) /* the slow path's lease holds less than cost: room made up the rest */
		goto got;
	l->retry = t + cost - b->burst; /* > now: t + cost > end + l->left */
	return false;
got:
	l->left += room - cost; /* per-CPU: no other writer */
	return true;
}

/* Whether rule r's limit has room for a frame of len bytes, taking it if so. A rule without
 * a limit always has room. The frame takes from its CPU's lease (no atomics, no clock); only
 * a lease that runs short goes to the shared bucket. (Handing the action on to the verdict,
 * to save its second lookup, measured slower in the live path: README "Limits".) */
static __always_inline bool limit_ok(__u32 slot, __u32 r, __u64 len)
{
	__u32 idx = slot * XG_RULES_MAX_BPF + r, bi;
	struct xg_rule_action *a = bpf_map_lookup_elem(&xg_actions, &idx);
	struct xg_lease *l;
	__u64 cost;

	if (!a || !a->limit)
		return true;
	bi = slot * XG_LIMITS_MAX + ((a->limit - 1) & (XG_LIMITS_MAX - 1));
	l = bpf_map_lookup_elem(&xg_leases, &bi);
	if (!l)
		return true;
	cost = l->bytes ? l->cost * len : l->cost;
	if (l->left >= cost) {
		l->left -= cost; /* per-CPU: no other writer */
		return true;
	}
	return lease_take(bi, l, cost);
}
_Static_assert((XG_LIMITS_MAX & (XG_LIMITS_MAX - 1)) == 0, "limit ids are masked");

/* The rule engine: pick the rule for this frame, or none (returns -1). A limited rule over
 * its rate does not match: the next matching rule decides (at most XG_LIMITS_MAX of them
 * can be passed over, so the loop ends on a rule without a limit or on none). */
static __always_inline int classify(__u32 slot, const struct xg_slot_cfg *sc,
				    const struct xg_pkt *pkt, __u64 len)
{
	struct xg_cache_key k = { .gen = sc->gen };
	bool small = SHAPE(XG_SLOT_SMALL);
	__u64 acc = 0;
	__u32 rule1, i;

	if (small) {
		acc = match_small(slot, sc, pkt);
		rule1 = acc ? lowest_bit(acc) + 1 : 0;
	} else {
		lookup_ecs(slot, sc, pkt, &k);
		rule1 = (__u32)xg_match_cached(slot, sc, &k);
	}
	for (i = 0; SHAPE(XG_SLOT_LIMITS) && rule1 && i <= XG_LIMITS_MAX; i++) {
		if (limit_ok(slot, rule1 - 1, len))
			break;
		if (small) {
			acc &= acc - 1;
			rule1 = acc ? lowest_bit(acc) + 1 : 0;
		} else {
			rule1 = (__u32)xg_match_after(slot, sc, &k, &rule1);
		}
	}
	return rule1 ? (int)rule1 - 1 : -1;
}

static __always_inline int swap_macs(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	unsigned char tmp[ETH_ALEN];

	if ((void *)(eth + 1) > data_end)
		return -1;
	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
	return 0;
}

/* Carry out a verdict; may downgrade it (an unbound xsk queue passes to the kernel, a
 * failed redirect aborts), so the counted verdict is what really happened. */
static __always_inline int act(struct xdp_md *ctx, struct xg_stats_rec *st, __u32 *verdict,
			       __u32 ifindex, __u64 len)
{
	int ret;

	switch (*verdict) {
	case XG_VERDICT_PASS:
		return XDP_PASS;
	case XG_VERDICT_DROP:
		return XDP_DROP;
	case XG_VERDICT_TX:
		if (swap_macs((void *)(long)ctx->data, (void *)(long)ctx->data_end))
			break;
		return XDP_TX;
	case XG_VERDICT_REDIRECT:
		ret = bpf_redirect(ifindex, 0);
		if (ret == XDP_REDIRECT)
			return ret;
		break;
	case XG_VERDICT_XSK:
		ret = bpf_redirect_map(&xg_xsks, xsk_key(ctx), XDP_PASS);
		if (ret == XDP_REDIRECT)
			return ret;
		count(st, XG_CNT_XSK_UNBOUND, len);
		*verdict = XG_VERDICT_PASS;
		return XDP_PASS;
	}
	*verdict = XG_VERDICT_ABORTED;
	return XDP_ABORTED;
}

static __always_inline void count_rule(__u32 slot, __u32 rule, __u64 len)
{
	__u32 idx = slot * XG_RULES_MAX_BPF + rule;
	struct xg_counter_val *rc = bpf_map_lookup_elem(&xg_rule_stats, &idx);

	if (rc) {
		rc->packets++;
		rc->bytes += len;
	}
}

/* The rule's verdict and redirect target, and its counters. */
static __always_inline void apply_rule(__u32 slot, __u32 rule, __u64 len, __u32 *verdict,
				       __u32 *ifindex)
{
	__u32 idx = slot * XG_RULES_MAX_BPF + rule;
	struct xg_rule_action *a = bpf_map_lookup_elem(&xg_actions, &idx);

	if (a) {
		*verdict = a->verdict;
		*ifindex = a->ifindex;
	}
	count_rule(slot, rule, len);
}

/* `log [every N]`: the first XG_LOG_SNAP bytes of the frame to the ring buffer, when the
 * rule's per-CPU packet count (just incremented) is 1, N + 1, 2N + 1, ... Called only in a
 * slot with XG_SLOT_LOG, before the verdict is carried out (TX has not swapped the MACs).
 * A call, not inlined: the no-log path keeps its instructions and registers. idx is the
 * rule's index (slot * XG_RULES_MAX_BPF + rule; a BPF call takes five arguments). */
static __noinline void log_frame(struct xdp_md *ctx, struct xg_stats_rec *st, __u32 idx, __u32 gen,
				 __u32 verdict)
{
	/* through pointers: as two __u32 fields, -mcpu=v3 spilled a packet pointer as 32 bits,
	 * which the verifier refuses */
	__u64 len = bpf_xdp_get_buff_len(ctx); /* the whole frame; the snap reads across buffers */
	struct xg_rule_action *a = bpf_map_lookup_elem(&xg_actions, &idx);
	struct xg_counter_val *rc = bpf_map_lookup_elem(&xg_rule_stats, &idx);
	struct xg_log_rec *rec;
	__u32 cap;

	if (!a || !rc || !a->log_every || (rc->packets - 1) % a->log_every)
		return;
	rec = bpf_ringbuf_reserve(&xg_log, sizeof(*rec), 0);
	if (!rec) {
		count(st, XG_CNT_LOG_LOST, len);
		return;
	}
	rec->ts_ns = bpf_ktime_get_boot_ns();
	rec->gen = gen;
	rec->rule = idx % XG_RULES_MAX_BPF;
	rec->verdict = verdict;
	rec->len = (__u32)len;
	rec->queue = ctx->rx_queue_index;
	if (len >= XG_LOG_SNAP) {
		cap = XG_LOG_SNAP;
	} else {
		/* verifier: a mask it sees (clang would drop one it can prove idle) */
		cap = (__u32)len;
		asm volatile("" : "+r"(cap));
		cap &= XG_LOG_SNAP - 1;
	}
	if (!cap || bpf_xdp_load_bytes(ctx, 0, rec->data, cap))
		cap = 0;
	rec->caplen = cap;
	bpf_ringbuf_submit(rec, 0);
}

/* `flows exact|sample N` (common/xdpgate_flows.h): the flow table, the rate per slot and
 * the table's counters. The table's size is set by the loader before the program loads. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, XG_FLOWS_SIZE_DEFAULT);
	__type(key, struct xg_flow_key);
	__type(value, struct xg_flow_val);
} xg_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct xg_flow_cfg);
} xg_flow_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XG_FLOW_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} xg_flow_stats SEC(".maps");

static __always_inline void flow_count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&xg_flow_stats, &idx);

	if (c)
		*c += 1;
}

/* Account the frame to its flow. Called only in a slot with XG_SLOT_FLOWS; a call, not
 * inlined, so the path without flows keeps its registers (as log_frame). rule is the
 * matching rule's index or -1 (the default). */
static __noinline void flow_account(const struct xg_pkt *p, __u32 slot, int rule, __u32 verdict,
				    __u64 len)
{
	struct xg_flow_cfg *fc = bpf_map_lookup_elem(&xg_flow_cfg, &slot);
	struct xg_flow_key k = {};
	struct xg_flow_val *v, nv = {};
	__u64 now;

	if (!fc || !fc->rate || (fc->rate > 1 && bpf_get_prandom_u32() % fc->rate))
		return;
	__builtin_memcpy(k.src, p->saddr, 16);
	__builtin_memcpy(k.dst, p->daddr, 16);
	k.sport = p->sport;
	k.dport = p->dport;
	k.vlan = p->vlan_depth ? p->vlan_id : 0;
	k.rule = rule >= 0 ? (__u16)rule : XG_FLOW_RULE_DEFAULT;
	k.proto = p->family ? p->l4_proto : 0;
	k.family = p->family;
	k.verdict = (__u8)verdict;
	now = bpf_ktime_get_coarse_ns();
	v = bpf_map_lookup_elem(&xg_flows, &k);
	if (v) {
		/* a key another CPU inserted holds zeroes in this CPU's value */
		if (!v->first_ns) {
			v->first_ns = now;
			v->rate = fc->rate;
		}
		v->packets++;
		v->bytes += len;
		v->last_ns = now;
		return;
	}
	nv.packets = 1;
	nv.bytes = len;
	nv.first_ns = now;
	nv.last_ns = now;
	nv.rate = fc->rate;
	/* NOEXIST: an entry another CPU made meanwhile is not this CPU's (per-CPU values),
	 * but the key is then present, and this frame is lost from the count: counted */
	if (bpf_map_update_elem(&xg_flows, &k, &nv, BPF_NOEXIST))
		flow_count(XG_FLOW_INSERT_FAIL);
	else
		flow_count(XG_FLOW_INSERTS);
}

/* Connection state (`ct`): its own file, so it stays apart from the frame path's changes. */
/* The object built with XG_NO_CT (Makefile: xdpgate_noct.bpf.o) has none of it, so a set
 * without `ct` loads without the kernel's BTF, which libbpf parses (45 ms here) only to
 * resolve the conntrack kfuncs and struct nf_conn (user/gate/spec.c picks the object). */
#ifndef XG_NO_CT
#include "xdp/gate_ct.h"
#endif

/* The full path: parse as deep as the set reads, count the outcome (with `counters parse`),
 * classify. Sets the verdict and the redirect target, and logs the frame if its rule says
 * so. The parsed frame lives here, so the xsk fast path does not zero it. */
static __always_inline void full_path(struct xdp_md *ctx, void *data, void *data_end, __u64 len,
				      struct xg_stats_rec *st, __u32 slot,
				      const struct xg_slot_cfg *sc, __u32 *verdict, __u32 *ifindex)
{
	struct xg_pkt pkt;
	int outcome, rule = -1;

	if (xg_shape.depth != XG_DEPTH_NONE) {
		/* zeroed only for a parse: a set that reads no header never reads pkt but for
		 * match_bits, set below */
		__builtin_memset(&pkt, 0, sizeof(pkt));
		/* pkt's address escapes here, so clang keeps it in memory: scalarised, its fields
		 * became a dozen registers spilled and re-zeroed on every parser branch */
		asm volatile("" : : "r"(&pkt) : "memory");
		outcome = xg_parse_frame_to(data, data_end, &pkt, (int)xg_shape.depth);
		if (SHAPE(XG_SLOT_PARSE_CNT))
			count(st, XG_CNT_PARSE + (__u32)outcome, len);
		if (len > (__u64)(data_end - data) && XG_PARSE_TRUNCATED(outcome)) {
			/* a multi-buffer frame whose headers (those the set reads) go on past the
			 * first buffer, where the parser cannot read: refused (dropped, counted),
			 * never misclassified */
			count(st, XG_CNT_HDR_SPLIT, len);
			*verdict = XG_VERDICT_DROP;
			return;
		}
		if (SHAPE(XG_SLOT_PARSE_CNT)) {
			if (pkt.frag == XG_FRAG_FIRST)
				count(st, XG_CNT_FRAG_FIRST, len);
			else if (pkt.frag == XG_FRAG_LATER)
				count(st, XG_CNT_FRAG_LATER, len);
		}
	}
	if (SHAPE(XG_SLOT_MATCH))
		pkt.match_bits = match_bits();

	*verdict = sc->default_verdict;
	if (*verdict != XG_VERDICT_PASS && *verdict != XG_VERDICT_DROP)
		*verdict = XG_VERDICT_ABORTED; /* a default can only pass or drop */
#ifndef XG_NO_CT
	if (xg_ct_mode && FIELD(XG_F_CT))
		pkt.ct_state = (__u8)ct_state(ctx, st, &pkt, len);
#endif
	if (SHAPE(XG_SLOT_RULES))
		rule = classify(slot, sc, &pkt, len);
	if (rule >= 0 && rule < XG_RULES_MAX_BPF) {
		apply_rule(slot, (__u32)rule, len, verdict, ifindex);
		if (SHAPE(XG_SLOT_LOG))
			log_frame(ctx, st, slot * XG_RULES_MAX_BPF + (__u32)rule, sc->gen,
				  *verdict);
	}
	if (SHAPE(XG_SLOT_FLOWS))
		flow_account(&pkt, slot, rule, *verdict, len);
}

/* XG_SLOT_XSK_IP: the rule of an untagged IPv4/IPv6 frame from its EtherType alone, or
 * XG_NO_RULE16 when the full path must decide (a tag, another EtherType, a short frame). */
static __always_inline __u32 xsk_fast_rule(void *data, void *data_end, const struct xg_slot_cfg *sc)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XG_NO_RULE16;
	if (eth->h_proto == xg_htons(XG_ETH_P_IP))
		return sc->xsk_rule4;
	if (eth->h_proto == xg_htons(XG_ETH_P_IPV6))
		return sc->xsk_rule6;
	return XG_NO_RULE16;
}

/* One slot's program (struct xg_shape): what xdpgate tail-calls while that slot is active.
 * Frags-aware (multi-buffer XDP): any MTU the driver takes in native mode. Headers are read
 * from the first buffer; the counters count the whole frame. */
SEC("xdp.frags")
int xdpgate_set(struct xdp_md *ctx)
{
	__u64 len = bpf_xdp_get_buff_len(ctx);
	__u32 key = 0, verdict, ifindex = 0, slot = xg_shape.slot & 1;
	struct xg_stats_rec *st;
	struct xg_config *cfg;
	struct xg_slot_cfg *sc;
	void *data, *data_end;
	int ret;

	st = bpf_map_lookup_elem(&xg_stats, &key);
	cfg = bpf_map_lookup_elem(&xg_config, &key);
	if (!st || !cfg)
		return XDP_ABORTED; /* cannot happen: both are one-entry arrays */
	match_run(ctx);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	sc = &cfg->slot[slot];
	if (SHAPE(XG_SLOT_XSK_IP)) {
		__u32 r = xsk_fast_rule(data, data_end, sc);

		if (r < XG_RULES_MAX_BPF) {
			/* the loader set this path only for rules that are all xsk */
			if (SHAPE(XG_SLOT_PARSE_CNT))
				count(st, XG_CNT_PARSE + XG_PARSE_UNPARSED, len);
			count_rule(slot, r, len);
			verdict = XG_VERDICT_XSK;
			goto act;
		}
	}
	full_path(ctx, data, data_end, len, st, slot, sc, &verdict, &ifindex);
act:
	/* the data pointers may not be used after this: act() re-derives them */
	ret = act(ctx, st, &verdict, ifindex, len);
	count(st, XG_CNT_VERDICT + (verdict < XG_VERDICT_MAX ? verdict : XG_VERDICT_ABORTED), len);
	return ret;
}

/* The gate as attached (through libxdp, a bpf_link or libxdp's dispatcher alike): it hands
 * the frame to the active slot's program. A new rule set's program goes into the other
 * entry before the flip, so the entry it jumps to is never empty once the gate is up. */
SEC("xdp.frags")
int xdpgate(struct xdp_md *ctx)
{
	struct xg_stats_rec *st;
	struct xg_config *cfg;
	__u32 key = 0;

	cfg = bpf_map_lookup_elem(&xg_config, &key);
	if (cfg) {
		/* constant keys: the JIT patches each into a direct jump */
		if (cfg->active & 1)
			bpf_tail_call_static(ctx, &xg_gate_progs, 1);
		else
			bpf_tail_call_static(ctx, &xg_gate_progs, 0);
	}
	st = bpf_map_lookup_elem(&xg_stats, &key);
	if (st)
		count(st, XG_CNT_VERDICT + XG_VERDICT_ABORTED, bpf_xdp_get_buff_len(ctx));
	return XDP_ABORTED;
}
