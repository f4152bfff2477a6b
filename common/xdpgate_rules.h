/* SPDX-License-Identifier: GPL-2.0 */
/* The compiled rule set as the gate reads it. Design (README "Rule engine"):
 *
 * Every match field is split by userspace into equivalence classes (ECs): values that
 * the same set of rules accepts share one EC. Per packet the gate looks up one EC per
 * field the rule set uses (an LPM trie for addresses, one array for everything else),
 * then finds the first matching rule from the fields' rule bit-vectors (one per EC): the
 * AND of the vectors, lowest set bit first. Two ways, chosen per slot by the loader:
 *   - small sets (XG_SLOT_SMALL: at most 64 rules, at most XG_SMALL_EC classes of each
 *     address field): the 64-bit rule word of every value of each array-indexed field
 *     (indexed like the EC array), and of each address class, in one plain array. One
 *     inlined array read per field in use, ANDed; no EC step, no hash, no cache.
 *   - larger sets: the EC tuple is looked up in a direct-mapped per-CPU cache of first
 *     matches; on a miss the full vectors are ANDed word by word and the cache entry
 *     overwritten. Per-packet cost on a hit does not depend on the number of rules.
 *
 * Two slots hold two rule sets; the config names the active one. A reload fills the
 * inactive slot, then flips: each frame reads the active slot once, so it is classified
 * wholly by the old set or wholly by the new one. Slot is part of every key. */
#ifndef XG_RULES_MAPS_H
#define XG_RULES_MAPS_H

#include <linux/types.h>

#define XG_RULES_MAX_BPF 16384
#define XG_BITS_WORDS (XG_RULES_MAX_BPF / 64)
#define XG_RULE_TEXT_BPF 512 /* bytes of a rule's canonical text, NUL included */

/* The match fields, one row each, in the order of the EC tuple: X(ID, name, keyword).
 * ID makes enum xg_field (XG_F_ID) and keyword is the rule language's word for the field.
 * Userspace derives every per-field list from this table, taking the functions of a field
 * from its name: parse_NAME (user/rules/lang.c), fmt_NAME (format.c), has_NAME (field.c),
 * match_NAME (ref.c), covers_NAME (check.c) and build_NAME (compile.c). A new field is one
 * row here plus those functions, and its lookup in xdp/xdpgate.bpf.c. */
#define XG_FIELDS(X)                        \
	X(SRC, src, "src")                  \
	X(DST, dst, "dst")                  \
	X(PROTO, proto, "proto")            \
	X(SPORT, sport, "sport")            \
	X(DPORT, dport, "dport")            \
	X(VLAN, vlan, "vlan")               \
	X(ETHER, ether, "ether")            \
	X(TCPFLAGS, tcp_flags, "tcp-flags") \
	X(ICMP, icmp_type, "icmp-type")     \
	X(MATCH, match, "match")            \
	X(CT, ct, "ct")

#define XG_F_ENUM(id, name, keyword) XG_F_##id,
enum xg_field {
	XG_FIELDS(XG_F_ENUM) /* XG_F_SRC = 0, ... */
	XG_F_MAX,
};
#undef XG_F_ENUM
_Static_assert(XG_F_MAX == 11, "first_match() in xdp/xdpgate.bpf.c ANDs exactly eleven fields");

/* The array-indexed fields share one array map: per slot, these ranges. An index of
 * NONE means the frame has no such value (no L3, no TCP/UDP header, no tag ...). */
#define XG_PROTO_NONE 256     /* 0..255: IP protocol; 256: not IP */
#define XG_PORT_NONE 65536    /* 0..65535; 65536: no TCP/UDP header */
#define XG_VLAN_NONE 4096     /* 0..4095; 4096: untagged */
#define XG_TCPFLAGS_NONE 256  /* 0..255; 256: no TCP header */
#define XG_ICMP_NONE 512      /* 0..255 ICMP type, 256..511 ICMPv6 type; 512: neither */
#define XG_ICMP6_BASE 256     /* index of ICMPv6 type 0 */
#define XG_ETHER_VALUES 65536 /* 0..65535; every frame has an EtherType, so no NONE */
/* `match "EXPR"` (docs/match.md): the field's value is the set's expressions that hold, bit i
 * for expression i (every frame has one, so no NONE). A generated program evaluates them
 * (user/rules/cbpf.c) and the gate reads its result from struct xg_match_scratch. */
