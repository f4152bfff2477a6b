// SPDX-License-Identifier: GPL-2.0
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "user/util/jsonstr.h"
#include "user/util/log.h"

/* File scope by necessity: libbpf_set_print and libxdp_set_print take no context, and
 * every message of the process goes one way. */
static int log_level = XG_LOG_INFO;
static bool log_json;
/* Per thread: a worker logs for its own interface while the main thread may log for
 * another. */
static __thread char log_iface[IF_NAMESIZE];

void xg_log_set_level(int level)
{
	log_level = level;
}

void xg_log_set_json(bool json)
{
	log_json = json;
}

void xg_log_set_iface(const char *ifname)
{
	snprintf(log_iface, sizeof(log_iface), "%s", ifname ? ifname : "");
}

const char *xg_log_level_name(int level)
{
	static const char *const names[] = { "warn", "info", "lib", "debug" };

	return level >= 0 && level <= XG_LOG_DEBUG ? names[level] : "debug";
}

/* systemd sets JOURNAL_STREAM=DEV:INODE for a service whose stderr is the journal. */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 && !fstat(STDERR_FILENO, &st) &&
	       (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void xg_log_json_line(FILE *f, const struct timespec *ts, int level, const char *iface,
		      const char *msg)
{
	size_t n = strlen(msg);
	char when[32], *m;
	struct tm tm;

	while (n && msg[n - 1] == '\n')
		n--;
	m = strndup(msg, n);
	gmtime_r(&ts->tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "{\"timestamp\":\"%s.%03ldZ\",\"level\":\"%s\"", when, ts->tv_nsec / 1000000,
		xg_log_level_name(level));
	if (iface && *iface) {
		fprintf(f, ",\"interface\":");
		xg_json_str(f, iface);
	}
	fprintf(f, ",\"message\":");
	xg_json_str(f, m ? m : "(out of memory)");
	fprintf(f, "}\n");
	free(m);
}

/* One write(2) per line, so lines of threads logging at once do not interleave. */
static void vlog(int level, const char *fmt, va_list ap)
{
	static const int prio[] = { 4, 6, 6, 7 }; /* warning, info, info, debug */
	char msg[4096], line[8192];
	struct timespec ts;
	FILE *f;
	long n;

	if (level > log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	f = fmemopen(line, sizeof(line), "w");
	if (!f)
		return;
	if (log_json) {
		clock_gettime(CLOCK_REALTIME, &ts);
		xg_log_json_line(f, &ts, level, log_iface, msg);
	} else {
		if (stderr_is_journal()) /* checked each line: rare, and stderr may be moved */
			fprintf(f, "<%d>", prio[level < 0 ? 0 : level > 3 ? 3 : level]);
		fprintf(f, "%s%s", level == XG_LOG_WARN ? "xdpgate: " : "", msg);
	}
	n = ftell(f);
	fclose(f);
	if (n > 0 && write(STDERR_FILENO, line, (size_t)n) < 0)
		return; /* nowhere left to say so */
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
