/* SPDX-License-Identifier: GPL-2.0 */
/* The one logging interface, on stderr, one line per event. Our warnings and information
 * lines always print; -v adds what libbpf and libxdp say (mostly feature probes that fall
 * back), -vv their debug output and ours.
 *
 * Text lines: warnings (errors among them) start with "xdpgate: ", information lines are
 * bare; when stderr is the journal (systemd's JOURNAL_STREAM) each line also starts with
 * the syslog priority "<N>", which journald takes as the line's level. JSON lines
 * (--log-json, [log] json = yes): one object per line with timestamp, level, interface
 * and message. */
#ifndef XG_LOG_H
#define XG_LOG_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

enum xg_log_level {
	XG_LOG_WARN = 0,
	XG_LOG_INFO, /* the default */
	XG_LOG_LIB,  /* -v: libbpf and libxdp warnings and info */
	XG_LOG_DEBUG /* -vv */
};

void xg_log_set_level(int level);
/* JSON lines from now on. */
void xg_log_set_json(bool json);
/* The interface this thread works on, for JSON lines' "interface" (copied); NULL: none. */
void xg_log_set_iface(const char *ifname);
void xg_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Route libbpf's and libxdp's messages through xg_log. */
void xg_log_hook_libs(void);

/* The name of a level: warn, info, lib, debug (the words of `[log] level`). */
const char *xg_log_level_name(int level);
/* One JSON log line for msg (its trailing newlines dropped) at time ts into f:
 * {"timestamp":"2026-12-02T00:31:02.123Z","level":"info","interface":"eth0","message":"..."}
 * ("interface" only when iface is set). */
void xg_log_json_line(FILE *f, const struct timespec *ts, int level, const char *iface,
		      const char *msg);

#define pr_warn(...) xg_log(XG_LOG_WARN, __VA_ARGS__) /* text lines: "xdpgate: " first */
#define pr_info(...) xg_log(XG_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) xg_log(XG_LOG_DEBUG, __VA_ARGS__)

#endif
