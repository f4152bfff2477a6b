/* SPDX-License-Identifier: GPL-2.0 */
/* The DIR-16-8-8 split both IPv4 tables share (the rules' classes, compile.c; the sets'
 * flat tables, set4.c): which level a prefix is painted at and which entries it covers. */
#ifndef XG_RULES_DIR4_H
#define XG_RULES_DIR4_H

#include <stdint.h>

/* The address of an IPv4 prefix (network-order bytes) in host order. */
static inline uint32_t xg_dir4_addr(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

/* A prefix of length len at host-order address a covers n entries from first, at level 1
 * (len <= 16: entries of the top 16 bits), 2 (<= 24: of the block for a's top 16 bits) or
 * 3 (of the block for a's top 24 bits). */
struct xg_dir4_span {
	unsigned int level;
	uint32_t first, n;
};

static inline struct xg_dir4_span xg_dir4_span(uint32_t a, unsigned int len)
{
	struct xg_dir4_span s;

	a &= len ? ~0u << (32 - len) : 0; /* host bits would start the span past its block */
	if (len <= 16)
		s = (struct xg_dir4_span){ 1, a >> 16, 1u << (16 - len) };
	else if (len <= 24)
		s = (struct xg_dir4_span){ 2, (a >> 8) & 0xff, 1u << (24 - len) };
	else
		s = (struct xg_dir4_span){ 3, a & 0xff, 1u << (32 - len) };
	return s;
}

#endif