#define XG_MATCH_MAX 8 /* distinct expressions in one rule set */
#define XG_MATCH_VALUES (1u << XG_MATCH_MAX)
#define XG_MATCH_INSNS_MAX 256 /* classic BPF instructions of one compiled expression */
#define XG_MATCH_TEXT_MAX 256  /* bytes of one expression's text, NUL included */
#define XG_CT_VALUES 5	       /* enum xg_ct_state (common/ct_state.h); 0 is "no state" */
_Static_assert(XG_ICMP6_BASE + 256 == XG_ICMP_NONE, "ICMP and ICMPv6 types fill 0..NONE-1");

#define XG_ECA_PROTO 0
#define XG_ECA_SPORT (XG_ECA_PROTO + XG_PROTO_NONE + 1)
#define XG_ECA_DPORT (XG_ECA_SPORT + XG_PORT_NONE + 1)
#define XG_ECA_VLAN (XG_ECA_DPORT + XG_PORT_NONE + 1)
#define XG_ECA_ETHER (XG_ECA_VLAN + XG_VLAN_NONE + 1)
#define XG_ECA_TCPFLAGS (XG_ECA_ETHER + XG_ETHER_VALUES)
#define XG_ECA_ICMP (XG_ECA_TCPFLAGS + XG_TCPFLAGS_NONE + 1)
#define XG_ECA_MATCH (XG_ECA_ICMP + XG_ICMP_NONE + 1)
#define XG_ECA_CT (XG_ECA_MATCH + XG_MATCH_VALUES)
#define XG_ECA_SIZE (XG_ECA_CT + XG_CT_VALUES) /* entries per slot */

/* IPv4 addresses map to classes through a DIR-16-8-8 table per field (src, dst), so the
 * lookup costs at most three array reads whatever the rule count: the top 16 bits index
 * the first level; an entry is a class, or (XG_DIR4_BLOCK set) a 256-entry block of the
 * shared pool indexed by the next 8 bits, whose entries may point to a block for the last
 * 8 bits. Index: slot * XG_DIR4_SLOT + ...; blocks start at XG_DIR4_L1. */
#define XG_DIR4_L1 65536
#define XG_DIR4_BLOCKS 8192
#define XG_DIR4_BLOCK_SIZE 256 /* entries of a block: one per value of the next 8 bits */
#define XG_DIR4_SLOT (XG_DIR4_L1 + XG_DIR4_BLOCKS * XG_DIR4_BLOCK_SIZE)
#define XG_DIR4_BLOCK 0x80000000u

/* LPM key for src/dst of IPv6 (and family 0, frames without L3): slot and family are the
 * first 16 bits of the prefix. */
struct xg_lpm_key {
	__u32 prefixlen; /* 16 + the address prefix length */
	__u8 slot;
	__u8 family; /* 4, 6, or 0 (only the /0 entry: frames without L3) */
	__u8 addr[16];
	__u8 _pad[2];
};
_Static_assert(sizeof(struct xg_lpm_key) == 24, "xg_lpm_key layout");

/* Key of a rule bit-vector: slot, field and EC. */
struct xg_bits_key {
	__u8 slot;
	__u8 field;
	__u16 ec;
};
_Static_assert(sizeof(struct xg_bits_key) == 4, "xg_bits_key layout");

struct xg_bits {
	__u64 w[XG_BITS_WORDS]; /* bit r of word r/64: rule r accepts this EC */
};

