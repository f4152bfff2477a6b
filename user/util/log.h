/* SPDX-License-Identifier: GPL-2.0 */
/* The one logging interface, on stderr. Our warnings and information lines always print;
 * -v adds what libbpf and libxdp say (mostly feature probes that fall back), -vv their
 * debug output and ours. */
#ifndef XG_LOG_H
#define XG_LOG_H

enum xg_log_level {
	XG_LOG_WARN = 0,
	XG_LOG_INFO, /* the default */
	XG_LOG_LIB,  /* -v: libbpf and libxdp warnings and info */
	XG_LOG_DEBUG /* -vv */
};

void xg_log_set_level(int level);
void xg_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Route libbpf's and libxdp's messages through xg_log. */
void xg_log_hook_libs(void);

#define pr_warn(...) xg_log(XG_LOG_WARN, "xdpgate: " __VA_ARGS__)
#define pr_info(...) xg_log(XG_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) xg_log(XG_LOG_DEBUG, __VA_ARGS__)

#endif
