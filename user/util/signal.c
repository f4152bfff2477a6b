// SPDX-License-Identifier: GPL-2.0
#include <pthread.h>
#include <signal.h>
#include <stddef.h>

#include "user/util/signal.h"

/* File scope by necessity: a signal handler has no context pointer. */
static volatile sig_atomic_t stop_flag, reload_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	reload_flag = 1;
}

void xg_reload_on_sighup(void)
{
	struct sigaction sa = { .sa_handler = on_hup };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
}

bool xg_reload_requested(void)
{
	if (!reload_flag)
		return false;
	reload_flag = 0;
	return true;
}

void xg_stop_on_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

bool xg_stop_requested(void)
{
	return stop_flag;
}

static void ours(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

void xg_signals_hold(void)
{
	sigset_t set;

	ours(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

void xg_signals_release(void)
{
	sigset_t set;

	ours(&set);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}
