/* SPDX-License-Identifier: GPL-2.0 */
/* Opening a file that is read whole (a config file): only a regular file of bounded size.
 * A FIFO would block in open() and a device (/dev/zero, /dev/urandom) would never end;
 * a directory opens and reads as empty. */
#ifndef XG_UTIL_REGFILE_H
#define XG_UTIL_REGFILE_H

#include <stdio.h>
#include <sys/types.h>

/* path for reading when it is a regular file of at most max bytes: the stream, or NULL
 * with one line "PATH: why" in err. The caller bounds what it reads too: the file may grow
 * after this looked. */
FILE *xg_regfile_open(const char *path, off_t max, char *err, size_t errlen);

/* One line of f into buf (at most max characters and the NUL), read a byte at a time so
 * that nothing past max is held. 1 for a line (its length in *len; *nul is the column of
 * its first NUL byte, or 0), 0 at the end of the file, -E2BIG for a line longer than max,
 * -EIO (errno kept) when reading fails: an error is never taken for the end. */
int xg_read_line(FILE *f, char *buf, size_t max, size_t *len, size_t *nul);

#endif
