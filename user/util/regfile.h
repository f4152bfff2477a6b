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

#endif
