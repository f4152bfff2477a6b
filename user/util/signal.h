/* SPDX-License-Identifier: GPL-2.0 */
/* Ctrl-C and SIGTERM end the foreground commands (run, stats, gen, baseline) cleanly: the
 * handler only raises a flag that their loops poll. */
#ifndef XG_UTIL_SIGNAL_H
#define XG_UTIL_SIGNAL_H

#include <stdbool.h>

/* From now on SIGINT and SIGTERM set the stop flag instead of killing the process. */
void xg_stop_on_signals(void);
/* True once SIGINT or SIGTERM arrived. */
bool xg_stop_requested(void);

/* From now on SIGHUP asks for a reload instead of ending the process. */
void xg_reload_on_sighup(void);
/* True once per SIGHUP received since the last call (several before a call count once). */
bool xg_reload_requested(void);

/* Block SIGINT, SIGTERM and SIGHUP in this thread and the threads it starts until
 * xg_signals_release(): a process-directed signal goes to any thread that does not block
 * it, and only the main thread's sleep must be cut short by it (else a reload or a stop
 * waits for the sleep to end). Signals that came meanwhile are delivered on release. */
void xg_signals_hold(void);
void xg_signals_release(void);

#endif
