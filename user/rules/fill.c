// SPDX-License-Identifier: GPL-2.0
/* Filling the idle slot's tables (load.c says whose slot is whose). Every table is written
 * in batches, or through a mapping where the map allows one (user/gate/batch.h): a call
 * an entry made a 10,000-rule reload take seconds. What the slot's earlier set left is
 * removed only where the gate could read it: its prefixes in the tries. Everything else is
 * overwritten, never read (the gate looks up only the fields, classes and rules the slot's
 * config names), or trimmed on a budget. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "user/gate/batch.h"
#include "user/gate/counters.h"
#include "user/rules/fill.h"
#include "user/rules/flows_load.h"

#define SLOT_IDX XG_SLOT_IDX

/* The keys of one slot in an LPM trie, gathered to be deleted. */
struct slot_keys {
	struct xg_lpm_key *k;
	__u32 n, cap;
	__u8 slot;
};

static int gather_slot_key(const void *key, const void *val, void *ctx)
{
	const struct xg_lpm_key *k = key;
	struct slot_keys *sk = ctx;
	struct xg_lpm_key *grown;

	(void)val;
	if (k->slot != sk->slot)
		return 0;
	if (sk->n == sk->cap) {
		sk->cap = sk->cap ? 2 * sk->cap : 1024;
		grown = realloc(sk->k, sk->cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		sk->k = grown;
	}
	sk->k[sk->n++] = *k;
	return 0;
}

/* Delete every key of slot from an LPM trie (a stale prefix would match longer than the new
 * set's): the keys read in batches, then deleted in one. */
static int clear_lpm(int fd, __u8 slot)
{
	struct slot_keys sk = { .slot = slot };
	int err = xg_batch_each(fd, sizeof(struct xg_lpm_key), sizeof(__u16), gather_slot_key, &sk);

	if (!err)
		err = xg_batch_delete(fd, sk.k, sizeof(*sk.k), sk.n);
	free(sk.k);
	return err;
}

/* Stale bit-vectors a reload deletes at most (a few microseconds each): see xg_batch_trim.
 * The gate never reads a class past its slot's count of the field. */
#define BITS_TRIM_BUDGET 1024

struct bits_of {
	__u8 slot, field;
};

static void bits_key(void *out, __u32 i, const void *arg)
{
	const struct bits_of *b = arg;

	*(struct xg_bits_key *)out =
		(struct xg_bits_key){ .slot = b->slot, .field = b->field, .ec = (__u16)i };
}

/* The EC array's range of each array-indexed field. */
static const struct {
	int f;
	__u32 first, n;
} eca_ranges[] = {
	{ XG_F_PROTO, XG_ECA_PROTO, XG_ECA_SPORT - XG_ECA_PROTO },
	{ XG_F_SPORT, XG_ECA_SPORT, XG_ECA_DPORT - XG_ECA_SPORT },
	{ XG_F_DPORT, XG_ECA_DPORT, XG_ECA_VLAN - XG_ECA_DPORT },
	{ XG_F_VLAN, XG_ECA_VLAN, XG_ECA_ETHER - XG_ECA_VLAN },
	{ XG_F_ETHER, XG_ECA_ETHER, XG_ECA_TCPFLAGS - XG_ECA_ETHER },
	{ XG_F_TCPFLAGS, XG_ECA_TCPFLAGS, XG_ECA_ICMP - XG_ECA_TCPFLAGS },
	{ XG_F_ICMP, XG_ECA_ICMP, XG_ECA_MATCH - XG_ECA_ICMP },
	{ XG_F_MATCH, XG_ECA_MATCH, XG_ECA_CT - XG_ECA_MATCH },
	{ XG_F_CT, XG_ECA_CT, XG_ECA_SIZE - XG_ECA_CT },
};
_Static_assert(XG_F_CT == XG_F_MAX - 1, "eca_ranges has a row for each array-indexed field");

/* The EC array's ranges of the fields the set uses: the gate looks a field up only when
 * its slot uses it (xdp/xdpgate.bpf.c, lookup_ecs), so the others may keep what an earlier
 * set left there; not writing them is what keeps a small set's load short. */
static int write_eca(const struct xg_gate_maps *m, const struct xg_compiled *c, __u32 slot)
{
	size_t r;
	int err = 0;

	for (r = 0; r < sizeof(eca_ranges) / sizeof(eca_ranges[0]) && !err; r++)
		if (c->fields & (1u << eca_ranges[r].f))
			err = xg_array_write(m->ec, slot * XG_ECA_SIZE + eca_ranges[r].first,
					     eca_ranges[r].n, c->eca + eca_ranges[r].first,
					     sizeof(*c->eca));
	return err;
}

static int write_lpm(const struct xg_gate_maps *m, const struct xg_compiled *c, __u8 slot)
{
	struct xg_lpm_key *keys;
	__u16 *ecs;
	size_t k, i;
	__u32 n;
	int err = 0;

	for (k = 0; k < 2 && !err; k++) {
		n = (__u32)c->nlpm[k];
		if (!n)
			continue;
		keys = malloc(n * sizeof(*keys));
		ecs = malloc(n * sizeof(*ecs));
		if (!keys || !ecs)
			err = -ENOMEM;
		for (i = 0; !err && i < n; i++) {
			keys[i] = c->lpm[k][i].key;
			keys[i].slot = slot;
			ecs[i] = c->lpm[k][i].ec;
		}
		if (!err && bpf_map_update_batch(k ? m->dst : m->src, keys, ecs, &n, NULL))
			err = -errno;
		free(keys);
		free(ecs);
	}
	return err;
}

/* The IPv4 tables: the first level and the blocks in use, in one batch each field. */
static int write_dir4(const struct xg_gate_maps *m, const struct xg_compiled *c, __u32 slot)
{
	size_t k;
	int err = 0;

	for (k = 0; k < 2 && !err; k++) {
		if (!c->dir4[k])
			continue; /* no rule tests this field */
		err = xg_array_write(k ? m->dst4 : m->src4, slot * XG_DIR4_SLOT,
				     XG_DIR4_L1 + c->nblocks[k] * XG_DIR4_BLOCK_SIZE, c->dir4[k],
				     sizeof(*c->dir4[k]));
	}
	return err;
}

#define BITS_CHUNK 256 /* bit-vectors a batch writes: 512 KiB */

/* Every class's rule bit-vector, and the all-ones vector of unused fields (field
 * XG_F_MAX), in batches; the classes past each field's last are then trimmed. */
static int write_bits(const struct xg_gate_maps *m, const struct xg_compiled *c, __u8 slot)
{
	struct xg_bits_key *keys = malloc(BITS_CHUNK * sizeof(*keys));
	struct xg_bits *v = malloc(BITS_CHUNK * sizeof(*v));
	size_t used = c->nwords * sizeof(__u64);
	__u32 i, n = 1, cnt, budget;
	int f, err = 0;

	if (!keys || !v) {
		err = -ENOMEM;
		goto out;
	}
	keys[0] = (struct xg_bits_key){ .slot = slot, .field = XG_F_MAX };
	memset(v[0].w, 0xff, sizeof(v[0].w));
	for (f = 0; f < XG_F_MAX && !err; f++) {
		for (i = 0; i < c->f[f].n && !err; i++) {
			keys[n] = (struct xg_bits_key){ .slot = slot,
							.field = (__u8)f,
							.ec = (__u16)i };
			memcpy(v[n].w, c->f[f].cls[i].bits, used);
			memset((char *)v[n].w + used, 0, sizeof(v[n].w) - used);
			if (++n == BITS_CHUNK) {
				cnt = n;
				if (bpf_map_update_batch(m->bits, keys, v, &cnt, NULL))
					err = -errno;
				n = 0;
			}
		}
	}
	cnt = n;
	if (!err && n && bpf_map_update_batch(m->bits, keys, v, &cnt, NULL))
		err = -errno;
	for (f = 0, budget = BITS_TRIM_BUDGET; f < XG_F_MAX && !err; f++) {
		struct bits_of b = { .slot = slot, .field = (__u8)f };

		err = xg_batch_trim(m->bits, sizeof(*keys), sizeof(*v), bits_key, &b, c->f[f].n,
				    65536, &budget);
	}
out:
	free(keys);
	free(v);
	return err;
}

/* The slot's small-set words, a batch per field in use: each value's rule word through its
 * class. */
static int write_w64(const struct xg_gate_maps *m, const struct xg_compiled *c, __u32 slot)
{
	__u64 *w = calloc(XG_W64_SLOT, sizeof(*w));
	__u32 i, v;
	size_t r;
	int err = 0;

	if (!w)
		return -ENOMEM;
	for (r = 0; r < sizeof(eca_ranges) / sizeof(eca_ranges[0]); r++) {
		const struct xg_field_ecs *fe = &c->f[eca_ranges[r].f];

		if (!(c->fields & (1u << eca_ranges[r].f)))
			continue;
		for (v = eca_ranges[r].first; v < eca_ranges[r].first + eca_ranges[r].n; v++)
			if (c->eca[v] < fe->n)
				w[v] = fe->cls[c->eca[v]].bits[0];
	}
	for (i = 0; i < c->f[XG_F_SRC].n && i < XG_SMALL_EC; i++)
		w[XG_W64_SRC + i] = c->f[XG_F_SRC].cls[i].bits[0];
	for (i = 0; i < c->f[XG_F_DST].n && i < XG_SMALL_EC; i++)
		w[XG_W64_DST + i] = c->f[XG_F_DST].cls[i].bits[0];
	/* only the fields in use, as write_eca: match_small reads no other */
	for (r = 0; r < sizeof(eca_ranges) / sizeof(eca_ranges[0]) && !err; r++)
		if (c->fields & (1u << eca_ranges[r].f))
			err = xg_array_write(m->w64, slot * XG_W64_SLOT + eca_ranges[r].first,
					     eca_ranges[r].n, w + eca_ranges[r].first, sizeof(*w));
	for (i = 0; i < 2 && !err; i++)
		if (c->fields & (1u << (XG_F_SRC + i)))
			err = xg_array_write(
				m->w64, slot * XG_W64_SLOT + XG_W64_SRC + i * XG_SMALL_EC,
				XG_SMALL_EC, w + XG_W64_SRC + i * XG_SMALL_EC, sizeof(*w));
	free(w);
	return err;
}

#define ZERO_CHUNK 1024 /* entries a batch of zeroes writes */

/* Zero entries [first, first + n) of an array (per-CPU: every CPU's), vsize bytes each. */
static int zero_range(int fd, __u32 first, __u32 n, size_t vsize)
{
	void *zero = calloc(n < ZERO_CHUNK ? (n ? n : 1) : ZERO_CHUNK, vsize);
	__u32 done, k;
	int err = 0;

	if (!zero)
		return -ENOMEM;
	for (done = 0; done < n && !err; done += k) {
		k = n - done < ZERO_CHUNK ? n - done : ZERO_CHUNK;
		err = xg_array_write(fd, first + done, k, zero, vsize);
	}
	free(zero);
	return err;
}

/* Actions, texts, and zeroed counters of every rule in the slot. */
static int write_rules(const struct xg_gate_maps *m, const struct xg_reload_texts *tx,
		       const struct xg_compiled *c, __u32 slot)
{
	int ncpu = libbpf_num_possible_cpus();
	__u32 n = tx->n_new;
	int err;

	if (ncpu <= 0)
		return -EINVAL;
	err = xg_array_write(m->actions, SLOT_IDX(slot, 0), n, c->actions, sizeof(*c->actions));
	if (!err)
		err = xg_texts_write(m, tx, (__u8)slot);
	if (!err)
		err = zero_range(m->rule_stats, SLOT_IDX(slot, 0), n,
				 (size_t)ncpu * sizeof(struct xg_counter_val));
	if (!err)
		err = zero_range(m->rule_base, SLOT_IDX(slot, 0), n, sizeof(struct xg_counter_val));
	return err;
}

/* The slot's buckets, full (tat 0), their clock starting now (the epoch: the gate's clock
 * is bpf_ktime_get_coarse_ns, CLOCK_MONOTONIC_COARSE), and every CPU's lease from them,
 * holding no room. */
static int write_limits(const struct xg_gate_maps *m, const struct xg_compiled *c, __u32 slot)
{
	struct xg_lease *per_cpu;
	int ncpu, cpu, err = 0;
	struct timespec ts;
	__u64 epoch;
	__u32 i;

	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts))
		return -errno;
	epoch = (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
	per_cpu = xg_percpu_buf(sizeof(*per_cpu), &ncpu);
	if (!per_cpu)
		return -ENOMEM;
	for (i = 0; i < c->nlimits && !err; i++) {
		struct xg_bucket b = c->buckets[i];
		__u32 k = slot * XG_LIMITS_MAX + i;

		b.epoch = epoch;
		for (cpu = 0; cpu < ncpu; cpu++)
			per_cpu[cpu] = c->leases[i];
		if (bpf_map_update_elem(m->limits, &k, &b, BPF_ANY) ||
		    bpf_map_update_elem(m->leases, &k, per_cpu, BPF_ANY))
			err = -errno;
	}
	free(per_cpu);
	return err;
}