/* Key of the first-match cache: the rule set generation and the EC of every field. */
struct xg_cache_key {
	__u32 gen;
	__u16 ec[XG_F_MAX];
	__u16 _pad; /* explicit: the key is hashed and compared whole */
};
_Static_assert(sizeof(struct xg_cache_key) == 28, "xg_cache_key layout");

/* One entry of the direct-mapped per-CPU cache (index: a hash of the key). A generation
 * that no slot has any more never matches, so a reload needs no flush. */
struct xg_cache_ent {
	struct xg_cache_key k;
	__u32 rule1; /* first matching rule + 1; 0: none (the default) */
	__u32 valid; /* 0 until first written */
};
_Static_assert(sizeof(struct xg_cache_ent) == 36, "xg_cache_ent layout");
#define XG_CACHE_BITS 14
#define XG_CACHE_SIZE (1u << XG_CACHE_BITS) /* entries per CPU */

/* The small-set words, per slot: XG_ECA_SIZE words indexed like the EC array (by value),
 * then XG_SMALL_EC words for the classes of src, then of dst. Index: slot * XG_W64_SLOT +. */
#define XG_SMALL_EC 256
#define XG_SMALL_RULES 64
#define XG_W64_SRC XG_ECA_SIZE
#define XG_W64_DST (XG_W64_SRC + XG_SMALL_EC)
#define XG_W64_SLOT (XG_W64_DST + XG_SMALL_EC)

/* What a rule does (index: slot * XG_RULES_MAX_BPF + rule). */
struct xg_rule_action {
	__u32 verdict;	 /* enum xg_verdict */
	__u32 ifindex;	 /* REDIRECT target */
	__u32 log_every; /* `log every N`: N; 0: the rule does not log */
	__u32 limit;	 /* `limit`: its id + 1 (xg_limits, xg_leases); 0: none */
};
_Static_assert(sizeof(struct xg_rule_action) == 16, "xg_rule_action layout");

/* The drop log (README "Sampled drop log"): one record per sampled frame in a ring buffer.
 * The gate reads log_every only in a slot with XG_SLOT_LOG, so a set without `log` pays
 * nothing but one flag test per matched frame. */
#define XG_LOG_SNAP 128		/* bytes of the frame copied (a power of two: the gate masks) */
#define XG_LOG_RING (256 << 10) /* ring buffer bytes: ~1,600 records */
struct xg_log_rec {
	__u64 ts_ns;   /* bpf_ktime_get_boot_ns() */
	__u32 gen;     /* rule set generation, names the set rule belongs to */
	__u32 rule;    /* 0-based */
	__u32 verdict; /* the rule's action (enum xg_verdict) */
	__u32 len;     /* frame length */
	__u32 caplen;  /* bytes in data: min(len, XG_LOG_SNAP) */
	__u32 queue;   /* receive queue */
	__u8 data[XG_LOG_SNAP];
};
_Static_assert(sizeof(struct xg_log_rec) == 32 + XG_LOG_SNAP, "xg_log_rec layout");

/* Named prefix sets (README "Sets"): each one LPM trie of its own, both families, held in
 * an array of maps (xg_sets) by a gate-wide set id, and the set's IPv4 prefixes again as a
 * flat table (below) in a second array of maps (xg_sets4) under the same id. The trie is
 * what userspace lists and edits; the gate looks IPv4 up in the flat table and IPv6 in the
 * trie. A set reloads by swapping one pointer per family. A rule set uses at most
 * XG_SET_RULESET_MAX of them, so that the live slot's sets and a reload's new ones fit side
 * by side; at most XG_SET_FIELD_MAX per address field, whose membership bits multiply that
 * field's classes. */
#define XG_SETS_MAX 8
#define XG_SET_RULESET_MAX 4
#define XG_SET_FIELD_MAX 4
#define XG_SET_PREFIXES_MAX 1000000
#define XG_SET_NAME_BPF 32 /* bytes of a set name, NUL included */
_Static_assert(2 * XG_SET_RULESET_MAX <= XG_SETS_MAX, "a reload's sets fit beside the live ones");

