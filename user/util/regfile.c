// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE /* getc_unlocked */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "user/util/regfile.h"

static const char *kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a file";
}

int xg_read_line(FILE *f, char *buf, size_t max, size_t *len, size_t *nul)
{
	size_t n = 0;
	int ch;

	*nul = 0;
	while ((ch = getc_unlocked(f)) != EOF && ch != '\n') {
		if (n == max)
			return -E2BIG;
		if (!ch && !*nul)
			*nul = n + 1;
		buf[n++] = (char)ch;
	}
	if (ch == EOF && ferror(f))
		return -EIO;
	buf[n] = '\0';
	*len = n;
	return ch == EOF && !n ? 0 : 1;
}

FILE *xg_regfile_open(const char *path, off_t max, char *err, size_t errlen)
{
	struct stat st;
	FILE *f;
	int fd;

	/* O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st)) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s, not a regular file", path, kind(st.st_mode));
	} else if (st.st_size > max) {
		snprintf(err, errlen, "%s: %lld bytes, more than the %lld it may hold", path,
			 (long long)st.st_size, (long long)max);
	} else if (fcntl(fd, F_SETFL, 0) || !(f = fdopen(fd, "r"))) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
	} else {
		return f;
	}
	close(fd);
	return NULL;
}
