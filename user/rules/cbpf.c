// SPDX-License-Identifier: GPL-2.0
/* Classic BPF (libpcap's filters) to eBPF, for the gate's `match` program (see cbpf.h).
 *
 * Registers: r6 the context, r7 the accumulator A, r8 the index X, r9 the result bits;
 * all four survive helper calls. A and X hold 32-bit values (32-bit ALU ops keep the upper
 * half zero). The scratch memory M[] lives on the stack, zeroed once (libpcap writes before
 * it reads; the verifier wants it initialised). Each expression ends at its own label: a
 * return writes its bit when the value is non-zero, and every "return 0" path (a read past
 * the frame, a division by zero) jumps there without it. Jumps are forward only in classic
 * BPF, so every target is known once the expression is emitted and patched then. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user/rules/cbpf.h"

#define R_CTX BPF_REG_6
#define R_A BPF_REG_7
#define R_X BPF_REG_8
#define R_BITS BPF_REG_9
#define M_OFF(i) (-64 + 4 * (int)(i)) /* M[i] from the frame pointer: 16 words */
#define BUF_OFF (-72)		      /* bpf_xdp_load_bytes' buffer */
#define KEY_OFF (-76)		      /* the scratch map's key */
#define FAST_MAX 0x7fff		      /* offsets read directly (the verifier's range) */
#define END (-1)		      /* jump target: the expression's end (false) */
#define XG_MATCH_UNROLL 16	      /* copies of a program that jumps back (protochain) */

struct emit {
	struct bpf_insn *p;
	size_t n, cap;
	unsigned int *start; /* eBPF index of each classic instruction, copy by copy */
	unsigned int copy;   /* the copy being emitted (see put_expr) */
	struct fix {
		size_t at;	   /* the jump */
		long pc;	   /* classic target, or END */
		unsigned int copy; /* of the target */
	} * fix;
	size_t nfix, capfix;
	char *err;
	size_t errlen;
};

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn i = { .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };

	return i;
}

static int put(struct emit *e, struct bpf_insn i)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 512;
		struct bpf_insn *p = realloc(e->p, cap * sizeof(*p));

		if (!p)
			return -1;
		e->p = p;
		e->cap = cap;
	}
	e->p[e->n++] = i;
	return 0;
}

/* A jump to classic instruction pc (or END), patched once the expression is emitted. */
static int put_jump(struct emit *e, struct bpf_insn j, long pc)
{
	if (e->nfix == e->capfix) {
		size_t cap = e->capfix ? e->capfix * 2 : 256;
		struct fix *f = realloc(e->fix, cap * sizeof(*f));

		if (!f)
			return -1;
		e->fix = f;
		e->capfix = cap;
	}
	e->fix[e->nfix].at = e->n;
	e->fix[e->nfix].copy = e->copy;
	e->fix[e->nfix++].pc = pc;
	return put(e, j);
}

static int put_ja(struct emit *e, long pc)
{
	return put_jump(e, insn(BPF_JMP | BPF_JA, 0, 0, 0, 0), pc);
}

static int put_ld_map(struct emit *e, uint8_t dst, int fd)
{
	return put(e, insn(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, fd)) ||
	       put(e, insn(0, 0, 0, 0, 0));
}

static uint8_t size_code(unsigned int size)
{
	return size == 4 ? BPF_W : size == 2 ? BPF_H : BPF_B;
}

/* dst = the frame's bytes at the offset, loaded (size bytes) and in host order. */
static int put_load_tail(struct emit *e, uint8_t dst, uint8_t base, int16_t off, unsigned int size)
{
	if (put(e, insn(BPF_LDX | BPF_MEM | size_code(size), dst, base, off, 0)))
		return -1;
	return size > 1 ? put(e, insn(BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, (int32_t)size * 8))
			: 0;
}

/* The slow path, offset in r2: bpf_xdp_load_bytes (frags too); failure is "return 0". */
static int put_slow(struct emit *e, uint8_t dst, unsigned int size)
{
	return put(e, insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, R_CTX, 0, 0)) ||
	       put(e, insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_10, 0, 0)) ||
	       put(e, insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_3, 0, 0, BUF_OFF)) ||
	       put(e, insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_4, 0, 0, (int32_t)size)) ||
	       put(e, insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_xdp_load_bytes)) ||
	       put_jump(e, insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 0, 0), END) ||
	       put_load_tail(e, dst, BPF_REG_10, BUF_OFF, size);
}

