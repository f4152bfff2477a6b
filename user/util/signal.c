// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include <stddef.h>

#include "user/util/signal.h"

/* File scope by necessity: a signal handler has no context pointer. */
static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
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
