// SPDX-License-Identifier: GPL-2.0
/* The files live in /sys/class/net/IF/. A process that joined a network namespace with
 * setns (nsenter --net, ip netns exec without its remount) still sees the sysfs mounted for
 * the namespace it came from, where IF may not exist or may be another device. So the
 * reads and writes run in a short-lived child that takes a private mount namespace and
 * mounts a sysfs of its own, which shows the caller's network namespace. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "user/pool/napi_tune.h"
#include "user/util/log.h"

static long read_long(const char *path)
{
	char buf[32] = { 0 };
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

static int write_long(const char *path, long v)
{
	char buf[32];
	int fd = open(path, O_WRONLY), len = snprintf(buf, sizeof(buf), "%ld", v), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, buf, (size_t)len) == len;
	close(fd);
	return ok ? 0 : -1;
}

/* In the child: own sysfs, then old values out through fd, then the new ones written.
 * Exit status 0, or the errno of the step that failed. */
static int child_swap(int out, const char *ifname, long defer, long gro)
{
	char pd[128], pg[128];
	long old[2];

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("sysfs", "/sys", "sysfs", 0, NULL))
		return errno ? errno : EIO;
	snprintf(pd, sizeof(pd), "/sys/class/net/%s/napi_defer_hard_irqs", ifname);
	snprintf(pg, sizeof(pg), "/sys/class/net/%s/gro_flush_timeout", ifname);
	old[0] = read_long(pd);
	old[1] = read_long(pg);
	if (old[0] < 0 || old[1] < 0)
		return ENOENT;
	if (write(out, old, sizeof(old)) != (ssize_t)sizeof(old))
		return EIO;
	if (write_long(pd, defer))
		return errno ? errno : EIO;
	if (write_long(pg, gro)) {
		write_long(pd, old[0]); /* nothing half-applied */
		return errno ? errno : EIO;
	}
	return 0;
}

/* Swap in (defer, gro); *old gets what was there. 0 or -errno. */
static int swap_values(const char *ifname, long defer, long gro, long old[2])
{
	int pfd[2], status, err = 0;
	pid_t pid;

	if (pipe(pfd))
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return err;
	}
	if (!pid) {
		close(pfd[0]);
		_exit(child_swap(pfd[1], ifname, defer, gro));
	}
	close(pfd[1]);
	if (read(pfd[0], old, 2 * sizeof(long)) != (ssize_t)(2 * sizeof(long)))
		err = -EIO;
	close(pfd[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status))
		return -EIO;
	return WEXITSTATUS(status) ? -WEXITSTATUS(status) : err;
}

int xg_napi_tune_apply(struct xg_napi_tune *t, const char *ifname, long defer, long gro_ns)
{
	long old[2];
	int err;

	memset(t, 0, sizeof(*t));
	err = swap_values(ifname, defer, gro_ns, old);
	if (err) {
		pr_warn("%s: cannot set napi_defer_hard_irqs and gro_flush_timeout for busy "
			"polling (%s): the socket options alone apply\n",
			ifname, strerror(-err));
		return err;
	}
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifname);
	t->old_defer = old[0];
	t->old_gro = old[1];
	t->applied = true;
	pr_info("%s: busy polling: napi_defer_hard_irqs %ld, gro_flush_timeout %ld ns "
		"(were %ld, %ld; restored on exit)\n",
		ifname, defer, gro_ns, old[0], old[1]);
	return 0;
}

void xg_napi_tune_restore(struct xg_napi_tune *t)
{
	long ignored[2];

	if (!t->applied)
		return;
	if (swap_values(t->ifname, t->old_defer, t->old_gro, ignored))
		pr_warn("%s: could not restore napi_defer_hard_irqs %ld, gro_flush_timeout %ld\n",
			t->ifname, t->old_defer, t->old_gro);
	t->applied = false;
}
