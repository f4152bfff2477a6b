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

int xg_set_name_check(const char *name, char *err, size_t errlen)
{
	size_t n = strlen(name);

	if (!n)
		snprintf(err, errlen, "set name is empty");
	else if (n >= XG_SET_NAME_MAX)
		snprintf(err, errlen, "set name '%.32s...' is longer than %d characters", name,
			 XG_SET_NAME_MAX - 1);
	else if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_."
			      "-") != n)
		snprintf(err, errlen, "set name '%s' has characters other than A-Z a-z 0-9 _ . -",
			 name);
	else
		return 0;
	return -EINVAL;
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

/* A new map holding flat table t, not yet in the gate: fd or -errno. */
static int set4_prepare(const struct xg_set4 *t)
{
	size_t bytes = t->n * sizeof(*t->w);
	int fd = xg_set4_map_create((__u32)(t->n / XG_SET4_GROUP)), err;
	void *mem;

	if (fd < 0)
		return fd;
	mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED) {
		err = -errno;
		close(fd);
		return err;
	}
	memcpy(mem, t->w, bytes);
	munmap(mem, bytes);
	return fd;
}

/* A new map holding the flat table of s's IPv4 prefixes: fd or -errno. */
static int set4_prepare_set(const struct xg_set *s)
{
	struct xg_set4 t;
	int err = xg_set4_build(s, &t);

	if (!err)
		err = set4_prepare(&t);
	xg_set4_free(&t);
	return err;
}

/* The map in slot id of array of maps outer, as an fd, or -errno (-ENOENT: none). */
static int inner_fd(int outer, __u32 id)
{
	__u32 map_id;
	int fd;

	if (bpf_map_lookup_elem(outer, &id, &map_id))
		return -errno;
	fd = bpf_map_get_fd_by_id(map_id);
	return fd < 0 ? -errno : fd;
}

/* Close each of n fds that is open (>= 0). */
static void close_fds(const int *fd, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fd[i] >= 0)
			close(fd[i]);
}

/* Put old back into slot id of outer (< 0: empty it again), after a failed swap. */
static void inner_put(int outer, __u32 id, int old)
{
	if (old >= 0)
		bpf_map_update_elem(outer, &id, &old, BPF_ANY);
	else
		bpf_map_delete_elem(outer, &id);
}

/* A copy of set id's live flat table into t. 0 or -errno. */
static int set4_read_live(const struct xg_gate_maps *m, __u32 id, struct xg_set4 *t)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	int fd, err = 0;
	void *mem;

	memset(t, 0, sizeof(*t));
	fd = inner_fd(m->sets4, id);
	if (fd < 0)
		return fd;
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

/* Put a new trie and flat table holding s into id: both made and filled first, then each
 * swapped in with one pointer; a failure puts the old ones back (nothing half-applied). */