/* r2 = data, r3 = data_end */
static int put_data(struct emit *e)
{
	return put(e, insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, R_CTX,
			   offsetof(struct xdp_md, data), 0)) ||
	       put(e, insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, R_CTX,
			   offsetof(struct xdp_md, data_end), 0));
}

/* dst = P[k:size], constant offset: read in place when the frame's linear part holds it. */
static int put_load_abs(struct emit *e, uint8_t dst, uint32_t k, unsigned int size)
{
	size_t jslow, jdone;

	if (k <= FAST_MAX) {
		if (put_data(e) ||
		    put(e, insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_2, 0, 0)) ||
		    put(e, insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, (int32_t)(k + size))))
			return -1;
		jslow = e->n;
		if (put(e, insn(BPF_JMP | BPF_JGT | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0)) ||
		    put_load_tail(e, dst, BPF_REG_2, (int16_t)k, size))
			return -1;
		jdone = e->n;
		if (put(e, insn(BPF_JMP | BPF_JA, 0, 0, 0, 0)))
			return -1;
		e->p[jslow].off = (int16_t)(e->n - jslow - 1);
	}
	if (put(e, insn(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, (int32_t)k)) ||
	    put_slow(e, dst, size))
		return -1;
	if (k <= FAST_MAX)
		e->p[jdone].off = (int16_t)(e->n - jdone - 1);
	return 0;
}

/* A = P[X + k:size]: X + k is computed in 64 bits, so it never wraps (as bpf_filter). */
static int put_load_ind(struct emit *e, uint32_t k, unsigned int size)
{
	size_t jbig, jslow, jdone;

	if (put(e, insn(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_4, 0, 0, (int32_t)k)) ||
	    put(e, insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_5, R_X, 0, 0)) ||
	    put(e, insn(BPF_ALU64 | BPF_ADD | BPF_X, BPF_REG_5, BPF_REG_4, 0, 0)))
		return -1;
	jbig = e->n;
	if (put(e, insn(BPF_JMP | BPF_JGT | BPF_K, BPF_REG_5, 0, 0, FAST_MAX)) || put_data(e) ||
	    put(e, insn(BPF_ALU64 | BPF_ADD | BPF_X, BPF_REG_2, BPF_REG_5, 0, 0)) ||
	    put(e, insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_2, 0, 0)) ||
	    put(e, insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, (int32_t)size)))
		return -1;
	jslow = e->n;
	if (put(e, insn(BPF_JMP | BPF_JGT | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0)) ||
	    put_load_tail(e, R_A, BPF_REG_2, 0, size))
		return -1;
	jdone = e->n;
	if (put(e, insn(BPF_JMP | BPF_JA, 0, 0, 0, 0)))
		return -1;
	e->p[jbig].off = (int16_t)(e->n - jbig - 1);
	e->p[jslow].off = (int16_t)(e->n - jslow - 1);
	/* slow: the offset again (r5 did not survive), refused past 32 bits */
	if (put(e, insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, R_X, 0, 0)) ||
	    put(e, insn(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, (int32_t)k)) ||
	    put(e, insn(BPF_ALU64 | BPF_ADD | BPF_X, BPF_REG_2, BPF_REG_1, 0, 0)) ||
	    put(e, insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_2, 0, 0)) ||
	    put(e, insn(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_1, 0, 0, 32)) ||
	    put_jump(e, insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, 0, 0, 0), END) ||
	    put_slow(e, R_A, size))
		return -1;
	e->p[jdone].off = (int16_t)(e->n - jdone - 1);
	return 0;
}

/* Classic-only opcode fields (linux/filter.h's, which cannot sit beside linux/bpf.h);
 * linux/bpf_common.h gives the rest. */
#define C_RVAL(code) ((code)&0x18)
#define C_RET_X 0x08
#define C_MISCOP(code) ((code)&0xf8)
#define C_TAX 0x00
#define C_MSH 0xa0

static int put_ret(struct emit *e, const struct xg_cbpf_insn *c, unsigned int bit)
{
	struct bpf_insn set = insn(BPF_ALU64 | BPF_OR | BPF_K, R_BITS, 0, 0, (int32_t)(1u << bit));
	uint8_t reg = C_RVAL(c->code) == C_RET_X ? R_X : R_A;

	if (C_RVAL(c->code) == 0) /* RET K: known now */
		return (c->k ? put(e, set) : 0) || put_ja(e, END);
	return put_jump(e, insn(BPF_JMP32 | BPF_JEQ | BPF_K, reg, 0, 0, 0), END) || put(e, set) ||
	       put_ja(e, END);
}

