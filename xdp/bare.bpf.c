// SPDX-License-Identifier: GPL-2.0
/* Bare reference programs for the benchmark: the ceiling (drop), a MAC-swapping bounce
 * (tx) and a redirect to a second interface. Kept minimal on purpose: they measure the
 * cost of XDP itself, against which every xdpgate row is a ratio. All are frags-aware
 * (multi-buffer XDP), as the gate is, so they attach natively at any MTU the driver takes. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 redirect_ifindex = 0;

SEC("xdp.frags")
int bare_drop(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_DROP;
}

/* Drop after reading the EtherType: the ceiling for any program that looks at headers,
 * since on veth the first read of a frame is a cache miss (the sender's CPU wrote it). */
SEC("xdp.frags")
int bare_drop_read(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	return eth->h_proto ? XDP_DROP : XDP_ABORTED;
}

SEC("xdp.frags")
int bare_tx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	unsigned char tmp[ETH_ALEN];

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
	return XDP_TX;
}

SEC("xdp.frags")
int bare_redirect(struct xdp_md *ctx)
{
	(void)ctx;
	return bpf_redirect(redirect_ifindex, 0);
}

/* What `xdpgate baseline pass` attaches: a peer end that needs NAPI to accept XDP frames
 * gets it from any XDP program. */
SEC("xdp.frags")
int bare_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}
