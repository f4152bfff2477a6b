// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "user/pool/l2table.h"

static uint64_t mac48(const uint8_t m[6])
{
	return (uint64_t)m[0] << 40 | (uint64_t)m[1] << 32 | (uint64_t)m[2] << 24 |
	       (uint64_t)m[3] << 16 | (uint64_t)m[4] << 8 | m[5];
}

static unsigned int slot_of(uint64_t mac)
{
	return (unsigned int)((mac * 0x9e3779b97f4a7c15ULL) >> 52) & (XG_L2_SLOTS - 1);
}

/* A slot in use and seen within age_s. Workers read the clock apart, so another's "now" may
 * be a second ahead of ours: a time in the future is live, not 4 billion seconds old. */
static int live(const struct xg_l2_table *t, const struct xg_l2_slot *s, uint64_t key, uint32_t now)
{
	int64_t age = (int32_t)(now - atomic_load_explicit(&s->seen, memory_order_relaxed));

	return key && age < (int64_t)t->age_s;
}

void xg_l2_init(struct xg_l2_table *t, uint32_t age_s)
{
	memset(t, 0, sizeof(*t));
	t->age_s = age_s ? age_s : XG_L2_AGE_S;
}

void xg_l2_learn(struct xg_l2_table *t, const uint8_t mac[6], unsigned int port, uint32_t now)
{
	uint64_t m = mac48(mac), key = m << 8 | (port + 1), cur, free_cur = 0;
	unsigned int h = slot_of(m), i;
	struct xg_l2_slot *s, *free_s = NULL;

	for (i = 0; i < XG_L2_PROBE; i++) {
		s = &t->s[(h + i) & (XG_L2_SLOTS - 1)];
		cur = atomic_load_explicit(&s->key, memory_order_relaxed);
		if (cur && cur >> 8 == m) { /* known: a move to another port, a refresh */
			if (cur != key)
				atomic_store_explicit(&s->key, key, memory_order_relaxed);
			if (atomic_load_explicit(&s->seen, memory_order_relaxed) != now)
				atomic_store_explicit(&s->seen, now, memory_order_relaxed);
			return;
		}
		if (!free_s && !live(t, s, cur, now)) {
			free_s = s;
			free_cur = cur;
		}
	}
	/* new: take the first free or aged slot, unless another worker just did */
	if (free_s &&
	    atomic_compare_exchange_strong_explicit(&free_s->key, &free_cur, key,
						    memory_order_relaxed, memory_order_relaxed)) {
		atomic_store_explicit(&free_s->seen, now, memory_order_relaxed);
		return;
	}
	atomic_fetch_add_explicit(&t->full, 1, memory_order_relaxed);
}

int xg_l2_lookup(const struct xg_l2_table *t, const uint8_t mac[6], uint32_t now)
{
	uint64_t m = mac48(mac), cur;
	unsigned int h = slot_of(m), i;

	for (i = 0; i < XG_L2_PROBE; i++) {
		const struct xg_l2_slot *s = &t->s[(h + i) & (XG_L2_SLOTS - 1)];

		cur = atomic_load_explicit(&s->key, memory_order_relaxed);
		if (cur && cur >> 8 == m)
			return live(t, s, cur, now) ? (int)(cur & 0xff) - 1 : -1;
	}
	return -1;
}

enum xg_l2_verdict xg_l2_decide(struct xg_l2_table *t, const uint8_t *eth, unsigned int in_port,
				uint32_t now, unsigned int *out)
{
	const uint8_t *dst = eth, *src = eth + 6;
	int port;

	if (!(src[0] & 1))
		xg_l2_learn(t, src, in_port, now);
	if (dst[0] & 1) /* broadcast or multicast */
		return XG_L2_FLOOD;
	port = xg_l2_lookup(t, dst, now);
	if (port < 0)
		return XG_L2_FLOOD;
	if ((unsigned int)port == in_port)
		return XG_L2_SAME_PORT;
	*out = (unsigned int)port;
	return XG_L2_FORWARD;
}
