// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "user/gate/prep.h"
#include "user/util/log.h"
#include "user/gate/skel.h"

int xg_gate_prepare(struct xg_gate_prep *gp, const struct xg_gate_fill *f, const void *arg,
		    bool load)
{
	int err;

	xg_gate_maps_init(&gp->maps);
	gp->skel = xdpgate_bpf__open();
	if (!gp->skel) {
		err = -errno;
		pr_warn("cannot open the gate object: %s\n", strerror(-err));
		return err;
	}
	/* the entry only: each slot's program is loaded for its set (user/gate/spec.c) */
	bpf_program__set_autoload(gp->skel->progs.xdpgate_set, false);
	err = f->shape ? f->shape(gp->skel, arg) : 0;
	if (!err)
		err = xg_gate_maps_create(gp->skel, &gp->maps);
	if (!err)
		err = f->fill(&gp->maps, arg);
	if (!err && load) {
		err = xdpgate_bpf__load(gp->skel);
		if (err)
			pr_warn("cannot load the gate: %s\n", strerror(-err));
	}
	if (err)
		xg_gate_release(gp);
	return err;
}

void xg_gate_release(struct xg_gate_prep *gp)
{
	xg_gate_maps_close(&gp->maps);
	xdpgate_bpf__destroy(gp->skel);
	gp->skel = NULL;
}
