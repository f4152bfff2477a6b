// SPDX-License-Identifier: GPL-2.0
/* A fresh gate for a rule set: the program shaped for what the set uses (connection
 * tracking compiled in or out by rodata, the flow table sized) before its maps exist,
 * then the compiled set installed in them, so the first frame the program sees is
 * classified by the set (user/gate/prep.h does the opening and loading). */
#include <errno.h>

#include "user/rules/ct.h"
#include "user/rules/flows_load.h"
#include "user/rules/load.h"
#include "user/gate/skel.h"

struct initial_fill {
	const struct xg_ruleset *rs;
	const struct xg_compiled *c;
};

/* The program shaped for the set (rodata: connection tracking compiled in or out; the
 * flow table's size) before its maps exist, then the set installed in them. */
static int shape_initial(struct xdpgate_bpf *skel, const void *arg)
{
	const struct initial_fill *f = arg;
	int err = xg_ct_specialise(skel, f->rs);

	return err ? err : xg_flows_size_table(skel, f->rs);
}

static int fill_initial(const struct xg_gate_maps *m, const void *arg)
{
	const struct initial_fill *f = arg;

	return xg_rules_install(m, f->rs, f->c, true);
}

static const struct xg_gate_fill initial_ops = { shape_initial, fill_initial };

int xg_rules_gate_prepare(struct xg_gate_prep *gp, const struct xg_ruleset *rs, bool load)
{
	struct xg_compiled c;
	struct initial_fill f = { rs, &c };
	int err;

	gp->skel = NULL;
	xg_gate_maps_init(&gp->maps);
	if (xg_rules_compile(rs, &c))
		return -EINVAL; /* the compiler names the rule; its -1 carries no errno */
	err = xg_gate_prepare(gp, &initial_ops, &f, load);
	xg_compiled_free(&c);
	return err;
}
