/* SPDX-License-Identifier: GPL-2.0 */
/* Part of xdp/xdpgate.bpf.c, included once where the frame path needs it (it uses the
 * gate's count() and stats record): the frame's connection state from the kernel's
 * conntrack. */
#ifndef XG_GATE_CT_H
#define XG_GATE_CT_H

/* ---- connection state (`ct`: common/ct_state.h, docs/conntrack.md) ----
 * Only a gate loaded for a rule set with `ct` has this code: xg_ct_mode is set at load
 * (user/rules/ct.c), and with it 0 the verifier drops every path to the kfuncs. The types are
 * the kernel's through CO-RE: a struct nf_conn of the one field read, relocated against the
 * kernel's BTF (a complete struct, not a forward declaration, so libbpf finds the kfunc's
 * prototype compatible), rather than a vmlinux.h, whose types clash with the uapi headers
 * common/ shares with userspace. */
const volatile __u32 xg_ct_mode = XG_CT_MODE_OFF;

struct nf_conn {
	unsigned long status;
} __attribute__((preserve_access_index));

struct bpf_ct_opts {
	__s32 netns_id;
	__s32 error;
	__u8 l4proto;
	__u8 dir;
	__u8 reserved[2];
};

extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *ctx, struct bpf_sock_tuple *tuple,
					 __u32 tuple__sz, struct bpf_ct_opts *opts,
					 __u32 opts__sz) __ksym;
extern void bpf_ct_release(struct nf_conn *ct) __ksym;

/* XG_CT_MODE_INJECT (tests only): the lookup's answer (enum xg_ct_found) comes from here. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} xg_ct_inject SEC(".maps");

/* What conntrack holds for tuple t (enum xg_ct_found). */
static __always_inline __u32 ct_lookup(struct xdp_md *ctx, struct xg_stats_rec *st,
				       struct bpf_sock_tuple *t, __u32 tlen, __u8 proto)
{
	struct bpf_ct_opts o = { .netns_id = -1, .l4proto = proto }; /* -1: the frame's netns */
	struct nf_conn *ct;
	__u32 zero = 0, *v, f;

	if (xg_ct_mode == XG_CT_MODE_INJECT) {
		v = bpf_map_lookup_elem(&xg_ct_inject, &zero);
		return v ? *v : XG_CTF_MISS;
	}
	ct = bpf_xdp_ct_lookup(ctx, t, tlen, &o, sizeof(o));
	if (!ct) {
		if (o.error != -2) /* -ENOENT: no entry, the normal miss */
			count(st, XG_CNT_CT_ERROR, 0);
		return XG_CTF_MISS;
	}
	f = xg_ct_found_of(ct->status, o.dir);
	bpf_ct_release(ct);
	return f;
}

/* The TCP/UDP header an ICMP error quotes (its IP header at off) as a lookup tuple; its
 * length, or 0 when there is none to look up. A quoted ICMP query (a ping that met an error)
 * has no tuple the kfuncs take: *found becomes what its reply would be, established. */
static __always_inline __u32 ct_inner_tuple(struct xdp_md *ctx, const struct xg_pkt *p,
					    struct bpf_sock_tuple *t, __u8 *proto, __u32 *found)
{
	__u32 off = p->l4_off + 8, l4;
	__u8 b[40];

	if (p->family == 4) {
		if (bpf_xdp_load_bytes(ctx, off, b, 20) || (b[0] >> 4) != 4 || (b[0] & 15) < 5 ||
		    (b[6] & 0x1f) || b[7])
			return 0; /* not IPv4, or a later fragment: no ports */
		*proto = b[9];
		l4 = off + (b[0] & 15) * 4;
		__builtin_memcpy(&t->ipv4.saddr, &b[12], 8);
	} else {
		if (bpf_xdp_load_bytes(ctx, off, b, 40) || (b[0] >> 4) != 6)
			return 0;
		*proto = b[6];
		l4 = off + 40;
		__builtin_memcpy(t->ipv6.saddr, &b[8], 32);
	}
	if (bpf_xdp_load_bytes(ctx, l4, b, 4))
		return 0;
	if ((p->family == 4 && *proto == IPPROTO_ICMP && xg_ct_icmp4_need(b[0]) == XG_CTN_QUERY) ||
	    (p->family == 6 && *proto == XG_IPPROTO_ICMPV6 &&
	     xg_ct_icmp6_need(b[0]) == XG_CTN_QUERY)) {
		*found = XG_CTF_ESTABLISHED;
		return 0;
	}
	if (*proto != IPPROTO_TCP && *proto != IPPROTO_UDP)
		return 0;
	if (p->family == 4) {
		__builtin_memcpy(&t->ipv4.sport, b, 4);
		return sizeof(t->ipv4);
	}
	__builtin_memcpy(&t->ipv6.sport, b, 4);
	return sizeof(t->ipv6);
}

/* The frame's connection state (enum xg_ct_state), counted. A call: the path of a set
 * without `ct` keeps its registers. */
static __noinline __u32 ct_state(struct xdp_md *ctx, struct xg_stats_rec *st,
				 const struct xg_pkt *p, __u64 len)
{
	struct bpf_sock_tuple t = {};
	__u32 need, tlen = 0, found = XG_CTF_MISS, s;
	__u8 proto = 0;

	if (!st || !p)
		return XG_CT_NONE;
	need = xg_ct_need(p);
	if (need == XG_CTN_OWN) {
		proto = p->l4_proto;
		if (p->family == 4) {
			t.ipv4.saddr = p->saddr[0];
			t.ipv4.daddr = p->daddr[0];
			t.ipv4.sport = xg_htons(p->sport);
			t.ipv4.dport = xg_htons(p->dport);
			tlen = sizeof(t.ipv4);
		} else {
			__builtin_memcpy(t.ipv6.saddr, p->saddr, 16);
			__builtin_memcpy(t.ipv6.daddr, p->daddr, 16);
			t.ipv6.sport = xg_htons(p->sport);
			t.ipv6.dport = xg_htons(p->dport);
			tlen = sizeof(t.ipv6);
		}
	} else if (need == XG_CTN_INNER) {
		tlen = ct_inner_tuple(ctx, p, &t, &proto, &found);
	}
	if (tlen)
		found = ct_lookup(ctx, st, &t, tlen, proto);
	s = xg_ct_state_of(p, found);
	count(st, XG_CNT_CT + (s < XG_CT_STATE_MAX ? s : XG_CT_NONE), len);
	return s;
}

#endif