static int put_alu(struct emit *e, const struct xg_cbpf_insn *c)
{
	uint8_t op = BPF_OP(c->code);
	bool x = BPF_SRC(c->code) == BPF_X;

	if (op == BPF_NEG)
		return put(e, insn(BPF_ALU | BPF_NEG, R_A, 0, 0, 0));
	if ((op == BPF_DIV || op == BPF_MOD) && !x && !c->k)
		return put_ja(e, END);
	if ((op == BPF_DIV || op == BPF_MOD) && x &&
	    put_jump(e, insn(BPF_JMP32 | BPF_JEQ | BPF_K, R_X, 0, 0, 0), END))
		return -1;
	if ((op == BPF_LSH || op == BPF_RSH) && !x && c->k >= 32)
		return put(e, insn(BPF_ALU | BPF_MOV | BPF_K, R_A, 0, 0, 0));
	if ((op == BPF_LSH || op == BPF_RSH) && x) { /* X >= 32: A = 0, as bpf_filter */
		return put(e, insn(BPF_JMP32 | BPF_JGE | BPF_K, R_X, 0, 2, 32)) ||
		       put(e, insn(BPF_ALU | op | BPF_X, R_A, R_X, 0, 0)) ||
		       put(e, insn(BPF_JMP | BPF_JA, 0, 0, 1, 0)) ||
		       put(e, insn(BPF_ALU | BPF_MOV | BPF_K, R_A, 0, 0, 0));
	}
	if (x)
		return put(e, insn(BPF_ALU | op | BPF_X, R_A, R_X, 0, 0));
	return put(e, insn(BPF_ALU | op | BPF_K, R_A, 0, 0, (int32_t)c->k));
}

static int put_jmp(struct emit *e, const struct xg_cbpf_insn *c, long pc)
{
	uint8_t op = BPF_OP(c->code);
	bool x = BPF_SRC(c->code) == BPF_X;

	if (op == BPF_JA && (int32_t)c->k < 0) { /* protochain: into the next copy */
		if (put_ja(e, pc + 1 + (int32_t)c->k))
			return -1;
		e->fix[e->nfix - 1].copy++;
		return 0;
	}
	if (op == BPF_JA)
		return put_ja(e, pc + 1 + (long)c->k);
	if (op != BPF_JEQ && op != BPF_JGT && op != BPF_JGE && op != BPF_JSET)
		return -2;
	if (put_jump(e,
		     insn(BPF_JMP32 | op | (x ? BPF_X : BPF_K), R_A, x ? R_X : 0, 0,
			  x ? 0 : (int32_t)c->k),
		     pc + 1 + c->jt))
		return -1;
	return c->jf ? put_ja(e, pc + 1 + c->jf) : 0;
}

static int put_ld(struct emit *e, const struct xg_cbpf_insn *c)
{
	uint8_t dst = BPF_CLASS(c->code) == BPF_LD ? R_A : R_X;
	unsigned int size = BPF_SIZE(c->code) == BPF_W ? 4 : BPF_SIZE(c->code) == BPF_H ? 2 : 1;

	switch (BPF_MODE(c->code)) {
	case BPF_IMM:
		return put(e, insn(BPF_ALU | BPF_MOV | BPF_K, dst, 0, 0, (int32_t)c->k));
	case BPF_MEM:
		return c->k >= 16 ? -2
				  : put(e, insn(BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_10,
						M_OFF(c->k), 0));
	case BPF_LEN: /* the whole frame's, frags included (libpcap: the wire length) */
		return put(e, insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, R_CTX, 0, 0)) ||
		       put(e, insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_xdp_get_buff_len)) ||
		       put(e, insn(BPF_ALU | BPF_MOV | BPF_X, dst, BPF_REG_0, 0, 0));
	case BPF_ABS:
		return dst == R_A ? put_load_abs(e, R_A, c->k, size) : -2;
	case BPF_IND:
		return dst == R_A ? put_load_ind(e, c->k, size) : -2;
	case C_MSH: /* X = 4 * (P[k] & 0xf): the IPv4 header length */
		if (dst != R_X || size != 1)
			return -2;
		return put_load_abs(e, R_X, c->k, 1) ||
		       put(e, insn(BPF_ALU | BPF_AND | BPF_K, R_X, 0, 0, 0xf)) ||
		       put(e, insn(BPF_ALU | BPF_LSH | BPF_K, R_X, 0, 0, 2));
	}
	return -2;
}