/* Key of a set's trie: family first, so IPv4 and IPv6 prefixes share one trie. */
struct xg_set_key {
	__u32 prefixlen; /* 8 + the address prefix length */
	__u8 family;	 /* 4 or 6 */
	__u8 addr[16];
	__u8 _pad[3];
};
_Static_assert(sizeof(struct xg_set_key) == 24, "xg_set_key layout");

/* The IPv4 side of a set: DIR-16-8-8 (like XG_DIR4 above) with a bitmap leaf, all in one
 * array of __u32 words sized to the set. Words [0, XG_SET4_L1) are level 1, indexed by the
 * top 16 bits of the address; an entry is XG_SET4_NONE (no address under it is in the
 * set), XG_SET4_ALL (every one is) or the word offset of a level-2 block: XG_SET4_BLOCK
 * words indexed by the next 8 bits, same encoding, where an offset names a level-3 bitmap
 * of XG_SET4_BITMAP words, one bit per value of the last 8 bits. Membership needs no
 * class, only "covered by some prefix", so one bit per address suffices at the leaf. The
 * kernel rounds array values up to 8 bytes: the words go XG_SET4_GROUP to a map value
 * (every block and bitmap starts at a multiple of it, so a bitmap is one value). */
#define XG_SET4_NONE 0u
#define XG_SET4_ALL 1u
#define XG_SET4_L1 XG_DIR4_L1
#define XG_SET4_BLOCK XG_DIR4_BLOCK_SIZE
#define XG_SET4_BITMAP 8 /* 256 bits */
#define XG_SET4_GROUP 8
struct xg_set4_elem {
	__u32 w[XG_SET4_GROUP];
};
_Static_assert(sizeof(struct xg_set4_elem) % 8 == 0, "no padding in an array value");
_Static_assert(XG_SET4_BITMAP == XG_SET4_GROUP && XG_SET4_BLOCK % XG_SET4_GROUP == 0 &&
		       XG_SET4_L1 % XG_SET4_GROUP == 0,
	       "blocks and bitmaps start at a value's first word");

/* Is host-order IPv4 address a in the flat table whose word at offset off is WORD(off)?
 * At most three reads, no loop; the one walk, for the gate and for userspace. */
#define XG_SET4_HAS(WORD, a)                                                  \
	({                                                                    \
		__u32 a_ = (a), e_ = WORD(a_ >> 16);                          \
		if (e_ > XG_SET4_ALL)                                         \
			e_ = WORD(e_ + ((a_ >> 8) & 0xff));                   \
		if (e_ > XG_SET4_ALL)                                         \
			e_ = WORD(e_ + ((a_ & 0xff) >> 5)) >> (a_ & 31) & 1u; \
		e_ != XG_SET4_NONE;                                           \
	})

/* Userspace-only, per set id: which name it has and how many prefixes (name[0] == 0:
 * the id is free). */
struct xg_set_info {
	char name[XG_SET_NAME_BPF];
	__u32 count;
	__u32 _pad;
};
_Static_assert(sizeof(struct xg_set_info) == 40, "xg_set_info layout");

/* Rate limits (README "Limits"): `limit RATE` is a condition met while the rule's bucket
 * has room. One bucket per limited rule, shared by all CPUs: a GCRA (virtual scheduling)
 * with the theoretical arrival time tat advanced by atomic adds. A CPU does not go to it
 * for each frame: it takes a lease of room (a slice of the rate, at most the burst) into
 * its own xg_lease, spends it frame by frame without atomics or a clock read, and comes
 * back when it runs short. Times are in 1/256 ns (XG_LIMIT_SHIFT) so that byte rates up to
 * GB/s keep their precision. They count from the bucket's epoch, the coarse monotonic clock
 * when its rule set was loaded: 2^64 of them is 2.28 years, and they hold for
 * XG_LIMIT_CLOCK_NS (2 years) with a burst of at most XG_LIMIT_BURST_CAP added 16 times
 * (tat runs at most a burst ahead of the clock, plus the leases CPUs add at once).
 * Index: slot * XG_LIMITS_MAX + limit, in both maps. */
