/* SPDX-License-Identifier: GPL-2.0 */
/* The `match` program: a rule set's classic BPF expressions (libpcap's) translated into one
 * XDP program of eBPF that evaluates them all on the frame, writes bit i for each one that
 * holds into the gate's per-CPU xg_match_scratch and tail-calls the slot's gate program back
 * (common/xdpgate_rules.h, XG_SLOT_MATCH). Each expression keeps libpcap's meaning: every
 * packet read is bounded by the frame (a read past its end makes the expression false, as
 * in bpf_filter), reads past the linear part go through bpf_xdp_load_bytes, a division by
 * zero is false, a shift by 32 or more gives 0. */
#ifndef XG_RULES_CBPF_H
#define XG_RULES_CBPF_H

#include <linux/bpf.h>
#include <stddef.h>

#include "user/rules/match.h"

/* The program for ms, using the map scratch_fd, going on to progs_fd[key]: *out (n
 * instructions, the caller frees). 0, or -1 with one line in err (an instruction it cannot
 * translate). */
int xg_cbpf_translate(const struct xg_match_set *ms, int scratch_fd, int progs_fd, __u32 key,
		      struct bpf_insn **out, size_t *n, char *err, size_t errlen);

#endif
