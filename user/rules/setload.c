// SPDX-License-Identifier: GPL-2.0
/* Prefix sets on a gate: each set one LPM trie (both families) in the array of maps
 * xg_sets, and its IPv4 prefixes again as a flat table (common/xdpgate_rules.h, XG_SET4_*)
 * in xg_sets4, both under one gate-wide id; xg_set_info names the ids. The trie is what
 * `set list|show|add|del` read and edit; the gate reads the trie for IPv6 only and the flat
 * table for IPv4, whose lookup costs at most three array reads at any size (a big trie's
 * walk was the cost). Why whole maps per set, swapped:
 *   - a set reload builds the new trie and table beside the old ones and replaces one
 *     pointer in each outer map; a frame looks up one family, so it sees the old set or
 *     the new one whole, never a mix, and the rules (and their counters) do not change;
 *   - `set add|del` edit the trie in place, then rebuild the flat table from it and swap it
 *     in the same way;
 *   - a rule-set reload that brings new sets loads them into ids the live slot does not
 *     use, flips the slot, and only then frees the ids the old slot alone used, so the
 *     sets change with the rules, atomically.
 * The trie fills with batch updates (one syscall per batch); the flat table, mmapable,
 * with one copy. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "user/util/log.h"
#include "user/rules/set4.h"
#include "user/rules/setload.h"

#define FILL_BATCH 65536

static void set_key(const struct xg_prefix *p, struct xg_set_key *k)
{
	memset(k, 0, sizeof(*k));
	k->prefixlen = 8u + p->len;
	k->family = p->family;
	memcpy(k->addr, p->addr, 16);
}

int xg_set_trie_fill(int fd, const struct xg_prefix *p, size_t n)
{
	struct xg_set_key *keys = malloc(FILL_BATCH * sizeof(*keys));
	__u8 *vals = calloc(FILL_BATCH, 1);
	size_t done = 0, i;
	int err = 0;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	while (done < n && !err) {
		__u32 cnt = (__u32)(n - done < FILL_BATCH ? n - done : FILL_BATCH);

		for (i = 0; i < cnt; i++)
			set_key(&p[done + i], &keys[i]);
		if (bpf_map_update_batch(fd, keys, vals, &cnt, NULL))
			err = -errno;
		done += cnt;
	}
out:
	free(keys);
	free(vals);
	return err;
}

static int read_info(const struct xg_gate_maps *m, __u32 id, struct xg_set_info *info)
{
	return bpf_map_lookup_elem(m->set_info, &id, info) ? -errno : 0;
}

int xg_set_id(const struct xg_gate_maps *m, const char *name, const struct xg_slot_cfg *pref)
{
	struct xg_set_info info;
	int found = -ENOENT;
	__u32 id, k, i;

	for (id = 0; id < XG_SETS_MAX; id++) {
		if (read_info(m, id, &info) || strcmp(info.name, name))
			continue;
		found = (int)id;
		for (k = 0; pref && k < 2; k++)
			for (i = 0; i < pref->nsets[k] && i < XG_SET_FIELD_MAX; i++)
				if (pref->set_id[k][i] == id)
					return (int)id;
	}
	return found;
}

static bool slot_uses(const struct xg_slot_cfg *sc, __u32 id)
{
	__u32 k, i;

	for (k = 0; k < 2; k++)
		for (i = 0; i < sc->nsets[k] && i < XG_SET_FIELD_MAX; i++)
			if (sc->set_id[k][i] == id)
				return true;
	return false;
}

/* Put flat table t into id, as a new map. */
static int set4_install(const struct xg_gate_maps *m, __u32 id, const struct xg_set4 *t)
{
	size_t bytes = t->n * sizeof(*t->w);
	int fd = xg_set4_map_create((__u32)(t->n / XG_SET4_GROUP)), err = 0;
	void *mem;

	if (fd < 0)
		return fd;
	mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED) {
		err = -errno;
	} else {
		memcpy(mem, t->w, bytes);
		munmap(mem, bytes);
		if (bpf_map_update_elem(m->sets4, &id, &fd, BPF_ANY))
			err = -errno;
	}
	close(fd); /* the gate's map holds it now */
	return err;
}

/* Put a new flat table of s's IPv4 prefixes into id. */
static int set4_write(const struct xg_gate_maps *m, __u32 id, const struct xg_set *s)
{
	struct xg_set4 t;
	int err = xg_set4_build(s, &t);

	if (!err)
		err = set4_install(m, id, &t);
	xg_set4_free(&t);
	return err;
}