#define XG_LIMITS_MAX 16
#define XG_LIMIT_SHIFT 8
#define XG_LIMIT_LEASE_NS 1000000ULL /* a lease: 1 ms of the rate (at most the burst) */
#define XG_LIMIT_CLOCK_NS (2ULL * 36524 * 24 * 3600 * 1000000000 / 100) /* 2 years */
#define XG_LIMIT_BURST_CAP (1ULL << 56) /* 2^48 ns: 3.2 days of the rate */
_Static_assert(XG_LIMIT_CLOCK_NS < (1ULL << (64 - XG_LIMIT_SHIFT)) &&
		       (XG_LIMIT_CLOCK_NS << XG_LIMIT_SHIFT) <= ~0ULL - 16 * XG_LIMIT_BURST_CAP,
	       "a limit's clock and tat do not wrap within XG_LIMIT_CLOCK_NS of its epoch");
struct xg_bucket {
	__u64 tat;   /* when the bucket is empty again, in ns << XG_LIMIT_SHIFT */
	__u64 burst; /* what may come at once: burst * cost of one unit, XG_LIMIT_BURST_CAP at most */
	__u64 lease; /* what a CPU takes at a time: XG_LIMIT_LEASE_NS, at most burst */
	__u64 epoch; /* bpf_ktime_get_coarse_ns (CLOCK_MONOTONIC_COARSE) at the load: time 0 */
};
_Static_assert(sizeof(struct xg_bucket) == 32, "xg_bucket layout");

/* A CPU's lease from a bucket (per CPU). The cost lives here, not in the bucket: the frames
 * that the lease covers read this entry alone. */
struct xg_lease {
	__u64 left;    /* room held, taken from the bucket, in ns << XG_LIMIT_SHIFT */
	__u64 retry;   /* the clock (<< XG_LIMIT_SHIFT) before which the bucket refuses the
		      * frame this CPU was last refused: it does not ask again sooner */
	__u64 cost;    /* per frame, or per byte (bytes set), in ns << XG_LIMIT_SHIFT */
	__u64 jiffies; /* the tick of the last clock read, */
	__u64 now;     /* and what it read (<< XG_LIMIT_SHIFT): one read a tick */
	__u32 bytes;   /* 1: cost is per byte of the frame */
	__u32 _pad;
};
_Static_assert(sizeof(struct xg_lease) == 48, "xg_lease layout");

/* Per-slot configuration, inside struct xg_config. */
struct xg_slot_cfg {
	__u32 default_verdict; /* enum xg_verdict, for frames no rule matches */
	__u32 nrules;	       /* 0: every frame gets the default, no lookups */
	__u32 nwords;	       /* bit-vector words in use: (nrules + 63) / 64 */
	__u32 fields;	       /* bit f set: some rule has a condition on field f */
	__u32 gen;	       /* rule set generation, part of the cache key */
	__u32 flags;	       /* XG_SLOT_* */
	__u16 xsk_rule4;       /* XG_SLOT_XSK_IP: the rule of untagged IPv4 frames, */
	__u16 xsk_rule6;       /* and of IPv6; XG_NO_RULE16: the full path decides */
	__u32 _pad;
	/* Prefix sets tested on src ([0]) and dst ([1]): the gate's set ids (xg_sets) in the
	 * order of their membership bits, and the stride of one bit in the field's classes:
	 * the class of an address is its prefix class + stride * (membership bits). */
	__u8 nsets[2];
	__u8 set_id[2][XG_SET_FIELD_MAX];
	__u16 set_stride[2];
	__u16 nlimits; /* rules with a limit; 0: the gate never looks at a bucket */
};
#define XG_SLOT_SMALL 0x1 /* first match from the small-set words, no cache */
/* Every rule sends to AF_XDP and tests only EtherType IPv4/IPv6 (the pool's default set,
 * "xsk ether ipv4" + "xsk ether ipv6"): an untagged IPv4 or IPv6 frame goes to its rule
 * without being parsed (counted as XG_PARSE_UNPARSED); every other frame takes the full
 * path. */
