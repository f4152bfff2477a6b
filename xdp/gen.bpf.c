// SPDX-License-Identifier: GPL-2.0
/* The generator's engine: run under BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES on a
 * template frame; every run rewrites the per-frame fields (flow: source port and address;
 * marker: thread, flow, seq), patches checksums incrementally, and transmits with XDP_TX.
 * The kernel recycles frame pages without re-copying the template, so every run rewrites
 * every varying field from what is in the page now. */
#include <linux/bpf.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "common/endian.h"
#include "common/gen_marker.h"
#include "common/gen_tx.h"

char LICENSE[] SEC("license") = "GPL";

/* Layout of the template, filled in by userspace before load (absolute offsets). */
const volatile __u32 flows = 1;
const volatile __u32 saddr_base = 0; /* host order: IPv4 address, or IPv6's last word */
const volatile __u16 sport_base = 0;
const volatile __u16 saddr_off = 0;	  /* 0: do not vary the address */
const volatile __u16 sport_off = 0;	  /* 0: do not vary the port */
const volatile __u16 marker_off = 0;	  /* 0: the frame has no room for a marker */
const volatile __u16 ip_csum_off = 0;	  /* IPv4 header checksum; 0 for IPv6 */
const volatile __u16 l4_csum_off = 0;	  /* 0: no L4 checksum to patch */
const volatile __u8 l4_csum_has_addr = 0; /* pseudo-header covers the source address */
const volatile __u8 udp_csum = 0;	  /* 0 after the update must be sent as 0xffff */
const volatile __u64 pace_ns = 0;	  /* per-thread gap between frames; 0: unpaced */
const volatile __u32 gen_tgid = 0;	  /* the generator process: only its frames count */
const volatile __s32 gen_ifindex = 0;	  /* where they go */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gen_seq SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_gen_tx);
} gen_tx SEC(".maps");

/* When each frame may go: per CPU, as each generator thread owns one. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gen_next SEC(".maps");

static long wait_cb(__u64 i, void *ctx)
{
	(void)i;
	return bpf_ktime_get_ns() >= *(__u64 *)ctx; /* 1 ends the loop */
}

/* Spread frames evenly: wait until this frame's time, then schedule the next. A thread
 * that fell more than 20 ms behind starts afresh rather than bursting to catch up. */
static __always_inline void pace(void)
{
	__u32 key = 0;
	__u64 *next = bpf_map_lookup_elem(&gen_next, &key), now, until;

	if (!next)
		return;
	now = bpf_ktime_get_ns();
	if (*next == 0 || now > *next + 20000000)
		*next = now;
	until = *next;
	if (now < until)
		bpf_loop(1 << 20, wait_cb, &until, 0);
	*next = until + pace_ns;
}

static __always_inline __u16 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* RFC 1624 eqn. 3 over whole 16-bit words: HC' = ~(~HC + ~m + m'). */
static __always_inline void csum_replace(__u16 *csum, const __u16 *oldw, const __u16 *neww,
					 int nwords)
{
	__u32 sum = (__u16) ~*csum;
	int i;

#pragma unroll
	for (i = 0; i < 8; i++) {
		if (i >= nwords)
			break;
		sum += (__u16)~oldw[i] + neww[i];
	}
	*csum = ~csum_fold(sum);
}

/* Overwrite nwords 16-bit words at off with v and patch the checksums covering them.
 * Inlined with a constant nwords, so the bounds check is on a known size. */
static __always_inline void patch(void *data, void *data_end, __u16 off, const __u16 *v, int nwords,
				  int in_ip_hdr, int in_l4_csum)
{
	__u16 *w = data + off;
	__u16 old[8];
	int i;

	if ((void *)(w + nwords) > data_end)
		return;
#pragma unroll
	for (i = 0; i < 8; i++)
		if (i < nwords)
			old[i] = w[i];
	if (in_ip_hdr && ip_csum_off && data + ip_csum_off + 2 <= data_end)
		csum_replace(data + ip_csum_off, old, v, nwords);
	if (in_l4_csum && l4_csum_off && data + l4_csum_off + 2 <= data_end) {
		__u16 *c = data + l4_csum_off;

		/* UDP over IPv4 may carry 0 = no checksum; keep it so, else never emit 0 */
		if (!(udp_csum && *c == 0)) {
			csum_replace(c, old, v, nwords);
			if (udp_csum && *c == 0)
				*c = 0xffff;
		}
	}
#pragma unroll
	for (i = 0; i < 8; i++)
		if (i < nwords)
			w[i] = v[i];
}

SEC("xdp")
int xdpgate_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct xg_gen_marker m;
	__u32 key = 0, flow;
	__u64 *seqp, seq;

	if (pace_ns)
		pace();
	seqp = bpf_map_lookup_elem(&gen_seq, &key);
	if (!seqp)
		return XDP_ABORTED;
	seq = (*seqp)++; /* per-CPU: one generator thread per CPU */
	flow = flows > 1 ? (__u32)(seq % flows) : 0;

	if (saddr_off) {
		__u32 a = xg_htonl(saddr_base + flow);

		patch(data, data_end, saddr_off, (__u16 *)&a, 2, 1, l4_csum_has_addr);
	}
	if (sport_off) {
		__u16 p = xg_htons((__u16)(sport_base + flow));

		patch(data, data_end, sport_off, &p, 1, 0, 1);
	}
	if (marker_off) {
		m.magic = xg_htons(XG_GEN_MAGIC);
		m.thread = xg_htons((__u16)bpf_get_smp_processor_id());
		m.flow = xg_htonl(flow);
		m.seq = xg_htonll(seq);
		patch(data, data_end, marker_off, (__u16 *)&m, 8, 0, 1);
	}
	return XDP_TX;
}

/* The kernel's own, reduced to what we read; CO-RE finds ifindex wherever it is. */
struct net_device {
	int ifindex;
} __attribute__((preserve_access_index));

/* BPF_PROG_RUN flushes the redirected frames to the driver in the calling thread, so the
 * tracepoints fire in it: the tgid tells our frames from any other XDP redirect. */
static __always_inline struct xg_gen_tx *our_tx(const struct net_device *dev)
{
	__u32 key = 0;

	if (bpf_get_current_pid_tgid() >> 32 != gen_tgid ||
	    BPF_CORE_READ(dev, ifindex) != gen_ifindex)
		return 0;
	return bpf_map_lookup_elem(&gen_tx, &key);
}

/* xdp_devmap_xmit(from_dev, to_dev, sent, drops, err): a bulk handed to the driver */
SEC("raw_tp/xdp_devmap_xmit")
int gen_xmit(__u64 *ctx)
{
	struct xg_gen_tx *tx = our_tx((const struct net_device *)ctx[1]);
	int sent = (int)ctx[2], drops = (int)ctx[3], err = (int)ctx[4];

	if (!tx)
		return 0;
	tx->sent += sent > 0 ? sent : 0;
	tx->dropped += drops > 0 ? drops : 0;
	if (err)
		tx->err = err;
	return 0;
}

/* xdp_redirect_err(dev, xdp, tgt, err, map_type, map_id, index): a frame the redirect
 * refused before any driver saw it */
SEC("raw_tp/xdp_redirect_err")
int gen_redirect_err(__u64 *ctx)
{
	struct xg_gen_tx *tx = our_tx((const struct net_device *)ctx[0]);

	if (!tx)
		return 0;
	tx->refused++;
	tx->err = (int)ctx[3];
	return 0;
}
