// SPDX-License-Identifier: GPL-2.0
/* The gate: parse every frame, classify it, count it, return one XDP verdict. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "../common/parse.h"
#include "../common/xdpgate_structs.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XG_CNT_MAX);
	__type(key, __u32);
	__type(value, struct xg_counter_val);
} xg_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_config);
} xg_config SEC(".maps");

static __always_inline void count(__u32 idx, __u64 bytes)
{
	struct xg_counter_val *v = bpf_map_lookup_elem(&xg_stats, &idx);

	/* per-CPU slot: no other writer, plain adds are safe */
	if (v) {
		v->packets++;
		v->bytes += bytes;
	}
}

/* The rule engine plugs in here: given the parse result, return an enum xg_verdict.
 * For now every frame gets the configured default. */
static __always_inline __u32 classify(const struct xg_pkt *pkt, int outcome)
{
	__u32 key = 0;
	struct xg_config *cfg = bpf_map_lookup_elem(&xg_config, &key);

	(void)pkt;
	(void)outcome;
	if (!cfg)
		return XG_VERDICT_ABORTED;
	return cfg->default_verdict;
}

static __always_inline int verdict_to_xdp(__u32 verdict)
{
	switch (verdict) {
	case XG_VERDICT_PASS:
		return XDP_PASS;
	case XG_VERDICT_DROP:
		return XDP_DROP;
	default:
		return XDP_ABORTED;
	}
}

SEC("xdp")
int xdpgate(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 len = data_end - data;
	struct xg_pkt pkt = {};
	__u32 verdict;
	int outcome;

	outcome = xg_parse_frame(data, data_end, &pkt);
	count(XG_CNT_PARSE + ((__u32)outcome % XG_PARSE_MAX), len);
	if (pkt.frag == XG_FRAG_FIRST)
		count(XG_CNT_FRAG_FIRST, len);
	else if (pkt.frag == XG_FRAG_LATER)
		count(XG_CNT_FRAG_LATER, len);

	verdict = classify(&pkt, outcome);
	/* count what really happens: a verdict this program cannot carry out is an abort */
	if (verdict != XG_VERDICT_PASS && verdict != XG_VERDICT_DROP)
		verdict = XG_VERDICT_ABORTED;
	count(XG_CNT_VERDICT + verdict, len);
	return verdict_to_xdp(verdict);
}