#define XG_SLOT_XSK_IP 0x2
#define XG_NO_RULE16 0xffff
/* src (dst: << 1) has sets and a single prefix class (no rule tests a prefix there): the
 * class is the set bits alone, and the gate skips the prefix lookup */
#define XG_SLOT_SRC_SETS_ONLY 0x4
#define XG_SLOT_LOG 0x10 /* some rule has `log`: matched frames check their rule's log_every */
/* some rule has `match`: the slot's program tail-calls xg_match_progs[slot] first, which
 * writes the expressions' results to xg_match_scratch and tail-calls the slot's program
 * (xg_gate_progs[slot]) again */
#define XG_SLOT_MATCH 0x20

/* Per CPU: what a generated match program hands the gate it tail-calls. pending is set
 * only for that one call: the gate clears it on entry, so no other frame reads bits. */
struct xg_match_scratch {
	__u32 pending; /* 1: this entry of the gate is the continuation */
	__u32 slot;    /* the slot the gate chose before the program ran */
	__u32 bits;    /* bit i: expression i holds */
	__u32 _pad;
};
_Static_assert(sizeof(struct xg_match_scratch) == 16, "xg_match_scratch layout");
/* `flows`: every parsed frame goes by the flow table (common/xdpgate_flows.h) */
#define XG_SLOT_FLOWS 0x100
/* What else a specialised program (struct xg_shape) needs to know of its slot's set: it has
 * rules (else every frame takes the default), limits, prefix sets on src (dst: << 1), and
 * `counters parse` (the parse-outcome and fragment counters, which need every frame parsed
 * to L4: off, a frame is parsed only as deep as the rules read). */
#define XG_SLOT_RULES 0x200
#define XG_SLOT_LIMITS 0x400
#define XG_SLOT_SRC_SETS 0x800
#define XG_SLOT_PARSE_CNT 0x2000

/* The program the gate runs for one slot: the gate's entry (xdpgate, what is attached)
 * tail-calls xg_gate_progs[active], a program built for that slot's set alone. Its shape is
 * rodata set before it loads, so the verifier removes the code of every field, table and
 * feature the set does not use (README "Cost"), and the parse stops at the deepest header
 * a rule reads. The flip of `active` then moves frames from one program to the other: each
 * frame runs one program, reading one slot. */
struct xg_shape {
	__u32 slot;    /* the slot it classifies by */
	__u32 flags;   /* the slot's XG_SLOT_* */
	__u32 fields;  /* bit f: some rule tests field f */
	__u32 depth;   /* enum xg_depth (common/parse.h) */
	__u32 ct_mode; /* XG_CT_MODE_* (common/ct_state.h) */
};
_Static_assert(sizeof(struct xg_shape) == 20, "xg_shape layout");

/* A verified slot program kept for reuse (xg_variants[i], described by xg_variant_info[i]):
 * at most XG_VARIANTS_MAX, the least recently used replaced first. */
#define XG_VARIANTS_MAX 16
struct xg_variant {
	struct xg_shape shape;
	__u32 prog_id; /* 0: the entry is empty */
	__u64 used;    /* when it last went live: a count of installs, larger is later */
	__u32 build;   /* the xdpgate build that verified it (a hash of its objects) */
	__u32 _pad;
};
_Static_assert(sizeof(struct xg_variant) == 40, "xg_variant layout");
_Static_assert(sizeof(struct xg_slot_cfg) == 48, "xg_slot_cfg layout");

#endif
