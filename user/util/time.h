/* SPDX-License-Identifier: GPL-2.0 */
/* CLOCK_MONOTONIC as seconds in a double: what interval reports and pacing need. */
#ifndef XG_UTIL_TIME_H
#define XG_UTIL_TIME_H

double xg_now(void);
/* Sleep until the absolute time t (xg_now's clock), so intervals do not drift; a signal
 * ends the wait early. */
void xg_sleep_until(double t);

#endif
