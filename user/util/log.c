// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "user/util/log.h"

/* File scope by necessity: libbpf_set_print and libxdp_set_print take no context. */
static int log_level = XG_LOG_INFO;

void xg_log_set_level(int level)
{
	log_level = level;
}

static void vlog(int level, const char *fmt, va_list ap)
{
	if (level <= log_level)
		vfprintf(stderr, fmt, ap);
}

void xg_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

/* Library warnings are mostly noise to users (probing features that fall back), so they
 * show from -v; debug from -vv. */
static int lib_level(int lib_warn, int lib_info, int lvl)
{
	if (lvl == lib_warn || lvl == lib_info)
		return XG_LOG_LIB;
	return XG_LOG_DEBUG;
}

static int libbpf_print(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	vlog(lib_level(LIBBPF_WARN, LIBBPF_INFO, lvl), fmt, ap);
	return 0;
}

static int libxdp_print(enum libxdp_print_level lvl, const char *fmt, va_list ap)
{
	vlog(lib_level(LIBXDP_WARN, LIBXDP_INFO, lvl), fmt, ap);
	return 0;
}

void xg_log_hook_libs(void)
{
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}
