// SPDX-License-Identifier: GPL-2.0
/* Safe apply: `rules load --confirm SECS` and `rules confirm` (README "Safe apply").
 *
 * The pending load is a record in the gate's pinned xg_pending map: a random token, the
 * generations of the pending set and of the set a revert restores, a CLOCK_BOOTTIME
 * deadline. A detached timer process (one per pending load) polls the record and, at the
 * deadline, takes the gate's lock and reverts only if the record still carries its token
 * and the other slot still holds the previous generation. Confirming, or any other change
 * of the set, clears the record, so the timer finds its token gone and exits. If the timer
 * is killed, the next rule change (or `rules confirm`) finds the deadline passed and reverts
 * then; a reboot loses the gate and its pins altogether.
 *
 * The record is written, and its timer started, BEFORE the flip to the new set: a process
 * killed at any point leaves either the old set live (a record whose previous generation is
 * still live: the load never took effect, and the record is simply dropped), or the new set
 * with its revert armed. The timer keeps only the capabilities a revert needs. */
#define _GNU_SOURCE /* pipe2, close_range */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "user/gate/caps.h"
#include "user/rules/apply.h"
#include "user/rules/load.h"
#include "user/util/log.h"

#define TIMER_POLL_NS 100000000ull /* how soon the timer notices a confirm */

__u64 xg_boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

unsigned long long xg_pending_left_ms(const struct xg_pending *p)
{
	__u64 now = xg_boottime_ns();

	return now >= p->deadline_ns ? 0 : (p->deadline_ns - now) / 1000000;
}

int xg_pending_read(int fd, struct xg_pending *p)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(fd, &key, p) ? -errno : 0;
}

static int pending_write(const struct xg_gate_maps *m, const struct xg_pending *p)
{
	__u32 key = 0;

	return bpf_map_update_elem(m->pending, &key, p, BPF_ANY) ? -errno : 0;
}

/* The pending record of the gate as pinned now (a re-attached gate has new maps). */
static int pinned_pending(const struct xg_gate *g, struct xg_pending *p)
{
	int fd = xg_gate_map_fd(g, "rules", "xg_pending"), err;

	if (fd < 0)
		return fd;
	err = xg_pending_read(fd, p);
	close(fd);
	return err;
}

/* The live generation. 0 or -errno. */
static int live_gen(const struct xg_gate_maps *m, __u32 *gen)
{
	struct xg_config cfg;
	__u32 key = 0;

	if (bpf_map_lookup_elem(m->config, &key, &cfg))
		return -errno;
	*gen = cfg.slot[cfg.active & 1].gen;
	return 0;
}

/* Settle a record whose time has come (or whose load died before its flip): flip back, or,
 * when the previous generation is still live (the load never took effect), just drop it.
 * 0 or -errno; *reverted says which. */
static int settle(const struct xg_gate_maps *m, const struct xg_pending *p, bool *reverted)
{
	__u32 gen = 0;
	int err = live_gen(m, &gen);

	*reverted = false;
	if (err)
		return err;
	if (gen == p->prev_gen)
		return xg_pending_clear(m);
	*reverted = true;
	return xg_rules_revert(m, p->prev_gen);
}

/* The deadline has come: revert under the lock, if the load is still ours to revert. */
static int timer_fire(const struct xg_gate *g, __u64 token)
{
	struct xg_gate_maps m;
	struct xg_pending p;
	bool reverted;
	int lock, err;

	lock = xg_gate_lock(g, "rules");
	if (lock < 0)
		return lock;
	err = xg_gate_maps_open(g, "rules", &m);
	if (!err)
		err = xg_pending_read(m.pending, &p);
	if (!err && p.token == token) {
		err = settle(&m, &p, &reverted);
		if (reverted || err)
			syslog(err ? LOG_ERR : LOG_WARNING,
			       "%s: rules load --confirm %u not confirmed: %s generation %u",
			       g->ifname, p.secs, err ? "could not revert to" : "reverted to",
			       p.prev_gen);
	}
	xg_gate_maps_close(&m);
	close(lock);
	return err;
}

static void timer_run(const struct xg_gate *g, __u64 token)
{
	struct timespec ts = { 0 };
	struct xg_pending p;
	__u64 now;

	prctl(PR_SET_NAME, "xdpgate-revert");
	openlog("xdpgate", LOG_PID, LOG_DAEMON);
	for (;;) {
		if (xg_gate_iface_gone(g) || pinned_pending(g, &p) || p.token != token)
			_exit(0); /* confirmed, replaced, or the gate is gone */
		now = xg_boottime_ns();
		if (now >= p.deadline_ns)
			break;
		ts.tv_nsec = (long)(p.deadline_ns - now < TIMER_POLL_NS ? p.deadline_ns - now
									: TIMER_POLL_NS);
		nanosleep(&ts, NULL);
	}
	_exit(timer_fire(g, token) ? 1 : 0);
}

