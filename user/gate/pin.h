/* SPDX-License-Identifier: GPL-2.0 */
/* Where a gate's maps live in bpffs. bpffs is shared by every network namespace and two
 * namespaces may each have a "veth0", so the path names the namespace (by the inode of
 * its nsfs file) and the interface (by ifindex, which survives renames):
 *   /sys/fs/bpf/xdpgate/ns<inode>/if<ifindex>/{xg_stats,xg_config} */
#ifndef XG_PIN_H
#define XG_PIN_H

#include <limits.h>
#include <stdbool.h>

#define XG_BPFFS "/sys/fs/bpf"
#define XG_PIN_ROOT XG_BPFFS "/xdpgate"

/* Make sure /sys/fs/bpf is a bpffs, mounting it if needed. 0 or -errno (message printed). */
int xg_bpffs_ensure(void);
/* Fill dir (PATH_MAX) with the pin directory for ifindex in the caller's namespace. */
int xg_pin_dir(int ifindex, char *dir, size_t len);
/* Path of one pinned map inside dir. */
int xg_pin_path(const char *dir, const char *map, char *path, size_t len);
bool xg_pin_exists(const char *dir);
/* mkdir -p for the pin directory. */
int xg_pin_mkdir(const char *dir);
/* Remove the pinned maps and the directory (and empty parents). Missing is fine. */
void xg_pin_remove(const char *dir);

#endif