/* What an earlier set left in the slot that the new one would not overwrite and the gate
 * could read: its prefixes. The rest is overwritten or trimmed as the tables are written. */
static int clear_slot(const struct xg_gate_maps *m, __u8 slot)
{
	int err = clear_lpm(m->src, slot);

	return err ? err : clear_lpm(m->dst, slot);
}

/* Fault injection for the tests (testenv/test-rules.sh): XG_FAULT_FILL_STEP=N makes step N
 * of filling a slot fail as a map update would, after the steps before it have written
 * their part, so a reload can be made to fail half-way. */
static int injected_fault(int step)
{
	const char *e = getenv("XG_FAULT_FILL_STEP");

	return e && atoi(e) == step ? -EIO : 0;
}

int xg_slot_fill(const struct xg_gate_maps *m, const struct xg_ruleset *rs,
		 const struct xg_compiled *c, const struct xg_reload_texts *tx,
		 const struct xg_slot_cfg *sc, __u8 slot)
{
	int err = xg_flows_write_slot(m, rs, slot);

	if (!err)
		err = clear_slot(m, slot);

	if (!err)
		err = write_eca(m, c, slot);
	if (!err)
		err = injected_fault(1);
	if (!err)
		err = write_lpm(m, c, slot);
	if (!err)
		err = write_dir4(m, c, slot);
	if (!err)
		err = write_bits(m, c, slot);
	if (!err)
		err = injected_fault(2);
	if (!err && (sc->flags & XG_SLOT_SMALL))
		err = write_w64(m, c, slot);
	if (!err)
		err = write_limits(m, c, slot);
	if (!err)
		err = write_rules(m, tx, c, slot);
	if (!err)
		err = injected_fault(3);
	return err;
}
