/* SPDX-License-Identifier: GPL-2.0 */
/* The directories xdpgate keeps its state in (the pin root on bpffs, /run/xdpgate) are
 * trusted only when root owns them and nobody else can write them: bpffs is mode 1777, so
 * any local user could create /sys/fs/bpf/xdpgate first and later rename root's pins. */
#ifndef XG_UTIL_SECDIR_H
#define XG_UTIL_SECDIR_H

#include <stdbool.h>

/* 0 when path is a directory owned by root and writable by no one else; it is made 0700
 * when missing and create is set (-ENOENT otherwise, silently), and a root-owned one that
 * others may read is tightened to 0700. -EPERM after one line saying why and how to fix it. */
int xg_secure_dir(const char *path, bool create);

#endif
