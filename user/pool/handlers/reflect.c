// SPDX-License-Identifier: GPL-2.0
/* reflect: send every frame back out of the queue it came in on, rewritten in place so it
 * answers its sender: Ethernet, IP addresses and TCP/UDP ports swapped, ICMP and ICMPv6
 * echo requests turned into echo replies.
 *
 * Checksums: the IPv4 header checksum and the TCP/UDP/ICMPv6 checksums (pseudo-header
 * included) are one's-complement sums of 16-bit words, and such a sum does not depend on
 * the order of its words. Swapping source and destination (addresses, ports) only
 * exchanges words inside the summed data, so every checksum stays valid as it is. Only
 * the ICMP type changes a word's value; that checksum is updated incrementally (RFC 1624).
 *
 * Every header is rewritten only where xg_parse_frame() has seen it whole inside
 * [data, data + len): a frame cut short in L3 or L4 gets what lies before the cut (MACs,
 * then addresses) and is still sent. Only a frame without a whole Ethernet header is
 * dropped. Stateless: there is no per-queue state. */
#include <string.h>

#include "common/parse.h"
#include "user/pool/handler.h"
#include "user/util/frame_build.h"
#include "user/util/log.h"

#define ICMP_ECHO_REQUEST 8
#define ICMP_ECHO_REPLY 0
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129

/* Exchange two non-overlapping runs of n bytes (n <= 16). */
static void swap_bytes(uint8_t *a, uint8_t *b, size_t n)
{
	uint8_t t[16];

	memcpy(t, a, n);
	memcpy(a, b, n);
	memcpy(b, t, n);
}

/* Turn an echo request into an echo reply; the parser has seen type, code and checksum. */
static void echo_reply(uint8_t *icmp, uint8_t reply)
{
	uint16_t old_word = (uint16_t)(icmp[0] << 8 | icmp[1]);
	uint16_t new_word = (uint16_t)(reply << 8 | icmp[1]);
	uint16_t hc = (uint16_t)(icmp[2] << 8 | icmp[3]);

	hc = xg_csum_replace16(hc, old_word, new_word);
	icmp[0] = reply;
	icmp[2] = (uint8_t)(hc >> 8);
	icmp[3] = (uint8_t)hc;
}

static void reflect_l4(uint8_t *data, const struct xg_pkt *p)
{
	uint8_t *l4 = data + p->l4_off;

	if (!p->l4_ok)
		return;
	switch (p->l4_proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		swap_bytes(l4, l4 + 2, 2); /* source and destination port lead both headers */
		break;
	case IPPROTO_ICMP: /* l4_ok for ICMP only in IPv4, ICMPv6 only in IPv6 */
		if (l4[0] == ICMP_ECHO_REQUEST)
			echo_reply(l4, ICMP_ECHO_REPLY);
		break;
	case XG_IPPROTO_ICMPV6:
		if (l4[0] == ICMPV6_ECHO_REQUEST)
			echo_reply(l4, ICMPV6_ECHO_REPLY);
		break;
	}
}

static void reflect_one(uint8_t *data, uint32_t len)
{
	struct xg_pkt p = { 0 };
	uint8_t *l3;

	swap_bytes(data, data + 6, 6);
	xg_parse_frame(data, data + len, &p);
	/* family is set only once the fixed L3 header (IPv4: with options) is inside len */
	l3 = data + p.l3_off;
	if (p.family == 4)
		swap_bytes(l3 + 12, l3 + 16, 4);
	else if (p.family == 6)
		swap_bytes(l3 + 8, l3 + 24, 16);
	else
		return;
	reflect_l4(data, &p);
}

static int reflect_init(void **state, const char *arg, unsigned int queue, void *ctx)
{
	(void)queue;
	(void)ctx;
	if (arg) {
		pr_warn("handler reflect takes no options\n");
		return -1;
	}
	*state = NULL;
	return 0;
}

static void reflect_batch(void *state, struct xg_batch *b, struct xg_handler_stats *st)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < b->n; i++) {
		struct xg_xsk_frame *f = &b->frames[i];

		if (f->len < sizeof(struct ethhdr)) {
			st->dropped_malformed++; /* action stays XG_ACT_RECYCLE */
			continue;
		}
		reflect_one(f->data, f->len);
		b->action[i] = XG_ACT_TX;
		st->handled++;
	}
}

static void reflect_fini(void *state)
{
	(void)state;
}

const struct xg_handler_ops xg_handler_reflect = {
	.name = "reflect",
	.init = reflect_init,
	.batch = reflect_batch,
	.fini = reflect_fini,
};