static int set_write(const struct xg_gate_maps *m, __u32 id, const struct xg_set *s)
{
	struct xg_set_info info = { .count = (__u32)s->n };
	int trie = xg_set_trie_create(), table = -1, old_trie = -1, old_table = -1, err;

	if (trie < 0)
		return trie;
	err = xg_set_trie_fill(trie, s->p, s->n);
	if (!err) {
		table = set4_prepare_set(s);
		err = table < 0 ? table : 0;
	}
	snprintf(info.name, sizeof(info.name), "%s", s->name);
	if (!err) {
		old_trie = inner_fd(m->sets, id);
		old_table = inner_fd(m->sets4, id);
		if (bpf_map_update_elem(m->sets, &id, &trie, BPF_ANY)) {
			err = -errno;
		} else if (bpf_map_update_elem(m->sets4, &id, &table, BPF_ANY) ||
			   bpf_map_update_elem(m->set_info, &id, &info, BPF_ANY)) {
			err = -errno;
			inner_put(m->sets, id, old_trie);
			inner_put(m->sets4, id, old_table);
		}
	}
	/* the gate's maps hold what was put in */
	close_fds((int[]){ trie, table, old_trie, old_table }, 4);
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
	return inner_fd(m->sets, id);
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

/* Whether p is one of the n sorted prefixes in sorted. */
static bool among(const struct xg_prefix *p, const struct xg_prefix *sorted, size_t n)
{
	return n && bsearch(p, sorted, n, sizeof(*sorted), xg_prefix_cmp);
}

/* Set id's flat table as it will be after the edit, as a new map (fd), or -1 when no IPv4
 * prefix is edited: p painted over a copy of the live one for an add (painting only adds),
 * for a del built again from the live trie's prefixes less p's. Other -errno on failure. */
static int set4_after_edit(const struct xg_gate_maps *m, __u32 id, const struct xg_prefix *p,
			   size_t n, bool add)
{
	struct xg_set s = { .loaded = true };
	struct xg_prefix *del;
	struct xg_set4 t;
	size_t i, k = 0;
	int err;

	for (i = 0; i < n && p[i].family != 4; i++)
		;
	if (i == n)
		return -1;
	if (add) {
		err = set4_read_live(m, id, &t);
		if (err)
			return err;
		err = xg_set4_paint(&t, p, n); /* frees t on failure */
		if (err)
			return err;
		err = set4_prepare(&t);
		xg_set4_free(&t);
		return err;
	}
	del = malloc(n * sizeof(*del));
	if (!del)
		return -ENOMEM;
	memcpy(del, p, n * sizeof(*del));
	for (i = 0; i < n; i++) /* as the live set holds them: host bits clear */
		xg_addr_mask(del[i].addr, del[i].len, 16);
	qsort(del, n, sizeof(*del), xg_prefix_cmp);
	err = xg_set_read_live(m, id, &s);
	for (i = 0; !err && i < s.n; i++)
		if (!among(&s.p[i], del, n))
			s.p[k++] = s.p[i];
	s.n = k;
	if (!err)
		err = set4_prepare_set(&s);
	free(s.p);
	free(del);
	return err;
}

/* Undo the trie edits an edit made before it failed (did[i]: prefix i changed). */
static void trie_undo(int fd, const struct xg_prefix *p, const bool *did, size_t n, bool add)
{
	struct xg_set_key k;
	__u8 v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!did[i])
			continue;
		set_key(&p[i], &k);
		if (add)
			bpf_map_delete_elem(fd, &k);
		else
			bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST);
	}
}

/* All or nothing: the new flat table is made first; the trie is edited in place (IPv6
 * frames see each prefix change as it lands, as with nftables' element updates); then the
 * table swaps in with one pointer and the count follows. A failure undoes the trie's
 * edits and leaves the table and the count as they were. */
int xg_set_edit(const struct xg_gate_maps *m, __u32 id, const struct xg_prefix *p, size_t n,
		bool add, size_t *changed)
{
	struct xg_set_info info;
	struct xg_set_key k;
	int fd = -1, table = -1, old_table = -1, err;
	bool *did = NULL;
	__u8 v = 0;
	size_t i;

	*changed = 0;
	err = read_info(m, id, &info);
	if (!err && add && info.count + n > XG_SET_PREFIXES_MAX)
		err = -E2BIG; /* counting duplicates too: an add that could pass the limit */
	if (!err) {
		did = calloc(n ? n : 1, sizeof(*did));
		err = did ? 0 : -ENOMEM;
	}
	if (!err) {
		fd = xg_set_trie_open(m, id);
		err = fd < 0 ? fd : 0;
	}
	if (!err) {
		table = set4_after_edit(m, id, p, n, add);
		err = table < -1 ? table : 0;
	}
	for (i = 0; i < n && !err; i++) {
		set_key(&p[i], &k);
		/* an exact prefix already there (add) or absent (del) changes nothing */
		if (add ? bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST)
			: bpf_map_delete_elem(fd, &k)) {
			if (errno != (add ? EEXIST : ENOENT))
				err = -errno;
			continue;
		}
		did[i] = true;
		(*changed)++;
	}
	info.count = add ? info.count + (__u32)*changed : info.count - (__u32)*changed;
	if (!err && table >= 0) {
		old_table = inner_fd(m->sets4, id);
		if (bpf_map_update_elem(m->sets4, &id, &table, BPF_ANY))
			err = -errno;
	}
	if (!err && bpf_map_update_elem(m->set_info, &id, &info, BPF_ANY)) {
		err = -errno;
		if (table >= 0)
			inner_put(m->sets4, id, old_table);
	}
	if (err && fd >= 0) {
		trie_undo(fd, p, did, n, add);
		*changed = 0;
	}
	close_fds((int[]){ fd, table, old_table }, 3);
	free(did);
	return err;
}