/* Start the timer detached (its own session, no terminal, no fd of ours: not the lock).
 * Its pid, or -errno. */
static int timer_spawn(const struct xg_gate *g, __u64 token)
{
	int pfd[2], status, nul;
	pid_t child, pid = -1;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	child = fork();
	if (child < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (child == 0) {
		setsid();
		signal(SIGHUP, SIG_IGN);
		pid = fork();
		if (pid == 0) {
			nul = open("/dev/null", O_RDWR);
			dup2(nul, 0);
			dup2(nul, 1);
			dup2(nul, 2);
			close_range(3, ~0u, 0);
			if (chdir("/")) /* holds no mount busy */
				_exit(1);
			/* up to a day in the background: keep only what the revert needs */
			if (xg_caps_limit_revert())
				_exit(1);
			timer_run(g, token);
		}
		_exit(write(pfd[1], &pid, sizeof(pid)) == sizeof(pid) ? 0 : 1);
	}
	close(pfd[1]);
	if (read(pfd[0], &pid, sizeof(pid)) != sizeof(pid))
		pid = -1;
	close(pfd[0]);
	waitpid(child, &status, 0);
	return pid > 0 ? pid : -ECHILD;
}

int xg_apply_arm(const struct xg_gate *g, const struct xg_gate_maps *m, unsigned int secs,
		 struct xg_pending *out)
{
	struct xg_config cfg;
	struct xg_pending p = { .secs = secs };
	__u32 key = 0, a;
	int pid, err;

	if (bpf_map_lookup_elem(m->config, &key, &cfg))
		return -errno;
	a = cfg.active & 1;
	p.prev_gen = cfg.slot[a].gen;
	/* the generation the install will give the new set (xg_rules_install: the highest
	 * one plus one); shown by status, never used to decide */
	p.gen = (cfg.slot[0].gen > cfg.slot[1].gen ? cfg.slot[0].gen : cfg.slot[1].gen) + 1;
	if (getrandom(&p.token, sizeof(p.token), 0) != sizeof(p.token))
		return -errno;
	p.token |= 1; /* never 0, which means nothing pending */
	p.deadline_ns = xg_boottime_ns() + (__u64)secs * 1000000000ull;
	err = pending_write(m, &p);
	pid = err ? err : timer_spawn(g, p.token);
	if (pid < 0) {
		pr_warn("%s: cannot start the revert timer: %s\n", g->ifname, strerror(-pid));
		xg_pending_clear(m);
		return pid;
	}
	p.timer_pid = (__u32)pid;
	*out = p;
	err = pending_write(m, &p); /* the timer only reads the token and deadline */
	if (err)		    /* it still reverts at the deadline; status cannot name it */
		pr_warn("%s: cannot record the revert timer's pid %d: %s\n", g->ifname, pid,
			strerror(-err));
	return 0;
}

int xg_apply_restart_clock(const struct xg_gate_maps *m, struct xg_pending *p)
{
	p->deadline_ns = xg_boottime_ns() + (__u64)p->secs * 1000000000ull;
	return pending_write(m, p);
}

int xg_apply_overdue(const struct xg_gate *g, const struct xg_gate_maps *m)
{
	struct xg_pending p;
	bool reverted;
	__u32 gen = 0;
	int err = xg_pending_read(m->pending, &p);

	if (!err && p.token)
		err = live_gen(m, &gen);
	if (err || !p.token)
		return err;
	if (gen == p.prev_gen) { /* its load died between the record and the flip */
		pr_warn("%s: a --confirm load of generation %u never took effect: its "
			"record is dropped\n",
			g->ifname, p.gen);
		return xg_pending_clear(m);
	}
	if (xg_boottime_ns() < p.deadline_ns)
		return 0;
	pr_warn("%s: the --confirm load (generation %u) was not confirmed in time: "
		"reverting to generation %u\n",
		g->ifname, p.gen, p.prev_gen);
	err = settle(m, &p, &reverted);
	if (err == -ESTALE) {
		/* no set to go back to, ever: a record kept would refuse every change to come */
		pr_warn("%s: generation %u stays live, the pending record is dropped\n", g->ifname,
			p.gen);
		err = xg_pending_clear(m);
	}
	return err ? err : -ETIME;
}

int xg_apply_confirm(const struct xg_gate_maps *m, struct xg_pending *was)
{
	int err = xg_pending_read(m->pending, was);

	if (err)
		return err;
	return was->token ? xg_pending_clear(m) : -ENOENT;
}

bool xg_apply_timer_alive(const struct xg_pending *p)
{
	char path[64], comm[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/comm", p->timer_pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return !strcmp(comm, "xdpgate-revert\n");
}
