// SPDX-License-Identifier: GPL-2.0
/* IPFIX message encoding (user/export/ipfix.h). Every field in network byte order. */
#include <errno.h>
#include <string.h>

#include "user/export/ipfix.h"

#define HDR_LEN 16
#define SET_HDR_LEN 4
#define SET_TEMPLATE 2

struct ie {
	uint16_t id, len;
};

/* One list, both templates: the address elements differ, the rest is shared. */
static const struct ie fields_v4[] = {
	{ 8, 4 }, { 12, 4 }, { 7, 2 },	 { 11, 2 },  { 4, 1 },	{ 58, 2 },
	{ 2, 8 }, { 1, 8 },  { 152, 8 }, { 153, 8 }, { 34, 4 }, { 138, 4 },
};
static const struct ie fields_v6[] = {
	{ 27, 16 }, { 28, 16 }, { 7, 2 },   { 11, 2 },	{ 4, 1 },  { 58, 2 },
	{ 2, 8 },   { 1, 8 },	{ 152, 8 }, { 153, 8 }, { 34, 4 }, { 138, 4 },
};
#define NFIELDS (sizeof(fields_v4) / sizeof(fields_v4[0]))
_Static_assert(sizeof(fields_v4) == sizeof(fields_v6), "both templates have every field");

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

size_t xg_ipfix_rec_len(uint8_t family)
{
	const struct ie *f = family == 6 ? fields_v6 : fields_v4;
	size_t i, n = 0;

	for (i = 0; i < NFIELDS; i++)
		n += f[i].len;
	return n;
}

static void close_set(struct xg_ipfix_msg *m)
{
	if (m->set_off)
		put16(m->buf + m->set_off + 2, (uint16_t)(m->len - m->set_off));
	m->set_off = 0;
	m->set_id = 0;
}

static void open_set(struct xg_ipfix_msg *m, uint16_t id)
{
	close_set(m);
	m->set_off = m->len;
	m->set_id = id;
	put16(m->buf + m->len, id);
	m->len += SET_HDR_LEN;
}

static void put_template(struct xg_ipfix_msg *m, uint16_t id, const struct ie *f)
{
	size_t i;

	put16(m->buf + m->len, id);
	put16(m->buf + m->len + 2, NFIELDS);
	m->len += 4;
	for (i = 0; i < NFIELDS; i++) {
		put16(m->buf + m->len, f[i].id);
		put16(m->buf + m->len + 2, f[i].len);
		m->len += 4;
	}
}

void xg_ipfix_begin(struct xg_ipfix_msg *m, uint32_t export_s, uint32_t seq, uint32_t domain,
		    int templates)
{
	memset(m, 0, sizeof(*m));
	put16(m->buf, XG_IPFIX_VERSION);
	put32(m->buf + 4, export_s);
	put32(m->buf + 8, seq);
	put32(m->buf + 12, domain);
	m->len = HDR_LEN;
	if (templates) {
		open_set(m, SET_TEMPLATE);
		put_template(m, XG_IPFIX_TMPL_V4, fields_v4);
		put_template(m, XG_IPFIX_TMPL_V6, fields_v6);
		close_set(m);
	}
}

int xg_ipfix_add(struct xg_ipfix_msg *m, const struct xg_ipfix_rec *r)
{
	uint16_t id = r->family == 6 ? XG_IPFIX_TMPL_V6 : XG_IPFIX_TMPL_V4;
	size_t alen = r->family == 6 ? 16 : 4, need = xg_ipfix_rec_len(r->family);
	uint8_t *p;

	if (m->set_id != id)
		need += SET_HDR_LEN;
	if (m->len + need > sizeof(m->buf))
		return -ENOSPC;
	if (m->set_id != id)
		open_set(m, id);
	p = m->buf + m->len;
	memcpy(p, r->src, alen);
	memcpy(p + alen, r->dst, alen);
	p += 2 * alen;
	put16(p, r->sport);
	put16(p + 2, r->dport);
	p[4] = r->proto;
	put16(p + 5, r->vlan);
	put64(p + 7, r->packets);
	put64(p + 15, r->bytes);
	put64(p + 23, r->start_ms);
	put64(p + 31, r->end_ms);
	put32(p + 39, r->sampling);
	put32(p + 43, r->obs_point);
	m->len += xg_ipfix_rec_len(r->family);
	m->nrecs++;
	return 0;
}

void xg_ipfix_finish(struct xg_ipfix_msg *m)
{
	close_set(m);
	put16(m->buf + 2, (uint16_t)m->len);
}
