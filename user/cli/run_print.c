// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "user/cli/run_print.h"

void xg_run_print_sockets(const struct xg_pool *p)
{
	struct xg_pool_worker_info w;
	unsigned int i;

	for (i = 0; i < xg_pool_nworkers(p); i++) {
		xg_pool_worker_info(p, i, &w);
		if (w.slot) /* another socket on the queue: the first's UMEM, a share of it */
			printf("%s queue %u: %s mode, worker %u on CPU %d, the queue's UMEM "
			       "(%u of its frames to start)\n",
			       xg_pool_ifname(p), w.queue, w.zerocopy ? "zero-copy" : "copy",
			       w.slot, w.cpu, w.nframes);
		else
			printf("%s queue %u: %s mode, worker on CPU %d, UMEM %u x %u bytes%s\n",
			       xg_pool_ifname(p), w.queue, w.zerocopy ? "zero-copy" : "copy", w.cpu,
			       w.nframes, w.frame_size, w.huge ? " (huge pages)" : "");
		if (!w.out_ifname[0])
			continue;
		if (w.out_shared)
			printf("%s queue %u -> %s queue %u: shared UMEM, frames move by "
			       "descriptor\n",
			       xg_pool_ifname(p), w.queue, w.out_ifname, w.out_queue);
		else
			printf("%s queue %u -> %s queue %u: copy into the output's UMEM (%s%s)\n",
			       xg_pool_ifname(p), w.queue, w.out_ifname, w.out_queue,
			       w.out_refused ? "shared UMEM refused: " : "copy forced",
			       w.out_refused ? strerror(w.out_refused) : "");
	}
	printf("%s: %s gate, Ctrl-C to stop\n", xg_pool_ifname(p),
	       xg_pool_joined(p) ? "joined the attached" : "attached (bpf_link) our own");
	fflush(stdout);
}
