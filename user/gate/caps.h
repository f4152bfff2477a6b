/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XG_CAPS_H
#define XG_CAPS_H

#include <stdbool.h>

/* What a command does, and so which capabilities it needs in its effective set (found by
 * trying each with one capability dropped, kernel 6.18, unprivileged_bpf_disabled=2):
 * - reading a gate (status, stats, rules list) opens its pinned maps and asks the kernel
 *   which program is attached: prog-by-id needs CAP_SYS_ADMIN (it also stands in for CAP_BPF);
 * - changing a gate (attach, detach, cleanup, rules changes) also needs CAP_NET_ADMIN:
 *   attaching through netlink needs it, and we hold every change of the policy to it;
 * - running one (run, gen, baseline) also opens AF_XDP sockets (CAP_NET_RAW) and registers a
 *   UMEM larger than RLIMIT_MEMLOCK (CAP_IPC_LOCK). */
enum xg_caps_need {
	XG_CAPS_READ,
	XG_CAPS_CHANGE,
	XG_CAPS_RUN,
	XG_CAPS_TEST_RUN, /* BPF_PROG_RUN of a loaded program: rules bench */
};

/* 0, or -EPERM after one line naming every missing capability. */
int xg_require_caps(const char *cmd, enum xg_caps_need need);

/* Limit the calling thread (capabilities are per thread) to what it still needs, in its
 * effective and permitted sets so they cannot be raised again: with control, CAP_SYS_ADMIN,
 * CAP_NET_ADMIN and CAP_BPF (if held: rule reload re-opens the pins and checks the attached
 * program, teardown detaches); without, nothing (a worker's rings, poll and TX kicks need
 * none, verified by the run tests). 0 or -errno. */
int xg_caps_limit_thread(bool control);
/* Limit the calling thread to what reverting a rule set needs: CAP_SYS_ADMIN (the pins, the
 * attached program's id) and CAP_BPF (maps), if held; CAP_NET_ADMIN is not needed (measured:
 * a revert without it works). For the --confirm timer, which waits up to a day. 0 or -errno. */
int xg_caps_limit_revert(void);

#endif