/* A copy of set id's live flat table into t. 0 or -errno. */
static int set4_read_live(const struct xg_gate_maps *m, __u32 id, struct xg_set4 *t)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info), map_id;
	int fd, err = 0;
	void *mem;

	memset(t, 0, sizeof(*t));
	if (bpf_map_lookup_elem(m->sets4, &id, &map_id))
		return -errno;
	fd = bpf_map_get_fd_by_id(map_id);
	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	t->n = t->cap = (size_t)info.max_entries * XG_SET4_GROUP;
	mem = mmap(NULL, t->n * sizeof(*t->w), PROT_READ, MAP_SHARED, fd, 0);
	t->w = mem == MAP_FAILED ? NULL : malloc(t->n * sizeof(*t->w));
	if (t->w)
		memcpy(t->w, mem, t->n * sizeof(*t->w));
	else
		err = mem == MAP_FAILED ? -errno : -ENOMEM;
	if (mem != MAP_FAILED)
		munmap(mem, t->n * sizeof(*t->w));
out:
	close(fd);
	if (err)
		xg_set4_free(t);
	return err;
}

/* Put a new trie and flat table holding s into id. */
static int set_write(const struct xg_gate_maps *m, __u32 id, const struct xg_set *s)
{
	struct xg_set_info info = { .count = (__u32)s->n };
	int fd = xg_set_trie_create(), err;

	if (fd < 0)
		return fd;
	err = xg_set_trie_fill(fd, s->p, s->n);
	if (!err && bpf_map_update_elem(m->sets, &id, &fd, BPF_ANY))
		err = -errno;
	close(fd); /* the gate's map holds it now */
	if (!err)
		err = set4_write(m, id, s);
	snprintf(info.name, sizeof(info.name), "%s", s->name);
	if (!err && bpf_map_update_elem(m->set_info, &id, &info, BPF_ANY))
		err = -errno;
	return err;
}

static void set_clear(const struct xg_gate_maps *m, __u32 id)
{
	struct xg_set_info info = { 0 };

	bpf_map_delete_elem(m->sets, &id);
	bpf_map_delete_elem(m->sets4, &id);
	bpf_map_update_elem(m->set_info, &id, &info, BPF_ANY);
}

/* The id of set name for the new slot: a free id filled with it when rs has its prefixes,
 * else the gate's set of that name. */
static int place_set(const struct xg_gate_maps *m, const struct xg_ruleset *rs,
		     const struct xg_slot_cfg *live, const char *name, bool *claimed)
{
	const struct xg_set *s = xg_ruleset_set(rs, name);
	__u32 id;
	int err;

	if (!s || !s->loaded) {
		err = xg_set_id(m, name, live);
		if (err < 0)
			pr_warn("rules: set '%s' is not defined (not in the file, not on the "
				"gate)\n",
				name);
		return err;
	}
	for (id = 0; id < XG_SETS_MAX && (slot_uses(live, id) || claimed[id]); id++)
		;
	if (id == XG_SETS_MAX)
		return -ENOSPC; /* cannot happen: 2 * XG_SET_RULESET_MAX <= XG_SETS_MAX */
	claimed[id] = true;
	err = set_write(m, id, s);
	return err ? err : (int)id;
}

int xg_sets_place(const struct xg_gate_maps *m, const struct xg_ruleset *rs,
		  const struct xg_compiled *c, const struct xg_slot_cfg *live,
		  struct xg_slot_cfg *sc)
{
	bool claimed[XG_SETS_MAX] = { false };
	int ids[2][XG_SET_FIELD_MAX];
	__u32 k, i, kk, j;
	int err = 0;

	for (k = 0; k < 2 && !err; k++) {
		sc->nsets[k] = (__u8)c->nsets[k];
		sc->set_stride[k] = (__u16)c->set_stride[k];
		for (i = 0; i < c->nsets[k] && !err; i++) {
			ids[k][i] = -1;
			/* the same set on src and dst: one id */
			for (kk = 0; kk <= k && ids[k][i] < 0; kk++)
				for (j = 0; j < (kk < k ? c->nsets[kk] : i); j++)
					if (!strcmp(c->set_name[kk][j], c->set_name[k][i]))
						ids[k][i] = ids[kk][j];
			if (ids[k][i] < 0)
				ids[k][i] = place_set(m, rs, live, c->set_name[k][i], claimed);
			if (ids[k][i] < 0)
				err = ids[k][i];
			else
				sc->set_id[k][i] = (__u8)ids[k][i];
		}
	}
	for (i = 0; err && i < XG_SETS_MAX; i++)
		if (claimed[i])
			set_clear(m, i);
	return err;
}

