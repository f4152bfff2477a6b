/* SPDX-License-Identifier: GPL-2.0 */
/* What the kernel did with the generator's frames, per CPU. The generator's program only
 * returns XDP_TX; BPF_PROG_RUN then redirects each frame to the interface and never tells
 * the caller whether the driver took it. So xdp/gen.bpf.c also watches the xdp
 * tracepoints of its own threads, and `gen` reports what the driver accepted. */
#ifndef XG_GEN_TX_H
#define XG_GEN_TX_H

#include <linux/types.h>

struct xg_gen_tx {
	__u64 sent;    /* accepted by the driver (xdp_devmap_xmit: sent) */
	__u64 dropped; /* handed to the driver and refused (xdp_devmap_xmit: drops) */
	__u64 refused; /* never reached the driver: down, gone, too big (xdp_redirect_err) */
	__s32 err;     /* the last error seen, a negative errno; 0: none */
	__u32 pad;
};
_Static_assert(sizeof(struct xg_gen_tx) == 32, "xg_gen_tx layout");

#endif
