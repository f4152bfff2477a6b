// SPDX-License-Identifier: GPL-2.0
/* Loading the `match` program of a rule set (design in user/rules/cbpf.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "user/rules/cbpf.h"
#include "user/rules/match_load.h"
#include "user/util/log.h"

#define VLOG_SIZE (1 << 20)

/* What the verifier refused: its last line before the statistics ("processed N insns"). */
static const char *last_line(char *log)
{
	char *end = log + strlen(log), *p;

	for (;;) {
		while (end > log && (end[-1] == '\n' || end[-1] == ' '))
			*--end = '\0';
		p = strrchr(log, '\n');
		p = p ? p + 1 : log;
		if (p == log || strncmp(p, "processed ", 10))
			return p;
		end = p;
	}
}

/* A frags-aware gate owns its progs map with frags: the program must say the same, or
 * the kernel refuses it there (EINVAL). Where the gate's kind is not known (maps opened
 * from pins), the other kind is tried after the first. */
static int load(const struct bpf_insn *insns, size_t n, char *vlog, bool frags)
{
	const __u32 flags[] = { frags ? BPF_F_XDP_HAS_FRAGS : 0, frags ? 0 : BPF_F_XDP_HAS_FRAGS };
	int fd = -1;
	size_t i;

	for (i = 0; i < 2 && fd < 0; i++) {
		LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = vlog, .log_size = VLOG_SIZE,
			    .log_level = 1, .prog_flags = flags[i],
			    .expected_attach_type = BPF_XDP); /* as libbpf loads the gate */

		vlog[0] = '\0';
		fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xg_match", "GPL", insns, n, &o);
		if (fd < 0 && errno != EINVAL)
			break;
	}
	return fd;
}

/* Fault injection for the tests (rules_match_diff_test): XG_FAULT_MATCH_PROG=1 makes the
 * program one the verifier refuses (its first instruction reads a register never set). */
static void injected_fault(struct bpf_insn *insns)
{
	if (getenv("XG_FAULT_MATCH_PROG"))
		insns[0] = (struct bpf_insn){ .code = BPF_LDX | BPF_MEM | BPF_DW,
					      .dst_reg = BPF_REG_0,
					      .src_reg = BPF_REG_2 };
}

int xg_match_prog_load(const struct xg_gate_maps *m, const struct xg_match_set *ms, bool initial)
{
	char err[XG_MATCH_ERR_MAX];
	struct bpf_insn *insns;
	char *vlog;
	__u32 key = XG_MATCH_PROG_CONT, id;
	size_t n;
	int fd = -1;

	/* a live gate must be its programs' continuation (a fresh one becomes it on load) */
	if (!initial && bpf_map_lookup_elem(m->match_progs, &key, &id)) {
		pr_warn("rules: match: the gate cannot call itself back (attached as an "
			"extension of libxdp's dispatcher?): a set with match cannot run on it\n");
		return -1;
	}
	vlog = malloc(VLOG_SIZE);
	if (!vlog ||
	    xg_cbpf_translate(ms, m->match_scratch, m->match_progs, &insns, &n, err, sizeof(err))) {
		pr_warn("rules: match: %s\n", vlog ? err : "out of memory");
		free(vlog);
		return -1;
	}
	injected_fault(insns);
	fd = load(insns, n, vlog, m->match_frags);
	if (fd < 0 && getenv("XG_MATCH_VLOG")) /* the whole log, for debugging */
		fputs(vlog, stderr);
	if (fd < 0)
		pr_warn("rules: match: the verifier refused the program of %u expressions (%zu "
			"instructions; limits: %d expressions a set, %d classic instructions "
			"each): %s\n",
			ms->n, n, XG_MATCH_MAX, XG_MATCH_INSNS_MAX,
			vlog[0] ? last_line(vlog) : strerror(errno));
	free(insns);
	free(vlog);
	return fd;
}

int xg_match_cont_set(const struct xg_gate_maps *m, int prog_fd)
{
	return xg_gate_match_cont(m->match_progs, prog_fd);
}