void xg_sets_release(const struct xg_gate_maps *m, const struct xg_slot_cfg *keep)
{
	struct xg_set_info info;
	__u32 id;

	for (id = 0; id < XG_SETS_MAX; id++)
		if (!read_info(m, id, &info) && info.name[0] && !slot_uses(keep, id))
			set_clear(m, id);
}

int xg_set_replace(const struct xg_gate_maps *m, __u32 id, const struct xg_set *s)
{
	return set_write(m, id, s);
}

int xg_set_trie_open(const struct xg_gate_maps *m, __u32 id)
{
	__u32 map_id;
	int fd;

	if (bpf_map_lookup_elem(m->sets, &id, &map_id))
		return -errno;
	fd = bpf_map_get_fd_by_id(map_id);
	return fd < 0 ? -errno : fd;
}

int xg_set_read_live(const struct xg_gate_maps *m, __u32 id, struct xg_set *s)
{
	struct xg_set_key cur, next;
	int fd = xg_set_trie_open(m, id), err = 0;
	bool first = true;
	size_t cap = 0;

	if (fd < 0)
		return fd;
	while (!bpf_map_get_next_key(fd, first ? NULL : &cur, &next)) {
		first = false;
		cur = next;
		if (s->n == cap) {
			struct xg_prefix *np;

			cap = cap ? cap * 2 : 1024;
			np = realloc(s->p, cap * sizeof(*np));
			if (!np) {
				err = -ENOMEM;
				break;
			}
			s->p = np;
		}
		memset(&s->p[s->n], 0, sizeof(s->p[0]));
		s->p[s->n].family = next.family;
		s->p[s->n].len = (uint8_t)(next.prefixlen - 8);
		memcpy(s->p[s->n].addr, next.addr, 16);
		s->n++;
	}
	close(fd);
	if (!err)
		xg_set_finish(s);
	return err;
}

/* Set id's flat table after an edit of its trie: p painted over a copy of the live one
 * when they were all added (painting only adds), else built again from the trie. */
static int set4_follow(const struct xg_gate_maps *m, __u32 id, const struct xg_prefix *p, size_t n,
		       bool added)
{
	struct xg_set s = { .loaded = true };
	struct xg_set4 t;
	int err;

	if (added && !set4_read_live(m, id, &t)) {
		err = xg_set4_paint(&t, p, n);
		if (!err)
			err = set4_install(m, id, &t);
		xg_set4_free(&t);
		return err;
	}
	err = xg_set_read_live(m, id, &s);
	if (!err)
		err = set4_write(m, id, &s);
	free(s.p);
	return err;
}

int xg_set_edit(const struct xg_gate_maps *m, __u32 id, const struct xg_prefix *p, size_t n,
		bool add, size_t *changed)
{
	struct xg_set_info info;
	struct xg_set_key k;
	int fd = xg_set_trie_open(m, id), err = 0;
	bool v4 = false;
	__u8 v = 0;
	size_t i;

	*changed = 0;
	if (fd < 0)
		return fd;
	if (read_info(m, id, &info))
		err = -errno;
	for (i = 0; i < n && !err; i++) {
		set_key(&p[i], &k);
		if (add && info.count >= XG_SET_PREFIXES_MAX) {
			err = -E2BIG;
			break;
		}
		/* an exact prefix already there (add) or absent (del) changes nothing */
		if (add ? bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST)
			: bpf_map_delete_elem(fd, &k)) {
			if (errno != (add ? EEXIST : ENOENT))
				err = -errno;
			continue;
		}
		(*changed)++;
		v4 |= p[i].family == 4;
		info.count = add ? info.count + 1 : info.count - 1;
	}
	close(fd);
	if (bpf_map_update_elem(m->set_info, &id, &info, BPF_ANY) && !err)
		err = -errno;
	if (v4) { /* the trie's IPv4 prefixes changed: the flat table follows them */
		int e = set4_follow(m, id, p, n, add && !err);

		err = err ? err : e;
	}
	return err;
}