/* One classic instruction. 0, -1 (no memory) or -2 (not translatable). */
static int put_one(struct emit *e, const struct xg_cbpf_insn *c, long pc, unsigned int bit)
{
	switch (BPF_CLASS(c->code)) {
	case BPF_LD:
	case BPF_LDX:
		return put_ld(e, c);
	case BPF_ST:
	case BPF_STX:
		if (c->k >= 16)
			return -2;
		return put(e, insn(BPF_STX | BPF_MEM | BPF_W, BPF_REG_10,
				   BPF_CLASS(c->code) == BPF_ST ? R_A : R_X, M_OFF(c->k), 0));
	case BPF_ALU:
		return put_alu(e, c);
	case BPF_JMP:
		return put_jmp(e, c, pc);
	case BPF_RET:
		return put_ret(e, c, bit);
	default: /* BPF_MISC */
		if (C_MISCOP(c->code) == C_TAX)
			return put(e, insn(BPF_ALU | BPF_MOV | BPF_X, R_X, R_A, 0, 0));
		return put(e, insn(BPF_ALU | BPF_MOV | BPF_X, R_A, R_X, 0, 0));
	}
}

/* libpcap's bpf_filter sign-extends a JA's offset: `protochain` jumps back to walk the
 * header chain. The verifier wants no loops, so such a program is emitted XG_MATCH_UNROLL
 * times over, a backward jump leading into the next copy; past the last copy the
 * expression is false (a chain of more than XG_MATCH_UNROLL headers). */
static unsigned int copies_of(const struct xg_cbpf_insn *c, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (c[i].code == (BPF_JMP | BPF_JA) && (int32_t)c[i].k < 0)
			return XG_MATCH_UNROLL;
	return 1;
}

static int patch(struct emit *e, unsigned int n, unsigned int copies, size_t end)
{
	size_t i;

	for (i = 0; i < e->nfix; i++) {
		const struct fix *f = &e->fix[i];
		bool out = f->pc == END || f->pc < 0 || f->pc >= (long)n || f->copy >= copies;
		size_t to = out ? end : e->start[f->copy * n + (size_t)f->pc];
		long off = (long)to - (long)f->at - 1;

		if (off < 0 || off > INT16_MAX) {
			snprintf(e->err, e->errlen, "expression too long for a jump (%ld)", off);
			return -1;
		}
		e->p[f->at].off = (int16_t)off;
	}
	return 0;
}

/* Which instructions of which copy can run: the verifier refuses unreachable ones (the
 * start of every copy after the first, code the optimiser left behind). Jumps go forward
 * within a copy or back into the next, so one pass in emission order sees every edge. */
static void mark_live(const struct xg_cbpf_insn *c, unsigned int n, unsigned int copies, bool *live)
{
	unsigned int k, i;

	live[0] = n > 0;
	for (k = 0; k < copies; k++) {
		for (i = 0; i < n; i++) {
			const struct xg_cbpf_insn *ci = &c[i];
			long t[2] = { (long)i + 1, -1 };
			unsigned int j;

			if (!live[k * n + i] || BPF_CLASS(ci->code) == BPF_RET)
				continue;
			if (ci->code == (BPF_JMP | BPF_JA)) {
				t[0] = (long)i + 1 + (int32_t)ci->k;
			} else if (BPF_CLASS(ci->code) == BPF_JMP) {
				t[0] = (long)i + 1 + ci->jt;
				t[1] = (long)i + 1 + ci->jf;
			}
			for (j = 0; j < 2; j++) {
				unsigned int kk = t[j] <= (long)i && t[j] >= 0 ? k + 1 : k;

				if (t[j] >= 0 && t[j] < (long)n && kk < copies)
					live[kk * n + (unsigned int)t[j]] = true;
			}
		}
	}
}

/* Expression bit: its classic program (copies of it, see copies_of), then its end label,
 * where every jump out of it lands. Jumps patched here. */
static int put_expr(struct emit *e, const struct xg_cbpf_insn *c, unsigned int n, unsigned int bit)
{
	unsigned int copies = copies_of(c, n), i;
	bool *live = calloc((size_t)copies * n + 1, sizeof(*live));
	int err = -1;

	e->nfix = 0;
	if (!live)
		return -1;
	mark_live(c, n, copies, live);
	if (put(e, insn(BPF_ALU | BPF_MOV | BPF_K, R_A, 0, 0, 0)) ||
	    put(e, insn(BPF_ALU | BPF_MOV | BPF_K, R_X, 0, 0, 0)))
		goto out;
	for (e->copy = 0; e->copy < copies; e->copy++) {
		for (i = 0; i < n; i++) {
			e->start[e->copy * n + i] = (unsigned int)e->n;
			if (!live[e->copy * n + i])
				continue;
			err = put_one(e, &c[i], (long)i, bit);
			if (err == -2)
				snprintf(e->err, e->errlen,
					 "classic BPF instruction %u (code 0x%04x) "
					 "cannot be translated",
					 i, c[i].code);
			if (err)
				goto out;
		}
	}
	/* falling off the end cannot happen: libpcap's programs end in RET */
	err = patch(e, n, copies, e->n);
out:
	free(live);
	return err ? -1 : 0;
}

