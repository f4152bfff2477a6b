// SPDX-License-Identifier: GPL-2.0
/* count: count and recycle every frame (rxdrop). With "count:verify" it also checks the
 * generator's markers: a generator thread numbers all its frames in one sequence (flows
 * take turns), so per thread the numbers must go up by one: a step back is a duplicate or
 * a reordering, a jump counts the frames missing in between. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/gen_marker.h"
#include "common/parse.h"
#include "user/pool/handler.h"
#include "user/util/log.h"

#define THREADS_MAX 1024

struct count_state {
	int verify;
	uint64_t next_seq[THREADS_MAX]; /* per generator thread: the seq expected next */
	uint64_t seen, dup_or_reordered, gaps, no_marker;
};

static int count_init(void **state, const char *arg, unsigned int queue, void *ctx)
{
	struct count_state *s = calloc(1, sizeof(*s));

	(void)ctx;
	(void)queue;
	if (!s)
		return -1;
	if (arg && strcmp(arg, "verify")) {
		pr_warn("handler count: unknown option '%s' (count or count:verify)\n", arg);
		free(s);
		return -1;
	}
	s->verify = arg != NULL;
	*state = s;
	return 0;
}

/* Where the generator puts its marker (common/gen_marker.h): right after the L4 header,
 * which for ICMP and ICMPv6 is the 8-byte echo header. The parser has seen the whole TCP
 * header (doff included) and at least the first 4 bytes of ICMP; the caller checks the
 * frame holds the marker past this offset. */
static size_t marker_off(const uint8_t *data, const struct xg_pkt *p)
{
	if (p->l4_proto == IPPROTO_TCP)
		return p->l4_off + (size_t)(data[p->l4_off + 12] >> 4) * 4;
	return p->l4_off + 8; /* UDP header, or ICMP type, code, checksum, id, seq */
}

static void verify_one(struct count_state *s, const struct xg_xsk_frame *f)
{
	struct xg_gen_marker m;
	struct xg_pkt p = { 0 };
	uint32_t slot;
	uint64_t seq;
	size_t off;
	int outcome = xg_parse_frame(f->data, f->data + f->len, &p);

	/* l4_ok: a TCP, UDP, or (in its own family) ICMP header the parser has read */
	if ((outcome != XG_PARSE_IPV4 && outcome != XG_PARSE_IPV6) || !p.l4_ok) {
		s->no_marker++;
		return;
	}
	off = marker_off(f->data, &p);
	if (off + sizeof(m) > f->len) {
		s->no_marker++;
		return;
	}
	memcpy(&m, f->data + off, sizeof(m)); /* the marker's offset need not be aligned */
	if (xg_ntohs(m.magic) != XG_GEN_MAGIC) {
		s->no_marker++;
		return;
	}
	seq = xg_ntohll(m.seq);
	slot = xg_ntohs(m.thread) % THREADS_MAX;
	s->seen++;
	if (seq < s->next_seq[slot])
		s->dup_or_reordered++;
	else if (seq > s->next_seq[slot])
		s->gaps += seq - s->next_seq[slot];
	if (seq >= s->next_seq[slot])
		s->next_seq[slot] = seq + 1;
}

static void count_batch(void *state, struct xg_batch *b, struct xg_handler_stats *st)
{
	struct count_state *s = state;
	unsigned int i;

	if (s->verify)
		for (i = 0; i < b->n; i++)
			verify_one(s, &b->frames[i]);
	st->handled += b->n; /* every action stays XG_ACT_RECYCLE */
}

static void count_fini(void *state)
{
	struct count_state *s = state;

	if (s && s->verify)
		printf("verify: %llu marked frames, %llu duplicate or reordered, %llu missing in "
		       "sequence, %llu without a marker\n",
		       (unsigned long long)s->seen, (unsigned long long)s->dup_or_reordered,
		       (unsigned long long)s->gaps, (unsigned long long)s->no_marker);
	free(s);
}

const struct xg_handler_ops xg_handler_count = {
	.name = "count",
	.init = count_init,
	.batch = count_batch,
	.fini = count_fini,
};
