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

/* Frags-aware, as the gate's programs are: a progs map takes programs of one kind. */
static int load(const struct bpf_insn *insns, size_t n, char *vlog)
{
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = vlog, .log_size = VLOG_SIZE, .log_level = 1,
		    .prog_flags = BPF_F_XDP_HAS_FRAGS,
		    .expected_attach_type = BPF_XDP); /* as libbpf loads the gate */

	vlog[0] = '\0';
	return bpf_prog_load(BPF_PROG_TYPE_XDP, "xg_match", "GPL", insns, n, &o);
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

int xg_match_prog_load(const struct xg_gate_maps *m, const struct xg_match_set *ms, __u32 slot)
{
	char err[XG_MATCH_ERR_MAX];
	struct bpf_insn *insns;
	char *vlog;
	size_t n;
	int fd = -1;

	vlog = malloc(VLOG_SIZE);
	if (!vlog || xg_cbpf_translate(ms, m->match_scratch, m->gate_progs, slot, &insns, &n, err,
				       sizeof(err))) {
		pr_warn("rules: match: %s\n", vlog ? err : "out of memory");
		free(vlog);
		return -1;
	}
	injected_fault(insns);
	fd = load(insns, n, vlog);
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