/* Write the bits to this CPU's scratch, mark it pending and tail-call the slot's gate program
 * back (progs_fd[key]). Were it not there, pending is taken back and the frame aborted (the
 * loader puts it in place before the slot goes live). */
static int put_epilogue(struct emit *e, int scratch_fd, int progs_fd, __u32 key)
{
	size_t jnull;

	if (put(e, insn(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, KEY_OFF, 0)) ||
	    put_ld_map(e, BPF_REG_1, scratch_fd) ||
	    put(e, insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0)) ||
	    put(e, insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, KEY_OFF)) ||
	    put(e, insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem)))
		return -1;
	jnull = e->n;
	if (put(e, insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 0, 0)) ||
	    put(e, insn(BPF_STX | BPF_MEM | BPF_W, BPF_REG_0, R_BITS,
			offsetof(struct xg_match_scratch, bits), 0)) ||
	    put(e, insn(BPF_ST | BPF_MEM | BPF_W, BPF_REG_0, 0,
			offsetof(struct xg_match_scratch, pending), 1)) ||
	    put(e, insn(BPF_ALU64 | BPF_MOV | BPF_X, R_A, BPF_REG_0, 0, 0)) ||
	    put(e, insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, R_CTX, 0, 0)) ||
	    put_ld_map(e, BPF_REG_2, progs_fd) ||
	    put(e, insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_3, 0, 0, (int32_t)key)) ||
	    put(e, insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_tail_call)) ||
	    put(e, insn(BPF_ST | BPF_MEM | BPF_W, R_A, 0,
			offsetof(struct xg_match_scratch, pending), 0)))
		return -1;
	e->p[jnull].off = (int16_t)(e->n - jnull - 1);
	return put(e, insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, XDP_ABORTED)) ||
	       put(e, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

/* Whether an expression of ms reads M[j]: only those words need zeroing for the verifier. */
static bool mem_read(const struct xg_match_set *ms, unsigned int j)
{
	unsigned int i, k;

	for (i = 0; i < ms->n && i < XG_MATCH_MAX; i++)
		for (k = 0; ms->insn[i] && k < ms->ninsn[i]; k++)
			if ((BPF_CLASS(ms->insn[i][k].code) == BPF_LD ||
			     BPF_CLASS(ms->insn[i][k].code) == BPF_LDX) &&
			    BPF_MODE(ms->insn[i][k].code) == BPF_MEM && ms->insn[i][k].k == j)
				return true;
	return false;
}

int xg_cbpf_translate(const struct xg_match_set *ms, int scratch_fd, int progs_fd, __u32 key,
		      struct bpf_insn **out, size_t *n, char *err, size_t errlen)
{
	struct emit e = { .err = err, .errlen = errlen };
	unsigned int i, j;
	int ret = -1;

	snprintf(err, errlen, "out of memory");
	e.start = calloc(XG_MATCH_INSNS_MAX * XG_MATCH_UNROLL, sizeof(*e.start));
	if (!e.start || put(&e, insn(BPF_ALU64 | BPF_MOV | BPF_X, R_CTX, BPF_REG_1, 0, 0)) ||
	    put(&e, insn(BPF_ALU64 | BPF_MOV | BPF_K, R_BITS, 0, 0, 0)))
		goto out;
	for (j = 0; j < 16; j++) /* the words of M[] some expression reads */
		if (mem_read(ms, j) &&
		    put(&e, insn(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, M_OFF(j), 0)))
			goto out;
	for (i = 0; i < ms->n && i < XG_MATCH_MAX; i++) {
		if (ms->ninsn[i] > XG_MATCH_INSNS_MAX) {
			snprintf(err, errlen, "expression %u: over %d instructions", i,
				 XG_MATCH_INSNS_MAX);
			goto out;
		}
		if (ms->insn[i] && put_expr(&e, ms->insn[i], ms->ninsn[i], i))
			goto out;
	}
	if (put_epilogue(&e, scratch_fd, progs_fd, key))
		goto out;
	*out = e.p;
	*n = e.n;
	e.p = NULL;
	ret = 0;
out:
	free(e.p);
	free(e.fix);
	free(e.start);
	return ret;
}
